// SPDX-License-Identifier: Apache-2.0
#include "base/suggest.h"

#include <llvm/ADT/StringExtras.h>
#include <llvm/ADT/StringRef.h>

#include <algorithm>
#include <string>

namespace ipec {

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

}  // namespace ipec
