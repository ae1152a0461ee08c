// SPDX-License-Identifier: Apache-2.0
// default-fragility: no global DEFAULT, only one per op. validate_policy() needs a DEFAULT for
// every op the kernel knows, so the policy stops loading on a kernel that adds an op.
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
        if (!breaks.empty()) breaks += ", ";
        breaks += "`op=" + std::string(sl::opSpelling(op)) + "` (" +
                  std::string(sl::seriesName(sl::opSeries(op))) + ")";
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
  if (!breaks.empty()) d.message += ", as kernels with " + breaks + " do";
  d.notes.push_back({std::nullopt, "add `DEFAULT action=DENY` (or ALLOW) to keep loading on newer kernels"});
  cx.diags.report(std::move(d));
}

}  // namespace ipec::analysis
