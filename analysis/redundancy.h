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
  std::vector<DigestId> f, h;
  std::vector<uint8_t> p;
};

// Sets `redundant`, `replacements` and `bypassed` of the op's rules in `out`. The cells must
// cover every set of matching rules that an event of the op has (steps 1 to 5), except cells that
// cannot change a rule's verdict, and none for rules whose redundancy is not known.
void judgeRedundancy(const ast::Policy& policy, const OpGroups& g, const CellBuckets& cells, int32_t default_stmt,
                     Reachability& out);

}  // namespace ipec::analysis
