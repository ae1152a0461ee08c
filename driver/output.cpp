// SPDX-License-Identifier: Apache-2.0
#include "driver/output.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>

#include <fmt/core.h>

#include "base/diagnostic.h"

namespace ipec::driver {
namespace {

std::optional<bool> g_color;

bool colorOn() {
  if (!g_color) {
    const char* term = std::getenv("TERM");
    g_color = !std::getenv("NO_COLOR") && !(term && std::string_view(term) == "dumb") && ::isatty(STDERR_FILENO) == 1;
  }
  return *g_color;
}

std::string line(std::string_view label, const char* color, std::string_view message) {
  if (!colorOn()) return fmt::format("ipec: {}: {}\n", label, message);
  return fmt::format("\033[1mipec: \033[0m{}{}: \033[0m\033[1m{}\033[0m\n", color, label, message);
}

}  // namespace

std::string shown(std::string_view text) { return escapeText(text); }

void setMessageColor(bool on) { g_color = on; }

std::string errorLine(std::string_view message) { return line("error", "\033[1;31m", message); }

// Messages pass through shown() as a whole, so that user text which reached one unquoted (a path
// inside an analysis or OpenSSL error) cannot reach the terminal raw either.
void printError(std::string_view message) { std::fputs(errorLine(shown(message)).c_str(), stderr); }

void printNote(std::string_view message) { std::fputs(line("note", "\033[1;36m", shown(message)).c_str(), stderr); }

}  // namespace ipec::driver
