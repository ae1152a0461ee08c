// SPDX-License-Identifier: Apache-2.0
#include "enforce/loader.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>

#include "enforce/bpf/decide.h"
#include "enforce/ipec_enforce.skel.h"

namespace ipec::enforce {
namespace {

// The policy maps, one outer map each; their order is the fill order of a slot.
struct PolicyMap {
  const char* name;
  bpf_map_type type;
  uint32_t key, value, flags;
  std::vector<backend::BpfMapEntry> backend::BpfMapImage::*entries;
};
const PolicyMap kPolicyMaps[] = {
    {"ipec_kinds", BPF_MAP_TYPE_ARRAY, 4, sizeof(ipec_kind), BPF_F_INNER_MAP, &backend::BpfMapImage::kinds},
    {"ipec_fsv", BPF_MAP_TYPE_HASH, sizeof(ipec_dkey), sizeof(ipec_group), 0, &backend::BpfMapImage::fsv},
    {"ipec_dm", BPF_MAP_TYPE_HASH, sizeof(ipec_dkey), sizeof(ipec_group), 0, &backend::BpfMapImage::dm},
    {"ipec_pair", BPF_MAP_TYPE_HASH, sizeof(ipec_pkey), sizeof(ipec_group), 0, &backend::BpfMapImage::pair},
    // Last: a slot without its op records reads as "no policy", never as half of one.
    {"ipec_ops", BPF_MAP_TYPE_ARRAY, 4, sizeof(ipec_op_rec), 0, &backend::BpfMapImage::ops},
};

std::string sysError(const std::string& what, int err) {
  return fmt::format("{}: {}", what, std::strerror(err < 0 ? -err : err));
}

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

Fd openPinned(const std::string& dir, const char* name, std::string& error) {
  Fd fd(bpf_obj_get((dir + "/" + name).c_str()));
  if (!fd.ok())
    error = errno == ENOENT ? fmt::format("no enforcer is loaded ({}/{} does not exist)", dir, name)
                            : sysError(fmt::format("{}/{}", dir, name), errno);
  return fd;
}

// The control word, mapped: single aligned stores are what the program reads (abi.h).
class Ctl {
 public:
  bool open(const std::string& dir, std::string& error) {
    fd_ = openPinned(dir, "ipec_ctl", error);
    if (!fd_.ok()) return false;
    void* p = mmap(nullptr, page(), PROT_READ | PROT_WRITE, MAP_SHARED, fd_.get(), 0);
    if (p == MAP_FAILED) {
      error = sysError("mmap ipec_ctl", errno);
      return false;
    }
    ctl_ = static_cast<ipec_ctl*>(p);
    return true;
  }
  ~Ctl() {
    if (ctl_) munmap(ctl_, page());
  }
  ipec_ctl* operator->() const { return ctl_; }
  template <typename T, typename U>
  static void store(T& field, U v) {
    std::atomic_ref<T>(field).store(static_cast<T>(v), std::memory_order_seq_cst);
  }

