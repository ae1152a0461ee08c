// SPDX-License-Identifier: Apache-2.0
// UTF-8 validation for what ipec prints: anything that is not well-formed UTF-8 is escaped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ipec {

// What Notepad and other editors put at the start of a "UTF-8 with BOM" file.
inline constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";

// The length of the well-formed UTF-8 sequence at s[i] (1 for ASCII), or 0 when there is none:
// overlong forms, surrogates and code points above U+10FFFF are not well formed.
size_t utf8SequenceLength(std::string_view s, size_t i);

// The code point of the well-formed sequence of `n` bytes at s[i] (n from utf8SequenceLength).
uint32_t utf8Decode(std::string_view s, size_t i, size_t n);

// Whether the whole of `s` is well-formed UTF-8.
bool isValidUtf8(std::string_view s);

// Code points a terminal shows as nothing, or that reorder the text around them: the byte-order
// mark (U+FEFF), zero-width spaces and joiners, and the bidirectional controls. ipec shows them
// by number, so that what is printed is what the kernel reads.
bool isInvisibleCodePoint(uint32_t cp);

}  // namespace ipec
