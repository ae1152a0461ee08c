// SPDX-License-Identifier: Apache-2.0
// textDocument/codeAction: ipec's fix-its, deleting rules the analysis flags, adding a missing
// global DEFAULT. Every edit is computed from the checked document, never from the `data` a
// client sends back: a context diagnostic is used only when its code and range match one of the
// document's current diagnostics, so a stale or foreign diagnostic gets no action.
#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "analysis/reachability.h"
#include "lsp/features.h"

namespace ipec::lsp {
namespace {

namespace sl = ipec::stdlib;

constexpr std::string_view kQuickFix = "quickfix";
// Deletes every flagged rule. Not `source.fixAll`: an editor applies that on save, and a rule
// being written is often shadowed until the rules around it are done.
constexpr std::string_view kRemoveUnused = "source.removeUnused";

bool isFlagged(DiagId id) {
  return id == DiagId::DeadRule || id == DiagId::ShadowedRule || id == DiagId::RedundantRule;
}

std::optional<std::vector<Range>> flaggedRules(const Analyzed& a, bool may_analyze);

struct Request {
  Request(const Feature& feature, Range r) : f(feature), range(r) {}
  const Feature& f;
  Range range;                    // bytes
  std::vector<std::string> only;  // empty: every kind
  // Asked for by the user (triggerKind Invoked, or kinds named in `only`), not by an editor
  // following the cursor: then the analysis may run again.
  bool explicit_request = false;

  // The rules flagged dead, shadowed or redundant; null when unknown without running the
  // analysis again, for an automatic request.
  const std::vector<Range>* flagged() const {
    if (!flagged_done_) flagged_ = flaggedRules(f.doc, explicit_request);
    flagged_done_ = true;
    return flagged_ ? &*flagged_ : nullptr;
  }
  bool wants(std::string_view kind) const {
    if (only.empty()) return true;
    return std::any_of(only.begin(), only.end(), [&](const std::string& o) {
      return kind == o || (kind.size() > o.size() && kind.substr(0, o.size()) == o && kind[o.size()] == '.');
    });
  }

