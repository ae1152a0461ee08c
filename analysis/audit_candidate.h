// SPDX-License-Identifier: Apache-2.0
// Would a candidate policy decide a logged event as the old one did? The record names the rule
// that decided and the file, not the file's properties. What it does say is that OLD's rule
// matched and no earlier rule of its op did: the judge keeps the events of the finite model
// (docs/event-model.md) for which OLD decides by that statement, over the digest literals of both
// policies plus "any other", and decides NEW on each of them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "analysis/reachability.h"

namespace ipec::analysis {

enum class CandidateOutcome : uint8_t {
  Same,        // NEW takes the logged action on every event the record allows
  Different,   // on none of them
  Unknown,     // on some: the record does not tell (a witness for each side)
  Impossible,  // OLD cannot decide by this statement on the target: the log and OLD disagree
};
std::string_view candidateOutcomeName(CandidateOutcome o);

struct CandidateWitness {
  std::string json, text;  // the event, in docs/events.md's syntaxes
  int32_t new_statement = -1;
  stdlib::Action new_action = stdlib::Action::Allow;
};

struct CandidateVerdict {
  CandidateOutcome outcome = CandidateOutcome::Impossible;
  std::vector<int32_t> new_statements;  // what decides in NEW, over the events kept (-1: no DEFAULT)
  std::optional<CandidateWitness> same, different;
  uint64_t events = 0;  // events of the model the record allows
  bool over_budget = false;
};

class CandidateJudge {
 public:
  CandidateJudge(const ast::Policy& old_policy, const ast::Policy& new_policy, const Target& t);
  // OLD decided by `statement` for `op` (nullopt: the kernel's UNKNOWN op), with or without a file.
  const CandidateVerdict& judge(std::optional<stdlib::Op> op, int32_t statement, bool has_file);

  static constexpr uint64_t kEventBudget = 4'000'000;  // events per (op, statement, file)

 private:
  struct Joint {  // a digest value: a literal of either policy, or none of them
    std::string alg, bytes;
    DigestId old_id = kOtherDigest, new_id = kOtherDigest;
  };
  std::vector<Joint> digests(stdlib::Op op, stdlib::Prop prop, int32_t statement) const;
  CandidateVerdict enumerate(stdlib::Op op, int32_t statement, bool has_file) const;
  CandidateVerdict unknownOp(int32_t statement) const;
  CandidateWitness witness(const Event& e, const Joint* f, const Joint* d, const Decision& dn) const;

  const ast::Policy& old_;
  const ast::Policy& new_;
  const Target& target_;
  FastDecider old_fast_, new_fast_;
  std::map<std::tuple<int, int32_t, bool>, CandidateVerdict> cache_;
};

}  // namespace ipec::analysis
