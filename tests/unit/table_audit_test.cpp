// SPDX-License-Identifier: Apache-2.0
// The AUDIT section against the analysis' rendering of the kernel's record, on generated
// policies over all four target profiles (fixed seeds): for every event a rule decides, the
// deciding rank's format with its markers filled from the event (what the kernel does) equals
// auditRule() of the statement the reference says decided; every rank has a format, and the
// format with the rule's own digests is that rule's text.
#include <gtest/gtest.h>

#include <cstring>

#include "analysis/audit_text.h"
#include "backend/table.h"
#include "driver/commands.h"
#include "tests/reference/generator.h"
#include "tests/reference/reference.h"
#include "tests/unit/test_util.h"

namespace ipec::test {
namespace {

using namespace ipec::analysis;
namespace sl = ipec::stdlib;

std::string formatOf(const backend::Table& t, uint32_t rank) {
  const ipet_u8* text = nullptr;
  ipet_u32 len = 0;
  ipet_rule_audit(&t.raw(), rank, &text, &len);
  return text ? std::string(reinterpret_cast<const char*>(text), len) : std::string();
}

std::string eventDigest(uint8_t alg, uint8_t len, const uint8_t* bytes) {
  return auditDigest(sl::digestAlgName(static_cast<sl::DigestAlg>(alg)),
                     std::string_view(reinterpret_cast<const char*>(bytes), len));
}

// What the kernel prints: each marker replaced by the event's digest of that subsystem.
std::string fill(const std::string& format, const ipet_event& e) {
  std::string out;
  for (char c : format) {
    if (c == IPET_AUDIT_FSV_MARKER)
      out += eventDigest(e.fsv_alg, e.fsv_len, e.fsv_digest);
    else if (c == IPET_AUDIT_DM_MARKER)
      out += eventDigest(e.dm_alg, e.dm_len, e.dm_digest);
    else
      out += c;
  }
  return out;
}

TEST(TableAudit, FilledFormatsEqualTheKernelsRuleText) {
  const uint64_t want_policies = envOr("IPEC_AUDIT_POLICIES", 400);
  uint64_t seed = envOr("IPEC_DIFF_SEED", 7100000), decisions = 0, ranks = 0;
  for (uint64_t n = 0; n < want_policies; ++n, ++seed) {
    reference::GeneratedCase gc = reference::generateCase(seed, 10);
    pipeline::PipelineConfig config;
    config.target = gc.target;
    config.analyze = false;
    pipeline::CheckedPolicy checked = pipeline::checkPolicy("gen.pol", gc.text, config);
    auto compiled = driver::compilePolicy(checked, config, (seed & 3) == 0);
    ASSERT_TRUE(compiled.has_value()) << gc.text;
    const ast::Policy& policy = checked.parsed.policy;
    int status = 0;
    auto table = backend::Table::load(compiled->bytes, status);
    ASSERT_TRUE(table) << ipet_strerror(status) << "\n" << gc.text;
    const backend::DecisionProgram& prog = compiled->program;
    ASSERT_EQ(table->raw().audit_rules, prog.rules);
    for (uint32_t r = 0; r < prog.rules; ++r, ++ranks) {
      // With the rule's own digests in the markers, a format is the rule's text.
      const ast::Statement& s = policy.statements[prog.statement_of_rank[r]];
      std::string own = formatOf(*table, r);
      ASSERT_FALSE(own.empty()) << "rank " << r << "\n" << gc.text;
      for (const ast::Property* p = policy.propsBegin(s); p != policy.propsEnd(s); ++p) {
        if (sl::propDomain(p->prop) != sl::Domain::Digest) continue;
        DigestView d = policy.digests.get(p->digest);
        const char marker = p->prop == sl::Prop::FsverityDigest ? IPET_AUDIT_FSV_MARKER : IPET_AUDIT_DM_MARKER;
        own.replace(own.find(marker), 1, auditDigest(d.alg, d.bytes));
      }
      ASSERT_EQ(own, auditRule(policy, s)) << "rank " << r << "\n" << gc.text;
    }
    EXPECT_EQ(formatOf(*table, prog.rules), "");  // past the last rank: none
    for (sl::Op op : sl::kAllOps) {
      if (!gc.target.dialect.knows(sl::opSeries(op))) continue;
      for (const Event& e : reference::allEvents(policy, gc.target, op)) {
        Decision want = reference::decide(policy, gc.target, e);
        if (want.kind != DecisionKind::Rule) continue;
        const ipet_event ie = backend::toIpetEvent(e, policy.digests);
        ipet_decision got = table->eval(ie);
        ASSERT_EQ(got.kind, static_cast<uint32_t>(IPET_RULE)) << gc.text;
        ASSERT_EQ(fill(formatOf(*table, got.rule), ie), auditRule(policy, policy.statements[want.statement]))
            << "seed " << seed << " target " << gc.target_name << "\n" << gc.text;
        ++decisions;
      }
    }
  }
  EXPECT_GT(decisions, 1000u);
  std::printf("table audit: %llu policies, %llu ranks, %llu rule decisions: filled format == kernel text\n",
              static_cast<unsigned long long>(want_policies), static_cast<unsigned long long>(ranks),
              static_cast<unsigned long long>(decisions));
}

// The global DEFAULT travels in the AUDIT section, also when every op has its own DEFAULT.
TEST(TableAudit, GlobalDefaultIsKept) {
  pipeline::PipelineConfig config;
  config.analyze = false;
  auto global = [&](const std::string& defaults) {
    pipeline::CheckedPolicy checked =
        pipeline::checkPolicy("g.pol", "policy_name=g policy_version=1.0.0\n" + defaults, config);
    auto compiled = driver::compilePolicy(checked, config, false);
    if (!compiled) return 98u;
    int status = 0;
    auto table = backend::Table::load(compiled->bytes, status);
    EXPECT_TRUE(table) << ipet_strerror(status);
    return table ? table->raw().global_default : 99u;
  };
  EXPECT_EQ(global("DEFAULT action=DENY\n"), 1u);
  EXPECT_EQ(global("DEFAULT action=ALLOW\nDEFAULT op=EXECUTE action=DENY\n"), 0u);
  std::string every;
  for (sl::Op op : sl::kAllOps)
    if (pipeline::defaultTarget().dialect.knows(sl::opSeries(op))) every += fmt::format("DEFAULT op={} action=ALLOW\n", sl::opSpelling(op));
  EXPECT_EQ(global(every), 2u);
  EXPECT_EQ(global("DEFAULT action=DENY\n" + every), 1u);
}

// ipet_load refuses a damaged AUDIT section (with the checksum repaired) with IPET_E_AUDIT.
TEST(TableAudit, DamagedSectionsAreRefused) {
  pipeline::PipelineConfig config;
  config.analyze = false;
  pipeline::CheckedPolicy checked = pipeline::checkPolicy(
      "d.pol",
      "policy_name=d policy_version=1.0.0\nDEFAULT action=ALLOW\n"
      "op=EXECUTE boot_verified=TRUE action=DENY\nop=KMODULE boot_verified=FALSE action=DENY\n",
      config);
  auto compiled = driver::compilePolicy(checked, config, false);
  ASSERT_TRUE(compiled.has_value());
  const std::string good = compiled->bytes;
  int status = 0;
  auto table = backend::Table::load(good, status);
  ASSERT_TRUE(table);
  const size_t at = static_cast<size_t>(table->raw().audit_format_of - table->raw().base) - IPET_AUDIT_HEADER_SIZE;
  auto load = [&](size_t offset, char byte) {
    std::string bad = good;
    bad[offset] = byte;
    uint64_t sum = ipet_checksum(reinterpret_cast<const ipet_u8*>(bad.data()), bad.size(), 24);
    std::memcpy(&bad[24], &sum, 8);
    int st = 0;
    backend::Table::load(bad, st);
    return st;
  };
  const size_t blob = static_cast<size_t>(table->raw().audit_blob - table->raw().base);
  EXPECT_EQ(load(blob, '"'), IPET_E_AUDIT);                     // a quote in a format
  EXPECT_EQ(load(blob, '\n'), IPET_E_AUDIT);                    // a control byte
  EXPECT_EQ(load(blob, IPET_AUDIT_FSV_MARKER), IPET_OK);        // a marker is a valid byte
  EXPECT_EQ(load(at, 3), IPET_E_AUDIT);                          // R differs from the record count
  EXPECT_EQ(load(at + 4, 9), IPET_E_AUDIT);                      // N: the size no longer adds up
  EXPECT_EQ(load(at + 12, 3), IPET_E_AUDIT);                     // global default out of range
  EXPECT_EQ(load(at + 12, 1), IPET_E_AUDIT);                     // DENY, but the ops say ALLOW
  EXPECT_EQ(load(at + 13, 1), IPET_E_AUDIT);                     // reserved byte
  EXPECT_EQ(load(at + IPET_AUDIT_HEADER_SIZE, 7), IPET_E_AUDIT);  // format index out of range
  EXPECT_EQ(load(8, 2), IPET_E_VERSION);                         // a version 2 table
}

}  // namespace
}  // namespace ipec::test
