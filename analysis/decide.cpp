// SPDX-License-Identifier: Apache-2.0
#include "analysis/decide.h"

namespace ipec::analysis {

PolicyIndex PolicyIndex::build(const ast::Policy& policy) {
  PolicyIndex ix;
  ix.op_default.fill(-1);
  for (uint32_t i = 0; i < policy.statements.size(); ++i) {
    const ast::Statement& s = policy.statements[i];
    if (s.isGlobalDefault()) {
      if (ix.global_default < 0) ix.global_default = static_cast<int32_t>(i);
    } else if (s.isDefault()) {
      int32_t& slot = ix.op_default[static_cast<unsigned>(s.op)];
      if (slot < 0) slot = static_cast<int32_t>(i);
    } else if (s.has_op) {
      ix.rules[static_cast<unsigned>(s.op)].push_back(i);
    }
  }
  return ix;
}

const char* decisionKindName(DecisionKind k) {
  switch (k) {
    case DecisionKind::Rule: return "rule";
    case DecisionKind::OpDefault: return "op-default";
    case DecisionKind::GlobalDefault: return "global-default";
    case DecisionKind::NotEvaluated: return "not-evaluated";
    case DecisionKind::NoDefault: return "no-default";
  }
  return "";
}

Decision decide(const ast::Policy& policy, const PolicyIndex& index, const Target& t, const Event& e,
                std::vector<TraceStep>* trace) {
  if (!opEvaluated(t, e.op)) return {stdlib::Action::Allow, DecisionKind::NotEvaluated, -1};
  for (uint32_t si : index.rules[static_cast<unsigned>(e.op)]) {
    const ast::Statement& s = policy.statements[si];
    int32_t failed = -1;
    for (const ast::Property* p = policy.propsBegin(s); p != policy.propsEnd(s); ++p) {
      if (!holds(*p, e, t)) {
        failed = static_cast<int32_t>(p - policy.properties.data());
        break;
      }
    }
    if (trace) trace->push_back({si, failed});
    if (failed < 0) return {s.action, DecisionKind::Rule, static_cast<int32_t>(si)};
  }
  int32_t op_default = index.op_default[static_cast<unsigned>(e.op)];
  if (op_default >= 0) return {policy.statements[op_default].action, DecisionKind::OpDefault, op_default};
  if (index.global_default >= 0)
    return {policy.statements[index.global_default].action, DecisionKind::GlobalDefault, index.global_default};
  return {stdlib::Action::Allow, DecisionKind::NoDefault, -1};
}

}  // namespace ipec::analysis
