// SPDX-License-Identifier: Apache-2.0
// ipec enforce: the compiled policy enforced by the BPF-LSM program (docs/enforcer.md).
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <cstring>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "analysis/audit_text.h"
#include "analysis/decide.h"
#include "backend/bpf_maps.h"
#include "backend/decompile.h"
#include "backend/table.h"
#include "driver/commands.h"
#include "driver/input.h"
#include "driver/json_text.h"
#include "driver/output.h"
#include "enforce/loader.h"

namespace ipec::driver {
namespace {

constexpr int kFindings = static_cast<int>(ExitCode::Findings);
constexpr int kUsage = static_cast<int>(ExitCode::Usage);
// Where the loaded tables are kept, so that `log` can name the rule a record's rank points to.
constexpr const char* kTableDir = "/run/ipec/tables";

// A policy ready for the maps, from a table (`ipec compile`) or from policy text.
struct Prepared {
  enforce::Policy policy;
  std::string table;   // the table's bytes
  std::string source;  // the policy text, when given as text (the log quotes its rules as written)
};

// The table's checksum (header offset 24): the digest status and the log name a policy by.
uint64_t tableDigest(std::string_view table) {
  uint64_t d = 0;
  std::memcpy(&d, table.data() + 24, sizeof d);
  return d;
}

// Whether the enforcer analysis has nothing to find in `t`: no BPF_PROG_LOAD, and when loaded
// after boot no property it cannot establish (the templates' properties and the dm-verity
// tables say so). Such a table is loaded as it is, without decompiling and recompiling it:
// 1M digests take 17 s and 1 GB that way (docs/enforcer.md).
bool tableNeedsNoAnalysis(const ipet_table& t, bool initramfs) {
  if (t.ops[static_cast<unsigned>(stdlib::Op::BpfProgLoad)].evaluated) return false;
  if (initramfs) return true;
  if (t.has_dm || t.has_pair) return false;
  for (uint32_t i = 0; i < t.ntprops; ++i) {
    const auto prop = static_cast<stdlib::Prop>(t.tprops[i].prop);
    if (prop == stdlib::Prop::BootVerified || prop == stdlib::Prop::DmveritySignature ||
        prop == stdlib::Prop::FsveritySignature)
      return false;
  }
  return true;
}

std::optional<Prepared> prepare(const EnforceOptions& o, std::string& error) {
  auto in = readInputOrReport(o.policy, o.max_file_size, /*policy=*/false);
  if (!in) return std::nullopt;
  PipelineConfig config = o.pipeline;
  // What the enforcer cannot know is an error here: the policy would not be enforced as written.
  config.enforcer = o.initramfs ? analysis::Enforcer::BpfLsmInitramfs : analysis::Enforcer::BpfLsm;
  bool keep = false;
  std::string text = in->bytes;
  std::optional<std::string> given_table;
  if (backend::looksLikeTable(in->bytes)) {
    int status = 0;
    auto table = backend::Table::load(in->bytes, status);
    if (!table) {
      error = fmt::format("{}: not a valid decision table: {}", in->display_name,
                          backend::loadErrorMessage(in->bytes, status));
      return std::nullopt;
    }
    if (table->raw().features != backend::targetFeatures(config.target)) {
      error = fmt::format("{} was compiled for another target than {} (features 0x{:x}, expected 0x{:x}); "
                          "recompile it with `ipec compile --target {}`",
                          in->display_name, config.target.name, table->raw().features,
                          backend::targetFeatures(config.target), config.target.name);
      return std::nullopt;
    }
    if (tableNeedsNoAnalysis(table->raw(), o.initramfs)) {
      Prepared r;
      r.table = in->bytes;
      r.policy.name.assign(reinterpret_cast<const char*>(table->raw().name), table->raw().name_len);
      std::copy(std::begin(table->raw().version), std::end(table->raw().version), r.policy.version.begin());
      r.policy.digest = tableDigest(r.table);
      r.policy.maps = backend::bpfMapImage(table->raw());
      return r;
    }
    keep = table->raw().flags & 1;
    text = backend::decompile(table->raw());
    given_table = in->bytes;
  }
  CheckedPolicy p = checkPolicy(in->display_name, std::move(text), config);
  printDiagnostics(p, o.color, /*errors_only=*/true);
  auto compiled = compilePolicy(p, config, keep);
  if (!compiled || p.diags->hasErrors()) {
    error = fmt::format("{}: not loaded: {}", in->display_name,
                        compiled ? "errors (see above)" : "the kernel rejects this policy");
    return std::nullopt;
  }
  if (given_table && *given_table != compiled->bytes) {
    error = fmt::format("{}: the table does not round-trip through its own policy text; recompile it", in->display_name);
    return std::nullopt;
  }
  if (compiled->program.ops[static_cast<unsigned>(stdlib::Op::BpfProgLoad)].evaluated) {
    error = "op=BPF_PROG_LOAD cannot be enforced from BPF-LSM on a kernel without Hornet";
    return std::nullopt;
  }
  Prepared r;
  r.table = compiled->bytes;
  if (!given_table) r.source = std::string(p.file->bytes());
  r.policy.name = compiled->program.name;
  r.policy.version = compiled->program.version;
  r.policy.digest = tableDigest(r.table);
  r.policy.rules = compiled->program.rules;
  r.policy.maps = backend::bpfMapImage(compiled->program);
  return r;
}

std::string tablePath(uint64_t digest, const char* ext = "ipet") {
  return fmt::format("{}/{:016x}.{}", kTableDir, digest, ext);
}

// Keeps the table for `log` (best effort: a read-only /run only costs the rule text).
void keepTable(const Prepared& p) {
  mkdir("/run/ipec", 0700);
  mkdir(kTableDir, 0700);
  std::string error;
  if (!writeFileAtomically(tablePath(p.policy.digest), p.table, error) ||
      (!p.source.empty() && !writeFileAtomically(tablePath(p.policy.digest, "pol"), p.source, error)))
    printError(fmt::format("warning: {}; `ipec enforce log` will print rule ranks instead of rules", error));
}

std::optional<uint32_t> initramfsDev(std::string& error) {
  struct stat st {};
  if (stat("/", &st) != 0) {
    error = fmt::format("stat /: {}", std::strerror(errno));
    return std::nullopt;
  }
  // The kernel's dev_t (MAJOR << 20 | MINOR), which the program compares with s_dev.
  return static_cast<uint32_t>(major(st.st_dev) << 20 | minor(st.st_dev));
}

int runLoad(const EnforceOptions& o) {
  std::string error;
  auto p = prepare(o, error);
  if (!p) return error.empty() ? kUsage : (printError(error), kFindings);
  enforce::LoadOptions lo;
  lo.pin_dir = o.pin_dir;
  lo.permissive = o.permissive;
  lo.log_allow = o.log_allow;
  if (o.initramfs) {
    lo.initramfs_dev = initramfsDev(error);
    if (!lo.initramfs_dev) return printError(error), kFindings;
  }
  keepTable(*p);
  std::string libbpf_log;
  lo.libbpf_log = &libbpf_log;
  if (!enforce::load(p->policy, lo, error)) {
    writeText(stderr, libbpf_log);  // the verifier's log, as it printed it
    return printError(error), kFindings;
  }
  print(stderr, "ipec: enforcing {} {}.{}.{} (table {:016x}, {} rules){}\n", p->policy.name, p->policy.version[0],
        p->policy.version[1], p->policy.version[2], p->policy.digest, p->policy.rules,
        o.permissive ? ", permissive" : "");
  return 0;
}

int runUpdate(const EnforceOptions& given) {
  std::string error;
  auto running = enforce::status(given.pin_dir, error);
  if (!running) return printError(error), kFindings;
  EnforceOptions o = given;
  o.initramfs = running->initramfs_known;  // what the running enforcer can establish
  auto p = prepare(o, error);
  if (!p) return error.empty() ? kUsage : (printError(error), kFindings);
  keepTable(*p);
  if (!enforce::update(p->policy, o.pin_dir, o.any_version, error))
    return printError(fmt::format("{}; the running policy stays", error)), kFindings;
  print(stderr, "ipec: now enforcing {} {}.{}.{} (table {:016x})\n", p->policy.name, p->policy.version[0],
        p->policy.version[1], p->policy.version[2], p->policy.digest);
  return 0;
}

const char* const kCounterNames[] = {"allow", "deny", "permissive_allowed", "no_policy", "inconsistent",
                                     "error", "log_lost", "uncached_mprotect", "unknown_id"};

int runStatus(const EnforceOptions& o) {
  std::string error;
  auto s = enforce::status(o.pin_dir, error);
  if (!s) return printError(error), kFindings;
  const std::string name(s->meta.name, s->meta.name_len);
  nlohmann::json j;
  j["name"] = name;
  j["version"] = fmt::format("{}.{}.{}", s->meta.version[0], s->meta.version[1], s->meta.version[2]);
  j["table_digest"] = fmt::format("{:016x}", s->meta.digest);
  j["rules"] = s->meta.rules;
  j["slot"] = s->active;
  j["mode"] = (s->mode & IPEC_MODE_PERMISSIVE) ? "permissive" : "enforce";
  j["log_allow"] = (s->mode & IPEC_MODE_LOG_ALLOW) != 0;
  j["boot_verified_exact"] = s->initramfs_known;
  j["policy_map_bytes"] = s->map_bytes;
  for (size_t i = 0; i < std::size(kCounterNames); ++i) j["counters"][kCounterNames[i]] = s->counters[i];
  for (unsigned op = 0; op < stdlib::kNumOps - 1; ++op)
    j["counters"]["by_op"][std::string(stdlib::opSpelling(static_cast<stdlib::Op>(op)))] = s->counters[IPEC_C_OP + op];
  for (const auto& pr : s->programs)
    j["programs"].push_back({{"name", pr.name}, {"id", pr.id}, {"verified_insns", pr.verified_insns},
                             {"xlated_bytes", pr.xlated_bytes}});
  if (o.format == "json") {
    printJson(j);
    return 0;
  }
  print(stdout, "policy:    {} {} (table {}{})\n", name, j["version"].get<std::string>(),
        j["table_digest"].get<std::string>(), s->meta.rules ? fmt::format(", {} rules", s->meta.rules) : "");
  print(stdout, "mode:      {}{}\n", j["mode"].get<std::string>(), j["log_allow"].get<bool>() ? ", logging allows" : "");
  print(stdout, "maps:      {} bytes (the active policy)\n", s->map_bytes);
  print(stdout, "decisions: {} allowed, {} denied, {} denies allowed (permissive)\n", s->counters[IPEC_C_ALLOW],
        s->counters[IPEC_C_DENY], s->counters[IPEC_C_PERMISSIVE]);
  for (const auto& pr : s->programs)
    print(stdout, "program:   {} id {}: {} instructions verified\n", pr.name, pr.id, pr.verified_insns);
  return 0;
}

const char* hookName(uint8_t hook) {
  static const char* const names[] = {"BPRM_CHECK", "MMAP", "MPROTECT", "KERNEL_READ", "KERNEL_LOAD"};
  return hook < std::size(names) ? names[hook] : "UNKNOWN";
}

// The rule text of IPE's audit record, from the kept table of the record's policy.
class RuleNamer {
 public:
  explicit RuleNamer(const PipelineConfig& config) : config_(config) {}
  std::string name(const ipec_log_rec& r) {
    Loaded* l = load(r.table_digest);
    const auto op = static_cast<stdlib::Op>(r.op & 7);
    if (!l) return r.kind == IPET_RULE ? fmt::format("rank {}", r.rule) : "DEFAULT";
    const ast::Policy& policy = l->checked.parsed.policy;
    int32_t stmt = -1;
    if (r.kind == IPET_RULE && r.rule < l->compiled->program.statement_of_rank.size())
      stmt = static_cast<int32_t>(l->compiled->program.statement_of_rank[r.rule]);
    else if (r.kind == IPET_OP_DEFAULT)
      stmt = l->index.op_default[static_cast<unsigned>(op)];
    else if (r.kind == IPET_GLOBAL_DEFAULT)
      stmt = l->index.global_default;
    return stmt < 0 ? std::string("?") : analysis::auditRule(policy, policy.statements[stmt]);
  }

