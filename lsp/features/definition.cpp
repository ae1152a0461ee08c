// SPDX-License-Identifier: Apache-2.0
// textDocument/definition: from a statement the analysis says never decides, or decides nothing
// that matters, to the statements that decide in its place. The lines come from the JSON payload
// of its diagnostic (docs/json-output.md), so the editor goes where `ipec check --format=json`
// points: a shadowed rule and an unreachable DEFAULT to the rules that cover them
// (`covered_by_lines`), a redundant rule to what decides once the flagged rules are gone
// (`replaced_by_lines`). A dead rule has nothing to go to.
#include <algorithm>
#include <unordered_map>

#include "lsp/features.h"

namespace ipec::lsp {
namespace {

// The payload key that lists where to go, or null for a diagnostic without one.
const char* targetsKey(DiagId id) {
  if (id == DiagId::ShadowedRule || id == DiagId::UnreachableDefault) return "covered_by_lines";
  if (id == DiagId::RedundantRule) return "replaced_by_lines";
  return nullptr;
}

// The statement on each line (a statement is one line).
std::unordered_map<uint32_t, const ast::Statement*> statementsByLine(const Analyzed& a) {
  std::unordered_map<uint32_t, const ast::Statement*> out;
  for (const ast::Statement& s : a.checked.parsed.policy.statements)
    out.emplace(a.checked.file->lineCol(s.range.begin).line, &s);
  return out;
}

}  // namespace

json definition(const Feature& f) {
  const Analyzed& a = f.doc;
  const LineIndex& index = *a.index;
  // The line the cursor is on, wherever on it (a position past the end is clamped).
  const uint32_t line = index.positionOf(index.offsetOf(positionFrom(f.params.at("position")), f.enc), f.enc).line;
  const bool links = clientSupports(f, {"textDocument", "definition", "linkSupport"});
  json out = json::array();
  std::unordered_map<uint32_t, const ast::Statement*> by_line;
  std::vector<uint32_t> seen;
  for (const Diagnostic& d : a.checked.diags->diagnostics()) {
    const char* key = targetsKey(d.id);
    if (!key || d.range.isNone() || index.positionOf(d.range.begin, f.enc).line != line) continue;
    const json payload = json::parse(d.extra_json, nullptr, /*allow_exceptions=*/false);
    if (!payload.is_object() || !payload.contains(key) || !payload[key].is_array()) continue;
    if (by_line.empty()) by_line = statementsByLine(a);
    for (const json& l : payload[key]) {
      auto it = l.is_number_unsigned() ? by_line.find(l.get<uint32_t>()) : by_line.end();
      if (it == by_line.end() || std::find(seen.begin(), seen.end(), l.get<uint32_t>()) != seen.end()) continue;
      seen.push_back(l.get<uint32_t>());
      const json target = toJson(toLspRange(index, it->second->range, f.enc));
      if (links)
        out.push_back({{"originSelectionRange", toJson(toLspRange(index, d.range, f.enc))},
                       {"targetUri", a.doc.uri},
                       {"targetRange", target},
                       {"targetSelectionRange", target}});
      else
        out.push_back({{"uri", a.doc.uri}, {"range", target}});
    }
  }
  return out;
}

}  // namespace ipec::lsp
