// SPDX-License-Identifier: Apache-2.0
// `.ipec.json`: the project's target and warning flags, read by `ipec check` (and every command
// that takes a target) and by `ipec lsp`, so that the editor and CI agree without flags
// (docs/project-config.md).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/pipeline.h"
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

// What the command line or the editor says about the target and the warnings. Each field that is
// set replaces the project file's; `extra` (the command line's -W flags) comes after the file's
// warnings, so a flag wins over the file.
struct ConfigRequest {
  std::optional<std::string> target;
  std::optional<std::vector<std::string>> kconfig;
  std::optional<std::string> lsm;
  std::optional<std::vector<std::string>> set;
  std::optional<std::vector<std::string>> warnings;
  DiagnosticOptions extra;
  bool use_project_file = true;
  std::optional<std::string> project_file;  // this file instead of the nearest one
  // An editor's request: a problem (a bad project file, target or -W flag) leaves that part out
  // and is reported in `error`, while the rest applies; the command line stops at the first one.
  bool lenient = false;
};

// The configuration for policies in `dir`: `config` keeps every setting but the target and the
// warning choices, which come from the project file (the nearest `.ipec.json`, unless the request
// says otherwise) with the request over it. `config_file` is the file that applied (empty: none).
// False with `error` on a problem; a lenient request returns true and `error` lists the problems.
bool resolveConfig(const std::string& dir, const ConfigRequest& request, PipelineConfig& config,
                   std::string& config_file, std::string& error);

// resolveConfig for each policy file, computed once per project file.
class ConfigResolver {
 public:
  ConfigResolver(PipelineConfig base, ConfigRequest request) : base_(std::move(base)), request_(std::move(request)) {}
  // The configuration for the policy at `path` (`-`: one in the current directory), or null with
  // `error` when its project file or target cannot be used.
  const PipelineConfig* forPolicy(const std::string& path, std::string& error);

 private:
  PipelineConfig base_;
  ConfigRequest request_;
  std::map<std::string, std::unique_ptr<PipelineConfig>> by_file_;  // by project file ("": none)
};

}  // namespace ipec::pipeline
