// SPDX-License-Identifier: Apache-2.0
// Decision speed: the decision table's interpreter (ipet_eval, backend/ipet.c) against a faithful
// kernel-style linear first-match evaluator, on fs-verity allowlists of 10 .. 1M sha256 rules.
//
//   BM_Build/rules:N            driver::compilePolicy (FastDecider, reachability, lowering, table
//                               writer) on the checked AST: the policy's AST to the table's bytes.
//                               Counters: table_bytes, bytes_per_rule (table / N digest rules),
//                               marginal_bytes_per_rule ((table - the same policy without digest
//                               rules) / N), digest_slots, check_ms (checkPolicy, measured once).
//   BM_Load/rules:N             backend::Table::load: copy to an 8-aligned buffer + ipet_load
//                               (checksum and every check of docs/table-format.md, O(size)).
//   BM_Table/<event>/rules:N    one ipet_eval per iteration.
//   BM_Linear/<event>/rules:N   one kernel-style evaluation per iteration.
//
// Events (a fixed pseudo-random ring per size and kind, generated from a fixed seed):
//   allowlisted      exec of a file whose fs-verity digest is a uniformly random allowlist rule
//                    (the linear walk is on average N/2 rules deep)
//   unknown          exec of an fs-verity file whose digest is in no rule (the linear walk visits
//                    every rule, then the op's DEFAULT denies)
//   initramfs        exec from the initramfs (decided by `boot_verified=TRUE`, the first rule)
//   nofile           exec without a file (anonymous PROT_EXEC mapping): no property holds, every
//                    rule is visited cheaply, then the op's DEFAULT denies
//   kmodule          KMODULE from the initramfs, from a signed dm-verity volume (both allowed by a
//                    rule), or from a plain disk (denied by DEFAULT op=KMODULE), in turn
//   mix              50% allowlisted, 10% unknown, 20% initramfs, 10% nofile, 10% kmodule
//   allowlisted_hot  (table only) allowlisted, but a ring of 256 events: the table's lines stay in
//                    cache. The other rings hold 2^18 events (for allowlisted, unknown and mix),
//                    so at 100k and 1M rules most slot reads miss the caches (at 100k the 3.7 MB
//                    table would fit in L3, but streaming 38 MB of events evicts it: read these
//                    as the uncached case). The linear evaluator walks the first 2^14 events of
//                    the same rings (its cost does not depend on the caches' state as much).
// Counter ns_per_decision: CPU time per decision (one decision per iteration); items_per_second.
// Table sizes in the text count the N digest rules only (the policy has 4 more rules).
//
// The linear evaluator is written here, independent of ipec's analysis engines, after
// security/ipe/eval.c and digest.c (Linux 6.12): rules in per-op lists (here std::vector, which is
// kinder to the caches than the kernel's linked lists), each with its property list; digests as
// heap-allocated digest_info (alg string, byte array, length); the walk takes the op's rules in
// order, evaluates each rule's properties with short-circuit, and the first rule whose properties
// all hold decides; else the op's DEFAULT, else the global DEFAULT. evaluate_fsv_digest() fetches
// the file's digest per property (fsverity_get_digest() copies it out of the fsverity_info) and
// compares with ipe_digest_eval(): length, strcmp(alg), memcmp. It is built from ipec's AST once
// per size, outside the timed region, and checked against the table on a sample of every ring
// before anything is timed (the run aborts on a disagreement); every table decision of every ring
// is also checked against the expected one.
//
// Everything is built once per size (the 1M-rule policy is 112 MB of text) and the previous size
// is freed first; the benchmarks of one size run back to back, so table/linear ratios come from
// one run. `ipec_bench_table --write-policy=N:PATH` writes the N-rule policy (for `ipec compile
// --stats`). See scripts/bench-table and docs/benchmarks.md. A benchmark, never a timed test.
#include <benchmark/benchmark.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backend/ipet_cxx.h"
#include "backend/table.h"
#include "base/hex.h"
#include "bench/bench_inputs.h"
#include "driver/commands.h"
#include "pipeline/pipeline.h"
#include "stdlib/catalog.h"