 private:
  static size_t page() { return static_cast<size_t>(sysconf(_SC_PAGESIZE)); }
  Fd fd_;
  ipec_ctl* ctl_ = nullptr;
};

// Batches of 4096: a 1M-digest allowlist is 245 system calls, not a million.
bool fillMap(int fd, const std::vector<backend::BpfMapEntry>& entries, std::string& error) {
  constexpr size_t kBatch = 4096;
  std::string keys, values;
  for (size_t at = 0; at < entries.size(); at += kBatch) {
    const size_t n = std::min(kBatch, entries.size() - at);
    keys.clear();
    values.clear();
    for (size_t i = at; i < at + n; ++i) {
      keys += entries[i].key;
      values += entries[i].value;
    }
    uint32_t count = static_cast<uint32_t>(n);
    LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
    if (bpf_map_update_batch(fd, keys.data(), values.data(), &count, &opts) == 0) continue;
    for (size_t i = at; i < at + n; ++i)  // a kernel without batch updates for this map type
      if (bpf_map_update_elem(fd, entries[i].key.data(), entries[i].value.data(), BPF_ANY) != 0) {
        error = sysError("filling a policy map", errno);
        return false;
      }
  }
  return true;
}

// Creates and fills the inner maps of `p`, then installs them in `slot`, the op records last.
bool fillSlot(const std::string& dir, uint32_t slot, const Policy& p, std::string& error) {
  for (const PolicyMap& m : kPolicyMaps) {
    const auto& entries = p.maps.*m.entries;
    LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = m.flags);
    const uint32_t n = std::max<uint32_t>(1, static_cast<uint32_t>(entries.size()));
    Fd inner(bpf_map_create(m.type, m.name, m.key, m.value, n, &opts));
    if (!inner.ok()) {
      error = sysError(fmt::format("creating {} ({} entries)", m.name, n), errno);
      return false;
    }
    if (!fillMap(inner.get(), entries, error)) return false;
    Fd outer = openPinned(dir, m.name, error);
    if (!outer.ok()) return false;
    const int ifd = inner.get();
    if (bpf_map_update_elem(outer.get(), &slot, &ifd, BPF_ANY) != 0) {
      error = sysError(fmt::format("installing {} in slot {}", m.name, slot), errno);
      return false;
    }
  }
  return true;
}

bool writeMeta(const std::string& dir, uint32_t slot, const Policy& p, std::string& error) {
  Fd fd = openPinned(dir, "ipec_meta", error);
  if (!fd.ok()) return false;
  ipec_meta m{};
  std::copy(p.version.begin(), p.version.end(), m.version);
  m.name_len = static_cast<uint16_t>(std::min<size_t>(p.name.size(), sizeof m.name));
  std::memcpy(m.name, p.name.data(), m.name_len);
  m.rules = p.rules;
  m.digest = p.digest;
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  m.loaded_ns = static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
  if (bpf_map_update_elem(fd.get(), &slot, &m, BPF_ANY) != 0) {
    error = sysError("writing ipec_meta", errno);
    return false;
  }
  return true;
}

bool readMeta(const std::string& dir, uint32_t slot, ipec_meta& m, std::string& error) {
  Fd fd = openPinned(dir, "ipec_meta", error);
  if (!fd.ok()) return false;
  if (bpf_map_lookup_elem(fd.get(), &slot, &m) != 0) {
    error = sysError("reading ipec_meta", errno);
    return false;
  }
  return true;
}

// Fills `slot` while its sequence number is odd (docs/enforcer.md, "Atomic update").
bool writeSlot(Ctl& ctl, const std::string& dir, uint32_t slot, const Policy& p, std::string& error) {
  Ctl::store(ctl->seq[slot], ctl->seq[slot] + 1);
  bool ok = fillSlot(dir, slot, p, error) && writeMeta(dir, slot, p, error);
  Ctl::store(ctl->seq[slot], ctl->seq[slot] + 1);
  if (ok) Ctl::store(ctl->digest[slot], p.digest);
  return ok;
}

const char* const kPrograms[] = {"ipec_bprm_check",      "ipec_mmap_file",         "ipec_file_mprotect",
                                 "ipec_kernel_read_file", "ipec_kernel_load_data",  "ipec_bdev_setintegrity",
                                 "ipec_bdev_free_security", "ipec_inode_setintegrity"};

bool pinMaps(ipec_enforce* skel, const std::string& dir, std::string& error) {
  bpf_map* map;
  bpf_object__for_each_map(map, skel->obj) {
    const std::string name = bpf_map__name(map);
    if (name.find('.') != std::string::npos) continue;  // .rodata: nothing to share
    if (int err = bpf_map__pin(map, (dir + "/" + name).c_str())) {
      error = sysError(fmt::format("pinning {}/{}", dir, name), err);
      return false;
    }
  }
  return true;
}

bool pinLinks(ipec_enforce* skel, const std::string& dir, std::string& error) {
  bpf_link* const links[] = {skel->links.ipec_bprm_check,       skel->links.ipec_mmap_file,
                             skel->links.ipec_file_mprotect,    skel->links.ipec_kernel_read_file,
                             skel->links.ipec_kernel_load_data, skel->links.ipec_bdev_setintegrity,
                             skel->links.ipec_bdev_free_security, skel->links.ipec_inode_setintegrity};
  for (size_t i = 0; i < std::size(links); ++i)
    if (int err = bpf_link__pin(links[i], fmt::format("{}/link_{}", dir, kPrograms[i]).c_str())) {
      error = sysError(fmt::format("pinning the link of {}", kPrograms[i]), err);
      return false;
    }
  return true;
}

std::string libbpfLog;
int collectLibbpfLog(enum libbpf_print_level level, const char* fmt, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  va_list copy;
  va_copy(copy, args);
  const int n = vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  if (n <= 0) return 0;
  std::string buf(static_cast<size_t>(n) + 1, '\0');
  vsnprintf(buf.data(), buf.size(), fmt, args);
  buf.pop_back();
  libbpfLog += buf;
  return 0;
}

// Loaded, pinned, the policy in slot 0, then attached: the first decision already has it.
bool loadPinned(ipec_enforce* skel, const Policy& p, const LoadOptions& o, std::string& error) {
  if (int err = ipec_enforce__load(skel)) {
    error = sysError("loading the BPF program (the verifier refused it)", err);
    return false;
  }
  if (mkdir(o.pin_dir.c_str(), 0700) != 0) {
    error = sysError(fmt::format("mkdir {}", o.pin_dir), errno);
    return false;
  }
  uint32_t zero = 0;
  ipec_ctl ctl{};
  ctl.mode = (o.permissive ? IPEC_MODE_PERMISSIVE : 0) | (o.log_allow ? IPEC_MODE_LOG_ALLOW : 0);
  ctl.initramfs_known = o.initramfs_dev.has_value();
  ctl.initramfs_dev = o.initramfs_dev.value_or(0);
  if (bpf_map_update_elem(bpf_map__fd(skel->maps.ipec_ctl), &zero, &ctl, BPF_ANY) != 0) {
    error = sysError("writing ipec_ctl", errno);
    return false;
  }
  if (!pinMaps(skel, o.pin_dir, error)) return false;
  Ctl c;
  if (!c.open(o.pin_dir, error) || !writeSlot(c, o.pin_dir, 0, p, error)) return false;
  if (int err = ipec_enforce__attach(skel)) {
    error = sysError("attaching the LSM programs (is `bpf` in the kernel's lsm= list?)", err);
    return false;
  }
  return pinLinks(skel, o.pin_dir, error);
}

}  // namespace

