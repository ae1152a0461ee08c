// SPDX-License-Identifier: Apache-2.0
// Open documents and LSP positions. A position is (line, character) where lines end at "\n",
// "\r\n" or "\r" (as in SourceFile) and characters count UTF-16 code units by default, or bytes
// when the client and server agreed on UTF-8 (LSP 3.17 `positionEncoding`).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipec::lsp {

enum class PositionEncoding { Utf16, Utf8 };

struct Position {
  uint32_t line = 0;
  uint32_t character = 0;
  friend bool operator==(Position a, Position b) { return a.line == b.line && a.character == b.character; }
};

struct LspRange {
  Position start, end;
};

// The start of every line of a text, and conversions between byte offsets and positions.
// Conversions never fail: a line past the end means the end of the text, a character past the
// end of its line means the end of that line (LSP 3.17), a character inside a UTF-16 surrogate
// pair or a multi-byte sequence means the start of that code point. A byte that is not part of
// well-formed UTF-8 counts as one code unit (as the U+FFFD an editor shows for it).
class LineIndex {
 public:
  explicit LineIndex(std::string_view text);
  uint32_t lineCount() const { return static_cast<uint32_t>(starts_.size()); }
  uint32_t offsetOf(Position p, PositionEncoding enc) const;
  Position positionOf(uint32_t offset, PositionEncoding enc) const;
  // The same for the end of a range: inside a code point means after it, so that a range over
  // part of a character (a diagnostic on one byte of it) keeps covering it.
  Position endPositionOf(uint32_t offset, PositionEncoding enc) const;
  // [begin, end) of a line's text, without its terminator.
  std::pair<uint32_t, uint32_t> lineSpan(uint32_t line) const;

 private:
  std::string_view text_;
  std::vector<uint32_t> starts_;
};

// An open document. Its text is shared, never modified in place: a snapshot handed to the worker
// stays valid while the editor goes on typing.
class TextDocument {
 public:
  TextDocument(std::string text, int64_t version)
      : text_(std::make_shared<const std::string>(std::move(text))), version_(version), index_(*text_) {}
  TextDocument(const TextDocument&) = delete;
  TextDocument& operator=(const TextDocument&) = delete;

  const std::string& text() const { return *text_; }
  std::shared_ptr<const std::string> shared() const { return text_; }
  int64_t version() const { return version_; }
  const LineIndex& index() const { return index_; }

  // One entry of didChange's contentChanges: with a range, an incremental edit; without, the
  // whole text. The version is set once per notification.
  void apply(const std::optional<LspRange>& range, std::string_view text, PositionEncoding enc);
  void setVersion(int64_t v) { version_ = v; }

 private:
  std::shared_ptr<const std::string> text_;
  int64_t version_;
  LineIndex index_;
};

}  // namespace ipec::lsp
