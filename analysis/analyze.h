// SPDX-License-Identifier: Apache-2.0
// The target-aware analysis of a parsed policy: every check that needs a kernel target.
#pragma once

#include "analysis/reachability.h"
#include "base/diagnostic.h"
#include "base/source.h"

namespace ipec::analysis {

struct AnalysisContext {
  const SourceFile& file;
  const ast::Policy& policy;
  DiagnosticEngine& diags;
  const Target& target;
  const PolicyIndex& index;
  const Reachability& reach;
  const FastDecider& decider;
  const DiagnosticOptions& options;

  std::string_view text(Range r) const { return file.bytes().substr(r.begin, r.size()); }
  // "line N" of a statement, for messages.
  std::string where(uint32_t statement) const;
  // `op=EXECUTE ... action=ALLOW` as written (quoted, shortened).
  std::string quoteStatement(uint32_t statement) const;
};

void checkUnenforceableOps(const AnalysisContext& cx);    // unenforceable-op
void checkRuleReachability(const AnalysisContext& cx);    // dead-rule, shadowed-rule, redundant-rule, analysis-budget
void checkPropertyOpMismatch(const AnalysisContext& cx);  // property-op-mismatch
void checkPartialEnforcement(const AnalysisContext& cx);  // partial-enforcement
void checkLockout(const AnalysisContext& cx);             // lockout

// Runs the analysis on a policy the kernel of `target` accepts.
struct AnalysisResult {
  Reachability reach;
};
AnalysisResult analyzePolicy(const SourceFile& file, const ast::Policy& policy, const Target& target,
                             DiagnosticEngine& diags, const DiagnosticOptions& options,
                             const ReachabilityOptions& reach_options = {});

}  // namespace ipec::analysis
