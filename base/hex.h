// SPDX-License-Identifier: Apache-2.0
// Hexadecimal spelling of bytes (digests in messages, dumps, audit records, map files).
#pragma once

#include <string>
#include <string_view>

namespace ipec {

enum class HexCase { Lower, Upper };

inline void appendHex(std::string& out, std::string_view bytes, HexCase c = HexCase::Lower) {
  const char* digits = c == HexCase::Lower ? "0123456789abcdef" : "0123456789ABCDEF";
  for (unsigned char b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
}

inline std::string hex(std::string_view bytes, HexCase c = HexCase::Lower) {
  std::string out;
  out.reserve(bytes.size() * 2);
  appendHex(out, bytes, c);
  return out;
}

}  // namespace ipec
