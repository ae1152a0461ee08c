// SPDX-License-Identifier: Apache-2.0
// ipec diff: what changes between two versions of a policy on a target. First the semantic
// changes (analysis/diff.h: every class of events whose decision changes, with a witness), then
// the rule-level ones (analysis/rule_diff.h); or, with --events, what changes for those events.
#include <tuple>

#include <llvm/ADT/StringRef.h>
#include <nlohmann/json.hpp>

#include "analysis/diff.h"
#include "analysis/event_io.h"
#include "analysis/rule_diff.h"
#include "driver/commands.h"
#include "driver/diff_report.h"
#include "driver/input.h"
#include "driver/json_text.h"
#include "driver/output.h"

namespace ipec::driver {
namespace {

namespace sl = ipec::stdlib;
using namespace ipec::analysis;
using nlohmann::json;

// Parses a policy; the kernel must accept it (its size and name aside), or there is nothing to
// compare: its errors are printed.
std::optional<CheckedPolicy> load(const std::string& path, const PolicyDiffOptions& o) {
  auto in = readInputOrReport(path, o.max_file_size);
  if (!in) return std::nullopt;
  PipelineConfig config = o.pipeline;
  config.analyze = false;
  CheckedPolicy p = checkPolicy(in->display_name, std::move(in->bytes), config);
  return p;
}

bool accepted(const CheckedPolicy& p, ColorMode color) {
  if (parsesCleanly(*p.diags)) {
    if (!p.diags->verdict().accepts)
      printNote(fmt::format("{}: the kernel would reject the signed policy with {} (its size or name); its rules are "
                            "compared as written",
                            p.file->name(), errnoName(p.diags->verdict().errno_code)));
    return true;
  }
  printDiagnostics(p, color, /*errors_only=*/true);
  printError(fmt::format("{}: the kernel rejects this policy, so there is nothing to compare", p.file->name()));
  return false;
}

// `ipec diff --events`: the decisions of both policies for each event; the changed ones printed.
int diffEvents(const PolicyDiffOptions& o, const DiffInputs& in) {
  auto events = readInputOrReport(o.events_file, o.max_file_size, /*policy=*/false);
  if (!events) return static_cast<int>(ExitCode::Usage);
  const PolicyIndex old_index = PolicyIndex::build(in.old_policy()), new_index = PolicyIndex::build(in.aligned);
  const analysis::Target& t = o.pipeline.target;
  unsigned lineno = 0, total = 0, changed = 0;
  bool all_valid = true;
  for (llvm::StringRef rest = events->bytes; !rest.empty();) {
    llvm::StringRef line;
    std::tie(line, rest) = rest.split('\n');
    ++lineno;
    if (line.find_first_not_of(" \t\r") == llvm::StringRef::npos) continue;
    const std::string label = fmt::format("{}:{}", events->display_name, lineno);
    std::string error;
    auto spec = parseEventJson(line, error);
    std::optional<Event> e = spec ? resolveEvent(*spec, in.aligned, t, error) : std::nullopt;
    if (!e) {
      all_valid = false;
      if (o.format == "json")
        printJson({{"error", error}, {"event", label}, {"file", events->path == "-" ? "<stdin>" : events->path},
                   {"line", lineno}});
      else printError(fmt::format("{}: {}", label, error));
      continue;
    }
    ++total;
    const Decision before = decide(in.old_policy(), old_index, t, *e);
    const Decision after = decide(in.aligned, new_index, t, *e);
    if (before.action == after.action) continue;
    ++changed;
    const DecisionChange c{*e, before, after};
    if (o.format == "json") {
      json j = in.changeJson(c, &*spec);
      j["file"] = events->path == "-" ? "<stdin>" : events->path;
      j["line"] = lineno;
      printJson(j);
    } else {
      print(stdout, "{}: {}", shown(label), in.changeText(c, &*spec));
    }
  }
  if (o.format != "json")
    print(stdout, "{}: {} of {} events change decision (target {})\n", shown(events->display_name), changed, total,
          t.name);
  if (!all_valid) return static_cast<int>(ExitCode::Usage);
  return changed ? static_cast<int>(ExitCode::Findings) : static_cast<int>(ExitCode::Ok);
}

}  // namespace

int runPolicyDiff(const PolicyDiffOptions& o) {
  std::optional<CheckedPolicy> old_p = load(o.old_policy, o), new_p = load(o.new_policy, o);
  if (!old_p || !new_p) return static_cast<int>(ExitCode::Usage);
  const bool old_ok = accepted(*old_p, o.color), new_ok = accepted(*new_p, o.color);
  if (!old_ok || !new_ok) return static_cast<int>(ExitCode::Findings);
  DiffInputs in{*old_p, *new_p, alignDigests(old_p->parsed.policy, new_p->parsed.policy), o};
  if (!o.events_file.empty()) return diffEvents(o, in);
  const SemanticDiff semantic = diffPolicies(in.old_policy(), in.aligned, o.pipeline.target, {o.max_classes});
  const RuleDiff rules = diffRules(*old_p->file, in.old_policy(), *new_p->file, new_p->parsed.policy);
  if (o.format == "json") writeText(stdout, in.renderJson(semantic, rules));
  else if (o.format == "sarif") writeText(stdout, in.renderSarif(semantic, rules));
  else writeText(stdout, in.renderText(semantic, rules));
  return semantic.equivalent() ? static_cast<int>(ExitCode::Ok) : static_cast<int>(ExitCode::Findings);
}

}  // namespace ipec::driver
