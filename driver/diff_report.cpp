// SPDX-License-Identifier: Apache-2.0
#include "driver/diff_report.h"

#include <algorithm>
#include <iterator>

#include "driver/json_output.h"
#include "driver/json_text.h"
#include "pipeline/version.h"

namespace ipec::driver {
namespace {

namespace sl = ipec::stdlib;
using namespace ipec::analysis;
using nlohmann::json;

const char* matchedWords(DecisionKind k) {
  switch (k) {
    case DecisionKind::Rule: return "rule";
    case DecisionKind::OpDefault: return "DEFAULT of the op";
    case DecisionKind::GlobalDefault: return "global DEFAULT";
    case DecisionKind::NotEvaluated: return "not evaluated";
    case DecisionKind::NoDefault: return "no statement";
  }
  return "";
}

std::string arrow(sl::Action from, sl::Action to) {
  return fmt::format("{} -> {}", sl::actionSpelling(from), sl::actionSpelling(to));
}

std::string plural(size_t n, const char* one, const char* many) { return fmt::format("{} {}", n, n == 1 ? one : many); }

// One side of the comparison: a checked file and its statements.
struct Side {
  const CheckedPolicy& p;
  const std::string& path;  // as given ("-" for standard input)
  const SourceFile& file() const { return *p.file; }
  const ast::Statement& statement(int32_t s) const { return p.parsed.policy.statements[s]; }
  uint32_t line(int32_t s) const { return s < 0 ? 0 : file().lineCol(statement(s).range.begin).line; }
  std::string text(int32_t s) const { return normalizedText(file(), statement(s)); }
  // `old.pol:4: op=EXECUTE ... action=ALLOW`
  std::string where(int32_t s) const { return fmt::format("{}:{}: {}", shown(file().name()), line(s), shown(text(s))); }
  json statementJson(int32_t s) const { return {{"line", line(s)}, {"text", text(s)}}; }
  json decisionJson(const Decision& d) const {
    json j = {{"decision", std::string(sl::actionSpelling(d.action))}, {"matched", decisionKindName(d.kind)}};
    if (d.statement >= 0) {
      j["line"] = line(d.statement);
      j["rule"] = text(d.statement);
    } else {
      j["line"] = nullptr;
    }
    return j;
  }
  json location(int32_t s, const std::string& message) const {
    json loc = {{"physicalLocation", {{"artifactLocation", sarifArtifactLocation(path)}}}, {"message", {{"text", message}}}};
    if (s >= 0) loc["physicalLocation"]["region"] = sarifRegion(&file(), statement(s).range);
    return loc;
  }
};

std::string headerText(const ast::Policy& p, bool name) {
  if (!p.header) return "(none)";
  return name ? p.header->name : p.header->version.str();
}

std::string scopeText(const DefaultChange& c) {
  return c.global ? std::string("DEFAULT") : fmt::format("DEFAULT op={}", sl::opSpelling(c.op));
}

size_t changedClasses(const SemanticDiff& s, size_t* ops = nullptr) {
  size_t n = 0;
  for (const OpDiff& d : s.ops) {
    n += d.changes.size();
    if (ops) *ops += !d.equivalent();
  }
  return n;
}

size_t ruleChanges(const RuleDiff& r) {
  return r.rules.size() + r.defaults.size() + r.name_changed + r.version_changed;
}

// The `rules` object of the JSON output.
json ruleLevelJson(const Side& o, const Side& n, const RuleDiff& r) {
  json added = json::array(), removed = json::array(), moved = json::array(), actions = json::array(),
       defaults = json::array();
  for (const RuleChange& c : r.rules) {
    if (c.kind == RuleChangeKind::Added) added.push_back(n.statementJson(c.new_statement));
    if (c.kind == RuleChangeKind::Removed) removed.push_back(o.statementJson(c.old_statement));
    if (c.kind == RuleChangeKind::Moved || c.kind == RuleChangeKind::ActionChanged)
      (c.kind == RuleChangeKind::Moved ? moved : actions)
          .push_back({{"old_line", o.line(c.old_statement)}, {"new_line", n.line(c.new_statement)},
                      {"text", n.text(c.new_statement)}});
  }
  for (const DefaultChange& c : r.defaults)
    defaults.push_back({{"op", c.global ? json() : json(std::string(sl::opSpelling(c.op)))},
                        {"old", c.old_statement < 0 ? json() : o.statementJson(c.old_statement)},
                        {"new", c.new_statement < 0 ? json() : n.statementJson(c.new_statement)}});
  return {{"removed", std::move(removed)}, {"added", std::move(added)}, {"moved", std::move(moved)},
          {"action_changed", std::move(actions)}, {"defaults", std::move(defaults)}, {"name_changed", r.name_changed},
          {"version_changed", r.version_changed}};
}

// The rule-level part of the text output.
std::string ruleLevelText(const Side& o, const Side& n, const RuleDiff& r) {
  std::string out;
  auto add = std::back_inserter(out);
  out += ruleChanges(r) ? "rule-level changes:\n" : "rule-level changes: none\n";
  for (const RuleChange& c : r.rules) {
    switch (c.kind) {
      case RuleChangeKind::Removed: fmt::format_to(add, "  removed {}\n", o.where(c.old_statement)); break;
      case RuleChangeKind::Added: fmt::format_to(add, "  added   {}\n", n.where(c.new_statement)); break;
      case RuleChangeKind::Moved:
        fmt::format_to(add, "  moved   {}:{} -> {}\n", shown(o.file().name()), o.line(c.old_statement), n.where(c.new_statement));
        break;
      case RuleChangeKind::ActionChanged:
        fmt::format_to(add, "  action  {} -> {}\n", o.where(c.old_statement), n.where(c.new_statement));
        break;
    }
  }
  for (const DefaultChange& c : r.defaults) {
    auto end = [](const Side& sd, int32_t st) { return st < 0 ? fmt::format("none in {}", shown(sd.file().name())) : sd.where(st); };
    fmt::format_to(add, "  {}: {} -> {}\n", scopeText(c), end(o, c.old_statement), end(n, c.new_statement));
  }
  for (bool name : {true, false})
    if (name ? r.name_changed : r.version_changed)
      fmt::format_to(add, "  {}: {} -> {}\n", name ? "policy_name" : "policy_version",
                     shown(headerText(o.p.parsed.policy, name)), shown(headerText(n.p.parsed.policy, name)));
  return out;
}

}  // namespace

std::string DiffInputs::changeText(const DecisionChange& c, const EventSpec* spec) const {
  const Side o{old_p, options.old_policy}, n{new_p, options.new_policy};
  auto side = [](const Side& s, const Decision& d) {
    if (d.statement < 0) return fmt::format("    {}: {}\n", shown(s.file().name()), matchedWords(d.kind));
    return fmt::format("    {} ({})\n", s.where(d.statement), matchedWords(d.kind));
  };
  return fmt::format("{} for {}\n{}{}", arrow(c.old_decision.action, c.new_decision.action),
                     shown(eventToText(c.witness, aligned, spec)), side(o, c.old_decision), side(n, c.new_decision));
}

json DiffInputs::changeJson(const DecisionChange& c, const EventSpec* spec) const {
  const Side o{old_p, options.old_policy}, n{new_p, options.new_policy};
  return {{"change", arrow(c.old_decision.action, c.new_decision.action)},
          {"event", json::parse(eventToJson(c.witness, aligned, spec), nullptr, false)},
          {"event_text", eventToText(c.witness, aligned, spec)},
          {"old", o.decisionJson(c.old_decision)},
          {"new", n.decisionJson(c.new_decision)}};
}

std::string DiffInputs::renderText(const SemanticDiff& s, const RuleDiff& r) const {
  const Side o{old_p, options.old_policy}, n{new_p, options.new_policy};
  const analysis::Target& t = options.pipeline.target;
  std::string out, same, never;
  auto add = std::back_inserter(out);
  for (sl::Op op : sl::kAllOps) {
    if (!t.dialect.knows(sl::opSeries(op))) continue;
    const OpDiff& d = s.ops[static_cast<unsigned>(op)];
    std::string& list = !d.evaluated ? never : same;
    if (!d.evaluated || d.equivalent()) {
      fmt::format_to(std::back_inserter(list), "{}op={}", list.empty() ? "" : ", ", sl::opSpelling(op));
      continue;
    }
    size_t to_deny = 0;
    for (const DecisionChange& c : d.changes) to_deny += c.new_decision.action == sl::Action::Deny;
    fmt::format_to(add, "op={}: {} ({} ALLOW -> DENY, {} DENY -> ALLOW)\n", sl::opSpelling(op),
                   plural(d.changes.size(), "class of events changes decision", "classes of events change decision"),
                   to_deny, d.changes.size() - to_deny);
    for (const DecisionChange& c : d.changes) out += "  " + changeText(c);
    if (d.truncated)
      fmt::format_to(add, "  ... and more classes: --max-classes={} lists that many per op (0: all)\n",
                     options.max_classes);
  }
  if (!same.empty()) fmt::format_to(add, "no decision changes: {}\n", same);
  if (!never.empty()) fmt::format_to(add, "not evaluated on target {}, nothing changes: {}\n", t.name, never);
  out += ruleLevelText(o, n, r);
  size_t ops = 0;
  const size_t classes = changedClasses(s, &ops);
  const std::string verdict = s.equivalent() ? "equivalent" : "not equivalent";
  const bool more = std::any_of(s.ops.begin(), s.ops.end(), [](const OpDiff& d) { return d.truncated; });
  fmt::format_to(add, "{} -> {}: {} on target {} ({}{}{}; {})\n", shown(o.file().name()), shown(n.file().name()),
                 verdict, t.name, plural(classes, "class", "classes"), more ? " listed and more" : "",
                 ops ? fmt::format(" in {}", plural(ops, "op", "ops")) : "",
                 plural(ruleChanges(r), "rule-level change", "rule-level changes"));
  return out;
}

std::string DiffInputs::renderJson(const SemanticDiff& s, const RuleDiff& r) const {
  const Side o{old_p, options.old_policy}, n{new_p, options.new_policy};
  const analysis::Target& t = options.pipeline.target;
  auto file = [](const Side& sd) {
    const ast::Policy& p = sd.p.parsed.policy;
    return json{{"file", sd.path == "-" ? "<stdin>" : sd.path},
                {"policy_name", p.header ? json(p.header->name) : json()},
                {"policy_version", p.header ? json(p.header->version.str()) : json()}};
  };
  json ops = json::array();
  for (sl::Op op : sl::kAllOps) {
    if (!t.dialect.knows(sl::opSeries(op))) continue;
    const OpDiff& d = s.ops[static_cast<unsigned>(op)];
    json changes = json::array();
    for (const DecisionChange& c : d.changes) changes.push_back(changeJson(c));
    ops.push_back({{"op", std::string(sl::opSpelling(op))}, {"evaluated", d.evaluated}, {"equivalent", d.equivalent()},
                   {"truncated", d.truncated}, {"changes", std::move(changes)}});
  }
  size_t changed_ops = 0;
  const size_t classes = changedClasses(s, &changed_ops);
  json doc = {{"version", 1},
              {"target", t.name},
              {"old", file(o)},
              {"new", file(n)},
              {"equivalent", s.equivalent()},
              {"ops", std::move(ops)},
              {"rules", ruleLevelJson(o, n, r)},
              {"summary", {{"changed_classes", classes}, {"changed_ops", changed_ops}, {"rule_changes", ruleChanges(r)}}}};
  return dumpJson(doc, 2) + "\n";
}

std::string DiffInputs::renderSarif(const SemanticDiff& s, const RuleDiff& r) const {
  const Side o{old_p, options.old_policy}, n{new_p, options.new_policy};
  struct RuleInfo {
    const char* id;
    const char* level;
    const char* text;
  };
  static constexpr RuleInfo kRules[] = {
      {"allow-to-deny", "warning", "events that OLD allows are denied by NEW"},
      {"deny-to-allow", "warning", "events that OLD denies are allowed by NEW"},
      {"rule-added", "note", "a rule only NEW has"},
      {"rule-removed", "note", "a rule only OLD has"},
      {"rule-moved", "note", "a rule both have, at another place among the rules"},
      {"rule-action-changed", "note", "a rule both have but for its action"},
      {"default-changed", "note", "a DEFAULT added, removed or with another action"},
  };
  json rules = json::array();
  for (const RuleInfo& ri : kRules)
    rules.push_back({{"id", ri.id}, {"shortDescription", {{"text", ri.text}}},
                     {"helpUri", fmt::format("{}cli.md#ipec-diff", pipeline::kDocsUri)},
                     {"defaultConfiguration", {{"level", ri.level}}}});
  json results = json::array();
  auto result = [&](unsigned rule, std::string message, json loc, json related) {
    json j = {{"ruleId", kRules[rule].id}, {"level", kRules[rule].level}, {"message", {{"text", std::move(message)}}},
              {"locations", json::array({std::move(loc)})}};
    if (!related.empty()) j["relatedLocations"] = std::move(related);
    results.push_back(std::move(j));
  };
  const json none = json::array();
  for (const OpDiff& d : s.ops)
    for (const DecisionChange& c : d.changes) {
      // Located where NEW decides, with where OLD decided as the related location.
      const std::string message = fmt::format("{} for {}: decided in NEW by the {}, in OLD by the {} on line {}",
                                              arrow(c.old_decision.action, c.new_decision.action),
                                              eventToText(c.witness, aligned), matchedWords(c.new_decision.kind),
                                              matchedWords(c.old_decision.kind), o.line(c.old_decision.statement));
      result(c.new_decision.action == sl::Action::Deny ? 0 : 1, message,
             n.location(c.new_decision.statement, "NEW decides here"),
             json::array({o.location(c.old_decision.statement, "OLD decided here")}));
    }
  for (const RuleChange& c : r.rules) {
    if (c.kind == RuleChangeKind::Added) result(2, "rule added", n.location(c.new_statement, "added"), none);
    if (c.kind == RuleChangeKind::Removed)
      result(3, "rule removed", o.location(c.old_statement, "removed from OLD"), none);
    if (c.kind == RuleChangeKind::Moved)
      result(4, fmt::format("rule moved from line {} of OLD", o.line(c.old_statement)),
             n.location(c.new_statement, "moved here"), json::array({o.location(c.old_statement, "was here")}));
    if (c.kind == RuleChangeKind::ActionChanged)
      result(5, fmt::format("rule action changed from line {} of OLD", o.line(c.old_statement)),
             n.location(c.new_statement, "the new action"), json::array({o.location(c.old_statement, "the old action")}));
  }
  for (const DefaultChange& c : r.defaults) {
    const std::string message = fmt::format("{} {}", scopeText(c), c.new_statement < 0 ? "removed"
                                                                   : c.old_statement < 0 ? "added"
                                                                                         : "changes its action");
    json related = c.old_statement < 0 ? json::array() : json::array({o.location(c.old_statement, "OLD")});
    result(6, message, c.new_statement < 0 ? o.location(c.old_statement, "removed from OLD") : n.location(c.new_statement, "NEW"),
           std::move(related));
  }
  json doc = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
              {"version", "2.1.0"},
              {"runs", json::array({{{"tool", {{"driver", {{"name", "ipec diff"},
                                                           {"version", pipeline::kIpecVersion},
                                                           {"informationUri", fmt::format("{}cli.md#ipec-diff", pipeline::kDocsUri)},
                                                           {"rules", std::move(rules)}}}}},
                                     {"columnKind", "unicodeCodePoints"},
                                     {"results", std::move(results)}}})}};
  return dumpJson(doc, 2) + "\n";
}

}  // namespace ipec::driver
