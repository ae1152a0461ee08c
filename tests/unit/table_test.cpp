// Loading edge cases of decision tables (regressions).
#include <gtest/gtest.h>

#include "backend/table.h"

#include <cstring>
#include <filesystem>
#include <fstream>

#include "backend/decompile.h"

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
// rejected, and decompile if it loads, as it is and with its checksum repaired.
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
      if (auto t = backend::Table::load(bytes, status)) EXPECT_FALSE(backend::decompile(t->raw()).empty());
    }
    ++n;
  }
  EXPECT_GE(n, 1u);
}

TEST(Table, LooksLikeTable) {
  EXPECT_TRUE(backend::looksLikeTable(std::string("IPECTBL\0rest", 12)));
  EXPECT_FALSE(backend::looksLikeTable("policy_name=x"));
  EXPECT_FALSE(backend::looksLikeTable("IPEC"));
}

}  // namespace
}  // namespace ipec::test
