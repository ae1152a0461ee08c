// SPDX-License-Identifier: Apache-2.0
// The findings as ipec's diagnostics (so text, JSON and SARIF show them as `ipec check` shows
// everything), and the machine's side of the JSON report.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "system/evaluate.h"

namespace ipec::system {
namespace {

using json = nlohmann::json;

std::string sourcesText(const std::vector<std::string>& sources) {
  if (sources.empty()) return "";
  if (sources.size() == 1) return sources[0];
  return fmt::format("{}, and {} more", sources[0], sources.size() - 1);
}

std::string decidedBy(const ast::Statement& s) {
  if (!s.isDefault()) return "this rule";
  return s.has_op ? "this DEFAULT (no rule of the op matches)" : "the global DEFAULT (no rule of the op matches)";
}

Diagnostic findingDiagnostic(const SystemFacts& facts, const ast::Policy& policy, const Finding& f) {
  const ObjectFacts& o = facts.objects[f.object];
  const ast::Statement& s = policy.statements[static_cast<size_t>(f.decision.statement)];
  const std::string text = analysis::eventToText(f.event, policy, &f.spec);
  Diagnostic d;
  d.id = f.certain ? DiagId::SystemDenies : DiagId::SystemMayDeny;
  d.range = s.range;
  const std::string what = o.file == Tri::No ? fmt::format("{} (loaded from memory)", quote(o.path, 200)) : quote(o.path, 200);
  d.message = f.certain ? fmt::format("{} {} ({}) would be denied by {}", stdlib::opSpelling(o.op), what, sourcesText(o.sources), decidedBy(s))
                        : fmt::format("{} {} ({}) may be denied by {}, depending on {}", stdlib::opSpelling(o.op), what,
                                      sourcesText(o.sources), decidedBy(s), fmt::join(f.unknown, " and "));
  d.notes.push_back({std::nullopt, fmt::format("the event: `{}`", text)});
  if (!o.error.empty()) d.notes.push_back({std::nullopt, fmt::format("not read: {}", o.error)});
  json extra;
  extra["object"] = {{"op", std::string(stdlib::opSpelling(o.op))}, {"path", o.path}, {"sources", o.sources}};
  extra["event"] = text;
  extra["certain"] = f.certain;
  extra["unknown"] = f.unknown;
  extra["decided_by"] = s.isDefault() ? "DEFAULT" : "rule";
  d.extra_json = extra.dump(-1, ' ', false, json::error_handler_t::replace);
  return d;
}

json lifeJson(const analysis::LifeResult& r) {
  return {{"result", r.errno_name}, {"errno", r.errno_value}, {"message", r.message}};
}

// Objects whose facts no event matches (a snapshot written by hand with an impossible digest).
void reportInvalid(const SystemFacts& facts, const Evaluation& eval, DiagnosticEngine& diags) {
  if (eval.invalid.empty()) return;
  Diagnostic d{DiagId::SystemFactsUnknown, Severity::Warning, Range::none(),
               fmt::format("{} of the {} objects could not be evaluated: their facts describe no event the target "
                           "kernel produces",
                           eval.invalid.size(), facts.objects.size()),
               {}, Errno::None, {}, {}};
  for (const auto& [index, why] : eval.invalid)
    if (d.notes.size() < 5) d.notes.push_back({std::nullopt, fmt::format("{}: {}", quote(facts.objects[index].path, 200), why)});
  diags.report(std::move(d));
}

}  // namespace

void reportFindings(const SystemFacts& facts, const ast::Policy& policy, const Evaluation& eval, DiagnosticEngine& diags) {
  for (const Finding& f : eval.findings) {
    Diagnostic d = findingDiagnostic(facts, policy, f);
    d.severity = diagDefaultSeverity(d.id);
    diags.report(std::move(d));
  }
  if (eval.unreadable) {
    Diagnostic d{DiagId::SystemFactsUnknown, Severity::Warning, Range::none(),
                 fmt::format("{} of the {} objects examined could not be read completely; their unknown facts were "
                             "evaluated both ways",
                             eval.unreadable, facts.objects.size()),
                 {}, Errno::None, {}, {}};
    for (const ObjectFacts& o : facts.objects)
      if (!o.error.empty() && d.notes.size() < 5) d.notes.push_back({std::nullopt, fmt::format("{}: {}", quote(o.path, 200), o.error)});
    diags.report(std::move(d));
  }
  reportInvalid(facts, eval, diags);
}

void reportLoad(const SystemFacts& facts, const LoadPrediction& load, const ast::Policy* policy, DiagnosticEngine& diags) {
  Range at = policy && policy->header ? policy->header->range : Range::none();
  if (!load.known) {
    diags.report({DiagId::SystemFactsUnknown, Severity::Warning, at,
                  fmt::format("what {} would answer cannot be predicted: {}", load.write, load.result.message),
                  {}, Errno::None, {}, {}});
    return;
  }
  if (!load.fails() || load.result.text_rejected) return;  // a rejected text has its own diagnostics
  const bool activation = load.result.ok();
  const analysis::LifeResult& r = activation ? *load.activation : load.result;
  Diagnostic d{DiagId::SystemLoadFails, Severity::Error, at,
               fmt::format("writing the policy to {} on this machine fails with {} ({}): {}",
                           activation ? fmt::format("{} (then `1` to its active file)", load.write) : load.write,
                           r.errno_name, r.errno_value, r.message),
               {}, Errno::None, {}, {}};
  d.notes.push_back({std::nullopt, fmt::format("the rule: {}", load.rule)});
  for (const LoadedPolicy& p : facts.ipe.policies)
    d.notes.push_back({std::nullopt, fmt::format("loaded: {} {}{}", quote(p.name, 256), p.version, p.active ? " (active)" : "")});
  diags.report(std::move(d));
}

std::string summaryJson(const SystemFacts& facts, const LoadPrediction& load, const Evaluation* eval) {
  json j;
  j["origin"] = facts.origin;
  j["kernel_release"] = facts.kernel_release;
  j["ipe"] = json::parse(ipeToJson(facts.ipe));
  json l = {{"known", load.known}, {"write", load.write}, {"rule", load.rule}};
  l.update(lifeJson(load.result));
  l["new_policy_collision"] = load.collision ? json(*load.collision) : json(nullptr);
  l["activation"] = load.activation ? lifeJson(*load.activation) : json(nullptr);
  j["load"] = std::move(l);
  json examined = json::object();
  unsigned denied = 0, may = 0;
  if (eval) {
    for (unsigned op = 0; op < stdlib::kNumOps; ++op)
      if (eval->examined[op]) examined[std::string(stdlib::opSpelling(static_cast<stdlib::Op>(op)))] = eval->examined[op];
    for (const Finding& f : eval->findings) ++(f.certain ? denied : may);
  }
  j["examined"] = std::move(examined);
  j["denied"] = denied;
  j["may_deny"] = may;
  j["unreadable"] = eval ? eval->unreadable : 0;
  j["notes"] = facts.notes;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace ipec::system
