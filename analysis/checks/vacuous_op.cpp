// SPDX-License-Identifier: Apache-2.0
// vacuous-op: every event of an op gets one action, although a statement that applies to the op
// (a rule of it, its DEFAULT, or the global DEFAULT serving it) says the other: that statement
// never takes effect, and the op's decision does not depend on the file at all. Cedar's analyzer
// calls such a policy set vacuous. The set of actions is exact (docs/analysis.md).
#include <fmt/format.h>

#include <algorithm>

#include "analysis/analyze.h"

namespace ipec::analysis {
namespace {

namespace sl = ipec::stdlib;

// The statements that decide every event of the op (its reachable rules, and the DEFAULT when
// some event reaches it), in file order.
std::vector<uint32_t> deciders(const AnalysisContext& cx, sl::Op op, std::vector<uint32_t>& rules) {
  for (uint32_t s : cx.index.rules[static_cast<unsigned>(op)])
    if (cx.reach.rules[s].cls == RuleClass::Reachable) rules.push_back(s);
  std::vector<uint32_t> all = rules;
  const int32_t d = cx.index.defaultFor(op);
  if (cx.reach.ops[static_cast<unsigned>(op)].default_reached && d >= 0) all.push_back(static_cast<uint32_t>(d));
  std::sort(all.begin(), all.end());
  return all;
}

// The statements that apply to the op and say `action`: its rules in file order, then the
// DEFAULT. The first is where the diagnostic stands: a rule written for the op says more about
// the author's intent than a DEFAULT, which may serve other ops too.
std::vector<uint32_t> saying(const AnalysisContext& cx, sl::Op op, sl::Action action) {
  std::vector<uint32_t> out;
  for (uint32_t s : cx.index.rules[static_cast<unsigned>(op)])
    if (cx.policy.statements[s].action == action) out.push_back(s);
  const int32_t d = cx.index.defaultFor(op);
  if (d >= 0 && cx.policy.statements[d].action == action) out.push_back(static_cast<uint32_t>(d));
  return out;
}

// "line 6 also says DENY for `op=EXECUTE` and never applies either", for the statements after
// the first one that say the other action.
std::string alsoSaying(const AnalysisContext& cx, const std::vector<uint32_t>& ignored, const std::string& ops,
                       sl::Action other) {
  std::vector<uint32_t> rest(ignored.begin() + 1, ignored.end());
  std::sort(rest.begin(), rest.end());
  const std::string_view spelled = sl::actionSpelling(other);
  if (rest.size() > 3) return fmt::format("{} more statements say {} for {} and never apply either", rest.size(), spelled, ops);
  return fmt::format("{} also {} {} for {} and never {} either", cx.linesPhrase(rest), rest.size() == 1 ? "says" : "say",
                     spelled, ops, rest.size() == 1 ? "applies" : "apply");
}

void reportVacuous(const AnalysisContext& cx, sl::Op op, sl::Action got) {
  const sl::Action other = got == sl::Action::Allow ? sl::Action::Deny : sl::Action::Allow;
  const std::vector<uint32_t> ignored = saying(cx, op, other);
  if (ignored.empty()) return;
  std::vector<uint32_t> rules;
  const std::vector<uint32_t> all = deciders(cx, op, rules);
  std::string who = rules.empty() ? "" : cx.rulesPhrase(rules);
  if (const int32_t d = cx.index.defaultFor(op); cx.reach.ops[static_cast<unsigned>(op)].default_reached && d >= 0)
    who += fmt::format("{}{} ({})", who.empty() ? "" : " and ", cx.quoteStatement(static_cast<uint32_t>(d)),
                       cx.where(static_cast<uint32_t>(d)));
  const bool allow = got == sl::Action::Allow;
  const std::string ops = fmt::format("`op={}`", sl::opSpelling(op));
  std::vector<RelatedNote> notes = cx.notesAt(rules, fmt::format("{} every {} event", allow ? "allows" : "denies", ops),
                                              fmt::format("{} part of the {} events", allow ? "allows" : "denies", ops));
  if (ignored.size() > 1) notes.push_back({std::nullopt, alsoSaying(cx, ignored, ops, other)});
  cx.warn(DiagId::VacuousOp, ignored.front(),
          fmt::format("no {} event is {}: {} {} every one, so this {} never applies", ops, allow ? "denied" : "allowed",
                      who, all.size() > 1 ? (allow ? "allow" : "deny") : (allow ? "allows" : "denies"),
                      sl::actionSpelling(other)),
          std::move(notes),
          fmt::format(R"({{"op":"{}","action":"{}","decided_by_lines":[{}]}})", sl::opSpelling(op),
                      sl::actionSpelling(got), cx.jsonLines(all)));
}

}  // namespace

void checkVacuousOps(const AnalysisContext& cx) {
  for (sl::Op op : sl::kAllOps) {
    const OpResult& o = cx.reach.ops[static_cast<unsigned>(op)];
    if (!o.has_events || o.gets(sl::Action::Allow) == o.gets(sl::Action::Deny)) continue;
    reportVacuous(cx, op, o.gets(sl::Action::Allow) ? sl::Action::Allow : sl::Action::Deny);
  }
}

}  // namespace ipec::analysis
