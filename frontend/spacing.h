// SPDX-License-Identifier: Apache-2.0
// `key = value` written with spaces. The kernel splits tokens at spaces and TABs, so
// `boot_verified = TRUE` is three tokens and none of them is a property: it fails at the first.
// The parser reports that once, then reads the line as it was meant, so that one slip does not
// cascade into errors about `=` and `TRUE`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "base/source.h"
#include "frontend/scanner.h"

namespace ipec::frontend {

enum class Spacing : uint8_t {
  Around,  // `key = value`: three tokens
  Before,  // `key =value`
  After,   // `key= value`
};

struct SpacedAssignment {
  Range range;         // from the key's first byte to the value's last
  Spacing spacing;
  std::string joined;  // the token as meant: `boot_verified=TRUE`
};

// Finds the spaced assignments among a line's tokens (`bytes` is the file) and replaces each
// with the one token it was meant to be; that token's key and value still point at the file's
// bytes. `key= value` counts only for a key ipec knows or can suggest: a property with an empty
// value followed by a stray word is something else. On a rule or DEFAULT line (not `header`), an
// assignment that would end the line counts only when it is `action=`.
std::vector<SpacedAssignment> joinSpacedAssignments(std::string_view bytes, std::vector<Token>& tokens, bool header);

// The `space-around-equals` error for `s`, with the fix-it that writes the token as meant. The
// kernel fails at its first token with EBADMSG.
Diagnostic spacingDiagnostic(std::string_view bytes, const SpacedAssignment& s);

}  // namespace ipec::frontend
