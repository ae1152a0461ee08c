// SPDX-License-Identifier: Apache-2.0
// Which program enforces the policy: IPE itself, or the BPF-LSM enforcer of `ipec enforce`
// (docs/enforcer.md), which cannot establish every fact IPE can.
#pragma once

#include <optional>
#include <string_view>

namespace ipec::analysis {

enum class Enforcer : uint8_t {
  Ipe,              // IPE in the kernel: every fact is exact
  BpfLsm,           // the BPF-LSM enforcer loaded after boot
  BpfLsmInitramfs,  // the BPF-LSM enforcer loaded from the initramfs, before any volume or file
};

std::optional<Enforcer> lookupEnforcer(std::string_view name);  // "ipe", "bpf-lsm", "bpf-lsm-initramfs"
std::string_view enforcerName(Enforcer e);

}  // namespace ipec::analysis