namespace {

namespace sl = ipec::stdlib;
namespace driver = ipec::driver;
namespace pipeline = ipec::pipeline;
namespace backend = ipec::backend;

constexpr size_t kSizes[] = {10, 100, 1000, 10000, 100000, 1000000};

// ---- deterministic inputs -------------------------------------------------------------------

using ipec::bench::SplitMix64;

using Digest = std::array<uint8_t, 32>;

Digest randomDigest(SplitMix64& rng) {
  Digest d;
  for (int i = 0; i < 4; ++i) {
    uint64_t v = rng.next();
    std::memcpy(d.data() + 8 * i, &v, 8);
  }
  return d;
}

// Statement indices of the policy below (checked against the AST).
constexpr uint32_t kStmtExecBoot = 3, kStmtExecDmSig = 4, kStmtKmodBoot = 5, kStmtKmodDmSig = 6, kStmtFirstDigest = 7;

std::string makePolicy(const std::vector<Digest>& digests) {
  std::string text =
      "policy_name=bench_table policy_version=1.0.0\n"
      "DEFAULT action=ALLOW\n"
      "DEFAULT op=EXECUTE action=DENY\n"
      "DEFAULT op=KMODULE action=DENY\n"
      "op=EXECUTE boot_verified=TRUE action=ALLOW\n"
      "op=EXECUTE dmverity_signature=TRUE action=ALLOW\n"
      "op=KMODULE boot_verified=TRUE action=ALLOW\n"
      "op=KMODULE dmverity_signature=TRUE action=ALLOW\n";
  text.reserve(text.size() + digests.size() * 112);
  for (const Digest& d : digests) {
    text += "op=EXECUTE fsverity_digest=sha256:";
    ipec::appendHex(text, {reinterpret_cast<const char*>(d.data()), d.size()});
    text += " action=ALLOW\n";
  }
  return text;
}

std::vector<Digest> makeDigests(size_t n) {
  SplitMix64 rng{0x7ab1e5eedull + n};
  std::vector<Digest> v(n);
  for (Digest& d : v) d = randomDigest(rng);
  return v;
}

// ---- the kernel-style linear evaluator (security/ipe/{policy.h,eval.c,digest.c}) -------------

namespace kern {

enum ipe_action_type { IPE_ACTION_ALLOW = 0, IPE_ACTION_DENY, IPE_ACTION_INVALID };
enum ipe_match { IPE_MATCH_RULE = 0, IPE_MATCH_TABLE, IPE_MATCH_GLOBAL };
enum ipe_prop_type {
  IPE_PROP_BOOT_VERIFIED_FALSE,
  IPE_PROP_BOOT_VERIFIED_TRUE,
  IPE_PROP_DMV_ROOTHASH,
  IPE_PROP_DMV_SIG_FALSE,
  IPE_PROP_DMV_SIG_TRUE,
  IPE_PROP_FSV_DIGEST,
  IPE_PROP_FSV_SIG_FALSE,
  IPE_PROP_FSV_SIG_TRUE,
  IPE_PROP_UNKNOWN,  // not a mainline property (evaluate_property's default: false)
};

struct digest_info {
  const char* alg;
  const uint8_t* digest;
  size_t digest_len;
};

struct ipe_prop {
  ipe_prop_type type;
  void* value;  // digest_info* for the digest properties
};

struct ipe_rule {
  uint32_t op;
  ipe_action_type action;
  std::vector<ipe_prop> props;
  uint32_t statement;  // not in the kernel: the AST statement, to compare with the table
};

struct ipe_op_table {
  std::vector<ipe_rule> rules;
  ipe_action_type default_action = IPE_ACTION_INVALID;
};

// The file-side state IPE reads (include/linux/fsverity.h, security/ipe/hooks.h).
struct fsverity_info {
  uint8_t alg;  // ipec's algorithm id (fsverity_hash_alg); name in kHashAlgoName
  uint8_t digest_size;
  uint8_t file_digest[64];
};
struct inode {
  const fsverity_info* i_verity_info;
};
struct ipe_inode {
  bool fs_verity_signed;
};
struct ipe_bdev {
  bool dm_verity_signed;
  const digest_info* root_hash;
};

struct ipe_eval_ctx {
  uint32_t op;
  const void* file;
  bool initramfs;
  const ipe_bdev* bdev;
  const inode* ino;
  const ipe_inode* iinode;
};

// hash_algo_name[]: static strings, indexed by the algorithm id.
constexpr const char* kHashAlgoName[] = {
#define IPEC_DIGEST_ALG(E, N, L, FS, DM) N,
#include "stdlib/digest_algs.def"
};
const char* hashAlgoName(uint8_t alg) { return alg < std::size(kHashAlgoName) ? kHashAlgoName[alg] : "unknown"; }

digest_info* newDigestInfo(std::string_view alg, std::string_view bytes) {
  auto* info = new digest_info;
  char* a = new char[alg.size() + 1];  // kstrndup
  std::memcpy(a, alg.data(), alg.size());
  a[alg.size()] = '\0';
  auto* d = new uint8_t[bytes.size()];  // kmemdup
  std::memcpy(d, bytes.data(), bytes.size());
  info->alg = a;
  info->digest = d;
  info->digest_len = bytes.size();
  return info;
}

void freeDigestInfo(const digest_info* info) {
  delete[] info->alg;
  delete[] info->digest;
  delete info;
}

struct ipe_parsed_policy {
  std::array<ipe_op_table, sl::kNumOps> rules;
  ipe_action_type global_default_action = IPE_ACTION_INVALID;

