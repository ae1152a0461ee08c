// SPDX-License-Identifier: Apache-2.0
#include "lsp/transport.h"

#include <unistd.h>

#include <cerrno>
#include <fmt/format.h>
#include <llvm/ADT/StringExtras.h>
#include <llvm/ADT/StringRef.h>

namespace ipec::lsp {

bool MessageReader::fill() {
  if (eof_) return false;
  buf_.erase(0, pos_);  // what was consumed; keeps the buffer to one unread frame at most
  pos_ = 0;
  char chunk[65536];
  for (;;) {
    ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n > 0) {
      buf_.append(chunk, static_cast<size_t>(n));
      return true;
    }
    if (n < 0 && errno == EINTR) continue;
    eof_ = true;
    return false;
  }
}

std::optional<std::string> MessageReader::readLine() {
  // Header lines are short; a peer that sends megabytes without a line break is not speaking the
  // protocol, and the line is cut there.
  constexpr size_t kMaxHeaderLine = 8192;
  for (;;) {
    size_t nl = buf_.find('\n', pos_);
    if (nl != std::string::npos || buf_.size() - pos_ > kMaxHeaderLine) {
      size_t end = nl == std::string::npos ? pos_ + kMaxHeaderLine : nl;
      std::string line = buf_.substr(pos_, end - pos_);
      pos_ = nl == std::string::npos ? end : nl + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (!fill()) return std::nullopt;
  }
}

bool MessageReader::readBody(size_t n, std::string& body) {
  while (buf_.size() - pos_ < n)
    if (!fill()) return false;
  body.assign(buf_, pos_, n);
  pos_ += n;
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  }
  return true;
}

MessageReader::Status MessageReader::next(std::string& body, std::string& problem) {
  std::optional<size_t> length;
  bool bad_length = false, any = false;
  for (;;) {
    std::optional<std::string> line = readLine();
    if (!line) return Status::End;
    if (line->empty()) {
      if (!any) continue;  // stray blank lines between frames
      break;
    }
    any = true;
    // The last "Content-Length:" of the line, so that a header glued to the end of junk (a
    // frame without a header, bytes that are not a frame) is still found.
    constexpr llvm::StringLiteral kName = "content-length:";
    const std::string lower = llvm::StringRef(*line).lower();
    const size_t at = llvm::StringRef(lower).rfind(kName);
    if (at == llvm::StringRef::npos) continue;  // Content-Type and others
    const llvm::StringRef value = llvm::StringRef(*line).drop_front(at + kName.size());
    unsigned long long n = 0;
    if (value.trim().getAsInteger(10, n) || n > max_body_) bad_length = true;
    else length = static_cast<size_t>(n);
  }
  if (!length || bad_length) {
    problem = bad_length ? fmt::format("a frame's Content-Length is not a number up to {}", max_body_)
                         : "a frame has no Content-Length header";
    return Status::Skipped;
  }
  if (!readBody(*length, body)) return Status::End;
  return Status::Message;
}

bool MessageWriter::write(const std::string& body) {
  std::lock_guard<std::mutex> lock(mu_);
  if (broken_) return false;
  std::string frame = fmt::format("Content-Length: {}\r\n\r\n", body.size());
  frame += body;
  size_t done = 0;
  while (done < frame.size()) {
    ssize_t n = ::write(fd_, frame.data() + done, frame.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    broken_ = true;
    return false;
  }
  return true;
}

}  // namespace ipec::lsp
