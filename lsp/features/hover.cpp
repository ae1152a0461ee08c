// SPDX-License-Identifier: Apache-2.0
// textDocument/hover: what the token under the cursor means on the document's target (from
// explain.h, as completion says it), and, anywhere on a line ipec flags as a whole (a dead,
// shadowed or redundant rule, a DEFAULT that never decides, ...), the finding with its proof:
// the covering lines, the duplicate, the witness event.
#include <fmt/format.h>

#include <algorithm>

#include "analysis/event_io.h"
#include "lsp/features.h"
#include "lsp/features/cursor.h"
#include "lsp/features/explain.h"

namespace ipec::lsp {
namespace {

namespace sl = ipec::stdlib;
using frontend::Token;
using frontend::TokenKind;

// The meaning of one token; empty for a word ipec does not know (its diagnostic says why).
std::string describe(const Analyzed& a, const CursorLine& cl, const Token& t) {
  const analysis::Target& target = a.config.target;
  const std::string_view value = a.text(t.value());
  if (cl.header) {
    if (t.kind == TokenKind::PolicyName) return explain::policyName(value);
    if (t.kind == TokenKind::PolicyVersion) {
      const auto& header = a.checked.parsed.policy.header;
      return explain::policyVersion(value, header ? std::optional(header->version.str()) : std::nullopt);
    }
    return {};
  }
  switch (t.kind) {
    case TokenKind::Default: return explain::defaultWord(a, scopeOf(a, cl));
    case TokenKind::Op: {
      const std::optional<sl::Op> op = sl::lookupOp(value);
      if (!op || !target.dialect.knows(sl::opSeries(*op))) return {};
      return explain::op(target, *op);
    }
    case TokenKind::Action: return explain::actionWord(a, scopeOf(a, cl), sl::lookupAction(value));
    case TokenKind::Property: {
      const std::optional<sl::Prop> p = sl::lookupProp(a.text(t.key()));
      if (!p) return {};
      return explain::property(target, *p, value.empty() ? std::nullopt : std::optional(value));
    }
    case TokenKind::PolicyName:
    case TokenKind::PolicyVersion:
    case TokenKind::Word: return {};
  }
  return {};
}

// The statements' 1-based lines, for the lists of a finding (statements are in file order).
class StatementLines {
 public:
  explicit StatementLines(const Analyzed& a) : a_(a) {}

  // "line N: `text`" for the statement on `line`.
  std::string describe(uint32_t line) {
    const auto& statements = a_.checked.parsed.policy.statements;
    if (lines_.empty())
      for (const ast::Statement& s : statements) lines_.push_back(a_.checked.file->lineCol(s.range.begin).line);
    auto it = std::lower_bound(lines_.begin(), lines_.end(), line);
    if (it == lines_.end() || *it != line) return fmt::format("line {}", line);
    return fmt::format("line {}: {}", line, explain::code(a_.text(statements[it - lines_.begin()].range)));
  }

  // A bulleted list; a long one is cut (a rule may be covered by thousands).
  std::string list(const char* title, const json& lines) {
    constexpr size_t kShown = 12;
    std::string out = fmt::format("{}:", title);
    size_t n = 0;
    for (const json& l : lines) {
      if (!l.is_number_unsigned()) continue;
      if (n++ < kShown) out += "\n- " + describe(l.get<uint32_t>());
    }
    if (n > kShown) out += fmt::format("\n- and {} more", n - kShown);
    return out;
  }

