// SPDX-License-Identifier: Apache-2.0
// ipec check: report every problem in each policy, and what the kernel would answer.
#include <unistd.h>

#include <cstdio>

#include "base/render_text.h"
#include "driver/commands.h"
#include "driver/input.h"
#include "driver/json_output.h"
#include "driver/output.h"

#include <fmt/core.h>

namespace ipec::driver {

void printDiagnostics(const CheckedPolicy& p, ColorMode color, bool errors_only) {
  TextStyle style;
  style.color = useColor(color, STDERR_FILENO);
  std::string out;
  for (const Diagnostic& d : p.diags->diagnostics())
    if (!errors_only || d.severity == Severity::Error) renderText(out, *p.file, d, style);
  writeText(stderr, out);
}

namespace {

std::string plural(unsigned n, const char* word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); }

}  // namespace

void printVerdict(const CheckedPolicy& p, const PipelineConfig& config) {
  KernelVerdict v = p.diags->verdict();
  const analysis::Target& t = config.target;
  std::string rejects;
  if (!v.accepts) {
    LineCol at = p.file->lineCol(std::min(v.where.begin, p.file->size()));
    rejects = fmt::format("with {} ({}) at line {}{}", errnoName(v.errno_code), errnoValue(v.errno_code), at.line,
                          v.cause ? fmt::format(" [{}]", diagName(*v.cause)) : std::string());
  }
  // The parser's answer still matters on a target that cannot load it (a kernel without IPE in
  // lsm= today may have it tomorrow), so it follows.
  if (auto why = pipeline::cannotLoadReason(t)) {
    print(stdout, "{}: cannot be loaded on target {}: {}; {} would {} the text{}{}\n", p.file->name(), t.name, *why,
          t.kernel_name, v.accepts ? "accept" : "reject", v.accepts ? "" : " ", rejects);
    return;
  }
  if (v.accepts) print(stdout, "{}: {} accepts this policy (target {})\n", p.file->name(), t.kernel_name, t.name);
  else print(stdout, "{}: {} rejects this policy {} (target {})\n", p.file->name(), t.kernel_name, rejects, t.name);
}

int runCheck(const CheckOptions& options) {
  const bool json = options.format == "json" || options.format == "sarif";
  bool io_failure = false;
  unsigned errors = 0, warnings = 0;
  std::vector<CheckedPolicy> kept;  // JSON needs the sources until the end
  std::vector<JsonFileReport> reports;
  for (const std::string& path : options.files) {
    std::string config_error;
    const PipelineConfig* config = options.configs ? options.configs->forPolicy(path, config_error) : &options.pipeline;
    if (!config) {
      io_failure = true;
      printError(config_error);
      continue;
    }
    InputError ierr;
    auto in = readInput(path, options.max_file_size, ierr);
    if (!in) {
      io_failure = true;
      ++errors;
      Diagnostic d{ierr.too_large ? DiagId::FileTooLarge : DiagId::IoError, Severity::Error, {}, ierr.message, {}, Errno::None, {}, {}};
      if (json) {
        JsonFileReport r;
        r.name = path;
        r.readable = false;
        r.diagnostics.push_back(std::move(d));
        reports.push_back(std::move(r));
      } else {
        printError(fmt::format("{} [{}]", ierr.message, diagName(d.id)));
      }
      continue;
    }
    CheckedPolicy p = checkPolicy(in->display_name, std::move(in->bytes), *config);
    SystemOutcome machine;
    if (options.system) machine = checkAgainstSystem(p, *config, *options.system, options.via);
    errors += p.diags->errorCount();
    warnings += p.diags->warningCount();
    if (json) {
      JsonFileReport r;
      r.file = p.file.get();
      r.name = in->path;
      r.target = config->target.name;
      r.verdict = p.diags->verdict();
      r.loadable = !pipeline::cannotLoadReason(config->target);
      r.diagnostics = p.diags->take();
      r.system_json = std::move(machine.json);
      reports.push_back(std::move(r));
      kept.push_back(std::move(p));
      continue;
    }
    // --against-system: the machine and the write's answer first, then the denials
    writeText(stdout, machine.text);
    std::fflush(stdout);
    printDiagnostics(p, options.color);
    if (!options.quiet) printVerdict(p, *config);
    std::fflush(stdout);
  }
  if (json) {
    writeText(stdout, options.format == "sarif" ? renderSarif(reports) : renderJson(reports, errors, warnings));
  } else if (warnings && errors) {
    print(stderr, "{} and {} generated.\n", plural(warnings, "warning"), plural(errors, "error"));
  } else if (warnings || errors) {
    print(stderr, "{} generated.\n", warnings ? plural(warnings, "warning") : plural(errors, "error"));
  }
  if (io_failure) return static_cast<int>(ExitCode::Usage);
  return errors ? static_cast<int>(ExitCode::Findings) : static_cast<int>(ExitCode::Ok);
}

}  // namespace ipec::driver
