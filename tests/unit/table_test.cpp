// Loading edge cases of decision tables (regressions).
#include <gtest/gtest.h>

#include "backend/table.h"

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

TEST(Table, LooksLikeTable) {
  EXPECT_TRUE(backend::looksLikeTable(std::string("IPECTBL\0rest", 12)));
  EXPECT_FALSE(backend::looksLikeTable("policy_name=x"));
  EXPECT_FALSE(backend::looksLikeTable("IPEC"));
}

}  // namespace
}  // namespace ipec::test
