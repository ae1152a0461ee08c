// SPDX-License-Identifier: Apache-2.0
// dead-rule, shadowed-rule, redundant-rule (and analysis-budget): what the exact reachability
// analysis proves about each rule. Reachable claims come with a witness event; unreachable ones
// are proofs over the finite event model.
#include <algorithm>
#include <array>

#include "analysis/analyze.h"
#include "analysis/event_io.h"

namespace ipec::analysis {
namespace {

namespace sl = ipec::stdlib;

std::string spell(const AnalysisContext& cx, const ast::Property& p) { return quote(cx.text(p.range), 48); }

// The points where a single property holds for `op` (its own digest literal in its slice).
PointMask propertyMask(const AnalysisContext& cx, sl::Op op, const ast::Property& p) {
  const bool fsv = p.prop == sl::Prop::FsverityDigest, dm = p.prop == sl::Prop::DmverityRoothash;
  if (fsv && !fsverityCanProduce(cx.policy.digests, p.digest)) return 0;
  if (dm && !dmverityCanProduce(cx.policy.digests, p.digest)) return 0;
  PointMask valid = validPoints(cx.target, op), m = 0;
  for (unsigned pt = 0; pt < pointCount(op); ++pt)
    if ((valid >> pt & 1) &&
        holds(p, pointEvent(op, pt, fsv ? p.digest : kOtherDigest, dm ? p.digest : kOtherDigest), cx.target))
      m |= PointMask{1} << pt;
  return m;
}

// Why a single property can never hold for this op on this target.
std::string whyNever(const AnalysisContext& cx, sl::Op op, const ast::Property& p) {
  const std::string s = spell(cx, p);
  if (auto k = sl::propKconfig(p.prop); k && !cx.target.config(*k))
    return s + " is compiled out of target `" + cx.target.name + "` (" + std::string(sl::kconfigName(*k)) +
           " is off), and then both its TRUE and FALSE forms are false";
  if (sl::propDomain(p.prop) == sl::Domain::Digest) {
    DigestView v = cx.policy.digests.get(p.digest);
    const bool fsv = p.prop == sl::Prop::FsverityDigest;
    const bool can = fsv ? fsverityCanProduce(cx.policy.digests, p.digest) : dmverityCanProduce(cx.policy.digests, p.digest);
    if (!can)
      return std::string(fsv ? "fs-verity" : "dm-verity") + " never reports a " + quote(v.alg) + " digest of " +
             std::to_string(v.bytes.size()) + (v.bytes.size() == 1 ? " byte" : " bytes") + ", so " + s +
             " is never true";
  }
  const bool bpf_prop = sl::propSubject(p.prop) == sl::Subject::Bpf;
  if (bpf_prop && op != sl::Op::BpfProgLoad)
    return s + " can never hold for `op=" + std::string(sl::opSpelling(op)) +
           "`: only BPF program loads carry a verdict, keyring or kernel flag (they are NONE, BUILTIN and FALSE here)";
  if (!bpf_prop && op == sl::Op::BpfProgLoad)
    return s + " can never hold for `op=BPF_PROG_LOAD`: a BPF program load has no file";
  if (p.prop == sl::Prop::BpfSignature && op == sl::Op::BpfProgLoad)
    return s + " can never hold on target `" + cx.target.name + "`: " +
           (cx.target.hornetActive() || cx.target.bpf_hook == BpfHook::HornetV5
                ? "Hornet always records a verdict other than NONE"
                : "without an integrity provider in lsm= the verdict is always NONE");
  return s + " can never hold for `op=" + std::string(sl::opSpelling(op)) + "` on target `" + cx.target.name + "`";
}

std::string whyPairNever(const AnalysisContext& cx, const ast::Property& a, const ast::Property& b) {
  std::string both = spell(cx, a) + " and " + spell(cx, b) + " cannot both hold";
  if (a.prop == b.prop) return both + ": they give the same property different values";
  auto isInitramfs = [](const ast::Property& p) { return p.prop == sl::Prop::BootVerified && p.value == 1; };
  auto needsVerity = [](const ast::Property& p) {
    return (p.prop == sl::Prop::DmveritySignature && p.value == 1) || p.prop == sl::Prop::DmverityRoothash ||
           (p.prop == sl::Prop::FsveritySignature && p.value == 1) || p.prop == sl::Prop::FsverityDigest;
  };
  if ((isInitramfs(a) && needsVerity(b)) || (isInitramfs(b) && needsVerity(a)))
    return both + ": a file in the initramfs has no block device and no fs-verity";
  return both;
}

// Whether a lint warning already said why this rule never matches (same-property contradiction or
// an impossible digest literal); then dead-rule would only repeat it.
bool lintExplained(const AnalysisContext& cx, const ast::Statement& s) {
  std::array<const ast::Property*, sl::kNumProps> first{};
  for (const ast::Property* p = cx.policy.propsBegin(s); p != cx.policy.propsEnd(s); ++p) {
    if (sl::propDomain(p->prop) == sl::Domain::Digest) {
      DigestView v = cx.policy.digests.get(p->digest);
      auto alg = sl::lookupDigestAlg(v.alg);
      const bool fsv = p->prop == sl::Prop::FsverityDigest;
      const bool produced = alg && (fsv ? sl::fsverityProduces(*alg) : sl::dmverityProduces(*alg));
      if (v.bytes.empty() && cx.options.isEnabled(DiagId::EmptyDigest)) return true;
      if (!v.bytes.empty() && !produced && cx.options.isEnabled(DiagId::UnknownDigestAlg)) return true;
      if (!v.bytes.empty() && produced && v.bytes.size() != sl::digestAlgLength(*alg) &&
          cx.options.isEnabled(DiagId::DigestLength))
        return true;
    }
    const ast::Property*& seen = first[static_cast<unsigned>(p->prop)];
    if (!seen) {
      seen = p;
      continue;
    }
    bool same = sl::propDomain(p->prop) == sl::Domain::Digest ? p->digest == seen->digest : p->value == seen->value;
    if (!same && cx.options.isEnabled(DiagId::ContradictoryProperties)) return true;
  }
  return false;
}

std::string explainDead(const AnalysisContext& cx, const ast::Statement& s) {
  // One property that never holds on its own.
  std::array<const ast::Property*, sl::kNumProps> first{};
  std::vector<std::pair<PointMask, const ast::Property*>> masks;  // distinct masks, first property with each
  for (const ast::Property* p = cx.policy.propsBegin(s); p != cx.policy.propsEnd(s); ++p) {
    PointMask m = propertyMask(cx, s.op, *p);
    if (!m) return whyNever(cx, s.op, *p);
    const ast::Property*& seen = first[static_cast<unsigned>(p->prop)];
    if (seen && (sl::propDomain(p->prop) == sl::Domain::Digest ? p->digest != seen->digest : p->value != seen->value))
      return whyPairNever(cx, *seen, *p);
    if (!seen) seen = p;
    bool known = false;
    for (auto& [mask, prop] : masks) known = known || mask == m;
    if (!known) masks.emplace_back(m, p);
  }
  // Two properties that exclude each other (at most one pair per distinct mask: the masks are
  // sets of at most 64 points, so there are few distinct ones).
  for (size_t a = 0; a < masks.size(); ++a)
    for (size_t b = 0; b < a; ++b)
      if (!(masks[a].first & masks[b].first)) {
        const ast::Property* x = masks[b].second;
        const ast::Property* y = masks[a].second;
        return whyPairNever(cx, x < y ? *x : *y, x < y ? *y : *x);
      }
  return "no event makes all of its properties true together";
}

std::string describeStatement(const AnalysisContext& cx, int32_t stmt) {
  if (stmt < 0) return "nothing (no DEFAULT applies)";
  return cx.quoteStatement(static_cast<uint32_t>(stmt)) + " (" + cx.where(static_cast<uint32_t>(stmt)) + ")";
}

void report(const AnalysisContext& cx, DiagId id, uint32_t stmt, std::string message, std::vector<RelatedNote> notes,
            std::string extra_json) {
  Diagnostic d;
  d.id = id;
  d.severity = Severity::Warning;
  d.range = cx.policy.statements[stmt].range;
  d.message = std::move(message);
  d.notes = std::move(notes);
  d.extra_json = std::move(extra_json);
  cx.diags.report(std::move(d));
}

}  // namespace

void checkRuleReachability(const AnalysisContext& cx) {
  const ast::Policy& pol = cx.policy;
  for (uint32_t i = 0; i < pol.statements.size(); ++i) {
    const ast::Statement& s = pol.statements[i];
    if (s.isDefault()) continue;
    const RuleResult& r = cx.reach.rules[i];
    switch (r.cls) {
      case RuleClass::Unenforced:
      case RuleClass::Reachable:
        break;
      case RuleClass::Dead:
        if (lintExplained(cx, s)) break;
        report(cx, DiagId::DeadRule, i, "this rule never matches: " + explainDead(cx, s), {},
               R"({"class":"dead","witness":null})");
        break;
      case RuleClass::Shadowed: {
        std::vector<RelatedNote> notes;
        std::string lines;
        for (size_t k = 0; k < r.covering.size(); ++k) {
          if (k < 6) notes.push_back({pol.statements[r.covering[k]].range,
                                      k == 0 && r.covering.size() == 1 ? "this rule matches every event it matches"
                                                                       : "covered in part by this rule"});
          lines += (k ? "," : "") + std::to_string(cx.file.lineCol(pol.statements[r.covering[k]].range.begin).line);
        }
        if (r.covering.size() > 6)
          notes.push_back({std::nullopt, "and " + std::to_string(r.covering.size() - 6) + " more rules"});
        std::string msg = r.covering.size() == 1
                              ? "this rule is never reached: the rule on " + cx.where(r.covering[0]) +
                                    " matches every event it matches, first"
                              : "this rule is never reached: the " + std::to_string(r.covering.size()) +
                                    " earlier rules noted below together match every event it matches";
        report(cx, DiagId::ShadowedRule, i, std::move(msg), std::move(notes),
               R"({"class":"shadowed","witness":null,"covered_by_lines":[)" + lines + "]}");
        break;
      }
    }
    if (r.cls != RuleClass::Reachable || !r.redundant) continue;
    std::vector<RelatedNote> notes;
    std::string instead;
    // The analysis keeps up to four; three are named, a fourth only says there are more.
    const size_t shown = std::min<size_t>(r.replacements.size(), 3);
    for (size_t k = 0; k < shown; ++k) {
      int32_t rep = r.replacements[k];
      instead += (k ? (k + 1 == shown ? " or " : ", ") : "") + describeStatement(cx, rep);
      if (rep >= 0) notes.push_back({pol.statements[rep].range, "decides the same (" +
                                                                     std::string(sl::actionSpelling(s.action)) +
                                                                     ") without it"});
    }
    if (r.replacements.size() > shown) instead += " (among others)";
    report(cx, DiagId::RedundantRule, i,
           "deleting this rule changes no decision: wherever it is the first match, " + instead + " decides " +
               std::string(sl::actionSpelling(s.action)) + " as well",
           std::move(notes),
           R"({"class":"redundant","witness":)" + eventToJson(*r.witness, pol) + "}");
  }
  for (sl::Op op : sl::kAllOps) {
    if (!cx.reach.budget_exceeded[static_cast<unsigned>(op)]) continue;
    const auto& rules = cx.index.rules[static_cast<unsigned>(op)];
    Diagnostic d;
    d.id = DiagId::AnalysisBudget;
    d.severity = Severity::Note;
    d.range = pol.statements[rules.front()].range;
    d.message = "redundancy of some `op=" + std::string(sl::opSpelling(op)) +
                "` rules was not decided: the policy has " + std::to_string(cx.reach.pairs_needed[static_cast<unsigned>(op)]) +
                " (fs-verity digest, dm-verity root hash) pairs to examine, more than the budget; no rule is claimed "
                "redundant without proof (--analysis-budget raises the limit)";
    cx.diags.report(std::move(d));
  }
}

}  // namespace ipec::analysis
