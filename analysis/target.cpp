// SPDX-License-Identifier: Apache-2.0
#include "analysis/target.h"

#include <fmt/format.h>
#include <llvm/ADT/SmallVector.h>
#include <llvm/ADT/StringRef.h>
#include <llvm/ADT/StringSwitch.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <tuple>

#include "base/diagnostic.h"
#include "stdlib/target_profiles.h"

namespace ipec::analysis {
namespace {

namespace sl = ipec::stdlib;

// What a profile line, a .config line and a list item may carry around their text.
constexpr llvm::StringLiteral kBlanks = " \t\r";
constexpr llvm::StringLiteral kProfileSuffix = ".target";

llvm::StringRef profileName(const sl::ProfileSource& p) {
  return llvm::StringRef(p.file).drop_back(kProfileSuffix.size());
}

// "a, b,,c" -> {a, b, c}: the lsm= syntax, which ignores empty items.
std::vector<std::string> splitList(llvm::StringRef list) {
  llvm::SmallVector<llvm::StringRef, 8> items;
  list.split(items, ',');
  std::vector<std::string> out;
  for (llvm::StringRef item : items)
    if (llvm::StringRef t = item.trim(kBlanks); !t.empty()) out.push_back(t.str());
  return out;
}

std::optional<bool> parseBool(llvm::StringRef v) {
  return llvm::StringSwitch<std::optional<bool>>(v)
      .Cases("y", "yes", "m", true)
      .Cases("n", "no", false)
      .Default(std::nullopt);
}

const sl::ProfileSource* findProfile(llvm::StringRef name) {
  for (const sl::ProfileSource& p : sl::builtinProfiles())
    if (profileName(p) == name) return &p;
  return nullptr;
}

// Parses one profile, applying its `base` first.
bool parseProfile(std::string_view name, Target& t, std::string& error, int depth = 0) {
  const sl::ProfileSource* src = findProfile(name);
  if (!src) {
    error = fmt::format("unknown target {}", quote(name));
    return false;
  }
  if (depth > 8) {
    error = fmt::format("target profiles inherit in a cycle at {}", quote(name));
    return false;
  }
  unsigned lineno = 0;
  for (llvm::StringRef rest = src->text; !rest.empty();) {
    llvm::StringRef line;
    std::tie(line, rest) = rest.split('\n');
    ++lineno;
    line = line.trim(kBlanks);
    if (line.empty() || line.front() == '#') continue;
    auto fail = [&](std::string_view what) {
      error = fmt::format("{}:{}: {}", src->file, lineno, what);
      return false;
    };
    if (!line.contains('=')) return fail("expected `key = value`");
    auto [raw_key, raw_value] = line.split('=');
    const llvm::StringRef key = raw_key.trim(kBlanks), value = raw_value.trim(kBlanks);
    if (key == "base") {
      if (!parseProfile(value, t, error, depth + 1)) return false;
    } else if (key == "name") {
      t.name = value.str();
    } else if (key == "description") {
      t.description = value.str();
    } else if (key == "kernel") {
      t.kernel_name = value.str();
    } else if (key == "tokens") {
      if (value != "mainline" && value != "hornet") return fail("tokens is mainline or hornet");
      t.dialect.hornet = value == "hornet";
    } else if (key == "bpf-hook") {
      auto hook = llvm::StringSwitch<std::optional<BpfHook>>(value)
                      .Case("none", BpfHook::None)
                      .Case("hornet-v5", BpfHook::HornetV5)
                      .Case("hornet-v7", BpfHook::HornetV7)
                      .Default(std::nullopt);
      if (!hook) return fail("bpf-hook is none, hornet-v5 or hornet-v7");
      t.bpf_hook = *hook;
    } else if (key == "execve-check") {
      auto on = parseBool(value);
      if (!on) return fail("execve-check is yes or no");
      t.execve_check = *on;
    } else if (key == "lsm") {
      t.lsm = splitList(value);
    } else if (auto k = sl::lookupKconfig(key)) {
      auto on = parseBool(value);
      if (!on) return fail("a Kconfig option is y or n");
      t.kconfig[static_cast<unsigned>(*k)] = *on;
    } else {
      return fail(fmt::format("unknown key {}", quote(key)));
    }
  }
  return true;
}

// A kernel .config is a few hundred KiB; anything past this is not one (and must not exhaust
// memory: a small gzip can expand to gigabytes).
constexpr size_t kMaxKconfigBytes = size_t{64} << 20;

// Hand-written on zlib's gz* calls: they read plain and gzip files alike and let the bound hold
// while inflating; LLVM's zlib wrapper reads no gzip header and wants the inflated size up front.
std::string readMaybeGzip(const std::string& path, std::string& error) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    error = fmt::format("cannot open {}: {}", path, std::strerror(errno));
    return {};
  }
  if (S_ISDIR(st.st_mode)) {
    error = fmt::format("cannot read {}: it is a directory", path);
    return {};
  }
  gzFile f = gzopen(path.c_str(), "rb");  // reads plain files too
  if (!f) {
    error = fmt::format("cannot open {}: {}", path, std::strerror(errno ? errno : ENOMEM));
    return {};
  }
  std::string out;
  char buf[1 << 15];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) {
    if (out.size() + static_cast<size_t>(n) > kMaxKconfigBytes) {
      error = fmt::format("{} is larger than 64 MiB (decompressed); a kernel .config is far smaller", path);
      gzclose(f);
      return {};
    }
    out.append(buf, static_cast<size_t>(n));
  }
  int status = Z_OK;
  const char* message = gzerror(f, &status);
  if (n < 0 || (status != Z_OK && status != Z_STREAM_END)) {
    // A truncated or corrupt gzip must not pass as half a configuration.
    llvm::StringRef why = status == Z_ERRNO ? std::strerror(errno) : message ? message : "read error";
    why.consume_front(fmt::format("{}: ", path));  // zlib prefixes the path
    error = fmt::format("cannot read {}: {}", path, why);
  }
  gzclose(f);
  return error.empty() ? out : std::string();
}