bool available() { return true; }

bool load(const Policy& p, const LoadOptions& o, std::string& error) {
  struct stat st {};
  if (stat(o.pin_dir.c_str(), &st) == 0) {
    error = fmt::format("an enforcer is already loaded ({} exists); use `ipec enforce update` or `unload`", o.pin_dir);
    return false;
  }
  libbpfLog.clear();
  libbpf_set_print(collectLibbpfLog);
  ipec_enforce* skel = ipec_enforce__open();
  if (!skel) {
    error = sysError("opening the BPF object", errno);
    return false;
  }
  const bool ok = loadPinned(skel, p, o, error);
  if (!ok) {
    if (o.libbpf_log) *o.libbpf_log = libbpfLog;
    std::string ignored;
    unload(o.pin_dir, ignored);
  }
  ipec_enforce__destroy(skel);  // the pins keep the program, its links and maps
  return ok;
}

bool update(const Policy& p, const std::string& dir, bool allow_any_version, std::string& error) {
  Ctl c;
  if (!c.open(dir, error)) return false;
  const uint32_t active = c->active & 1, next = active ^ 1;
  ipec_meta cur{};
  if (!readMeta(dir, active, cur, error)) return false;
  const std::string cur_name(cur.name, cur.name_len);
  if (cur_name != p.name) {
    error = fmt::format("the running policy is `{}`, not `{}`; an update keeps the name (unload, then load)", cur_name,
                        p.name);
    return false;
  }
  auto v64 = [](const uint16_t* v) { return uint64_t{v[0]} << 32 | uint64_t{v[1]} << 16 | v[2]; };
  if (!allow_any_version && v64(p.version.data()) <= v64(cur.version)) {
    error = fmt::format("version {}.{}.{} is not higher than the running {}.{}.{}; refused as IPE refuses it",
                        p.version[0], p.version[1], p.version[2], cur.version[0], cur.version[1], cur.version[2]);
    return false;
  }
  if (!writeSlot(c, dir, next, p, error)) return false;
  Ctl::store(c->active, next);  // the one write that switches policies
  return true;
}

