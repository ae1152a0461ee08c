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

// `treu` was two replacements away from `TRUE`, more than a four-letter word allows.
TEST(Suggest, ASwapOfNeighboursIsOneEdit) {
  constexpr std::array<std::string_view, 2> kBools = {"FALSE", "TRUE"};
  auto s = suggest("treu", kBools);
  ASSERT_TRUE(s && s->unique());
  EXPECT_EQ(s->best[0], "TRUE");
  EXPECT_EQ(s->distance, 1u);
  s = suggest("FLASE", kBools);
  ASSERT_TRUE(s && s->unique());
  EXPECT_EQ(s->best[0], "FALSE");
  EXPECT_FALSE(suggest("rteu", kBools));  // two swaps
}

TEST(Suggest, DidYouMeanNamesOneOrSeveral) {
  EXPECT_EQ(didYouMean(*suggest("boot_verifed", kProps), "keys"), "did you mean `boot_verified`?");
  EXPECT_EQ(didYouMean(*suggest("Boot_Verified", kProps), "keys"),
            "did you mean `boot_verified`? (keys are case-sensitive)");
  EXPECT_EQ(didYouMean(*suggest("KEXEC", kOps), "ops"), "did you mean one of `KEXEC_IMAGE`, `KEXEC_INITRAMFS`?");
}

TEST(Suggest, FarWordsGetNothing) {
  EXPECT_FALSE(suggest("network", kOps));
  EXPECT_FALSE(suggest("", kOps));
  EXPECT_FALSE(suggest("x", kProps));
}

}  // namespace
}  // namespace ipec
