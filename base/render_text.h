// SPDX-License-Identifier: Apache-2.0
// GCC/Clang-style rendering of diagnostics:
//   file:line:col: error: message [id]
//   <the source line>
//          ^~~~~~
//          fixed      (the replacement text of each fix-it on that line, under what it replaces)
#pragma once

#include <string>

#include "base/diagnostic.h"
#include "base/source.h"

namespace ipec {

struct TextStyle {
  bool color = false;
  bool show_source = true;
};

void renderText(std::string& out, const SourceFile& file, const Diagnostic& d, const TextStyle& style);

// Renders the bytes of `line` for a terminal: control and non-UTF-8 bytes as <XX>, invisible code
// points (isInvisibleCodePoint) as <U+FEFF>, tabs expanded.
// `columns[i]` receives the display column of byte i (and of the end, at columns[size]).
std::string renderSourceLine(std::string_view line, std::vector<uint32_t>* columns);

}  // namespace ipec
