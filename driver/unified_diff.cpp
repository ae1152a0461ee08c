// SPDX-License-Identifier: Apache-2.0
#include "driver/unified_diff.h"

#include <fmt/core.h>

#include <algorithm>
#include <vector>

#include "base/edit_script.h"

namespace ipec::driver {
namespace {

using Op = Edit;

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
  const std::vector<Op> ops = editScript(a, b);

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
