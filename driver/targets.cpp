// SPDX-License-Identifier: Apache-2.0
// ipec targets [show NAME]: the kernel target profiles.
#include <cstdio>

#include "driver/commands.h"

namespace ipec::driver {

int runTargets(const TargetsOptions& options) {
  if (!options.show) {
    for (const std::string& name : analysis::profileNames()) {
      std::string error;
      auto t = analysis::loadTarget(name, error);
      std::printf("%-12s %s%s\n", name.c_str(), t ? t->description.c_str() : error.c_str(),
                  name == analysis::kDefaultTarget ? " (default)" : "");
    }
    std::printf("%-12s %s\n", "live", "the running system: /proc/config.gz, /sys/kernel/security/lsm, uname -r");
    return 0;
  }
  std::fputs(analysis::describeTarget(options.target).c_str(), stdout);
  return 0;
}

}  // namespace ipec::driver
