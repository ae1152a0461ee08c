// SPDX-License-Identifier: Apache-2.0
// ipec targets [show NAME]: the kernel target profiles.
#include <nlohmann/json.hpp>

#include "driver/commands.h"
#include "driver/json_text.h"

namespace ipec::driver {
namespace {

constexpr const char* kLiveDescription = "the running system: /proc/config.gz, /sys/kernel/security/lsm, uname -r";

}  // namespace

int runTargets(const TargetsOptions& options) {
  if (options.show) {
    writeText(stdout, analysis::describeTarget(options.target));
    return 0;
  }
  nlohmann::json list = nlohmann::json::array();
  for (const std::string& name : analysis::profileNames()) {
    std::string error;
    auto t = analysis::loadTarget(name, error);
    const std::string& description = t ? t->description : error;
    const bool is_default = name == analysis::kDefaultTarget;
    if (options.format == "json")
      list.push_back({{"name", name}, {"description", description}, {"default", is_default}});
    else
      print(stdout, "{:<12} {}{}\n", name, description, is_default ? " (default)" : "");
  }
  if (options.format != "json") {
    print(stdout, "{:<12} {}\n", "live", kLiveDescription);
    return 0;
  }
  list.push_back({{"name", "live"}, {"description", kLiveDescription}, {"default", false}});
  printJson(list, 2);
  return 0;
}

}  // namespace ipec::driver
