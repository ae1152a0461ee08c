// SPDX-License-Identifier: Apache-2.0
// Reading the live machine: IPE's securityfs, the processes, the modules, the firmware search
// path and the kexec files. Nothing here writes anything.
#include <dirent.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fmt/format.h>
#include <llvm/ADT/StringExtras.h>
#include <llvm/ADT/StringMap.h>
#include <llvm/ADT/StringRef.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>
#include <map>

#include "system/facts.h"
#include "system/probe.h"

namespace ipec::system {
namespace {

using stdlib::Op;

std::vector<std::string> listDir(const std::string& dir, int& err) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    err = errno;
    return names;
  }
  err = 0;
  while (dirent* e = ::readdir(d))
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.emplace_back(e->d_name);
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

bool isDir(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

IpeFacts readIpe(const std::string& root) {
  IpeFacts ipe;
  const std::string dir = root + "/sys/kernel/security/ipe";
  if (!isDir(dir)) {
    auto lsm = readSmallFile(root + "/sys/kernel/security/lsm");
    if (lsm) {
      ipe.present = Tri::No;
      ipe.why = fmt::format("IPE is not among the active LSMs ({})", *lsm);
    } else {
      ipe.why = "securityfs is not readable at /sys/kernel/security (not mounted, or not root)";
    }
    return ipe;
  }
  ipe.present = Tri::Yes;
  if (auto e = readSmallFile(dir + "/enforce")) ipe.enforce = *e == "1";
  int err = 0;
  std::vector<std::string> names = listDir(dir + "/policies", err);
  if (err) {
    ipe.why = fmt::format("cannot list {}/policies: {}", "/sys/kernel/security/ipe", std::strerror(err));
    return ipe;
  }
  ipe.policies_known = true;
  for (const std::string& n : names) {
    const std::string p = fmt::format("{}/policies/{}", dir, n);
    auto name = readSmallFile(p + "/name");
    auto version = readSmallFile(p + "/version");
    auto active = readSmallFile(p + "/active");
    if (!name || !version) {
      ipe.policies_known = false;
      ipe.why = fmt::format("cannot read the name and version of policies/{} (needs root)", n);
      continue;
    }
    ipe.policies.push_back({*name, *version, active && *active == "1"});
    if (!active) ipe.why = fmt::format("cannot read policies/{}/active (needs root)", n);
  }
  if (ipe.why.empty()) ipe.why = "read from /sys/kernel/security/ipe";
  return ipe;
}

// Objects keyed by (op, path): one entry per file, with every process or module that uses it.
class Objects {
 public:
  Objects(SystemFacts& facts, const Mounts& mounts, const std::string& root)
      : facts_(facts), mounts_(mounts), root_(root) {}

  // `open_path` empty: open the path under the root.
  void add(Op op, const std::string& path, const std::string& source, const std::string& open_path = "") {
    const std::string key = fmt::format("{}\n{}", static_cast<unsigned>(op), path);
    auto [it, fresh] = index_.try_emplace(key, facts_.objects.size());
    if (!fresh) {
      auto& sources = facts_.objects[it->second].sources;
      if (std::find(sources.begin(), sources.end(), source) == sources.end()) sources.push_back(source);
      return;
    }
    ObjectFacts o;
    o.op = op;
    o.path = path;
    o.sources.push_back(source);
    probeFile(o, open_path.empty() ? root_ + path : open_path, mounts_, root_);
    facts_.objects.push_back(std::move(o));
  }
  void addFileless(Op op, const std::string& path, const std::string& source, Tri file, const std::string& why) {
    ObjectFacts o;
    o.op = op;
    o.path = path;
    o.sources.push_back(source);
    // No: loaded from memory, a fact (the message says so). Unknown: the file itself or a load
    // from memory, both evaluated, and `why` says what is not known.
    o.file = file;
    if (file == Tri::Unknown) {
      probeFile(o, root_ + path, mounts_, root_);
      o.error = o.error.empty() ? why : fmt::format("{}; {}", why, o.error);
    }
    facts_.objects.push_back(std::move(o));
  }

 private:
  SystemFacts& facts_;
  const Mounts& mounts_;
  const std::string& root_;
  llvm::StringMap<size_t> index_;
};

std::string stripDeleted(std::string path) {
  constexpr llvm::StringLiteral kDeleted(" (deleted)");
  if (llvm::StringRef(path).endswith(kDeleted)) path.resize(path.size() - kDeleted.size());
  return path;
}

void readProcesses(SystemFacts& facts, Objects& objects, const std::string& root) {
  int err = 0;
  unsigned denied = 0, seen = 0;
  for (const std::string& pid : listDir(root + "/proc", err)) {
    if (!std::all_of(pid.begin(), pid.end(), llvm::isDigit)) continue;
    const std::string dir = fmt::format("{}/proc/{}", root, pid);
    char buf[PATH_MAX];
    ssize_t n = ::readlink((dir + "/exe").c_str(), buf, sizeof buf - 1);
    if (n < 0) {
      if (errno == EACCES || errno == EPERM) ++denied;
      continue;  // ENOENT: a kernel thread, or gone
    }
    ++seen;
    const std::string exe = stripDeleted(std::string(buf, static_cast<size_t>(n)));
    const std::string comm = readSmallFile(dir + "/comm").value_or("?");
    const std::string source = fmt::format("pid {} ({})", pid, comm);
    objects.add(Op::Execute, exe, source, root.empty() ? dir + "/exe" : "");
    std::ifstream maps(dir + "/maps");
    std::string line;
    while (std::getline(maps, line)) {
      // ADDR PERMS OFFSET DEV INODE PATH: executable mappings of files are EXECUTE events too
      llvm::SmallVector<llvm::StringRef, 6> f;
      llvm::StringRef(line).split(f, ' ', 5, false);
      if (f.size() < 6 || f[1].size() < 3 || f[1][2] != 'x') continue;
      std::string path = stripDeleted(f[5].trim().str());
      if (path.empty() || path[0] != '/' || path == exe) continue;
      objects.add(Op::Execute, path, fmt::format("{} maps", source));
    }
  }
  if (denied)
    facts.notes.push_back(fmt::format("{} processes' executables could not be read (not root); {} were", denied, seen));
}

// The module name the kernel lists for a file name: without `.ko*`, `-` read as `_`.
std::string moduleName(llvm::StringRef file) {
  file = file.rsplit('/').second.empty() ? file : file.rsplit('/').second;
  std::string name = file.substr(0, file.find(".ko")).str();
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

void readModules(SystemFacts& facts, Objects& objects, const std::string& root) {
  std::ifstream list(root + "/proc/modules");
  if (!list) {
    facts.notes.push_back("/proc/modules is not readable: loaded modules were not examined");
    return;
  }
  const std::string dir = fmt::format("/lib/modules/{}", facts.kernel_release);
  std::map<std::string, std::string> files;
  std::ifstream dep(root + dir + "/modules.dep");
  std::string line;
  while (std::getline(dep, line)) {
    llvm::StringRef file = llvm::StringRef(line).split(':').first;
    files.emplace(moduleName(file), file.startswith("/") ? file.str() : fmt::format("{}/{}", dir, file.str()));
  }
  const std::string compression = readSmallFile(root + "/sys/module/compression").value_or("");
  while (std::getline(list, line)) {
    const std::string name = llvm::StringRef(line).split(' ').first.str();
    const std::string source = fmt::format("module {}", name);
    auto it = files.find(name);
    if (it == files.end()) {
      objects.addFileless(Op::KernelModule, fmt::format("(module {})", name), source, Tri::Unknown,
                          fmt::format("no file in {}/modules.dep", dir));
      continue;
    }
    llvm::StringRef ext = llvm::StringRef(it->second).rsplit(".ko").second;
    if (ext.empty()) {
      objects.add(Op::KernelModule, it->second, source);
      continue;
    }
    // kmod hands a compressed module to finit_module only when the kernel decompresses that
    // format itself (and kmod is new enough); otherwise it decompresses and calls init_module,
    // which IPE sees without a file.
    const bool kernel_can = !compression.empty() && ext.drop_front() == compression;
    objects.addFileless(Op::KernelModule, it->second, source, kernel_can ? Tri::Unknown : Tri::No,
                        "compressed: loaded from the file or from memory, as kmod chooses");
  }
}

void walkFirmware(const std::string& root, const std::string& dir, std::vector<std::string>& out, unsigned depth) {
  int err = 0;
  for (const std::string& n : listDir(root + dir, err)) {
    const std::string p = fmt::format("{}/{}", dir, n);
    struct stat st {};
    if (::stat((root + p).c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode) && depth < 8) walkFirmware(root, p, out, depth + 1);
    else if (S_ISREG(st.st_mode)) out.push_back(p);
  }
}

void readFirmware(SystemFacts& facts, Objects& objects, const std::string& root) {
  // The firmware loader's search path (drivers/base/firmware_loader/main.c), custom path first.
  std::vector<std::string> dirs;
  if (auto custom = readSmallFile(root + "/sys/module/firmware_class/parameters/path"); custom && !custom->empty())
    dirs.push_back(*custom);
  for (const char* base : {"/lib/firmware/updates", "/lib/firmware"}) {
    dirs.push_back(fmt::format("{}/{}", base, facts.kernel_release));
    dirs.push_back(base);
  }
  std::vector<std::string> files;
  for (const std::string& d : dirs) {
    if (!isDir(root + d)) continue;
    std::vector<std::string> here;
    walkFirmware(root, d, here, 0);
    files.insert(files.end(), here.begin(), here.end());
  }
  for (const std::string& f : files) objects.add(Op::Firmware, f, "firmware search path");
  facts.notes.push_back(fmt::format(
      "firmware: the kernel does not list what it loaded; every one of the {} files in the search path was examined",
      files.size()));
}

void readKexec(SystemFacts& facts, Objects& objects, const std::string& root) {
  unsigned found = 0;
  auto add = [&](Op op, const std::string& path) {
    if (::access((root + path).c_str(), F_OK) != 0) return;
    ++found;
    objects.add(op, path, "kexec candidate");
  };
  add(Op::KexecImage, fmt::format("/boot/vmlinuz-{}", facts.kernel_release));
  add(Op::KexecInitramfs, fmt::format("/boot/initrd.img-{}", facts.kernel_release));
  if (!found) facts.notes.push_back(fmt::format("kexec: no /boot/vmlinuz-{} or initrd.img of it", facts.kernel_release));
}

std::string kernelRelease(const std::string& root) {
  if (auto r = readSmallFile(root + "/proc/sys/kernel/osrelease")) return *r;
  utsname u{};
  return ::uname(&u) == 0 ? u.release : "";
}

}  // namespace

SystemFacts collectFacts(const CollectOptions& options) {
  SystemFacts facts;
  const std::string& root = options.root;
  facts.origin = root.empty() ? "live" : fmt::format("live, under {}", root);
  facts.kernel_release = kernelRelease(root);
  facts.ipe = readIpe(root);
  Mounts mounts = readMounts(root);
  if (!mounts.known) facts.notes.push_back("/proc/self/mountinfo is not readable: initramfs and devices are unknown");
  if (mounts.rootfs_dev.empty())
    facts.notes.push_back("the initramfs rootfs is not visible (after switch_root): files on unlisted anonymous "
                          "devices have an unknown boot_verified");
  Objects objects(facts, mounts, root);
  if (options.processes) readProcesses(facts, objects, root);
  if (options.modules) readModules(facts, objects, root);
  if (options.firmware) readFirmware(facts, objects, root);
  if (options.kexec) readKexec(facts, objects, root);
  return facts;
}

}  // namespace ipec::system
