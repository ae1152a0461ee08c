// SPDX-License-Identifier: Apache-2.0
#include "base/render_text.h"

#include <fmt/compile.h>
#include <fmt/format.h>
#include <llvm/ADT/SmallVector.h>

#include <algorithm>
#include <iterator>
#include <span>

#include "base/hex.h"
#include "base/utf8.h"

namespace ipec {
namespace {

constexpr const char* kReset = "\033[0m";
constexpr const char* kBold = "\033[1m";
constexpr const char* kRed = "\033[1;31m";
constexpr const char* kMagenta = "\033[1;35m";
constexpr const char* kCyan = "\033[1;36m";
constexpr const char* kGreen = "\033[1;32m";

// Lines longer than this are shown as a window around the range.
constexpr uint32_t kMaxShownBytes = 240;

// The display column of each byte of a shown line: inline up to a window's worth, since the
// renderer runs once per diagnostic (100k of them on hostile inputs).
using Columns = llvm::SmallVector<uint32_t, kMaxShownBytes + 8>;

// The renderer's format strings are compiled (FMT_COMPILE): parsed at run time, they cost
// several times the instructions of the appends they replace, once per diagnostic.

// `code` when colouring, else nothing.
const char* when(bool color, const char* code) { return color ? code : ""; }

void location(std::string& out, const SourceFile& file, uint32_t offset, bool color) {
  LineCol lc = file.lineCol(std::min(offset, file.size()));
  fmt::format_to(std::back_inserter(out), FMT_COMPILE("{}{}:{}:{}:{}"), when(color, kBold), file.name(), lc.line,
                 lc.column, when(color, kReset));
}

void severityLabel(std::string& out, Severity s, bool color) {
  const char* hue = s == Severity::Error ? kRed : s == Severity::Warning ? kMagenta : kCyan;
  fmt::format_to(std::back_inserter(out), FMT_COMPILE("{}{}:{}"), when(color, hue), severityName(s),
                 when(color, kReset));
}

// Appends renderSourceLine(line, columns).
void appendSourceLine(std::string& out, std::string_view line, llvm::SmallVectorImpl<uint32_t>* columns) {
  uint32_t col = 0;
  if (columns) columns->assign(line.size() + 1, 0);
  for (size_t i = 0; i < line.size();) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (columns) (*columns)[i] = col;
    if (c == '\t') {
      uint32_t next = (col / 8 + 1) * 8;
      out.append(next - col, ' ');
      col = next;
      ++i;
      continue;
    }
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
      ++col;
      ++i;
      continue;
    }
    size_t n = c >= 0x80 ? utf8SequenceLength(line, i) : 0;
    if (n > 0) {
      for (size_t k = 1; k < n && columns; ++k) (*columns)[i + k] = col;
      const uint32_t cp = utf8Decode(line, i, n);
      if (isInvisibleCodePoint(cp)) {
        const size_t before = out.size();
        fmt::format_to(std::back_inserter(out), FMT_COMPILE("<U+{:04X}>"), cp);
        col += static_cast<uint32_t>(out.size() - before);
      } else {
        out.append(line.substr(i, n));
        ++col;
      }
      i += n;
      continue;
    }
    out += '<';
    appendHex(out, line.substr(i, 1), HexCase::Upper);
    out += '>';
    col += 4;
    ++i;
  }
  if (columns) (*columns)[line.size()] = col;
}

