// SPDX-License-Identifier: Apache-2.0
#include "pipeline/warning_flags.h"

#include <fmt/core.h>
#include <llvm/ADT/StringRef.h>

namespace ipec::pipeline {

namespace {

// The id of a -W flag, if it names a warning or note.
std::optional<DiagId> warningId(std::string_view arg, std::string_view id, std::string& error) {
  auto d = lookupDiag(id);
  if (!d) {
    error = fmt::format("unknown warning option {}; `ipec diagnostics` lists the ids", quote(arg));
    return std::nullopt;
  }
  if (diagDefaultSeverity(*d) == Severity::Error) {
    error = fmt::format("{}: {} is an error, always on; -W flags choose among warnings and notes", quote(arg), quote(id));
    return std::nullopt;
  }
  return d;
}

}  // namespace

bool parseWarningFlag(std::string_view arg, DiagnosticOptions& o, std::string& error) {
  llvm::StringRef w = llvm::StringRef(arg).drop_front(2);
  if (w == "error") {
    o.all_warnings_are_errors = true;
    return true;
  }
  if (w == "all" || w == "extra") return true;  // every warning is on by default
  if (w.consume_front("error=")) {
    auto d = warningId(arg, w, error);
    if (d && diagDefaultSeverity(*d) == Severity::Note) {
      error = fmt::format("{}: {} is a note; it cannot be an error", quote(arg), quote(w));
      return false;
    }
    if (d) o.werror.emplace_back(*d, true);
    return d.has_value();
  }
  if (w.consume_front("no-error=")) {
    // A note is never an error, so keeping it one is already true: accepted, as clang accepts
    // -Wno-error= for any warning.
    auto d = warningId(arg, w, error);
    if (d) o.werror.emplace_back(*d, false);
    return d.has_value();
  }
  const bool on = !w.consume_front("no-");
  auto d = warningId(arg, w, error);
  if (d) o.enable.emplace_back(*d, on);
  return d.has_value();
}

}  // namespace ipec::pipeline
