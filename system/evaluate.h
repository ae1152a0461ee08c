// SPDX-License-Identifier: Apache-2.0
// What the new policy would do on this machine: the answer of the write to securityfs (the
// lifecycle rules of analysis/lifecycle.h on the loaded policies), and which of the things the
// machine runs it would deny. Facts that are unknown are tried both ways.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "analysis/decide.h"
#include "analysis/event_io.h"
#include "analysis/lifecycle.h"
#include "base/diagnostic.h"
#include "system/facts.h"

namespace ipec::system {

enum class Via : uint8_t { Auto, NewPolicy, Update };

struct LoadPrediction {
  bool known = false;   // IPE's state could be read
  std::string write;    // "new_policy" or "policies/NAME/update"
  std::string rule;     // the name/version rule that applies
  analysis::LifeResult result;
  std::optional<std::string> collision;  // new_policy's EEXIST, when the name is loaded
  std::optional<analysis::LifeResult> activation;  // then `1` to policies/NAME/active
  bool fails() const { return known && (!result.ok() || (activation && !activation->ok())); }
};
LoadPrediction predictLoad(const IpeFacts& ipe, const KernelVerdict& verdict, const ast::Header* header, Via via);

struct Finding {
  size_t object = 0;
  bool certain = false;          // every possible value of the unknown facts denies
  analysis::Decision decision;   // of a world that denies
  analysis::EventSpec spec;      // that world, as the facts give it
  analysis::Event event;         // and resolved against the policy
  std::vector<std::string> unknown;  // the facts that were unknown
};

struct Evaluation {
  std::vector<Finding> findings;
  std::array<unsigned, stdlib::kNumOps> examined{};
  unsigned unreadable = 0;
  std::vector<std::pair<size_t, std::string>> invalid;  // objects no event of the target matches, and why
};
Evaluation evaluateObjects(const SystemFacts& facts, const ast::Policy& policy, const analysis::Target& target);

// The findings as diagnostics at the deciding rule (system-denies, system-may-deny), the load
// prediction at the header (system-load-fails), and unknown facts (system-facts-unknown).
void reportFindings(const SystemFacts& facts, const ast::Policy& policy, const Evaluation& eval, DiagnosticEngine& diags);
void reportLoad(const SystemFacts& facts, const LoadPrediction& load, const ast::Policy* policy, DiagnosticEngine& diags);

// The `system` member of `ipec check --format=json` (docs/json-output.md).
std::string summaryJson(const SystemFacts& facts, const LoadPrediction& load, const Evaluation* eval);
// One line: what new_policy (or update) would answer, then the activation.
std::string loadText(const LoadPrediction& load);

}  // namespace ipec::system
