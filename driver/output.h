// SPDX-License-Identifier: Apache-2.0
// What the driver prints on a terminal. Every piece of user text (a file name, an option value,
// event text) reaches stderr or stdout through shown() or quote(), and every `ipec: error:`
// line through printError(), so escaping and colour are decided in one place.
#pragma once

#include <string>
#include <string_view>

namespace ipec::driver {

// `text` for a terminal line, unquoted: control bytes and bytes that are not UTF-8 escaped as
// quote() escapes them (`\x1b`, `\n`), so a hostile file name cannot move the cursor or forge a
// line. For file names, which messages show bare (`cannot open NAME: REASON`), and for whole
// messages (printError applies it): text that quote() made safe passes unchanged.
std::string shown(std::string_view text);

// Colour for `ipec: error:` and `ipec: note:` lines (clang's style): decided once, after the
// command line is parsed; until then, colour when stderr is a terminal and NO_COLOR allows.
void setMessageColor(bool on);

// `ipec: error: MESSAGE` and `ipec: note: MESSAGE` on stderr, with a line feed.
void printError(std::string_view message);
void printNote(std::string_view message);
// The same line as a string (for CLI11's failure message).
std::string errorLine(std::string_view message);

}  // namespace ipec::driver
