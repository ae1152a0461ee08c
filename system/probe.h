// SPDX-License-Identifier: Apache-2.0
// The properties IPE sees for one file: fs-verity (ioctls on the file), the device-mapper table
// of the device under its superblock (DM_TABLE_STATUS), and whether the superblock is the
// initramfs rootfs (the mount table).
#pragma once

#include <map>
#include <string>

#include "system/facts.h"

namespace ipec::system {

// The mounts of ipec's mount namespace, by superblock device ("MAJ:MIN" -> fstype).
struct Mounts {
  bool known = false;
  std::map<std::string, std::string> fstype;
  std::string rootfs_dev;  // the initramfs rootfs, when it is still visible
};
Mounts readMounts(const std::string& root);

// Fills o.initramfs, o.bdev and o.fsverity; `open_path` is what to open (a /proc/PID/exe link
// reaches the very file a process runs, even a deleted one). Problems land in o.error.
void probeFile(ObjectFacts& o, const std::string& open_path, const Mounts& mounts, const std::string& root);

// The contents of a small file, without the final line feed; nullopt (with errno kept) if unreadable.
std::optional<std::string> readSmallFile(const std::string& path);

}  // namespace ipec::system