 private:
  mutable bool flagged_done_ = false;
  mutable std::optional<std::vector<Range>> flagged_;
};

json workspaceEdit(const Feature& f, const std::vector<FixIt>& edits) {
  json text_edits = json::array();
  for (const FixIt& e : edits)
    text_edits.push_back({{"range", toJson(toLspRange(*f.doc.index, e.range, f.enc))}, {"newText", e.replacement}});
  if (clientSupports(f, {"workspace", "workspaceEdit", "documentChanges"}))
    return {{"documentChanges",
             {{{"textDocument", {{"uri", f.doc.doc.uri}, {"version", f.doc.doc.version}}}, {"edits", text_edits}}}}};
  return {{"changes", {{f.doc.doc.uri, text_edits}}}};
}

json action(const Feature& f, std::string title, std::string_view kind, const std::vector<FixIt>& edits,
            const json* diagnostic, bool preferred = false) {
  json a = {{"title", std::move(title)}, {"kind", kind}, {"edit", workspaceEdit(f, edits)}};
  if (diagnostic) a["diagnostics"] = json::array({*diagnostic});
  if (preferred) a["isPreferred"] = true;
  return a;
}

// The current diagnostic a client's diagnostic stands for: same code, same range.
const Diagnostic* current(const Feature& f, const json& c) {
  if (!c.is_object() || !c.contains("code") || !c["code"].is_string() || !c.contains("range")) return nullptr;
  if (c.contains("source") && c["source"] != "ipec") return nullptr;
  LspRange want;
  try {
    want = rangeFrom(c["range"]);
  } catch (const RpcError&) {
    return nullptr;
  }
  for (const Diagnostic& d : f.doc.checked.diags->diagnostics()) {
    if (diagName(d.id) != c["code"].get_ref<const std::string&>() || d.range.isNone()) continue;
    const LspRange r = toLspRange(*f.doc.index, d.range, f.enc);
    if (r.start == want.start && r.end == want.end) return &d;
  }
  return nullptr;
}

// The title of a diagnostic's fix-its.
std::string fixTitle(const Analyzed& a, const Diagnostic& d) {
  if (d.fixits.size() != 1) return fmt::format("Apply the fix for `{}`", diagName(d.id));
  const FixIt& x = d.fixits[0];
  if (x.replacement.empty()) return fmt::format("Delete {}", quote(a.text(x.range)));
  if (x.range.size() == 0) return fmt::format("Insert {}", quote(x.replacement));
  return fmt::format("Replace {} with {}", quote(a.text(x.range)), quote(x.replacement));
}

// The whole line of a statement, its terminator included (and a comment after it: it spoke of
// the rule).
FixIt deleteLine(const Analyzed& a, Range statement) {
  const LineIndex& index = *a.index;
  const uint32_t line = index.positionOf(statement.begin, PositionEncoding::Utf8).line;
  const uint32_t begin = index.lineSpan(line).first;
  const uint32_t end = line + 1 < index.lineCount() ? index.lineSpan(line + 1).first
                                                     : static_cast<uint32_t>(a.checked.file->size());
  return {{begin, end}, ""};
}

// The statements flagged dead, shadowed or redundant, in file order. From the diagnostics when
// all of them are shown; otherwise (-Wno-..., the per-id limit) from the analysis itself, since
// only the whole set is safe to delete at once. That costs what checking the document cost, so
// only when `may_analyze` (else nullopt).
std::optional<std::vector<Range>> flaggedRules(const Analyzed& a, bool may_analyze) {
  std::vector<Range> out;
  if (!a.checked.analyzed) return out;
  const DiagnosticEngine& diags = *a.checked.diags;
  if (!diags.isSuppressed(DiagId::DeadRule) && !diags.isSuppressed(DiagId::ShadowedRule) &&
      !diags.isSuppressed(DiagId::RedundantRule)) {
    for (const Diagnostic& d : diags.diagnostics())
      if (isFlagged(d.id)) out.push_back(d.range);
  } else if (!may_analyze) {
    return std::nullopt;
  } else {
    const ast::Policy& pol = a.checked.parsed.policy;
    const analysis::FastDecider decider(pol, a.config.target);
    const analysis::Reachability reach =
        analysis::analyzeReachability(pol, decider, a.config.target, a.config.reachability);
    for (size_t i = 0; i < pol.statements.size(); ++i) {
      const analysis::RuleResult& r = reach.rules[i];
      const bool unreached = r.cls == analysis::RuleClass::Dead || r.cls == analysis::RuleClass::Shadowed;
      if (!pol.statements[i].isDefault() && (unreached || (r.cls == analysis::RuleClass::Reachable && r.redundant)))
        out.push_back(pol.statements[i].range);
    }
  }
  std::sort(out.begin(), out.end(), [](Range x, Range y) { return x.begin < y.begin; });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// One edit per run of adjacent lines.
std::vector<FixIt> deleteLines(const Analyzed& a, const std::vector<Range>& statements) {
  std::vector<FixIt> edits;
  for (Range s : statements) {
    FixIt e = deleteLine(a, s);
    if (!edits.empty() && edits.back().range.end == e.range.begin) edits.back().range.end = e.range.end;
    else edits.push_back(std::move(e));
  }
  return edits;
}

std::string deleteAllTitle(size_t n) {
  return fmt::format("Delete the {} {} flagged dead, shadowed or redundant (no decision changes)", n,
                     n == 1 ? "rule" : "rules");
}

// Whether the rule can go alone: a redundant rule may need flagged rules after it to go too.
bool deletableAlone(const Diagnostic& d) {
  if (d.id != DiagId::RedundantRule) return true;
  const json payload = json::parse(d.extra_json, nullptr, /*allow_exceptions=*/false);
  return payload.is_object() && payload.contains("delete_with_lines") && payload["delete_with_lines"].empty();
}

void flaggedRuleActions(const Request& q, const Diagnostic& d, const json& c, json& out) {
  const Analyzed& a = q.f.doc;
  const bool alone = deletableAlone(d);
  if (alone) {
    const char* title = d.id == DiagId::RedundantRule ? "Delete this redundant rule" : "Delete this unreachable rule";
    out.push_back(action(q.f, title, kQuickFix, {deleteLine(a, d.range)}, &c));
  }
  const std::vector<Range>* all = q.flagged();
  if (all && (all->size() > 1 || !alone))
    out.push_back(action(q.f, deleteAllTitle(all->size()), kQuickFix, deleteLines(a, *all), &c));
}

// `DEFAULT action=DENY` (then ALLOW) on the line after the header.
void missingDefaultActions(const Request& q, const json& c, json& out) {
  const Analyzed& a = q.f.doc;
  const ast::Policy& pol = a.checked.parsed.policy;
  if (!pol.header) return;
  const LineIndex& index = *a.index;
  const uint32_t line = index.positionOf(pol.header->range.begin, PositionEncoding::Utf8).line;
  const uint32_t content_end = index.lineSpan(line).second;
  const bool last = line + 1 >= index.lineCount();
  const uint32_t at = last ? static_cast<uint32_t>(a.checked.file->size()) : index.lineSpan(line + 1).first;
  // The header's own line terminator, so that a CRLF file stays CRLF.
  const std::string eol = last ? "\n" : std::string(a.checked.file->bytes().substr(content_end, at - content_end));
  for (sl::Action act : {sl::Action::Deny, sl::Action::Allow}) {
    const std::string statement =
        fmt::format("{} {}{}", sl::kDefaultKeyword, sl::kActionPrefix, sl::actionSpelling(act));
    const std::string text = last ? eol + statement : statement + eol;
    out.push_back(action(q.f, fmt::format("Add `{}` after the header", statement), kQuickFix, {{{at, at}, text}}, &c));
  }
}

void diagnosticActions(const Request& q, const Diagnostic& d, const json& c, json& out) {
  if (!d.fixits.empty()) out.push_back(action(q.f, fixTitle(q.f.doc, d), kQuickFix, d.fixits, &c, /*preferred=*/true));
  if (isFlagged(d.id)) flaggedRuleActions(q, d, c, out);
  if (d.id == DiagId::MissingDefault) missingDefaultActions(q, c, out);
}

}  // namespace

json codeActions(const Feature& f) {
  const LspRange lsp_range = rangeFrom(f.params.at("range"));
  Request q(f, {f.doc.index->offsetOf(lsp_range.start, f.enc), f.doc.index->offsetOf(lsp_range.end, f.enc)});
  const json& context = f.params.at("context");
  if (context.contains("only") && context["only"].is_array())
    for (const json& k : context["only"])
      if (k.is_string()) q.only.push_back(k);
  constexpr int kInvoked = 1;  // CodeActionTriggerKind
  q.explicit_request = !q.only.empty() || context.value("triggerKind", 0) == kInvoked;

  json out = json::array();
  if (q.wants(kQuickFix) && context.contains("diagnostics") && context["diagnostics"].is_array()) {
    for (const json& c : context["diagnostics"]) {
      const Diagnostic* d = current(f, c);
      if (d && d->range.begin <= q.range.end && q.range.begin <= d->range.end) diagnosticActions(q, *d, c, out);
    }
  }
  if (q.wants(kRemoveUnused)) {
    const std::vector<Range>* all = q.flagged();
    if (all && !all->empty())
      out.push_back(action(f, deleteAllTitle(all->size()), kRemoveUnused, deleteLines(f.doc, *all), nullptr));
  }
  return out;
}

}  // namespace ipec::lsp
