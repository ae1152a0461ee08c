// SPDX-License-Identifier: Apache-2.0
// Features not written yet.
#include "lsp/features.h"

namespace ipec::lsp {
namespace {
[[noreturn]] void pending() { throw RpcError{ErrorCode::MethodNotFound, "not implemented yet"}; }
}  // namespace
json hover(const Feature&) { pending(); }
json completion(const Feature&) { pending(); }
json semanticTokensFull(const Feature&) { pending(); }
json semanticTokensLegend() { return {{"tokenTypes", json::array()}, {"tokenModifiers", json::array()}}; }
}  // namespace ipec::lsp
