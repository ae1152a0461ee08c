// SPDX-License-Identifier: Apache-2.0
// textDocument/documentSymbol: the header, the DEFAULTs, and the rules grouped by op (an outline).
#include <fmt/format.h>

#include <map>

#include "lsp/features.h"

namespace ipec::lsp {
namespace {

// LSP SymbolKind values.
constexpr int kModule = 2, kNamespace = 3, kConstant = 14, kEvent = 24;

json symbol(const Feature& f, std::string name, int kind, Range range, Range selection) {
  return {{"name", std::move(name)},
          {"kind", kind},
          {"range", toJson(toLspRange(*f.doc.index, range, f.enc))},
          {"selectionRange", toJson(toLspRange(*f.doc.index, selection, f.enc))}};
}

}  // namespace

json documentSymbols(const Feature& f) {
  const ast::Policy& pol = f.doc.checked.parsed.policy;
  json out = json::array();
  if (pol.header) {
    const ast::Header& h = *pol.header;
    out.push_back(symbol(f, fmt::format("{} {}", h.name, h.version.str()), kModule, h.range, h.name_range));
  }
  // The rules of each op, in the order the ops first appear.
  std::map<stdlib::Op, size_t> group_of;
  json groups = json::array();
  for (const ast::Statement& s : pol.statements) {
    const std::string text(f.doc.text(s.range));
    if (s.isDefault()) {
      out.push_back(symbol(f, text, kConstant, s.range, s.range));
      continue;
    }
    auto [it, fresh] = group_of.try_emplace(s.op, groups.size());
    if (fresh) {
      groups.push_back(symbol(f, fmt::format("{}{}", stdlib::kOpPrefix, stdlib::opSpelling(s.op)), kNamespace,
                              s.range, s.op_range));
      groups.back()["children"] = json::array();
      groups.back()["first"] = s.range.begin;
    }
    json& g = groups[it->second];
    g["children"].push_back(symbol(f, text, kEvent, s.range, s.range));
    // The group spans its first to its last rule.
    g["range"] = toJson(toLspRange(*f.doc.index, {g["first"].get<uint32_t>(), s.range.end}, f.enc));
  }
  for (json& g : groups) {
    g.erase("first");
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace ipec::lsp