 private:
  const Analyzed& a_;
  std::vector<uint32_t> lines_;
};

// An event of the witness schema (docs/events.md) in words.
std::string eventInWords(const json& w) {
  const std::string op = explain::code(fmt::format("{}{}", sl::kOpPrefix, w.value("op", "")));
  if (w.contains("bpf") && w["bpf"].is_object()) {
    const json& b = w["bpf"];
    const int64_t id = b.value("keyring_id", int64_t{0});
    const std::string_view named =
        id >= 0 && id < sl::kNumBpfKeyrings ? sl::valueSpelling(sl::Domain::BpfKeyring, static_cast<uint8_t>(id)) : "";
    return fmt::format("{}, verdict {}, keyring {}, from {} space", op, explain::code(b.value("verdict", "")),
                       named.empty() ? fmt::format("id {}", id) : explain::code(named),
                       b.value("kernel", false) ? "kernel" : "user");
  }
  if (!w.value("file", false)) return fmt::format("{} without a file", op);
  if (w.value("initramfs", false)) return fmt::format("{} of a file in the initramfs", op);
  std::string out = fmt::format("{} of a file", op);
  if (w.contains("dmverity") && w["dmverity"].is_object())
    out += fmt::format(" on dm-verity with root hash {} ({})", explain::code(w["dmverity"].value("roothash", "")),
                       w["dmverity"].value("signed", false) ? "signature verified" : "no verified signature");
  else
    out += w.value("bdev", "") == "plain" ? " on a plain block device" : " on no block device";
  if (w.contains("fsverity") && w["fsverity"].is_object())
    out += fmt::format(", with fs-verity digest {} ({})", explain::code(w["fsverity"].value("digest", "")),
                       w["fsverity"].value("signed", false) ? "builtin signature verified" : "no verified builtin signature");
  else
    out += ", without fs-verity";
  return out;
}

std::string witness(const Analyzed& a, const json& w) {
  std::string out = fmt::format("Witness, an event on which this rule is the first match: {}.", eventInWords(w));
  std::string error;
  const std::optional<analysis::EventSpec> spec = analysis::parseEventJson(w.dump(), error);
  if (!spec) return out;
  const std::optional<analysis::Event> e =
      analysis::resolveEvent(*spec, a.checked.parsed.policy, a.config.target, error);
  if (!e) return out;
  const std::string text = analysis::eventToText(*e, a.checked.parsed.policy, &*spec);
  return out + fmt::format("\n\nReplay it: {}", explain::code(fmt::format("ipec eval --event '{}'", text)));
}

std::string finding(const Analyzed& a, const Diagnostic& d, StatementLines& lines) {
  std::string out = fmt::format("**{}** ({}): {}", explain::code(diagName(d.id)), severityName(d.severity), d.message);
  const json payload = d.extra_json.empty() ? json::object() : json::parse(d.extra_json, nullptr, false);
  const bool lists = payload.is_object() &&
                     (payload.contains("covered_by_lines") || payload.contains("decided_by_lines") ||
                      payload.contains("duplicate_of_line"));
  if (payload.is_object() && payload.contains("duplicate_of_line") && payload["duplicate_of_line"].is_number_unsigned())
    out += "\n\nSame rule as " + lines.describe(payload["duplicate_of_line"].get<uint32_t>());
  else if (payload.is_object() && payload.contains("covered_by_lines"))
    out += "\n\n" + lines.list("Covered by", payload["covered_by_lines"]);
  if (payload.is_object() && payload.contains("decided_by_lines"))
    out += "\n\n" + lines.list("Decided by", payload["decided_by_lines"]);
  if (payload.is_object() && payload.contains("witness") && payload["witness"].is_object())
    out += "\n\n" + witness(a, payload["witness"]);
  // With lists, the notes only name (some of) the same lines.
  for (const RelatedNote& n : lists ? std::vector<RelatedNote>() : d.notes) {
    out += n.range ? fmt::format("\n\n{}: {}", lines.describe(a.checked.file->lineCol(n.range->begin).line), n.message)
                   : fmt::format("\n\n{}", n.message);
  }
  return out;
}

// The range of the whole line (statement or header) holding `offset`, if any.
std::optional<Range> lineOf(const Analyzed& a, uint32_t offset) {
  const ast::Policy& pol = a.checked.parsed.policy;
  auto holds = [&](Range r) { return r.begin <= offset && offset <= r.end; };
  if (pol.header && holds(pol.header->range)) return pol.header->range;
  for (const ast::Statement& s : pol.statements)
    if (holds(s.range)) return s.range;
  return std::nullopt;
}

}  // namespace

json hover(const Feature& f) {
  const Analyzed& a = f.doc;
  const uint32_t offset = cursorOffset(f);
  const CursorLine cl = cursorLine(*a.checked.file, offset);
  std::vector<std::string> parts;
  std::optional<Range> range;
  if (cl.live && !cl.inComment(offset)) {
    std::optional<size_t> t = cl.tokenAt(offset, false);
    if (!t) t = cl.tokenAt(offset, true);
    if (t) {
      range = cl.tokens[*t].range;
      if (std::string text = describe(a, cl, cl.tokens[*t]); !text.empty()) parts.push_back(std::move(text));
    }
  }
  if (const std::optional<Range> line = lineOf(a, offset)) {
    StatementLines lines(a);
    for (const Diagnostic& d : a.checked.diags->diagnostics())
      if (d.range == *line) parts.push_back(finding(a, d, lines));
    if (!range && parts.size()) range = *line;
  }
  if (parts.empty()) return nullptr;
  std::string value;
  for (const std::string& p : parts) value += (value.empty() ? "" : "\n\n---\n\n") + p;
  return {{"contents", {{"kind", "markdown"}, {"value", value}}},
          {"range", toJson(toLspRange(*a.index, *range, f.enc))}};
}

}  // namespace ipec::lsp
