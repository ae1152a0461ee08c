// SPDX-License-Identifier: Apache-2.0
// A kernel target: the kernel a policy is meant for. It decides which tokens parse, which
// properties are compiled in, which hooks fire, and what the BPF verdict can be.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stdlib/catalog.h"

namespace ipec::analysis {

// How op=BPF_PROG_LOAD reaches IPE (ipe-language.md §6.4).
enum class BpfHook : uint8_t {
  None,      // mainline: there is no such op
  HornetV5,  // IPE evaluates only inside Hornet's post-integrity callback
  HornetV7,  // v6/v7: IPE's own bpf_prog_load hook; verdict NONE without a provider
};
std::string_view bpfHookName(BpfHook h);

struct Target {
  std::string name;
  std::string description;
  std::string kernel_name;  // "Linux 6.12", used in messages
  stdlib::Dialect dialect;
  BpfHook bpf_hook = BpfHook::None;
  bool execve_check = false;  // bprm_creds_for_exec with AT_EXECVE_CHECK (6.19+)
  std::vector<std::string> lsm;
  std::array<bool, stdlib::kNumKconfigs> kconfig{};
  std::vector<std::string> adjustments;  // what the command line changed, for `targets show`

  bool config(stdlib::Kconfig k) const { return kconfig[static_cast<unsigned>(k)]; }
  bool lsmHas(std::string_view module) const;
  // IPE's hooks are registered: built in and named in lsm=.
  bool ipeActive() const { return config(stdlib::Kconfig::SecurityIpe) && lsmHas("ipe"); }
  // Hornet runs and reports BPF verdicts.
  bool hornetActive() const { return config(stdlib::Kconfig::SecurityHornet) && lsmHas("hornet"); }
};

// The names of the shipped profiles (stdlib/targets), sorted.
std::vector<std::string> profileNames();
inline constexpr std::string_view kDefaultTarget = "linux-6.12";

// A shipped profile, or "live" for the running system. On failure returns nullopt and sets error.
std::optional<Target> loadTarget(std::string_view name, std::string& error);

// Composition from the command line, applied in order:
bool applyKconfigFile(Target& t, const std::string& path, std::string& error);  // .config or config.gz
bool applyLsmList(Target& t, std::string_view list, std::string& error);         // "a,b,c"
bool applySetting(Target& t, std::string_view assignment, std::string& error);   // CONFIG_X=y|n

// Human-readable description for `ipec targets show`.
std::string describeTarget(const Target& t);

}  // namespace ipec::analysis
