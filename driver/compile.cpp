// SPDX-License-Identifier: Apache-2.0
// ipec compile: a policy into a decision table or BPF maps; ipec dump: a table back into text.
#include <cstdio>

#include "analysis/analyze.h"
#include "backend/bpf_maps.h"
#include "backend/decompile.h"
#include "backend/table_writer.h"
#include "backend/verify.h"
#include "driver/commands.h"
#include "driver/input.h"
#include "driver/output.h"

#include <fmt/core.h>

namespace ipec::driver {

std::optional<CompiledPolicy> compilePolicy(const CheckedPolicy& p, const PipelineConfig& config, bool keep_unreachable) {
  if (!parsesCleanly(*p.diags)) return std::nullopt;
  CompiledPolicy c;
  c.decider = std::make_unique<analysis::FastDecider>(p.parsed.policy, config.target);
  analysis::Reachability reach = analysis::analyzeReachability(p.parsed.policy, *c.decider, config.target, config.reachability);
  c.program = backend::lower(p.parsed.policy, config.target, *c.decider, reach, keep_unreachable);
  c.bytes = backend::writeTable(c.program, &c.stats);
  return c;
}

int runCompile(const CompileOptions& o) {
  if (o.output != "-" && o.policy != "-" && sameFile(o.policy, o.output)) {
    printError(fmt::format("the output {} is the input policy; refusing to overwrite it", shown(o.output)));
    return static_cast<int>(ExitCode::Usage);
  }
  auto in = readInputOrReport(o.policy, o.max_file_size);
  if (!in) return static_cast<int>(ExitCode::Usage);
  CheckedPolicy p = checkPolicy(in->display_name, std::move(in->bytes), o.pipeline);
  printDiagnostics(p, o.color);
  auto compiled = compilePolicy(p, o.pipeline, o.keep_unreachable);
  if (!compiled || p.diags->hasErrors()) {
    printError(fmt::format("{}: not compiled: {}", p.file->name(),
                           compiled ? "errors (see above)" : "the kernel rejects this policy"));
    return static_cast<int>(ExitCode::Findings);
  }
  std::string output;
  if (o.backend == "bpf-maps") {
    output = backend::writeBpfMaps(compiled->program, o.pin_dir);
  } else {
    output = compiled->bytes;
  }
  if (o.verify) {
    int status = 0;
    auto table = backend::Table::load(compiled->bytes, status);
    if (!table) {
      printError(fmt::format("the emitted table does not load: {}", ipet_strerror(status)));
      return static_cast<int>(ExitCode::Findings);
    }
    backend::VerifyResult v = backend::verifyTable(p.parsed.policy, o.pipeline.target, *compiled->decider,
                                                   compiled->program, *table, o.pipeline.reachability.pair_budget);
    if (!v.mismatches.empty()) {
      for (const std::string& m : v.mismatches) printError(fmt::format("verify: {}", m));
      printError("the table disagrees with the policy; nothing written");
      return static_cast<int>(ExitCode::Findings);
    }
    print(stderr, "ipec: verified: the table decides all {} events checked as the policy does{}\n", v.events,
               v.complete ? "" : " (the (fs-verity, dm-verity) pair enumeration stopped at --analysis-budget)");
  }
  if (o.output == "-") {
    writeText(stdout, output);
  } else {
    std::string error;
    if (!writeFileAtomically(o.output, output, error)) {
      printError(error);
      return static_cast<int>(ExitCode::Usage);
    }
  }
  if (o.stats) {
    const auto& s = compiled->stats;
    std::string per_rule;
    if (compiled->program.rules)
      per_rule = fmt::format("; {:.1f} bytes per rule", static_cast<double>(s.bytes) / compiled->program.rules);
    print(stderr, "ipec: {}: {} bytes; {} rules kept, {} dropped; {} kinds, {} templates; {} digest keys in {} slots{}\n",
               shown(o.output), output.size(), compiled->program.rules, compiled->program.dropped, s.kinds, s.templates,
               s.digest_keys, s.digest_slots, per_rule);
  }
  return 0;
}

int runDump(const DumpOptions& o) {
  auto in = readInputOrReport(o.table, o.max_file_size, /*policy=*/false);
  if (!in) return static_cast<int>(ExitCode::Usage);
  int status = 0;
  auto table = backend::Table::load(in->bytes, status);
  if (!table) {
    printError(fmt::format("{}: not a valid decision table: {}", in->display_name,
                           backend::loadErrorMessage(in->bytes, status)));
    return static_cast<int>(ExitCode::Findings);
  }
  writeText(stdout, backend::decompile(table->raw()));
  return 0;
}

}  // namespace ipec::driver