  ipe_parsed_policy() = default;
  ipe_parsed_policy(const ipe_parsed_policy&) = delete;
  ipe_parsed_policy& operator=(const ipe_parsed_policy&) = delete;
  ~ipe_parsed_policy() {
    for (ipe_op_table& t : rules)
      for (ipe_rule& r : t.rules)
        for (ipe_prop& p : r.props)
          if (p.type == IPE_PROP_DMV_ROOTHASH || p.type == IPE_PROP_FSV_DIGEST)
            freeDigestInfo(static_cast<const digest_info*>(p.value));
  }
};

// digest.c
bool ipe_digest_eval(const digest_info* expected, const digest_info* digest) {
  return (expected->digest_len == digest->digest_len) && (!std::strcmp(expected->alg, digest->alg)) &&
         (!std::memcmp(expected->digest, digest->digest, expected->digest_len));
}

// eval.c
bool evaluate_boot_verified(const ipe_eval_ctx* ctx) { return ctx->initramfs; }

bool evaluate_dmv_roothash(const ipe_eval_ctx* ctx, const ipe_prop* p) {
  return !!ctx->bdev && !!ctx->bdev->root_hash &&
         ipe_digest_eval(static_cast<const digest_info*>(p->value), ctx->bdev->root_hash);
}

bool evaluate_dmv_sig_false(const ipe_eval_ctx* ctx) { return !ctx->bdev || (!ctx->bdev->dm_verity_signed); }
bool evaluate_dmv_sig_true(const ipe_eval_ctx* ctx) { return !evaluate_dmv_sig_false(ctx); }

bool evaluate_fsv_digest(const ipe_eval_ctx* ctx, const ipe_prop* p) {
  uint8_t digest[64];
  if (!ctx->ino) return false;
  // fsverity_get_digest(): fsverity_get_info(), then a copy of the file digest.
  const fsverity_info* vi = ctx->ino->i_verity_info;
  if (!vi) return false;
  std::memcpy(digest, vi->file_digest, vi->digest_size);
  digest_info info{hashAlgoName(vi->alg), digest, vi->digest_size};
  return ipe_digest_eval(static_cast<const digest_info*>(p->value), &info);
}

// IS_VERITY(inode): the inode has fs-verity (here: a verity info).
bool evaluate_fsv_sig_false(const ipe_eval_ctx* ctx) {
  return !ctx->ino || !ctx->ino->i_verity_info || !ctx->iinode || !ctx->iinode->fs_verity_signed;
}
bool evaluate_fsv_sig_true(const ipe_eval_ctx* ctx) { return !evaluate_fsv_sig_false(ctx); }

bool evaluate_property(const ipe_eval_ctx* ctx, const ipe_prop* p) {
  switch (p->type) {
    case IPE_PROP_BOOT_VERIFIED_FALSE: return !evaluate_boot_verified(ctx);
    case IPE_PROP_BOOT_VERIFIED_TRUE: return evaluate_boot_verified(ctx);
    case IPE_PROP_DMV_ROOTHASH: return evaluate_dmv_roothash(ctx, p);
    case IPE_PROP_DMV_SIG_FALSE: return evaluate_dmv_sig_false(ctx);
    case IPE_PROP_DMV_SIG_TRUE: return evaluate_dmv_sig_true(ctx);
    case IPE_PROP_FSV_DIGEST: return evaluate_fsv_digest(ctx, p);
    case IPE_PROP_FSV_SIG_FALSE: return evaluate_fsv_sig_false(ctx);
    case IPE_PROP_FSV_SIG_TRUE: return evaluate_fsv_sig_true(ctx);
    default: return false;
  }
}

struct decision {
  uint32_t action;      // ipe_action_type
  uint32_t match_type;  // ipe_match
  const ipe_rule* rule;
};

// ipe_evaluate_event(), without the RCU, audit and enforce-mode parts.
__attribute__((noinline)) decision ipe_evaluate_event(const ipe_parsed_policy& pol, const ipe_eval_ctx* ctx) {
  const ipe_op_table& rules = pol.rules[ctx->op];
  const ipe_rule* rule = nullptr;
  bool match = false;
  for (const ipe_rule& r : rules.rules) {
    match = true;
    for (const ipe_prop& prop : r.props) {
      match = evaluate_property(ctx, &prop);
      if (!match) break;
    }
    if (match) {
      rule = &r;
      break;
    }
  }
  if (match) return {static_cast<uint32_t>(rule->action), IPE_MATCH_RULE, rule};
  if (rules.default_action != IPE_ACTION_INVALID) return {static_cast<uint32_t>(rules.default_action), IPE_MATCH_TABLE, nullptr};
  return {static_cast<uint32_t>(pol.global_default_action), IPE_MATCH_GLOBAL, nullptr};
}

// What ipe_parse_policy() would build, from ipec's AST.
std::unique_ptr<ipe_parsed_policy> fromAst(const ipec::ast::Policy& policy) {
  auto pol = std::make_unique<ipe_parsed_policy>();
  for (uint32_t si = 0; si < policy.statements.size(); ++si) {
    const ipec::ast::Statement& s = policy.statements[si];
    const auto action = s.action == sl::Action::Deny ? IPE_ACTION_DENY : IPE_ACTION_ALLOW;
    if (s.isDefault()) {
      if (s.has_op) pol->rules[static_cast<unsigned>(s.op)].default_action = action;
      else pol->global_default_action = action;
      continue;
    }
    ipe_rule r{static_cast<uint32_t>(s.op), action, {}, si};
    for (const ipec::ast::Property* p = policy.propsBegin(s); p != policy.propsEnd(s); ++p) {
      ipe_prop prop{IPE_PROP_UNKNOWN, nullptr};
      switch (p->prop) {
        case sl::Prop::BootVerified: prop.type = p->value ? IPE_PROP_BOOT_VERIFIED_TRUE : IPE_PROP_BOOT_VERIFIED_FALSE; break;
        case sl::Prop::DmveritySignature: prop.type = p->value ? IPE_PROP_DMV_SIG_TRUE : IPE_PROP_DMV_SIG_FALSE; break;
        case sl::Prop::FsveritySignature: prop.type = p->value ? IPE_PROP_FSV_SIG_TRUE : IPE_PROP_FSV_SIG_FALSE; break;
        case sl::Prop::DmverityRoothash:
        case sl::Prop::FsverityDigest: {
          ipec::DigestView v = policy.digests.get(p->digest);
          prop.type = p->prop == sl::Prop::FsverityDigest ? IPE_PROP_FSV_DIGEST : IPE_PROP_DMV_ROOTHASH;
          prop.value = newDigestInfo(v.alg, v.bytes);
          break;
        }
        default: break;
      }
      r.props.push_back(prop);
    }
    pol->rules[static_cast<unsigned>(s.op)].rules.push_back(std::move(r));
  }
  return pol;
}

// One event as the kernel sees it, with the objects its pointers refer to.
struct Event {
  ipe_eval_ctx ctx;
  int file_object = 0;
  inode ino;
  ipe_inode iinode;
  ipe_bdev bdev;
  fsverity_info vi;
  digest_info root_hash;
  uint8_t root_bytes[64];
};

// Fills `out` (whose address must not change afterwards) from a table event.
void fromIpetEvent(const ipet_event& e, Event& out) {
  out.ctx = ipe_eval_ctx{e.op, nullptr, false, nullptr, nullptr, nullptr};
  if (!e.file) return;
  out.ctx.file = &out.file_object;
  out.ctx.initramfs = e.initramfs;
  out.iinode.fs_verity_signed = e.fsv_signed;
  out.ctx.iinode = &out.iinode;
  out.ino.i_verity_info = nullptr;
  if (e.fsverity) {
    out.vi.alg = e.fsv_alg;
    out.vi.digest_size = e.fsv_len;
    std::memcpy(out.vi.file_digest, e.fsv_digest, sizeof out.vi.file_digest);
    out.ino.i_verity_info = &out.vi;
  }
  out.ctx.ino = &out.ino;
  if (e.bdev) {
    out.bdev.dm_verity_signed = e.bdev == 2 && e.dm_signed;
    out.bdev.root_hash = nullptr;
    if (e.bdev == 2) {
      std::memcpy(out.root_bytes, e.dm_digest, sizeof out.root_bytes);
      out.root_hash = digest_info{hashAlgoName(e.dm_alg), out.root_bytes, e.dm_len};
      out.bdev.root_hash = &out.root_hash;
    }
    out.ctx.bdev = &out.bdev;
  }
}

}  // namespace kern

// ---- events ---------------------------------------------------------------------------------

enum Kind { kAllow, kUnknown, kInitramfs, kNoFile, kKmodule, kMix, kAllowHot, kNumKinds };
constexpr const char* kKindName[kNumKinds] = {"allowlisted", "unknown", "initramfs", "nofile",
                                              "kmodule",     "mix",     "allowlisted_hot"};
constexpr size_t kBigRing = size_t{1} << 18;   // allowlisted, unknown, mix (37.7 MB of events each)
constexpr size_t kSmallRing = size_t{1} << 12; // initramfs, nofile, kmodule: their table reads do not vary
constexpr size_t kHotRing = 256;
constexpr size_t kLinearRing = size_t{1} << 14;

size_t ringSize(Kind k) {
  switch (k) {
    case kAllow:
    case kUnknown:
    case kMix: return kBigRing;
    case kAllowHot: return kHotRing;
    default: return kSmallRing;
  }
}

struct Expect {
  uint32_t action;     // 0 ALLOW, 1 DENY
  uint32_t kind;       // enum ipet_decision_kind
  int64_t statement;   // for IPET_RULE
};

struct Generated {
  ipet_event event;
  Expect expect;
};

constexpr uint8_t kOpExec = static_cast<uint8_t>(sl::Op::Execute);
constexpr uint8_t kOpKmod = static_cast<uint8_t>(sl::Op::KernelModule);
constexpr uint8_t kSha256 = static_cast<uint8_t>(sl::DigestAlg::Sha256);

ipet_event blank(uint8_t op) {
  ipet_event e;
  std::memset(&e, 0, sizeof e);
  e.op = op;
  return e;
}

class EventMaker {
 public:
  EventMaker(const std::vector<Digest>& digests, const ipec::DigestPool& pool, uint64_t seed)
      : digests_(digests), pool_(pool), rng_{seed} {}

