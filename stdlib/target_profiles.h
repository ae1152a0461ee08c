// SPDX-License-Identifier: Apache-2.0
// The kernel target profiles shipped with ipec (stdlib/targets/*.target), as text.
// analysis/target.h parses them.
#pragma once

#include <span>
#include <string_view>

namespace ipec::stdlib {

struct ProfileSource {
  std::string_view file;  // "linux-6.12.target"
  std::string_view text;
};

std::span<const ProfileSource> builtinProfiles();

}  // namespace ipec::stdlib
