// SPDX-License-Identifier: Apache-2.0
// driver/unified_diff.h: the diff `ipec fmt --diff` prints, applied back by a strict applier
// here, must give the new text exactly, for random edits of random line lists.
#include "driver/unified_diff.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using ipec::driver::unifiedDiff;

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  for (size_t at = 0; at < text.size();) {
    size_t nl = text.find('\n', at);
    size_t end = nl == std::string::npos ? text.size() : nl + 1;
    out.push_back(text.substr(at, end - at));
    at = end;
  }
  return out;
}

// Applies `diff` to `before`, checking every context and removed line; fails the test on a
// mismatch.
std::string applyDiff(const std::string& before, const std::string& diff) {
  std::vector<std::string> a = lines(before), d = lines(diff), out;
  size_t ai = 0;
  EXPECT_GE(d.size(), 2u);
  for (size_t i = 2; i < d.size(); ++i) {
    const std::string& h = d[i];
    EXPECT_EQ(h.rfind("@@ -", 0), 0u) << h;
    size_t start = std::stoul(h.substr(4));
    size_t count = h.find(',') < h.find(' ', 4) ? std::stoul(h.substr(h.find(',') + 1)) : 1;
    size_t first = count == 0 ? start : start - 1;  // 0-based index of the hunk's first old line
    EXPECT_GE(first, ai);
    while (ai < first) out.push_back(a[ai++]);
    for (++i; i < d.size() && d[i].rfind("@@ ", 0) != 0; ++i) {
      const char op = d[i][0];
      std::string body = d[i].substr(1);
      if (i + 1 < d.size() && d[i + 1] == "\\ No newline at end of file\n") {
        body.pop_back();
        ++i;
      }
      if (op == '+') {
        out.push_back(body);
        continue;
      }
      EXPECT_LT(ai, a.size());
      if (ai >= a.size()) return {};
      EXPECT_EQ(a[ai], body);
      if (op == ' ') out.push_back(a[ai]);
      ++ai;
    }
    --i;
  }
  while (ai < a.size()) out.push_back(a[ai++]);
  std::string joined;
  for (const std::string& l : out) joined += l;
  return joined;
}

std::string randomText(std::mt19937& rng, size_t max_lines) {
  std::string t;
  size_t n = rng() % (max_lines + 1);
  for (size_t i = 0; i < n; ++i) t += "l" + std::to_string(rng() % 6) + "\n";
  if (!t.empty() && rng() % 4 == 0) t.pop_back();  // no final line feed
  return t;
}

TEST(UnifiedDiff, EqualTextsGiveNothing) { EXPECT_EQ(unifiedDiff("a\nb\n", "a\nb\n", "x"), ""); }

TEST(UnifiedDiff, Header) {
  EXPECT_EQ(unifiedDiff("a\n", "b\n", "p.pol"), "--- p.pol\t(before)\n+++ p.pol\t(after)\n@@ -1 +1 @@\n-a\n+b\n");
}

TEST(UnifiedDiff, MissingFinalNewline) {
  EXPECT_EQ(unifiedDiff("a", "a\n", "p"),
            "--- p\t(before)\n+++ p\t(after)\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n");
}

TEST(UnifiedDiff, RandomEditsApplyBack) {
  std::mt19937 rng(8);
  for (int round = 0; round < 3000; ++round) {
    std::string before = randomText(rng, round % 3 == 0 ? 40 : 8);
    std::string after = randomText(rng, round % 3 == 0 ? 40 : 8);
    std::string diff = unifiedDiff(before, after, "f");
    if (before == after) {
      EXPECT_EQ(diff, "");
      continue;
    }
    ASSERT_EQ(applyDiff(before, diff), after) << "before:\n" << before << "\nafter:\n" << after << "\ndiff:\n" << diff;
  }
}

// Past the edit budget the differing middle becomes one hunk, which still applies.
TEST(UnifiedDiff, LargeDifferenceApplies) {
  std::string before = "head\n", after = "head\n";
  for (int i = 0; i < 2500; ++i) {
    before += "a" + std::to_string(i) + "\n";
    after += "b" + std::to_string(i) + "\n";
  }
  before += "tail\n";
  after += "tail\n";
  EXPECT_EQ(applyDiff(before, unifiedDiff(before, after, "f")), after);
}

}  // namespace