  Generated make(Kind k) {
    switch (k) {
      case kAllow:
      case kAllowHot: return allow();
      case kUnknown: return unknown();
      case kInitramfs: return {initramfs(kOpExec), {0, IPET_RULE, kStmtExecBoot}};
      case kNoFile: return {blank(kOpExec), {1, IPET_OP_DEFAULT, -1}};
      case kKmodule: return kmodule();
      case kMix: {
        uint32_t r = rng_.below(100);
        return make(r < 50 ? kAllow : r < 60 ? kUnknown : r < 80 ? kInitramfs : r < 90 ? kNoFile : kKmodule);
      }
      default: std::abort();
    }
  }

 private:
  static ipet_event fsverityExec(const Digest& d) {
    ipet_event e = blank(kOpExec);
    e.file = 1;
    e.bdev = 1;  // ext4 on a plain disk
    e.fsverity = 1;
    e.fsv_alg = kSha256;
    e.fsv_len = 32;
    std::memcpy(e.fsv_digest, d.data(), 32);
    return e;
  }
  static ipet_event initramfs(uint8_t op) {
    ipet_event e = blank(op);
    e.file = 1;
    e.initramfs = 1;
    return e;
  }
  Generated allow() {
    uint32_t j = rng_.below(static_cast<uint32_t>(digests_.size()));
    return {fsverityExec(digests_[j]), {0, IPET_RULE, kStmtFirstDigest + int64_t{j}}};
  }
  Generated unknown() {
    Digest d;
    do d = randomDigest(rng_);
    while (pool_.find("sha256", std::string_view(reinterpret_cast<const char*>(d.data()), d.size())));
    return {fsverityExec(d), {1, IPET_OP_DEFAULT, -1}};
  }
  Generated kmodule() {
    switch (kmod_turn_++ % 3) {
      case 0: return {initramfs(kOpKmod), {0, IPET_RULE, kStmtKmodBoot}};
      case 1: {
        ipet_event e = blank(kOpKmod);
        e.file = 1;
        e.bdev = 2;
        e.dm_signed = 1;
        e.dm_alg = kSha256;
        e.dm_len = 32;
        Digest d = randomDigest(rng_);
        std::memcpy(e.dm_digest, d.data(), 32);
        return {e, {0, IPET_RULE, kStmtKmodDmSig}};
      }
      default: {
        ipet_event e = blank(kOpKmod);
        e.file = 1;
        e.bdev = 1;
        return {e, {1, IPET_OP_DEFAULT, -1}};
      }
    }
  }

