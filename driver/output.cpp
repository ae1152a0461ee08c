// SPDX-License-Identifier: Apache-2.0
#include "driver/output.h"

#include <unistd.h>

#include <cstdlib>
#include <iterator>
#include <optional>

#include <fmt/format.h>

#include "base/diagnostic.h"

namespace ipec::driver {
namespace {

std::optional<bool> g_color;

bool colorOn() {
  if (!g_color) g_color = useColor(ColorMode::Auto, STDERR_FILENO);
  return *g_color;
}

std::string line(std::string_view label, const char* color, std::string_view message) {
  if (!colorOn()) return fmt::format("ipec: {}: {}\n", label, message);
  return fmt::format("\033[1mipec: \033[0m{}{}: \033[0m\033[1m{}\033[0m\n", color, label, message);
}

}  // namespace

std::string shown(std::string_view text) { return escapeText(text); }

bool useColor(ColorMode mode, int fd) {
  if (mode != ColorMode::Auto) return mode == ColorMode::Always;
  if (std::getenv("NO_COLOR")) return false;
  const char* term = std::getenv("TERM");
  if (term && std::string_view(term) == "dumb") return false;
  return ::isatty(fd) == 1;
}

void setMessageColor(bool on) { g_color = on; }

std::string errorLine(std::string_view message) { return line("error", "\033[1;31m", message); }

// Messages pass through shown() as a whole, so that user text which reached one unquoted (a path
// inside an analysis or OpenSSL error) cannot reach the terminal raw either.
void printError(std::string_view message) { writeText(stderr, errorLine(shown(message))); }

void printNote(std::string_view message) { writeText(stderr, line("note", "\033[1;36m", shown(message))); }

void vprintTo(std::FILE* f, fmt::string_view format, fmt::format_args args) {
  fmt::memory_buffer buffer;
  fmt::vformat_to(std::back_inserter(buffer), format, args);
  writeText(f, {buffer.data(), buffer.size()});
}

}  // namespace ipec::driver
