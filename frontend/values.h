// SPDX-License-Identifier: Apache-2.0
// The kernel's value parsers, reproduced exactly: kstrtou16() for version components
// (lib/kstrtox.c) and ipe_digest_parse() (security/ipe/digest.c).
#pragma once

#include <llvm/ADT/SmallString.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/kernel_errno.h"

namespace ipec::frontend {

// kstrtou16(s, 10): optional single '+', decimal digits (leading zeros fine), nothing after.
// Overflow of u64 -> ERANGE (checked before trailing junk); no digits or junk -> EINVAL;
// a value above 65535 -> ERANGE.
struct U16Result {
  Errno error = Errno::None;
  uint16_t value = 0;
  uint32_t bad_offset = 0;  // where the first offending byte is, relative to s
};
U16Result kstrtou16(std::string_view s);

// One problem in a policy_version value, at [begin, end) relative to the value.
struct VersionProblem {
  Errno error;
  uint32_t begin, end;
  std::string message;
};
struct VersionResult {
  uint16_t parts[3] = {0, 0, 0};
  std::vector<VersionProblem> problems;  // in the order the kernel meets them; empty: valid
};
// parse_version(): split on '.', at most 3 components (a 4th, even empty, is EBADMSG before it
// is parsed), each kstrtou16; fewer than 3 -> EBADMSG. Every problem is reported, in order.
VersionResult parseVersion(std::string_view value);

// ipe_digest_parse(): "alg:hex". No ':' -> EBADMSG. alg is anything before the first ':'
// (may be empty). hex may be empty; odd length or a non-hex byte -> EINVAL. Either case is fine.
struct DigestResult {
  Errno error = Errno::None;
  uint32_t bad_offset = 0;  // relative to the value: the offending byte, or the end when odd
  std::string_view alg;
  llvm::SmallString<64> bytes;  // a sha512 digest fits: no allocation per digest
  bool odd_length = false;
};
DigestResult parseDigest(std::string_view value);

}  // namespace ipec::frontend
