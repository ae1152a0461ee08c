// SPDX-License-Identifier: Apache-2.0
// Random small IPE policies and targets for property and differential tests (fixed seeds).
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "analysis/target.h"

namespace ipec::reference {

struct GeneratedCase {
  std::string text;            // a policy the kernel of `target` accepts
  analysis::Target target;
  std::string target_name;
};

// Deterministic for a seed: one of the four shipped profiles, options switched off at random,
// and 1..max_rules rules over small literal sets (so rules collide, shadow and overlap).
GeneratedCase generateCase(uint64_t seed, unsigned max_rules = 8);

// A variant of a generated policy text, for the semantic diff: 1 to 3 small edits (a rule added,
// removed, duplicated, moved or swapped with its neighbour, an action flipped, a DEFAULT changed,
// a digest replaced, a property dropped), or none. The result may be one the kernel rejects (a
// DEFAULT removed); callers skip those.
std::string mutatePolicy(const std::string& text, uint64_t seed);

}  // namespace ipec::reference
