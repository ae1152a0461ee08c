// SPDX-License-Identifier: Apache-2.0
// UTF-8 validation for what ipec prints: anything that is not well-formed UTF-8 is escaped.
#pragma once

#include <cstddef>
#include <string_view>

namespace ipec {

// The length of the well-formed UTF-8 sequence at s[i] (1 for ASCII), or 0 when there is none:
// overlong forms, surrogates and code points above U+10FFFF are not well formed.
size_t utf8SequenceLength(std::string_view s, size_t i);

}  // namespace ipec
