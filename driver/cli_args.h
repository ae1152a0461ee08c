// SPDX-License-Identifier: Apache-2.0
// The parts of the command line that CLI11 cannot spell or gets wrong, handled before it parses:
// the -W flags, sizes, `--opt=` with an empty value, and the words after `--`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"

namespace ipec::driver {

// A byte count: decimal digits, then optionally K, M or G (or KiB, MiB, GiB), nothing else, at
// least 1 and below 4 GiB. `option` names the option in the error message.
std::optional<uint64_t> parseSize(std::string_view text, std::string_view option, std::string& error);

// Words after `--` are files even when they look like options or commands. CLI11 stops taking
// positionals at `--` once one was given (`check a.pol -- -b.pol` is refused), so the words are
// moved to the end of the command line and marked with a leading NUL byte, which no argv word can
// hold and which CLI11 reads as a positional. unmarkFile() takes the mark off after parsing.
inline constexpr char kAfterDashes = '\0';
std::string unmarkFile(std::string word);

}  // namespace ipec::driver
