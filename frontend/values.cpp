// SPDX-License-Identifier: Apache-2.0
#include "frontend/values.h"

#include <fmt/format.h>

#include <limits>

#include "base/hex.h"
#include "stdlib/catalog.h"

namespace ipec::frontend {

// Hand-written: _kstrtoull's u64 overflow check comes before the trailing-junk check, and the
// errno and offset of each failure are the kernel's; llvm::StringRef::getAsInteger gives neither.
U16Result kstrtou16(std::string_view s) {
  U16Result r;
  size_t i = 0;
  if (i < s.size() && s[i] == '+') ++i;
  const size_t digits_begin = i;
  uint64_t value = 0;
  bool overflow = false;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    uint64_t digit = static_cast<uint64_t>(s[i] - '0');
    if (value > (kMax - digit) / 10) overflow = true;
    value = value * 10 + digit;  // wraps like the kernel's; only `overflow` matters then
  }
  if (overflow) {
    r.error = Errno::Range;
    r.bad_offset = static_cast<uint32_t>(digits_begin);
    return r;
  }
  if (i == digits_begin) {
    r.error = Errno::Inval;
    r.bad_offset = static_cast<uint32_t>(i);
    return r;
  }
  // _kstrtoull allows one trailing '\n'; a policy token never contains one.
  if (i < s.size()) {
    r.error = Errno::Inval;
    r.bad_offset = static_cast<uint32_t>(i);
    return r;
  }
  if (value > 0xFFFF) {
    r.error = Errno::Range;
    r.bad_offset = static_cast<uint32_t>(digits_begin);
    return r;
  }
  r.value = static_cast<uint16_t>(value);
  return r;
}

// Hand-written: each component's offset and the kernel's order (a 4th component fails before it
// is parsed) are what the diagnostics need; StringRef::split gives neither.
VersionResult parseVersion(std::string_view value) {
  VersionResult r;
  size_t count = 0;
  size_t begin = 0;
  while (true) {
    size_t dot = value.find(stdlib::kVersionSeparator, begin);
    size_t end = dot == std::string_view::npos ? value.size() : dot;
    if (count >= 3) {
      r.problems.push_back({Errno::BadMsg, static_cast<uint32_t>(begin - 1),
                            static_cast<uint32_t>(value.size()),
                            "policy_version has more than three components; the kernel needs "
                            "exactly major.minor.revision"});
      return r;
    }
    std::string_view part = value.substr(begin, end - begin);
    U16Result u = kstrtou16(part);
    if (u.error == Errno::Inval) {
      r.problems.push_back({Errno::Inval, static_cast<uint32_t>(begin),
                            static_cast<uint32_t>(end),
                            part.empty() ? std::string("empty version component")
                                         : "version component is not a decimal number"});
    } else if (u.error == Errno::Range) {
      r.problems.push_back({Errno::Range, static_cast<uint32_t>(begin),
                            static_cast<uint32_t>(end),
                            "version component is larger than 65535"});
    } else {
      r.parts[count] = u.value;
    }
    ++count;
    if (dot == std::string_view::npos) break;
    begin = dot + 1;
  }
  if (count != 3) {
    r.problems.push_back({Errno::BadMsg, static_cast<uint32_t>(value.size()),
                          static_cast<uint32_t>(value.size()),
                          fmt::format("policy_version has {} {}; the kernel needs exactly three: "
                                      "major.minor.revision",
                                      count, count == 1 ? "component" : "components")});
  }
  return r;
}

DigestResult parseDigest(std::string_view value) {
  DigestResult r;
  size_t colon = value.find(stdlib::kDigestSeparator);
  if (colon == std::string_view::npos) {
    r.error = Errno::BadMsg;
    return r;
  }
  r.alg = value.substr(0, colon);
  std::string_view hex = value.substr(colon + 1);
  const uint32_t hex_begin = static_cast<uint32_t>(colon + 1);
  // hex2bin() decodes pairs left to right; an odd length makes the final NUL the bad nibble.
  // Hand-written: the kernel reports the first bad digit's offset, which decodeHex() does not give.
  r.bytes.resize_for_overwrite(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = hexDigitValue(hex[i]);
    if (hi < 0) {
      r.error = Errno::Inval;
      r.bad_offset = hex_begin + static_cast<uint32_t>(i);
      return r;
    }
    if (i + 1 == hex.size()) {
      r.error = Errno::Inval;
      r.odd_length = true;
      r.bad_offset = static_cast<uint32_t>(value.size());
      return r;
    }
    int lo = hexDigitValue(hex[i + 1]);
    if (lo < 0) {
      r.error = Errno::Inval;
      r.bad_offset = hex_begin + static_cast<uint32_t>(i + 1);
      return r;
    }
    r.bytes[i / 2] = static_cast<char>(hi << 4 | lo);
  }
  return r;
}

}  // namespace ipec::frontend
