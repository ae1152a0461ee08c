// SPDX-License-Identifier: Apache-2.0
#include "analysis/redundancy.h"

#include <algorithm>

namespace ipec::analysis {
namespace {

namespace sl = ipec::stdlib;

unsigned lowestBit(PointMask m) { return static_cast<unsigned>(__builtin_ctzll(m)); }

// For a group too large to scan: per point, the members matching there in file order, each list
// ending in a sentinel. `next` skips members known not to be kept (a union-find with path
// halving: each index points to itself or to a later index of its list); `cursor` is the first
// member after the rule being judged, and only moves towards the front.
struct PointLists {
  std::vector<uint32_t> start;   // per point, and one past the last list
  std::vector<uint32_t> cursor;  // per point
  std::vector<uint32_t> item;    // member positions; kNoRule at each sentinel
  std::vector<uint32_t> next;
};

// In one group or over the groups of a cell: the first match after the rule being judged, and
// the first kept one.
struct After {
  uint32_t any = kNoRule, kept = kNoRule;
  void merge(After o) {
    any = std::min(any, o.any);
    kept = std::min(kept, o.kept);
  }
};

template <class T>
void addDistinct(std::vector<T>& v, T x, size_t cap) {
  if (v.size() < cap && std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

class GreedyPass {
 public:
  GreedyPass(const ast::Policy& policy, const OpGroups& g, const CellBuckets& cells, const CrossPairs& cross,
             int32_t default_stmt, Reachability& out)
      : policy_(policy), g_(g), cells_(cells), cross_(cross), out_(out), default_stmt_(default_stmt) {
    default_action_ = default_stmt >= 0 ? policy.statements[default_stmt].action : sl::Action::Allow;
    kept_.resize(g.rules.size());
    for (uint32_t pos = 0; pos < g.rules.size(); ++pos) kept_[pos] = result(pos).cls == RuleClass::Reachable;
    for (uint32_t gi = 0; gi < g.groups.size(); ++gi)
      if (!OpGroups::scanned(g.groups[gi])) {
        if (list_of_.empty()) list_of_.assign(g.groups.size(), kNoRule);  // most policies have none
        list_of_[gi] = static_cast<uint32_t>(lists_.size());
        build(g.groups[gi], lists_.emplace_back());
      }
  }

  // Every rule after k is final when k is judged.
  void run() {
    for (uint32_t k = static_cast<uint32_t>(g_.rules.size()); k-- > 0;) judge(k);
  }

 private:
  RuleResult& result(uint32_t pos) { return out_.rules[g_.rules[pos]]; }
  sl::Action action(uint32_t pos) const { return policy_.statements[g_.rules[pos]].action; }

  void build(const OpGroups::Group& grp, PointLists& l) {
    const unsigned points = pointCount(g_.op);
    std::vector<uint32_t> count(points, 0);
    for (uint32_t j = grp.begin; j < grp.end; ++j)
      for (PointMask m = g_.masks[g_.members[j]]; m; m &= m - 1) ++count[lowestBit(m)];
    l.start.assign(points + 1, 0);
    for (unsigned p = 0; p < points; ++p) l.start[p + 1] = l.start[p] + count[p] + 1;
    l.item.assign(l.start[points], kNoRule);
    l.next.resize(l.start[points]);
    for (uint32_t i = 0; i < l.next.size(); ++i) l.next[i] = i;
    l.cursor.resize(points);
    for (unsigned p = 0; p < points; ++p) l.cursor[p] = l.start[p + 1] - 1;  // the sentinel
    std::vector<uint32_t> fill(l.start.begin(), l.start.end() - 1);
    for (uint32_t j = grp.begin; j < grp.end; ++j) {
      const uint32_t m = g_.members[j];
      for (PointMask pm = g_.masks[m]; pm; pm &= pm - 1) {
        const uint32_t i = fill[lowestBit(pm)]++;
        l.item[i] = m;
        if (!kept_[m]) l.next[i] = i + 1;  // unreachable: never kept
      }
    }
  }

  PointLists& lists(const OpGroups::Group* grp) {
    return lists_[list_of_[static_cast<size_t>(grp - g_.groups.data())]];
  }

  static uint32_t find(std::vector<uint32_t>& next, uint32_t i) {
    while (next[i] != i) {
      next[i] = next[next[i]];
      i = next[i];
    }
    return i;
  }

  After afterIn(const OpGroups::Group* grp, unsigned p, uint32_t k) {
    After out;
    if (!grp || !(grp->mask >> p & 1)) return out;
    if (OpGroups::scanned(*grp)) {
      for (uint32_t j = grp->begin; j < grp->end; ++j) {
        const uint32_t m = g_.members[j];
        if (m <= k || !(g_.masks[m] >> p & 1)) continue;
        out.any = std::min(out.any, m);
        if (kept_[m]) {
          out.kept = m;
          break;
        }
      }
      return out;
    }
    PointLists& l = lists(grp);
    uint32_t cur = l.cursor[p];
    while (cur > l.start[p] && l.item[cur - 1] > k) --cur;
    l.cursor[p] = cur;
    out.any = l.item[cur];
    out.kept = l.item[find(l.next, cur)];
    return out;
  }

  // Over the (at most four) groups that can match in the cell's slice.
  After after(unsigned p, DigestId f, DigestId h, uint32_t k) {
    After out = afterIn(g_.group(kAnyDigest, kAnyDigest), p, k);
    if (f != kOtherDigest) out.merge(afterIn(g_.group(f, kAnyDigest), p, k));
    if (h != kOtherDigest) out.merge(afterIn(g_.group(kAnyDigest, h), p, k));
    if (f != kOtherDigest && h != kOtherDigest) out.merge(afterIn(g_.group(f, h), p, k));
    return out;
  }

  void drop(uint32_t k) {
    kept_[k] = false;
    const OpGroups::Group* grp = g_.group(g_.fkey[k], g_.hkey[k]);
    if (OpGroups::scanned(*grp)) return;
    PointLists& l = lists(grp);
    for (PointMask m = g_.masks[k]; m; m &= m - 1) {
      const unsigned p = lowestBit(m);
      uint32_t cur = l.cursor[p];
      while (cur > l.start[p] && l.item[cur - 1] >= k) --cur;
      l.cursor[p] = cur;
      l.next[cur] = cur + 1;  // item[cur] is k
    }
  }

  // On a cell where k is first, the decision without k is the first kept match after it, or the
  // DEFAULT: rules before k do not match there. False when that changes the action.
  bool keeps(uint32_t k, RuleResult& r, unsigned p, DigestId f, DigestId h) {
    const After next = after(p, f, h, k);
    const sl::Action a = action(k);
    const sl::Action instead = next.kept != kNoRule ? action(next.kept) : default_action_;
    if (instead != a) return false;
    addDistinct(r.replacements, next.kept != kNoRule ? static_cast<int32_t>(g_.rules[next.kept]) : default_stmt_, 4);
    if (next.any != next.kept && action(next.any) != a) addDistinct(r.bypassed, g_.rules[next.any], 3);
    return true;
  }

  // The step-5 cells on which k is first: k tests one digest literal, the group of the other
  // literal matches at the point and only after k, and no rule tests both literals there (that
  // cell is stored, from step 4). A rule that tests no digest gains nothing from step 5
  // (docs/analysis.md), and one that tests both has only step-4 cells.
  bool keepsCross(uint32_t k, RuleResult& r) {
    const bool fs = g_.fkey[k] != kAnyDigest, dm = g_.hkey[k] != kAnyDigest;
    if (!cross_.examined || fs == dm) return true;
    const OpGroups::Group* own = g_.group(g_.fkey[k], g_.hkey[k]);
    const OpGroups::Group* plain = g_.group(kAnyDigest, kAnyDigest);
    for (PointMask m = g_.masks[k] & cross_.both; m; m &= m - 1) {
      const unsigned p = lowestBit(m);
      if (g_.firstIn(own, p) != k || g_.firstIn(plain, p) < k) continue;
      for (auto [literal, other] : fs ? cross_.hb : cross_.fa) {
        if (!(other->mask >> p & 1) || g_.firstIn(other, p) < k) continue;
        const DigestId f = fs ? g_.fkey[k] : literal, h = fs ? literal : g_.hkey[k];
        if (g_.firstIn(g_.group(f, h), p) != kNoRule) continue;
        if (!keeps(k, r, p, f, h)) return false;
      }
    }
    return true;
  }

  void judge(uint32_t k) {
    RuleResult& r = result(k);
    if (r.cls != RuleClass::Reachable || !r.redundancy_known) return;
    bool redundant = !cells_.settled[k];
    for (uint32_t c = cells_.begin[k]; c < cells_.begin[k + 1] && redundant; ++c)
      redundant = keeps(k, r, cells_.p[c], cells_.f[c], cells_.h[c]);
    if (redundant && keepsCross(k, r)) {
      r.redundant = true;
      drop(k);
      return;
    }
    r.replacements.clear();
    r.bypassed.clear();
  }

  const ast::Policy& policy_;
  const OpGroups& g_;
  const CellBuckets& cells_;
  const CrossPairs& cross_;
  Reachability& out_;
  int32_t default_stmt_;
  sl::Action default_action_ = sl::Action::Allow;
  std::vector<bool> kept_;  // by position: reachable and not flagged (final for rules after the one judged)
  std::vector<uint32_t> list_of_;  // by group: its index in lists_, kNoRule for scanned groups
  std::vector<PointLists> lists_;  // for the groups too large to scan
};

}  // namespace

void judgeRedundancy(const ast::Policy& policy, const OpGroups& g, const CellBuckets& cells, const CrossPairs& cross,
                     int32_t default_stmt, Reachability& out) {
  GreedyPass(policy, g, cells, cross, default_stmt, out).run();
}

}  // namespace ipec::analysis
