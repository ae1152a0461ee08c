// SPDX-License-Identifier: Apache-2.0
// redundant-rule: reachable rules that the greedy pass of docs/analysis.md flags, so that deleting
// every rule flagged dead, shadowed or redundant, all at once, changes no decision. The message
// names what decides instead once they are gone; never a flagged rule.
#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "analysis/analyze.h"
#include "analysis/event_io.h"

namespace ipec::analysis {
namespace {

namespace sl = ipec::stdlib;

std::string describeStatement(const AnalysisContext& cx, int32_t stmt) {
  if (stmt < 0) return "nothing (no DEFAULT applies)";
  return fmt::format("{} ({})", cx.quoteStatement(static_cast<uint32_t>(stmt)), cx.where(static_cast<uint32_t>(stmt)));
}

// "`X` (line 3), `Y` (line 5) or `Z` (line 6) (among others)": the analysis keeps up to four
// replacements; three are named, a fourth only says there are more.
std::string describeReplacements(const AnalysisContext& cx, const std::vector<int32_t>& reps) {
  const size_t shown = std::min<size_t>(reps.size(), 3);
  std::string out;
  for (size_t k = 0; k < shown; ++k)
    fmt::format_to(std::back_inserter(out), "{}{}", k ? (k + 1 == shown ? " or " : ", ") : "",
                   describeStatement(cx, reps[k]));
  if (reps.size() > shown) out += " (among others)";
  return out;
}

void reportRedundant(const AnalysisContext& cx, uint32_t i, const RuleResult& r) {
  const ast::Policy& pol = cx.policy;
  const std::string_view action = sl::actionSpelling(pol.statements[i].action);
  std::vector<RelatedNote> notes;
  for (size_t k = 0; k < r.replacements.size() && k < 3; ++k)
    if (r.replacements[k] >= 0)
      notes.push_back({pol.statements[r.replacements[k]].range, fmt::format("decides the same ({}) without it", action)});
  // Flagged rules after it that would take some of its events with the other action if it alone
  // were deleted: the claim needs them deleted too.
  std::string together;
  if (!r.bypassed.empty()) {
    together = fmt::format(" once {} {} deleted too", cx.rulesPhrase(r.bypassed), r.bypassed.size() == 1 ? "is" : "are");
    const std::string_view other = sl::actionSpelling(pol.statements[r.bypassed[0]].action);
    for (uint32_t b : r.bypassed)
      notes.push_back({pol.statements[b].range,
                       fmt::format("flagged as well: if only the redundant rule is deleted, this rule decides some "
                                   "of its events {}",
                                   other)});
  }
  // The lines of what decides instead (for an editor's go-to-definition) and of what must go with
  // it (empty: it can be deleted alone).
  std::vector<uint32_t> replaced_by;
  for (int32_t rep : r.replacements)
    if (rep >= 0) replaced_by.push_back(static_cast<uint32_t>(rep));
  cx.warn(DiagId::RedundantRule, i,
          fmt::format("deleting this rule changes no decision{}: wherever it is the first match, {} decides {} as well",
                      together, describeReplacements(cx, r.replacements), action),
          std::move(notes),
          fmt::format(R"({{"class":"redundant","witness":{},"replaced_by_lines":[{}],"delete_with_lines":[{}]}})",
                      eventToJson(*r.witness, pol), cx.jsonLines(replaced_by), cx.jsonLines(r.bypassed)));
}

}  // namespace

void checkRedundantRules(const AnalysisContext& cx) {
  for (uint32_t i = 0; i < cx.policy.statements.size(); ++i) {
    const RuleResult& r = cx.reach.rules[i];
    if (!cx.policy.statements[i].isDefault() && r.cls == RuleClass::Reachable && r.redundant) reportRedundant(cx, i, r);
  }
}

}  // namespace ipec::analysis
