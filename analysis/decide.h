// SPDX-License-Identifier: Apache-2.0
// The decision for one event, exactly as ipe_evaluate_event() makes it: the first rule of the
// op whose properties all hold, else the op's DEFAULT, else the global DEFAULT. This linear walk
// is the semantics; faster engines (the reachability analysis, compiled tables) must agree.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "analysis/event_model.h"

namespace ipec::analysis {

struct PolicyIndex {
  std::array<std::vector<uint32_t>, stdlib::kNumOps> rules;  // statement indices, in file order
  std::array<int32_t, stdlib::kNumOps> op_default;            // statement index, or -1
  int32_t global_default = -1;

  static PolicyIndex build(const ast::Policy& policy);
  // The DEFAULT that applies to `op` when no rule matches (statement index), or -1.
  int32_t defaultFor(Op op) const {
    int32_t d = op_default[static_cast<unsigned>(op)];
    return d >= 0 ? d : global_default;
  }
};

enum class DecisionKind : uint8_t {
  Rule,           // a rule matched
  OpDefault,      // DEFAULT op=...
  GlobalDefault,  // DEFAULT action=...
  NotEvaluated,   // the hook never fires on the target: allowed without asking IPE
  NoDefault,      // invalid policy: nothing applies (the kernel would not have loaded it)
};

// `rule`, `op-default`, `global-default`, `not-evaluated`, `no-default`: the name JSON outputs use.
const char* decisionKindName(DecisionKind k);

struct Decision {
  stdlib::Action action = stdlib::Action::Allow;
  DecisionKind kind = DecisionKind::NotEvaluated;
  int32_t statement = -1;
};

// One rule of the walk, for `ipec eval --explain`.
struct TraceStep {
  uint32_t statement;
  int32_t failed_property = -1;  // index into policy.properties of the first false one, or -1
};

Decision decide(const ast::Policy& policy, const PolicyIndex& index, const Target& t, const Event& e,
                std::vector<TraceStep>* trace = nullptr);

}  // namespace ipec::analysis
