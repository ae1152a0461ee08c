// SPDX-License-Identifier: Apache-2.0
#include "base/source.h"

#include <algorithm>

namespace ipec {

// Hand-written, not llvm::line_iterator: the kernel also ends a line at a lone "\r", and empty lines count.
SourceFile::SourceFile(std::string name, std::string bytes)
    : name_(std::move(name)), bytes_(std::move(bytes)) {
  checkpoints_.push_back(0);
  const uint32_t n = size();
  for (uint32_t i = 0; i < n; ++i) {
    char c = bytes_[i];
    if (c != '\r' && c != '\n') continue;
    if (c == '\r' && i + 1 < n && bytes_[i + 1] == '\n') ++i;
    if (line_count_++ % kStride == 0) checkpoints_.push_back(i + 1);
  }
}

uint32_t SourceFile::nextLineStart(uint32_t start) const {
  const uint32_t n = size();
  for (uint32_t i = start; i < n; ++i) {
    char c = bytes_[i];
    if (c == '\n') return i + 1;
    if (c == '\r') return i + 1 < n && bytes_[i + 1] == '\n' ? i + 2 : i + 1;
  }
  return n;
}

// Puts `span` first; the other entry is the one looked up before it (a hit on recent_[1] swaps them).
void SourceFile::remember(LineSpan span) const {
  if (recent_[0].line == span.line && recent_[0].begin == span.begin) return;
  recent_[1] = recent_[0];
  recent_[0] = span;
}

SourceFile::LineSpan SourceFile::spanOf(uint32_t line, uint32_t begin) const {
  for (const LineSpan& s : recent_)
    if (s.line == line && s.begin == begin) {
      const LineSpan hit = s;
      remember(hit);
      return hit;
    }
  const LineSpan span{line, begin, nextLineStart(begin)};
  remember(span);
  return span;
}

SourceFile::LineSpan SourceFile::closestStart(uint32_t line, uint32_t begin, uint32_t offset) const {
  LineSpan from{line, begin, 0};
  for (const LineSpan& s : recent_)
    if (s.line != 0 && s.begin > from.begin && s.begin <= offset) from = s;
  return from;
}

uint32_t SourceFile::lineStart(uint32_t line) const {
  for (const LineSpan& s : recent_)
    if (s.line == line) return s.begin;
  const uint32_t index = line - 1;
  LineSpan from{index / kStride * kStride + 1, checkpoints_[index / kStride], 0};
  for (const LineSpan& s : recent_)
    if (s.line > from.line && s.line < line) from = s;
  uint32_t start = from.begin;
  for (uint32_t k = from.line; k < line; ++k) start = nextLineStart(start);
  return start;
}

LineCol SourceFile::lineCol(uint32_t offset) const {
  for (const LineSpan& s : recent_)
    if (s.line != 0 && offset >= s.begin && (offset < s.end || s.line == line_count_)) {
      const LineSpan hit = s;
      remember(hit);
      return {hit.line, offset - hit.begin + 1};
    }
  auto it = std::upper_bound(checkpoints_.begin(), checkpoints_.end(), offset);
  const uint32_t cp = static_cast<uint32_t>(it - checkpoints_.begin()) - 1;
  const LineSpan from = closestStart(cp * kStride + 1, checkpoints_[cp], offset);
  // Only the line found is remembered, not those walked past.
  LineSpan span{from.line, from.begin, from.end ? from.end : nextLineStart(from.begin)};
  while (span.end <= offset && span.line < line_count_) span = {span.line + 1, span.end, nextLineStart(span.end)};
  remember(span);
  return {span.line, offset - span.begin + 1};
}

std::string_view SourceFile::lineText(uint32_t line) const {
  uint32_t begin = lineStart(line);
  uint32_t end = spanOf(line, begin).end;
  // A line never ends in more than its one terminator ("\r\n", "\r" or "\n").
  while (end > begin && (bytes_[end - 1] == '\n' || bytes_[end - 1] == '\r')) {
    bool crlf = bytes_[end - 1] == '\n' && end - 1 > begin && bytes_[end - 2] == '\r';
    end -= crlf ? 2 : 1;
    break;
  }
  return std::string_view(bytes_).substr(begin, end - begin);
}

}  // namespace ipec
