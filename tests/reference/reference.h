// SPDX-License-Identifier: Apache-2.0
// The deliberately naive reference over the event model: enumerate every event, walk the rules.
// Linked only into tests. Every fast algorithm in ipec must agree with it exactly.
#pragma once

#include <vector>

#include "analysis/decide.h"
#include "analysis/reachability.h"

namespace ipec::reference {

using analysis::Event;

// Every event of `op` on `t`: each valid point with each digest value the policy mentions that
// fs-verity / dm-verity can produce, plus "other".
std::vector<Event> allEvents(const ast::Policy& policy, const analysis::Target& t, stdlib::Op op);

// First match by a linear walk; `skip` (a statement index) is treated as deleted.
analysis::Decision decide(const ast::Policy& policy, const analysis::Target& t, const Event& e, int32_t skip = -1);

struct RuleTruth {
  analysis::RuleClass cls = analysis::RuleClass::Dead;
  bool redundant = false;
};
// Indexed by statement index (DEFAULT entries unused).
std::vector<RuleTruth> classify(const ast::Policy& policy, const analysis::Target& t);

}  // namespace ipec::reference
