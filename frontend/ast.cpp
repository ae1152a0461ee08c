// SPDX-License-Identifier: Apache-2.0
#include "frontend/ast.h"

namespace ipec::ast {

std::string Version::str() const {
  return std::to_string(parts[0]) + "." + std::to_string(parts[1]) + "." + std::to_string(parts[2]);
}

}  // namespace ipec::ast
