// SPDX-License-Identifier: Apache-2.0
// A policy file's bytes and the map from byte offsets to line and column.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ipec {

// A half-open byte range [begin, end) into a SourceFile's original bytes.
struct Range {
  uint32_t begin = 0;
  uint32_t end = 0;
  uint32_t size() const { return end - begin; }
  // A diagnostic about the file as a whole has no range.
  bool isNone() const { return begin == 0xFFFFFFFFu; }
  static constexpr Range none() { return {0xFFFFFFFFu, 0xFFFFFFFFu}; }
  friend bool operator==(Range a, Range b) { return a.begin == b.begin && a.end == b.end; }
};

// 1-based line and byte column.
struct LineCol {
  uint32_t line = 1;
  uint32_t column = 1;
};

// Lines are numbered as editors and the language server protocol number them: "\r\n", a lone
// "\r" and "\n" each end a line. (The kernel also ends a line at every "\r", so kernel lines and
// display lines coincide except that CRLF gives the kernel an extra empty line.)
class SourceFile {
 public:
  SourceFile(std::string name, std::string bytes);

  const std::string& name() const { return name_; }
  std::string_view bytes() const { return bytes_; }
  uint32_t size() const { return static_cast<uint32_t>(bytes_.size()); }

  LineCol lineCol(uint32_t offset) const;
  uint32_t lineCount() const { return line_count_; }
  // The text of 1-based `line`, without its terminator.
  std::string_view lineText(uint32_t line) const;
  uint32_t lineStart(uint32_t line) const;

 private:
  // Where the line after `start` begins (just past its terminator), or size().
  uint32_t nextLineStart(uint32_t start) const;

  std::string name_;
  std::string bytes_;
  // The start of every kStride-th line (0-based line index k*kStride): 4 bytes per 64 lines, so
  // 100 MB of empty lines do not cost 400 MB of index.
  static constexpr uint32_t kStride = 64;
  std::vector<uint32_t> checkpoints_;
  uint32_t line_count_ = 1;
  // The last two lines looked up, the latest first. Diagnostics are rendered in order, each with
  // notes on another line (the rule that shadows it): lookups on one long line do not rescan it,
  // and the next diagnostic's line is found from the previous one, not from its checkpoint.
  struct LineSpan {
    uint32_t line = 0, begin = 0, end = 0;  // line 0: none; end: just past the terminator
  };
  mutable LineSpan recent_[2];
  LineSpan spanOf(uint32_t line, uint32_t begin) const;
  // The cached line nearest before `offset` at or after (`line`, `begin`), a line start.
  LineSpan closestStart(uint32_t line, uint32_t begin, uint32_t offset) const;
  void remember(LineSpan span) const;
};

}  // namespace ipec
