// SPDX-License-Identifier: Apache-2.0
// What this machine runs and what its IPE holds, as `ipec check --against-system` needs them
// (docs/cli.md#against-system). A fact that could not be established is Unknown, never guessed:
// the evaluation then tries every value it could have.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stdlib/catalog.h"

namespace ipec::system {

enum class Tri : uint8_t { No, Yes, Unknown };
inline Tri tri(bool b) { return b ? Tri::Yes : Tri::No; }

struct LoadedPolicy {
  std::string name;
  std::string version;  // as policies/NAME/version shows it: "A.B.C"
  bool active = false;
};

// /sys/kernel/security/ipe.
struct IpeFacts {
  Tri present = Tri::Unknown;  // new_policy exists (IPE is built in and in lsm=)
  std::string why;             // what was read, or why it could not be
  std::optional<bool> enforce;
  bool policies_known = false;
  std::vector<LoadedPolicy> policies;
};

enum class BdevKind : uint8_t { None, Plain, DmVerity, Unknown };

// The block device under the file's superblock (IPE's dmverity_* properties).
struct BdevFacts {
  BdevKind kind = BdevKind::Unknown;
  std::string dev;            // "MAJ:MIN" of the superblock, when known
  std::string why;            // why unknown, or which mapping was read
  std::string roothash_alg;   // dm-verity: the table's algorithm name
  std::string roothash;       // dm-verity: the root hash bytes (not hex)
  Tri signature = Tri::Unknown;  // dm-verity: the table names a root-hash signature key
};

// FS_IOC_MEASURE_VERITY and the builtin signature (IPE's fsverity_* properties).
struct FsVerityFacts {
  Tri enabled = Tri::Unknown;
  std::string alg;     // "sha256" / "sha512"
  std::string digest;  // bytes (not hex)
  Tri signature = Tri::Unknown;
};

// One file (or file-less load) the kernel would evaluate again: an executable a process runs or
// maps, a loaded module's file, a firmware file, a kexec image or initramfs.
struct ObjectFacts {
  stdlib::Op op = stdlib::Op::Execute;
  std::string path;
  Tri file = Tri::Yes;               // No: loaded from memory (IPE sees no file)
  std::vector<std::string> sources;  // "pid 1 (systemd)", "module ext4", ...
  std::string error;                 // what could not be read, if anything
  Tri initramfs = Tri::Unknown;
  BdevFacts bdev;
  FsVerityFacts fsverity;
};

struct SystemFacts {
  std::string origin;          // "live", or the snapshot file
  std::string kernel_release;  // uname -r
  IpeFacts ipe;
  std::vector<ObjectFacts> objects;
  std::vector<std::string> notes;  // what was not examined, and why
};

// Reading the live machine. `root` prefixes every path read (tests use a prepared tree).
struct CollectOptions {
  std::string root;
  bool processes = true, modules = true, firmware = true, kexec = true;
};
SystemFacts collectFacts(const CollectOptions& options);

// The snapshot format (docs/cli.md#ipec-system-snapshot): JSON, written by `ipec system snapshot`.
std::string factsToJson(const SystemFacts& facts);
std::optional<SystemFacts> factsFromJson(std::string_view text, std::string& error);
// Its `ipe` member (also in `ipec check --format=json`'s `system` member).
std::string ipeToJson(const IpeFacts& ipe);

}  // namespace ipec::system
