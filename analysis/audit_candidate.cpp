// SPDX-License-Identifier: Apache-2.0
#include "analysis/audit_candidate.h"

#include <algorithm>

#include "analysis/event_io.h"

namespace ipec::analysis {
namespace {

namespace sl = ipec::stdlib;

bool canProduce(const ast::Policy& p, sl::Prop prop, DigestId id) {
  return prop == sl::Prop::FsverityDigest ? fsverityCanProduce(p.digests, id) : dmverityCanProduce(p.digests, id);
}

}  // namespace

std::string_view candidateOutcomeName(CandidateOutcome o) {
  switch (o) {
    case CandidateOutcome::Same: return "same";
    case CandidateOutcome::Different: return "different";
    case CandidateOutcome::Unknown: return "unknown";
    case CandidateOutcome::Impossible: return "impossible";
  }
  return "";
}

CandidateJudge::CandidateJudge(const ast::Policy& old_policy, const ast::Policy& new_policy, const Target& t)
    : old_(old_policy), new_(new_policy), target_(t), old_fast_(old_policy, t), new_fast_(new_policy, t) {}

const CandidateVerdict& CandidateJudge::judge(std::optional<sl::Op> op, int32_t statement, bool has_file) {
  auto key = std::make_tuple(op ? static_cast<int>(*op) : -1, statement, has_file);
  auto it = cache_.find(key);
  if (it != cache_.end()) return it->second;
  CandidateVerdict v = op ? enumerate(*op, statement, has_file) : unknownOp(statement);
  return cache_.emplace(key, std::move(v)).first->second;
}

// The kernel's UNKNOWN op (a read or load id IPE does not map) takes the global DEFAULT, or is
// allowed (with a WARN) when there is none; no property is read.
CandidateVerdict CandidateJudge::unknownOp(int32_t statement) const {
  CandidateVerdict v;
  const sl::Action logged = old_.statements[statement].action;
  const int32_t g = PolicyIndex::build(new_).global_default;
  CandidateWitness w;
  w.new_statement = g;
  w.new_action = g >= 0 ? new_.statements[g].action : sl::Action::Allow;
  v.events = 1;
  v.new_statements = {g};
  v.outcome = w.new_action == logged ? CandidateOutcome::Same : CandidateOutcome::Different;
  (w.new_action == logged ? v.same : v.different) = std::move(w);
  return v;
}

// The digest values that matter for `prop`: the literals of both policies' rules of `op` (only
// OLD's own literal when its deciding rule tests one), each once, and one value neither names.
std::vector<CandidateJudge::Joint> CandidateJudge::digests(sl::Op op, sl::Prop prop, int32_t statement) const {
  std::vector<Joint> out;
  auto add = [&](const ast::Policy& p, DigestId id) {
    if (!canProduce(p, prop, id)) return;
    DigestView d = p.digests.get(id);
    for (const Joint& j : out)
      if (j.alg == d.alg && j.bytes == d.bytes) return;
    Joint j{std::string(d.alg), std::string(d.bytes)};
    j.old_id = old_.digests.find(d.alg, d.bytes).value_or(kOtherDigest);
    j.new_id = new_.digests.find(d.alg, d.bytes).value_or(kOtherDigest);
    out.push_back(std::move(j));
  };
  const ast::Statement& s = old_.statements[statement];
  bool pinned = false;
  for (const ast::Property* q = old_.propsBegin(s); q != old_.propsEnd(s) && !s.isDefault(); ++q)
    if (q->prop == prop) {
      if (pinned && (out.empty() || out[0].old_id != q->digest)) return {};  // two literals: never true
      if (!pinned) add(old_, q->digest);
      pinned = true;
    }
  if (pinned) return out;
  for (const ast::Policy* p : {&old_, &new_})
    for (const ast::Statement& st : p->statements)
      if (!st.isDefault() && st.op == op)
        for (const ast::Property* q = p->propsBegin(st); q != p->propsEnd(st); ++q)
          if (q->prop == prop) add(*p, q->digest);
  // "Any other": a sha256 digest no literal of either policy equals.
  Joint other{"sha256", std::string(32, '\0')};
  for (unsigned i = 0;; ++i) {
    other.bytes[31] = static_cast<char>(i & 0xFF);
    other.bytes[30] = static_cast<char>((i >> 8) & 0xFF);
    if (!old_.digests.find(other.alg, other.bytes) && !new_.digests.find(other.alg, other.bytes)) break;
  }
  out.push_back(std::move(other));
  return out;
}

CandidateWitness CandidateJudge::witness(const Event& e, const Joint* f, const Joint* d, const Decision& dn) const {
  EventSpec spec;
  spec.keyring_id = e.bpf_keyring == kOtherKeyring ? 1000 : e.bpf_keyring;
  if (f) spec.has_fsv_digest = true, spec.fsv_alg = f->alg, spec.fsv_bytes = f->bytes;
  if (d) spec.has_dm_digest = true, spec.dm_alg = d->alg, spec.dm_bytes = d->bytes;
  CandidateWitness w;
  w.json = eventToJson(e, new_, &spec);
  w.text = eventToText(e, new_, &spec);
  w.new_statement = dn.statement;
  w.new_action = dn.action;
  return w;
}

CandidateVerdict CandidateJudge::enumerate(sl::Op op, int32_t statement, bool has_file) const {
  CandidateVerdict v;
  const sl::Action logged = old_.statements[statement].action;
  const std::vector<Joint> fsv = digests(op, sl::Prop::FsverityDigest, statement);
  const std::vector<Joint> dm = digests(op, sl::Prop::DmverityRoothash, statement);
  const PointMask valid = validPoints(target_, op), fpoints = fsverityPoints(op), dpoints = dmverityPoints(op);
  const bool file_op = op != sl::Op::BpfProgLoad;
  uint64_t visited = 0;
  for (unsigned p = 0; p < pointCount(op); ++p) {
    if (!(valid >> p & 1) || (file_op && (p != 0) != has_file)) continue;
    const bool needs_f = fpoints >> p & 1, needs_d = dpoints >> p & 1;
    const size_t nf = needs_f ? fsv.size() : 1, nd = needs_d ? dm.size() : 1;
    for (size_t fi = 0; fi < nf; ++fi)
      for (size_t di = 0; di < nd; ++di) {
        if (++visited > kEventBudget) {
          v.over_budget = true;
          v.outcome = CandidateOutcome::Unknown;
          return v;
        }
        const Joint* f = needs_f ? &fsv[fi] : nullptr;
        const Joint* d = needs_d ? &dm[di] : nullptr;
        Event eo = pointEvent(op, p, f ? f->old_id : kOtherDigest, d ? d->old_id : kOtherDigest);
        if (old_fast_.decide(eo).statement != statement) continue;
        Event en = pointEvent(op, p, f ? f->new_id : kOtherDigest, d ? d->new_id : kOtherDigest);
        Decision dn = new_fast_.decide(en);
        ++v.events;
        if (std::find(v.new_statements.begin(), v.new_statements.end(), dn.statement) == v.new_statements.end())
          v.new_statements.push_back(dn.statement);
        auto& slot = dn.action == logged ? v.same : v.different;
        if (!slot) slot = witness(en, f, d, dn);
      }
  }
  std::sort(v.new_statements.begin(), v.new_statements.end());
  v.outcome = !v.events                 ? CandidateOutcome::Impossible
              : v.same && v.different   ? CandidateOutcome::Unknown
              : v.same                  ? CandidateOutcome::Same
                                        : CandidateOutcome::Different;
  return v;
}

}  // namespace ipec::analysis
