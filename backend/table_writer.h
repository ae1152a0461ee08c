// SPDX-License-Identifier: Apache-2.0
// Writes a DecisionProgram as a decision table (docs/table-format.md).
#pragma once

#include <string>

#include "backend/program.h"

namespace ipec::backend {

struct TableStats {
  uint64_t bytes = 0;
  uint64_t digest_slots = 0;   // over all digest tables
  uint64_t digest_keys = 0;
  uint32_t kinds = 0;
  uint32_t templates = 0;
};

// The table's bytes. Deterministic: equal programs give equal bytes.
std::string writeTable(const DecisionProgram& program, TableStats* stats = nullptr);

}  // namespace ipec::backend
