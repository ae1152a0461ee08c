// SPDX-License-Identifier: Apache-2.0
// Loading edge cases of decision tables (regressions).
#include <gtest/gtest.h>

#include "backend/table.h"

#include <cstring>
#include <filesystem>
#include <fstream>

#include "backend/decompile.h"
#include "backend/verify.h"
#include "driver/commands.h"

namespace ipec::test {
namespace {

TEST(Table, EmptyAndShortInputsAreRejectedCleanly) {
  int status = IPET_OK;
  // An empty buffer once reached memcpy with a null pointer (UBSan, the mutation test).
  EXPECT_FALSE(backend::Table::load("", status));
  EXPECT_EQ(status, IPET_E_TRUNCATED);
  EXPECT_FALSE(backend::Table::load(std::string("IPECTBL\0", 8), status));
  EXPECT_EQ(status, IPET_E_TRUNCATED);
  EXPECT_FALSE(backend::Table::load(std::string(64, 'x'), status));
  EXPECT_EQ(status, IPET_E_MAGIC);
}

// Inputs the table fuzzer once crashed on (tests/fuzz/table-regressions): each must load or be
// rejected, and decompile if it loads, as it is and with its checksum repaired. Each is of the
// current format version (a format change must update them, or they stop reaching the code they
// once crashed), and with its checksum repaired each gets past the header.
TEST(Table, FuzzRegressions) {
  size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(IPEC_TABLE_REGRESSIONS_DIR)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (int repaired = 0; repaired < 2; ++repaired) {
      if (repaired && bytes.size() >= IPET_HEADER_SIZE) {
        uint64_t size = bytes.size();
        std::memcpy(&bytes[16], &size, 8);
        uint64_t sum = ipet_checksum(reinterpret_cast<const ipet_u8*>(bytes.data()), bytes.size(), 24);
        std::memcpy(&bytes[24], &sum, 8);
      }
      int status = 0;
      if (auto t = backend::Table::load(bytes, status)) {
        EXPECT_FALSE(backend::decompile(t->raw()).empty());
      }
      EXPECT_NE(status, IPET_E_VERSION) << entry.path().filename();
      if (repaired) {
        EXPECT_NE(status, IPET_E_CHECKSUM) << entry.path().filename();
      }
    }
    ++n;
  }
  EXPECT_GE(n, 1u);
}

// --verify must catch a table that decides differently: verify policy B's table against policy A.
TEST(Table, VerifyFindsADisagreement) {
  auto compile = [](const std::string& text) {
    pipeline::PipelineConfig config;
    config.analyze = false;
    auto p = std::make_unique<pipeline::CheckedPolicy>(pipeline::checkPolicy("v.pol", text, config));
    auto c = driver::compilePolicy(*p, config, false);
    return std::make_pair(std::move(p), std::move(*c));
  };
  const std::string head = "policy_name=v policy_version=1.0.0\nDEFAULT action=ALLOW\n";
  auto [pa, ca] = compile(head + "op=EXECUTE boot_verified=TRUE action=DENY\n");
  auto [pb, cb] = compile(head + "op=EXECUTE boot_verified=FALSE action=DENY\n");
  int status = 0;
  auto table_b = backend::Table::load(cb.bytes, status);
  ASSERT_TRUE(table_b);
  backend::VerifyResult wrong =
      backend::verifyTable(pa->parsed.policy, pipeline::defaultTarget(), *ca.decider, ca.program, *table_b);
  EXPECT_FALSE(wrong.mismatches.empty());
  auto table_a = backend::Table::load(ca.bytes, status);
  backend::VerifyResult right =
      backend::verifyTable(pa->parsed.policy, pipeline::defaultTarget(), *ca.decider, ca.program, *table_a);
  EXPECT_TRUE(right.mismatches.empty());
  EXPECT_GT(right.events, 10u);
}

TEST(Table, LooksLikeTable) {
  EXPECT_TRUE(backend::looksLikeTable(std::string("IPECTBL\0rest", 12)));
  EXPECT_FALSE(backend::looksLikeTable("policy_name=x"));
  EXPECT_FALSE(backend::looksLikeTable("IPEC"));
}

}  // namespace
}  // namespace ipec::test
