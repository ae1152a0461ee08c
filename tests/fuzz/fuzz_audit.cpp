// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for `ipec audit`'s reader (built with -DIPEC_FUZZ=ON, clang only): any bytes
// as a log (audit.log, ausearch -i, journal export or printk, detected per file), mapped to a
// fixed policy, with the ausearch -i rendering of every rule read and the candidate judge asked
// about every mapped record.
//
// Invariants: no crash or sanitizer report; every record, cut-short record and unparsed line has
// a line number from 1; mapped plus unmapped records are all records; every mapped record's
// statement prints as the record's rule (or as ausearch -i shows it).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/audit_candidate.h"
#include "analysis/audit_map.h"
#include "analysis/audit_text.h"
#include "pipeline/pipeline.h"

namespace {

using namespace ipec;
using namespace ipec::analysis;

constexpr std::string_view kOld =
    "policy_name=old policy_version=1.0.0\nDEFAULT action=ALLOW\nDEFAULT op=EXECUTE action=DENY\n"
    "op=EXECUTE boot_verified=TRUE action=ALLOW\n"
    "op=EXECUTE fsverity_digest=sha256:87fbf42237ebbee3980deab01d550aa1659d5d5035a26645ed293a567c5d89d7 action=ALLOW\n"
    "op=EXECUTE dmverity_roothash=\"sha256\":00 action=ALLOW\nop=KMODULE fsverity_signature=TRUE action=DENY\n";
constexpr std::string_view kNew =
    "policy_name=old policy_version=1.0.1\nDEFAULT action=DENY\nop=EXECUTE fsverity_signature=TRUE action=ALLOW\n"
    "op=KMODULE boot_verified=FALSE action=ALLOW\n";

struct Policies {
  pipeline::CheckedPolicy old_p, new_p;
  Policies() : old_p(check("old.pol", kOld)), new_p(check("new.pol", kNew)) {}
  static pipeline::CheckedPolicy check(const char* name, std::string_view text) {
    pipeline::PipelineConfig config;
    config.analyze = false;
    return pipeline::checkPolicy(name, std::string(text), config);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Policies* p = new Policies();
  const ast::Policy& old_policy = p->old_p.parsed.policy;
  AuditLog log = parseAuditLog(std::string_view(reinterpret_cast<const char*>(data), size));
  std::vector<const AuditRecord*> records;
  for (const AuditRecord& r : log.records) {
    if (r.line == 0) __builtin_trap();
    (void)ausearchRule(r.rule);
    (void)recordAction(r);
    records.push_back(&r);
  }
  for (const auto* lines : {&log.malformed, &log.unparsed})
    for (const AuditLogLine& l : *lines)
      if (l.line == 0) __builtin_trap();
  AuditCoverage c = auditCoverage(&old_policy, records);
  if (c.mapped + c.unmapped != records.size() || c.statement_of.size() != records.size()) __builtin_trap();
  CandidateJudge judge(old_policy, p->new_p.parsed.policy, pipeline::defaultTarget());
  for (size_t i = 0; i < records.size(); ++i) {
    const int32_t s = c.statement_of[i];
    if (s < 0) continue;
    const std::string text = auditRule(old_policy, old_policy.statements[s]);
    if (records[i]->rule != (records[i]->interpreted ? ausearchRule(text) : text)) __builtin_trap();
    judge.judge(stdlib::lookupOp(records[i]->op), s, records[i]->has_file);
  }
  return 0;
}
