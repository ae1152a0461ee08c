// SPDX-License-Identifier: Apache-2.0
// How the kernel's audit record (type 1420, `rule="..."`) names the rule that decided.
#pragma once

#include <string>

#include "frontend/ast.h"

namespace ipec::analysis {

// security/ipe/audit.c: `op=X <props> action=Y`, `DEFAULT op=X action=Y` or `DEFAULT action=Y`;
// digests as the quoted algorithm (hex if it has unprintable bytes), a colon and upper-case hex.
std::string auditRule(const ast::Policy& policy, const ast::Statement& s);

}  // namespace ipec::analysis
