// SPDX-License-Identifier: Apache-2.0
// The language features, each a function of a checked document and the request's params (one
// file each under lsp/features/). They run on the worker thread and throw RpcError for bad params.
#pragma once

#include <initializer_list>
#include <memory>
#include <vector>

#include "lsp/analyzed.h"
#include "lsp/protocol.h"

namespace ipec::lsp {

struct Feature {
  const Analyzed& doc;
  PositionEncoding enc;
  const json& params;
  const json* client = nullptr;  // the client's capabilities (initialize), when known
};

// Whether the client's capabilities have `true` at `path` (e.g. {"textDocument", "definition",
// "linkSupport"}).
inline bool clientSupports(const Feature& f, std::initializer_list<const char*> path) {
  const json* j = f.client;
  for (const char* key : path) {
    if (!j || !j->is_object()) return false;
    auto it = j->find(key);
    j = it == j->end() ? nullptr : &*it;
  }
  return j && j->is_boolean() && j->get<bool>();
}

// publishDiagnostics' `diagnostics`: ipec's diagnostics with the CLI's ids as `code`.
json diagnosticsJson(const Analyzed& a, PositionEncoding enc);

json hover(const Feature& f);
json completion(const Feature& f);
json definition(const Feature& f);
json references(const Feature& f, const std::vector<std::shared_ptr<const Analyzed>>& open);
json formatting(const Feature& f);
json semanticTokensFull(const Feature& f);
json semanticTokensLegend();
json codeActions(const Feature& f);
json documentSymbols(const Feature& f);

}  // namespace ipec::lsp
