// SPDX-License-Identifier: Apache-2.0
// Decision tables are untrusted input for a kernel loader. Bit flips, truncations and splices of
// valid tables must never crash ipet_load / ipet_eval / the decompiler, and a table that loads
// must never hold an out-of-range reference. Half the mutants get their checksum repaired, so the
// structural checks (not just the checksum) are what stands between them and the interpreter.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "backend/decompile.h"
#include "backend/table.h"
#include "driver/commands.h"
#include "tests/reference/generator.h"

namespace ipec::test {
namespace {

std::string compileText(const std::string& text, const analysis::Target& t) {
  pipeline::PipelineConfig config;
  config.target = t;
  config.analyze = false;
  config.check_signed_size = false;
  pipeline::CheckedPolicy p = pipeline::checkPolicy("m.pol", text, config);
  auto c = driver::compilePolicy(p, config, false);
  return c ? c->bytes : std::string();
}

void repairChecksum(std::string& t) {
  if (t.size() < IPET_HEADER_SIZE) return;
  uint64_t size = t.size();
  std::memcpy(&t[16], &size, 8);
  uint64_t sum = ipet_checksum(reinterpret_cast<const ipet_u8*>(t.data()), t.size(), 24);
  std::memcpy(&t[24], &sum, 8);
}

// Every reference a loaded table holds, checked independently of ipet_load.
void expectReferencesInRange(const ipet_table& t) {
  ASSERT_GE(t.nkinds, 1u);
  for (uint32_t op = 0; op < IPET_OPS; ++op) ASSERT_LT(t.ops[op].w_kind, t.nkinds);
  for (uint32_t k = 0; k < t.nkinds; ++k) {
    ASSERT_LE(uint64_t{t.kinds[k].member_begin} + t.kinds[k].member_count, t.nmembers);
  }
  for (uint32_t m = 0; m < t.nmembers; ++m) ASSERT_LT(t.members[m].tmpl, t.ntemplates);
  for (uint32_t i = 0; i < t.ntemplates; ++i)
    ASSERT_LE(uint64_t{t.templates[i].first_prop} + t.templates[i].nprops, t.ntprops);
  const uint8_t* end = t.base + t.size;
  for (int sub = 0; sub < 2; ++sub)
    for (unsigned c = 0; c < IPET_DIGEST_CLASSES; ++c) {
      const ipet_dtab& d = t.dtab[sub][c];
      if (d.slots >= t.base && d.slots < end) {
        ASSERT_LE(d.slots + uint64_t{d.nslots} * d.stride + IPET_TABLE_PAD, end);
      }
    }
  // Every rank's audit format lies inside the table and is made of the bytes the format allows.
  ASSERT_LE(t.global_default, 2u);
  for (uint32_t r = 0; r <= t.audit_rules; ++r) {
    const ipet_u8* text = nullptr;
    ipet_u32 len = 0;
    ipet_rule_audit(&t, r, &text, &len);
    if (r == t.audit_rules) {
      ASSERT_EQ(text, nullptr);
      break;
    }
    ASSERT_TRUE(text >= t.base && text + len <= end);
    for (ipet_u32 i = 0; i < len; ++i)
      ASSERT_TRUE(text[i] == IPET_AUDIT_FSV_MARKER || text[i] == IPET_AUDIT_DM_MARKER ||
                  (text[i] >= 0x20 && text[i] <= 0x7e && text[i] != '"'));
  }
}

ipet_event randomEvent(std::mt19937_64& rng) {
  ipet_event e;
  uint8_t* p = reinterpret_cast<uint8_t*>(&e);
  for (size_t i = 0; i < sizeof e; ++i) p[i] = static_cast<uint8_t>(rng());
  // Mostly plausible events, sometimes anything at all.
  if (rng() % 4) {
    e.op &= 7;
    e.fsv_len = std::array<uint8_t, 3>{0, 32, 64}[rng() % 3];
    e.dm_len = std::array<uint8_t, 3>{0, 32, 20}[rng() % 3];
    std::memset(e.fsv_digest + e.fsv_len, 0, IPET_MAX_DIGEST - e.fsv_len);
    std::memset(e.dm_digest + e.dm_len, 0, IPET_MAX_DIGEST - e.dm_len);
  }
  return e;
}

TEST(TableMutation, MutantsNeverCrashAndLoadedOnesStayInRange) {
  std::vector<std::string> seeds;
  std::string allow = "policy_name=m policy_version=1.0.0\nDEFAULT action=DENY\nop=EXECUTE boot_verified=TRUE action=ALLOW\n";
  for (int i = 0; i < 300; ++i)
    allow += "op=EXECUTE fsverity_digest=sha256:" + std::string(56, 'a') + std::to_string(10000000 + i) +
             " action=ALLOW\n";
  seeds.push_back(compileText(allow, pipeline::defaultTarget()));
  for (uint64_t s = 1; seeds.size() < 40; ++s) {
    reference::GeneratedCase gc = reference::generateCase(s * 7919, 12);
    std::string t = compileText(gc.text, gc.target);
    if (!t.empty()) seeds.push_back(t);
  }
  std::mt19937_64 rng(20261128);
  uint64_t mutants = 0, accepted = 0, accepted_changed = 0, evaluated = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string t = seeds[rng() % seeds.size()];
    const std::string original = t;
    switch (rng() % 5) {
      case 0:  // bit flips
        for (int k = 1 + static_cast<int>(rng() % 4); k > 0; --k) t[rng() % t.size()] ^= static_cast<char>(1 << (rng() % 8));
        break;
      case 1:  // truncation
        t.resize(rng() % t.size());
        break;
      case 2: {  // splice a chunk of another table
        const std::string& other = seeds[rng() % seeds.size()];
        size_t len = 1 + rng() % 256, from = rng() % other.size(), to = rng() % t.size();
        len = std::min({len, other.size() - from, t.size() - to});
        t.replace(to, len, other.substr(from, len));
        break;
      }
      case 3:  // a 32-bit field set to an extreme
        if (t.size() >= 8) {
          uint32_t v = std::array<uint32_t, 5>{0, 1, 0x7FFFFFFF, 0xFFFFFFFF, 0x80000000}[rng() % 5];
          std::memcpy(&t[(rng() % (t.size() - 4)) & ~size_t{3}], &v, 4);
        }
        break;
      default:  // random bytes over a range
        for (size_t i = rng() % t.size(), n = 1 + rng() % 64; n-- && i < t.size(); ++i) t[i] = static_cast<char>(rng());
    }
    if (rng() % 2) repairChecksum(t);
    ++mutants;
    int status = 0;
    auto table = backend::Table::load(t, status);
    if (!table) {
      ASSERT_NE(status, IPET_OK);
      ASSERT_NE(std::string(ipet_strerror(status)), "unknown error");
      continue;
    }
    ++accepted;
    accepted_changed += t != original;
    expectReferencesInRange(table->raw());
    std::string text = backend::decompile(table->raw());
    ASSERT_FALSE(text.empty());
    for (int k = 0; k < 16; ++k) {
      ipet_decision d = table->eval(randomEvent(rng));
      ++evaluated;
      ASSERT_LE(d.action, 1u);
      ASSERT_LE(d.kind, static_cast<uint32_t>(IPET_NO_DEFAULT));
    }
  }
  std::printf("mutation: %llu mutants, %llu accepted (%llu of them changed), %llu evaluations, no crash\n",
              static_cast<unsigned long long>(mutants), static_cast<unsigned long long>(accepted),
              static_cast<unsigned long long>(accepted_changed), static_cast<unsigned long long>(evaluated));
  EXPECT_GT(mutants - accepted, mutants / 2);  // most mutants are rejected
}

}  // namespace
}  // namespace ipec::test
