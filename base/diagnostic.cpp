// SPDX-License-Identifier: Apache-2.0
#include "base/diagnostic.h"

#include "base/hex.h"
#include "base/utf8.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <utility>

namespace ipec {
namespace {

struct KindInfo {
  std::string_view name;
  Severity severity;
  std::string_view summary;
};
constexpr KindInfo kKinds[] = {
#define IPEC_DIAG(E, N, S, D) {N, Severity::S, D},
#include "base/diagnostic_kinds.def"
};

const KindInfo& info(DiagId id) { return kKinds[static_cast<unsigned>(id)]; }

// The letter of the C escape quote() writes for `c` (`\t`), or 0 for `\xNN`.
char escapeLetter(unsigned char c) {
  switch (c) {
    case '\t': return 't';
    case '\v': return 'v';
    case '\f': return 'f';
    case '\r': return 'r';
    case '\n': return 'n';
    case '`': return '`';
    default: return 0;
  }
}

// `backticks`: escape them too, inside a code span.
void appendEscaped(std::string& out, std::string_view text, bool backticks = true) {
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7F && (c != '`' || !backticks)) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    size_t n = c >= 0x80 ? utf8SequenceLength(text, i) : 0;
    if (n > 0) {
      const uint32_t cp = utf8Decode(text, i, n);
      if (isInvisibleCodePoint(cp)) fmt::format_to(std::back_inserter(out), "\\u{{{:04x}}}", cp);
      else out.append(text.substr(i, n));
      i += n;
      continue;
    }
    out += '\\';
    if (const char letter = escapeLetter(c)) {
      out += letter;
    } else {
      out += 'x';
      appendHex(out, text.substr(i, 1));
    }
    ++i;
  }
}

}  // namespace

std::string_view severityName(Severity s) {
  switch (s) {
    case Severity::Note: return "note";
    case Severity::Warning: return "warning";
    case Severity::Error: return "error";
  }
  return "";
}

std::string_view diagName(DiagId id) { return info(id).name; }
Severity diagDefaultSeverity(DiagId id) { return info(id).severity; }
std::string_view diagSummary(DiagId id) { return info(id).summary; }
std::optional<DiagId> lookupDiag(std::string_view name) {
  for (unsigned i = 0; i < kNumDiagIds; ++i)
    if (kKinds[i].name == name) return static_cast<DiagId>(i);
  return std::nullopt;
}

bool DiagnosticOptions::isEnabled(DiagId id) const {
  bool on = true;
  for (auto [which, value] : enable)
    if (which == id) on = value;
  return on;
}

Severity DiagnosticOptions::effectiveSeverity(DiagId id, Severity natural) const {
  if (natural != Severity::Warning) return natural;
  bool promote = all_warnings_are_errors;
  for (auto [which, value] : werror)
    if (which == id) promote = value;
  return promote ? Severity::Error : Severity::Warning;
}

void DiagnosticEngine::report(Diagnostic d, KernelOrder order) {
  if (d.kernel_errno != Errno::None) rejected_phases_ |= 1u << static_cast<unsigned>(order.phase);
  if (d.kernel_errno != Errno::None && (verdict_.accepts || order < verdict_order_)) {
    verdict_ = {false, d.kernel_errno, d.id, d.range};
    verdict_order_ = order;
  }
  // Problems that make the kernel reject the policy are never silenced.
  if (d.kernel_errno == Errno::None && d.severity != Severity::Error && !options_.isEnabled(d.id))
    return;
  d.severity = options_.effectiveSeverity(d.id, d.severity);
  if (d.severity == Severity::Error) {
    ++errors_;
    if (options_.error_limit != 0 && errors_ > options_.error_limit) {
      if (!limit_noted_ && options_.isEnabled(DiagId::TooManyErrors)) {
        limit_noted_ = true;
        diags_.push_back({DiagId::TooManyErrors, Severity::Note, d.range,
                          "too many errors; later errors are counted but not shown "
                          "(use --error-limit=0 to show all)",
                          {}, Errno::None, {}, {}});
      }
      return;
    }
  } else {
    if (d.severity == Severity::Warning) ++warnings_;
    const unsigned id = static_cast<unsigned>(d.id);
    if (options_.warning_limit != 0 && shown_per_id_[id] >= options_.warning_limit) {
      ++hidden_per_id_[id];
      return;
    }
    ++shown_per_id_[id];
  }
  diags_.push_back(std::move(d));
}

bool DiagnosticEngine::isSuppressed(DiagId id) const {
  if (!options_.isEnabled(id)) return true;
  return options_.warning_limit != 0 && shown_per_id_[static_cast<unsigned>(id)] >= options_.warning_limit;
}

void DiagnosticEngine::countSuppressed(DiagId id) {
  if (!options_.isEnabled(id)) return;
  if (diagDefaultSeverity(id) == Severity::Warning) ++warnings_;
  ++hidden_per_id_[static_cast<unsigned>(id)];
}

void DiagnosticEngine::noteSuppressed() {
  for (unsigned id = 0; id < kNumDiagIds; ++id) {
    if (!hidden_per_id_[id]) continue;
    Diagnostic d;
    d.id = DiagId::TooManyErrors;
    d.severity = Severity::Note;
    d.range = Range::none();  // sorts last
    d.message = fmt::format("{} more `{}` diagnostics not shown (--warning-limit=0 shows all)", hidden_per_id_[id],
                            diagName(static_cast<DiagId>(id)));
    if (options_.isEnabled(DiagId::TooManyErrors)) diags_.push_back(std::move(d));
    hidden_per_id_[id] = 0;
  }
}

void DiagnosticEngine::sortByLocation() {
  std::stable_sort(diags_.begin(), diags_.end(),
                   [](const Diagnostic& a, const Diagnostic& b) { return a.range.begin < b.range.begin; });
}

std::optional<std::string> applyFixIts(std::string_view text, const std::vector<FixIt>& fixits) {
  std::string out;
  uint32_t done = 0;
  for (const FixIt& f : fixits) {
    if (f.range.begin < done || f.range.end < f.range.begin || f.range.end > text.size()) return std::nullopt;
    out.append(text.substr(done, f.range.begin - done));
    out += f.replacement;
    done = f.range.end;
  }
  out.append(text.substr(done));
  return out;
}

std::string escapeText(std::string_view text) {
  std::string out;
  appendEscaped(out, text, /*backticks=*/false);
  return out;
}

std::string quote(std::string_view text, size_t max_bytes) {
  std::string out = "`";
  if (text.size() <= max_bytes) {
    appendEscaped(out, text);
  } else {
    size_t head = max_bytes * 2 / 3, tail = max_bytes - head;
    // Do not split a UTF-8 sequence.
    while (head > 0 && (static_cast<unsigned char>(text[head]) & 0xC0) == 0x80) --head;
    size_t tail_begin = text.size() - tail;
    while (tail_begin < text.size() && (static_cast<unsigned char>(text[tail_begin]) & 0xC0) == 0x80)
      ++tail_begin;
    appendEscaped(out, text.substr(0, head));
    out += "...";
    appendEscaped(out, text.substr(tail_begin));
  }
  out += '`';
  return out;
}

}  // namespace ipec
