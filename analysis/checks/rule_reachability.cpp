// SPDX-License-Identifier: Apache-2.0
// dead-rule, shadowed-rule (and analysis-budget): what the exact reachability analysis proves
// about each rule that never decides anything. These are proofs over the finite event model.
#include <fmt/format.h>
#include <llvm/ADT/SmallString.h>
#include <llvm/ADT/SmallVector.h>
#include <llvm/ADT/StringMap.h>

#include <algorithm>
#include <array>
#include <optional>

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
    return fmt::format("{} is compiled out of target `{}` ({} is off), and then both its TRUE and FALSE forms are "
                       "false",
                       s, cx.target.name, sl::kconfigName(*k));
  if (sl::propDomain(p.prop) == sl::Domain::Digest) {
    DigestView v = cx.policy.digests.get(p.digest);
    const bool fsv = p.prop == sl::Prop::FsverityDigest;
    const bool can = fsv ? fsverityCanProduce(cx.policy.digests, p.digest) : dmverityCanProduce(cx.policy.digests, p.digest);
    if (!can)
      return fmt::format("{} never reports a {} digest of {} {}, so {} is never true", fsv ? "fs-verity" : "dm-verity",
                         quote(v.alg), v.bytes.size(), v.bytes.size() == 1 ? "byte" : "bytes", s);
  }
  const bool bpf_prop = sl::propSubject(p.prop) == sl::Subject::Bpf;
  if (bpf_prop && op != sl::Op::BpfProgLoad)
    return fmt::format("{} can never hold for `op={}`: only BPF program loads carry a verdict, keyring or kernel "
                       "flag (they are NONE, BUILTIN and FALSE here)",
                       s, sl::opSpelling(op));
  if (!bpf_prop && op == sl::Op::BpfProgLoad)
    return fmt::format("{} can never hold for `op={}`: a BPF program load has no file", s, sl::opSpelling(op));
  if (p.prop == sl::Prop::BpfSignature && op == sl::Op::BpfProgLoad)
    return fmt::format("{} can never hold on target `{}`: {}", s, cx.target.name,
                       cx.target.hornetActive() || cx.target.bpf_hook == BpfHook::HornetV5
                           ? "Hornet always records a verdict other than NONE"
                           : "without an integrity provider in lsm= the verdict is always NONE");
  return fmt::format("{} can never hold for `op={}` on target `{}`", s, sl::opSpelling(op), cx.target.name);
}

