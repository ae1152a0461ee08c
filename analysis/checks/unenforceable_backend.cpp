// SPDX-License-Identifier: Apache-2.0
// unenforceable-on-backend: a decision that depends on a fact the BPF-LSM enforcer cannot
// establish (docs/enforcer.md, "How each fact is established"). For each such fact, every event
// whose fact the enforcer would see wrongly is decided twice, as it is and as the enforcer sees
// it; a difference in action or deciding statement is an error at the statement IPE would use.
#include <fmt/format.h>

#include <map>

#include "analysis/analyze.h"

namespace ipec::analysis {
namespace {

namespace sl = ipec::stdlib;

// A fact the enforcer may see wrongly: what it sees instead, why, and what would fix it.
struct UnknownFact {
  const char* property;
  const char* why;
  const char* fix;
  bool (*applies)(const Event& e);
  Event (*seen)(Event e);
};

const UnknownFact kLateFacts[] = {
    {"boot_verified",
     "it was not loaded from the initramfs, so it cannot tell the initramfs from any other file system without "
     "a block device",
     "load it from the initramfs (`ipec enforce load --initramfs`) and check with `--enforcer=bpf-lsm-initramfs`",
     [](const Event& e) { return e.file && e.initramfs; },
     [](Event e) {
       e.initramfs = false;
       return e;
     }},
    {"dmverity_roothash` or `dmverity_signature",
     "a dm-verity volume activated before it was loaded looks like a plain block device to it",
     "activate the volumes after `ipec enforce load`, or suspend and resume each one (`dmsetup suspend` and "
     "`dmsetup resume`, which report the root hash again), or load the enforcer from the initramfs",
     [](const Event& e) { return e.file && !e.initramfs && e.bdev == Bdev::DmVerity; },
     [](Event e) {
       e.bdev = Bdev::Plain;
       e.dm_signed = false;
       e.dm_roothash = kOtherDigest;
       return e;
     }},
    {"fsverity_signature",
     "the builtin signature of a file whose fs-verity data was loaded before it was is not known to it",
     "evict those inodes after `ipec enforce load` (`echo 2 > /proc/sys/vm/drop_caches`), or load the enforcer "
     "from the initramfs",
     [](const Event& e) { return e.file && !e.initramfs && e.fsverity && e.fsv_signed; },
     [](Event e) {
       e.fsv_signed = false;
       return e;
     }},
};

// Every event of `op` on the target (digests: the policy's literals and one other), up to budget.
template <typename F>
void forEachEvent(const AnalysisContext& cx, Op op, F&& f) {
  std::vector<DigestId> fsv{kOtherDigest}, dm{kOtherDigest};
  for (DigestId d = 0; d < cx.policy.digests.size(); ++d) {
    if (fsverityCanProduce(cx.policy.digests, d)) fsv.push_back(d);
    if (dmverityCanProduce(cx.policy.digests, d)) dm.push_back(d);
  }
  const PointMask valid = validPoints(cx.target, op), fp = fsverityPoints(op), dp = dmverityPoints(op);
  for (unsigned p = 0; p < pointCount(op); ++p) {
    if (!(valid >> p & 1)) continue;
    const size_t nf = (fp >> p & 1) ? fsv.size() : 1, nd = (dp >> p & 1) ? dm.size() : 1;
    for (size_t i = 0; i < nf; ++i)
      for (size_t j = 0; j < nd; ++j)
        if (!f(pointEvent(op, p, fsv[i], dm[j]))) return;
  }
}

std::string decisionText(const AnalysisContext& cx, const Decision& d) {
  if (d.statement >= 0) return fmt::format("{} by {}", sl::actionSpelling(d.action), cx.quoteStatement(d.statement));
  return fmt::format("{} (no rule or DEFAULT applies)", sl::actionSpelling(d.action));
}

// Events examined per fact: the literal pairs of a large policy are cut here (docs/diagnostics.md).
constexpr uint64_t kEventBudget = 4000000;

void reportFact(const AnalysisContext& cx, const UnknownFact& fact) {
  std::map<int32_t, std::pair<Decision, Decision>> by_statement;  // IPE's deciding statement -> first witness
  uint64_t budget = kEventBudget;
  for (Op op : sl::kAllOps) {
    if (op == Op::BpfProgLoad || !opEvaluated(cx.target, op)) continue;
    forEachEvent(cx, op, [&](const Event& e) {
      if (budget-- == 0) return false;
      if (!fact.applies(e)) return true;
      const Decision ipe = cx.decider.decide(e), seen = cx.decider.decide(fact.seen(e));
      if (ipe.action == seen.action && ipe.statement == seen.statement) return true;
      const int32_t at = ipe.statement >= 0 ? ipe.statement : seen.statement;
      by_statement.emplace(at, std::make_pair(ipe, seen));
      return true;
    });
  }
  for (const auto& [stmt, w] : by_statement) {
    if (stmt < 0) continue;
    Diagnostic d;
    d.id = DiagId::UnenforceableOnBackend;
    d.severity = Severity::Error;
    d.range = cx.policy.statements[stmt].range;
    d.message = fmt::format(
        "this decision depends on `{}`, which the BPF-LSM enforcer loaded after boot cannot establish: {}; where "
        "IPE decides {}, the enforcer would decide {}",
        fact.property, fact.why, decisionText(cx, w.first), decisionText(cx, w.second));
    d.notes.push_back({std::nullopt, fmt::format("to make it exact: {}", fact.fix)});
    cx.diags.report(std::move(d));
  }
}

}  // namespace

std::optional<Enforcer> lookupEnforcer(std::string_view name) {
  if (name == "ipe") return Enforcer::Ipe;
  if (name == "bpf-lsm") return Enforcer::BpfLsm;
  if (name == "bpf-lsm-initramfs") return Enforcer::BpfLsmInitramfs;
  return std::nullopt;
}

std::string_view enforcerName(Enforcer e) {
  switch (e) {
    case Enforcer::Ipe: return "ipe";
    case Enforcer::BpfLsm: return "bpf-lsm";
    case Enforcer::BpfLsmInitramfs: return "bpf-lsm-initramfs";
  }
  return "";
}

void checkUnenforceableOnBackend(const AnalysisContext& cx, Enforcer enforcer) {
  if (enforcer == Enforcer::Ipe) return;
  const ast::Policy& pol = cx.policy;
  // BPF_PROG_LOAD: no Hornet on a stock kernel, so no verdict for a BPF program to read.
  const unsigned bpf = static_cast<unsigned>(Op::BpfProgLoad);
  std::vector<uint32_t> stmts = cx.index.rules[bpf];
  if (cx.index.op_default[bpf] >= 0) stmts.push_back(static_cast<uint32_t>(cx.index.op_default[bpf]));
  for (uint32_t s : stmts) {
    Diagnostic d;
    d.id = DiagId::UnenforceableOnBackend;
    d.severity = Severity::Error;
    d.range = pol.statements[s].range;
    d.message = "the BPF-LSM enforcer cannot decide `op=BPF_PROG_LOAD`: its verdict comes from Hornet, which a "
                "stock kernel does not have, and no BPF-LSM program can establish the `bpf_*` properties";
    d.notes.push_back({std::nullopt, "enforce BPF program loads with IPE on a kernel with the Hornet series"});
    cx.diags.report(std::move(d));
  }
  if (enforcer == Enforcer::BpfLsmInitramfs) return;
  for (const UnknownFact& fact : kLateFacts) reportFact(cx, fact);
}

}  // namespace ipec::analysis
