// SPDX-License-Identifier: Apache-2.0
#include "pipeline/target_options.h"

#include <fmt/format.h>

#include <iterator>

namespace ipec::pipeline {

bool buildTarget(const TargetArgs& args, analysis::Target& out, std::string& error) {
  auto t = analysis::loadTarget(args.name, error);
  if (!t) {
    if (error.rfind("unknown target", 0) == 0) {
      fmt::format_to(std::back_inserter(error), "; `ipec targets` lists them: {} live",
                     fmt::join(analysis::profileNames(), " "));
    }
    return false;
  }
  for (const std::string& f : args.kconfig_files)
    if (!analysis::applyKconfigFile(*t, f, error)) return false;
  if (args.lsm && !analysis::applyLsmList(*t, *args.lsm, error)) return false;
  for (const std::string& s : args.settings)
    if (!analysis::applySetting(*t, s, error)) return false;
  out = std::move(*t);
  return true;
}

}  // namespace ipec::pipeline
