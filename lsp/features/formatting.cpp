// SPDX-License-Identifier: Apache-2.0
// textDocument/formatting: `ipec fmt`'s layout (frontend::formatPolicy, the same function), as
// one edit over the lines that change.
#include "frontend/format.h"
#include "lsp/features.h"

namespace ipec::lsp {

json formatting(const Feature& f) {
  const std::string_view before = f.doc.checked.file->bytes();
  // As `ipec fmt -i`: the kernel stops at a NUL, so would the formatted text, and whatever
  // follows the NUL would be lost.
  if (before.find('\0') != std::string_view::npos)
    throw RpcError{ErrorCode::RequestFailed, "the policy ends at a NUL byte; formatting would drop what follows it"};
  const std::string after = frontend::formatPolicy(*f.doc.checked.file);
  if (after == before) return json::array();
  // The common head and tail, in whole lines: the edit never splits a line or a UTF-8 sequence.
  size_t head = 0;
  while (head < before.size() && head < after.size() && before[head] == after[head]) ++head;
  while (head > 0 && before[head - 1] != '\n') --head;
  size_t tail = 0;
  while (tail < before.size() - head && tail < after.size() - head &&
         before[before.size() - 1 - tail] == after[after.size() - 1 - tail])
    ++tail;
  while (tail > 0 && before[before.size() - tail] != '\n') --tail;
  if (tail > 0) --tail;  // keep the line feed that ends the last changed line inside the edit
  const Range replaced{static_cast<uint32_t>(head), static_cast<uint32_t>(before.size() - tail)};
  return json::array({{{"range", toJson(toLspRange(*f.doc.index, replaced, f.enc))},
                       {"newText", after.substr(head, after.size() - tail - head)}}});
}

}  // namespace ipec::lsp
