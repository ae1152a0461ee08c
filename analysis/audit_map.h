// SPDX-License-Identifier: Apache-2.0
// From an access record's `rule="..."` back to the policy statement that printed it, and the
// rule coverage of a log (`ipec audit`).
#pragma once

#include <cstdint>
#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <llvm/ADT/StringMap.h>

#include "analysis/audit_log.h"
#include "frontend/ast.h"

namespace ipec::analysis {

// What `ausearch -i` prints for the field `rule="TEXT"`: auparse ends a quoted value at the next
// quote and skips the byte after it, so a digest's `"alg":HEX` loses a byte and splits the rule
// into several fields, and a field named `action` is interpreted as an audit rule action. The
// mapping compares this rendering of each statement with what the log shows.
std::string ausearchRule(std::string_view rule);

// The action at the end of a record's rule (as written or as ausearch -i printed it).
std::optional<stdlib::Action> recordAction(const AuditRecord& r);

// The statements of a policy by their audit rendering (audit_text.h).
class AuditRuleIndex {
 public:
  explicit AuditRuleIndex(const ast::Policy& policy);
  // The statements, in file order, that print as the record's rule and can decide the record's
  // op (the kernel decided by the first; the others are duplicates). Empty when none does.
  std::vector<uint32_t> lookup(const AuditRecord& r) const;

 private:
  const ast::Policy& policy_;
  llvm::StringMap<std::vector<uint32_t>> raw_, interpreted_;
  std::array<bool, stdlib::kNumOps> op_default_{};  // ops the global DEFAULT never decides
};

// How often something decided, split by (op, hook, action).
struct DecisionCounts {
  uint32_t total = 0, allow = 0, deny = 0, permissive = 0;  // permissive: enforcing=0
  std::map<std::tuple<std::string, std::string, std::string>, uint32_t> by;  // (op, hook, action)
  void add(const AuditRecord& r, stdlib::Action a);
};

struct AuditCoverage {
  uint32_t records = 0, mapped = 0, unmapped = 0;
  std::vector<DecisionCounts> per_statement;  // with a policy: by statement index
  std::vector<std::vector<uint32_t>> duplicates;  // per statement: later statements printing the same
  // Records no statement prints (with a policy), or every record (without), by rule text.
  std::map<std::string, DecisionCounts> by_text;
  std::map<std::string, const AuditRecord*> first_of_text;  // an example record of each text
  std::vector<int32_t> statement_of;                         // per record (in the order given): -1 unmapped
};

// `policy` may be null (a summary per rule text). Records are taken in the order given.
AuditCoverage auditCoverage(const ast::Policy* policy, const std::vector<const AuditRecord*>& records);

}  // namespace ipec::analysis
