// SPDX-License-Identifier: Apache-2.0
#include "frontend/spacing.h"

#include <fmt/format.h>

#include <optional>

#include "base/suggest.h"
#include "base/utf8.h"
#include "stdlib/catalog.h"

namespace ipec::frontend {
namespace {

namespace sl = ipec::stdlib;

std::string_view textOf(std::string_view bytes, Range r) { return bytes.substr(r.begin, r.size()); }

// Whether `key` names a key of the language (in any dialect), or is a slip for one.
bool isKeyLike(std::string_view key) {
  std::vector<std::string_view> keys = sl::propKeys(sl::Dialect{.hornet = true});
  for (std::string_view prefix : {sl::kOpPrefix, sl::kActionPrefix, sl::kPolicyNamePrefix, sl::kPolicyVersionPrefix})
    keys.push_back(prefix.substr(0, prefix.size() - 1));
  return suggest(key, keys).has_value();
}

// The spaced assignment starting at tokens[i], if any: its key, its value and how many tokens
// it spans.
struct Match {
  Range key, value;
  size_t count;
  Spacing spacing;
};
std::optional<Match> matchAt(std::string_view bytes, const std::vector<Token>& tokens, size_t i) {
  const size_t n = tokens.size();
  if (i + 1 >= n) return std::nullopt;
  const Token& a = tokens[i];
  const Token& b = tokens[i + 1];
  std::string_view bt = textOf(bytes, b.range);
  if (a.kind == TokenKind::Word && bt == "=") {
    if (i + 2 < n && tokens[i + 2].kind == TokenKind::Word) return Match{a.range, tokens[i + 2].range, 3, Spacing::Around};
    return std::nullopt;
  }
  if (a.kind == TokenKind::Word && bt.size() > 1 && bt[0] == '=')
    return Match{a.range, {b.range.begin + 1, b.range.end}, 2, Spacing::Before};
  const bool empty_value = a.value_begin == a.range.end && a.key_end > a.range.begin;
  if (a.kind != TokenKind::Word && a.kind != TokenKind::Default && empty_value && b.kind == TokenKind::Word &&
      isKeyLike(textOf(bytes, a.key())))
    return Match{a.key(), b.range, 2, Spacing::After};
  return std::nullopt;
}

}  // namespace

std::vector<SpacedAssignment> joinSpacedAssignments(std::string_view bytes, std::vector<Token>& tokens, bool header) {
  std::vector<SpacedAssignment> found;
  size_t out = 0;
  for (size_t i = 0; i < tokens.size();) {
    std::optional<Match> m = matchAt(bytes, tokens, i);
    std::string joined;
    Token t{};
    if (m) {
      joined = fmt::format("{}={}", textOf(bytes, m->key), textOf(bytes, m->value));
      t = classify(joined, tokens[i].range.begin);
    }
    // The kernel reads a rule's last token as its action: `boot_verified= DENY` at the end is a
    // missing `action=`, not a slip of spacing.
    const bool ends_rule = m && !header && i + m->count == tokens.size() && t.kind != TokenKind::Action;
    if (!m || ends_rule) {
      tokens[out++] = tokens[i++];
      continue;
    }
    Range whole{tokens[i].range.begin, tokens[i + m->count - 1].range.end};
    t.range = whole;
    t.key_end = m->key.end;
    t.value_begin = m->value.begin;
    tokens[out++] = t;
    found.push_back({whole, m->spacing, std::move(joined)});
    i += m->count;
  }
  tokens.resize(out);
  return found;
}

Diagnostic spacingDiagnostic(std::string_view bytes, const SpacedAssignment& s) {
  Diagnostic d;
  d.id = DiagId::SpaceAroundEquals;
  d.range = s.range;
  d.kernel_errno = Errno::BadMsg;
  const std::string written = quote(textOf(bytes, s.range)), meant = quote(s.joined);
  switch (s.spacing) {
    case Spacing::Around:
      d.message = fmt::format("`=` stands alone: the kernel splits tokens at spaces and TABs, so {} is three tokens; "
                              "write {}", written, meant);
      break;
    case Spacing::Before:
    case Spacing::After:
      d.message = fmt::format("space {} `=`: the kernel splits tokens at spaces and TABs, so {} is two tokens; write {}",
                              s.spacing == Spacing::Before ? "before" : "after", written, meant);
      break;
  }
  if (isValidUtf8(s.joined)) d.fixits.push_back({s.range, s.joined});
  return d;
}

}  // namespace ipec::frontend
