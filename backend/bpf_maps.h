// SPDX-License-Identifier: Apache-2.0
// The BPF-map encoding of a decision program: a `bpftool batch` file that creates and fills pinned
// maps (docs/table-format.md, "The BPF-map encoding").
#pragma once

#include <string>

#include "backend/program.h"

namespace ipec::backend {

std::string writeBpfMaps(const DecisionProgram& program, const std::string& pin_dir = "/sys/fs/bpf/ipec");

}  // namespace ipec::backend
