// SPDX-License-Identifier: Apache-2.0
// The target-aware analysis of a parsed policy: every check that needs a kernel target.
#pragma once

#include "analysis/enforcer_model.h"
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
  uint32_t lineOf(uint32_t statement) const;
  // `op=EXECUTE ... action=ALLOW` as written (quoted, shortened).
  std::string quoteStatement(uint32_t statement) const;
  // `4,5,7`: the lines of statements, for a JSON array.
  std::string jsonLines(const std::vector<uint32_t>& statements) const;
  // "line 4", "lines 4 and 5", "lines 4, 5 and 7".
  std::string linesPhrase(const std::vector<uint32_t>& statements) const;
  // "the rule on line 4", "the rules on lines 4 and 5", up to three lines; then "the 7 rules
  // noted below".
  std::string rulesPhrase(const std::vector<uint32_t>& statements) const;
  // A note at each of the first six statements (`one` when there is only one, else `each`), then
  // "and N more rules".
  std::vector<RelatedNote> notesAt(const std::vector<uint32_t>& statements, const std::string& one,
                                   const std::string& each) const;
  void warn(DiagId id, uint32_t statement, std::string message, std::vector<RelatedNote> notes,
            std::string extra_json) const;
};

void checkUnenforceableOps(const AnalysisContext& cx);    // unenforceable-op
void checkRuleReachability(const AnalysisContext& cx);    // dead-rule, shadowed-rule, analysis-budget
void checkRedundantRules(const AnalysisContext& cx);      // redundant-rule
void checkUnreachableDefaults(const AnalysisContext& cx); // unreachable-default
void checkVacuousOps(const AnalysisContext& cx);          // vacuous-op
void checkPropertyOpMismatch(const AnalysisContext& cx);  // property-op-mismatch
void checkPartialEnforcement(const AnalysisContext& cx);  // partial-enforcement
void checkLockout(const AnalysisContext& cx);             // lockout
void checkUnenforceableOnBackend(const AnalysisContext& cx, Enforcer enforcer);  // unenforceable-on-backend

// Runs the analysis on a policy the kernel of `target` accepts.
struct AnalysisResult {
  Reachability reach;
};
AnalysisResult analyzePolicy(const SourceFile& file, const ast::Policy& policy, const Target& target,
                             DiagnosticEngine& diags, const DiagnosticOptions& options,
                             const ReachabilityOptions& reach_options = {}, Enforcer enforcer = Enforcer::Ipe);

}  // namespace ipec::analysis
