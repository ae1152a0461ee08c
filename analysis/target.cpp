// SPDX-License-Identifier: Apache-2.0
#include "analysis/target.h"

#include <sys/stat.h>
#include <sys/utsname.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/diagnostic.h"
#include "stdlib/target_profiles.h"

namespace ipec::analysis {
namespace {

namespace sl = ipec::stdlib;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string> splitList(std::string_view list) {
  std::vector<std::string> out;
  size_t begin = 0;
  while (begin <= list.size()) {
    size_t comma = list.find(',', begin);
    size_t end = comma == std::string_view::npos ? list.size() : comma;
    std::string_view item = trim(list.substr(begin, end - begin));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    begin = comma + 1;
  }
  return out;
}

bool parseBool(std::string_view v, bool& out) {
  if (v == "y" || v == "yes" || v == "m") {
    out = true;
    return true;
  }
  if (v == "n" || v == "no") {
    out = false;
    return true;
  }
  return false;
}

const sl::ProfileSource* findProfile(std::string_view name) {
  for (const sl::ProfileSource& p : sl::builtinProfiles())
    if (p.file.substr(0, p.file.size() - std::string_view(".target").size()) == name) return &p;
  return nullptr;
}

// Parses one profile, applying its `base` first.
bool parseProfile(std::string_view name, Target& t, std::string& error, int depth = 0) {
  const sl::ProfileSource* src = findProfile(name);
  if (!src) {
    error = "unknown target " + quote(name);
    return false;
  }
  if (depth > 8) {
    error = "target profiles inherit in a cycle at " + quote(name);
    return false;
  }
  std::istringstream in{std::string(src->text)};
  std::string raw;
  unsigned lineno = 0;
  while (std::getline(in, raw)) {
    ++lineno;
    std::string_view line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find('=');
    auto fail = [&](std::string what) {
      error = std::string(src->file) + ":" + std::to_string(lineno) + ": " + what;
      return false;
    };
    if (eq == std::string_view::npos) return fail("expected `key = value`");
    std::string_view key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
    if (key == "base") {
      if (!parseProfile(value, t, error, depth + 1)) return false;
    } else if (key == "name") {
      t.name = value;
    } else if (key == "description") {
      t.description = value;
    } else if (key == "kernel") {
      t.kernel_name = value;
    } else if (key == "tokens") {
      if (value != "mainline" && value != "hornet") return fail("tokens is mainline or hornet");
      t.dialect.hornet = value == "hornet";
    } else if (key == "bpf-hook") {
      if (value == "none") t.bpf_hook = BpfHook::None;
      else if (value == "hornet-v5") t.bpf_hook = BpfHook::HornetV5;
      else if (value == "hornet-v7") t.bpf_hook = BpfHook::HornetV7;
      else return fail("bpf-hook is none, hornet-v5 or hornet-v7");
    } else if (key == "execve-check") {
      if (!parseBool(value, t.execve_check)) return fail("execve-check is yes or no");
    } else if (key == "lsm") {
      t.lsm = splitList(value);
    } else if (auto k = sl::lookupKconfig(key)) {
      bool on = false;
      if (!parseBool(value, on)) return fail("a Kconfig option is y or n");
      t.kconfig[static_cast<unsigned>(*k)] = on;
    } else {
      return fail("unknown key " + quote(key));
    }
  }
  return true;
}

// A kernel .config is a few hundred KiB; anything past this is not one (and must not exhaust
// memory: a small gzip can expand to gigabytes).
constexpr size_t kMaxKconfigBytes = size_t{64} << 20;

std::string readMaybeGzip(const std::string& path, std::string& error) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    error = "cannot open " + path + ": " + std::strerror(errno);
    return {};
  }
  if (S_ISDIR(st.st_mode)) {
    error = "cannot read " + path + ": it is a directory";
    return {};
  }
  gzFile f = gzopen(path.c_str(), "rb");  // reads plain files too
  if (!f) {
    error = "cannot open " + path + ": " + std::strerror(errno ? errno : ENOMEM);
    return {};
  }
  std::string out;
  char buf[1 << 15];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) {
    if (out.size() + static_cast<size_t>(n) > kMaxKconfigBytes) {
      error = path + " is larger than 64 MiB (decompressed); a kernel .config is far smaller";
      gzclose(f);
      return {};
    }
    out.append(buf, static_cast<size_t>(n));
  }
  int status = Z_OK;
  const char* message = gzerror(f, &status);
  if (n < 0 || (status != Z_OK && status != Z_STREAM_END)) {
    // A truncated or corrupt gzip must not pass as half a configuration.
    std::string why = status == Z_ERRNO ? std::strerror(errno) : message ? message : "read error";
    if (why.rfind(path + ": ", 0) == 0) why.erase(0, path.size() + 2);  // zlib prefixes the path
    error = "cannot read " + path + ": " + why;
  }
  gzclose(f);
  return error.empty() ? out : std::string();
}

