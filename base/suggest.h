// SPDX-License-Identifier: Apache-2.0
// "Did you mean": the closest known spelling to a word the user got wrong, by edit distance.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ipec {

struct Suggestion {
  // The candidates at the smallest distance, in the order given; one means a unique fix.
  std::vector<std::string_view> best;
  unsigned distance = 0;
  bool unique() const { return best.size() == 1; }
};

// The candidates closest to `word`, compared case-insensitively (a case mistake costs nothing
// here: callers that must tell case from spelling compare exactly first). A candidate counts
// when its distance is at most a third of the longer word (at least 1, at most 4), or when
// `word` is a prefix of it of at least three characters (`EXEC` for `EXECUTE`); a prefix and a
// swap of two neighbouring characters (`treu` for `TRUE`) count as one edit. None when no
// candidate is that close.
std::optional<Suggestion> suggest(std::string_view word, std::span<const std::string_view> candidates);

// "did you mean `X`?", with " (ROLE are case-sensitive)" when only the case differs (`role` is
// "ops", "keys", ...), or "did you mean one of `X`, `Y`?" when several are as close.
std::string didYouMean(const Suggestion& s, std::string_view role);

}  // namespace ipec
