// SPDX-License-Identifier: Apache-2.0
#include "system/probe.h"

#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <linux/fsverity.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <fmt/format.h>
#include <llvm/ADT/SmallVector.h>
#include <llvm/ADT/StringExtras.h>
#include <llvm/ADT/StringRef.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "base/diagnostic.h"

namespace ipec::system {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string devName(dev_t d) { return fmt::format("{}:{}", major(d), minor(d)); }

// Errors that mean "this file system or file has no fs-verity", as opposed to "cannot tell".
bool meansNoVerity(int err) { return err == ENODATA || err == EOPNOTSUPP || err == ENOTTY || err == EINVAL; }

void probeVerity(ObjectFacts& o, int fd) {
  // struct fsverity_digest ends in a flexible array: room for the longest digest after it
  alignas(fsverity_digest) uint8_t buf[sizeof(fsverity_digest) + 64] = {};
  auto* d = reinterpret_cast<fsverity_digest*>(buf);
  d->digest_size = 64;
  if (::ioctl(fd, FS_IOC_MEASURE_VERITY, d) != 0) {
    const int err = errno;
    if (meansNoVerity(err)) {
      o.fsverity = {Tri::No, "", "", Tri::No};
      return;
    }
    o.fsverity.enabled = Tri::Unknown;
    o.error = fmt::format("FS_IOC_MEASURE_VERITY: {}", std::strerror(err));
    return;
  }
  o.fsverity.enabled = Tri::Yes;
  o.fsverity.alg = d->digest_algorithm == FS_VERITY_HASH_ALG_SHA512 ? "sha512" : "sha256";
  o.fsverity.digest.assign(reinterpret_cast<const char*>(buf + sizeof(fsverity_digest)), std::min<size_t>(d->digest_size, 64));
  // A builtin signature is checked when the file is opened (an open fails if it does not verify),
  // so one that can be read here is one IPE counts as valid.
  std::vector<uint8_t> sig(16384);
  fsverity_read_metadata_arg arg{};
  arg.metadata_type = FS_VERITY_METADATA_TYPE_SIGNATURE;
  arg.length = sig.size();
  arg.buf_ptr = reinterpret_cast<uintptr_t>(sig.data());
  const int n = ::ioctl(fd, FS_IOC_READ_VERITY_METADATA, &arg);
  if (n > 0) o.fsverity.signature = Tri::Yes;
  else if (n == 0 || errno == ENODATA) o.fsverity.signature = Tri::No;
  else o.error = fmt::format("FS_IOC_READ_VERITY_METADATA: {}", std::strerror(errno));
}

// The target lines of a device-mapper device (DM_TABLE_STATUS with DM_STATUS_TABLE_FLAG), as
// "type params"; nullopt with `why` when the ioctl is refused (it needs CAP_SYS_ADMIN).
std::optional<std::vector<std::string>> dmTable(const std::string& name, std::string& why) {
  Fd control(::open("/dev/mapper/control", O_RDWR | O_CLOEXEC));
  if (control.get() < 0) {
    why = fmt::format("cannot open /dev/mapper/control: {}", std::strerror(errno));
    return std::nullopt;
  }
  for (size_t size = 16384; size <= (1u << 22); size *= 4) {
    std::vector<uint64_t> buf(size / sizeof(uint64_t));
    auto* io = reinterpret_cast<dm_ioctl*>(buf.data());
    io->version[0] = DM_VERSION_MAJOR;
    io->data_size = static_cast<uint32_t>(size);
    io->data_start = sizeof(dm_ioctl);
    io->flags = DM_STATUS_TABLE_FLAG;
    std::strncpy(io->name, name.c_str(), sizeof io->name - 1);
    if (::ioctl(control.get(), DM_TABLE_STATUS, io) != 0) {
      why = fmt::format("DM_TABLE_STATUS {}: {}", name, std::strerror(errno));
      return std::nullopt;
    }
    if (io->flags & DM_BUFFER_FULL_FLAG) continue;
    std::vector<std::string> lines;
    const char* data = reinterpret_cast<const char*>(io) + io->data_start;
    const char* end = reinterpret_cast<const char*>(io) + io->data_size;
    size_t at = 0;
    for (uint32_t i = 0; i < io->target_count && data + at + sizeof(dm_target_spec) <= end; ++i) {
      const auto* spec = reinterpret_cast<const dm_target_spec*>(data + at);
      const char* params = reinterpret_cast<const char*>(spec + 1);
      lines.push_back(fmt::format("{} {}", std::string(spec->target_type, strnlen(spec->target_type, DM_MAX_TYPE_NAME)),
                                  std::string(params, strnlen(params, static_cast<size_t>(end - params)))));
      if (spec->next <= at && i + 1 < io->target_count) break;
      at = spec->next;
    }
    return lines;
  }
  why = "DM_TABLE_STATUS: the table does not fit in 4 MiB";
  return std::nullopt;
}

// "verity VERSION DATA HASH DBS HBS BLOCKS START ALG DIGEST SALT [N OPT...]": the root hash and
// whether a root-hash signature was given (dm-verity refuses a table whose signature fails).
void readVerityTable(BdevFacts& b, llvm::StringRef line) {
  llvm::SmallVector<llvm::StringRef, 16> f;
  line.split(f, ' ', -1, false);
  if (f.size() < 11 || f[0] != "verity") {
    b.kind = BdevKind::Plain;
    return;
  }
  b.kind = BdevKind::DmVerity;
  b.roothash_alg = f[8].str();
  std::string bytes;
  if (llvm::tryGetFromHex(f[9], bytes)) b.roothash = bytes;
  b.signature = tri(std::find(f.begin() + 11, f.end(), "root_hash_sig_key_desc") != f.end());
}

void probeDm(BdevFacts& b, const std::string& root) {
  const std::string sys = fmt::format("{}/sys/dev/block/{}/dm", root, b.dev);
  auto name = readSmallFile(sys + "/name");
  if (!name) {
    b.kind = BdevKind::Plain;
    return;
  }
  std::string why;
  auto table = root.empty() ? dmTable(*name, why) : std::nullopt;
  if (root.empty() && table) {
    b.why = fmt::format("device-mapper {}", quote(*name));
    b.kind = BdevKind::Plain;
    if (table->size() == 1) readVerityTable(b, (*table)[0]);
    return;
  }
  // Without the table, the uuid veritysetup gives its devices still says "dm-verity".
  auto uuid = readSmallFile(sys + "/uuid");
  b.kind = uuid && llvm::StringRef(*uuid).startswith("CRYPT-VERITY-") ? BdevKind::DmVerity : BdevKind::Unknown;
  b.why = root.empty() ? why : std::string("the device-mapper table is read only on the live machine");
}

// File systems without a block device (IPE sees no bdev), by the mount table's type.
bool hasNoBdev(llvm::StringRef type) {
  static const char* const kTypes[] = {"tmpfs", "ramfs", "rootfs", "proc", "sysfs", "devtmpfs", "devpts", "hugetlbfs",
                                       "securityfs", "debugfs", "tracefs", "cgroup", "cgroup2", "bpf", "mqueue",
                                       "configfs", "efivarfs", "pstore", "nfs", "nfs4", "cifs", "smb3", "9p",
                                       "virtiofs", "fuse", "fuseblk", "binfmt_misc", "autofs"};
  return type.startswith("fuse.") || std::find(std::begin(kTypes), std::end(kTypes), type) != std::end(kTypes);
}

void probeDevice(ObjectFacts& o, dev_t dev, const Mounts& mounts, const std::string& root) {
  o.bdev.dev = devName(dev);
  auto type = mounts.fstype.find(o.bdev.dev);
  if (!mounts.rootfs_dev.empty() && o.bdev.dev == mounts.rootfs_dev) {
    o.initramfs = Tri::Yes;
    o.bdev.kind = BdevKind::None;
    return;
  }
  if (major(dev) != 0) {
    o.initramfs = Tri::No;
    probeDm(o.bdev, root);
    return;
  }
  if (type == mounts.fstype.end()) {
    // An anonymous device no visible mount has: possibly the initramfs behind a switch_root.
    o.bdev.why = fmt::format("no mount of device {} is visible", o.bdev.dev);
    return;
  }
  o.initramfs = Tri::No;
  if (hasNoBdev(type->second)) {
    o.bdev.kind = BdevKind::None;
    return;
  }
  o.bdev.why = fmt::format("{} has an anonymous device; the block device under its superblock is not known",
                           type->second);
}

}  // namespace

