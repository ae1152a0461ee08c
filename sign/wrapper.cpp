// SPDX-License-Identifier: Apache-2.0
#include "sign/wrapper.h"

#include <fmt/format.h>

namespace ipec::sign {
namespace {

// Little-endian fields, as every ipec binary format (the kernel reads them with get_unaligned_le*).
void putLe(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t getLe(std::string_view in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(in[at + static_cast<size_t>(i)]);
  return v;
}

}  // namespace

bool looksLikeWrapper(std::string_view bytes) { return bytes.starts_with(kWrapperMagic); }

std::string wrapDetached(std::string_view table, std::string_view sig) {
  std::string out;
  out.reserve(kWrapperHeaderBytes + table.size() + sig.size());
  out.append(kWrapperMagic);
  putLe(out, kWrapperVersion, 4);
  putLe(out, sig.size(), 4);
  putLe(out, table.size(), 8);
  out.append(table);
  out.append(sig);
  return out;
}

std::optional<WrapperParts> parseWrapper(std::string_view bytes, std::string& why) {
  if (bytes.size() < kWrapperHeaderBytes || !looksLikeWrapper(bytes)) {
    why = fmt::format("{} bytes: shorter than the wrapper's {}-byte header", bytes.size(), kWrapperHeaderBytes);
    return std::nullopt;
  }
  const uint64_t version = getLe(bytes, 8, 4), sig = getLe(bytes, 12, 4), table = getLe(bytes, 16, 8);
  if (version != kWrapperVersion) {
    why = fmt::format("wrapper version {}; the kernel reads version {}", version, kWrapperVersion);
    return std::nullopt;
  }
  const uint64_t rest = bytes.size() - kWrapperHeaderBytes;
  // Compared without adding table and sig sizes, which a hostile header could make overflow.
  if (table > rest || sig != rest - table) {
    why = fmt::format("the header says {} bytes of table and {} of signature, but {} bytes follow it", table, sig,
                      rest);
    return std::nullopt;
  }
  if (sig == 0) {
    why = "the wrapper holds no signature";
    return std::nullopt;
  }
  return WrapperParts{bytes.substr(kWrapperHeaderBytes, table), bytes.substr(kWrapperHeaderBytes + table)};
}

}  // namespace ipec::sign
