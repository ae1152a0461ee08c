// SPDX-License-Identifier: Apache-2.0
#include "base/suggest.h"

#include <fmt/format.h>
#include <llvm/ADT/StringExtras.h>
#include <llvm/ADT/StringRef.h>

#include <algorithm>
#include <iterator>
#include <string>

#include "base/diagnostic.h"

namespace ipec {
namespace {

// Whether `a` becomes `b` by swapping two neighbouring characters (`treu`, `true`). LLVM's
// edit_distance counts that as two replacements; for people it is one slip.
bool isOneSwap(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  size_t i = 0;
  while (i < a.size() && a[i] == b[i]) ++i;
  return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] && a.substr(i + 2) == b.substr(i + 2);
}

}  // namespace

std::optional<Suggestion> suggest(std::string_view word, std::span<const std::string_view> candidates) {
  if (word.empty()) return std::nullopt;
  const std::string lower = llvm::StringRef(word).lower();
  Suggestion out;
  unsigned best = ~0u;
  for (std::string_view cand : candidates) {
    const std::string c = llvm::StringRef(cand).lower();
    const size_t longer = std::max(c.size(), lower.size());
    const unsigned limit = static_cast<unsigned>(std::clamp<size_t>(longer / 3, 1, 4));
    unsigned d = llvm::StringRef(lower).edit_distance(c, /*AllowReplacements=*/true, limit);
    // A prefix counts as one edit: `EXEC` is a shortening, not three typos.
    if (d > limit && lower.size() >= 3 && llvm::StringRef(c).startswith(lower)) d = 1;
    if (d > 1 && isOneSwap(lower, c)) d = 1;
    if (d > limit) continue;
    if (d < best) {
      best = d;
      out.best.clear();
    }
    if (d == best && std::find(out.best.begin(), out.best.end(), cand) == out.best.end()) out.best.push_back(cand);
  }
  if (out.best.empty()) return std::nullopt;
  out.distance = best;
  return out;
}

std::string didYouMean(const Suggestion& s, std::string_view role) {
  if (s.unique() && s.distance == 0) return fmt::format("did you mean {}? ({} are case-sensitive)", quote(s.best[0]), role);
  if (s.unique()) return fmt::format("did you mean {}?", quote(s.best[0]));
  std::string list;
  for (std::string_view c : s.best)
    fmt::format_to(std::back_inserter(list), "{}{}", list.empty() ? "" : ", ", quote(c));
  return fmt::format("did you mean one of {}?", list);
}

}  // namespace ipec
