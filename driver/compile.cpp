// SPDX-License-Identifier: Apache-2.0
// ipec compile: a policy into a decision table or BPF maps; ipec dump: a table back into text.
#include <unistd.h>

#include <cstdio>

#include "analysis/analyze.h"
#include "backend/bpf_maps.h"
#include "backend/decompile.h"
#include "backend/table_writer.h"
#include "backend/verify.h"
#include "base/render_text.h"
#include "driver/commands.h"
#include "driver/input.h"

namespace ipec::driver {

namespace {

void printDiagnostics(const CheckedPolicy& p, ColorMode color) {
  TextStyle style;
  style.color = useColor(color, STDERR_FILENO);
  std::string out;
  for (const Diagnostic& d : p.diags->diagnostics()) renderText(out, *p.file, d, style);
  std::fputs(out.c_str(), stderr);
}

}  // namespace

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
    std::fprintf(stderr, "ipec: error: the output %s is the input policy; refusing to overwrite it\n", o.output.c_str());
    return static_cast<int>(ExitCode::Usage);
  }
  auto in = readInputOrReport(o.policy, o.max_file_size);
  if (!in) return static_cast<int>(ExitCode::Usage);
  CheckedPolicy p = checkPolicy(in->display_name, std::move(in->bytes), o.pipeline);
  printDiagnostics(p, o.color);
  auto compiled = compilePolicy(p, o.pipeline, o.keep_unreachable);
  if (!compiled || p.diags->hasErrors()) {
    std::fprintf(stderr, "ipec: error: %s: not compiled: %s\n", p.file->name().c_str(),
                 compiled ? "errors (see above)" : "the kernel rejects this policy");
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
      std::fprintf(stderr, "ipec: error: the emitted table does not load: %s\n", ipet_strerror(status));
      return static_cast<int>(ExitCode::Findings);
    }
    backend::VerifyResult v = backend::verifyTable(p.parsed.policy, o.pipeline.target, *compiled->decider,
                                                   compiled->program, *table, o.pipeline.reachability.pair_budget);
    if (!v.mismatches.empty()) {
      for (const std::string& m : v.mismatches) std::fprintf(stderr, "ipec: error: verify: %s\n", m.c_str());
      std::fprintf(stderr, "ipec: error: the table disagrees with the policy; nothing written\n");
      return static_cast<int>(ExitCode::Findings);
    }
    std::fprintf(stderr, "ipec: verified: the table decides all %llu events checked as the policy does%s\n",
                 static_cast<unsigned long long>(v.events),
                 v.complete ? "" : " (the (fs-verity, dm-verity) pair enumeration stopped at --analysis-budget)");
  }
  if (o.output == "-") {
    std::fwrite(output.data(), 1, output.size(), stdout);
  } else {
    std::string error;
    if (!writeFileAtomically(o.output, output, error)) {
      std::fprintf(stderr, "ipec: error: %s\n", error.c_str());
      return static_cast<int>(ExitCode::Usage);
    }
  }
  if (o.stats) {
    const auto& s = compiled->stats;
    std::fprintf(stderr,
                 "ipec: %s: %zu bytes; %u rules kept, %u dropped; %u kinds, %u templates; %llu digest keys in %llu "
                 "slots",
                 o.output.c_str(), output.size(), compiled->program.rules, compiled->program.dropped, s.kinds, s.templates,
                 static_cast<unsigned long long>(s.digest_keys), static_cast<unsigned long long>(s.digest_slots));
    if (compiled->program.rules)
      std::fprintf(stderr, "; %.1f bytes per rule", static_cast<double>(s.bytes) / compiled->program.rules);
    std::fprintf(stderr, "\n");
  }
  return 0;
}

int runDump(const DumpOptions& o) {
  auto in = readInputOrReport(o.table, o.max_file_size, /*policy=*/false);
  if (!in) return static_cast<int>(ExitCode::Usage);
  int status = 0;
  auto table = backend::Table::load(in->bytes, status);
  if (!table) {
    std::fprintf(stderr, "ipec: error: %s: not a valid decision table: %s\n", in->display_name.c_str(),
                 backend::loadErrorMessage(in->bytes, status).c_str());
    return static_cast<int>(ExitCode::Findings);
  }
  std::string text = backend::decompile(table->raw());
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace ipec::driver
