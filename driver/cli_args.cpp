// SPDX-License-Identifier: Apache-2.0
#include "driver/cli_args.h"

#include <fmt/core.h>
#include <llvm/ADT/StringRef.h>

namespace ipec::driver {

std::optional<uint64_t> parseSize(std::string_view text, std::string_view option, std::string& error) {
  auto bad = [&] {
    error = text.empty() ? fmt::format("{}: expected a size, got an empty value", option)
                         : fmt::format("{}: expected a number of bytes with an optional K, M or G suffix, such as "
                                       "256M; got {}",
                                       option, quote(text));
    return std::nullopt;
  };
  size_t digits = 0;
  uint64_t value = 0;
  bool overflow = false;
  for (; digits < text.size() && text[digits] >= '0' && text[digits] <= '9'; ++digits)
    overflow |= __builtin_mul_overflow(value, 10u, &value) ||
                __builtin_add_overflow(value, static_cast<uint64_t>(text[digits] - '0'), &value);
  if (digits == 0) return bad();
  const std::string_view suffix = text.substr(digits);
  unsigned shift = 0;
  if (suffix == "K" || suffix == "KiB") shift = 10;
  else if (suffix == "M" || suffix == "MiB") shift = 20;
  else if (suffix == "G" || suffix == "GiB") shift = 30;
  else if (!suffix.empty()) return bad();
  overflow |= shift && value > (UINT64_MAX >> shift);
  if (value == 0 && !overflow) {
    error = fmt::format("{}: a size of 0 would refuse every input; expected at least 1 byte, such as 256M", option);
    return std::nullopt;
  }
  if (overflow || (value << shift) >= (4ull << 30)) {
    error = fmt::format("{}: {} is 4G or more; expected a size below 4G, such as 256M", option, quote(text));
    return std::nullopt;
  }
  return value << shift;
}

std::string unmarkFile(std::string word) {
  if (!word.empty() && word[0] == kAfterDashes) word.erase(0, 1);
  return word;
}

}  // namespace ipec::driver
