// SPDX-License-Identifier: Apache-2.0
#include "base/utf8.h"

#include <llvm/Support/ConvertUTF.h>

namespace ipec {

size_t utf8SequenceLength(std::string_view s, size_t i) {
  const auto* p = reinterpret_cast<const llvm::UTF8*>(s.data());
  if (p[i] < 0x80) return 1;
  // Unicode's table 3-7: no overlong form, surrogate, or code point above U+10FFFF.
  return llvm::isLegalUTF8Sequence(p + i, p + s.size()) ? llvm::getNumBytesForUTF8(p[i]) : 0;
}

}  // namespace ipec

namespace ipec {

uint32_t utf8Decode(std::string_view s, size_t i, size_t n) {
  auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(s[i + k])); };
  switch (n) {
    case 1: return b(0);
    case 2: return (b(0) & 0x1F) << 6 | (b(1) & 0x3F);
    case 3: return (b(0) & 0x0F) << 12 | (b(1) & 0x3F) << 6 | (b(2) & 0x3F);
    case 4: return (b(0) & 0x07) << 18 | (b(1) & 0x3F) << 12 | (b(2) & 0x3F) << 6 | (b(3) & 0x3F);
    default: return 0xFFFD;
  }
}

bool isValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

bool isInvisibleCodePoint(uint32_t cp) {
  return cp == 0x00AD || cp == 0x061C || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

}  // namespace ipec
