// SPDX-License-Identifier: Apache-2.0
#include "frontend/digest_pool.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "base/hex.h"

namespace ipec {
namespace {

using namespace std::string_literals;

TEST(DigestPool, EqualDigestsShareAnId) {
  DigestPool pool;
  const DigestId a = pool.intern("sha256", "\x01\x02"s);
  const DigestId b = pool.intern("sha512", "\x01\x02"s);
  const DigestId c = pool.intern("sha256", "\x01\x03"s);
  EXPECT_EQ(pool.intern("sha256", "\x01\x02"s), a);
  EXPECT_NE(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(pool.size(), 3u);
  EXPECT_EQ(pool.find("sha512", "\x01\x02"s), b);
  EXPECT_EQ(pool.find("sha384", "\x01\x02"s), std::nullopt);
}

// The key joins alg and bytes with a NUL, so the same bytes split differently are different keys.
TEST(DigestPool, AlgAndBytesDoNotRunTogether) {
  DigestPool pool;
  const DigestId a = pool.intern("sha", "256"s);
  const DigestId b = pool.intern("sha2", "56"s);
  const DigestId empty = pool.intern("", ""s);
  EXPECT_NE(a, b);
  EXPECT_EQ(pool.get(a).alg, "sha");
  EXPECT_EQ(pool.get(a).bytes, "256");
  EXPECT_EQ(pool.get(b).alg, "sha2");
  EXPECT_EQ(pool.get(empty).alg, "");
  EXPECT_EQ(pool.get(empty).bytes, "");
  const std::string nul_bytes("\0\0sha"s);
  const DigestId z = pool.intern("x", nul_bytes);
  EXPECT_EQ(pool.get(z).bytes, nul_bytes);
}

// Views and ids survive growth of the index and a move of the pool.
TEST(DigestPool, ViewsStayValidAcrossGrowthAndMove) {
  DigestPool pool;
  const DigestId first = pool.intern("sha256", std::string(32, '\xab'));
  const DigestView v = pool.get(first);
  for (unsigned i = 0; i < 5000; ++i) pool.intern("sha256", std::to_string(i));
  DigestPool moved = std::move(pool);
  EXPECT_EQ(moved.size(), 5001u);
  EXPECT_EQ(moved.get(first).bytes.data(), v.bytes.data());
  EXPECT_EQ(moved.find("sha256", "4999"), 5000u);
  std::string spelled = "sha256:";
  for (int i = 0; i < 32; ++i) spelled += "ab";
  EXPECT_EQ(moved.spell(first), spelled);
}

TEST(Hex, EncodesEitherCase) {
  EXPECT_EQ(hex("\x00\x9f\xff"s), "009fff");
  EXPECT_EQ(hex("\x00\x9f\xff"s, HexCase::Upper), "009FFF");
  std::string out = "x:";
  appendHex(out, "\xab"s);
  EXPECT_EQ(out, "x:ab");
  EXPECT_EQ(hexDigit(10), 'a');
  EXPECT_EQ(hexDigit(15, HexCase::Upper), 'F');
}

TEST(Hex, DecodesOnlyEvenRunsOfHexDigits) {
  std::string out = "stale";
  EXPECT_TRUE(decodeHex("", out));
  EXPECT_EQ(out, "");
  EXPECT_TRUE(decodeHex("00aBFf", out));
  EXPECT_EQ(out, "\x00\xab\xff"s);
  EXPECT_FALSE(decodeHex("abc", out));
  EXPECT_FALSE(decodeHex("0g", out));
  EXPECT_FALSE(decodeHex("+1", out));
  EXPECT_EQ(hexDigitValue('7'), 7);
  EXPECT_EQ(hexDigitValue('F'), 15);
  EXPECT_EQ(hexDigitValue('g'), -1);
  EXPECT_EQ(hexDigitValue('\xff'), -1);
}

}  // namespace
}  // namespace ipec
