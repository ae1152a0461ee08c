// SPDX-License-Identifier: Apache-2.0
#include "analysis/reachability.h"

#include <algorithm>

#include "analysis/redundancy.h"

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

bool OpGroups::scanned(const Group& g) { return g.end - g.begin <= kScanLimit; }

uint32_t OpGroups::firstIn(const Group* g, unsigned p) const {
  if (!g || !(g->mask >> p & 1)) return kNoRule;
  if (!scanned(*g)) return g->top[p][0];
  for (uint32_t k = g->begin; k < g->end; ++k)
    if (masks[members[k]] >> p & 1) return members[k];
  return kNoRule;
}

FirstTwo OpGroups::firstTwo(unsigned p, DigestId f, DigestId h) const {
  FirstTwo top;
  auto offer = [&](const Group* g) {
    if (!g || !(g->mask >> p & 1)) return;
    if (!scanned(*g)) {
      top.offer(g->top[p][0]);
      if (g->top[p][1] != kNoRule) top.offer(g->top[p][1]);
      return;
    }
    unsigned found = 0;
    for (uint32_t k = g->begin; k < g->end && found < 2; ++k)
      if (masks[members[k]] >> p & 1) {
        top.offer(members[k]);
        ++found;
      }
  };
  offer(group(kAnyDigest, kAnyDigest));
  if (f != kOtherDigest) offer(group(f, kAnyDigest));
  if (h != kOtherDigest) offer(group(kAnyDigest, h));
  if (f != kOtherDigest && h != kOtherDigest) offer(group(f, h));
  return top;
}

uint32_t OpGroups::first(unsigned p, DigestId f, DigestId h) const {
  uint32_t best = firstIn(group(kAnyDigest, kAnyDigest), p);
  if (f != kOtherDigest) best = std::min(best, firstIn(group(f, kAnyDigest), p));
  if (h != kOtherDigest) best = std::min(best, firstIn(group(kAnyDigest, h), p));
  if (f != kOtherDigest && h != kOtherDigest) best = std::min(best, firstIn(group(f, h), p));
  return best;
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
    if (OpGroups::scanned(grp)) continue;
    grp.top.assign(pointCount(op), {kNoRule, kNoRule});
    for (uint32_t k = grp.end; k-- > grp.begin;)  // backwards: each member comes before those seen
      for (PointMask m = g.masks[g.members[k]]; m; m &= m - 1) {
        const unsigned p = lowestBit(m);
        grp.top[p] = {g.members[k], grp.top[p][0]};
      }
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
  const uint32_t first = g->first(pointOf(e), f, h);
  if (first != kNoRule) {
    int32_t s = static_cast<int32_t>(g->rules[first]);
    return {policy_.statements[s].action, DecisionKind::Rule, s};
  }
  int32_t d = index_.op_default[static_cast<unsigned>(e.op)];
  if (d >= 0) return {policy_.statements[d].action, DecisionKind::OpDefault, d};
  if (index_.global_default >= 0)
    return {policy_.statements[index_.global_default].action, DecisionKind::GlobalDefault, index_.global_default};
  return {sl::Action::Allow, DecisionKind::NoDefault, -1};
}

namespace {

// Classifies the rules of one op by visiting every (slice, point) whose set of matching rules
// can differ from those already seen (steps 1 to 4 of docs/analysis.md; step 5 is left to the
// redundancy pass), then judges redundancy on the same cells.
class OpReachability {
 public:
  OpReachability(const ast::Policy& policy, const PolicyIndex& index, const OpGroups& g,
                 const ReachabilityOptions& options, Reachability& out)
      : policy_(policy), g_(g), options_(options), out_(out), op_(out.ops[static_cast<unsigned>(g.op)]) {
    default_stmt_ = index.defaultFor(g.op);
    default_action_ = default_stmt_ >= 0 ? policy.statements[default_stmt_].action : sl::Action::Allow;
  }

