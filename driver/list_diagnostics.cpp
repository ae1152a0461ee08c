// SPDX-License-Identifier: Apache-2.0
#include <cstdio>

#include <nlohmann/json.hpp>

#include "base/diagnostic.h"
#include "driver/commands.h"

namespace ipec::driver {

int runListDiagnostics(const std::string& format) {
  if (format == "json") {
    nlohmann::json arr = nlohmann::json::array();
    for (unsigned i = 0; i < kNumDiagIds; ++i) {
      auto id = static_cast<DiagId>(i);
      arr.push_back({{"id", std::string(diagName(id))},
                     {"severity", std::string(severityName(diagDefaultSeverity(id)))},
                     {"summary", std::string(diagSummary(id))}});
    }
    std::printf("%s\n", arr.dump(2).c_str());
    return 0;
  }
  for (unsigned i = 0; i < kNumDiagIds; ++i) {
    auto id = static_cast<DiagId>(i);
    std::printf("%-26s %-8s %s\n", std::string(diagName(id)).c_str(),
                std::string(severityName(diagDefaultSeverity(id))).c_str(), std::string(diagSummary(id)).c_str());
  }
  return 0;
}

}  // namespace ipec::driver
