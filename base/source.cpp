// SPDX-License-Identifier: Apache-2.0
#include "base/source.h"

#include <algorithm>

namespace ipec {

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

SourceFile::LineSpan SourceFile::spanOf(uint32_t line, uint32_t begin) const {
  if (last_.line != line || last_.begin != begin) last_ = {line, begin, nextLineStart(begin)};
  return last_;
}

uint32_t SourceFile::lineStart(uint32_t line) const {
  if (line == last_.line) return last_.begin;
  uint32_t index = line - 1;
  uint32_t start = checkpoints_[index / kStride];
  for (uint32_t k = index % kStride; k > 0; --k) start = nextLineStart(start);
  return start;
}

LineCol SourceFile::lineCol(uint32_t offset) const {
  if (last_.line != 0 && offset >= last_.begin && (offset < last_.end || last_.line == line_count_))
    return {last_.line, offset - last_.begin + 1};
  auto it = std::upper_bound(checkpoints_.begin(), checkpoints_.end(), offset);
  uint32_t cp = static_cast<uint32_t>(it - checkpoints_.begin()) - 1;
  uint32_t line = cp * kStride + 1;
  LineSpan span = spanOf(line, checkpoints_[cp]);
  while (span.end <= offset && line < line_count_) span = spanOf(line + 1, span.end), ++line;
  return {line, offset - span.begin + 1};
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
