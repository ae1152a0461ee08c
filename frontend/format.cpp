// SPDX-License-Identifier: Apache-2.0
#include "frontend/format.h"

#include "stdlib/catalog.h"

namespace ipec::frontend {

std::string formatPolicy(const SourceFile& file) {
  std::string_view bytes = file.bytes();
  std::string out;
  out.reserve(file.size() + 16);
  bool pending_blank = false;
  LineScanner scanner(file, nullptr);
  Line line;
  std::vector<Token> tokens;
  while (scanner.next(line, tokens)) {
    Range c = line.comment;
    // Hand-written: the kernel's isspace() (0xA0 included), not StringRef::rtrim's set.
    while (c.end > c.begin && stdlib::isKernelSpace(static_cast<unsigned char>(bytes[c.end - 1]))) --c.end;
    if (!line.hasTokens() && c.size() == 0) {
      pending_blank = !out.empty();
      continue;
    }
    if (pending_blank) out += '\n';
    pending_blank = false;
    for (uint32_t i = 0; i < line.token_count; ++i) {
      const Token& t = tokens[i];
      if (i) out += ' ';
      out.append(bytes.substr(t.range.begin, t.range.size()));
    }
    if (c.size() != 0) {
      if (line.hasTokens()) out += ' ';
      out.append(bytes.substr(c.begin, c.size()));
    }
    out += '\n';
  }
  return out;
}

}  // namespace ipec::frontend
