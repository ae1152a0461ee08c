// SPDX-License-Identifier: Apache-2.0
// The LSP base protocol: messages framed by a `Content-Length` header (LSP 3.17, "Base
// Protocol"), read from and written to file descriptors.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>

namespace ipec::lsp {

// Reads framed messages from a file descriptor. A header block without a usable Content-Length
// is skipped (reported through `problem`), so one bad frame never ends the session.
class MessageReader {
 public:
  explicit MessageReader(int fd, size_t max_body = size_t{256} << 20) : fd_(fd), max_body_(max_body) {}

  enum class Status { Message, Skipped, End };
  // The next message body (Status::Message); Skipped when a frame was malformed (its
  // description in `problem`); End at end of input or on a read error.
  Status next(std::string& body, std::string& problem);

 private:
  bool fill();                          // reads more input; false at EOF or error
  std::optional<std::string> readLine();  // a header line without its CRLF (a bare LF is accepted)
  bool readBody(size_t n, std::string& body);

  int fd_;
  size_t max_body_;
  std::string buf_;
  size_t pos_ = 0;
  bool eof_ = false;
};

// Writes framed messages; safe to call from several threads.
class MessageWriter {
 public:
  explicit MessageWriter(int fd) : fd_(fd) {}
  // False when the peer is gone (EPIPE, or another write error).
  bool write(const std::string& body);

 private:
  int fd_;
  std::mutex mu_;
  bool broken_ = false;
};

}  // namespace ipec::lsp
