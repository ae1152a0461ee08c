// SPDX-License-Identifier: Apache-2.0
#include "frontend/ast.h"

#include <fmt/format.h>

namespace ipec::ast {

std::string Version::str() const {
  return fmt::format("{}.{}.{}", parts[0], parts[1], parts[2]);
}

}  // namespace ipec::ast