bool unload(const std::string& dir, std::string& error) {
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0) {
    error = fmt::format("no enforcer is loaded ({} does not exist)", dir);
    return false;
  }
  // Links first: the program stops deciding before its maps go.
  for (const char* prog : kPrograms) unlink(fmt::format("{}/link_{}", dir, prog).c_str());
  for (const char* map : {"ipec_ops", "ipec_kinds", "ipec_fsv", "ipec_dm", "ipec_pair", "ipec_ctl", "ipec_meta",
                          "ipec_counters", "ipec_dmv", "ipec_inode", "ipec_scratch", "ipec_log"})
    unlink(fmt::format("{}/{}", dir, map).c_str());
  if (rmdir(dir.c_str()) != 0) {
    error = sysError(fmt::format("rmdir {} (something else is pinned there)", dir), errno);
    return false;
  }
  return true;
}

std::optional<Status> status(const std::string& dir, std::string& error) {
  Ctl c;
  if (!c.open(dir, error)) return std::nullopt;
  Status s;
  s.active = c->active & 1;
  s.mode = c->mode;
  s.initramfs_known = c->initramfs_known;
  if (!readMeta(dir, s.active, s.meta, error)) return std::nullopt;
  Fd counters = openPinned(dir, "ipec_counters", error);
  if (!counters.ok()) return std::nullopt;
  const int ncpu = libbpf_num_possible_cpus();
  std::vector<uint64_t> per_cpu(static_cast<size_t>(std::max(ncpu, 1)));
  for (uint32_t i = 0; i < IPEC_COUNTERS; ++i)
    if (bpf_map_lookup_elem(counters.get(), &i, per_cpu.data()) == 0)
      for (uint64_t v : per_cpu) s.counters[i] += v;
  for (const char* prog : kPrograms) {
    Fd link(bpf_obj_get(fmt::format("{}/link_{}", dir, prog).c_str()));
    if (!link.ok()) continue;
    bpf_link_info li{};
    uint32_t len = sizeof li;
    if (bpf_obj_get_info_by_fd(link.get(), &li, &len) != 0) continue;
    Fd pfd(bpf_prog_get_fd_by_id(li.prog_id));
    bpf_prog_info pi{};
    len = sizeof pi;
    if (!pfd.ok() || bpf_obj_get_info_by_fd(pfd.get(), &pi, &len) != 0) continue;
    s.programs.push_back({prog, pi.id, pi.verified_insns, pi.xlated_prog_len});
  }
  for (const PolicyMap& m : kPolicyMaps) {
    Fd outer(bpf_obj_get(fmt::format("{}/{}", dir, m.name).c_str()));
    uint32_t id = 0;
    if (!outer.ok() || bpf_map_lookup_elem(outer.get(), &s.active, &id) != 0) continue;
    Fd inner(bpf_map_get_fd_by_id(id));
    std::ifstream info(fmt::format("/proc/self/fdinfo/{}", inner.get()));
    for (std::string line; std::getline(info, line);)
      if (line.rfind("memlock:", 0) == 0) s.map_bytes += std::stoull(line.substr(8));
  }
  return s;
}

bool setMode(const std::string& dir, uint32_t mode, std::string& error) {
  Ctl c;
  if (!c.open(dir, error)) return false;
  Ctl::store(c->mode, mode);
  return true;
}

bool readLog(const std::string& dir, bool follow, const std::function<bool(const ipec_log_rec&)>& on_record,
             std::string& error) {
  Fd fd = openPinned(dir, "ipec_log", error);
  if (!fd.ok()) return false;
  struct Ctx {
    const std::function<bool(const ipec_log_rec&)>* cb;
    bool stop = false;
  } ctx{&on_record};
  auto sample = [](void* c, void* data, size_t size) -> int {
    auto* x = static_cast<Ctx*>(c);
    if (size < sizeof(ipec_log_rec)) return 0;
    ipec_log_rec r;
    std::memcpy(&r, data, sizeof r);
    if (!(*x->cb)(r)) x->stop = true;
    return x->stop ? 1 : 0;
  };
  ring_buffer* rb = ring_buffer__new(fd.get(), sample, &ctx, nullptr);
  if (!rb) {
    error = sysError("opening the log ring buffer", errno);
    return false;
  }
  int rc = ring_buffer__consume(rb);
  while (rc >= 0 && follow && !ctx.stop) rc = ring_buffer__poll(rb, 500);
  ring_buffer__free(rb);
  if (rc < 0 && rc != -EINTR) {
    error = sysError("reading the log", rc);
    return false;
  }
  return true;
}

}  // namespace ipec::enforce
