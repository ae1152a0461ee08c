// SPDX-License-Identifier: Apache-2.0
// The decision program: the one IR every backend reads (docs/table-format.md, "The decision
// program"). Lowering applies the target: ops whose hook never fires decide nothing, compiled-out
// properties and impossible digests never match, and unreachable rules are dropped.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/reachability.h"
#include "frontend/ast.h"

namespace ipec::backend {

inline constexpr uint32_t kNoOffset = 0xFFFFFFFFu;
inline constexpr unsigned kPoints = 64;

// A rule without its op and digest literals.
struct TemplateIR {
  stdlib::Action action = stdlib::Action::Allow;
  std::vector<std::pair<uint8_t, uint8_t>> props;  // (stdlib::Prop, value), in the rule's order
  friend bool operator==(const TemplateIR&, const TemplateIR&) = default;
};

struct MemberIR {
  uint32_t offset = 0;  // rank - the group's base rank
  uint32_t tmpl = 0;
  friend bool operator==(const MemberIR&, const MemberIR&) = default;
};

// What a group does at every point: the first matching member and its action.
struct KindIR {
  std::array<uint32_t, kPoints> offset;
  uint64_t deny_bits = 0;
  std::vector<MemberIR> members;
  KindIR() { offset.fill(kNoOffset); }
  friend bool operator==(const KindIR&, const KindIR&) = default;
};

struct GroupRef {
  uint32_t base = 0;  // rank of the first member
  uint32_t kind = 0;  // 0: the empty group
};

struct OpIR {
  bool evaluated = false;
  stdlib::Action default_action = stdlib::Action::Allow;
  uint8_t default_source = 0;  // 0 none, 1 DEFAULT op=, 2 global DEFAULT
  bool explicit_default = false;
  GroupRef w;
};

struct DigestIR {
  uint8_t alg = 0;    // stdlib::DigestAlg
  std::string bytes;  // raw
  friend auto operator<=>(const DigestIR&, const DigestIR&) = default;
};

struct DigestGroupIR {
  uint8_t op = 0;
  DigestIR digest;
  GroupRef group;  // kind 0 when the digest is only used by pair rules
};

struct PairGroupIR {
  uint8_t op = 0;
  DigestIR fsv, dm;
  GroupRef group;
};

struct DecisionProgram {
  std::string name;
  std::array<uint16_t, 3> version{};
  uint32_t features = 0;
  bool keep_unreachable = false;
  std::array<OpIR, stdlib::kNumOps> ops;
  std::vector<KindIR> kinds;  // kinds[0] is the empty group
  std::vector<TemplateIR> templates;
  std::vector<DigestGroupIR> fsv, dm;  // sorted by (op, alg, bytes)
  std::vector<PairGroupIR> pairs;      // sorted by (op, fsv, dm)
  uint32_t rules = 0;                  // ranks 0 .. rules-1
  uint32_t dropped = 0;                // rules lowering dropped (unreachable, or not representable)
  std::vector<uint32_t> statement_of_rank;  // not written: maps ranks back to the source
  // The AUDIT section: each rank's audit format (deduplicated), and the global DEFAULT.
  std::vector<std::string> audit_formats;
  std::vector<uint32_t> audit_format_of_rank;
  uint8_t global_default = 2;  // 0 ALLOW, 1 DENY, 2 none
};

// Target feature bits (docs/table-format.md, "Header").
uint32_t targetFeatures(const analysis::Target& t);

// Lowers a policy the kernel of `t` accepts. `reach` comes from analyzeReachability.
DecisionProgram lower(const ast::Policy& policy, const analysis::Target& t, const analysis::FastDecider& decider,
                      const analysis::Reachability& reach, bool keep_unreachable);

}  // namespace ipec::backend