  const std::vector<Digest>& digests_;
  const ipec::DigestPool& pool_;
  SplitMix64 rng_;
  unsigned kmod_turn_ = 0;
};

// ---- one size: the policy, its table, the linear policy, the events -------------------------

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "ipec_bench_table: %s\n", what.c_str());
  std::abort();
}

double msSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

pipeline::PipelineConfig benchConfig() {
  pipeline::PipelineConfig c;
  c.analyze = false;
  c.check_signed_size = false;
  return c;
}

struct World {
  size_t rules = 0;
  pipeline::PipelineConfig config = benchConfig();
  pipeline::CheckedPolicy checked;
  std::optional<driver::CompiledPolicy> compiled;
  std::optional<backend::Table> table;
  std::unique_ptr<kern::ipe_parsed_policy> linear;
  std::array<std::vector<ipet_event>, kNumKinds> ring;
  std::array<std::unique_ptr<kern::Event[]>, kNumKinds> lring;  // the first kLinearRing of ring
  std::array<size_t, kNumKinds> lring_size{};
  double check_ms = 0, compile_ms = 0;
};

pipeline::CheckedPolicy check(const std::string& text, const pipeline::PipelineConfig& config) {
  pipeline::CheckedPolicy p = pipeline::checkPolicy("bench_table.pol", text, config);
  if (p.diags->hasErrors()) fail("the generated policy does not check cleanly");
  return p;
}

