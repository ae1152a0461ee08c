// SPDX-License-Identifier: Apache-2.0
// ipec audit's pieces: the log reader on each form, the ausearch -i rendering, and the candidate
// judge against a brute-force enumeration with the reference evaluator.
#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "analysis/audit_candidate.h"
#include "analysis/audit_log.h"
#include "analysis/audit_map.h"
#include "analysis/event_io.h"
#include "tests/reference/generator.h"
#include "tests/reference/reference.h"
#include "tests/unit/test_util.h"

namespace ipec {
namespace {

using namespace analysis;

constexpr const char* kBody =
    "ipe_op=EXECUTE ipe_hook=BPRM_CHECK enforcing=1 pid=243 comm=\"ipetool\" path=\"/a\" dev=\"vda\" ino=12 "
    "rule=\"op=EXECUTE fsverity_digest=\"sha256\":87FB action=ALLOW\"";

TEST(AuditLog, EveryFormOfOneRecord) {
  const std::string forms[] = {
      std::string("type=UNKNOWN[1420] msg=audit(1796420663.069:95): ") + kBody,
      std::string("node=h type=IPE_ACCESS msg=audit(1796420663.069:95): ") + kBody + "\x1d" + "UID=\"root\"",
      std::string("[   12.3] audit: type=1420 audit(1796420663.069:95): ") + kBody,
      std::string("6,1,2,-;audit: type=1420 audit(1796420663.069:95): ") + kBody,
  };
  for (const std::string& f : forms) {
    AuditLog log = parseAuditLog(f + "\n");
    ASSERT_EQ(log.records.size(), 1u) << f;
    const AuditRecord& r = log.records[0];
    EXPECT_EQ(r.serial, 95u);
    EXPECT_EQ(r.stamp, "1796420663.069");
    EXPECT_EQ(r.op, "EXECUTE");
    EXPECT_EQ(r.hook, "BPRM_CHECK");
    EXPECT_EQ(r.comm, "ipetool");
    EXPECT_EQ(r.path, "/a");
    EXPECT_TRUE(r.has_file);
    EXPECT_EQ(r.rule, "op=EXECUTE fsverity_digest=\"sha256\":87FB action=ALLOW");
  }
}

TEST(AuditLog, InterpretedRecordAndContext) {
  AuditLog log = parseAuditLog(
      "----\n"
      "type=SYSCALL msg=audit(12/04/26 21:44:23.069:95) : arch=x86_64 syscall=execve comm=a b exe=/mnt/a b subj=x\n"
      "type=UNKNOWN[1420] msg=audit(12/04/26 21:44:23.069:95) : ipe_op=EXECUTE ipe_hook=MMAP enforcing=1 pid=246 "
      "comm=a b path=/mnt/a b dev=\"vda\" ino=12 rule=\"op=EXECUTE fsverity_digest=\" ha256\":87FB "
      "action=unknown-action(ALLOW\") \n");
  ASSERT_EQ(log.records.size(), 1u);
  const AuditRecord& r = log.records[0];
  EXPECT_EQ(log.format, AuditLogFormat::Interpreted);
  EXPECT_EQ(r.comm, "a b");
  EXPECT_EQ(r.path, "/mnt/a b");
  EXPECT_EQ(r.exe, "/mnt/a b");
  EXPECT_EQ(r.rule, ausearchRule("op=EXECUTE fsverity_digest=\"sha256\":87FB action=ALLOW"));
  EXPECT_EQ(recordAction(r), stdlib::Action::Allow);
  EXPECT_EQ(log.other_records, 1u);
}

// What ausearch 3.0.9 printed for these rules (tests/audit/logs holds whole logs of them).
TEST(AuditLog, AusearchRendering) {
  EXPECT_EQ(ausearchRule("DEFAULT op=EXECUTE action=DENY"), "\"DEFAULT op=EXECUTE action=DENY\"");
  EXPECT_EQ(ausearchRule("op=EXECUTE fsverity_digest=\"sha256\":87FB dmverity_roothash=\"sha512\":AB "
                         "boot_verified=FALSE action=DENY"),
            "\"op=EXECUTE fsverity_digest=\" ha256\":87FB dmverity_roothash=\"sha512\" AB boot_verified=FALSE "
            "action=unknown-action(DENY\")");
  EXPECT_EQ(ausearchRule("op=EXECUTE fsverity_digest=\"x\":87FB fsverity_digest=\"yz\":87FB action=ALLOW"),
            "\"op=EXECUTE fsverity_digest=\" \":87FB fsverity_digest=\"yz\" 87FB action=unknown-action(ALLOW\")");
  EXPECT_EQ(ausearchRule("op=KMODULE fsverity_digest=\"sha256\":AB12 dmverity_roothash=\"a\": action=DENY"),
            "\"op=KMODULE fsverity_digest=\" ha256\":AB12 dmverity_roothash=\"a\"  action=unknown-action(DENY\")");
}

TEST(AuditLog, JournalExportWithBinaryFields) {
  std::string body = std::string("ipe_op=KMODULE ipe_hook=KERNEL_LOAD enforcing=1 pid=1 comm=\"x\" path=? dev=? ino=? ") +
                     "rule=\"DEFAULT action=ALLOW\"";
  std::string msg = "AUDIT1420 " + body;
  std::string size(8, '\0');
  size[0] = static_cast<char>(msg.size());
  std::string j = "__CURSOR=s=1\n_TRANSPORT=audit\n_AUDIT_TYPE=1420\n_AUDIT_ID=7\n"
                  "_SOURCE_REALTIME_TIMESTAMP=1796420663069123\nMESSAGE\n" + size + msg + "\n\n" +
                  "_TRANSPORT=kernel\nMESSAGE=audit: type=1420 audit(1796420663.069:7): " + body + "\n\n" +
                  "_TRANSPORT=stdout\nMESSAGE=hello\n";
  AuditLog log = parseAuditLog(j);
  ASSERT_EQ(log.records.size(), 1u);  // the kmsg copy of the same record is not counted twice
  EXPECT_EQ(log.format, AuditLogFormat::Journal);
  EXPECT_EQ(log.records[0].serial, 7u);
  EXPECT_EQ(log.records[0].stamp, "1796420663.069");
  EXPECT_FALSE(log.records[0].has_file);
  EXPECT_EQ(log.other_records, 1u);
  EXPECT_EQ(log.unparsed.size(), 1u);
  // A binary field longer than the file is reported, not read past the end.
  AuditLog cut = parseAuditLog("_TRANSPORT=audit\nMESSAGE\n\xff\xff\xff\xff\xff\xff\xff\x7f" "ab");
  EXPECT_EQ(cut.malformed.size(), 1u);
}

TEST(AuditLog, CutShortAndNoise) {
  AuditLog log = parseAuditLog(std::string("type=IPE_ACCESS msg=audit(1.2:3): ") + std::string(kBody).substr(0, 120) + "\nnoise\n\n");
  EXPECT_TRUE(log.records.empty());
  ASSERT_EQ(log.malformed.size(), 1u);
  EXPECT_EQ(log.malformed[0].line, 1u);
  ASSERT_EQ(log.unparsed.size(), 1u);
  EXPECT_EQ(log.unparsed[0].line, 2u);
  EXPECT_EQ(decodeUntrusted("2F612062"), "/a b");
  EXPECT_EQ(decodeUntrusted("\"x\""), "x");
  EXPECT_EQ(decodeUntrusted("?"), "?");
}

// The real 6.12 activation record (tests/audit/logs/d001.printk) names the policy.
TEST(AuditLog, ActivationRecordNamesThePolicy) {
  AuditLog log = parseAuditLog(
      std::string("audit: type=1420 audit(1.0:1): ") + kBody + "\n" +
      "audit: type=1421 audit(1796421966.826:87): old_active_pol_name=\"D000\" old_active_pol_version=60000.0.0 "
      "old_policy_digest=sha256:FF1D new_active_pol_name=\"D001\" new_active_pol_version=60000.0.1 "
      "new_policy_digest=sha256:F566 auid=4294967295 ses=4294967295 lsm=ipe res=1\n" +
      "audit: type=1420 audit(1.0:2): " + kBody + "\n");
  ASSERT_EQ(log.activations.size(), 1u);
  EXPECT_EQ(log.activations[0].name, "D001");
  EXPECT_EQ(log.activations[0].version, "60000.0.1");
  EXPECT_EQ(log.activations[0].line, 2u);
  ASSERT_EQ(log.records.size(), 2u);
  EXPECT_EQ(log.records[0].activation, -1);
  EXPECT_EQ(log.records[1].activation, 0);
}

TEST(AuditLog, DuplicatesMapToTheFirst) {
  auto p = test::check(
      "policy_name=a policy_version=1.0.0\nDEFAULT action=ALLOW\nop=EXECUTE boot_verified=TRUE action=DENY\n"
      "op=EXECUTE boot_verified=TRUE action=DENY\nop=KMODULE boot_verified=TRUE action=DENY\n");
  AuditRuleIndex index(p.parsed.policy);
  AuditRecord r;
  r.op = "EXECUTE";
  r.rule = "op=EXECUTE boot_verified=TRUE action=DENY";
  EXPECT_EQ(index.lookup(r), (std::vector<uint32_t>{1, 2}));
  r.op = "KMODULE";  // a record of another op does not come from an EXECUTE rule
  EXPECT_TRUE(index.lookup(r).empty());
  r.rule = "DEFAULT action=ALLOW";
  r.op = "UNKNOWN";
  EXPECT_EQ(index.lookup(r), (std::vector<uint32_t>{0}));
  // The global DEFAULT never decides an op that has its own DEFAULT.
  auto q = test::check("policy_name=a policy_version=1.0.0\nDEFAULT action=ALLOW\nDEFAULT op=EXECUTE action=DENY\n");
  AuditRuleIndex qi(q.parsed.policy);
  r.op = "EXECUTE";
  EXPECT_TRUE(qi.lookup(r).empty());
  r.op = "KMODULE";
  EXPECT_EQ(qi.lookup(r), (std::vector<uint32_t>{0}));
}

// NEW: OLD with rules dropped, actions flipped, lines swapped, and rules of another policy added.
std::string mutate(const std::string& old_text, const std::string& other, std::mt19937_64& rng) {
  std::vector<std::string> lines, extra;
  std::istringstream in(old_text), in2(other);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  for (std::string l; std::getline(in2, l);)
    if (l.rfind("op=", 0) == 0) extra.push_back(l);
  std::vector<std::string> out{lines.at(0)};
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string l = lines[i];
    const unsigned dice = rng() % 10;
    if (l.rfind("op=", 0) == 0 && dice == 0) continue;
    if (l.rfind("op=", 0) == 0 && dice == 1) {
      const size_t a = l.rfind("action=");
      l = l.substr(0, a) + (l.substr(a) == "action=ALLOW" ? "action=DENY" : "action=ALLOW");
    }
    out.push_back(l);
  }
  for (const std::string& l : extra)
    if (rng() % 3 == 0) out.insert(out.begin() + 1 + static_cast<long>(rng() % out.size()), l);
  std::string text;
  for (const std::string& l : out) text += l + "\n";
  return text;
}

// Every event of the model over both policies' literals: the rules of both, in one policy.
std::string universe(const pipeline::CheckedPolicy& a, const pipeline::CheckedPolicy& b) {
  std::string text = "policy_name=u policy_version=1.0.0\nDEFAULT action=ALLOW\n";
  for (const auto* p : {&a, &b})
    for (const ast::Statement& s : p->parsed.policy.statements)
      if (!s.isDefault()) text += std::string(p->file->bytes().substr(s.range.begin, s.range.size())) + "\n";
  return text;
}

TEST(AuditCandidate, AgreesWithBruteForce) {
  const uint64_t n = test::envOr("IPEC_AUDIT_PAIRS", 300);
  std::mt19937_64 rng(20261204);
  uint64_t judged = 0, outcomes[4] = {};
  for (uint64_t seed = 1; seed <= n; ++seed) {
    reference::GeneratedCase gc = reference::generateCase(seed);
    pipeline::PipelineConfig config;
    config.target = gc.target;
    config.analyze = false;
    auto old_p = pipeline::checkPolicy("old.pol", gc.text, config);
    auto new_p = pipeline::checkPolicy("new.pol", mutate(gc.text, reference::generateCase(seed + 7777).text, rng), config);
    auto uni = pipeline::checkPolicy("u.pol", universe(old_p, new_p), config);
    if (new_p.diags->hasErrors() || uni.diags->hasErrors()) continue;
    const ast::Policy &o = old_p.parsed.policy, &nw = new_p.parsed.policy, &u = uni.parsed.policy;
    CandidateJudge judge(o, nw, gc.target);
    for (unsigned opi = 0; opi < stdlib::kNumOps; ++opi) {
      const auto op = static_cast<stdlib::Op>(opi);
      std::vector<Event> events = reference::allEvents(u, gc.target, op);
      for (int32_t s = 0; s < static_cast<int32_t>(o.statements.size()); ++s)
        for (bool file : {false, true}) {
          const ast::Statement& st = o.statements[s];
          if (st.has_op && st.op != op) continue;
          bool same = false, diff = false;
          for (const Event& e : events) {
            if (op != stdlib::Op::BpfProgLoad && e.file != file) continue;
            if (reference::decide(o, gc.target, reference::translateDigests(e, u, o)).statement != s) continue;
            (reference::decide(nw, gc.target, reference::translateDigests(e, u, nw)).action == st.action ? same : diff) = true;
          }
          const CandidateVerdict& v = judge.judge(op, s, file);
          const CandidateOutcome want = same && diff ? CandidateOutcome::Unknown
                                        : same       ? CandidateOutcome::Same
                                        : diff       ? CandidateOutcome::Different
                                                     : CandidateOutcome::Impossible;
          ASSERT_EQ(v.outcome, want) << "seed " << seed << " op " << opi << " statement " << s << " file " << file
                                     << "\nOLD:\n" << gc.text << "NEW:\n" << new_p.file->bytes();
          ++judged;
          ++outcomes[static_cast<int>(v.outcome)];
          // Each witness is an event on which OLD decides by the statement and NEW as labelled.
          for (const auto* w : {&v.same, &v.different}) {
            if (!*w) continue;
            std::string error;
            auto spec = parseEventJson((*w)->json, error);
            ASSERT_TRUE(spec) << error << " " << (*w)->json;
            auto eo = resolveEvent(*spec, o, gc.target, error);
            auto en = resolveEvent(*spec, nw, gc.target, error);
            ASSERT_TRUE(eo && en) << error << " " << (*w)->json;
            EXPECT_EQ(reference::decide(o, gc.target, *eo).statement, s) << (*w)->json;
            EXPECT_EQ(reference::decide(nw, gc.target, *en).action == st.action, w == &v.same) << (*w)->json;
          }
        }
    }
  }
  EXPECT_GT(judged, n);
  EXPECT_GT(outcomes[static_cast<int>(CandidateOutcome::Unknown)], 0u);
  EXPECT_GT(outcomes[static_cast<int>(CandidateOutcome::Different)], 0u);
  std::printf("judged %llu (same %llu, different %llu, unknown %llu, impossible %llu)\n",
              static_cast<unsigned long long>(judged), static_cast<unsigned long long>(outcomes[0]),
              static_cast<unsigned long long>(outcomes[1]), static_cast<unsigned long long>(outcomes[2]),
              static_cast<unsigned long long>(outcomes[3]));
}

}  // namespace
}  // namespace ipec
