// SPDX-License-Identifier: Apache-2.0
#include "tests/reference/reference.h"

namespace ipec::reference {

using namespace ipec::analysis;
namespace sl = ipec::stdlib;

std::vector<Event> allEvents(const ast::Policy& policy, const Target& t, sl::Op op) {
  std::vector<DigestId> fsv{kOtherDigest}, dm{kOtherDigest};
  for (DigestId d = 0; d < policy.digests.size(); ++d) {
    if (fsverityCanProduce(policy.digests, d)) fsv.push_back(d);
    if (dmverityCanProduce(policy.digests, d)) dm.push_back(d);
  }
  std::vector<Event> out;
  PointMask valid = validPoints(t, op);
  for (unsigned p = 0; p < pointCount(op); ++p) {
    if (!(valid >> p & 1)) continue;
    bool has_f = fsverityPoints(op) >> p & 1, has_h = dmverityPoints(op) >> p & 1;
    for (DigestId f : fsv) {
      if (!has_f && f != kOtherDigest) continue;
      for (DigestId h : dm) {
        if (!has_h && h != kOtherDigest) continue;
        out.push_back(pointEvent(op, p, f, h));
      }
    }
  }
  return out;
}

Decision decide(const ast::Policy& policy, const Target& t, const Event& e, int32_t skip) {
  if (!opEvaluated(t, e.op)) return {sl::Action::Allow, DecisionKind::NotEvaluated, -1};
  int32_t op_default = -1, global_default = -1;
  for (int32_t i = 0; i < static_cast<int32_t>(policy.statements.size()); ++i) {
    const ast::Statement& s = policy.statements[i];
    if (s.isDefault()) {
      if (!s.has_op && global_default < 0) global_default = i;
      if (s.has_op && s.op == e.op && op_default < 0) op_default = i;
    }
  }
  for (int32_t i = 0; i < static_cast<int32_t>(policy.statements.size()); ++i) {
    const ast::Statement& s = policy.statements[i];
    if (i == skip || s.isDefault() || s.op != e.op) continue;
    bool all = true;
    for (const ast::Property* p = policy.propsBegin(s); p != policy.propsEnd(s) && all; ++p)
      all = holds(*p, e, t);
    if (all) return {s.action, DecisionKind::Rule, i};
  }
  if (op_default >= 0) return {policy.statements[op_default].action, DecisionKind::OpDefault, op_default};
  if (global_default >= 0) return {policy.statements[global_default].action, DecisionKind::GlobalDefault, global_default};
  return {sl::Action::Allow, DecisionKind::NoDefault, -1};
}

std::vector<RuleTruth> classify(const ast::Policy& policy, const Target& t) {
  std::vector<RuleTruth> out(policy.statements.size());
  for (sl::Op op : sl::kAllOps) {
    std::vector<Event> events = allEvents(policy, t, op);
    std::vector<Decision> base;
    for (const Event& e : events) base.push_back(decide(policy, t, e));
    for (int32_t i = 0; i < static_cast<int32_t>(policy.statements.size()); ++i) {
      const ast::Statement& s = policy.statements[i];
      if (s.isDefault() || s.op != op) continue;
      RuleTruth& r = out[i];
      if (!opEvaluated(t, op)) {
        r.cls = RuleClass::Unenforced;
        continue;
      }
      bool any_match = false, first = false;
      for (size_t k = 0; k < events.size(); ++k) {
        any_match = any_match || matches(policy, s, events[k], t);
        first = first || base[k].statement == i;
      }
      r.cls = first ? RuleClass::Reachable : any_match ? RuleClass::Shadowed : RuleClass::Dead;
      if (!first) continue;
      r.redundant = true;
      for (size_t k = 0; k < events.size() && r.redundant; ++k)
        if (base[k].statement == i && decide(policy, t, events[k], i).action != base[k].action) r.redundant = false;
    }
  }
  return out;
}

}  // namespace ipec::reference
