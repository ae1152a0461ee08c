// SPDX-License-Identifier: Apache-2.0
// `ipec fmt`: the canonical layout of a policy. Tokens are joined by one space in the kernel's
// order, comments are kept (one space after the last token), runs of blank lines become one,
// lines end in "\n". The kernel parses the result exactly as it parsed the input.
#pragma once

#include <string>

#include "base/source.h"
#include "frontend/scanner.h"

namespace ipec::frontend {

std::string formatPolicy(const SourceFile& file);

}  // namespace ipec::frontend
