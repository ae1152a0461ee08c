// SPDX-License-Identifier: Apache-2.0
#include "lsp/protocol.h"

namespace ipec::lsp {

json toJson(Position p) { return {{"line", p.line}, {"character", p.character}}; }

json toJson(const LspRange& r) { return {{"start", toJson(r.start)}, {"end", toJson(r.end)}}; }

Position positionFrom(const json& j) {
  auto field = [&](const char* name) -> uint32_t {
    auto it = j.is_object() ? j.find(name) : j.end();
    if (it == j.end() || !it->is_number_integer() || it->get<int64_t>() < 0)
      throw RpcError{ErrorCode::InvalidParams, std::string("a position needs a non-negative integer `") + name + "`"};
    // Positions past the document are clamped later; 2^32-1 already means "the end".
    return static_cast<uint32_t>(std::min<int64_t>(it->get<int64_t>(), UINT32_MAX));
  };
  return {field("line"), field("character")};
}

LspRange rangeFrom(const json& j) {
  if (!j.is_object() || !j.contains("start") || !j.contains("end"))
    throw RpcError{ErrorCode::InvalidParams, "a range needs `start` and `end`"};
  return {positionFrom(j["start"]), positionFrom(j["end"])};
}

LspRange toLspRange(const LineIndex& index, Range r, PositionEncoding enc) {
  if (r.isNone()) return {};
  return {index.positionOf(r.begin, enc), index.endPositionOf(std::max(r.begin, r.end), enc)};
}

int lspSeverity(Severity s) {
  switch (s) {
    case Severity::Error: return 1;
    case Severity::Warning: return 2;
    case Severity::Note: return 3;
  }
  return 3;
}

std::string dumpMessage(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace ipec::lsp
