// SPDX-License-Identifier: Apache-2.0
// The BPF-map encoding of a decision program (docs/table-format.md, "The BPF-map encoding"): the
// entries of every map, which the enforcer loads (enforce/) and a `bpftool batch` file prints.
#pragma once

#include <string>
#include <vector>

#include "backend/ipet_cxx.h"
#include "backend/program.h"

namespace ipec::backend {

struct BpfMapEntry {
  std::string key, value;  // raw little-endian bytes
};

struct BpfMapImage {
  std::vector<BpfMapEntry> ops;    // ipec_ops: u32 op -> 16-byte op record, all 8
  std::vector<BpfMapEntry> kinds;  // ipec_kinds: u32 index -> 264 bytes, index order
  std::vector<BpfMapEntry> fsv, dm, pair;
};

BpfMapImage bpfMapImage(const DecisionProgram& program);
// The same maps read straight from a loaded decision table (no policy text needed): what
// `ipec enforce load` uses for a large table. Entries come in table order, not sorted.
BpfMapImage bpfMapImage(const ipet_table& table);

std::string writeBpfMaps(const DecisionProgram& program, const std::string& pin_dir = "/sys/fs/bpf/ipec");

}  // namespace ipec::backend