driver::CompiledPolicy compile(const pipeline::CheckedPolicy& p, const pipeline::PipelineConfig& config) {
  auto c = driver::compilePolicy(p, config, false);
  if (!c) fail("compilePolicy failed");
  return std::move(*c);
}

// The same policy without digest rules: the table's fixed part.
uint64_t baseTableBytes() {
  static const uint64_t bytes = [] {
    pipeline::PipelineConfig config = benchConfig();
    return static_cast<uint64_t>(compile(check(makePolicy({}), config), config).bytes.size());
  }();
  return bytes;
}

std::string describe(const ipet_decision& d) {
  return "action " + std::to_string(d.action) + " kind " + std::to_string(d.kind) + " rule " + std::to_string(d.rule);
}

void verify(World& w) {
  const ipec::ast::Policy& policy = w.checked.parsed.policy;
  if (policy.statements.size() != kStmtFirstDigest + w.rules) fail("unexpected statement count");
  for (uint32_t s = kStmtFirstDigest; s < policy.statements.size(); s += static_cast<uint32_t>(w.rules / 7 + 1))
    if (policy.statements[s].prop_count != 1 || policy.properties[policy.statements[s].first_prop].prop != sl::Prop::FsverityDigest)
      fail("statement " + std::to_string(s) + " is not a digest rule");
  if (w.compiled->program.rules != 4 + w.rules) fail("lowering dropped rules: " + std::to_string(w.compiled->program.dropped));
  const std::vector<uint32_t>& stmt_of_rank = w.compiled->program.statement_of_rank;
  const size_t sample = w.rules <= 10000 ? 2048 : w.rules <= 100000 ? 256 : 32;
  for (int k = 0; k < kNumKinds; ++k) {
    for (size_t i = 0; i < std::min(sample, w.lring_size[k]); ++i) {
      ipet_decision d = w.table->eval(w.ring[k][i]);
      kern::decision l = kern::ipe_evaluate_event(*w.linear, &w.lring[k][i].ctx);
      const bool same = l.action == d.action && l.match_type == d.kind &&
                        (d.kind != IPET_RULE || (d.rule < stmt_of_rank.size() && stmt_of_rank[d.rule] == l.rule->statement));
      if (!same)
        fail(std::string("table and linear evaluator disagree on ") + kKindName[k] + " event " + std::to_string(i) +
             " at " + std::to_string(w.rules) + " rules: table " + describe(d) + ", linear action " +
             std::to_string(l.action) + " match " + std::to_string(l.match_type) + " statement " +
             (l.rule ? std::to_string(l.rule->statement) : "-"));
    }
  }
}

