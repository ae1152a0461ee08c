// SPDX-License-Identifier: Apache-2.0
#include "base/suggest.h"

#include <gtest/gtest.h>

#include <array>

namespace ipec {
namespace {

constexpr std::array<std::string_view, 4> kProps = {"boot_verified", "fsverity_signature", "fsverity_digest",
                                                    "dmverity_signature"};
constexpr std::array<std::string_view, 4> kOps = {"EXECUTE", "KEXEC_IMAGE", "KEXEC_INITRAMFS", "KMODULE"};

TEST(Suggest, OneTypoGivesTheUniqueFix) {
  auto s = suggest("fsverity_sigature", kProps);
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->unique());
  EXPECT_EQ(s->best[0], "fsverity_signature");
  s = suggest("boot_verifed", kProps);
  ASSERT_TRUE(s && s->unique());
  EXPECT_EQ(s->best[0], "boot_verified");
}

TEST(Suggest, CaseIsFreeAndAPrefixIsOneEdit) {
  auto s = suggest("execute", kOps);
  ASSERT_TRUE(s && s->unique());
  EXPECT_EQ(s->best[0], "EXECUTE");
  EXPECT_EQ(s->distance, 0u);
  s = suggest("EXEC", kOps);
  ASSERT_TRUE(s && s->unique());
  EXPECT_EQ(s->best[0], "EXECUTE");
}

TEST(Suggest, AmbiguityIsNotAFix) {
  auto s = suggest("KEXEC", kOps);
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->unique());
  EXPECT_EQ(s->best.size(), 2u);
}

TEST(Suggest, FarWordsGetNothing) {
  EXPECT_FALSE(suggest("network", kOps));
  EXPECT_FALSE(suggest("", kOps));
  EXPECT_FALSE(suggest("x", kProps));
}

}  // namespace
}  // namespace ipec
