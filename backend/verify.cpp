// SPDX-License-Identifier: Apache-2.0
#include "backend/verify.h"

#include <fmt/format.h>

#include "analysis/event_io.h"

namespace ipec::backend {
namespace {

using namespace ipec::analysis;
namespace sl = ipec::stdlib;

class Verifier {
 public:
  Verifier(const ast::Policy& policy, const Target& t, const FastDecider& decider, const DecisionProgram& prog,
           const Table& table)
      : policy_(policy), t_(t), decider_(decider), prog_(prog), table_(table) {
    uint64_t rules = 0;
    for (const auto& v : decider.index().rules) rules += v.size();
    linear_ = rules <= 2000;  // the linear walk as a second opinion where it is cheap
  }

  void check(const Event& e) {
    ++result.events;
    Decision want = decider_.decide(e);
    if (linear_) {
      ++result.linear_checked;
      Decision lin = decide(policy_, decider_.index(), t_, e);
      if (lin.statement != want.statement || lin.action != want.action) mismatch(e, "the fast and linear engines differ");
    }
    ipet_decision got = table_.eval(toIpetEvent(e, policy_.digests));
    int32_t got_stmt = got.rule == IPET_NO_RULE || got.rule >= prog_.statement_of_rank.size()
                           ? -1
                           : static_cast<int32_t>(prog_.statement_of_rank[got.rule]);
    const bool same = got.action == (want.action == sl::Action::Deny ? 1u : 0u) &&
                      got.kind == static_cast<uint32_t>(want.kind) &&
                      (want.kind != DecisionKind::Rule || got_stmt == want.statement);
    if (!same)
      mismatch(e, fmt::format("the table decides {} (kind {}, rank {}), the policy {} (statement {})",
                              sl::actionSpelling(got.action ? sl::Action::Deny : sl::Action::Allow), got.kind,
                              got.rule, sl::actionSpelling(want.action), want.statement));
  }

  void run(uint64_t pair_budget) {
    for (sl::Op op : sl::kAllOps) {
      if (!t_.dialect.knows(sl::opSeries(op))) continue;
      const OpGroups* g = decider_.groups(op);
      if (!g) {
        check(pointEvent(op, 0));
        continue;
      }
      for (PointMask m = g->valid; m; m &= m - 1) check(pointEvent(op, bit(m)));
      for (DigestId f : g->fsv_literals)
        for (PointMask m = g->fsv_points; m; m &= m - 1) check(pointEvent(op, bit(m), f, kOtherDigest));
      for (DigestId h : g->dm_literals)
        for (PointMask m = g->dm_points; m; m &= m - 1) check(pointEvent(op, bit(m), kOtherDigest, h));
      const PointMask both = g->fsv_points & g->dm_points;
      if (!both) continue;
      const uint64_t pairs = uint64_t{g->fsv_literals.size()} * g->dm_literals.size();
      if (pairs > pair_budget) {
        result.complete = false;
        for (auto [f, h] : g->pair_groups)
          for (PointMask m = both; m; m &= m - 1) check(pointEvent(op, bit(m), f, h));
        continue;
      }
      for (DigestId f : g->fsv_literals)
        for (DigestId h : g->dm_literals)
          for (PointMask m = both; m; m &= m - 1) check(pointEvent(op, bit(m), f, h));
    }
  }

  VerifyResult result;

 private:
  static unsigned bit(PointMask m) { return static_cast<unsigned>(__builtin_ctzll(m)); }
  void mismatch(const Event& e, const std::string& what) {
    if (result.mismatches.size() < 10) result.mismatches.push_back(fmt::format("{}: {}", eventToText(e, policy_), what));
    else if (result.mismatches.size() == 10) result.mismatches.push_back("(more mismatches not shown)");
  }

  const ast::Policy& policy_;
  const Target& t_;
  const FastDecider& decider_;
  const DecisionProgram& prog_;
  const Table& table_;
  bool linear_ = false;
};

}  // namespace

VerifyResult verifyTable(const ast::Policy& policy, const Target& t, const FastDecider& decider,
                         const DecisionProgram& program, const Table& table, uint64_t pair_budget) {
  Verifier v(policy, t, decider, program, table);
  v.run(pair_budget);
  return std::move(v.result);
}

}  // namespace ipec::backend
