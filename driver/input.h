// SPDX-License-Identifier: Apache-2.0
// Reading policy files (or stdin) with bounded memory and clear errors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ipec::driver {

inline constexpr uint64_t kDefaultMaxFileSize = 256ull << 20;

struct InputFile {
  std::string path;          // as given ("-" for standard input)
  std::string display_name;  // for messages: the path escaped by shown(), or "<stdin>"
  std::string bytes;
};

struct InputError {
  bool too_large = false;
  std::string message;
};

// Reads `path` ("-" is stdin). Directories, unreadable paths and files larger than `max_bytes`
// give an InputError instead of bytes. `policy`: the input is policy text, so a too-large
// message also names the kernel's limit.
std::optional<InputFile> readInput(const std::string& path, uint64_t max_bytes, InputError& error, bool policy = true);

// readInput(), printing `ipec: error: MESSAGE [io-error|file-too-large]` on failure.
std::optional<InputFile> readInputOrReport(const std::string& path, uint64_t max_bytes, bool policy = true);

// Writes `bytes` to `path` atomically: a temporary file in the same directory, fsync, then
// rename over the original (a new inode: hard links to the old file keep the old bytes, and
// extended attributes are not copied), keeping its mode less set-user/group-ID, and its owner
// where permitted. The original is untouched on failure. An existing path that is not a regular
// file (/dev/null, /dev/stdout, a FIFO) is opened and written as it is, never replaced; a
// directory and a dangling symlink are errors.
bool writeFileAtomically(const std::string& path, const std::string& bytes, std::string& error);

// Whether both paths exist and name the same file (after following links).
bool sameFile(const std::string& a, const std::string& b);

}  // namespace ipec::driver
