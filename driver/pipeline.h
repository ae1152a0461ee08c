// One policy file through the front end and the checks. Every subcommand starts here.
#pragma once

#include <memory>
#include <string>

#include "base/diagnostic.h"
#include "base/source.h"
#include "frontend/kernel_limits.h"
#include "frontend/parser.h"

namespace ipec::driver {

struct PipelineConfig {
  DiagnosticOptions diag_options;
  frontend::SigningModel signing;
  stdlib::Dialect dialect = stdlib::Dialect::mainline();
  std::string target_name = "linux-6.12";
  std::string kernel_name = "Linux 6.12";
};

struct CheckedPolicy {
  std::unique_ptr<SourceFile> file;
  std::unique_ptr<DiagnosticEngine> diags;
  frontend::ParseResult parsed;
};

CheckedPolicy checkPolicy(std::string name, std::string bytes, const PipelineConfig& config);

}  // namespace ipec::driver
