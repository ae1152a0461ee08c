// SPDX-License-Identifier: Apache-2.0
#include "driver/input.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/core.h>

#include "driver/output.h"

namespace ipec::driver {
namespace {

std::string describe(uint64_t bytes) {
  if (bytes >= (1ull << 30) && bytes % (1ull << 30) == 0) return fmt::format("{} GiB", bytes >> 30);
  if (bytes >= (1ull << 20) && bytes % (1ull << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
  return fmt::format("{} bytes", bytes);
}

// The kernel's own limit, for inputs that are policies.
std::string kernelNote(bool policy) { return policy ? "; the kernel takes at most 64 KiB of signed policy" : ""; }

// Not llvm::MemoryBuffer::getFileOrSTDIN: it reads stdin or a pipe whole, unbounded, before a limit can refuse it.
bool readAll(int fd, uint64_t max_bytes, std::string& out, InputError& error, const std::string& name, bool policy) {
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      error.message = fmt::format("cannot read {}: {}", name, std::strerror(errno));
      return false;
    }
    if (n == 0) return true;
    if (out.size() + static_cast<uint64_t>(n) > max_bytes) {
      error.too_large = true;
      error.message = fmt::format("{} is larger than {} (--max-file-size){}", name, describe(max_bytes), kernelNote(policy));
      return false;
    }
    out.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

std::optional<InputFile> readInput(const std::string& path, uint64_t max_bytes, InputError& error, bool policy) {
  InputFile in;
  in.path = path;
  if (path == "-") {
    in.display_name = "<stdin>";
    if (!readAll(STDIN_FILENO, max_bytes, in.bytes, error, "standard input", policy)) return std::nullopt;
    return in;
  }
  in.display_name = shown(path);
  const std::string& name = in.display_name;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error.message = fmt::format("cannot open {}: {}", name, std::strerror(errno));
    return std::nullopt;
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    error.message = fmt::format("cannot stat {}: {}", name, std::strerror(errno));
    ::close(fd);
    return std::nullopt;
  }
  if (S_ISDIR(st.st_mode)) {
    error.message = fmt::format("{} is a directory", name);
    ::close(fd);
    return std::nullopt;
  }
  if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > max_bytes) {
    error.too_large = true;
    error.message = fmt::format("{} is {}, larger than {} (--max-file-size){}", name,
                                describe(static_cast<uint64_t>(st.st_size)), describe(max_bytes), kernelNote(policy));
    ::close(fd);
    return std::nullopt;
  }
  if (S_ISREG(st.st_mode)) in.bytes.reserve(static_cast<size_t>(st.st_size));
  bool ok = readAll(fd, max_bytes, in.bytes, error, name, policy);
  ::close(fd);
  if (!ok) return std::nullopt;
  return in;
}

std::optional<InputFile> readInputOrReport(const std::string& path, uint64_t max_bytes, bool policy) {
  InputError error;
  auto in = readInput(path, max_bytes, error, policy);
  if (!in) printError(fmt::format("{} [{}]", error.message, error.too_large ? "file-too-large" : "io-error"));
  return in;
}

namespace {

bool writeAll(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

// An existing path that is not a regular file (/dev/null, /dev/stdout, a FIFO) is written as it
// is: renaming a temporary file over it would replace the device or pipe with a regular file.
bool writeInPlace(const std::string& path, const std::string& target, const struct stat& st, const std::string& bytes,
                  std::string& error) {
  if (S_ISDIR(st.st_mode)) {
    error = fmt::format("cannot write {}: it is a directory", shown(path));
    return false;
  }
  int fd = ::open(target.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    error = fmt::format("cannot open {}: {}", shown(path), std::strerror(errno));
    return false;
  }
  if (!writeAll(fd, bytes)) {
    error = fmt::format("cannot write {}: {}", shown(path), std::strerror(errno));
    ::close(fd);
    return false;
  }
  if (::close(fd) != 0) {
    error = fmt::format("cannot close {}: {}", shown(path), std::strerror(errno));
    return false;
  }
  return true;
}

}  // namespace

// Not llvm::writeFileAtomically: it keeps neither mode nor owner, does not fsync, and replaces devices and FIFOs.
bool writeFileAtomically(const std::string& path, const std::string& bytes, std::string& error) {
  if (path.empty()) {
    error = "the output path is empty";
    return false;
  }
  // An existing file keeps its mode (less set-user-ID and set-group-ID), its owner and group
  // where the process may set them, and a symlink its target; a new one gets 0644. stat() first:
  // it follows links that realpath() cannot name, such as /dev/stdout -> /proc/self/fd/1 ->
  // pipe:[N], which must be written, not replaced.
  std::string target = path;
  struct stat st;
  bool exists = false;
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) return writeInPlace(path, path, st, bytes, error);
    char* resolved = ::realpath(path.c_str(), nullptr);
    if (!resolved) {
      error = fmt::format("cannot resolve {}: {}", shown(path), std::strerror(errno));
      return false;
    }
    target = resolved;
    ::free(resolved);
    exists = true;
  } else if (errno == ENOENT) {
    st.st_mode = S_IFREG | 0644;
    struct stat lst;
    if (::lstat(path.c_str(), &lst) == 0) {  // a dangling symlink: refuse rather than replace it
      error = fmt::format("cannot write {}: it is a symbolic link to a missing file", shown(path));
      return false;
    }
  } else {
    error = fmt::format("cannot stat {}: {}", shown(path), std::strerror(errno));
    return false;
  }
  // The temporary file is a short name in the target's directory, so that a name near the
  // 255-byte limit still leaves room for it.
  const size_t slash = target.rfind('/');
  const std::string dir = slash == std::string::npos ? std::string() : target.substr(0, slash + 1);
  std::string tmpl = fmt::format("{}.ipec-tmp.XXXXXX", dir);
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) {
    error = fmt::format("cannot create a temporary file next to {}: {}", shown(path), std::strerror(errno));
    return false;
  }
  auto fail = [&](const char* what) {
    error = fmt::format("{} {}: {}", what, shown(path), std::strerror(errno));
    ::close(fd);
    ::unlink(tmpl.c_str());
    return false;
  };
  if (!writeAll(fd, bytes)) return fail("cannot write");
  if (exists && (st.st_uid != ::geteuid() || st.st_gid != ::getegid()))
    (void)::fchown(fd, st.st_uid, st.st_gid);  // best effort: only root may give a file away
  if (::fchmod(fd, st.st_mode & 01777) != 0) return fail("cannot set the permissions of");
  if (::fsync(fd) != 0) return fail("cannot sync");
  if (::close(fd) != 0) {
    error = fmt::format("cannot close {}: {}", shown(path), std::strerror(errno));
    ::unlink(tmpl.c_str());
    return false;
  }
  if (::rename(tmpl.c_str(), target.c_str()) != 0) {
    error = fmt::format("cannot replace {}: {}", shown(path), std::strerror(errno));
    ::unlink(tmpl.c_str());
    return false;
  }
  // Make the rename itself durable.
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

bool sameFile(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

}  // namespace ipec::driver
