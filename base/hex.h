// SPDX-License-Identifier: Apache-2.0
// Hexadecimal spelling of bytes (digests in messages, dumps, audit records, map files) and its
// decoding: ipec's one hex table, on top of LLVM's StringExtras.
#pragma once

#include <llvm/ADT/StringExtras.h>

#include <string>
#include <string_view>

namespace ipec {

enum class HexCase { Lower, Upper };

// The digit of a nibble (0..15).
inline char hexDigit(unsigned nibble, HexCase c = HexCase::Lower) {
  return llvm::hexdigit(nibble, c == HexCase::Lower);
}

// The value of a hex digit of either case, or -1 (the same digits as the kernel's hex_to_bin()).
inline int hexDigitValue(char c) {
  const unsigned v = llvm::hexDigitValue(c);
  return v == ~0U ? -1 : static_cast<int>(v);
}

inline void appendHex(std::string& out, std::string_view bytes, HexCase c = HexCase::Lower) {
  size_t at = out.size();
  out.resize(at + 2 * bytes.size());
  for (unsigned char b : bytes) {
    out[at++] = hexDigit(b >> 4, c);
    out[at++] = hexDigit(b & 15, c);
  }
}

inline std::string hex(std::string_view bytes, HexCase c = HexCase::Lower) {
  std::string out;
  appendHex(out, bytes, c);
  return out;
}

// Decodes an even number of hex digits of either case into `out`; false (and `out` unspecified)
// on an odd length or a byte that is not a hex digit.
inline bool decodeHex(std::string_view digits, std::string& out) {
  out.clear();
  if (digits.size() % 2 != 0) return false;
  return llvm::tryGetFromHex(llvm::StringRef(digits.data(), digits.size()), out);
}

}  // namespace ipec
