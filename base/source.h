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
  uint32_t lineCount() const { return static_cast<uint32_t>(line_starts_.size()); }
  // The text of 1-based `line`, without its terminator.
  std::string_view lineText(uint32_t line) const;
  uint32_t lineStart(uint32_t line) const { return line_starts_[line - 1]; }

 private:
  std::string name_;
  std::string bytes_;
  std::vector<uint32_t> line_starts_;
};

}  // namespace ipec