World& world(size_t rules) {
  static std::unique_ptr<World> current;
  if (current && current->rules == rules) return *current;
  current.reset();  // free the previous size first
  auto w = std::make_unique<World>();
  w->rules = rules;
  const std::vector<Digest> digests = makeDigests(rules);
  {
    std::string text = makePolicy(digests);
    auto t0 = std::chrono::steady_clock::now();
    w->checked = check(text, w->config);
    w->check_ms = msSince(t0);
  }
  auto t0 = std::chrono::steady_clock::now();
  w->compiled = compile(w->checked, w->config);
  w->compile_ms = msSince(t0);
  int status = 0;
  w->table = backend::Table::load(w->compiled->bytes, status);
  if (!w->table) fail(std::string("the table does not load: ") + ipet_strerror(status));
  w->linear = kern::fromAst(w->checked.parsed.policy);

  // Events: the table's rings, their expected decisions, and the linear evaluator's copies.
  const std::vector<uint32_t>& stmt_of_rank = w->compiled->program.statement_of_rank;
  EventMaker maker(digests, w->checked.parsed.policy.digests, 0xe7e175eedull + rules);
  for (int k = 0; k < kNumKinds; ++k) {
    const size_t n = ringSize(static_cast<Kind>(k));
    w->ring[k].resize(n);
    for (size_t i = 0; i < n; ++i) {
      Generated g = maker.make(static_cast<Kind>(k));
      w->ring[k][i] = g.event;
      ipet_decision d = w->table->eval(g.event);
      const bool ok = d.action == g.expect.action && d.kind == g.expect.kind &&
                      (d.kind != IPET_RULE || (d.rule < stmt_of_rank.size() && stmt_of_rank[d.rule] == g.expect.statement));
      if (!ok)
        fail(std::string("unexpected table decision for ") + kKindName[k] + " event " + std::to_string(i) + ": " +
             describe(d) + " (statement " +
             (d.kind == IPET_RULE && d.rule < stmt_of_rank.size() ? std::to_string(stmt_of_rank[d.rule]) : "-") +
             "), expected action " + std::to_string(g.expect.action) + " kind " + std::to_string(g.expect.kind) +
             " statement " + std::to_string(g.expect.statement));
    }
    w->lring_size[k] = std::min(n, kLinearRing);
    w->lring[k] = std::make_unique<kern::Event[]>(w->lring_size[k]);
    for (size_t i = 0; i < w->lring_size[k]; ++i) kern::fromIpetEvent(w->ring[k][i], w->lring[k][i]);
  }
  verify(*w);
  std::fprintf(stderr, "ipec_bench_table: %zu rules: table %zu bytes (%.2f per rule), check %.0f ms, compile %.0f ms\n",
               rules, w->compiled->bytes.size(), static_cast<double>(w->compiled->bytes.size()) / static_cast<double>(rules),
               w->check_ms, w->compile_ms);
  current = std::move(w);
  return *current;
}

// ---- benchmarks -----------------------------------------------------------------------------

double threadCpuNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// ns_per_decision: the thread's CPU time around the timed loop over the decisions made (one per
// iteration); Google Benchmark's cpu_time per iteration is the same figure.
void decisionCounters(benchmark::State& state, double cpu_ns) {
  const auto iters = static_cast<int64_t>(state.iterations());
  state.SetItemsProcessed(iters);
  state.counters["ns_per_decision"] = iters > 0 ? cpu_ns / static_cast<double>(iters) : 0.0;
}

