// SPDX-License-Identifier: Apache-2.0
// publishDiagnostics: ipec's diagnostics as the editor shows them. Same ids (`code`), ranges and
// severities as `ipec check --format=json`; the notes with a place become related information,
// the others join the message; the fix-its and the JSON payload travel in `data`, for the code
// actions.
#include <fmt/format.h>

#include "lsp/features.h"
#include "pipeline/version.h"

namespace ipec::lsp {
namespace {

// Rules that can go without changing any decision: editors grey them out.
bool isUnnecessary(DiagId id) {
  return id == DiagId::DeadRule || id == DiagId::ShadowedRule || id == DiagId::RedundantRule;
}

}  // namespace

json diagnosticsJson(const Analyzed& a, PositionEncoding enc) {
  json out = json::array();
  for (const Diagnostic& d : a.checked.diags->diagnostics()) {
    const std::string id(diagName(d.id));
    json j = {{"range", toJson(toLspRange(*a.index, d.range, enc))},
              {"severity", lspSeverity(d.severity)},
              {"code", id},
              {"codeDescription", {{"href", fmt::format("{}diagnostics.md#{}", pipeline::kDocsUri, id)}}},
              {"source", "ipec"}};
    std::string message = d.message;
    json related = json::array();
    for (const RelatedNote& n : d.notes) {
      if (!n.range) {
        message += fmt::format("\n{}", n.message);
        continue;
      }
      related.push_back({{"location", {{"uri", a.doc.uri}, {"range", toJson(toLspRange(*a.index, *n.range, enc))}}},
                         {"message", n.message}});
    }
    j["message"] = message;
    if (!related.empty()) j["relatedInformation"] = std::move(related);
    if (isUnnecessary(d.id)) j["tags"] = {1};
    json data = json::object();
    if (!d.fixits.empty()) {
      json edits = json::array();
      for (const FixIt& f : d.fixits)
        edits.push_back({{"range", toJson(toLspRange(*a.index, f.range, enc))}, {"newText", f.replacement}});
      data["fixits"] = std::move(edits);
    }
    if (!d.extra_json.empty()) {
      json payload = json::parse(d.extra_json, nullptr, false);
      if (payload.is_object()) data["payload"] = std::move(payload);
    }
    if (!data.empty()) j["data"] = std::move(data);
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace ipec::lsp
