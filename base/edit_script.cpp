// SPDX-License-Identifier: Apache-2.0
#include "base/edit_script.h"

namespace ipec {
namespace {

// Myers' O(ND) shortest edit script of a[a0, a1) into b[b0, b1); false when it needs more than
// `max_d` edits (then the caller replaces the whole range).
bool myers(const std::vector<std::string_view>& a, size_t a0, size_t a1, const std::vector<std::string_view>& b,
           size_t b0, size_t b1, int max_d, std::vector<Edit>& out) {
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
      std::vector<Edit> rev;
      for (int dd = d; dd > 0; --dd) {
        const std::vector<int>& pv = trace[dd];
        int kk = x - y;
        bool down = kk == -dd || (kk != dd && pv[offset + kk - 1] < pv[offset + kk + 1]);
        int pk = down ? kk + 1 : kk - 1;
        int px = pv[offset + pk], py = px - pk;
        for (; x > px + (down ? 0 : 1) && y > py + (down ? 1 : 0); --x, --y) rev.push_back(Edit::Same);
        rev.push_back(down ? Edit::Add : Edit::Del);
        x = px, y = py;
      }
      for (; x > 0; --x) rev.push_back(Edit::Same);
      out.insert(out.end(), rev.rbegin(), rev.rend());
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<Edit> editScript(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b, int max_d) {
  size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) ++suf;
  std::vector<Edit> ops(pre, Edit::Same);
  if (!myers(a, pre, a.size() - suf, b, pre, b.size() - suf, max_d, ops)) {
    ops.insert(ops.end(), a.size() - suf - pre, Edit::Del);
    ops.insert(ops.end(), b.size() - suf - pre, Edit::Add);
  }
  ops.insert(ops.end(), suf, Edit::Same);
  return ops;
}

}  // namespace ipec
