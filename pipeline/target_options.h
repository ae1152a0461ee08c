// SPDX-License-Identifier: Apache-2.0
// --target, --kconfig, --lsm, --set: composing the kernel target from the command line.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/target.h"

namespace ipec::pipeline {

struct TargetArgs {
  std::string name = "linux-6.12";
  std::vector<std::string> kconfig_files;
  std::optional<std::string> lsm;  // set when --lsm was given, even empty
  std::vector<std::string> settings;
};

// The profile, then every --kconfig file, then --lsm, then every --set, in that order.
bool buildTarget(const TargetArgs& args, analysis::Target& out, std::string& error);

}  // namespace ipec::pipeline