 private:
  struct Loaded {
    CheckedPolicy checked;
    std::optional<CompiledPolicy> compiled;
    analysis::PolicyIndex index;
  };
  // The policy a digest names: its source text when `load` kept it (IPE quotes rules as written),
  // else the text decompiled from the table (properties in the table's order).
  Loaded* load(uint64_t digest) {
    auto it = cache_.find(digest);
    if (it != cache_.end()) return it->second.get();
    std::unique_ptr<Loaded>& slot = cache_[digest];
    InputError ignored;
    if (auto src = readInput(tablePath(digest, "pol"), 1u << 30, ignored)) {
      slot = compiled(std::move(src->bytes), false);
      if (slot && tableDigest(slot->compiled->bytes) == digest) return slot.get();
    }
    auto in = readInput(tablePath(digest), 1u << 30, ignored, /*policy=*/false);
    int status = 0;
    auto table = in ? backend::Table::load(in->bytes, status) : std::nullopt;
    if (!table) return slot.reset(), nullptr;
    slot = compiled(backend::decompile(table->raw()), table->raw().flags & 1);
    return slot.get();
  }
  std::unique_ptr<Loaded> compiled(std::string text, bool keep) {
    auto l = std::make_unique<Loaded>(Loaded{checkPolicy("table", std::move(text), config_), std::nullopt, {}});
    l->compiled = compilePolicy(l->checked, config_, keep);
    if (!l->compiled) return nullptr;
    l->index = analysis::PolicyIndex::build(l->checked.parsed.policy);
    return l;
  }
  PipelineConfig config_;
  std::map<uint64_t, std::unique_ptr<Loaded>> cache_;
};

int runLog(const EnforceOptions& o) {
  RuleNamer namer(o.pipeline);
  std::string error;
  auto line = [&](const ipec_log_rec& r) {
    std::string comm(r.comm, strnlen(r.comm, sizeof r.comm)), dev(r.dev, strnlen(r.dev, sizeof r.dev));
    std::string where = r.has_file ? fmt::format("path=? dev=\"{}\" ino={}", dev, r.ino) : "path=? dev=? ino=?";
    print(stdout, "ipe_op={} ipe_hook={} enforcing={} pid={} comm=\"{}\" {} rule=\"{}\"\n",
          stdlib::opSpelling(static_cast<stdlib::Op>(r.op & 7)), hookName(r.hook), r.enforcing ? 1 : 0, r.pid, comm,
          where, namer.name(r));
    std::fflush(stdout);
    return true;
  };
  if (!enforce::readLog(o.pin_dir, o.follow, line, error)) return printError(error), kFindings;
  return 0;
}

}  // namespace

int runEnforce(const EnforceOptions& o) {
  std::string error;
  if (o.action == "load") return runLoad(o);
  if (o.action == "update") return runUpdate(o);
  if (o.action == "status") return runStatus(o);
  if (o.action == "log") return runLog(o);
  if (o.action == "unload") {
    if (!enforce::unload(o.pin_dir, error)) return printError(error), kFindings;
    return 0;
  }
  if (o.action == "mode") {
    const uint32_t mode = (o.permissive ? IPEC_MODE_PERMISSIVE : 0) | (o.log_allow ? IPEC_MODE_LOG_ALLOW : 0);
    if (!enforce::setMode(o.pin_dir, mode, error)) return printError(error), kFindings;
    return 0;
  }
  return kUsage;
}

}  // namespace ipec::driver
