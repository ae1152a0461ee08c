// SPDX-License-Identifier: Apache-2.0
// Exact reachability and redundancy of every rule, in time near-linear in the policy, and an
// O(1)-per-event decision engine built on the same structure.
//
// Over the event model, an event splits into a *point* (everything but the digests: at most 64
// per op, so rule sets are bit masks) and a *slice* (the fs-verity digest and dm-verity root
// hash: a literal of the policy or "other"). Rules are grouped by the digest literals they test;
// in a slice only four groups can match, and at one point the first two matches of each group
// decide everything. So each (slice, point) costs O(1), and only O(rules) of them differ from
// one another. docs/analysis.md gives the argument.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "analysis/decide.h"

namespace ipec::analysis {

inline constexpr DigestId kAnyDigest = 0xFFFFFFFEu;  // a rule that does not test the digest
inline constexpr uint32_t kNoRule = 0xFFFFFFFFu;

// The first two matches at one point (positions in the op's rule list).
struct Top2 {
  uint32_t first = kNoRule, second = kNoRule;
  void offer(uint32_t pos) {
    if (pos < first) {
      second = first;
      first = pos;
    } else if (pos < second && pos != first) {
      second = pos;
    }
  }
};

// The rules of one op, grouped by (fs-verity literal, dm-verity literal).
struct OpGroups {
  struct Group {
    uint32_t begin = 0, end = 0;  // into members
    PointMask mask = 0;           // union of the members' masks
    std::vector<Top2> dense;      // per point, for groups too large to scan
  };
  Op op{};
  PointMask valid = 0, fsv_points = 0, dm_points = 0;
  std::vector<uint32_t> rules;   // statement indices, file order
  std::vector<PointMask> masks;  // per rule: points where all its properties hold in its slice
  std::vector<DigestId> fkey, hkey;
  std::vector<Group> groups;
  std::vector<uint32_t> members;
  std::unordered_map<uint64_t, uint32_t> group_of;
  std::vector<DigestId> fsv_literals, dm_literals;        // sorted, of live rules
  std::vector<std::pair<DigestId, DigestId>> pair_groups;  // groups that test both

  const Group* group(DigestId f, DigestId h) const;
  void offer(const Group* g, unsigned p, Top2& top) const;
  // The first two matches for the event at point p with digests f and h (literals or other).
  Top2 top2(unsigned p, DigestId f, DigestId h) const;
};

OpGroups buildOpGroups(const ast::Policy& policy, const PolicyIndex& index, const Target& t, Op op);

// Decides events in O(1) (a few hash probes), agreeing with decide().
class FastDecider {
 public:
  FastDecider(const ast::Policy& policy, const Target& t);
  Decision decide(const Event& e) const;
  const PolicyIndex& index() const { return index_; }
  // The grouped rules of an op the target evaluates; null otherwise.
  const OpGroups* groups(Op op) const { return ops_[static_cast<unsigned>(op)].get(); }

 private:
  const ast::Policy& policy_;
  const Target& t_;
  PolicyIndex index_;
  std::array<std::unique_ptr<OpGroups>, stdlib::kNumOps> ops_;
};

enum class RuleClass : uint8_t {
  Unenforced,  // the op's hook never fires on the target
  Dead,        // no event makes all its properties true
  Shadowed,    // not dead, but earlier rules match every event it matches
  Reachable,   // the first match for at least one event
};

struct RuleResult {
  RuleClass cls = RuleClass::Dead;
  bool redundant = false;         // reachable, and deleting it changes no decision
  bool redundancy_known = true;   // false when the analysis budget stopped the proof
  PointMask mask = 0;             // points where all its properties hold (in its own slice)
  std::optional<Event> witness;   // reachable: an event on which it is the first match
  std::vector<uint32_t> covering;      // shadowed: the earlier rules that match its events
  std::vector<int32_t> replacements;   // redundant: what decides instead (statement indices)
};

struct ReachabilityOptions {
  // Upper bound on (fs-verity literal, dm-verity literal) slice pairs examined per op for the
  // redundancy proof. Beyond it, redundancy of the rules those slices touch is not claimed.
  uint64_t pair_budget = 4'000'000;
};

struct Reachability {
  std::vector<RuleResult> rules;  // indexed by statement index; DEFAULT entries are unused
  std::array<bool, stdlib::kNumOps> budget_exceeded{};
  std::array<uint64_t, stdlib::kNumOps> pairs_needed{};
};

Reachability analyzeReachability(const ast::Policy& policy, const FastDecider& decider, const Target& t,
                                 const ReachabilityOptions& options = {});

}  // namespace ipec::analysis
