// SPDX-License-Identifier: Apache-2.0
// ipec fmt: print, check or rewrite policies in the canonical layout.
#include <unistd.h>

#include <cstdio>

#include "base/render_text.h"
#include "driver/commands.h"
#include "driver/input.h"
#include "frontend/format.h"

namespace ipec::driver {

int runFmt(const FmtOptions& options) {
  TextStyle style;
  style.color = useColor(options.color, STDERR_FILENO);
  int status = static_cast<int>(ExitCode::Ok);
  auto worsen = [&](ExitCode c) { status = std::max(status, static_cast<int>(c)); };
  for (const std::string& path : options.files) {
    auto in = readInputOrReport(path, options.max_file_size);
    if (!in) {
      worsen(ExitCode::Usage);
      continue;
    }
    if (options.in_place && path == "-") {
      std::fprintf(stderr, "ipec: error: -i cannot rewrite standard input\n");
      worsen(ExitCode::Usage);
      continue;
    }
    CheckedPolicy p = checkPolicy(in->display_name, std::move(in->bytes), options.pipeline);
    std::string formatted = frontend::formatPolicy(*p.file);
    const bool changed = formatted != p.file->bytes();
    if (options.check) {
      if (changed) {
        std::printf("%s\n", p.file->name().c_str());
        worsen(ExitCode::Findings);
      }
      continue;
    }
    if (options.in_place) {
      if (p.diags->hasErrors()) {
        std::string out;
        for (const Diagnostic& d : p.diags->diagnostics())
          if (d.severity == Severity::Error) renderText(out, *p.file, d, style);
        std::fputs(out.c_str(), stderr);
        std::fprintf(stderr, "ipec: error: %s has errors; not rewriting it\n", path.c_str());
        worsen(ExitCode::Findings);
        continue;
      }
      if (!changed) continue;
      // The formatted text ends where the kernel stops reading, at the first NUL; whatever
      // follows (securityfs shows it back) would be lost without a word.
      if (size_t nul = p.file->bytes().find('\0'); nul != std::string_view::npos) {
        LineCol lc = p.file->lineCol(static_cast<uint32_t>(nul));
        std::fprintf(stderr,
                     "ipec: error: %s:%u:%u: the policy ends at this NUL byte; rewriting would drop it and the %zu "
                     "bytes after it; not rewriting the file\n",
                     path.c_str(), lc.line, lc.column, p.file->bytes().size() - nul - 1);
        worsen(ExitCode::Findings);
        continue;
      }
      std::string err;
      if (!writeFileAtomically(path, formatted, err)) {
        std::fprintf(stderr, "ipec: error: %s\n", err.c_str());
        worsen(ExitCode::Usage);
      }
      continue;
    }
    std::fwrite(formatted.data(), 1, formatted.size(), stdout);
  }
  return status;
}

}  // namespace ipec::driver
