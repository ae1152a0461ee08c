// SPDX-License-Identifier: Apache-2.0
// Translation validation: the emitted table must decide every event of the finite event model as
// the source policy does (`ipec compile --verify`).
#pragma once

#include <string>
#include <vector>

#include "backend/program.h"
#include "backend/table.h"

namespace ipec::backend {

struct VerifyResult {
  uint64_t events = 0;
  uint64_t linear_checked = 0;      // events also checked against the linear walk
  bool complete = true;             // false: the pair budget stopped the enumeration
  std::vector<std::string> mismatches;  // the first few, described
};

// The events checked: for each op, every valid point with "other" digests, every literal of the
// op's rules at the points that carry it, and every (fs-verity, dm-verity) literal pair that a
// rule tests or that two rules meet on, up to `pair_budget` pairs. On the other events the
// decisions provably equal those of a checked one (docs/analysis.md).
VerifyResult verifyTable(const ast::Policy& policy, const analysis::Target& t, const analysis::FastDecider& decider,
                         const DecisionProgram& program, const Table& table, uint64_t pair_budget = 4'000'000);

}  // namespace ipec::backend
