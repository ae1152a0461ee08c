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
  std::vector<bool> deleted(policy.statements.size(), false);
  if (skip >= 0) deleted[skip] = true;
  return decide(policy, t, e, deleted);
}

Decision decide(const ast::Policy& policy, const Target& t, const Event& e, const std::vector<bool>& deleted) {
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
    if (deleted[i] || s.isDefault() || s.op != e.op) continue;
    bool all = true;
    for (const ast::Property* p = policy.propsBegin(s); p != policy.propsEnd(s) && all; ++p)
      all = holds(*p, e, t);
    if (all) return {s.action, DecisionKind::Rule, i};
  }
  if (op_default >= 0) return {policy.statements[op_default].action, DecisionKind::OpDefault, op_default};
  if (global_default >= 0) return {policy.statements[global_default].action, DecisionKind::GlobalDefault, global_default};
  return {sl::Action::Allow, DecisionKind::NoDefault, -1};
}

namespace {

// Whether also deleting `extra` changes the action of any event, against the policy without
// `deleted` (not the original: the reference assumes nothing about earlier steps).
bool keepsEveryAction(const ast::Policy& policy, const Target& t, const std::vector<Event>& events,
                      std::vector<bool>& deleted, int32_t extra) {
  std::vector<sl::Action> before;
  for (const Event& e : events) before.push_back(decide(policy, t, e, deleted).action);
  deleted[extra] = true;
  bool same = true;
  for (size_t k = 0; k < events.size() && same; ++k) same = decide(policy, t, events[k], deleted).action == before[k];
  deleted[extra] = false;
  return same;
}

}  // namespace

PolicyTruth classify(const ast::Policy& policy, const Target& t) {
  PolicyTruth out;
  out.rules.resize(policy.statements.size());
  const int32_t n = static_cast<int32_t>(policy.statements.size());
  for (sl::Op op : sl::kAllOps) {
    std::vector<Event> events = allEvents(policy, t, op);
    std::vector<Decision> base;
    for (const Event& e : events) base.push_back(decide(policy, t, e));
    OpTruth& o = out.ops[static_cast<unsigned>(op)];
    o.has_events = opEvaluated(t, op) && !events.empty();
    for (const Decision& d : base) {
      if (!o.has_events) break;
      o.default_reached = o.default_reached || d.kind != DecisionKind::Rule;
      o.actions |= uint8_t(1u << static_cast<unsigned>(d.action));
    }
    std::vector<bool> deleted(policy.statements.size(), false);
    for (int32_t i = 0; i < n; ++i) {
      const ast::Statement& s = policy.statements[i];
      if (s.isDefault() || s.op != op) continue;
      RuleTruth& r = out.rules[i];
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
      deleted[i] = !first;
    }
    // Greedy, from the last rule to the first, against every event.
    for (int32_t i = n; i-- > 0;) {
      const ast::Statement& s = policy.statements[i];
      if (s.isDefault() || s.op != op || out.rules[i].cls != RuleClass::Reachable) continue;
      out.rules[i].redundant = keepsEveryAction(policy, t, events, deleted, i);
      deleted[i] = out.rules[i].redundant;
    }
  }
  return out;
}

Event translateDigests(const Event& e, const ast::Policy& from, const ast::Policy& to) {
  auto map = [&](DigestId id) {
    if (id == analysis::kOtherDigest) return analysis::kOtherDigest;
    DigestView d = from.digests.get(id);
    return to.digests.find(d.alg, d.bytes).value_or(analysis::kOtherDigest);
  };
  Event out = e;
  out.fsv_digest = map(e.fsv_digest);
  out.dm_roothash = map(e.dm_roothash);
  return out;
}

}  // namespace ipec::reference
