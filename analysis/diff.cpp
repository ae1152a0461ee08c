// SPDX-License-Identifier: Apache-2.0
#include "analysis/diff.h"

#include <algorithm>
#include <map>
#include <unordered_set>

#include "analysis/reachability.h"

namespace ipec::analysis {
namespace {

namespace sl = ipec::stdlib;

unsigned lowestBit(PointMask m) { return static_cast<unsigned>(__builtin_ctzll(m)); }

// One policy's rules of one op, and what decides when none matches.
struct Side {
  const ast::Policy& policy;
  const OpGroups& g;
  Decision fallback;

  sl::Action action(uint32_t pos) const { return policy.statements[g.rules[pos]].action; }
  uint32_t firstIn(DigestId f, DigestId h, unsigned p) const { return g.firstIn(g.group(f, h), p); }
  Decision at(unsigned p, DigestId f, DigestId h) const {
    const uint32_t k = g.first(p, f, h);
    if (k == kNoRule) return fallback;
    return {action(k), DecisionKind::Rule, static_cast<int32_t>(g.rules[k])};
  }
};

Decision fallbackOf(const ast::Policy& policy, const PolicyIndex& index, Op op) {
  const int32_t d = index.op_default[static_cast<unsigned>(op)];
  if (d >= 0) return {policy.statements[d].action, DecisionKind::OpDefault, d};
  if (index.global_default >= 0)
    return {policy.statements[index.global_default].action, DecisionKind::GlobalDefault, index.global_default};
  return {sl::Action::Allow, DecisionKind::NoDefault, -1};
}

// A digest literal at one point, for step 5: `x1` is compared with the other kind's threshold,
// `x2` with the other kind's position in the other policy (kNoRule counts as infinity).
struct Lit {
  DigestId digest;
  uint32_t x1, x2;
  sl::Action action;
};

// Calls report(x, y) for every x in xs and y in ys with x.x1 < y.x1, y.x2 < x.x2 and different
// actions, until it returns false. O((|xs| + |ys|) log |xs| + pairs reported): a sweep over
// y.x1 with the x's inserted so far kept ordered by x2, one ordering per action.
template <class Report>
bool dominancePairs(std::vector<Lit>& xs, std::vector<Lit>& ys, Report&& report) {
  auto by_x1 = [](const Lit& a, const Lit& b) { return a.x1 < b.x1; };
  std::sort(xs.begin(), xs.end(), by_x1);
  std::sort(ys.begin(), ys.end(), by_x1);
  std::array<std::multimap<uint32_t, uint32_t>, 2> open;  // by action: x2 -> index into xs
  size_t next = 0;
  for (const Lit& y : ys) {
    for (; next < xs.size() && xs[next].x1 < y.x1; ++next)
      open[static_cast<unsigned>(xs[next].action)].emplace(xs[next].x2, static_cast<uint32_t>(next));
    const auto& other = open[1 - static_cast<unsigned>(y.action)];
    for (auto it = other.upper_bound(y.x2); it != other.end(); ++it)
      if (!report(xs[it->second], y)) return false;
  }
  return true;
}

std::vector<DigestId> sortedUnion(const std::vector<DigestId>& a, const std::vector<DigestId>& b) {
  std::vector<DigestId> out;
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

class OpDiffer {
 public:
  OpDiffer(const Side& old_side, const Side& new_side, const DiffOptions& options, OpDiff& out)
      : old_(old_side), new_(new_side), options_(options), out_(out) {}

  void run() {
    const OpGroups& o = old_.g;
    const OpGroups& n = new_.g;
    const PointMask both = o.fsv_points & o.dm_points;
    // Steps 1 to 4 of the reachability visit, over the literals and groups of both policies.
    for (PointMask m = o.valid; m && !stop_; m &= m - 1) offer(lowestBit(m), kOtherDigest, kOtherDigest);
    for (DigestId f : sortedUnion(o.fsv_literals, n.fsv_literals))
      for (PointMask m = (maskOf(o, f, kAnyDigest) | maskOf(n, f, kAnyDigest)) & o.fsv_points; m && !stop_; m &= m - 1)
        offer(lowestBit(m), f, kOtherDigest);
    for (DigestId h : sortedUnion(o.dm_literals, n.dm_literals))
      for (PointMask m = (maskOf(o, kAnyDigest, h) | maskOf(n, kAnyDigest, h)) & o.dm_points; m && !stop_; m &= m - 1)
        offer(lowestBit(m), kOtherDigest, h);
    std::vector<std::pair<DigestId, DigestId>> pairs = o.pair_groups;
    pairs.insert(pairs.end(), n.pair_groups.begin(), n.pair_groups.end());
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
    for (auto [f, h] : pairs)
      for (PointMask m = (maskOf(o, f, h) | maskOf(n, f, h)) & both; m && !stop_; m &= m - 1) offer(lowestBit(m), f, h);
    // Step 5: only cells where one policy's first match tests the fs-verity digest and the
    // other's the root hash can pair two deciders no other cell pairs.
    for (PointMask m = both; m && !stop_; m &= m - 1) {
      const unsigned p = lowestBit(m);
      mixedCells(p, old_, new_);
      if (!stop_) mixedCells(p, new_, old_);
    }
    std::sort(out_.changes.begin(), out_.changes.end(), [](const DecisionChange& a, const DecisionChange& b) {
      return std::pair(a.old_decision.statement, a.new_decision.statement) <
             std::pair(b.old_decision.statement, b.new_decision.statement);
    });
  }

 private:
  static PointMask maskOf(const OpGroups& g, DigestId f, DigestId h) {
    const OpGroups::Group* grp = g.group(f, h);
    return grp ? grp->mask : 0;
  }

  void offer(unsigned p, DigestId f, DigestId h) {
    const Decision o = old_.at(p, f, h), n = new_.at(p, f, h);
    if (o.action == n.action) return;
    const uint64_t key = (uint64_t{static_cast<uint32_t>(o.statement)} << 32) | static_cast<uint32_t>(n.statement);
    if (!seen_.insert(key).second) return;
    if (options_.max_classes && out_.changes.size() == options_.max_classes) {
      out_.truncated = true;
      stop_ = true;
      return;
    }
    out_.changes.push_back({pointEvent(old_.g.op, p, f, h), o, n});
  }

  // The cells (p, f, h) at which `fa`'s first match is in its group (f, ANY) and `hb`'s in its
  // group (ANY, h), no rule of either tests both f and h, and the actions differ: each pairs a
  // distinct (rule, rule), so the enumeration costs what it reports.
  void mixedCells(unsigned p, const Side& fa, const Side& hb) {
    const uint32_t fa_plain = fa.firstIn(kAnyDigest, kAnyDigest, p);
    const uint32_t hb_plain = hb.firstIn(kAnyDigest, kAnyDigest, p);
    std::vector<Lit> xs, ys;
    for (DigestId f : fa.g.fsv_literals) {
      const uint32_t a = fa.firstIn(f, kAnyDigest, p);
      if (a < fa_plain) xs.push_back({f, a, hb.firstIn(f, kAnyDigest, p), fa.action(a)});
    }
    for (DigestId h : hb.g.dm_literals) {
      const uint32_t d = hb.firstIn(kAnyDigest, h, p);
      if (d < hb_plain) ys.push_back({h, fa.firstIn(kAnyDigest, h, p), d, hb.action(d)});
    }
    dominancePairs(xs, ys, [&](const Lit& x, const Lit& y) {
      if (fa.firstIn(x.digest, y.digest, p) == kNoRule && hb.firstIn(x.digest, y.digest, p) == kNoRule)
        offer(p, x.digest, y.digest);
      return !stop_;
    });
  }

  const Side& old_;
  const Side& new_;
  const DiffOptions& options_;
  OpDiff& out_;
  std::unordered_set<uint64_t> seen_;
  bool stop_ = false;
};

}  // namespace

ast::Policy alignDigests(const ast::Policy& old_policy, const ast::Policy& new_policy) {
  ast::Policy out;
  out.header = new_policy.header;
  out.statements = new_policy.statements;
  out.properties = new_policy.properties;
  for (DigestId d = 0; d < old_policy.digests.size(); ++d) {
    const DigestView v = old_policy.digests.get(d);
    out.digests.intern(v.alg, v.bytes);  // ids are given in order, so OLD's ids stay
  }
  std::vector<DigestId> renumbered(new_policy.digests.size());
  for (DigestId d = 0; d < new_policy.digests.size(); ++d) {
    const DigestView v = new_policy.digests.get(d);
    renumbered[d] = out.digests.intern(v.alg, v.bytes);
  }
  for (ast::Property& p : out.properties)
    if (sl::propDomain(p.prop) == sl::Domain::Digest) p.digest = renumbered[p.digest];
  return out;
}

bool SemanticDiff::equivalent() const {
  return std::all_of(ops.begin(), ops.end(), [](const OpDiff& d) { return d.equivalent(); });
}

SemanticDiff diffPolicies(const ast::Policy& old_policy, const ast::Policy& new_aligned, const Target& t,
                          const DiffOptions& options) {
  SemanticDiff out;
  const PolicyIndex old_index = PolicyIndex::build(old_policy), new_index = PolicyIndex::build(new_aligned);
  for (Op op : sl::kAllOps) {
    OpDiff& d = out.ops[static_cast<unsigned>(op)];
    d.evaluated = opEvaluated(t, op);
    if (!d.evaluated) continue;
    const OpGroups old_groups = buildOpGroups(old_policy, old_index, t, op);
    const OpGroups new_groups = buildOpGroups(new_aligned, new_index, t, op);
    const Side old_side{old_policy, old_groups, fallbackOf(old_policy, old_index, op)};
    const Side new_side{new_aligned, new_groups, fallbackOf(new_aligned, new_index, op)};
    OpDiffer(old_side, new_side, options, d).run();
  }
  return out;
}

}  // namespace ipec::analysis