std::optional<Target> liveTarget(std::string& error) {
  struct utsname u;
  const std::string release = uname(&u) == 0 ? u.release : "";
  unsigned major = 0, minor = 0;
  llvm::StringRef version = release;  // "6.19.0-rc1": only the first two numbers count
  if (!version.consumeInteger(10, major) && version.consume_front(".")) version.consumeInteger(10, minor);
  const bool new_exec = major > 6 || (major == 6 && minor >= 19);
  std::optional<Target> t = loadTarget(new_exec ? "linux-6.19" : "linux-6.12", error);
  if (!t) return t;
  t->name = "live";
  t->kernel_name = fmt::format("Linux {}", release);
  t->description = fmt::format("the running system ({})", release);
  std::string kconfig_error;
  if (!applyKconfigFile(*t, "/proc/config.gz", kconfig_error)) {
    const std::string boot = fmt::format("/boot/config-{}", release);
    if (!applyKconfigFile(*t, boot, kconfig_error)) {
      error = fmt::format("--target live: cannot read the kernel configuration from /proc/config.gz or {}", boot);
      return std::nullopt;
    }
  }
  std::ifstream lsm("/sys/kernel/security/lsm");
  std::string list;
  if (lsm && std::getline(lsm, list)) {
    applyLsmList(*t, list, error);
  } else {
    t->adjustments.push_back("lsm: /sys/kernel/security/lsm is not readable; using the configuration's CONFIG_LSM (or "
                             "the profile's list when it has none)");
  }
  if (t->config(sl::Kconfig::SecurityHornet)) {
    t->dialect.hornet = true;
    t->bpf_hook = BpfHook::HornetV7;
    t->adjustments.push_back("CONFIG_SECURITY_HORNET=y: assumed the Hornet v6/v7 hook design");
  }
  return t;
}

}  // namespace

std::string_view bpfHookName(BpfHook h) {
  switch (h) {
    case BpfHook::None: return "none";
    case BpfHook::HornetV5: return "hornet-v5";
    case BpfHook::HornetV7: return "hornet-v7";
  }
  return "";
}

bool Target::lsmHas(std::string_view module) const {
  return std::find(lsm.begin(), lsm.end(), module) != lsm.end();
}