void BM_Table(benchmark::State& state, Kind kind) {
  const World& w = world(static_cast<size_t>(state.range(0)));
  const ipet_table* t = &w.table->raw();
  const ipet_event* ring = w.ring[kind].data();
  const size_t mask = w.ring[kind].size() - 1;
  size_t i = 0;
  const double t0 = threadCpuNs();
  for (auto _ : state) {
    ipet_decision d;
    ipet_eval(t, &ring[i & mask], &d);
    benchmark::DoNotOptimize(d);
    ++i;
  }
  decisionCounters(state, threadCpuNs() - t0);
}

void BM_Linear(benchmark::State& state, Kind kind) {
  const World& w = world(static_cast<size_t>(state.range(0)));
  const kern::ipe_parsed_policy& pol = *w.linear;
  const kern::Event* ring = w.lring[kind].get();
  const size_t mask = w.lring_size[kind] - 1;
  size_t i = 0;
  const double t0 = threadCpuNs();
  for (auto _ : state) {
    kern::decision d = kern::ipe_evaluate_event(pol, &ring[i & mask].ctx);
    benchmark::DoNotOptimize(d);
    ++i;
  }
  decisionCounters(state, threadCpuNs() - t0);
}

void BM_Build(benchmark::State& state) {
  const World& w = world(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    std::optional<driver::CompiledPolicy> c = driver::compilePolicy(w.checked, w.config, false);
    benchmark::DoNotOptimize(c->bytes.data());
    state.PauseTiming();
    c.reset();
    state.ResumeTiming();
  }
  const double bytes = static_cast<double>(w.compiled->bytes.size());
  const double n = static_cast<double>(w.rules);
  state.counters["table_bytes"] = bytes;
  state.counters["bytes_per_rule"] = bytes / n;
  state.counters["marginal_bytes_per_rule"] = (bytes - static_cast<double>(baseTableBytes())) / n;
  state.counters["digest_slots"] = static_cast<double>(w.compiled->stats.digest_slots);
  state.counters["check_ms"] = w.check_ms;
  state.counters["rules_per_s"] = benchmark::Counter(n, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_Load(benchmark::State& state) {
  const World& w = world(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    int status = 0;
    std::optional<backend::Table> t = backend::Table::load(w.compiled->bytes, status);
    if (!t) {
      state.SkipWithError("the table does not load");
      break;
    }
    benchmark::DoNotOptimize(t->raw().nkinds);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(w.compiled->bytes.size()));
}

void registerAll() {
  static constexpr Kind kTableKinds[] = {kAllow, kUnknown, kInitramfs, kNoFile, kKmodule, kMix, kAllowHot};
  static constexpr Kind kLinearKinds[] = {kAllow, kUnknown, kInitramfs, kNoFile, kKmodule, kMix};
  // Size by size, so that each size's world is built once and all its figures share a run.
  for (size_t n : kSizes) {
    const auto arg = static_cast<int64_t>(n);
    benchmark::RegisterBenchmark("BM_Build", BM_Build)->ArgName("rules")->Arg(arg)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("BM_Load", BM_Load)->ArgName("rules")->Arg(arg)->Unit(benchmark::kMillisecond);
    for (Kind k : kTableKinds)
      benchmark::RegisterBenchmark((std::string("BM_Table/") + kKindName[k]).c_str(), BM_Table, k)
          ->ArgName("rules")
          ->Arg(arg);
    for (Kind k : kLinearKinds)
      benchmark::RegisterBenchmark((std::string("BM_Linear/") + kKindName[k]).c_str(), BM_Linear, k)
          ->ArgName("rules")
          ->Arg(arg)
          ->Unit(n >= 10000 ? benchmark::kMicrosecond : benchmark::kNanosecond);
  }
}

// --write-policy=N:PATH
int writePolicy(std::string_view spec) {
  const size_t colon = spec.find(':');
  if (colon == std::string_view::npos) {
    std::fprintf(stderr, "ipec_bench_table: --write-policy=N:PATH\n");
    return 2;
  }
  const size_t n = std::strtoull(std::string(spec.substr(0, colon)).c_str(), nullptr, 10);
  const std::string path(spec.substr(colon + 1));
  const std::string text = makePolicy(makeDigests(n));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "ipec_bench_table: cannot write %s\n", path.c_str());
    return 2;
  }
  std::printf("%s\t%zu\t%zu\n", path.c_str(), n, text.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  static constexpr std::string_view kWrite = "--write-policy=";
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.substr(0, kWrite.size()) == kWrite) return writePolicy(arg.substr(kWrite.size()));
  }
  registerAll();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
