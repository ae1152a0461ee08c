// SPDX-License-Identifier: Apache-2.0
// lockout: the policy will stop the machine working. Two cases the kernel cannot warn about:
// programs in the initramfs denied (the system cannot boot), and every BPF program load denied
// (on Hornet v6/v7 without a provider the verdict is always NONE).
#include "analysis/analyze.h"

namespace ipec::analysis {

namespace sl = ipec::stdlib;

namespace {

std::string decidedBy(const AnalysisContext& cx, const Decision& d) {
  if (d.statement < 0) return "no rule";
  return cx.quoteStatement(static_cast<uint32_t>(d.statement)) + " on " + cx.where(static_cast<uint32_t>(d.statement));
}

}  // namespace

void checkLockout(const AnalysisContext& cx) {
  const ast::Policy& pol = cx.policy;
  if (opEvaluated(cx.target, sl::Op::Execute)) {
    Event e = pointEvent(sl::Op::Execute, 1);  // a file in the initramfs
    Decision d = cx.decider.decide(e);
    if (d.action == sl::Action::Deny && d.statement >= 0) {
      Diagnostic diag;
      diag.id = DiagId::Lockout;
      diag.severity = Severity::Warning;
      diag.range = pol.statements[d.statement].range;
      diag.message = "programs in the initramfs are denied, by " + decidedBy(cx, d) +
                     ": if this policy is active at boot, nothing before switch_root can run";
      diag.notes.push_back({std::nullopt, "allow them with `op=EXECUTE boot_verified=TRUE action=ALLOW` before any "
                                          "rule that denies them"});
      cx.diags.report(std::move(diag));
    }
  }
  if (opEvaluated(cx.target, sl::Op::BpfProgLoad)) {
    const PointMask valid = validPoints(cx.target, sl::Op::BpfProgLoad);
    Decision last;
    bool all_denied = valid != 0;
    for (PointMask m = valid; m && all_denied; m &= m - 1) {
      last = cx.decider.decide(pointEvent(sl::Op::BpfProgLoad, static_cast<unsigned>(__builtin_ctzll(m))));
      all_denied = last.action == sl::Action::Deny;
    }
    if (all_denied && last.statement >= 0) {
      Diagnostic diag;
      diag.id = DiagId::Lockout;
      diag.severity = Severity::Warning;
      diag.range = pol.statements[last.statement].range;
      const bool no_provider = cx.target.bpf_hook == BpfHook::HornetV7 && !cx.target.hornetActive();
      diag.message = "every BPF program load is denied on target `" + cx.target.name + "`";
      if (no_provider)
        diag.message += ": with no integrity provider in lsm= the verdict is always NONE, and no rule allows "
                        "`bpf_signature=NONE`";
      diag.notes.push_back({std::nullopt, "systemd and other BPF users fail to start; allow the loads you need, e.g. "
                                          "`op=BPF_PROG_LOAD bpf_signature=OK action=ALLOW`" +
                                              std::string(no_provider ? " once Hornet is active" : "")});
      cx.diags.report(std::move(diag));
    }
  }
}

}  // namespace ipec::analysis
