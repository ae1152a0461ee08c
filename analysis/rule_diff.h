// SPDX-License-Identifier: Apache-2.0
// The rule-level changes between two policies: rules added, removed, moved or given the other
// action (matched by their text as `ipec fmt` prints it), DEFAULTs added, removed or changed, and
// the header. What the changes do to decisions is the semantic diff's business (diff.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/source.h"
#include "frontend/ast.h"

namespace ipec::analysis {

// Moved: the same text elsewhere among the rules; ActionChanged: the same text but the action.
enum class RuleChangeKind : uint8_t { Added, Removed, Moved, ActionChanged };

struct RuleChange {
  RuleChangeKind kind{};
  int32_t old_statement = -1;  // all but Added
  int32_t new_statement = -1;  // all but Removed
};

// The DEFAULT of one scope (the global one, or one op's) in each policy; -1 when absent.
struct DefaultChange {
  bool global = true;
  stdlib::Op op{};
  int32_t old_statement = -1, new_statement = -1;
};

struct RuleDiff {
  std::vector<RuleChange> rules;  // removals in OLD order, then additions and moves in NEW order
  std::vector<DefaultChange> defaults;
  bool name_changed = false, version_changed = false;
  bool empty() const { return rules.empty() && defaults.empty() && !name_changed && !version_changed; }
};

// A statement's tokens joined by one space, as `ipec fmt` prints them (without the comment).
std::string normalizedText(const SourceFile& file, const ast::Statement& s);

RuleDiff diffRules(const SourceFile& old_file, const ast::Policy& old_policy, const SourceFile& new_file,
                   const ast::Policy& new_policy);

}  // namespace ipec::analysis
