// SPDX-License-Identifier: Apache-2.0
// The outputs of `ipec diff`: text, JSON and SARIF (docs/cli.md, docs/json-output.md).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "analysis/diff.h"
#include "analysis/event_io.h"
#include "analysis/rule_diff.h"
#include "driver/commands.h"

namespace ipec::driver {

// The two checked policies, NEW with its digests aligned to OLD's (analysis::alignDigests).
struct DiffInputs {
  const CheckedPolicy& old_p;
  const CheckedPolicy& new_p;
  ast::Policy aligned;
  const PolicyDiffOptions& options;

  const ast::Policy& old_policy() const { return old_p.parsed.policy; }
  // `ALLOW -> DENY for EVENT` and the deciding statement of each side, one per line.
  std::string changeText(const analysis::DecisionChange& c, const analysis::EventSpec* spec = nullptr) const;
  nlohmann::json changeJson(const analysis::DecisionChange& c, const analysis::EventSpec* spec = nullptr) const;
  std::string renderText(const analysis::SemanticDiff& s, const analysis::RuleDiff& r) const;
  std::string renderJson(const analysis::SemanticDiff& s, const analysis::RuleDiff& r) const;
  std::string renderSarif(const analysis::SemanticDiff& s, const analysis::RuleDiff& r) const;
};

}  // namespace ipec::driver
