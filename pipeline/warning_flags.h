// SPDX-License-Identifier: Apache-2.0
// -W flags, from the command line or a project's `.ipec.json` (`warnings`).
#pragma once

#include <string>
#include <string_view>

#include "base/diagnostic.h"

namespace ipec::pipeline {

// -W<id>, -Wno-<id>, -Werror, -Werror=<id>, -Wno-error=<id>, -Wall, -Wextra. Returns false with
// a message on an unknown id, an error id, or a note made an error.
bool parseWarningFlag(std::string_view arg, DiagnosticOptions& options, std::string& error);

}  // namespace ipec::pipeline
