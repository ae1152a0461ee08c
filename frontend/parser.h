// SPDX-License-Identifier: Apache-2.0
// The front end: scan, parse every line with the ANTLR grammar, build the AST, and report every
// problem the kernel's parser and validate_policy() would reject, each with the errno it gives.
#pragma once

#include "base/diagnostic.h"
#include "base/source.h"
#include "frontend/ast.h"
#include "frontend/scanner.h"
#include "stdlib/catalog.h"

namespace ipec::frontend {

struct ParseOptions {
  stdlib::Dialect dialect;  // which kernel token table applies (mainline or with Hornet)
  const char* dialect_name = "Linux 6.12";
};

struct ParseResult {
  ast::Policy policy;
  uint32_t policy_end = 0;  // offset of the first NUL, or the file size
};

ParseResult parse(const SourceFile& file, const ParseOptions& options, DiagnosticEngine& diags);

}  // namespace ipec::frontend
