// SPDX-License-Identifier: Apache-2.0
// The greedy redundancy pass of docs/analysis.md, internal to the reachability analysis.
//
// Unreachable rules are never a first match, so deleting them all changes nothing; redundancy is
// judged without them. Then, from the last rule to the first, a rule is flagged when deleting it
// from the policy without the unreachable rules and without the rules already flagged after it
// changes no decision. Each step keeps every decision, so deleting everything flagged at once
// keeps every decision too.
#pragma once

#include "analysis/reachability.h"

namespace ipec::analysis {

// The visited cells (point, fs-verity digest, dm-verity root hash), bucketed by their first
// match: the cells of the rule at position k are [begin[k], begin[k + 1]).
struct CellBuckets {
  std::vector<uint32_t> begin;
  std::vector<bool> settled;  // by position: known not to be redundant (its cells are not kept)
  std::vector<DigestId> f, h;
  std::vector<uint8_t> p;
};

// Step 5 of docs/analysis.md: the fs-verity groups (f, ANY) and dm-verity groups (ANY, h) that
// can match at a point with both digests. Their (f, h) cells are not stored but enumerated for
// one rule at a time, when it is judged: only about redundancy do they say anything new.
struct CrossPairs {
  PointMask both = 0;     // points with an fs-verity file on a dm-verity volume
  bool examined = true;   // the pairs fit the budget
  std::vector<std::pair<DigestId, const OpGroups::Group*>> fa, hb;
};

// Sets `redundant`, `replacements` and `bypassed` of the op's rules in `out`. `cells` holds the
// cells of steps 1 to 4 of the rules whose redundancy is known; with `cross`, they cover every
// set of matching rules that an event of the op has.
void judgeRedundancy(const ast::Policy& policy, const OpGroups& g, const CellBuckets& cells, const CrossPairs& cross,
                     int32_t default_stmt, Reachability& out);

}  // namespace ipec::analysis
