// SPDX-License-Identifier: Apache-2.0
// ipec fmt: print, check or rewrite policies in the canonical layout.
#include <algorithm>

#include "driver/commands.h"
#include "driver/input.h"
#include "driver/output.h"
#include "driver/unified_diff.h"

#include <fmt/core.h>
#include "frontend/format.h"

namespace ipec::driver {

int runFmt(const FmtOptions& options) {
  int status = static_cast<int>(ExitCode::Ok);
  auto worsen = [&](ExitCode c) { status = std::max(status, static_cast<int>(c)); };
  // Several files printed one after the other would run together: each gets a header, as with head(1).
  const bool headers = options.files.size() > 1 && !options.check && !options.diff && !options.in_place;
  bool first = true;
  for (const std::string& path : options.files) {
    auto in = readInputOrReport(path, options.max_file_size);
    if (!in) {
      worsen(ExitCode::Usage);
      continue;
    }
    if (options.in_place && path == "-") {
      printError("-i cannot rewrite standard input");
      worsen(ExitCode::Usage);
      continue;
    }
    std::string config_error;
    const PipelineConfig* config = options.configs ? options.configs->forPolicy(path, config_error) : &options.pipeline;
    if (!config) {
      printError(config_error);
      worsen(ExitCode::Usage);
      continue;
    }
    CheckedPolicy p = checkPolicy(in->display_name, std::move(in->bytes), *config);
    std::string formatted = frontend::formatPolicy(*p.file);
    const bool changed = formatted != p.file->bytes();
    if (options.diff) {
      writeText(stdout, unifiedDiff(p.file->bytes(), formatted, p.file->name()));
      if (changed) worsen(ExitCode::Findings);
      continue;
    }
    if (options.check) {
      if (changed) {
        print(stdout, "{}\n", p.file->name());
        worsen(ExitCode::Findings);
      }
      continue;
    }
    if (options.in_place) {
      if (p.diags->hasErrors()) {
        printDiagnostics(p, options.color, /*errors_only=*/true);
        printError(fmt::format("{} has errors; not rewriting it", in->display_name));
        worsen(ExitCode::Findings);
        continue;
      }
      if (!changed) continue;
      // The formatted text ends where the kernel stops reading, at the first NUL; whatever
      // follows (securityfs shows it back) would be lost without a word.
      if (size_t nul = p.file->bytes().find('\0'); nul != std::string_view::npos) {
        LineCol lc = p.file->lineCol(static_cast<uint32_t>(nul));
        printError(fmt::format("{}:{}:{}: the policy ends at this NUL byte; rewriting would drop it and the {} bytes "
                               "after it; not rewriting the file",
                               in->display_name, lc.line, lc.column, p.file->bytes().size() - nul - 1));
        worsen(ExitCode::Findings);
        continue;
      }
      std::string err;
      if (!writeFileAtomically(path, formatted, err)) {
        printError(err);
        worsen(ExitCode::Usage);
      }
      continue;
    }
    if (headers) print(stdout, "{}==> {} <==\n", first ? "" : "\n", p.file->name());
    first = false;
    writeText(stdout, formatted);
  }
  return status;
}

}  // namespace ipec::driver
