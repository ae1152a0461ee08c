// SPDX-License-Identifier: Apache-2.0
// The exact semantic diff of two policies on one target: for every op, each class of events
// whose decision changes, named by the statement that decides it in OLD and in NEW, with one
// witness event. Near-linear in the policies, on the points and slices of reachability.h;
// docs/analysis.md ("The semantic diff") gives the argument.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "analysis/decide.h"

namespace ipec::analysis {

// NEW with its digest literals renumbered into OLD's ids: a literal both mention has OLD's id,
// one only NEW mentions an id after OLD's. Its pool holds both sets of literals, so events over
// it are events of both policies (and print with both sets' spellings).
ast::Policy alignDigests(const ast::Policy& old_policy, const ast::Policy& new_policy);

// One class: the events on which OLD's decision comes from `old_decision.statement` and NEW's
// from `new_decision.statement`, with different actions.
struct DecisionChange {
  Event witness;
  Decision old_decision, new_decision;
};

struct OpDiff {
  bool evaluated = false;  // the op's hook fires on the target (otherwise nothing can change)
  // Sorted by (OLD statement, NEW statement); each pair of deciders once.
  std::vector<DecisionChange> changes;
  bool truncated = false;  // more classes exist than `max_classes` allowed to list
  bool equivalent() const { return changes.empty(); }
};

struct SemanticDiff {
  std::array<OpDiff, stdlib::kNumOps> ops{};
  bool equivalent() const;
};

struct DiffOptions {
  uint64_t max_classes = 0;  // per op; 0 lists every class
};

// `new_aligned` comes from alignDigests(old_policy, ...).
SemanticDiff diffPolicies(const ast::Policy& old_policy, const ast::Policy& new_aligned, const Target& t,
                          const DiffOptions& options = {});

}  // namespace ipec::analysis
