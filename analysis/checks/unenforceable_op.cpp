// SPDX-License-Identifier: Apache-2.0
// unenforceable-op: rules or DEFAULTs for an op whose hook never fires on the target, so the
// kernel allows every such operation without asking IPE. The Hornet v5 case is the one the
// review found: without `hornet` in lsm=, `DEFAULT op=BPF_PROG_LOAD action=DENY` allows all loads.
#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "analysis/analyze.h"

namespace ipec::analysis {

namespace sl = ipec::stdlib;

void checkUnenforceableOps(const AnalysisContext& cx) {
  const ast::Policy& pol = cx.policy;
  if (!cx.target.ipeActive() && pol.header) {
    std::string why;
    opEvaluated(cx.target, sl::Op::Execute, &why);
    Diagnostic d;
    d.id = DiagId::UnenforceableOp;
    d.severity = Severity::Warning;
    d.range = pol.header->range;
    d.message = fmt::format("IPE is not active on target `{}`: {}; the kernel enforces none of this policy and "
                            "allows every operation",
                            cx.target.name, why);
    cx.diags.report(std::move(d));
    return;
  }
  for (sl::Op op : sl::kAllOps) {
    if (!cx.target.dialect.knows(sl::opSeries(op))) continue;
    std::string why;
    if (opEvaluated(cx.target, op, &why)) continue;
    const unsigned o = static_cast<unsigned>(op);
    std::vector<uint32_t> stmts = cx.index.rules[o];
    if (cx.index.op_default[o] >= 0) stmts.push_back(static_cast<uint32_t>(cx.index.op_default[o]));
    std::sort(stmts.begin(), stmts.end());
    // An op the policy does not name matters only when loads happen anyway and the policy means
    // to deny them: BPF programs under a Hornet v5 kernel without Hornet.
    const int32_t def = cx.index.defaultFor(op);
    const bool denies_by_default = def >= 0 && pol.statements[def].action == sl::Action::Deny;
    const bool loads_still_happen = op == sl::Op::BpfProgLoad && cx.target.config(sl::Kconfig::BpfSyscall);
    if (stmts.empty() && !(loads_still_happen && denies_by_default)) continue;
    const std::string opname = fmt::format("op={}", sl::opSpelling(op));
    Diagnostic d;
    d.id = DiagId::UnenforceableOp;
    d.severity = Severity::Warning;
    uint32_t anchor = stmts.empty() ? static_cast<uint32_t>(def) : stmts.front();
    d.range = pol.statements[anchor].range;
    d.message = fmt::format("`{}` is never evaluated on target `{}`: {}", opname, cx.target.name, why);
    if (loads_still_happen && denies_by_default) {
      fmt::format_to(std::back_inserter(d.message), "; {} silently allows every BPF program load",
                     cx.quoteStatement(static_cast<uint32_t>(def)));
      if (static_cast<uint32_t>(def) != anchor)
        d.notes.push_back({pol.statements[def].range, "this DEFAULT is not applied to BPF program loads"});
    } else {
      d.message += "; its rules have no effect and every such operation is allowed";
    }
    for (size_t k = 1; k < stmts.size() && k <= 5; ++k)
      if (!(loads_still_happen && denies_by_default && stmts[k] == static_cast<uint32_t>(def)))
        d.notes.push_back({pol.statements[stmts[k]].range, "this line has no effect either"});
    if (stmts.size() > 6)
      d.notes.push_back({std::nullopt, fmt::format("and {} more lines for {}", stmts.size() - 6, opname)});
    cx.diags.report(std::move(d));
  }
}

}  // namespace ipec::analysis