std::optional<Target> liveTarget(std::string& error) {
  struct utsname u;
  std::string release = uname(&u) == 0 ? u.release : "";
  unsigned major = 0, minor = 0;
  std::sscanf(release.c_str(), "%u.%u", &major, &minor);
  const bool new_exec = major > 6 || (major == 6 && minor >= 19);
  std::optional<Target> t = loadTarget(new_exec ? "linux-6.19" : "linux-6.12", error);
  if (!t) return t;
  t->name = "live";
  t->kernel_name = "Linux " + release;
  t->description = "the running system (" + release + ")";
  std::string kconfig_error;
  if (!applyKconfigFile(*t, "/proc/config.gz", kconfig_error)) {
    std::string boot = "/boot/config-" + release;
    if (!applyKconfigFile(*t, boot, kconfig_error)) {
      error = "--target live: cannot read the kernel configuration from /proc/config.gz or " + boot;
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
  for (const sl::ProfileSource& p : sl::builtinProfiles())
    out.emplace_back(p.file.substr(0, p.file.size() - std::string_view(".target").size()));
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
  std::istringstream in(text);
  std::string line;
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
  while (std::getline(in, line)) {
    std::string_view l = trim(line);
    if (l.rfind("# CONFIG_", 0) == 0 && l.size() > 13 && l.substr(l.size() - 11) == " is not set") {
      std::string_view name = l.substr(2, l.size() - 2 - 11);
      if (auto k = sl::lookupKconfig(name)) seen[static_cast<unsigned>(*k)] = true;
      set(name, false);
      continue;
    }
    if (l.rfind("CONFIG_", 0) != 0) continue;
    size_t eq = l.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = l.substr(0, eq), value = l.substr(eq + 1);
    if (auto k = sl::lookupKconfig(name)) seen[static_cast<unsigned>(*k)] = true;
    set(name, value == "y" || value == "m");
    if (name == "CONFIG_LSM" && value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      t.lsm = splitList(value.substr(1, value.size() - 2));
      lsm_from_config = true;
    }
  }
  if (applied == 0 && text.find("CONFIG_") == std::string::npos) {
    error = path + " does not look like a kernel .config";
    return false;
  }
  for (unsigned i = 0; i < sl::kNumKconfigs; ++i)
    if (!seen[i]) t.kconfig[i] = false;
  t.adjustments.push_back("kernel configuration from " + path +
                          (lsm_from_config ? " (CONFIG_LSM as the default lsm= list)" : " (no CONFIG_LSM: lsm= list kept)"));
  return true;
}

bool applyLsmList(Target& t, std::string_view list, std::string& error) {
  std::vector<std::string> items = splitList(list);
  if (items.empty()) {
    error = "--lsm: the list is empty (for a kernel without IPE, give a list without it, e.g. --lsm capability)";
    return false;
  }
  t.lsm = std::move(items);
  t.adjustments.push_back("lsm=" + std::string(trim(list)));
  return true;
}

bool applySetting(Target& t, std::string_view assignment, std::string& error) {
  size_t eq = assignment.find('=');
  if (eq == std::string_view::npos) {
    error = "--set: expected CONFIG_NAME=y or CONFIG_NAME=n, got " + quote(assignment);
    return false;
  }
  std::string_view name = assignment.substr(0, eq), value = assignment.substr(eq + 1);
  auto k = sl::lookupKconfig(name);
  if (!k) {
    std::string known;
    for (unsigned i = 0; i < sl::kNumKconfigs; ++i) {
      if (i) known += ", ";
      known += sl::kconfigName(static_cast<sl::Kconfig>(i));
    }
    error = "--set: ipec does not model " + quote(name) + "; it models " + known;
    return false;
  }
  bool on = false;
  if (!parseBool(value, on)) {
    error = "--set: " + std::string(name) + " takes y or n";
    return false;
  }
  t.kconfig[static_cast<unsigned>(*k)] = on;
  t.adjustments.push_back(std::string(sl::kconfigName(*k)) + "=" + (on ? "y" : "n"));
  return true;
}

std::string describeTarget(const Target& t) {
  std::string out;
  out += "name:          " + t.name + "\n";
  out += "description:   " + t.description + "\n";
  out += "kernel:        " + t.kernel_name + "\n";
  out += "tokens:        " + std::string(t.dialect.hornet ? "mainline + Hornet series" : "mainline") + "\n";
  out += "bpf hook:      " + std::string(bpfHookName(t.bpf_hook)) + "\n";
  out += "execve check:  " + std::string(t.execve_check ? "yes (AT_EXECVE_CHECK)" : "no") + "\n";
  out += "lsm:           ";
  for (size_t i = 0; i < t.lsm.size(); ++i) out += (i ? "," : "") + t.lsm[i];
  out += "\n";
  out += "IPE active:    " + std::string(t.ipeActive() ? "yes" : "no") + "\n";
  out += "Hornet active: " + std::string(t.hornetActive() ? "yes" : "no") + "\n";
  out += "kconfig:\n";
  for (unsigned i = 0; i < sl::kNumKconfigs; ++i) {
    auto k = static_cast<sl::Kconfig>(i);
    out += "  " + std::string(sl::kconfigName(k)) + "=" + (t.config(k) ? "y" : "n") + "\n";
  }
  for (const std::string& a : t.adjustments) out += "adjusted:      " + a + "\n";
  return out;
}

}  // namespace ipec::analysis
