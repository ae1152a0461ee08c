// SPDX-License-Identifier: Apache-2.0
#include "lsp/features/cursor.h"

namespace ipec::lsp {

std::optional<size_t> CursorLine::tokenAt(uint32_t offset, bool at_end) const {
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Range r = tokens[i].range;
    if (r.begin <= offset && (offset < r.end || (at_end && offset == r.end))) return i;
  }
  return std::nullopt;
}

CursorLine cursorLine(const SourceFile& file, uint32_t offset) {
  CursorLine out;
  frontend::LineScanner scanner(file, nullptr);
  frontend::Line line;
  std::vector<frontend::Token> tokens;
  bool seen_tokens = false;
  while (scanner.next(line, tokens)) {
    // The line's end is inclusive: the cursor may stand after its last character.
    if (offset > line.text.end) {
      seen_tokens = seen_tokens || !tokens.empty();
      continue;
    }
    if (offset < line.text.begin) break;  // inside the previous line's terminator
    out.live = true;
    out.line = line;
    out.tokens = tokens;
    out.header = !seen_tokens;
    if (!out.header || !out.tokens.empty()) return out;
    while (scanner.next(line, tokens)) {
      if (tokens.empty()) continue;
      out.header = false;
      out.before_header = true;
      break;
    }
    return out;
  }
  // The empty last line after a final line break (or an empty document) has no scanner line.
  if (offset == scanner.policyEnd()) {
    out.live = true;
    out.line.text = out.line.content = out.line.comment = {offset, offset};
    out.header = !seen_tokens;
  }
  return out;
}

uint32_t cursorOffset(const Feature& f) {
  static const json kMissing;
  const json& position = f.params.is_object() && f.params.contains("position") ? f.params["position"] : kMissing;
  return f.doc.index->offsetOf(positionFrom(position), f.enc);
}

explain::Scope scopeOf(const Analyzed& a, const CursorLine& cl) {
  explain::Scope s;
  s.is_default = !cl.tokens.empty() && cl.tokens.front().kind == frontend::TokenKind::Default;
  for (const frontend::Token& t : cl.tokens) {
    if (t.kind != frontend::TokenKind::Op) continue;
    s.has_op_token = true;
    const std::optional<stdlib::Op> op = stdlib::lookupOp(a.text(t.value()));
    if (op && a.config.target.dialect.knows(stdlib::opSeries(*op))) s.op = op;
    break;
  }
  return s;
}

}  // namespace ipec::lsp
