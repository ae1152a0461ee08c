// SPDX-License-Identifier: Apache-2.0
#include "driver/unified_diff.h"

#include <fmt/core.h>

#include <algorithm>
#include <vector>

namespace ipec::driver {
namespace {

// Lines with their line feed, so that a last line without one differs from the same line with one.
std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (size_t at = 0; at < text.size();) {
    size_t nl = text.find('\n', at);
    size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(at, end - at));
    at = end;
  }
  return lines;
}

enum class Op : char { Same = ' ', Del = '-', Add = '+' };

// Myers' O(ND) shortest edit script of a[a0, a1) into b[b0, b1); false when it needs more than
// `max_d` edits (then the caller replaces the whole range).
bool myers(const std::vector<std::string_view>& a, size_t a0, size_t a1, const std::vector<std::string_view>& b,
           size_t b0, size_t b1, int max_d, std::vector<Op>& out) {
  const int n = static_cast<int>(a1 - a0), m = static_cast<int>(b1 - b0);
  const int offset = max_d + 1;
  std::vector<int> v(2 * static_cast<size_t>(max_d) + 3, 0);
  std::vector<std::vector<int>> trace;
  for (int d = 0; d <= max_d; ++d) {
    trace.push_back(v);
    for (int k = -d; k <= d; k += 2) {
      int x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      int y = x - k;
      while (x < n && y < m && a[a0 + x] == b[b0 + y]) ++x, ++y;
      v[offset + k] = x;
      if (x < n || y < m) continue;
      // Walk back through the saved frontiers, collecting the script in reverse.
      std::vector<Op> rev;
      for (int dd = d; dd > 0; --dd) {
        const std::vector<int>& pv = trace[dd];
        int kk = x - y;
        bool down = kk == -dd || (kk != dd && pv[offset + kk - 1] < pv[offset + kk + 1]);
        int pk = down ? kk + 1 : kk - 1;
        int px = pv[offset + pk], py = px - pk;
        for (; x > px + (down ? 0 : 1) && y > py + (down ? 1 : 0); --x, --y) rev.push_back(Op::Same);
        rev.push_back(down ? Op::Add : Op::Del);
        x = px, y = py;
      }
      for (; x > 0; --x) rev.push_back(Op::Same);
      out.insert(out.end(), rev.rbegin(), rev.rend());
      return true;
    }
  }
  return false;
}

std::string range(size_t start, size_t count) {
  if (count == 1) return fmt::format("{}", start + 1);
  return fmt::format("{},{}", count == 0 ? start : start + 1, count);
}

void putLine(std::string& out, char prefix, std::string_view line) {
  out += prefix;
  out += line;
  if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
}

}  // namespace

std::string unifiedDiff(std::string_view before, std::string_view after, std::string_view label) {
  if (before == after) return {};
  const auto a = splitLines(before), b = splitLines(after);
  size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) ++suf;
  std::vector<Op> ops(pre, Op::Same);
  if (!myers(a, pre, a.size() - suf, b, pre, b.size() - suf, 2000, ops)) {
    ops.insert(ops.end(), a.size() - suf - pre, Op::Del);
    ops.insert(ops.end(), b.size() - suf - pre, Op::Add);
  }
  ops.insert(ops.end(), suf, Op::Same);

  constexpr size_t kContext = 3;
  std::string out = fmt::format("--- {}\t(before)\n+++ {}\t(after)\n", label, label);
  size_t i = 0, ai = 0, bi = 0;  // position in ops, a and b
  while (i < ops.size()) {
    if (ops[i] == Op::Same) {
      ++i, ++ai, ++bi;
      continue;
    }
    // A hunk: from kContext lines before this change to kContext lines after the last change that
    // is at most 2 * kContext unchanged lines from the previous one.
    const size_t back = std::min({kContext, ai, bi});
    size_t end = i, gap = 0;
    for (size_t j = i; j < ops.size(); ++j) {
      if (ops[j] != Op::Same) {
        end = j + 1, gap = 0;
      } else if (++gap > 2 * kContext) {
        break;
      }
    }
    const size_t stop = std::min(ops.size(), end + kContext);
    size_t a_count = back, b_count = back;
    for (size_t j = i; j < stop; ++j) {
      a_count += ops[j] != Op::Add;
      b_count += ops[j] != Op::Del;
    }
    out += fmt::format("@@ -{} +{} @@\n", range(ai - back, a_count), range(bi - back, b_count));
    for (size_t j = 0; j < back; ++j) putLine(out, ' ', a[ai - back + j]);
    for (; i < stop; ++i) {
      switch (ops[i]) {
        case Op::Same: putLine(out, ' ', a[ai++]), ++bi; break;
        case Op::Del: putLine(out, '-', a[ai++]); break;
        case Op::Add: putLine(out, '+', b[bi++]); break;
      }
    }
  }
  return out;
}

}  // namespace ipec::driver
