// Reading policy files (or stdin) with bounded memory and clear errors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ipec::driver {

inline constexpr uint64_t kDefaultMaxFileSize = 256ull << 20;

struct InputFile {
  std::string display_name;  // the path as given, or "<stdin>"
  std::string bytes;
};

struct InputError {
  bool too_large = false;
  std::string message;
};

// Reads `path` ("-" is stdin). Directories, unreadable paths and files larger than `max_bytes`
// give an InputError instead of bytes.
std::optional<InputFile> readInput(const std::string& path, uint64_t max_bytes, InputError& error);

// readInput(), printing `ipec: error: MESSAGE [io-error|file-too-large]` on failure.
std::optional<InputFile> readInputOrReport(const std::string& path, uint64_t max_bytes);

// Writes `bytes` to `path` atomically: a temporary file in the same directory, fsync, then
// rename over the original, keeping its permissions. The original is untouched on failure. An
// existing path that is not a regular file (/dev/null, a FIFO, a terminal) is opened and written
// as it is, never replaced; a directory is an error.
bool writeFileAtomically(const std::string& path, const std::string& bytes, std::string& error);

}  // namespace ipec::driver
