// SPDX-License-Identifier: Apache-2.0
// partial-enforcement (note): known ways around the policy on the target.
//  - Interpreted code: `sh script.sh` only reads the script; before 6.19's AT_EXECVE_CHECK
//    hook IPE never sees it, and even then only interpreters that ask are covered.
//  - Loads with no file (init_module from a buffer, kexec_load, anonymous executable memory,
//    firmware fallback): every `=FALSE` property is true, so an ALLOW rule made only of `=FALSE`
//    forms also allows them.
#include <fmt/format.h>

#include "analysis/analyze.h"

namespace ipec::analysis {

namespace sl = ipec::stdlib;

namespace {

std::string_view noFileLoads(sl::Op op) {
  switch (op) {
    case sl::Op::Execute: return "anonymous executable memory (mmap/mprotect with PROT_EXEC and no file)";
    case sl::Op::Firmware: return "firmware loaded through the sysfs or platform fallback";
    case sl::Op::KernelModule: return "modules loaded with init_module(2) from a buffer";
    case sl::Op::KexecImage: return "kernels loaded with kexec_load(2)";
    case sl::Op::KexecInitramfs:  // no kernel caller loads these without a file
    case sl::Op::Policy:
    case sl::Op::X509Cert:
    case sl::Op::BpfProgLoad: return "";
  }
  return "";
}

void note(const AnalysisContext& cx, Range r, std::string message) {
  Diagnostic d;
  d.id = DiagId::PartialEnforcement;
  d.severity = Severity::Note;
  d.range = r;
  d.message = std::move(message);
  cx.diags.report(std::move(d));
}

}  // namespace

void checkPartialEnforcement(const AnalysisContext& cx) {
  const ast::Policy& pol = cx.policy;
  // Interpreted code: worth saying when the policy denies some execution.
  if (opEvaluated(cx.target, sl::Op::Execute)) {
    const PointMask valid = validPoints(cx.target, sl::Op::Execute);
    int32_t denier = -1;
    for (PointMask m = valid; m && denier < 0; m &= m - 1) {
      Decision d = cx.decider.decide(pointEvent(sl::Op::Execute, static_cast<unsigned>(__builtin_ctzll(m))));
      if (d.action == sl::Action::Deny) denier = d.statement;
    }
    if (denier >= 0) {
      note(cx, pol.statements[denier].range,
           cx.target.execve_check
               ? fmt::format("on target `{}` a script is checked as `op=EXECUTE` only when its interpreter opens it "
                             "with execveat(AT_EXECVE_CHECK); `sh script.sh` with other interpreters runs it unchecked",
                             cx.target.name)
               : fmt::format("on target `{}` interpreters only read scripts: `sh script.sh` or `python3 tool.py` runs "
                             "code this policy would deny when executed directly (AT_EXECVE_CHECK arrives in 6.19)",
                             cx.target.name));
    }
  }
  // Loads with no file decided by an ALLOW rule that has properties.
  for (sl::Op op : sl::kAllOps) {
    if (noFileLoads(op).empty() || !opEvaluated(cx.target, op)) continue;
    if (!(validPoints(cx.target, op) & 1)) continue;
    Decision d = cx.decider.decide(pointEvent(op, 0));
    if (d.kind != DecisionKind::Rule || d.action != sl::Action::Allow) continue;
    const ast::Statement& s = pol.statements[d.statement];
    if (s.prop_count == 0) continue;
    note(cx, s.range,
         fmt::format("this rule also allows {}: with no file every `=FALSE` property is true, so nothing here proves "
                     "where the code came from",
                     noFileLoads(op)));
  }
}

}  // namespace ipec::analysis
