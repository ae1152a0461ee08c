// SPDX-License-Identifier: Apache-2.0
// The JSON document of `ipec check --format=json` (documented in docs/json-output.md).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/diagnostic.h"
#include "base/source.h"

namespace ipec::driver {

struct JsonFileReport {
  const SourceFile* file = nullptr;  // null when the file could not be read
  std::string name;  // the path as given; "-" for standard input
  std::string target;
  bool readable = true;
  KernelVerdict verdict;
  bool loadable = true;  // the target has IPE to load the policy into (target-cannot-load)
  std::vector<Diagnostic> diagnostics;
  std::string system_json;  // --against-system: the machine's side (a JSON object), or empty
};

std::string renderJson(const std::vector<JsonFileReport>& files, unsigned errors, unsigned warnings);

// SARIF 2.1.0 (for code-scanning dashboards): one run, every diagnostic id as a rule.
std::string renderSarif(const std::vector<JsonFileReport>& files);

// For the other SARIF documents (`ipec diff`): where a file is (a file URI; standard input, "-",
// by description), and a region of it (columns in code points; empty for no range).
nlohmann::json sarifArtifactLocation(const std::string& path);
nlohmann::json sarifRegion(const SourceFile* file, Range r);

}  // namespace ipec::driver
