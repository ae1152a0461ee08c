// SPDX-License-Identifier: Apache-2.0
// The enforcer's user-space side (docs/enforcer.md): loads and attaches the BPF program with its
// libbpf skeleton, pins everything under a directory, fills a policy slot's maps and switches
// slots, reads the counters and the log. Every function returns false (or nullopt) with `error`
// set, and leaves the running policy as it was.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "backend/bpf_maps.h"
#include "enforce/bpf/abi.h"

namespace ipec::enforce {

inline constexpr const char* kDefaultPinDir = "/sys/fs/bpf/ipec";

// Whether this ipec was built with the BPF program (IPEC_BPF).
bool available();

struct Policy {
  std::string name;
  std::array<uint16_t, 3> version{};
  uint64_t digest = 0;  // the table's checksum
  uint32_t rules = 0;
  backend::BpfMapImage maps;
};

struct LoadOptions {
  std::string pin_dir = kDefaultPinDir;
  bool permissive = false;
  bool log_allow = false;
  std::optional<uint32_t> initramfs_dev;  // kernel dev_t of the initramfs root, when loaded from it
  std::string* libbpf_log = nullptr;      // on failure: what libbpf said (the verifier's log)
};

struct ProgramInfo {
  std::string name;
  uint32_t id = 0;
  uint32_t verified_insns = 0;  // what the verifier processed (bpf_prog_info.verified_insns)
  uint32_t xlated_bytes = 0;
};

struct Status {
  uint32_t active = 0;
  uint32_t mode = 0;
  bool initramfs_known = false;
  ipec_meta meta{};  // the active slot's
  std::array<uint64_t, IPEC_COUNTERS> counters{};
  std::vector<ProgramInfo> programs;
  uint64_t map_bytes = 0;  // the active slot's policy maps, as the kernel accounts them (memlock)
};

// Loads the program, attaches it, pins it under o.pin_dir and makes `p` the active policy.
bool load(const Policy& p, const LoadOptions& o, std::string& error);
// Fills the inactive slot with `p` and switches to it. Refuses another name or a version that is
// not higher than the active one's (as IPE's update does), unless `allow_any_version`.
bool update(const Policy& p, const std::string& pin_dir, bool allow_any_version, std::string& error);
// Detaches the program and removes the pins.
bool unload(const std::string& pin_dir, std::string& error);
std::optional<Status> status(const std::string& pin_dir, std::string& error);
bool setMode(const std::string& pin_dir, uint32_t mode, std::string& error);
// Calls `on_record` for every log record; with `follow`, waits for more until on_record returns
// false or the process is interrupted.
bool readLog(const std::string& pin_dir, bool follow, const std::function<bool(const ipec_log_rec&)>& on_record,
             std::string& error);

}  // namespace ipec::enforce
