// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include <llvm/ADT/StringMap.h>

#include "analysis/audit_text.h"
#include "backend/ipet_cxx.h"
#include "backend/program.h"

namespace ipec::backend {
namespace {

namespace sl = ipec::stdlib;
using analysis::kAnyDigest;

// Interns equal values, keeping the first occurrence's index.
template <typename T>
class Interner {
 public:
  explicit Interner(std::vector<T>& store) : store_(store) {}
  uint32_t operator()(const T& v) {
    for (auto it = index_.lower_bound(hashOf(v)); it != index_.end() && it->first == hashOf(v); ++it)
      if (store_[it->second] == v) return it->second;
    uint32_t id = static_cast<uint32_t>(store_.size());
    store_.push_back(v);
    index_.emplace(hashOf(v), id);
    return id;
  }

 private:
  static uint64_t mix(uint64_t h, uint64_t x) { return (h ^ x) * 0x100000001b3ULL; }
  static uint64_t hashOf(const TemplateIR& t) {
    uint64_t h = mix(0xcbf29ce484222325ULL, static_cast<uint64_t>(t.action));
    for (auto [p, v] : t.props) h = mix(h, uint64_t{p} << 8 | v);
    return h;
  }
  static uint64_t hashOf(const KindIR& k) {
    uint64_t h = mix(0xcbf29ce484222325ULL, k.deny_bits);
    for (uint32_t o : k.offset) h = mix(h, o);
    for (const MemberIR& m : k.members) h = mix(h, uint64_t{m.offset} << 32 | m.tmpl);
    return h;
  }
  std::vector<T>& store_;
  std::multimap<uint64_t, uint32_t> index_;
};

struct KeptRule {
  uint32_t rank;
  uint32_t tmpl;
  analysis::PointMask mask;
  sl::Action action;
};

// A digest literal as a table key, if the kernel can produce it.
bool digestOf(const ast::Policy& policy, DigestId id, bool fsverity, DigestIR& out) {
  if (fsverity ? !analysis::fsverityCanProduce(policy.digests, id) : !analysis::dmverityCanProduce(policy.digests, id))
    return false;
  DigestView v = policy.digests.get(id);
  out.alg = static_cast<uint8_t>(*sl::lookupDigestAlg(v.alg));
  out.bytes = std::string(v.bytes);
  return true;
}

}  // namespace

uint32_t targetFeatures(const analysis::Target& t) {
  uint32_t f = 0;
  f |= t.dialect.hornet ? 1u : 0;
  f |= t.bpf_hook == analysis::BpfHook::HornetV5 ? 2u : 0;
  f |= t.bpf_hook == analysis::BpfHook::HornetV7 ? 4u : 0;
  f |= t.hornetActive() ? 8u : 0;
  f |= t.execve_check ? 16u : 0;
  f |= t.ipeActive() ? 32u : 0;
  // Every Kconfig option ipec models, in stdlib/kconfig.def order: they decide which hooks fire and
  // which properties hold, so a table only matches a target with the same ones.
  for (unsigned k = 0; k < sl::kNumKconfigs; ++k) f |= t.config(static_cast<sl::Kconfig>(k)) ? 1u << (8 + k) : 0;
  return f;
}

DecisionProgram lower(const ast::Policy& policy, const analysis::Target& t, const analysis::FastDecider& decider,
                      const analysis::Reachability& reach, bool keep_unreachable) {
  DecisionProgram prog;
  prog.name = policy.header ? policy.header->name : "";
  if (policy.header) prog.version = policy.header->version.parts;
  prog.features = targetFeatures(t);
  prog.keep_unreachable = keep_unreachable;
  prog.kinds.emplace_back();  // the empty group
  Interner<TemplateIR> templates(prog.templates);
  Interner<KindIR> kinds(prog.kinds);
  const analysis::PolicyIndex& index = decider.index();

  // Defaults, for every op (also those never evaluated: the DEFAULT lines must survive a dump).
  for (sl::Op op : sl::kAllOps) {
    OpIR& o = prog.ops[static_cast<unsigned>(op)];
    o.evaluated = analysis::opEvaluated(t, op);
    int32_t od = index.op_default[static_cast<unsigned>(op)];
    o.explicit_default = od >= 0;
    int32_t d = index.defaultFor(op);
    o.default_source = od >= 0 ? 1 : d >= 0 ? 2 : 0;
    o.default_action = d >= 0 ? policy.statements[d].action : sl::Action::Allow;
  }
  if (index.global_default >= 0) prog.global_default = policy.statements[index.global_default].action == sl::Action::Deny;
  llvm::StringMap<uint32_t> format_index;
  auto auditFormat = [&](const ast::Statement& s) {
    std::string f = analysis::auditRuleFormat(policy, s, {IPET_AUDIT_FSV_MARKER, IPET_AUDIT_DM_MARKER});
    auto [it, fresh] = format_index.try_emplace(f, static_cast<uint32_t>(prog.audit_formats.size()));
    if (fresh) prog.audit_formats.push_back(std::move(f));
    return it->second;
  };

  // Ranks: the kept rules in file order, over all ops.
  std::vector<const analysis::OpGroups*> groups_of(sl::kNumOps, nullptr);
  for (sl::Op op : sl::kAllOps) groups_of[static_cast<unsigned>(op)] = decider.groups(op);
  std::vector<uint32_t> position(policy.statements.size(), 0);
  for (sl::Op op : sl::kAllOps)
    if (const analysis::OpGroups* g = groups_of[static_cast<unsigned>(op)])
      for (uint32_t pos = 0; pos < g->rules.size(); ++pos) position[g->rules[pos]] = pos;

  // Groups per op, keyed by the interned ids of (fs-verity literal, dm-verity literal): the pool
  // interns equal literals, so equal ids are equal keys. Each group keeps its table keys.
  struct GroupBuild {
    DigestIR f, h;
    std::vector<KeptRule> members;
  };
  auto groupKey = [](DigestId f, DigestId h) { return uint64_t{f} << 32 | h; };
  std::array<std::unordered_map<uint64_t, GroupBuild>, sl::kNumOps> fsv_groups, dm_groups, pair_groups;
  std::array<GroupBuild, sl::kNumOps> w_groups;
  uint32_t next_rank = 0;
  for (uint32_t si = 0; si < policy.statements.size(); ++si) {
    const ast::Statement& s = policy.statements[si];
    if (s.isDefault()) continue;
    const unsigned o = static_cast<unsigned>(s.op);
    const analysis::OpGroups* g = groups_of[o];
    const analysis::RuleResult& r = reach.rules[si];
    if (!g || (r.cls != analysis::RuleClass::Reachable && !keep_unreachable)) {
      ++prog.dropped;
      continue;
    }
    const uint32_t pos = position[si];
    // Digest literals; a rule with two different literals of one kind, or an impossible one,
    // cannot be written as a table key (it never matches anyway).
    DigestId fid = kAnyDigest, hid = kAnyDigest;
    bool representable = true;
    TemplateIR tmpl;
    tmpl.action = s.action;
    for (const ast::Property* p = policy.propsBegin(s); p != policy.propsEnd(s); ++p) {
      if (p->prop == sl::Prop::FsverityDigest || p->prop == sl::Prop::DmverityRoothash) {
        DigestId& slot = p->prop == sl::Prop::FsverityDigest ? fid : hid;
        if (slot != kAnyDigest && slot != p->digest) representable = false;
        slot = p->digest;
        continue;
      }
      tmpl.props.emplace_back(static_cast<uint8_t>(p->prop), p->value);
    }
    DigestIR f, h;
    if (fid != kAnyDigest && !digestOf(policy, fid, true, f)) representable = false;
    if (hid != kAnyDigest && !digestOf(policy, hid, false, h)) representable = false;
    if (!representable) {
      ++prog.dropped;
      continue;
    }
    KeptRule kr{next_rank++, templates(tmpl), g->masks[pos], s.action};
    prog.statement_of_rank.push_back(si);
    prog.audit_format_of_rank.push_back(auditFormat(s));
    GroupBuild* gb = &w_groups[o];
    if (fid != kAnyDigest || hid != kAnyDigest) {
      auto& groups = hid == kAnyDigest ? fsv_groups[o] : fid == kAnyDigest ? dm_groups[o] : pair_groups[o];
      auto [it, fresh] = groups.try_emplace(groupKey(fid, hid));
      gb = &it->second;
      if (fresh) {
        gb->f = std::move(f);
        gb->h = std::move(h);
      }
    }
    gb->members.push_back(kr);
  }
  prog.rules = next_rank;

  // Kinds, interned in order of the groups' base ranks (deterministic for a given rule list).
  struct Pending {
    uint32_t base;
    const GroupBuild* build;
    GroupRef* out;
  };
  std::vector<Pending> pending;
  auto makeKind = [&](const GroupBuild& gb) {
    KindIR k;
    const uint32_t base = gb.members.front().rank;
    for (const KeptRule& m : gb.members) {
      k.members.push_back({m.rank - base, m.tmpl});
      for (analysis::PointMask bits = m.mask; bits; bits &= bits - 1) {
        unsigned p = static_cast<unsigned>(__builtin_ctzll(bits));
        if (k.offset[p] != kNoOffset) continue;
        k.offset[p] = m.rank - base;
        if (m.action == sl::Action::Deny) k.deny_bits |= uint64_t{1} << p;
      }
    }
    return k;
  };
  for (sl::Op op : sl::kAllOps) {
    const unsigned o = static_cast<unsigned>(op);
    if (!w_groups[o].members.empty()) pending.push_back({w_groups[o].members.front().rank, &w_groups[o], &prog.ops[o].w});
  }

  // Digest and pair groups in (op, key bytes) order, so the table does not depend on the ids.
  // A digest that only pair rules use still gets a slot in its table, with the empty group.
  struct DigestEntry {
    uint8_t op;
    const DigestIR* digest;
    const GroupBuild* build;  // null: only pair rules use it
  };
  auto digestEntries = [&](auto& groups, bool fsverity) {
    std::vector<DigestEntry> out;
    std::array<std::unordered_set<DigestId>, sl::kNumOps> seen;
    for (unsigned o = 0; o < sl::kNumOps; ++o) {
      for (auto& [key, gb] : groups[o]) {
        out.push_back({static_cast<uint8_t>(o), fsverity ? &gb.f : &gb.h, &gb});
        seen[o].insert(static_cast<DigestId>(fsverity ? key >> 32 : key & 0xffffffffu));
      }
      for (auto& [key, gb] : pair_groups[o]) {
        auto id = static_cast<DigestId>(fsverity ? key >> 32 : key & 0xffffffffu);
        if (seen[o].insert(id).second) out.push_back({static_cast<uint8_t>(o), fsverity ? &gb.f : &gb.h, nullptr});
      }
    }
    std::sort(out.begin(), out.end(), [](const DigestEntry& a, const DigestEntry& b) {
      return a.op != b.op ? a.op < b.op : *a.digest < *b.digest;
    });
    return out;
  };
  auto emitDigests = [&](const std::vector<DigestEntry>& entries, std::vector<DigestGroupIR>& into) {
    into.reserve(entries.size());
    for (const DigestEntry& e : entries) {
      into.push_back({e.op, *e.digest, {}});
      if (e.build) pending.push_back({e.build->members.front().rank, e.build, &into.back().group});
    }
  };
  emitDigests(digestEntries(fsv_groups, true), prog.fsv);
  emitDigests(digestEntries(dm_groups, false), prog.dm);
  std::vector<DigestEntry> pairs;  // digest: unused; sorted by (op, fs-verity key, dm-verity key)
  for (unsigned o = 0; o < sl::kNumOps; ++o)
    for (auto& [key, gb] : pair_groups[o]) pairs.push_back({static_cast<uint8_t>(o), nullptr, &gb});
  std::sort(pairs.begin(), pairs.end(), [](const DigestEntry& a, const DigestEntry& b) {
    if (a.op != b.op) return a.op < b.op;
    if (a.build->f != b.build->f) return a.build->f < b.build->f;
    return a.build->h < b.build->h;
  });
  prog.pairs.reserve(pairs.size());
  for (const DigestEntry& e : pairs) {
    prog.pairs.push_back({e.op, e.build->f, e.build->h, {}});
    pending.push_back({e.build->members.front().rank, e.build, &prog.pairs.back().group});
  }
  std::sort(pending.begin(), pending.end(), [](const Pending& a, const Pending& b) { return a.base < b.base; });
  for (const Pending& p : pending) *p.out = {p.base, kinds(makeKind(*p.build))};
  return prog;
}

}  // namespace ipec::backend
