// SPDX-License-Identifier: Apache-2.0
// pipeline::buildTarget: the profile, then --kconfig, --lsm and --set, and the errors of each.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "pipeline/target_options.h"

namespace ipec {
namespace {

TEST(TargetOptions, DefaultProfileHasIpeActive) {
  pipeline::TargetArgs args;
  analysis::Target t;
  std::string error;
  ASSERT_TRUE(pipeline::buildTarget(args, t, error)) << error;
  EXPECT_EQ(t.name, "linux-6.12");
  EXPECT_TRUE(t.ipeActive());
}

// `--lsm ''` was once dropped as if it had not been given, leaving the profile's list (with IPE).
TEST(TargetOptions, EmptyLsmListIsAnError) {
  pipeline::TargetArgs args;
  args.lsm = "";
  analysis::Target t;
  std::string error;
  EXPECT_FALSE(pipeline::buildTarget(args, t, error));
  EXPECT_NE(error.find("--lsm: the list is empty"), std::string::npos) << error;
  args.lsm = " , ";
  EXPECT_FALSE(pipeline::buildTarget(args, t, error));
}

TEST(TargetOptions, LsmListWithoutIpeDeactivatesIt) {
  pipeline::TargetArgs args;
  args.lsm = "capability,landlock";
  analysis::Target t;
  std::string error;
  ASSERT_TRUE(pipeline::buildTarget(args, t, error)) << error;
  EXPECT_FALSE(t.ipeActive());
  args.lsm = "capability, ipe";
  ASSERT_TRUE(pipeline::buildTarget(args, t, error)) << error;
  EXPECT_TRUE(t.ipeActive());
}

TEST(TargetOptions, SetComesAfterLsm) {
  pipeline::TargetArgs args;
  args.lsm = "ipe";
  args.settings = {"CONFIG_SECURITY_IPE=n"};
  analysis::Target t;
  std::string error;
  ASSERT_TRUE(pipeline::buildTarget(args, t, error)) << error;
  EXPECT_FALSE(t.ipeActive());
}

TEST(TargetOptions, UnknownProfileListsTheKnownOnes) {
  pipeline::TargetArgs args;
  args.name = "linux-9.99";
  analysis::Target t;
  std::string error;
  EXPECT_FALSE(pipeline::buildTarget(args, t, error));
  EXPECT_NE(error.find("hornet-v7"), std::string::npos) << error;
  EXPECT_NE(error.find("live"), std::string::npos) << error;
}

}  // namespace
}  // namespace ipec

namespace ipec {
namespace {

// User text in target errors is escaped: a terminal escape in --set or a target name once reached
// stderr raw.
TEST(TargetOptions, UserTextInErrorsIsEscaped) {
  pipeline::TargetArgs args;
  args.settings = {"\x1b[31mX"};
  analysis::Target t;
  std::string error;
  EXPECT_FALSE(pipeline::buildTarget(args, t, error));
  EXPECT_EQ(error.find('\x1b'), std::string::npos) << error;
  EXPECT_NE(error.find("`\\x1b[31mX`"), std::string::npos) << error;
  args.settings.clear();
  args.name = "linux\n6.12";
  EXPECT_FALSE(pipeline::buildTarget(args, t, error));
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
}

}  // namespace
}  // namespace ipec

namespace ipec {
namespace {

// The adjustment line once claimed "CONFIG_LSM as the default lsm= list" for a .config without one.
TEST(TargetOptions, KconfigWithoutLsmKeepsTheList) {
  std::string path = ::testing::TempDir() + "ipec-nolsm.config";
  std::ofstream(path) << "CONFIG_SECURITY_IPE=y\n";
  pipeline::TargetArgs args;
  args.kconfig_files = {path};
  analysis::Target t;
  std::string error;
  ASSERT_TRUE(pipeline::buildTarget(args, t, error)) << error;
  ASSERT_FALSE(t.adjustments.empty());
  EXPECT_NE(t.adjustments.back().find("no CONFIG_LSM: lsm= list kept"), std::string::npos) << t.adjustments.back();
  EXPECT_TRUE(t.lsmHas("ipe"));  // the profile's list
  std::remove(path.c_str());
}

}  // namespace
}  // namespace ipec
