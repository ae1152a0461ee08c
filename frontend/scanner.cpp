#include "frontend/scanner.h"

#include <cstring>
#include <string>

#include "stdlib/catalog.h"

namespace ipec::frontend {
namespace {

namespace sl = ipec::stdlib;

bool startsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

class Scanner {
 public:
  Scanner(const SourceFile& file, DiagnosticEngine& diags) : file_(file), diags_(diags) {}

  ScanResult run() {
    std::string_view bytes = file_.bytes();
    const void* nul = std::memchr(bytes.data(), '\0', bytes.size());
    out_.has_nul = nul != nullptr;
    out_.policy_end = nul ? static_cast<uint32_t>(static_cast<const char*>(nul) - bytes.data())
                          : file_.size();
    has_lf_ = std::memchr(bytes.data(), '\n', out_.policy_end) != nullptr;
    uint32_t pos = 0;
    const uint32_t end = out_.policy_end;
    while (pos < end) {
      uint32_t eol = pos;
      while (eol < end && !sl::isLineDelimiter(static_cast<unsigned char>(bytes[eol]))) ++eol;
      scanLine({pos, eol});
      if (eol >= end) break;
      uint32_t next = eol + 1;
      if (bytes[eol] == '\r') {
        if (next < end && bytes[next] == '\n') {
          ++next;
        } else {
          reportBareCr(eol, next);
        }
      }
      pos = next;
    }
    if (out_.has_nul) reportNul();
    return std::move(out_);
  }

 private:
  void scanLine(Range text) {
    std::string_view bytes = file_.bytes();
    Line line;
    line.text = text;
    uint32_t cut = text.end;
    if (const void* hash = std::memchr(bytes.data() + text.begin, sl::kCommentChar, text.size()))
      cut = static_cast<uint32_t>(static_cast<const char*>(hash) - bytes.data());
    line.comment = {cut, text.end};
    uint32_t stop = cut;
    while (stop > text.begin && sl::isKernelSpace(static_cast<unsigned char>(bytes[stop - 1]))) --stop;
    line.content = {text.begin, stop};
    line.first_token = static_cast<uint32_t>(out_.tokens.size());
    for (uint32_t i = text.begin; i < stop;) {
      if (sl::isTokenDelimiter(static_cast<unsigned char>(bytes[i]))) {
        ++i;
        continue;
      }
      uint32_t j = i;
      while (j < stop && !sl::isTokenDelimiter(static_cast<unsigned char>(bytes[j]))) ++j;
      out_.tokens.push_back(classify(bytes.substr(i, j - i), i));
      i = j;
    }
    line.token_count = static_cast<uint32_t>(out_.tokens.size()) - line.first_token;
    if (cut < text.end && cut == stop && stop > text.begin && line.token_count != 0)
      reportCommentInValue(line);
    out_.lines.push_back(line);
  }

  // A `#` glued to the token before it: the kernel drops the rest of that token.
  void reportCommentInValue(const Line& line) {
    const Token& last = out_.tokens.back();
    std::string_view bytes = file_.bytes();
    uint32_t word_end = line.comment.end;
    while (word_end > line.comment.begin &&
           sl::isKernelSpace(static_cast<unsigned char>(bytes[word_end - 1])))
      --word_end;
    uint32_t glued_end = line.comment.begin;
    while (glued_end < line.comment.end &&
           !sl::isTokenDelimiter(static_cast<unsigned char>(bytes[glued_end])))
      ++glued_end;
    Diagnostic d;
    d.id = DiagId::CommentInValue;
    d.severity = Severity::Warning;
    d.range = {line.comment.begin, line.comment.begin + 1};
    std::string_view written = bytes.substr(last.range.begin, glued_end - last.range.begin);
    d.message = "`#` starts a comment inside " + quote(written) + "; the kernel reads " +
                quote(bytes.substr(last.range.begin, last.range.size()));
    diags_.report(std::move(d));
  }

  void reportBareCr(uint32_t cr, uint32_t next) {
    std::string_view bytes = file_.bytes();
    Diagnostic d;
    d.id = DiagId::BareCr;
    d.severity = Severity::Warning;
    d.range = {cr, cr + 1};
    if (!has_lf_) {
      if (reported_cr_only_) return;
      reported_cr_only_ = true;
      d.message = "the file ends its lines with bare carriage returns; the kernel accepts them, "
                  "but most tools show the whole policy as one line";
      diags_.report(std::move(d));
      return;
    }
    // Does the CR split an LF-delimited line, with a live statement after it?
    const Line& before = out_.lines.back();
    uint32_t after_end = next;
    while (after_end < out_.policy_end && bytes[after_end] != '\n') ++after_end;
    std::string_view after = bytes.substr(next, after_end - next);
    bool after_live = false;
    for (char c : after) {
      if (c == '#' || c == '\r') break;
      if (!sl::isKernelSpace(static_cast<unsigned char>(c))) {
        after_live = true;
        break;
      }
    }
    d.message = "carriage return not followed by a line feed ends the line for the kernel";
    if (before.comment.size() != 0 && after_live) {
      d.message += "; the text after it is live policy although viewers show it inside the comment";
      d.notes.push_back({Range{next, next}, "the kernel parses this as a new line"});
    } else if (after_live) {
      d.message += "; viewers that split lines on `\\n` show the text after it on the same line";
    }
    diags_.report(std::move(d));
  }

  void reportNul() {
    uint32_t nul = out_.policy_end;
    uint32_t ignored = file_.size() - nul - 1;
    Diagnostic d;
    d.id = DiagId::TextAfterNul;
    d.severity = Severity::Warning;
    d.range = {nul, nul + 1};
    d.message = "NUL byte ends the policy for the kernel";
    if (ignored > 0)
      d.message += "; the " + std::to_string(ignored) +
                   " bytes after it are not enforced, but securityfs shows them back in `policy`";
    diags_.report(std::move(d));
  }

  const SourceFile& file_;
  DiagnosticEngine& diags_;
  ScanResult out_;
  bool has_lf_ = false;
  bool reported_cr_only_ = false;
};

}  // namespace

Token classify(std::string_view text, uint32_t offset) {
  Token t{{offset, offset + static_cast<uint32_t>(text.size())}, TokenKind::Word, 0};
  auto prefixed = [&](std::string_view prefix, TokenKind kind) {
    if (!startsWith(text, prefix)) return false;
    t.kind = kind;
    t.value_offset = static_cast<uint8_t>(prefix.size());
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
  // Keys longer than any the kernel knows are still properties (unknown ones); cap the offset.
  if (eq != std::string_view::npos && eq < 255) {
    t.kind = TokenKind::Property;
    t.value_offset = static_cast<uint8_t>(eq + 1);
  }
  return t;
}

ScanResult scan(const SourceFile& file, DiagnosticEngine& diags) { return Scanner(file, diags).run(); }

}  // namespace ipec::frontend
