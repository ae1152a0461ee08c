// SPDX-License-Identifier: Apache-2.0
#include "analysis/reachability.h"

#include <algorithm>

namespace ipec::analysis {
namespace {

namespace sl = ipec::stdlib;

uint64_t groupKey(DigestId f, DigestId h) { return (uint64_t{f} << 32) | h; }
unsigned lowestBit(PointMask m) { return static_cast<unsigned>(__builtin_ctzll(m)); }

// Groups up to this size are scanned; larger ones keep the first two matches per point.
constexpr uint32_t kScanLimit = 4;

}  // namespace

const OpGroups::Group* OpGroups::group(DigestId f, DigestId h) const {
  auto it = group_of.find(groupKey(f, h));
  return it == group_of.end() ? nullptr : &groups[it->second];
}

void OpGroups::offer(const Group* g, unsigned p, Top2& top) const {
  if (!g || !(g->mask >> p & 1)) return;
  if (!g->dense.empty()) {
    top.offer(g->dense[p].first);
    if (g->dense[p].second != kNoRule) top.offer(g->dense[p].second);
    return;
  }
  unsigned found = 0;
  for (uint32_t k = g->begin; k < g->end && found < 2; ++k) {
    if (masks[members[k]] >> p & 1) {
      top.offer(members[k]);
      ++found;
    }
  }
}

Top2 OpGroups::top2(unsigned p, DigestId f, DigestId h) const {
  Top2 top;
  offer(group(kAnyDigest, kAnyDigest), p, top);
  if (f != kOtherDigest) offer(group(f, kAnyDigest), p, top);
  if (h != kOtherDigest) offer(group(kAnyDigest, h), p, top);
  if (f != kOtherDigest && h != kOtherDigest) offer(group(f, h), p, top);
  return top;
}

OpGroups buildOpGroups(const ast::Policy& policy, const PolicyIndex& index, const Target& t, Op op) {
  OpGroups g;
  g.op = op;
  g.valid = validPoints(t, op);
  g.fsv_points = fsverityPoints(op) & g.valid;
  g.dm_points = dmverityPoints(op) & g.valid;
  g.rules = index.rules[static_cast<unsigned>(op)];
  const size_t n = g.rules.size();
  g.fkey.assign(n, kAnyDigest);
  g.hkey.assign(n, kAnyDigest);
  g.masks.assign(n, 0);
  // Digest literals and the point mask of every rule.
  for (uint32_t pos = 0; pos < n; ++pos) {
    const ast::Statement& s = policy.statements[g.rules[pos]];
    bool dead = false;
    for (const ast::Property* p = policy.propsBegin(s); p != policy.propsEnd(s); ++p) {
      DigestId* key = p->prop == sl::Prop::FsverityDigest     ? &g.fkey[pos]
                      : p->prop == sl::Prop::DmverityRoothash ? &g.hkey[pos]
                                                              : nullptr;
      if (!key) continue;
      if (*key != kAnyDigest && *key != p->digest) dead = true;  // two different literals
      *key = p->digest;
    }
    if (g.fkey[pos] != kAnyDigest && !fsverityCanProduce(policy.digests, g.fkey[pos])) dead = true;
    if (g.hkey[pos] != kAnyDigest && !dmverityCanProduce(policy.digests, g.hkey[pos])) dead = true;
    if (dead) continue;
    const DigestId f = g.fkey[pos] == kAnyDigest ? kOtherDigest : g.fkey[pos];
    const DigestId h = g.hkey[pos] == kAnyDigest ? kOtherDigest : g.hkey[pos];
    PointMask mask = 0;
    for (PointMask m = g.valid; m; m &= m - 1) {
      unsigned p = lowestBit(m);
      if (matches(policy, s, pointEvent(op, p, f, h), t)) mask |= PointMask{1} << p;
    }
    g.masks[pos] = mask;
  }
  // Groups, as ranges of a member array in file order (counting sort by group id).
  std::vector<uint32_t> gid(n, kNoRule);
  std::vector<uint32_t> count;
  for (uint32_t pos = 0; pos < n; ++pos) {
    if (!g.masks[pos]) continue;  // a dead rule never matches: it plays no part in any decision
    auto [it, fresh] = g.group_of.try_emplace(groupKey(g.fkey[pos], g.hkey[pos]),
                                              static_cast<uint32_t>(count.size()));
    if (fresh) {
      count.push_back(0);
      if (g.fkey[pos] != kAnyDigest && g.hkey[pos] != kAnyDigest) g.pair_groups.emplace_back(g.fkey[pos], g.hkey[pos]);
    }
    gid[pos] = it->second;
    ++count[it->second];
  }
  g.groups.resize(count.size());
  uint32_t offset = 0;
  for (size_t i = 0; i < count.size(); ++i) {
    g.groups[i].begin = g.groups[i].end = offset;
    offset += count[i];
  }
  g.members.resize(offset);
  for (uint32_t pos = 0; pos < n; ++pos) {
    if (gid[pos] == kNoRule) continue;
    OpGroups::Group& grp = g.groups[gid[pos]];
    g.members[grp.end++] = pos;
    grp.mask |= g.masks[pos];
    if (g.fkey[pos] != kAnyDigest) g.fsv_literals.push_back(g.fkey[pos]);
    if (g.hkey[pos] != kAnyDigest) g.dm_literals.push_back(g.hkey[pos]);
  }
  for (OpGroups::Group& grp : g.groups) {
    if (grp.end - grp.begin <= kScanLimit) continue;
    grp.dense.assign(pointCount(op), Top2{});
    for (uint32_t k = grp.begin; k < grp.end; ++k)
      for (PointMask m = g.masks[g.members[k]]; m; m &= m - 1) grp.dense[lowestBit(m)].offer(g.members[k]);
  }
  for (auto* v : {&g.fsv_literals, &g.dm_literals}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  return g;
}

FastDecider::FastDecider(const ast::Policy& policy, const Target& t)
    : policy_(policy), t_(t), index_(PolicyIndex::build(policy)) {
  for (Op op : sl::kAllOps)
    if (opEvaluated(t, op)) ops_[static_cast<unsigned>(op)] = std::make_unique<OpGroups>(buildOpGroups(policy, index_, t, op));
}

Decision FastDecider::decide(const Event& e) const {
  const OpGroups* g = ops_[static_cast<unsigned>(e.op)].get();
  if (!g) return {sl::Action::Allow, DecisionKind::NotEvaluated, -1};
  const DigestId f = e.file && e.fsverity ? e.fsv_digest : kOtherDigest;
  const DigestId h = e.file && e.bdev == Bdev::DmVerity ? e.dm_roothash : kOtherDigest;
  Top2 top = g->top2(pointOf(e), f, h);
  if (top.first != kNoRule) {
    int32_t s = static_cast<int32_t>(g->rules[top.first]);
    return {policy_.statements[s].action, DecisionKind::Rule, s};
  }
  int32_t d = index_.op_default[static_cast<unsigned>(e.op)];
  if (d >= 0) return {policy_.statements[d].action, DecisionKind::OpDefault, d};
  if (index_.global_default >= 0)
    return {policy_.statements[index_.global_default].action, DecisionKind::GlobalDefault, index_.global_default};
  return {sl::Action::Allow, DecisionKind::NoDefault, -1};
}

namespace {

// Classifies the rules of one op by visiting every (slice, point) whose first two matches can
// differ from those already seen.
class OpReachability {
 public:
  OpReachability(const ast::Policy& policy, const PolicyIndex& index, const OpGroups& g,
                 const ReachabilityOptions& options, Reachability& out)
      : policy_(policy), g_(g), options_(options), out_(out) {
    default_stmt_ = index.defaultFor(g.op);
    default_action_ = default_stmt_ >= 0 ? policy.statements[default_stmt_].action : sl::Action::Allow;
  }

  void run() {
    for (uint32_t pos = 0; pos < g_.rules.size(); ++pos) {
      RuleResult& r = result(pos);
      r.mask = g_.masks[pos];
      r.cls = r.mask ? RuleClass::Shadowed : RuleClass::Dead;  // Reachable once it is seen first
    }
    broken_.assign(g_.rules.size(), false);
    enumerate();
    finish();
  }

 private:
  RuleResult& result(uint32_t pos) { return out_.rules[g_.rules[pos]]; }
  sl::Action action(uint32_t pos) const { return policy_.statements[g_.rules[pos]].action; }

  void visit(unsigned p, DigestId f, DigestId h) {
    Top2 top = g_.top2(p, f, h);
    if (top.first == kNoRule) return;
    RuleResult& r = result(top.first);
    if (r.cls != RuleClass::Reachable) {
      r.cls = RuleClass::Reachable;
      r.witness = pointEvent(g_.op, p, f, h);
    }
    const sl::Action fallback = top.second != kNoRule ? action(top.second) : default_action_;
    if (fallback != action(top.first)) {
      broken_[top.first] = true;
      return;
    }
    int32_t instead = top.second != kNoRule ? static_cast<int32_t>(g_.rules[top.second]) : default_stmt_;
    if (r.replacements.size() < 4 &&
        std::find(r.replacements.begin(), r.replacements.end(), instead) == r.replacements.end())
      r.replacements.push_back(instead);
  }

  void enumerate() {
    using Group = OpGroups::Group;
    // (other, other): every valid point.
    for (PointMask m = g_.valid; m; m &= m - 1) visit(lowestBit(m), kOtherDigest, kOtherDigest);
    // (f, other) and (other, h): only where that literal's rules can match; elsewhere the slice
    // equals (other, other).
    for (DigestId f : g_.fsv_literals)
      if (const Group* a = g_.group(f, kAnyDigest))
        for (PointMask m = a->mask & g_.fsv_points; m; m &= m - 1) visit(lowestBit(m), f, kOtherDigest);
    for (DigestId h : g_.dm_literals)
      if (const Group* b = g_.group(kAnyDigest, h))
        for (PointMask m = b->mask & g_.dm_points; m; m &= m - 1) visit(lowestBit(m), kOtherDigest, h);
    // (f, h): differs from both single-literal slices only at points with an fs-verity file on a
    // dm-verity volume where rules of both literals (or of the pair) match.
    const PointMask both = g_.fsv_points & g_.dm_points;
    if (!both) return;
    for (auto [f, h] : g_.pair_groups)
      for (PointMask m = g_.group(f, h)->mask & both; m; m &= m - 1) visit(lowestBit(m), f, h);
    std::vector<std::pair<DigestId, const Group*>> fa, hb;
    for (DigestId f : g_.fsv_literals)
      if (const Group* a = g_.group(f, kAnyDigest); a && (a->mask & both)) fa.emplace_back(f, a);
    for (DigestId h : g_.dm_literals)
      if (const Group* b = g_.group(kAnyDigest, h); b && (b->mask & both)) hb.emplace_back(h, b);
    const uint64_t pairs = uint64_t{fa.size()} * hb.size();
    out_.pairs_needed[static_cast<unsigned>(g_.op)] = pairs;
    if (pairs > options_.pair_budget) {
      out_.budget_exceeded[static_cast<unsigned>(g_.op)] = true;
      for (uint32_t pos = 0; pos < g_.rules.size(); ++pos)
        if (g_.masks[pos] & both) result(pos).redundancy_known = false;
      return;
    }
    for (auto [f, a] : fa)
      for (auto [h, b] : hb) {
        PointMask m = a->mask & b->mask & both;
        if (const Group* c = g_.group(f, h)) m &= ~c->mask;  // visited above
        for (; m; m &= m - 1) visit(lowestBit(m), f, h);
      }
  }

  void finish() {
    for (uint32_t pos = 0; pos < g_.rules.size(); ++pos) {
      RuleResult& r = result(pos);
      if (r.cls == RuleClass::Reachable) {
        r.redundant = !broken_[pos] && r.redundancy_known;
        if (!r.redundant) r.replacements.clear();
        continue;
      }
      if (r.cls != RuleClass::Shadowed) continue;
      // The earlier rules that take its events: the first match at each of its points, in its
      // own slice.
      const DigestId f = g_.fkey[pos] == kAnyDigest ? kOtherDigest : g_.fkey[pos];
      const DigestId h = g_.hkey[pos] == kAnyDigest ? kOtherDigest : g_.hkey[pos];
      for (PointMask m = r.mask; m; m &= m - 1) {
        Top2 top = g_.top2(lowestBit(m), f, h);
        if (top.first == kNoRule || top.first == pos) continue;
        uint32_t stmt = g_.rules[top.first];
        if (std::find(r.covering.begin(), r.covering.end(), stmt) == r.covering.end()) r.covering.push_back(stmt);
      }
      std::sort(r.covering.begin(), r.covering.end());
    }
  }

  const ast::Policy& policy_;
  const OpGroups& g_;
  const ReachabilityOptions& options_;
  Reachability& out_;
  int32_t default_stmt_ = -1;
  sl::Action default_action_ = sl::Action::Allow;
  std::vector<bool> broken_;  // deleting the rule changes some decision
};

}  // namespace

Reachability analyzeReachability(const ast::Policy& policy, const FastDecider& decider, const Target& t,
                                 const ReachabilityOptions& options) {
  const PolicyIndex& index = decider.index();
  Reachability out;
  out.rules.resize(policy.statements.size());
  for (Op op : sl::kAllOps) {
    const auto& rules = index.rules[static_cast<unsigned>(op)];
    if (rules.empty()) continue;
    if (!opEvaluated(t, op)) {
      for (uint32_t s : rules) out.rules[s].cls = RuleClass::Unenforced;
      continue;
    }
    OpReachability(policy, index, *decider.groups(op), options, out).run();
  }
  return out;
}

}  // namespace ipec::analysis
