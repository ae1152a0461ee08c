// SPDX-License-Identifier: Apache-2.0
// lockout: the policy will stop the machine working. Two cases the kernel cannot warn about:
// programs in the initramfs denied (the system cannot boot), and every BPF program load denied
// (on Hornet v6/v7 without a provider the verdict is always NONE).
#include <algorithm>

#include <fmt/format.h>

#include "analysis/analyze.h"

namespace ipec::analysis {

namespace sl = ipec::stdlib;

namespace {

std::string decidedBy(const AnalysisContext& cx, const Decision& d) {
  if (d.statement < 0) return "no rule";
  return fmt::format("{} on {}", cx.quoteStatement(static_cast<uint32_t>(d.statement)),
                     cx.where(static_cast<uint32_t>(d.statement)));
}

// The first rule after `stmt` for the event's op that matches `e` and allows it, or -1.
int32_t laterAllowingRule(const AnalysisContext& cx, const Event& e, uint32_t stmt) {
  const ast::Policy& pol = cx.policy;
  for (uint32_t si : cx.index.rules[static_cast<unsigned>(e.op)]) {
    const ast::Statement& s = pol.statements[si];
    if (si <= stmt || s.action != sl::Action::Allow) continue;
    if (std::all_of(pol.propsBegin(s), pol.propsEnd(s), [&](const ast::Property& p) { return holds(p, e, cx.target); }))
      return static_cast<int32_t>(si);
  }
  return -1;
}

// How to let the initramfs run: move the later rule that already allows it above the one that
// denies it (a note only: moving it may change other decisions), or add the usual rule above
// it, which changes nothing but the initramfs (boot_verified holds for nothing else).
void initramfsHint(const AnalysisContext& cx, const Event& e, const Decision& d, Diagnostic& diag) {
  const ast::Policy& pol = cx.policy;
  const uint32_t deny = static_cast<uint32_t>(d.statement);
  if (d.kind == DecisionKind::Rule) {
    if (int32_t allow = laterAllowingRule(cx, e, deny); allow >= 0) {
      diag.notes.push_back({pol.statements[allow].range,
                            fmt::format("this rule allows them, but the rule on {} matches first; moving it above "
                                        "that line lets the initramfs run",
                                        cx.where(deny))});
      return;
    }
  }
  constexpr std::string_view kAllow = "op=EXECUTE boot_verified=TRUE action=ALLOW";
  const uint32_t line_start = cx.file.lineStart(cx.file.lineCol(pol.statements[deny].range.begin).line);
  diag.notes.push_back({Range{line_start, line_start},
                        d.kind == DecisionKind::Rule
                            ? fmt::format("allow them with `{}` above this rule", kAllow)
                            : fmt::format("allow them with `{}` (rules come before every DEFAULT)", kAllow)});
  diag.fixits.push_back({Range{line_start, line_start}, fmt::format("{}\n", kAllow)});
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
      diag.message = fmt::format(
          "programs in the initramfs are denied, by {}: if this policy is active at boot, nothing before switch_root "
          "can run",
          decidedBy(cx, d));
      initramfsHint(cx, e, d, diag);
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
      diag.message = fmt::format("every BPF program load is denied on target `{}`{}", cx.target.name,
                                 no_provider ? ": with no integrity provider in lsm= the verdict is always NONE, and "
                                               "no rule allows `bpf_signature=NONE`"
                                             : "");
      diag.notes.push_back({std::nullopt, fmt::format("systemd and other BPF users fail to start; allow the loads you "
                                                      "need, e.g. `op=BPF_PROG_LOAD bpf_signature=OK action=ALLOW`{}",
                                                      no_provider ? " once Hornet is active" : "")});
      cx.diags.report(std::move(diag));
    }
  }
}

}  // namespace ipec::analysis
