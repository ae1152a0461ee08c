// SPDX-License-Identifier: Apache-2.0
// default-fragility: no global DEFAULT, only one per op. validate_policy() needs a DEFAULT for
// every op the kernel knows, so the policy stops loading on a kernel that adds an op.
#include <fmt/format.h>

#include <iterator>
#include <string>

#include "analysis/lint.h"

namespace ipec::analysis {

namespace sl = ipec::stdlib;

void checkDefaultFragility(const LintContext& cx) {
  if (!cx.policy.header) return;
  bool per_op[sl::kNumOps] = {};
  for (const ast::Statement& s : cx.policy.statements) {
    if (s.isGlobalDefault()) return;
    if (s.isDefault()) per_op[static_cast<unsigned>(s.op)] = true;
  }
  std::string breaks;
  for (sl::Op op : sl::kAllOps) {
    if (!cx.dialect.knows(sl::opSeries(op))) {
      if (!per_op[static_cast<unsigned>(op)]) {
        fmt::format_to(std::back_inserter(breaks), "{}`op={}` ({})", breaks.empty() ? "" : ", ", sl::opSpelling(op),
                       sl::seriesName(sl::opSeries(op)));
      }
      continue;
    }
    if (!per_op[static_cast<unsigned>(op)]) return;  // invalid: missing-default reports it
  }
  Diagnostic d;
  d.id = DiagId::DefaultFragility;
  d.severity = Severity::Warning;
  d.range = cx.policy.header->range;
  d.message = "the policy has no global `DEFAULT action=...`, only one DEFAULT per op; a kernel that "
              "adds an op rejects it with EBADMSG";
  if (!breaks.empty()) fmt::format_to(std::back_inserter(d.message), ", as kernels with {} do", breaks);
  d.notes.push_back({std::nullopt, "add `DEFAULT action=DENY` (or ALLOW) to keep loading on newer kernels"});
  cx.diags.report(std::move(d));
}

}  // namespace ipec::analysis
