// SPDX-License-Identifier: Apache-2.0
#include "frontend/scanner.h"

#include <fmt/format.h>

#include <cstring>
#include <iterator>
#include <string>

#include "base/utf8.h"
#include "stdlib/catalog.h"

namespace ipec::frontend {
namespace {

namespace sl = ipec::stdlib;

// Hand-written: the kernel's isspace() includes 0xA0 and its tokens split at space and TAB only;
// StringRef::rtrim and getToken use the C locale's sets.
bool isSpace(char c) { return sl::isKernelSpace(static_cast<unsigned char>(c)); }
bool isDelim(char c) { return sl::isTokenDelimiter(static_cast<unsigned char>(c)); }

}  // namespace

LineScanner::LineScanner(const SourceFile& file, DiagnosticEngine* diags)
    : file_(file), bytes_(file.bytes()), diags_(diags) {
  const void* nul = std::memchr(bytes_.data(), '\0', bytes_.size());
  has_nul_ = nul != nullptr;
  policy_end_ = nul ? static_cast<uint32_t>(static_cast<const char*>(nul) - bytes_.data()) : file.size();
  has_lf_ = std::memchr(bytes_.data(), '\n', policy_end_) != nullptr;
}

bool LineScanner::next(Line& line, std::vector<Token>& tokens) {
  tokens.clear();
  if (done_) return false;
  if (pos_ >= policy_end_) {
    done_ = true;
    if (has_nul_) reportNul();
    return false;
  }
  // Hand-written: a bare CR ends a line as LF does, and the first NUL ends the policy; neither
  // llvm::line_iterator nor StringRef::split reads lines that way.
  uint32_t eol = pos_;
  while (eol < policy_end_ && !sl::isLineDelimiter(static_cast<unsigned char>(bytes_[eol]))) ++eol;
  scanLine({pos_, eol}, line, tokens);
  if (eol >= policy_end_) {
    pos_ = policy_end_;
    return true;
  }
  uint32_t next = eol + 1;
  if (bytes_[eol] == '\r') {
    if (next < policy_end_ && bytes_[next] == '\n') ++next;
    else reportBareCr(eol, next);
  }
  pos_ = next;
  return true;
}

void LineScanner::scanLine(Range text, Line& line, std::vector<Token>& tokens) {
  line = Line{};
  line.text = text;
  uint32_t cut = text.end;
  if (const void* hash = std::memchr(bytes_.data() + text.begin, sl::kCommentChar, text.size()))
    cut = static_cast<uint32_t>(static_cast<const char*>(hash) - bytes_.data());
  line.comment = {cut, text.end};
  uint32_t stop = cut;
  while (stop > text.begin && isSpace(bytes_[stop - 1])) --stop;
  line.content = {text.begin, stop};
  for (uint32_t i = text.begin; i < stop;) {
    if (isDelim(bytes_[i])) {
      ++i;
      continue;
    }
    uint32_t j = i;
    while (j < stop && !isDelim(bytes_[j])) ++j;
    tokens.push_back(classify(bytes_.substr(i, j - i), i));
    i = j;
  }
  line.token_count = static_cast<uint32_t>(tokens.size());
  // A byte-order mark glued to a `#` as the policy's first token is the parser's byte-order-mark
  // error, not a cut value.
  const bool bom_only = !seen_token_ && tokens.size() == 1 &&
                        bytes_.substr(tokens[0].range.begin, tokens[0].range.size()) == kUtf8ByteOrderMark;
  seen_token_ = seen_token_ || !tokens.empty();
  if (cut < text.end && cut == stop && stop > text.begin && !tokens.empty() && !bom_only)
    reportCommentInValue(line, tokens.back());
}

// A `#` glued to the token before it: the kernel drops the rest of that token.
void LineScanner::reportCommentInValue(const Line& line, const Token& last) {
  if (!diags_ || diags_->isSuppressed(DiagId::CommentInValue)) {
    if (diags_) diags_->countSuppressed(DiagId::CommentInValue);
    return;
  }
  uint32_t glued_end = line.comment.begin;
  while (glued_end < line.comment.end && !isDelim(bytes_[glued_end])) ++glued_end;
  Diagnostic d;
  d.id = DiagId::CommentInValue;
  d.severity = Severity::Warning;
  d.range = {line.comment.begin, line.comment.begin + 1};
  std::string_view written = bytes_.substr(last.range.begin, glued_end - last.range.begin);
  d.message = fmt::format("`#` starts a comment inside {}; the kernel reads {}", quote(written),
                          quote(bytes_.substr(last.range.begin, last.range.size())));
  diags_->report(std::move(d));
}

void LineScanner::reportBareCr(uint32_t cr, uint32_t next) {
  if (!diags_) return;
  if (!has_lf_) {
    if (reported_cr_only_) return;
    reported_cr_only_ = true;
    Diagnostic d;
    d.id = DiagId::BareCr;
    d.severity = Severity::Warning;
    d.range = {cr, cr + 1};
    d.message = "the file ends its lines with bare carriage returns; the kernel accepts them, "
                "but most tools show the whole policy as one line";
    diags_->report(std::move(d));
    return;
  }
  if (diags_->isSuppressed(DiagId::BareCr)) {
    diags_->countSuppressed(DiagId::BareCr);
    return;
  }
  // Is there live text after the CR, before the kernel's next line break? (Only that line is
  // scanned, so a flood of CRs stays linear.)
  bool after_live = false;
  for (uint32_t i = next; i < policy_end_; ++i) {
    char c = bytes_[i];
    if (c == '#' || sl::isLineDelimiter(static_cast<unsigned char>(c))) break;
    if (!isSpace(c)) {
      after_live = true;
      break;
    }
  }
  Diagnostic d;
  d.id = DiagId::BareCr;
  d.severity = Severity::Warning;
  d.range = {cr, cr + 1};
  d.message = "carriage return not followed by a line feed ends the line for the kernel";
  const bool before_comment = [&] {
    uint32_t b = cr;
    while (b > 0 && !sl::isLineDelimiter(static_cast<unsigned char>(bytes_[b - 1]))) --b;
    return std::memchr(bytes_.data() + b, '#', cr - b) != nullptr;
  }();
  if (before_comment && after_live) {
    d.message += "; the text after it is live policy although viewers show it inside the comment";
    d.notes.push_back({Range{next, next}, "the kernel parses this as a new line"});
  } else if (after_live) {
    d.message += "; viewers that split lines on `\\n` show the text after it on the same line";
  }
  diags_->report(std::move(d));
}

void LineScanner::reportNul() {
  if (!diags_) return;
  uint32_t nul = policy_end_;
  uint32_t ignored = file_.size() - nul - 1;
  Diagnostic d;
  d.id = DiagId::TextAfterNul;
  d.severity = Severity::Warning;
  d.range = {nul, nul + 1};
  d.message = "NUL byte ends the policy for the kernel";
  if (ignored > 0)
    fmt::format_to(std::back_inserter(d.message),
                   "; the {} bytes after it are not enforced, but securityfs shows them back in `policy`", ignored);
  diags_->report(std::move(d));
}

ScanResult scan(const SourceFile& file, DiagnosticEngine& diags) {
  ScanResult out;
  LineScanner scanner(file, &diags);
  Line line;
  std::vector<Token> tokens;
  while (scanner.next(line, tokens)) {
    line.first_token = static_cast<uint32_t>(out.tokens.size());
    out.tokens.insert(out.tokens.end(), tokens.begin(), tokens.end());
    out.lines.push_back(line);
  }
  out.policy_end = scanner.policyEnd();
  out.has_nul = scanner.hasNul();
  return out;
}

Token classify(std::string_view text, uint32_t offset) {
  Token t{{offset, offset + static_cast<uint32_t>(text.size())}, TokenKind::Word, offset, offset};
  auto split = [&](size_t eq, TokenKind kind) {
    t.kind = kind;
    t.key_end = offset + static_cast<uint32_t>(eq);
    t.value_begin = t.key_end + 1;
  };
  auto prefixed = [&](std::string_view prefix, TokenKind kind) {
    if (!text.starts_with(prefix)) return false;
    split(prefix.size() - 1, kind);
    return true;
  };
  if (text == sl::kDefaultKeyword) {
    t.kind = TokenKind::Default;
    return t;
  }
  if (prefixed(sl::kOpPrefix, TokenKind::Op) || prefixed(sl::kActionPrefix, TokenKind::Action) ||
      prefixed(sl::kPolicyNamePrefix, TokenKind::PolicyName) ||
      prefixed(sl::kPolicyVersionPrefix, TokenKind::PolicyVersion))
    return t;
  size_t eq = text.find('=');
  if (eq != std::string_view::npos) split(eq, TokenKind::Property);
  return t;
}

}  // namespace ipec::frontend
