// SPDX-License-Identifier: Apache-2.0
// ipec eval: the decision IPE makes for given events, and the rule that makes it.
#include <iterator>
#include <tuple>

#include <llvm/ADT/StringRef.h>
#include <nlohmann/json.hpp>

#include "analysis/audit_text.h"
#include "analysis/decide.h"
#include "analysis/event_io.h"
#include "analysis/reachability.h"
#include "backend/decompile.h"
#include "backend/table.h"
#include "driver/commands.h"
#include "driver/input.h"
#include "driver/json_text.h"
#include "driver/output.h"

#include <fmt/core.h>

namespace ipec::driver {
namespace {

namespace sl = ipec::stdlib;
using namespace ipec::analysis;
using nlohmann::json;

// Which event a message is about: the n-th --event, or a line of the --events file.
struct EventLabel {
  std::string text;  // `--event 2`, `FILE:LINE`
  json where;        // {"index": N} or {"file": PATH, "line": N}
};

// An event that cannot be used, in its place: a JSON object, or a message on stderr.
void reportBadEvent(const EvalOptions& o, const EventLabel& label, const std::string& error) {
  if (o.format != "json") {
    printError(fmt::format("{}: {}", label.text, error));
    return;
  }
  json j = label.where;
  j["error"] = error;
  j["event"] = label.text;
  printJson(j);
}

class Evaluator {
 public:
  // `from_table`: the policy is the text decompiled from a table, so its lines are those `ipec
  // dump` prints; the table keeps no line of the source (and drops unreachable rules).
  Evaluator(const EvalOptions& o, const CheckedPolicy& p, const backend::Table* table,
            const backend::DecisionProgram* program, bool from_table)
      : o_(o), p_(p), policy_(p.parsed.policy), index_(PolicyIndex::build(policy_)), fast_(policy_, o.pipeline.target),
        table_(table), program_(program), from_table_(from_table), line_word_(from_table ? "dump line" : "line") {}

  // Returns false on an invalid event (already reported).
  bool run(const EventSpec& spec, const EventLabel& label) {
    std::string error;
    auto e = resolveEvent(spec, policy_, o_.pipeline.target, error);
    if (!e) {
      reportBadEvent(o_, label, error);
      return false;
    }
    std::vector<TraceStep> trace;
    Decision d;
    if (o_.engine == "table") d = fromTable(*e);
    else if (o_.engine == "fast") d = fast_.decide(*e);
    else d = decide(policy_, index_, o_.pipeline.target, *e, o_.explain ? &trace : nullptr);
    if (o_.engine != "reference" && o_.explain) decide(policy_, index_, o_.pipeline.target, *e, &trace);
    spec_ = &spec;
    if (o_.format == "json") printJson(*e, d, trace);
    else printText(*e, d, trace);
    return true;
  }

 private:
  // The table's decision, its rule rank mapped back to the policy's statement.
  Decision fromTable(const Event& e) const {
    ipet_decision r = table_->eval(backend::toIpetEvent(e, policy_.digests));
    Decision d;
    d.action = r.action ? sl::Action::Deny : sl::Action::Allow;
    d.kind = static_cast<DecisionKind>(r.kind);
    if (r.kind == IPET_RULE && r.rule < program_->statement_of_rank.size())
      d.statement = static_cast<int32_t>(program_->statement_of_rank[r.rule]);
    else if (r.kind == IPET_OP_DEFAULT)
      d.statement = index_.op_default[static_cast<unsigned>(e.op)];
    else if (r.kind == IPET_GLOBAL_DEFAULT)
      d.statement = index_.global_default;
    return d;
  }

  uint32_t lineOf(int32_t stmt) const { return p_.file->lineCol(policy_.statements[stmt].range.begin).line; }
  std::string textOf(int32_t stmt) const {
    Range r = policy_.statements[stmt].range;
    return std::string(p_.file->bytes().substr(r.begin, r.size()));
  }

