// SPDX-License-Identifier: Apache-2.0
// ipec eval: the decision IPE makes for given events, and the rule that makes it.
#include <unistd.h>

#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "analysis/audit_text.h"
#include "analysis/decide.h"
#include "analysis/event_io.h"
#include "analysis/reachability.h"
#include "backend/decompile.h"
#include "backend/table.h"
#include "base/render_text.h"
#include "driver/commands.h"
#include "driver/input.h"

namespace ipec::driver {
namespace {

namespace sl = ipec::stdlib;
using namespace ipec::analysis;
using nlohmann::json;

const char* kindName(DecisionKind k) {
  switch (k) {
    case DecisionKind::Rule: return "rule";
    case DecisionKind::OpDefault: return "op-default";
    case DecisionKind::GlobalDefault: return "global-default";
    case DecisionKind::NotEvaluated: return "not-evaluated";
    case DecisionKind::NoDefault: return "no-default";
  }
  return "";
}

class Evaluator {
 public:
  Evaluator(const EvalOptions& o, const CheckedPolicy& p, const backend::Table* table,
            const backend::DecisionProgram* program)
      : o_(o), p_(p), policy_(p.parsed.policy), index_(PolicyIndex::build(policy_)), fast_(policy_, o.pipeline.target),
        table_(table), program_(program) {}

