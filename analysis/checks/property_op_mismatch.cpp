// SPDX-License-Identifier: Apache-2.0
// property-op-mismatch: a property about another kind of operation. IPE evaluates any property
// with any op; for an unrelated op its value is fixed. File-based hooks leave the BPF fields zero,
// so on Hornet kernels `op=EXECUTE bpf_kernel=FALSE` matches every execution; a BPF load has no
// file, so `op=BPF_PROG_LOAD fsverity_signature=FALSE` is always true. (Always-false cases make
// the rule dead and are reported as dead-rule.)
#include <fmt/format.h>

#include "analysis/analyze.h"

namespace ipec::analysis {

namespace sl = ipec::stdlib;

namespace {

void report(const AnalysisContext& cx, const ast::Statement& s, const ast::Property& p) {
  Diagnostic d;
  d.id = DiagId::PropertyOpMismatch;
  d.severity = Severity::Warning;
  d.range = p.range;
  const std::string prop = quote(cx.text(p.range), 48);
  const std::string op = fmt::format("`op={}`", sl::opSpelling(s.op));
  d.message = s.op == sl::Op::BpfProgLoad
                  ? fmt::format("{} is about files, and a BPF program load has none: for {} it is always true and "
                                "restricts nothing",
                                prop, op)
                  : fmt::format("{} is about BPF program loads: for {} the verdict, keyring and kernel flag are always "
                                "NONE, BUILTIN and FALSE, so it is always true and restricts nothing",
                                prop, op);
  if (s.prop_count == 1 && s.action == sl::Action::Allow)
    d.notes.push_back({s.range, fmt::format("so this rule allows every {} event", op)});
  cx.diags.report(std::move(d));
}

}  // namespace

void checkPropertyOpMismatch(const AnalysisContext& cx) {
  const ast::Policy& pol = cx.policy;
  for (uint32_t i = 0; i < pol.statements.size(); ++i) {
    const ast::Statement& s = pol.statements[i];
    if (s.isDefault() || cx.reach.rules[i].cls == RuleClass::Unenforced || cx.reach.rules[i].cls == RuleClass::Dead)
      continue;
    const bool bpf_op = s.op == sl::Op::BpfProgLoad;
    for (const ast::Property* p = pol.propsBegin(s); p != pol.propsEnd(s); ++p) {
      if ((sl::propSubject(p->prop) == sl::Subject::Bpf) == bpf_op) continue;
      bool always = true;
      for (PointMask m = validPoints(cx.target, s.op); m && always; m &= m - 1)
        always = holds(*p, pointEvent(s.op, static_cast<unsigned>(__builtin_ctzll(m))), cx.target);
      if (always) report(cx, s, *p);
    }
  }
}

}  // namespace ipec::analysis
