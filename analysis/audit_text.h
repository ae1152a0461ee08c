// SPDX-License-Identifier: Apache-2.0
// How the kernel's audit record (type 1420, `rule="..."`) names the rule that decided.
#pragma once

#include <string>

#include "frontend/ast.h"

namespace ipec::analysis {

// security/ipe/audit.c: `op=X <props> action=Y`, `DEFAULT op=X action=Y` or `DEFAULT action=Y`;
// digests as the quoted algorithm (hex if it has unprintable bytes), a colon and upper-case hex.
std::string auditRule(const ast::Policy& policy, const ast::Statement& s);

// The bytes a decision table's AUDIT section stores for a rule (docs/table-format.md): auditRule's
// text with each digest value (algorithm, colon and hex) replaced by one marker byte.
struct AuditDigestMarkers {
  char fsverity, dmverity;
};
std::string auditRuleFormat(const ast::Policy& policy, const ast::Statement& s, AuditDigestMarkers markers);

// A digest value as the kernel prints it in a rule (ipe_digest_audit): what replaces a marker.
std::string auditDigest(std::string_view alg, std::string_view bytes);

}  // namespace ipec::analysis