// The source line of `r`, the caret line under the range and, as clang shows them, the
// replacement text of the fix-its on that line, each under the first byte it replaces.
void snippet(std::string& out, const SourceFile& file, Range r, bool color, std::span<const FixIt> fixits = {}) {
  if (file.size() == 0) return;
  uint32_t begin = std::min(r.begin, file.size());
  LineCol lc = file.lineCol(begin);
  uint32_t line_start = file.lineStart(lc.line);
  std::string_view line = file.lineText(lc.line);
  const uint32_t line_size = static_cast<uint32_t>(line.size());
  uint32_t col0 = begin - line_start;  // byte index within the line
  uint32_t end_in_line = std::min<uint32_t>(r.end > begin ? r.end - line_start : col0,
                                            static_cast<uint32_t>(line.size()));
  // Window for very long lines.
  uint32_t win_begin = 0;
  std::string_view prefix, suffix;
  if (line.size() > kMaxShownBytes) {
    win_begin = col0 > kMaxShownBytes / 3 ? col0 - kMaxShownBytes / 3 : 0;
    while (win_begin > 0 && (static_cast<unsigned char>(line[win_begin]) & 0xC0) == 0x80) --win_begin;
    uint32_t win_end = std::min<uint32_t>(win_begin + kMaxShownBytes, static_cast<uint32_t>(line.size()));
    while (win_end < line.size() && (static_cast<unsigned char>(line[win_end]) & 0xC0) == 0x80) ++win_end;
    if (win_begin > 0) prefix = "...";
    if (win_end < line.size()) suffix = "...";
    line = line.substr(win_begin, win_end - win_begin);
  }
  out += prefix;
  Columns cols;
  appendSourceLine(out, line, &cols);
  out += suffix;
  out += '\n';
  auto colOf = [&](uint32_t byte_in_line) {
    uint32_t rel = byte_in_line < win_begin ? 0 : std::min<uint32_t>(byte_in_line - win_begin,
                                                                      static_cast<uint32_t>(line.size()));
    return cols[rel] + static_cast<uint32_t>(prefix.size());
  };
  uint32_t c0 = colOf(col0), c1 = colOf(std::max(end_in_line, col0));
  out.append(c0, ' ');
  if (color) out += kGreen;
  out += '^';
  if (c1 > c0 + 1) out.append(c1 - c0 - 1, '~');
  if (color) out += kReset;
  out += '\n';
  std::string fix_line;
  uint32_t fix_col = 0;
  for (const FixIt& f : fixits) {
    if (f.replacement.empty() || f.range.begin < line_start || f.range.begin > line_start + line_size) continue;
    // A fix-it that inserts whole lines cannot be shown on one line; the message describes it.
    if (f.replacement.find_first_of("\r\n") != std::string::npos) continue;
    const uint32_t in_line = f.range.begin - line_start;
    if (in_line < win_begin || in_line > win_begin + line.size()) continue;
    const uint32_t col = colOf(in_line);
    if (col < fix_col) continue;  // overlaps the one before: the caret line cannot show both
    Columns widths;
    fix_line.append(col - fix_col, ' ');
    appendSourceLine(fix_line, f.replacement, &widths);
    fix_col = col + widths.back();
  }
  if (fix_line.empty()) return;
  if (color) out += kGreen;
  out += fix_line;
  if (color) out += kReset;
  out += '\n';
}

}  // namespace

std::string renderSourceLine(std::string_view line, std::vector<uint32_t>* columns) {
  std::string out;
  Columns cols;
  appendSourceLine(out, line, columns ? &cols : nullptr);
  if (columns) columns->assign(cols.begin(), cols.end());
  return out;
}

void renderText(std::string& out, const SourceFile& file, const Diagnostic& d, const TextStyle& style) {
  const char* bold = when(style.color, kBold);
  const char* reset = when(style.color, kReset);
  if (d.range.isNone()) fmt::format_to(std::back_inserter(out), FMT_COMPILE("{}{}:{}"), bold, file.name(), reset);
  else location(out, file, d.range.begin, style.color);
  out += ' ';
  severityLabel(out, d.severity, style.color);
  fmt::format_to(std::back_inserter(out), FMT_COMPILE(" {}{} [{}]{}\n"), bold, d.message, diagName(d.id), reset);
  if (style.show_source && !d.range.isNone()) snippet(out, file, d.range, style.color, d.fixits);
  for (const RelatedNote& n : d.notes) {
    if (n.range) {
      location(out, file, n.range->begin, style.color);
      out += ' ';
    }
    severityLabel(out, Severity::Note, style.color);
    fmt::format_to(std::back_inserter(out), FMT_COMPILE(" {}\n"), n.message);
    if (n.range && style.show_source) snippet(out, file, *n.range, style.color);
  }
}

}  // namespace ipec