std::vector<std::string> profileNames() {
  std::vector<std::string> out;
  for (const sl::ProfileSource& p : sl::builtinProfiles()) out.push_back(profileName(p).str());
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<Target> loadTarget(std::string_view name, std::string& error) {
  if (name == "live") return liveTarget(error);
  Target t;
  if (!parseProfile(name, t, error)) return std::nullopt;
  return t;
}

bool applyKconfigFile(Target& t, const std::string& path, std::string& error) {
  std::string text = readMaybeGzip(path, error);
  if (!error.empty()) return false;
  unsigned applied = 0;
  auto set = [&](std::string_view name, bool on) {
    if (auto k = sl::lookupKconfig(name)) {
      t.kconfig[static_cast<unsigned>(*k)] = on;
      ++applied;
    }
  };
  // The options ipec models that a .config does not mention are off (Kconfig writes every
  // visible option, so a missing one had unmet dependencies).
  std::array<bool, sl::kNumKconfigs> seen{};
  bool lsm_from_config = false;
  for (llvm::StringRef rest = text; !rest.empty();) {
    llvm::StringRef l;
    std::tie(l, rest) = rest.split('\n');
    l = l.trim(kBlanks);
    // Hand-written: only the two line forms scripts/kconfig writes count, each matched whole
    // (`# CONFIG_X is not set`, `CONFIG_X=value`); every other line is skipped.
    if (llvm::StringRef name = l; name.consume_front("# ") && name.startswith("CONFIG_") &&
                                  name.consume_back(" is not set")) {
      if (auto k = sl::lookupKconfig(name)) seen[static_cast<unsigned>(*k)] = true;
      set(name, false);
      continue;
    }
    if (!l.startswith("CONFIG_") || !l.contains('=')) continue;
    auto [name, value] = l.split('=');
    if (auto k = sl::lookupKconfig(name)) seen[static_cast<unsigned>(*k)] = true;
    set(name, value == "y" || value == "m");
    if (name == "CONFIG_LSM" && value.size() >= 2 && value.startswith("\"") && value.endswith("\"")) {
      t.lsm = splitList(value.drop_front().drop_back());
      lsm_from_config = true;
    }
  }
  if (applied == 0 && !llvm::StringRef(text).contains("CONFIG_")) {
    error = fmt::format("{} does not look like a kernel .config", path);
    return false;
  }
  for (unsigned i = 0; i < sl::kNumKconfigs; ++i)
    if (!seen[i]) t.kconfig[i] = false;
  t.adjustments.push_back(fmt::format("kernel configuration from {} ({})", path,
                                      lsm_from_config ? "CONFIG_LSM as the default lsm= list"
                                                      : "no CONFIG_LSM: lsm= list kept"));
  return true;
}

bool applyLsmList(Target& t, std::string_view list, std::string& error) {
  std::vector<std::string> items = splitList(list);
  if (items.empty()) {
    error = "--lsm: the list is empty (for a kernel without IPE, give a list without it, e.g. --lsm capability)";
    return false;
  }
  t.lsm = std::move(items);
  t.adjustments.push_back(fmt::format("lsm={}", llvm::StringRef(list).trim(kBlanks)));
  return true;
}

bool applySetting(Target& t, std::string_view assignment, std::string& error) {
  const llvm::StringRef text = assignment;
  if (!text.contains('=')) {
    error = fmt::format("--set: expected CONFIG_NAME=y or CONFIG_NAME=n, got {}", quote(assignment));
    return false;
  }
  auto [name, value] = text.split('=');
  auto k = sl::lookupKconfig(name);
  if (!k) {
    std::vector<std::string_view> known;
    for (unsigned i = 0; i < sl::kNumKconfigs; ++i) known.push_back(sl::kconfigName(static_cast<sl::Kconfig>(i)));
    error = fmt::format("--set: ipec does not model {}; it models {}", quote(name), fmt::join(known, ", "));
    return false;
  }
  std::optional<bool> on = parseBool(value);
  if (!on) {
    error = fmt::format("--set: {} takes y or n", name);
    return false;
  }
  t.kconfig[static_cast<unsigned>(*k)] = *on;
  t.adjustments.push_back(fmt::format("{}={}", sl::kconfigName(*k), *on ? "y" : "n"));
  return true;
}

std::string describeTarget(const Target& t) {
  std::string out;
  auto add = std::back_inserter(out);
  fmt::format_to(add, "name:          {}\n", t.name);
  fmt::format_to(add, "description:   {}\n", t.description);
  fmt::format_to(add, "kernel:        {}\n", t.kernel_name);
  fmt::format_to(add, "tokens:        {}\n", t.dialect.hornet ? "mainline + Hornet series" : "mainline");
  fmt::format_to(add, "bpf hook:      {}\n", bpfHookName(t.bpf_hook));
  fmt::format_to(add, "execve check:  {}\n", t.execve_check ? "yes (AT_EXECVE_CHECK)" : "no");
  fmt::format_to(add, "lsm:           {}\n", fmt::join(t.lsm, ","));
  fmt::format_to(add, "IPE active:    {}\n", t.ipeActive() ? "yes" : "no");
  fmt::format_to(add, "Hornet active: {}\n", t.hornetActive() ? "yes" : "no");
  out += "kconfig:\n";
  for (unsigned i = 0; i < sl::kNumKconfigs; ++i) {
    auto k = static_cast<sl::Kconfig>(i);
    fmt::format_to(add, "  {}={}\n", sl::kconfigName(k), t.config(k) ? "y" : "n");
  }
  for (const std::string& a : t.adjustments) fmt::format_to(add, "adjusted:      {}\n", a);
  return out;
}

}  // namespace ipec::analysis
