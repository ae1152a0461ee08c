// SPDX-License-Identifier: Apache-2.0
// The line under the cursor as the kernel reads it (frontend/scanner.h): its tokens, its comment,
// and whether the kernel parses it as the header. Shared by hover and completion.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/source.h"
#include "frontend/scanner.h"
#include "lsp/analyzed.h"
#include "lsp/features.h"
#include "lsp/features/explain.h"

namespace ipec::lsp {

struct CursorLine {
  bool live = false;  // false past the first NUL: the kernel reads nothing there
  // The first line with tokens, which the kernel parses as the header. An empty line before any
  // token counts when no later line has tokens either: what is typed there becomes the header.
  bool header = false;
  // An empty line before the header: what is typed there becomes the header, and the header a rule.
  bool before_header = false;
  frontend::Line line;
  std::vector<frontend::Token> tokens;

  // Whether `offset` is inside the comment (after the `#`).
  bool inComment(uint32_t offset) const { return line.comment.size() != 0 && offset > line.comment.begin; }
  // The token holding `offset`: begin <= offset < end, or also offset == end with `at_end`.
  std::optional<size_t> tokenAt(uint32_t offset, bool at_end) const;
};

CursorLine cursorLine(const SourceFile& file, uint32_t offset);

// The byte offset of the request's `position` (clamped to the document); InvalidParams without one.
uint32_t cursorOffset(const Feature& f);

// Whether the line is a DEFAULT, and its op (one the target's parser knows), from its tokens.
explain::Scope scopeOf(const Analyzed& a, const CursorLine& cl);

}  // namespace ipec::lsp