  // Returns false on an invalid event (already reported).
  bool run(const EventSpec& spec, const std::string& label) {
    std::string error;
    auto e = resolveEvent(spec, policy_, o_.pipeline.target, error);
    if (!e) {
      if (o_.format == "json") {
        std::printf("%s\n", json{{"error", error}, {"event", label}}.dump(-1, ' ', false, json::error_handler_t::replace).c_str());
      } else {
        std::fprintf(stderr, "ipec: error: %s%s\n", label.empty() ? "" : (label + ": ").c_str(), error.c_str());
      }
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
    j["decision"] = std::string(sl::actionSpelling(d.action));
    j["matched"] = kindName(d.kind);
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
    j["event"] = json::parse(eventToJson(e, policy_, spec_));
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
    std::printf("%s\n", j.dump(-1, ' ', false, json::error_handler_t::replace).c_str());
  }

  void printText(const Event& e, const Decision& d, const std::vector<TraceStep>& trace) {
    std::string out;
    if (o_.explain) {
      out += "event: " + eventToText(e, policy_, spec_) + "\n";
      for (const TraceStep& s : trace) {
        out += "  line " + std::to_string(lineOf(static_cast<int32_t>(s.statement))) + ": " +
               textOf(static_cast<int32_t>(s.statement));
        if (s.failed_property < 0) {
          out += "\n    matches\n";
        } else {
          Range r = policy_.properties[s.failed_property].range;
          out += "\n    no match: `" + std::string(p_.file->bytes().substr(r.begin, r.size())) + "` is false\n";
        }
      }
      if (d.kind == DecisionKind::OpDefault || d.kind == DecisionKind::GlobalDefault)
        out += "  no rule for op=" + std::string(sl::opSpelling(e.op)) + " matches\n";
    }
    out += sl::actionSpelling(d.action);
    switch (d.kind) {
      case DecisionKind::Rule:
        out += " by the rule on line " + std::to_string(lineOf(d.statement)) + ": " + textOf(d.statement);
        break;
      case DecisionKind::OpDefault:
      case DecisionKind::GlobalDefault:
        out += " by " + textOf(d.statement) + " (line " + std::to_string(lineOf(d.statement)) + ")";
        break;
      case DecisionKind::NotEvaluated: {
        std::string why;
        opEvaluated(o_.pipeline.target, e.op, &why);
        out += ": IPE is never asked on target " + o_.pipeline.target.name + " (" + why + ")";
        break;
      }
      case DecisionKind::NoDefault:
        out += ": no rule and no DEFAULT applies";
        break;
    }
    out += "\n";
    std::fputs(out.c_str(), stdout);
  }

  const EvalOptions& o_;
  const CheckedPolicy& p_;
  const ast::Policy& policy_;
  PolicyIndex index_;
  FastDecider fast_;
  const backend::Table* table_;
  const backend::DecisionProgram* program_;
  const EventSpec* spec_ = nullptr;
};

}  // namespace

int runEval(const EvalOptions& options) {
  auto in = readInputOrReport(options.policy, options.max_file_size);
  if (!in) return static_cast<int>(ExitCode::Usage);
  PipelineConfig config = options.pipeline;
  config.analyze = false;
  // A table is evaluated against its own decompiled text, so that both engines name the same lines.
  std::optional<backend::Table> table;
  std::string name = in->display_name;
  if (backend::looksLikeTable(in->bytes)) {
    int status = 0;
    table = backend::Table::load(in->bytes, status);
    if (!table) {
      std::fprintf(stderr, "ipec: error: %s: not a valid decision table: %s\n", name.c_str(),
                   backend::loadErrorMessage(in->bytes, status).c_str());
      return static_cast<int>(ExitCode::Findings);
    }
    if (table->raw().features != backend::targetFeatures(config.target)) {
      std::fprintf(stderr,
                   "ipec: error: %s was compiled for another target (features 0x%x, --target gives 0x%x); pass the "
                   "--target it was compiled with\n",
                   name.c_str(), table->raw().features, backend::targetFeatures(config.target));
      return static_cast<int>(ExitCode::Usage);
    }
    in->bytes = backend::decompile(table->raw());
    name += " (decompiled)";
  }
  CheckedPolicy p = checkPolicy(name, std::move(in->bytes), config);
  if (!parsesCleanly(*p.diags)) {
    TextStyle style;
    style.color = useColor(options.color, STDERR_FILENO);
    std::string out;
    for (const Diagnostic& d : p.diags->diagnostics())
      if (d.severity == Severity::Error) renderText(out, *p.file, d, style);
    std::fputs(out.c_str(), stderr);
    std::fprintf(stderr, "ipec: error: %s: the kernel rejects this policy, so it decides nothing\n",
                 p.file->name().c_str());
    return static_cast<int>(ExitCode::Findings);
  }
  std::optional<CompiledPolicy> compiled;
  if (options.engine == "table" || table) {
    compiled = compilePolicy(p, config, table && (table->raw().flags & 1));
    if (!table) {
      int status = 0;
      table = backend::Table::load(compiled->bytes, status);
      if (!table) {
        std::fprintf(stderr, "ipec: error: internal: the compiled table does not load: %s\n", ipet_strerror(status));
        return static_cast<int>(ExitCode::Findings);
      }
    }
  }
  if (!p.diags->verdict().accepts)
    std::fprintf(stderr,
                 "ipec: note: %s: the kernel would reject the signed policy with %s (its size or name); these are the "
                 "decisions of its rules as written\n",
                 p.file->name().c_str(), std::string(errnoName(p.diags->verdict().errno_code)).c_str());
  Evaluator ev(options, p, table ? &*table : nullptr, compiled ? &compiled->program : nullptr);
  bool all_valid = true;
  for (const std::string& text : options.events) {
    std::string error;
    auto spec = parseEventText(text, error);
    if (!spec) {
      std::fprintf(stderr, "ipec: error: %s\n", error.c_str());
      return static_cast<int>(ExitCode::Usage);
    }
    all_valid &= ev.run(*spec, "");
  }
  if (!options.events_file.empty()) {
    auto events = readInputOrReport(options.events_file, options.max_file_size, /*policy=*/false);
    if (!events) return static_cast<int>(ExitCode::Usage);
    std::istringstream f(std::move(events->bytes));
    std::string line;
    unsigned lineno = 0;
    while (std::getline(f, line)) {
      ++lineno;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      std::string label = events->display_name + ":" + std::to_string(lineno), error;
      auto spec = parseEventJson(line, error);
      if (!spec) {
        if (options.format == "json")
          std::printf("%s\n", json{{"error", error}, {"event", label}}.dump().c_str());
        else
          std::fprintf(stderr, "ipec: error: %s: %s\n", label.c_str(), error.c_str());
        all_valid = false;
        continue;
      }
      all_valid &= ev.run(*spec, label);
    }
  }
  return all_valid ? 0 : static_cast<int>(ExitCode::Usage);
}

}  // namespace ipec::driver
