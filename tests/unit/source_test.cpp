// SPDX-License-Identifier: Apache-2.0
// SourceFile's line map against a naive one: every offset and line, looked up in file order, in
// reverse, alternating between two places (a diagnostic and its note) and at random.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "base/source.h"

namespace ipec {
namespace {

// The naive map: lines end at "\r\n", a lone "\r" or "\n".
struct NaiveLines {
  std::vector<uint32_t> starts{0};
  std::vector<uint32_t> text_ends;  // without the terminator
  explicit NaiveLines(const std::string& s) {
    for (uint32_t i = 0; i < s.size(); ++i) {
      if (s[i] != '\r' && s[i] != '\n') continue;
      text_ends.push_back(i);
      if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      starts.push_back(i + 1);
    }
    text_ends.push_back(static_cast<uint32_t>(s.size()));
  }
  LineCol at(uint32_t offset) const {
    const auto line = static_cast<uint32_t>(std::upper_bound(starts.begin(), starts.end(), offset) - starts.begin());
    return {line, offset - starts[line - 1] + 1};
  }
};

std::string randomText(std::mt19937& rng, size_t size) {
  static constexpr char kBytes[] = {'a', 'b', ' ', '\n', '\r', '\n', 'x'};
  std::string s(size, 'a');
  for (char& c : s) c = kBytes[rng() % sizeof kBytes];
  return s;
}

void expectSame(const SourceFile& f, const NaiveLines& naive, uint32_t offset) {
  const LineCol got = f.lineCol(offset), want = naive.at(offset);
  ASSERT_EQ(got.line, want.line) << "offset " << offset;
  ASSERT_EQ(got.column, want.column) << "offset " << offset;
}

void expectLine(const SourceFile& f, const NaiveLines& naive, uint32_t line) {
  ASSERT_EQ(f.lineStart(line), naive.starts[line - 1]) << "line " << line;
  const uint32_t b = naive.starts[line - 1], e = naive.text_ends[line - 1];
  ASSERT_EQ(f.lineText(line), f.bytes().substr(b, e - b)) << "line " << line;
}

TEST(SourceFile, LineMapMatchesNaiveInEveryOrder) {
  std::mt19937 rng(7);
  for (size_t size : {0u, 1u, 2u, 5u, 300u, 2000u, 20000u}) {
    const std::string text = randomText(rng, size);
    const NaiveLines naive(text);
    const SourceFile f("t.pol", text);
    ASSERT_EQ(f.lineCount(), naive.starts.size());
    std::vector<uint32_t> offsets(text.size() + 1);
    for (uint32_t i = 0; i <= text.size(); ++i) offsets[i] = i;
    for (uint32_t o : offsets) expectSame(f, naive, o);
    for (auto it = offsets.rbegin(); it != offsets.rend(); ++it) expectSame(f, naive, *it);
    // A diagnostic on each line in turn, each with a note on an early line.
    for (uint32_t o : offsets) {
      expectSame(f, naive, o);
      expectSame(f, naive, offsets[offsets.size() / 7]);
    }
    std::shuffle(offsets.begin(), offsets.end(), rng);
    for (uint32_t o : offsets) expectSame(f, naive, o);
    std::vector<uint32_t> lines(f.lineCount());
    for (uint32_t l = 1; l <= f.lineCount(); ++l) lines[l - 1] = l;
    for (uint32_t l : lines) expectLine(f, naive, l);
    std::shuffle(lines.begin(), lines.end(), rng);
    for (uint32_t l : lines) {
      expectLine(f, naive, l);
      expectSame(f, naive, offsets[l % offsets.size()]);
    }
  }
}

}  // namespace
}  // namespace ipec