  void run() {
    const uint32_t n = static_cast<uint32_t>(g_.rules.size());
    for (uint32_t pos = 0; pos < n; ++pos) {
      RuleResult& r = result(pos);
      r.mask = g_.masks[pos];
      r.cls = r.mask ? RuleClass::Shadowed : RuleClass::Dead;  // Reachable once it is seen first
    }
    op_.has_events = g_.valid != 0;
    planCrossPairs();
    CellBuckets cells;
    std::vector<uint32_t> plain_firsts;
    countCells(cells, plain_firsts);
    fillCells(cells);
    finishOp(std::move(plain_firsts));
    judgeRedundancy(policy_, g_, cells, cross_, default_stmt_, out_);
    coverShadowed();
  }

 private:
  RuleResult& result(uint32_t pos) { return out_.rules[g_.rules[pos]]; }
  sl::Action action(uint32_t pos) const { return policy_.statements[g_.rules[pos]].action; }

  // First pass: the first match of every cell gives reachability, the witnesses, whether the
  // DEFAULT is reached (and the (other, other) first matches), and the size of each bucket.
  void countCells(CellBuckets& cells, std::vector<uint32_t>& plain_firsts) {
    const uint32_t n = static_cast<uint32_t>(g_.rules.size());
    cells.begin.assign(n + 1, 0);
    cells.settled.assign(n, false);
    forEachCell([&](unsigned p, DigestId f, DigestId h) {
      const FirstTwo top = g_.firstTwo(p, f, h);
      const uint32_t k = top.first;
      if (k == kNoRule) {
        op_.default_reached = true;  // only in step 1: every other visit has a matching group
        return;
      }
      if (f == kOtherDigest && h == kOtherDigest) plain_firsts.push_back(k);
      RuleResult& r = result(k);
      if (r.cls != RuleClass::Reachable) {
        r.cls = RuleClass::Reachable;
        r.witness = pointEvent(g_.op, p, f, h);
      }
      // Only k matches here: without it the DEFAULT decides, whatever else is deleted.
      if (top.second == kNoRule && action(k) != default_action_) cells.settled[k] = true;
      if (r.redundancy_known) ++cells.begin[k + 1];
    });
    // Rules settled as kept need no cells: in an allowlist, that is every rule.
    for (uint32_t k = 0; k < n; ++k) cells.begin[k + 1] = cells.begin[k] + (cells.settled[k] ? 0 : cells.begin[k + 1]);
  }

  // Second pass: the same cells, into their first match's bucket.
  void fillCells(CellBuckets& cells) {
    const uint32_t total = cells.begin.back();
    cells.f.resize(total);
    cells.h.resize(total);
    cells.p.resize(total);
    if (total == 0) return;
    std::vector<uint32_t> fill(cells.begin.begin(), cells.begin.end() - 1);
    forEachCell([&](unsigned p, DigestId f, DigestId h) {
      const uint32_t k = g_.first(p, f, h);
      if (k == kNoRule || !result(k).redundancy_known || cells.settled[k]) return;
      const uint32_t i = fill[k]++;
      cells.f[i] = f;
      cells.h[i] = h;
      cells.p[i] = static_cast<uint8_t>(p);
    });
  }

  // Step 5's pairs, and whether they fit the budget; past it, rules that can match at the
  // points with both digests are kept without a redundancy claim.
  void planCrossPairs() {
    CrossPairs& c = cross_;
    c.both = g_.fsv_points & g_.dm_points;
    if (!c.both) return;
    for (DigestId f : g_.fsv_literals)
      if (const OpGroups::Group* a = g_.group(f, kAnyDigest); a && (a->mask & c.both)) c.fa.emplace_back(f, a);
    for (DigestId h : g_.dm_literals)
      if (const OpGroups::Group* b = g_.group(kAnyDigest, h); b && (b->mask & c.both)) c.hb.emplace_back(h, b);
    const uint64_t pairs = uint64_t{c.fa.size()} * c.hb.size();
    out_.pairs_needed[static_cast<unsigned>(g_.op)] = pairs;
    if (pairs <= options_.pair_budget) return;
    out_.budget_exceeded[static_cast<unsigned>(g_.op)] = true;
    c.examined = false;
    for (uint32_t pos = 0; pos < g_.rules.size(); ++pos)
      if (g_.masks[pos] & c.both) result(pos).redundancy_known = false;
  }

