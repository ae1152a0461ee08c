// SPDX-License-Identifier: Apache-2.0
#include "analysis/analyze.h"

namespace ipec::analysis {

std::string AnalysisContext::where(uint32_t statement) const {
  return "line " + std::to_string(file.lineCol(policy.statements[statement].range.begin).line);
}

std::string AnalysisContext::quoteStatement(uint32_t statement) const {
  return quote(text(policy.statements[statement].range), 96);
}

AnalysisResult analyzePolicy(const SourceFile& file, const ast::Policy& policy, const Target& target,
                             DiagnosticEngine& diags, const DiagnosticOptions& options,
                             const ReachabilityOptions& reach_options) {
  AnalysisResult out;
  FastDecider decider(policy, target);
  out.reach = analyzeReachability(policy, decider, target, reach_options);
  AnalysisContext cx{file, policy, diags, target, decider.index(), out.reach, decider, options};
  checkUnenforceableOps(cx);
  checkRuleReachability(cx);
  checkPropertyOpMismatch(cx);
  checkLockout(cx);
  checkPartialEnforcement(cx);
  return out;
}

}  // namespace ipec::analysis
