// SPDX-License-Identifier: Apache-2.0
// Diagnostics: kinds (from diagnostic_kinds.def), instances, and the engine that collects them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/kernel_errno.h"
#include "base/source.h"

namespace ipec {

enum class Severity : uint8_t { Note, Warning, Error };
std::string_view severityName(Severity s);  // "error"

enum class DiagId : uint16_t {
#define IPEC_DIAG(E, N, S, D) E,
#include "base/diagnostic_kinds.def"
};
inline constexpr unsigned kNumDiagIds = 0
#define IPEC_DIAG(E, N, S, D) +1
#include "base/diagnostic_kinds.def"
    ;
std::string_view diagName(DiagId id);
Severity diagDefaultSeverity(DiagId id);
std::string_view diagSummary(DiagId id);
std::optional<DiagId> lookupDiag(std::string_view name);

// A secondary location or remark attached to a diagnostic.
struct RelatedNote {
  std::optional<Range> range;  // in the same file; none for a plain remark
  std::string message;
};

// A replacement that fixes the problem: `range` becomes `replacement` (empty: delete it). Only
// given when the fix is unambiguous. Applying every fix-it of a diagnostic gives the corrected
// text, so a diagnostic's fix-its do not overlap, come in file order, and their replacements are
// well-formed UTF-8 (JSON and SARIF carry them as text).
struct FixIt {
  Range range;
  std::string replacement;
};

struct Diagnostic {
  DiagId id{};
  Severity severity = Severity::Error;
  Range range;
  std::string message;
  std::vector<RelatedNote> notes;
  // When the kernel meets this problem first, it rejects the policy with this errno.
  Errno kernel_errno = Errno::None;
  // Optional structured payload (a JSON object, serialized), e.g. a witness event.
  std::string extra_json;
  std::vector<FixIt> fixits;
};

// Where in its processing the kernel meets a problem. Problems met earlier decide the errno.
// The kernel: decodes the PKCS#7 blob (size), parses line by line and token by token, then
// validates the whole policy, then creates the securityfs directory for the name.
enum class KernelPhase : uint8_t { Decode = 0, Parse = 1, Validate = 2, Name = 3 };
struct KernelOrder {
  KernelPhase phase = KernelPhase::Parse;
  uint64_t position = 0;  // within Parse: the byte offset where the kernel fails
  friend bool operator<(KernelOrder a, KernelOrder b) {
    if (a.phase != b.phase) return a.phase < b.phase;
    return a.position < b.position;
  }
};

// The kernel's answer predicted from the problems reported so far.
struct KernelVerdict {
  bool accepts = true;
  Errno errno_code = Errno::None;
  std::optional<DiagId> cause;
  Range where;
};

// How the user tuned warnings: -W<id>, -Wno-<id>, -Werror, -Werror=<id>, --error-limit.
struct DiagnosticOptions {
  std::vector<std::pair<DiagId, bool>> enable;  // in command-line order
  std::vector<std::pair<DiagId, bool>> werror;  // -Werror=<id> / -Wno-error=<id>
  bool all_warnings_are_errors = false;
  unsigned error_limit = 0;    // errors shown per file; 0: unlimited
  unsigned warning_limit = 0;  // warnings and notes shown per id and file; 0: unlimited

  bool isEnabled(DiagId id) const;
  Severity effectiveSeverity(DiagId id, Severity natural) const;
};

class DiagnosticEngine {
 public:
  explicit DiagnosticEngine(const DiagnosticOptions& options) : options_(options) {}

  // Reports `d`. A diagnostic that makes the kernel reject the policy must say so with
  // `d.kernel_errno` and `order`; the verdict tracks it even when the diagnostic is not shown.
  void report(Diagnostic d, KernelOrder order = {});

  const std::vector<Diagnostic>& diagnostics() const { return diags_; }
  KernelVerdict verdict() const { return verdict_; }
  // Whether some reported problem makes the kernel reject the policy in `phase`.
  bool rejectsIn(KernelPhase phase) const { return rejected_phases_ >> static_cast<unsigned>(phase) & 1; }
  unsigned errorCount() const { return errors_; }
  unsigned warningCount() const { return warnings_; }
  bool hasErrors() const { return errors_ > 0; }
  // Whether a warning or note of this id would not be shown (disabled, or past the per-id limit):
  // hot paths ask first and only count it, without building the message.
  bool isSuppressed(DiagId id) const;
  void countSuppressed(DiagId id);
  // Whether the error limit has been reached: later errors are only counted.
  bool errorLimitReached() const { return options_.error_limit != 0 && errors_ >= options_.error_limit; }
  // Orders the diagnostics by position (stable: the order of discovery breaks ties).
  void sortByLocation();
  // Notes for the ids whose warnings the per-id limit hid; call once, after the last report.
  void noteSuppressed();
  // Drops the diagnostics (keeps counts and verdict), for streaming output.
  std::vector<Diagnostic> take() { return std::exchange(diags_, {}); }

 private:
  const DiagnosticOptions& options_;
  std::vector<Diagnostic> diags_;
  KernelVerdict verdict_;
  KernelOrder verdict_order_;
  unsigned rejected_phases_ = 0;
  std::vector<uint32_t> shown_per_id_ = std::vector<uint32_t>(kNumDiagIds, 0);
  std::vector<uint32_t> hidden_per_id_ = std::vector<uint32_t>(kNumDiagIds, 0);
  unsigned errors_ = 0;
  unsigned warnings_ = 0;
  bool limit_noted_ = false;
};

// `text` with `fixits` applied (the LSP's code actions and the tests do this), or none when they
// are out of order, overlap or reach past the end.
std::optional<std::string> applyFixIts(std::string_view text, const std::vector<FixIt>& fixits);

// `text` as a code span for a message: in backticks, control and non-UTF-8 bytes escaped (`\x01`),
// invisible code points too (`\u{feff}`), long text shortened in the middle.
std::string quote(std::string_view text, size_t max_bytes = 64);
// `text` with the same escapes as quote() (control and non-UTF-8 bytes), unquoted and whole, and
// backticks kept: for file names and for whole messages bound for a terminal.
std::string escapeText(std::string_view text);

}  // namespace ipec