std::optional<std::string> readSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) return std::nullopt;
  std::string text = s.str();
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

Mounts readMounts(const std::string& root) {
  Mounts m;
  std::ifstream in(root + "/proc/self/mountinfo");
  if (!in) return m;
  m.known = true;
  std::string line;
  while (std::getline(in, line)) {
    // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS
    llvm::SmallVector<llvm::StringRef, 12> f;
    llvm::StringRef(line).split(f, ' ', -1, false);
    auto dash = std::find(f.begin(), f.end(), "-");
    if (f.size() < 3 || dash == f.end() || dash + 1 == f.end()) continue;
    m.fstype[f[2].str()] = dash[1].str();
    if (dash[1] == "rootfs") m.rootfs_dev = f[2].str();
  }
  return m;
}

void probeFile(ObjectFacts& o, const std::string& open_path, const Mounts& mounts, const std::string& root) {
  struct stat st {};
  Fd fd(::open(open_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) {
    o.error = fmt::format("cannot open: {}", std::strerror(errno));
    if (::stat(open_path.c_str(), &st) == 0) probeDevice(o, st.st_dev, mounts, root);
    return;
  }
  if (::fstat(fd.get(), &st) != 0) {
    o.error = fmt::format("cannot stat: {}", std::strerror(errno));
    return;
  }
  probeDevice(o, st.st_dev, mounts, root);
  if (o.initramfs == Tri::Yes) {
    o.fsverity = {Tri::No, "", "", Tri::No};
    return;
  }
  probeVerity(o, fd.get());
}

}  // namespace ipec::system
