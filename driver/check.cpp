// SPDX-License-Identifier: Apache-2.0
// ipec check: report every problem in each policy, and what the kernel would answer.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "base/render_text.h"
#include "driver/commands.h"
#include "driver/input.h"
#include "driver/json_output.h"

namespace ipec::driver {

bool useColor(ColorMode mode, int fd) {
  if (mode != ColorMode::Auto) return mode == ColorMode::Always;
  if (std::getenv("NO_COLOR")) return false;
  const char* term = std::getenv("TERM");
  if (term && std::string_view(term) == "dumb") return false;
  return ::isatty(fd) == 1;
}

namespace {

void writeAll(std::FILE* f, const std::string& s) { std::fwrite(s.data(), 1, s.size(), f); }

std::string plural(unsigned n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string verdictLine(const CheckedPolicy& p, const PipelineConfig& config) {
  KernelVerdict v = p.diags->verdict();
  std::string line = p.file->name() + ": ";
  if (v.accepts) return line + config.target.kernel_name + " accepts this policy (target " + config.target.name + ")\n";
  LineCol at = p.file->lineCol(std::min(v.where.begin, p.file->size()));
  line += config.target.kernel_name + " rejects this policy with " + std::string(errnoName(v.errno_code)) + " (" +
          std::to_string(errnoValue(v.errno_code)) + ") at line " + std::to_string(at.line);
  if (v.cause) line += " [" + std::string(diagName(*v.cause)) + "]";
  return line + " (target " + config.target.name + ")\n";
}

}  // namespace

int runCheck(const CheckOptions& options) {
  const bool json = options.format == "json" || options.format == "sarif";
  TextStyle style;
  style.color = !json && useColor(options.color, STDERR_FILENO);
  bool io_failure = false;
  unsigned errors = 0, warnings = 0;
  std::vector<CheckedPolicy> kept;  // JSON needs the sources until the end
  std::vector<JsonFileReport> reports;
  for (const std::string& path : options.files) {
    InputError ierr;
    auto in = readInput(path, options.max_file_size, ierr);
    if (!in) {
      io_failure = true;
      ++errors;
      Diagnostic d{ierr.too_large ? DiagId::FileTooLarge : DiagId::IoError, Severity::Error, {}, ierr.message, {}, Errno::None, {}, {}};
      if (json) {
        JsonFileReport r;
        r.name = path == "-" ? "<stdin>" : path;
        r.readable = false;
        r.diagnostics.push_back(std::move(d));
        reports.push_back(std::move(r));
      } else {
        std::string out = "ipec: error: " + ierr.message + " [" + std::string(diagName(d.id)) + "]\n";
        writeAll(stderr, out);
      }
      continue;
    }
    CheckedPolicy p = checkPolicy(in->display_name, std::move(in->bytes), options.pipeline);
    errors += p.diags->errorCount();
    warnings += p.diags->warningCount();
    if (json) {
      JsonFileReport r;
      r.file = p.file.get();
      r.name = p.file->name();
      r.target = options.pipeline.target.name;
      r.verdict = p.diags->verdict();
      r.diagnostics = p.diags->take();
      reports.push_back(std::move(r));
      kept.push_back(std::move(p));
      continue;
    }
    std::string out;
    for (const Diagnostic& d : p.diags->diagnostics()) renderText(out, *p.file, d, style);
    writeAll(stderr, out);
    if (!options.quiet) writeAll(stdout, verdictLine(p, options.pipeline));
    std::fflush(stdout);
  }
  if (json) {
    writeAll(stdout, options.format == "sarif" ? renderSarif(reports) : renderJson(reports, errors, warnings));
  } else if (errors || warnings) {
    std::string summary;
    if (warnings) summary += plural(warnings, "warning");
    if (warnings && errors) summary += " and ";
    if (errors) summary += plural(errors, "error");
    writeAll(stderr, summary + " generated.\n");
  }
  if (io_failure) return static_cast<int>(ExitCode::Usage);
  return errors ? static_cast<int>(ExitCode::Findings) : static_cast<int>(ExitCode::Ok);
}

}  // namespace ipec::driver
