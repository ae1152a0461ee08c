// SPDX-License-Identifier: Apache-2.0
// textDocument/semanticTokens/full: highlighting from the kernel-exact scanner, so that an editor
// without a grammar colours what the kernel reads: a `#` cuts a token, only space and TAB split
// tokens, the first line with tokens is the header, nothing after a NUL is read. Each key keeps
// its `=`. Words the target's parser does not know carry the `unknown` modifier; ops the target
// never evaluates and properties it compiled out carry `deprecated` (no effect there).
#include "analysis/event_model.h"
#include "base/utf8.h"
#include "lsp/features.h"
#include "lsp/features/explain.h"

namespace ipec::lsp {
namespace {

namespace sl = ipec::stdlib;
using frontend::Token;
using frontend::TokenKind;

// Indices into the legend's tokenTypes and bits of its tokenModifiers.
constexpr uint32_t kKeyword = 0, kFunction = 1, kProperty = 2, kEnumMember = 3, kString = 4, kNumber = 5, kComment = 6;
constexpr const char* kTypeNames[] = {"keyword", "function", "property", "enumMember", "string", "number", "comment"};
constexpr uint32_t kUnknown = 1, kDeprecated = 2;
constexpr const char* kModifierNames[] = {"unknown", "deprecated"};

// Relative encoding (LSP 3.17 "Integer Encoding for Tokens"), one line at a time. Characters are
// counted as LineIndex counts them (a byte that is not well-formed UTF-8 is one unit, an offset
// inside a code point is its start), walking each line once.
class Encoder {
 public:
  Encoder(std::string_view bytes, PositionEncoding enc) : bytes_(bytes), enc_(enc) {}

  void startLine(uint32_t line, Range text) {
    line_ = line;
    text_ = bytes_.substr(text.begin, text.size());
    begin_ = pos_ = text.begin;
    units_ = 0;
  }

  // `r` lies on the current line, after the previous token.
  void emit(Range r, uint32_t type, uint32_t modifiers = 0) {
    const uint32_t start = unitsTo(r.begin), end = unitsTo(r.end);
    if (end == start) return;
    const bool same_line = !data_.empty() && last_line_ == line_;
    data_.push_back(line_ - last_line_);
    data_.push_back(same_line ? start - last_start_ : start);
    data_.push_back(end - start);
    data_.push_back(type);
    data_.push_back(modifiers);
    last_line_ = line_;
    last_start_ = start;
  }

  json take() { return {{"data", std::move(data_)}}; }

 private:
  uint32_t unitsTo(uint32_t offset) {
    while (pos_ < offset) {
      const size_t n = utf8SequenceLength(text_, pos_ - begin_);
      const size_t len = n ? n : 1;
      if (pos_ + len > offset) break;
      units_ += n == 0 ? 1 : enc_ == PositionEncoding::Utf8 ? static_cast<uint32_t>(n) : n == 4 ? 2 : 1;
      pos_ += static_cast<uint32_t>(len);
    }
    return units_;
  }

  std::string_view bytes_;
  PositionEncoding enc_;
  std::vector<uint32_t> data_;
  uint32_t last_line_ = 0, last_start_ = 0;
  uint32_t line_ = 0, begin_ = 0, pos_ = 0, units_ = 0;
  std::string_view text_;
};

class Highlighter {
 public:
  Highlighter(const Analyzed& a, Encoder& out) : a_(a), t_(a.config.target), out_(out) {}

  void token(const Token& tok, bool header) {
    const Range key{tok.range.begin, tok.value_begin}, value = tok.value();
    if (header) {
      if (tok.kind == TokenKind::PolicyName) return pair(key, kKeyword, value, kString, 0);
      if (tok.kind == TokenKind::PolicyVersion) return pair(key, kKeyword, value, kNumber, 0);
      return unknown(tok);
    }
    switch (tok.kind) {
      case TokenKind::Default: return out_.emit(tok.range, kKeyword);
      case TokenKind::Op: return op(tok);
      case TokenKind::Action:
        return pair(key, kKeyword, value, kEnumMember, sl::lookupAction(a_.text(value)) ? 0u : kUnknown);
      case TokenKind::Property: return property(tok);
      case TokenKind::PolicyName:
      case TokenKind::PolicyVersion:
      case TokenKind::Word: return unknown(tok);
    }
  }

 private:
  void pair(Range key, uint32_t key_type, Range value, uint32_t value_type, uint32_t value_mods, uint32_t key_mods = 0) {
    out_.emit(key, key_type, key_mods);
    out_.emit(value, value_type, value_mods);
  }

  // A word in a place the kernel's parser rejects it.
  void unknown(const Token& tok) {
    if (tok.kind == TokenKind::Word || tok.kind == TokenKind::Default) return out_.emit(tok.range, kKeyword, kUnknown);
    const uint32_t key_type = tok.kind == TokenKind::Property ? kProperty : kKeyword;
    pair({tok.range.begin, tok.value_begin}, key_type, tok.value(), kString, kUnknown, kUnknown);
  }

  void op(const Token& tok) {
    const std::optional<sl::Op> o = sl::lookupOp(a_.text(tok.value()));
    uint32_t mods = kUnknown;
    if (o && t_.dialect.knows(sl::opSeries(*o))) mods = analysis::opEvaluated(t_, *o) ? 0u : kDeprecated;
    pair({tok.range.begin, tok.value_begin}, kKeyword, tok.value(), kFunction, mods);
  }

  void property(const Token& tok) {
    const std::optional<sl::Prop> p = sl::lookupProp(a_.text(tok.key()));
    if (!p || !t_.dialect.knows(sl::propSeries(*p))) return unknown(tok);
    const uint32_t off = explain::compiledIn(t_, *p) ? 0u : kDeprecated;
    const sl::Domain d = sl::propDomain(*p);
    if (d == sl::Domain::Digest)
      return pair({tok.range.begin, tok.value_begin}, kProperty, tok.value(), kString, off, off);
    const uint32_t known = sl::lookupValue(d, a_.text(tok.value())) ? 0u : kUnknown;
    pair({tok.range.begin, tok.value_begin}, kProperty, tok.value(), kEnumMember, off | known, off);
  }

  const Analyzed& a_;
  const analysis::Target& t_;
  Encoder& out_;
};

}  // namespace

json semanticTokensLegend() {
  return {{"tokenTypes", kTypeNames}, {"tokenModifiers", kModifierNames}};
}

json semanticTokensFull(const Feature& f) {
  const SourceFile& file = *f.doc.checked.file;
  Encoder out(file.bytes(), f.enc);
  Highlighter highlight(f.doc, out);
  frontend::LineScanner scanner(file, nullptr);
  frontend::Line line;
  std::vector<Token> tokens;
  bool header_seen = false;
  // Scanner lines end where LineIndex lines end ("\r\n", "\r", "\n"), so they count LSP lines.
  for (uint32_t n = 0; scanner.next(line, tokens); ++n) {
    out.startLine(n, line.text);
    const bool header = !header_seen && !tokens.empty();
    header_seen = header_seen || header;
    for (const Token& t : tokens) highlight.token(t, header);
    out.emit(line.comment, kComment);
  }
  return out.take();
}

}  // namespace ipec::lsp
