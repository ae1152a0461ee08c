// SPDX-License-Identifier: Apache-2.0
// `ipec fmt --diff`: a unified diff (as `diff -u` prints it, three lines of context) that `patch
// -p0` applies.
#pragma once

#include <string>
#include <string_view>

namespace ipec::driver {

// The diff from `before` to `after`, line by line, under the header `--- LABEL\t(before)` /
// `+++ LABEL\t(after)`; empty when they are equal. The edit script is minimal unless the texts
// differ in more than a few thousand lines, when the differing middle becomes one hunk.
std::string unifiedDiff(std::string_view before, std::string_view after, std::string_view label);

}  // namespace ipec::driver
