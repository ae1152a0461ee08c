#include "base/source.h"

#include <algorithm>

namespace ipec {

SourceFile::SourceFile(std::string name, std::string bytes)
    : name_(std::move(name)), bytes_(std::move(bytes)) {
  line_starts_.push_back(0);
  const uint32_t n = size();
  for (uint32_t i = 0; i < n; ++i) {
    char c = bytes_[i];
    if (c == '\r' && i + 1 < n && bytes_[i + 1] == '\n') ++i;
    if (c == '\r' || c == '\n') line_starts_.push_back(i + 1);
  }
}

LineCol SourceFile::lineCol(uint32_t offset) const {
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  uint32_t line = static_cast<uint32_t>(it - line_starts_.begin());
  return {line, offset - line_starts_[line - 1] + 1};
}

std::string_view SourceFile::lineText(uint32_t line) const {
  uint32_t begin = line_starts_[line - 1];
  uint32_t end = line < lineCount() ? line_starts_[line] : size();
  while (end > begin && (bytes_[end - 1] == '\n' || bytes_[end - 1] == '\r')) --end;
  // A CRLF pair is one terminator; a line never ends in more than "\r\n".
  return std::string_view(bytes_).substr(begin, end - begin);
}

}  // namespace ipec
