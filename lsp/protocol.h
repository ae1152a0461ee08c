// SPDX-License-Identifier: Apache-2.0
// JSON-RPC 2.0 and LSP 3.17 constants, and the JSON shapes of positions and ranges.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "base/diagnostic.h"
#include "base/source.h"
#include "lsp/text_document.h"

namespace ipec::lsp {

using json = nlohmann::json;

// JSON-RPC 2.0 error codes, and LSP's own (LSP 3.17 "ErrorCodes", "LSPErrorCodes").
enum class ErrorCode : int {
  ParseError = -32700,
  InvalidRequest = -32600,
  MethodNotFound = -32601,
  InvalidParams = -32602,
  InternalError = -32603,
  ServerNotInitialized = -32002,
  RequestFailed = -32803,
  RequestCancelled = -32800,
  ContentModified = -32801,
};

// A handler's way of answering with an error.
struct RpcError {
  ErrorCode code;
  std::string message;
};

json toJson(Position p);
json toJson(const LspRange& r);
Position positionFrom(const json& j);  // throws RpcError (InvalidParams) on a malformed position
LspRange rangeFrom(const json& j);

// Byte range of a SourceFile (ipec's diagnostics) as an LSP range. Range::none() becomes the
// start of the document.
LspRange toLspRange(const LineIndex& index, Range r, PositionEncoding enc);

// The LSP DiagnosticSeverity of an ipec severity: Error 1, Warning 2, a note 3 (Information).
int lspSeverity(Severity s);

// JSON text in which every string is valid UTF-8 (invalid bytes become U+FFFD): what goes on the
// wire, whatever bytes a document holds.
std::string dumpMessage(const json& j);

}  // namespace ipec::lsp
