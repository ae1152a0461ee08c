// SPDX-License-Identifier: Apache-2.0
// The shortest edit script between two sequences of lines (Myers' O(ND) algorithm), for `ipec fmt
// --diff` and the rule-level part of `ipec diff`.
#pragma once

#include <string_view>
#include <vector>

namespace ipec {

enum class Edit : char { Same = ' ', Del = '-', Add = '+' };

// The edits that turn `a` into `b`: minimal, after the common prefix and suffix, unless the middle
// needs more than `max_d` edits; then the middle is deleted and added whole.
std::vector<Edit> editScript(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b,
                             int max_d = 2000);

}  // namespace ipec