  template <class Visit>
  void forEachCell(Visit&& visit) const {
    using Group = OpGroups::Group;
    for (PointMask m = g_.valid; m; m &= m - 1) visit(lowestBit(m), kOtherDigest, kOtherDigest);
    // (f, other) and (other, h): only where that literal's rules can match; elsewhere the slice
    // equals (other, other).
    for (DigestId f : g_.fsv_literals)
      if (const Group* a = g_.group(f, kAnyDigest))
        for (PointMask m = a->mask & g_.fsv_points; m; m &= m - 1) visit(lowestBit(m), f, kOtherDigest);
    for (DigestId h : g_.dm_literals)
      if (const Group* b = g_.group(kAnyDigest, h))
        for (PointMask m = b->mask & g_.dm_points; m; m &= m - 1) visit(lowestBit(m), kOtherDigest, h);
    // (f, h) where a rule testing both literals matches. The other (f, h) cells (step 5) only
    // matter for redundancy; the redundancy pass enumerates them rule by rule.
    for (auto [f, h] : g_.pair_groups)
      for (PointMask m = g_.group(f, h)->mask & cross_.both; m; m &= m - 1) visit(lowestBit(m), f, h);
  }

  // The DEFAULT and the set of actions. Every first match is seen in steps 1 to 4, and a
  // (other, other) first match tests no digest, so it matches every event at its point.
  void finishOp(std::vector<uint32_t> plain_firsts) {
    if (op_.default_reached) op_.actions |= uint8_t(1u << static_cast<unsigned>(default_action_));
    for (uint32_t pos = 0; pos < g_.rules.size(); ++pos)
      if (result(pos).cls == RuleClass::Reachable) op_.actions |= uint8_t(1u << static_cast<unsigned>(action(pos)));
    if (op_.default_reached || !op_.has_events) return;
    for (uint32_t k : plain_firsts) op_.default_cover.push_back(g_.rules[k]);
    std::sort(op_.default_cover.begin(), op_.default_cover.end());
    op_.default_cover.erase(std::unique(op_.default_cover.begin(), op_.default_cover.end()), op_.default_cover.end());
  }

  // The earlier rules that take a shadowed rule's events: the first match at each of its points,
  // in its own slice.
  void coverShadowed() {
    for (uint32_t pos = 0; pos < g_.rules.size(); ++pos) {
      RuleResult& r = result(pos);
      if (r.cls != RuleClass::Shadowed) continue;
      const DigestId f = g_.fkey[pos] == kAnyDigest ? kOtherDigest : g_.fkey[pos];
      const DigestId h = g_.hkey[pos] == kAnyDigest ? kOtherDigest : g_.hkey[pos];
      for (PointMask m = r.mask; m; m &= m - 1) {
        const uint32_t first = g_.first(lowestBit(m), f, h);
        if (first == kNoRule || first == pos) continue;
        uint32_t stmt = g_.rules[first];
        if (std::find(r.covering.begin(), r.covering.end(), stmt) == r.covering.end()) r.covering.push_back(stmt);
      }
      std::sort(r.covering.begin(), r.covering.end());
    }
  }

  const ast::Policy& policy_;
  const OpGroups& g_;
  const ReachabilityOptions& options_;
  Reachability& out_;
  OpResult& op_;
  int32_t default_stmt_ = -1;
  sl::Action default_action_ = sl::Action::Allow;
  CrossPairs cross_;
};

}  // namespace

Reachability analyzeReachability(const ast::Policy& policy, const FastDecider& decider, const Target& t,
                                 const ReachabilityOptions& options) {
  const PolicyIndex& index = decider.index();
  Reachability out;
  out.rules.resize(policy.statements.size());
  for (Op op : sl::kAllOps) {
    const auto& rules = index.rules[static_cast<unsigned>(op)];
    if (!opEvaluated(t, op)) {
      for (uint32_t s : rules) out.rules[s].cls = RuleClass::Unenforced;
      continue;
    }
    OpReachability(policy, index, *decider.groups(op), options, out).run();
  }
  return out;
}

}  // namespace ipec::analysis
