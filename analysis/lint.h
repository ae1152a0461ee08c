// SPDX-License-Identifier: Apache-2.0
// Checks on a parsed policy that need no kernel target: text the kernel accepts but that is
// almost surely a mistake.
#pragma once

#include "base/diagnostic.h"
#include "base/source.h"
#include "frontend/ast.h"
#include "stdlib/catalog.h"

namespace ipec::analysis {

struct LintContext {
  const SourceFile& file;
  const ast::Policy& policy;
  DiagnosticEngine& diags;
  stdlib::Dialect dialect;  // the token table the policy was parsed with
};

void checkDigestLiterals(const LintContext& cx);     // unknown-digest-alg, digest-length, empty-digest
void checkRuleProperties(const LintContext& cx);     // duplicate-property, contradictory-properties
void checkDefaultFragility(const LintContext& cx);   // default-fragility

inline void lint(const LintContext& cx) {
  checkDigestLiterals(cx);
  checkRuleProperties(cx);
  checkDefaultFragility(cx);
}

}  // namespace ipec::analysis