  void printJson(const Event& e, const Decision& d, const std::vector<TraceStep>& trace) {
    json j;
    if (from_table_) j["line_of"] = "dump";
    j["decision"] = std::string(sl::actionSpelling(d.action));
    j["matched"] = decisionKindName(d.kind);
    if (d.statement >= 0) {
      j["line"] = lineOf(d.statement);
      j["rule"] = textOf(d.statement);
      j["audit_rule"] = auditRule(policy_, policy_.statements[d.statement]);
    } else {
      j["line"] = nullptr;
    }
    if (d.kind == DecisionKind::NotEvaluated) {
      std::string why;
      opEvaluated(o_.pipeline.target, e.op, &why);
      j["reason"] = why;
    }
    j["event"] = json::parse(eventToJson(e, policy_, spec_), nullptr, /*allow_exceptions=*/false);
    if (o_.explain) {
      json steps = json::array();
      for (const TraceStep& s : trace) {
        json step = {{"line", lineOf(static_cast<int32_t>(s.statement))}, {"matched", s.failed_property < 0}};
        if (s.failed_property >= 0) {
          Range r = policy_.properties[s.failed_property].range;
          step["failed"] = std::string(p_.file->bytes().substr(r.begin, r.size()));
        }
        steps.push_back(std::move(step));
      }
      j["trace"] = std::move(steps);
    }
    driver::printJson(j);
  }

  void printText(const Event& e, const Decision& d, const std::vector<TraceStep>& trace) {
    if (o_.explain) {
      print(stdout, "event: {}\n", eventToText(e, policy_, spec_));
      for (const TraceStep& s : trace) {
        print(stdout, "  {} {}: {}\n", line_word_, lineOf(static_cast<int32_t>(s.statement)),
              textOf(static_cast<int32_t>(s.statement)));
        if (s.failed_property < 0) {
          print(stdout, "    matches\n");
        } else {
          Range r = policy_.properties[s.failed_property].range;
          print(stdout, "    no match: `{}` is false\n", p_.file->bytes().substr(r.begin, r.size()));
        }
      }
      if (d.kind == DecisionKind::OpDefault || d.kind == DecisionKind::GlobalDefault)
        print(stdout, "  no rule for op={} matches\n", sl::opSpelling(e.op));
    }
    const std::string_view action = sl::actionSpelling(d.action);
    switch (d.kind) {
      case DecisionKind::Rule:
        print(stdout, "{} by the rule on {} {}: {}\n", action, line_word_, lineOf(d.statement), textOf(d.statement));
        return;
      case DecisionKind::OpDefault:
      case DecisionKind::GlobalDefault:
        print(stdout, "{} by {} ({} {})\n", action, textOf(d.statement), line_word_, lineOf(d.statement));
        return;
      case DecisionKind::NotEvaluated: {
        std::string why;
        opEvaluated(o_.pipeline.target, e.op, &why);
        print(stdout, "{}: IPE is never asked on target {} ({})\n", action, o_.pipeline.target.name, why);
        return;
      }
      case DecisionKind::NoDefault:
        print(stdout, "{}: no rule and no DEFAULT applies\n", action);
        return;
    }
  }

