// SPDX-License-Identifier: Apache-2.0
#include "lsp/text_document.h"

#include <algorithm>

#include "base/utf8.h"

namespace ipec::lsp {

LineIndex::LineIndex(std::string_view text) : text_(text) {
  starts_.push_back(0);
  const size_t n = text.size();
  for (size_t i = 0; i < n; ++i) {
    const char c = text[i];
    if (c != '\n' && c != '\r') continue;
    if (c == '\r' && i + 1 < n && text[i + 1] == '\n') ++i;
    starts_.push_back(static_cast<uint32_t>(i + 1));
  }
}

std::pair<uint32_t, uint32_t> LineIndex::lineSpan(uint32_t line) const {
  const uint32_t begin = starts_[std::min<size_t>(line, starts_.size() - 1)];
  uint32_t end = line + 1 < starts_.size() ? starts_[line + 1] : static_cast<uint32_t>(text_.size());
  if (end > begin && text_[end - 1] == '\n') --end;
  if (end > begin && text_[end - 1] == '\r') --end;
  return {begin, end};
}

namespace {

// The code units of the sequence at s[i] and its length in bytes.
std::pair<uint32_t, size_t> unitsAt(std::string_view s, size_t i, PositionEncoding enc) {
  const size_t n = utf8SequenceLength(s, i);
  if (n == 0) return {1, 1};
  if (enc == PositionEncoding::Utf8) return {static_cast<uint32_t>(n), n};
  return {n == 4 ? 2u : 1u, n};
}

}  // namespace

uint32_t LineIndex::offsetOf(Position p, PositionEncoding enc) const {
  if (p.line >= starts_.size()) return static_cast<uint32_t>(text_.size());
  auto [begin, end] = lineSpan(p.line);
  std::string_view line = text_.substr(begin, end - begin);
  uint32_t units = 0;
  size_t i = 0;
  while (i < line.size()) {
    auto [u, len] = unitsAt(line, i, enc);
    if (units + u > p.character) break;  // the target is inside (or at the end of) this code point
    units += u;
    i += len;
  }
  return begin + static_cast<uint32_t>(i);
}

Position LineIndex::positionOf(uint32_t offset, PositionEncoding enc) const {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  const uint32_t line = static_cast<uint32_t>(it - starts_.begin()) - 1;
  auto [begin, end] = lineSpan(line);
  const uint32_t stop = std::min(offset, end);  // an offset inside the terminator is the line's end
  std::string_view text = text_.substr(begin, end - begin);
  uint32_t units = 0;
  size_t i = 0;
  while (begin + i < stop) {
    auto [u, len] = unitsAt(text, i, enc);
    if (begin + i + len > stop) break;  // inside a code point: its start
    units += u;
    i += len;
  }
  return {line, units};
}

Position LineIndex::endPositionOf(uint32_t offset, PositionEncoding enc) const {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  auto continuation = [&](uint32_t i) {
    return i < text_.size() && (static_cast<unsigned char>(text_[i]) & 0xC0) == 0x80;
  };
  // Back to the start of the sequence the offset falls inside, if it is a well-formed one.
  uint32_t start = offset;
  while (start > 0 && offset - start < 3 && continuation(start)) --start;
  if (start < offset) offset = std::max<uint32_t>(offset, start + static_cast<uint32_t>(utf8SequenceLength(text_, start)));
  return positionOf(offset, enc);
}

void TextDocument::apply(const std::optional<LspRange>& range, std::string_view text, PositionEncoding enc) {
  auto next = std::make_shared<std::string>();
  if (!range) {
    next->assign(text);
  } else {
    uint32_t b = index_.offsetOf(range->start, enc), e = index_.offsetOf(range->end, enc);
    if (e < b) std::swap(b, e);
    next->reserve(text_->size() - (e - b) + text.size());
    next->append(*text_, 0, b).append(text).append(*text_, e);
  }
  text_ = std::move(next);
  index_ = LineIndex(*text_);
}

}  // namespace ipec::lsp
