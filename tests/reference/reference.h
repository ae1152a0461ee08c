// SPDX-License-Identifier: Apache-2.0
// The deliberately naive reference over the event model: enumerate every event, walk the rules.
// Linked only into tests. Every fast algorithm in ipec must agree with it exactly.
#pragma once

#include <array>
#include <vector>

#include "analysis/decide.h"
#include "analysis/reachability.h"

namespace ipec::reference {

using analysis::Event;

// Every event of `op` on `t`: each valid point with each digest value the policy mentions that
// fs-verity / dm-verity can produce, plus "other".
std::vector<Event> allEvents(const ast::Policy& policy, const analysis::Target& t, stdlib::Op op);

// `e` with its digests (ids of `from`'s pool) as ids of `to`'s: the same bytes, or "other".
Event translateDigests(const Event& e, const ast::Policy& from, const ast::Policy& to);

// First match by a linear walk; `skip` (a statement index) is treated as deleted.
analysis::Decision decide(const ast::Policy& policy, const analysis::Target& t, const Event& e, int32_t skip = -1);
// The same with every statement whose entry in `deleted` is true treated as deleted.
analysis::Decision decide(const ast::Policy& policy, const analysis::Target& t, const Event& e,
                          const std::vector<bool>& deleted);

struct RuleTruth {
  analysis::RuleClass cls = analysis::RuleClass::Dead;
  // The greedy definition of docs/analysis.md: from the last rule of the op to the first, a
  // reachable rule is redundant when deleting it from the policy without the unreachable rules
  // and without the redundant rules after it changes no event's action.
  bool redundant = false;
};
struct OpTruth {
  bool has_events = false;       // evaluated on the target, with at least one event
  bool default_reached = false;  // some event is decided by a DEFAULT (or by no statement)
  uint8_t actions = 0;           // bit (1 << Action) for every action some event gets
};
struct PolicyTruth {
  std::vector<RuleTruth> rules;  // indexed by statement index (DEFAULT entries unused)
  std::array<OpTruth, stdlib::kNumOps> ops{};
};
PolicyTruth classify(const ast::Policy& policy, const analysis::Target& t);

}  // namespace ipec::reference
