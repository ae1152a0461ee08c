// SPDX-License-Identifier: Apache-2.0
// What the driver prints on a terminal. Every piece of user text (a file name, an option value,
// event text) reaches stderr or stdout through shown() or quote(), and every `ipec: error:`
// line through printError(), so escaping and colour are decided in one place.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include <fmt/core.h>

namespace ipec::driver {

// `text` for a terminal line, unquoted: control bytes and bytes that are not UTF-8 escaped as
// quote() escapes them (`\x1b`, `\n`), so a hostile file name cannot move the cursor or forge a
// line. For file names, which messages show bare (`cannot open NAME: REASON`), and for whole
// messages (printError applies it): text that quote() made safe passes unchanged.
std::string shown(std::string_view text);

// Whether to colour what goes to `fd` (clang's rules): --color=always or never decides; auto
// colours a terminal unless NO_COLOR is set or TERM is dumb. The escapes are written by hand where
// this says yes: fmt's colour styles always write them.
enum class ColorMode { Auto, Always, Never };
bool useColor(ColorMode mode, int fd);

// Colour for `ipec: error:` and `ipec: note:` lines: decided once, after the command line is
// parsed; until then, as useColor(ColorMode::Auto) decides for stderr.
void setMessageColor(bool on);

// `ipec: error: MESSAGE` and `ipec: note: MESSAGE` on stderr, with a line feed.
void printError(std::string_view message);
void printNote(std::string_view message);
// The same line as a string (for CLI11's failure message).
std::string errorLine(std::string_view message);

// fmt::print, but a failed write (a full disk, a closed stream) is left to ferror() as stdio
// leaves it: fmt::print throws std::system_error there, which ended ipec with abort().
// runCommandLine() reports a failed standard output with status 2; a failed stderr is ignored.
void vprintTo(std::FILE* f, fmt::string_view format, fmt::format_args args);
template <typename... T>
void print(std::FILE* f, fmt::format_string<T...> format, T&&... args) {
  driver::vprintTo(f, format, fmt::make_format_args(args...));
}

// Writes `text` as it is, any bytes (NUL included): for output built beforehand.
inline void writeText(std::FILE* f, std::string_view text) { std::fwrite(text.data(), 1, text.size(), f); }

}  // namespace ipec::driver