std::string whyPairNever(const AnalysisContext& cx, const ast::Property& a, const ast::Property& b) {
  std::string both = fmt::format("{} and {} cannot both hold", spell(cx, a), spell(cx, b));
  if (a.prop == b.prop) return fmt::format("{}: they give the same property different values", both);
  auto isInitramfs = [](const ast::Property& p) { return p.prop == sl::Prop::BootVerified && p.value == 1; };
  auto needsVerity = [](const ast::Property& p) {
    return (p.prop == sl::Prop::DmveritySignature && p.value == 1) || p.prop == sl::Prop::DmverityRoothash ||
           (p.prop == sl::Prop::FsveritySignature && p.value == 1) || p.prop == sl::Prop::FsverityDigest;
  };
  if ((isInitramfs(a) && needsVerity(b)) || (isInitramfs(b) && needsVerity(a)))
    return fmt::format("{}: a file in the initramfs has no block device and no fs-verity", both);
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
  llvm::SmallVector<std::pair<PointMask, const ast::Property*>, 8> masks;  // distinct masks, first property with each
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

// Rules with the same op and the same properties (in any order, repeats ignored): the key of
// each, and the first rule with that key.
class SameProperties {
 public:
  explicit SameProperties(const AnalysisContext& cx) : cx_(cx) {}

  // The first earlier rule with the same op and properties as rule `i`, if any. Rules must be
  // asked about in file order.
  std::optional<uint32_t> earlier(uint32_t i) {
    while (next_ <= i) add(next_++);
    auto it = first_.find(key(i));
    if (it == first_.end() || it->second == i) return std::nullopt;
    return it->second;
  }

 private:
  // Built in key_, which every call reuses: no allocation per rule.
  llvm::StringRef key(uint32_t i) {
    const ast::Statement& s = cx_.policy.statements[i];
    llvm::SmallVector<std::array<uint32_t, 3>, 8> props;
    for (const ast::Property* p = cx_.policy.propsBegin(s); p != cx_.policy.propsEnd(s); ++p)
      props.push_back({static_cast<uint32_t>(p->prop), p->value, p->digest});
    std::sort(props.begin(), props.end());
    props.erase(std::unique(props.begin(), props.end()), props.end());
    key_.assign(1, static_cast<char>(s.op));
    for (const auto& p : props) key_.append(llvm::StringRef(reinterpret_cast<const char*>(p.data()), sizeof(p)));
    return key_;
  }
  void add(uint32_t i) {
    if (!cx_.policy.statements[i].isDefault()) first_.try_emplace(key(i), i);
  }

  const AnalysisContext& cx_;
  llvm::StringMap<uint32_t> first_;
  llvm::SmallString<64> key_;
  uint32_t next_ = 0;
};

void reportShadowed(const AnalysisContext& cx, uint32_t i, SameProperties& same) {
  const ast::Policy& pol = cx.policy;
  const RuleResult& r = cx.reach.rules[i];
  // An earlier rule with the same properties matches every event this one does, so it alone is
  // the cover to name.
  if (std::optional<uint32_t> twin = same.earlier(i)) {
    const uint32_t line = cx.lineOf(*twin);
    if (pol.statements[*twin].action == pol.statements[i].action) {
      cx.warn(DiagId::ShadowedRule, i, fmt::format("this rule repeats the rule on {}: it is never reached", cx.where(*twin)),
              {{pol.statements[*twin].range, "first written here"}},
              fmt::format(R"({{"class":"shadowed","witness":null,"covered_by_lines":[{}],"duplicate_of_line":{}}})",
                          line, line));
      return;
    }
    cx.warn(DiagId::ShadowedRule, i,
            fmt::format("this rule is never reached: the rule on {} has the same properties and comes first",
                        cx.where(*twin)),
            {{pol.statements[*twin].range, "this rule matches every event it matches"}},
            fmt::format(R"({{"class":"shadowed","witness":null,"covered_by_lines":[{}]}})", line));
    return;
  }
  std::string msg =
      r.covering.size() == 1
          ? fmt::format("this rule is never reached: the rule on {} matches every event it matches, first",
                        cx.where(r.covering[0]))
          : fmt::format("this rule is never reached: the {} earlier rules noted below together match every event it "
                        "matches",
                        r.covering.size());
  cx.warn(DiagId::ShadowedRule, i, std::move(msg),
          cx.notesAt(r.covering, "this rule matches every event it matches", "covered in part by this rule"),
          fmt::format(R"({{"class":"shadowed","witness":null,"covered_by_lines":[{}]}})", cx.jsonLines(r.covering)));
}

}  // namespace

void checkRuleReachability(const AnalysisContext& cx) {
  const ast::Policy& pol = cx.policy;
  SameProperties same(cx);
  for (uint32_t i = 0; i < pol.statements.size(); ++i) {
    const ast::Statement& s = pol.statements[i];
    if (s.isDefault()) continue;
    switch (cx.reach.rules[i].cls) {
      case RuleClass::Unenforced:
      case RuleClass::Reachable:
        break;
      case RuleClass::Dead:
        if (lintExplained(cx, s)) break;
        cx.warn(DiagId::DeadRule, i, fmt::format("this rule never matches: {}", explainDead(cx, s)), {},
                R"({"class":"dead","witness":null})");
        break;
      case RuleClass::Shadowed:
        reportShadowed(cx, i, same);
        break;
    }
  }
  for (sl::Op op : sl::kAllOps) {
    if (!cx.reach.budget_exceeded[static_cast<unsigned>(op)]) continue;
    const auto& rules = cx.index.rules[static_cast<unsigned>(op)];
    Diagnostic d;
    d.id = DiagId::AnalysisBudget;
    d.severity = Severity::Note;
    d.range = pol.statements[rules.front()].range;
    d.message = fmt::format("redundancy of some `op={}` rules was not decided: the policy has {} (fs-verity digest, "
                            "dm-verity root hash) pairs to examine, more than the budget; no rule is claimed redundant "
                            "without proof (--analysis-budget raises the limit)",
                            sl::opSpelling(op), cx.reach.pairs_needed[static_cast<unsigned>(op)]);
    cx.diags.report(std::move(d));
  }
}

}  // namespace ipec::analysis
