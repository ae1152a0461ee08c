// SPDX-License-Identifier: Apache-2.0
// Exact reachability and redundancy of every rule, in time near-linear in the policy, and an
// O(1)-per-event decision engine built on the same structure.
//
// Over the event model, an event splits into a *point* (everything but the digests: at most 64
// per op, so rule sets are bit masks) and a *slice* (the fs-verity digest and dm-verity root
// hash: a literal of the policy or "other"). Rules are grouped by the digest literals they test;
// in a slice only four groups can match, so the first match at one (slice, point) costs O(1), and
// only O(rules) of them differ from one another. docs/analysis.md gives the argument.
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

// The first two matches at one point and slice (positions in the op's rule list).
struct FirstTwo {
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
    // For groups too large to scan: per point, the first two members matching there.
    std::vector<std::array<uint32_t, 2>> top;
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
  // The first member of `g` matching at point p (kNoRule if none or no group).
  uint32_t firstIn(const Group* g, unsigned p) const;
  // The first match (position) for the event at point p with digests f and h (literals or
  // other); kNoRule if no rule matches.
  uint32_t first(unsigned p, DigestId f, DigestId h) const;
  FirstTwo firstTwo(unsigned p, DigestId f, DigestId h) const;
  // Whether the group scans its members instead of keeping `top` per point.
  static bool scanned(const Group& g);
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
  // Reachable, and judged redundant by the greedy pass of docs/analysis.md: deleting every rule
  // that is unreachable or redundant, all at once, changes no decision.
  bool redundant = false;
  bool redundancy_known = true;   // false when the analysis budget stopped the proof (then kept)
  PointMask mask = 0;             // points where all its properties hold (in its own slice)
  std::optional<Event> witness;   // reachable: an event on which it is the first match
  std::vector<uint32_t> covering;      // shadowed: the earlier rules that match its events
  // Redundant: what decides its events once the flagged rules are deleted (statement indices of
  // kept rules or the DEFAULT, -1 for none), up to four.
  std::vector<int32_t> replacements;
  // Redundant: flagged rules after it that would decide some of its events with the other
  // action if it alone were deleted (statement indices), up to three.
  std::vector<uint32_t> bypassed;
};

// What the events of one op get, over all its events on the target.
struct OpResult {
  bool has_events = false;       // the hook fires on the target and the op has events there
  bool default_reached = false;  // some event matches no rule and is decided by the DEFAULT
  // When the DEFAULT is not reached: rules (statement indices, sorted) that together match every
  // event of the op; each matches every event at the points where it is named.
  std::vector<uint32_t> default_cover;
  uint8_t actions = 0;  // bit (1 << Action) for every action some event gets
  bool gets(stdlib::Action a) const { return actions >> static_cast<unsigned>(a) & 1; }
};

struct ReachabilityOptions {
  // Upper bound on (fs-verity literal, dm-verity literal) slice pairs examined per op for the
  // redundancy proof. Beyond it, redundancy of the rules those slices touch is not claimed.
  uint64_t pair_budget = 4'000'000;
};

struct Reachability {
  std::vector<RuleResult> rules;  // indexed by statement index; DEFAULT entries are unused
  std::array<OpResult, stdlib::kNumOps> ops{};
  std::array<bool, stdlib::kNumOps> budget_exceeded{};
  std::array<uint64_t, stdlib::kNumOps> pairs_needed{};
};

Reachability analyzeReachability(const ast::Policy& policy, const FastDecider& decider, const Target& t,
                                 const ReachabilityOptions& options = {});

}  // namespace ipec::analysis
