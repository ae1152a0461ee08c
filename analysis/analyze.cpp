// SPDX-License-Identifier: Apache-2.0
#include "analysis/analyze.h"

#include <fmt/format.h>

#include <iterator>

namespace ipec::analysis {

std::string AnalysisContext::where(uint32_t statement) const { return fmt::format("line {}", lineOf(statement)); }

uint32_t AnalysisContext::lineOf(uint32_t statement) const {
  return file.lineCol(policy.statements[statement].range.begin).line;
}

std::string AnalysisContext::quoteStatement(uint32_t statement) const {
  return quote(text(policy.statements[statement].range), 96);
}

std::string AnalysisContext::jsonLines(const std::vector<uint32_t>& statements) const {
  std::string out;
  for (uint32_t s : statements) fmt::format_to(std::back_inserter(out), "{}{}", out.empty() ? "" : ",", lineOf(s));
  return out;
}

std::string AnalysisContext::linesPhrase(const std::vector<uint32_t>& statements) const {
  if (statements.size() == 1) return where(statements[0]);
  std::string out = "lines ";
  for (size_t k = 0; k < statements.size(); ++k)
    fmt::format_to(std::back_inserter(out), "{}{}", k == 0 ? "" : k + 1 == statements.size() ? " and " : ", ",
                   lineOf(statements[k]));
  return out;
}

std::string AnalysisContext::rulesPhrase(const std::vector<uint32_t>& statements) const {
  if (statements.size() > 3) return fmt::format("the {} rules noted below", statements.size());
  return fmt::format("the {} on {}", statements.size() == 1 ? "rule" : "rules", linesPhrase(statements));
}

std::vector<RelatedNote> AnalysisContext::notesAt(const std::vector<uint32_t>& statements, const std::string& one,
                                                  const std::string& each) const {
  constexpr size_t kShown = 6;
  std::vector<RelatedNote> notes;
  for (size_t k = 0; k < statements.size() && k < kShown; ++k)
    notes.push_back({policy.statements[statements[k]].range, statements.size() == 1 ? one : each});
  if (statements.size() > kShown) notes.push_back({std::nullopt, fmt::format("and {} more rules", statements.size() - kShown)});
  return notes;
}

void AnalysisContext::warn(DiagId id, uint32_t statement, std::string message, std::vector<RelatedNote> notes,
                           std::string extra_json) const {
  Diagnostic d;
  d.id = id;
  d.severity = Severity::Warning;
  d.range = policy.statements[statement].range;
  d.message = std::move(message);
  d.notes = std::move(notes);
  d.extra_json = std::move(extra_json);
  diags.report(std::move(d));
}

AnalysisResult analyzePolicy(const SourceFile& file, const ast::Policy& policy, const Target& target,
                             DiagnosticEngine& diags, const DiagnosticOptions& options,
                             const ReachabilityOptions& reach_options, Enforcer enforcer) {
  AnalysisResult out;
  FastDecider decider(policy, target);
  out.reach = analyzeReachability(policy, decider, target, reach_options);
  AnalysisContext cx{file, policy, diags, target, decider.index(), out.reach, decider, options};
  checkUnenforceableOps(cx);
  checkRuleReachability(cx);
  checkRedundantRules(cx);
  checkUnreachableDefaults(cx);
  checkVacuousOps(cx);
  checkPropertyOpMismatch(cx);
  checkLockout(cx);
  checkPartialEnforcement(cx);
  checkUnenforceableOnBackend(cx, enforcer);
  return out;
}

}  // namespace ipec::analysis
