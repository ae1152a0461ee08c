// SPDX-License-Identifier: Apache-2.0
// Kernel-exact line and token scanning (security/ipe/policy_parser.c):
//   - the first NUL byte ends the policy;
//   - each "\n" and each "\r" ends a line;
//   - a `#` cuts the line wherever it stands;
//   - trailing kernel isspace() (0x09-0x0D, 0x20, 0xA0) is stripped;
//   - tokens are separated by space and TAB only; empty tokens are skipped.
// Every position points into the original bytes. Scanning streams one line at a time, so memory
// does not grow with the number of lines.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "base/source.h"

namespace ipec::frontend {

enum class TokenKind : uint8_t {
  Default,        // DEFAULT
  Op,             // op=...
  Action,         // action=...
  PolicyName,     // policy_name=...
  PolicyVersion,  // policy_version=...
  Property,       // key=value (any other key)
  Word,           // no `=`
};

struct Token {
  Range range;
  TokenKind kind;
  // Where the key ends and the value begins (just after the `=`); both range.begin for DEFAULT
  // and words, whose value is the whole token. The parser also builds tokens from a
  // `key = value` written with spaces, whose key and value are apart.
  uint32_t key_end;
  uint32_t value_begin;
  Range value() const { return {value_begin, range.end}; }
  Range key() const { return {range.begin, key_end}; }
};

// One display line of the policy (terminated by "\r\n", "\r", "\n", NUL or the end).
struct Line {
  Range text;      // the whole line without its terminator (stops at a NUL)
  Range content;   // what the kernel parses: cut at `#`, trailing isspace stripped
  Range comment;   // from `#` to the end of the line; empty if none
  uint32_t first_token = 0;
  uint32_t token_count = 0;
  bool hasTokens() const { return token_count != 0; }
};

// Streams the lines of a policy. Lexical warnings (bare-cr, text-after-nul, comment-in-value)
// go to `diags` when it is not null.
class LineScanner {
 public:
  LineScanner(const SourceFile& file, DiagnosticEngine* diags);
  // The next line; its tokens replace `tokens` (line.first_token is 0). False after the last.
  bool next(Line& line, std::vector<Token>& tokens);
  uint32_t policyEnd() const { return policy_end_; }
  bool hasNul() const { return has_nul_; }

 private:
  void scanLine(Range text, Line& line, std::vector<Token>& tokens);
  void reportCommentInValue(const Line& line, const Token& last);
  void reportBareCr(uint32_t cr, uint32_t next);
  void reportNul();

  const SourceFile& file_;
  std::string_view bytes_;
  DiagnosticEngine* diags_;
  uint32_t pos_ = 0;
  uint32_t policy_end_ = 0;
  bool has_nul_ = false;
  bool has_lf_ = false;
  bool done_ = false;
  bool reported_cr_only_ = false;
  bool seen_token_ = false;  // a line with tokens came before
};

// All lines and tokens at once (tests, benchmarks).
struct ScanResult {
  std::vector<Line> lines;
  std::vector<Token> tokens;
  uint32_t policy_end = 0;
  bool has_nul = false;
};
ScanResult scan(const SourceFile& file, DiagnosticEngine& diags);

// Classifies one token the way ipec's grammar sees it (by its `key=` prefix).
Token classify(std::string_view text, uint32_t offset);

}  // namespace ipec::frontend
