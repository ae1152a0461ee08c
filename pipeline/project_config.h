// SPDX-License-Identifier: Apache-2.0
// `.ipec.json`: the project's target and warning flags, read by `ipec check` (and every command
// that takes a target) and by `ipec lsp`, so that the editor and CI agree without flags
// (docs/project-config.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pipeline/target_options.h"

namespace ipec::pipeline {

inline constexpr const char* kProjectConfigName = ".ipec.json";

struct ProjectConfig {
  TargetArgs target_args;             // "target", "kconfig" (relative to the file), "lsm", "set"
  std::vector<std::string> warnings;  // "warnings": -W flags, as on the command line
};

// The nearest `.ipec.json` in `dir` or one of its parents, if any.
std::optional<std::string> findProjectConfig(const std::string& dir);

// Reads `path` (JSON; `//` and `/* */` comments allowed). False with a message on an unreadable
// file, invalid JSON, an unknown key or a value of the wrong type.
bool loadProjectConfig(const std::string& path, ProjectConfig& out, std::string& error);

}  // namespace ipec::pipeline
