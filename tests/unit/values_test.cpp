// SPDX-License-Identifier: Apache-2.0
#include "frontend/values.h"

#include <gtest/gtest.h>

namespace ipec::frontend {
namespace {

TEST(Kstrtou16, AcceptsWhatTheKernelAccepts) {
  EXPECT_EQ(kstrtou16("0").value, 0);
  EXPECT_EQ(kstrtou16("+1").value, 1);
  EXPECT_EQ(kstrtou16("007").value, 7);
  EXPECT_EQ(kstrtou16("65535").value, 65535);
  EXPECT_EQ(kstrtou16("+00065535").error, Errno::None);
}

TEST(Kstrtou16, RejectsWithTheKernelsErrno) {
  EXPECT_EQ(kstrtou16("").error, Errno::Inval);
  EXPECT_EQ(kstrtou16("+").error, Errno::Inval);
  EXPECT_EQ(kstrtou16("++1").error, Errno::Inval);
  EXPECT_EQ(kstrtou16("-1").error, Errno::Inval);
  EXPECT_EQ(kstrtou16("0x10").error, Errno::Inval);
  EXPECT_EQ(kstrtou16("1a").error, Errno::Inval);
  EXPECT_EQ(kstrtou16(" 1").error, Errno::Inval);
  EXPECT_EQ(kstrtou16("65536").error, Errno::Range);
  EXPECT_EQ(kstrtou16("999999").error, Errno::Range);
  // u64 overflow is noticed while parsing, so it wins over trailing junk...
  EXPECT_EQ(kstrtou16("99999999999999999999x").error, Errno::Range);
  // ...but a u16 overflow is only checked after the junk check.
  EXPECT_EQ(kstrtou16("70000x").error, Errno::Inval);
  EXPECT_EQ(kstrtou16("18446744073709551615").error, Errno::Range);
  EXPECT_EQ(kstrtou16("18446744073709551616").error, Errno::Range);
}

Errno firstVersionError(std::string_view v) {
  VersionResult r = parseVersion(v);
  return r.problems.empty() ? Errno::None : r.problems.front().error;
}

TEST(ParseVersion, FollowsParseVersionOrdering) {
  EXPECT_EQ(firstVersionError("1.2.3"), Errno::None);
  EXPECT_EQ(firstVersionError("+1.+2.+3"), Errno::None);
  EXPECT_EQ(firstVersionError("007.0.0"), Errno::None);
  EXPECT_EQ(firstVersionError("1.x"), Errno::Inval);  // x fails before the count check
  EXPECT_EQ(firstVersionError("70000.0"), Errno::Range);
  EXPECT_EQ(firstVersionError("99999.1.2.3"), Errno::Range);
  EXPECT_EQ(firstVersionError("1.2.3.x"), Errno::BadMsg);  // 4th component: checked before parsing it
  EXPECT_EQ(firstVersionError("1.0.0."), Errno::BadMsg);
  EXPECT_EQ(firstVersionError("1.2"), Errno::BadMsg);
  EXPECT_EQ(firstVersionError("1..0"), Errno::Inval);
  EXPECT_EQ(firstVersionError("0x1.0.0"), Errno::Inval);
  EXPECT_EQ(firstVersionError("-1236.0.0"), Errno::Inval);
  EXPECT_EQ(firstVersionError("999999.0.0"), Errno::Range);
  EXPECT_EQ(firstVersionError("255.0"), Errno::BadMsg);
  EXPECT_EQ(firstVersionError("111.0.0.0"), Errno::BadMsg);
}

TEST(ParseVersion, ReportsEveryProblem) {
  VersionResult r = parseVersion("a.70000");
  ASSERT_EQ(r.problems.size(), 3u);
  EXPECT_EQ(r.problems[0].error, Errno::Inval);
  EXPECT_EQ(r.problems[1].error, Errno::Range);
  EXPECT_EQ(r.problems[2].error, Errno::BadMsg);
  VersionResult ok = parseVersion("65535.1.+02");
  EXPECT_TRUE(ok.problems.empty());
  EXPECT_EQ(ok.parts[0], 65535);
  EXPECT_EQ(ok.parts[2], 2);
}

TEST(ParseDigest, SplitsAtTheFirstColon) {
  DigestResult d = parseDigest("sha256:00ff");
  EXPECT_EQ(d.error, Errno::None);
  EXPECT_EQ(d.alg, "sha256");
  EXPECT_EQ(d.bytes, std::string("\x00\xff", 2));
  EXPECT_EQ(parseDigest(":00").alg, "");
  EXPECT_EQ(parseDigest("sha256:").error, Errno::None);
  EXPECT_EQ(parseDigest("sha256:").bytes.size(), 0u);
  EXPECT_EQ(parseDigest("SHA256:AbCd").bytes, "\xab\xcd");
}

TEST(ParseDigest, ErrnosMatchIpeDigestParse) {
  EXPECT_EQ(parseDigest("00ff").error, Errno::BadMsg);
  EXPECT_EQ(parseDigest("sha256:abc").error, Errno::Inval);
  EXPECT_TRUE(parseDigest("sha256:abc").odd_length);
  EXPECT_EQ(parseDigest("sha256:zz").error, Errno::Inval);
  EXPECT_EQ(parseDigest("sha256:zz").bad_offset, 7u);
  EXPECT_EQ(parseDigest("sha256:00:11").error, Errno::Inval);
  EXPECT_EQ(parseDigest("sha256:00:11").bad_offset, 9u);
}

}  // namespace
}  // namespace ipec::frontend