  const EvalOptions& o_;
  const CheckedPolicy& p_;
  const ast::Policy& policy_;
  PolicyIndex index_;
  FastDecider fast_;
  const backend::Table* table_;
  const backend::DecisionProgram* program_;
  const bool from_table_;
  const char* line_word_;
  const EventSpec* spec_ = nullptr;
};

constexpr const char* kFeatureNames[8] = {"the Hornet tokens",  "the Hornet v5 hook",       "the Hornet v6/v7 hook",
                                          "Hornet active",      "the AT_EXECVE_CHECK hook", "IPE active",
                                          nullptr,              nullptr};

std::string featureList(uint32_t bits) {
  std::string out;
  for (unsigned b = 0; b < 32; ++b) {
    if (!(bits >> b & 1)) continue;
    std::string_view name = b < 8 ? (kFeatureNames[b] ? kFeatureNames[b] : "") :
                            b - 8 < sl::kNumKconfigs ? sl::kconfigName(static_cast<sl::Kconfig>(b - 8)) : "";
    const std::string_view separator = out.empty() ? "" : ", ";
    if (name.empty()) fmt::format_to(std::back_inserter(out), "{}bit {}", separator, b);
    else fmt::format_to(std::back_inserter(out), "{}{}", separator, name);
  }
  return out;
}

// Why a table does not fit --target, in words, and the shipped profile it fits, if one does.
std::string targetMismatch(const std::string& name, uint32_t table, const analysis::Target& target) {
  const uint32_t given = backend::targetFeatures(target), diff = table ^ given;
  std::string parts;
  if (diff & table) fmt::format_to(std::back_inserter(parts), "{} on", featureList(diff & table));
  if (diff & given)
    fmt::format_to(std::back_inserter(parts), "{}{} off", parts.empty() ? "" : ", and ", featureList(diff & given));
  std::string hint = "no shipped profile matches it: pass the --target, --kconfig, --lsm and --set it was compiled with";
  for (const std::string& profile : analysis::profileNames()) {
    std::string error;
    auto t = analysis::loadTarget(profile, error);
    if (t && backend::targetFeatures(*t) == table) {
      hint = fmt::format("it matches --target {}", profile);
      break;
    }
  }
  return fmt::format("{} was compiled for another target than --target {}: the table has {} (features 0x{:x}, "
                     "--target gives 0x{:x}); {}",
                     name, target.name, parts, table, given, hint);
}

}  // namespace

int runEval(const EvalOptions& options) {
  auto in = readInputOrReport(options.policy, options.max_file_size);
  if (!in) return static_cast<int>(ExitCode::Usage);
  PipelineConfig config = options.pipeline;
  config.analyze = false;
  // A table is evaluated against its own decompiled text, so that both engines name the same lines.
  std::optional<backend::Table> table;
  const std::string& name = in->display_name;
  const bool is_table = backend::looksLikeTable(in->bytes);
  if (is_table) {
    int status = 0;
    table = backend::Table::load(in->bytes, status);
    if (!table) {
      printError(fmt::format("{}: not a valid decision table: {}", name, backend::loadErrorMessage(in->bytes, status)));
      return static_cast<int>(ExitCode::Findings);
    }
    if (table->raw().features != backend::targetFeatures(config.target)) {
      printError(targetMismatch(name, table->raw().features, config.target));
      return static_cast<int>(ExitCode::Usage);
    }
    in->bytes = backend::decompile(table->raw());
  }
  CheckedPolicy p = checkPolicy(is_table ? fmt::format("{} (decompiled)", name) : name, std::move(in->bytes), config);
  if (!parsesCleanly(*p.diags)) {
    printDiagnostics(p, options.color, /*errors_only=*/true);
    printError(fmt::format("{}: the kernel rejects this policy, so it decides nothing", p.file->name()));
    return static_cast<int>(ExitCode::Findings);
  }
  std::optional<CompiledPolicy> compiled;
  if (options.engine == "table" || table) {
    compiled = compilePolicy(p, config, table && (table->raw().flags & 1));
    if (!table) {
      int status = 0;
      table = backend::Table::load(compiled->bytes, status);
      if (!table) {
        printError(fmt::format("internal: the compiled table does not load: {}", ipet_strerror(status)));
        return static_cast<int>(ExitCode::Findings);
      }
    }
  }
  if (!p.diags->verdict().accepts)
    printNote(fmt::format("{}: the kernel would reject the signed policy with {} (its size or name); these are the "
                          "decisions of its rules as written",
                          p.file->name(), errnoName(p.diags->verdict().errno_code)));
  Evaluator ev(options, p, table ? &*table : nullptr, compiled ? &compiled->program : nullptr, is_table);
  bool all_valid = true;
  for (size_t i = 0; i < options.events.size(); ++i) {
    EventLabel label{fmt::format("--event {}", i + 1), {{"index", i + 1}}};
    std::string error;
    auto spec = parseEventText(options.events[i], error);
    if (!spec) {
      printError(fmt::format("{}: {}", label.text, error));
      return static_cast<int>(ExitCode::Usage);
    }
    all_valid &= ev.run(*spec, label);
  }
  if (!options.events_file.empty()) {
    auto events = readInputOrReport(options.events_file, options.max_file_size, /*policy=*/false);
    if (!events) return static_cast<int>(ExitCode::Usage);
    unsigned lineno = 0;
    for (llvm::StringRef rest = events->bytes; !rest.empty();) {
      llvm::StringRef line;
      std::tie(line, rest) = rest.split('\n');
      ++lineno;
      if (line.find_first_not_of(" \t\r") == llvm::StringRef::npos) continue;
      EventLabel label{fmt::format("{}:{}", events->display_name, lineno),
                       {{"file", events->path == "-" ? "<stdin>" : events->path}, {"line", lineno}}};
      std::string error;
      auto spec = parseEventJson(line, error);
      if (!spec) {
        reportBadEvent(options, label, error);
        all_valid = false;
        continue;
      }
      all_valid &= ev.run(*spec, label);
    }
  }
  return all_valid ? 0 : static_cast<int>(ExitCode::Usage);
}

}  // namespace ipec::driver
