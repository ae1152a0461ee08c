// SPDX-License-Identifier: Apache-2.0
// Features not written yet.
#include "lsp/features.h"

namespace ipec::lsp {
namespace {
[[noreturn]] void pending() { throw RpcError{ErrorCode::MethodNotFound, "not implemented yet"}; }
}  // namespace
json definition(const Feature&) { pending(); }
json references(const Feature&, const std::vector<std::shared_ptr<const Analyzed>>&) { pending(); }
json codeActions(const Feature&) { pending(); }
}  // namespace ipec::lsp
