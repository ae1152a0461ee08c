// SPDX-License-Identifier: Apache-2.0
// JSON text for the driver's outputs. nlohmann throws on bytes that are not UTF-8 unless told
// otherwise; a file name or event line from the user may hold any bytes, so every document is
// dumped here, with such bytes replaced by U+FFFD.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "driver/output.h"

namespace ipec::driver {

// `indent` < 0: one line (JSON lines outputs); otherwise pretty-printed with that indent.
inline std::string dumpJson(const nlohmann::json& j, int indent = -1) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

// `j` and a line feed on stdout.
inline void printJson(const nlohmann::json& j, int indent = -1) { print(stdout, "{}\n", dumpJson(j, indent)); }

}  // namespace ipec::driver
