// SPDX-License-Identifier: Apache-2.0
// The semantic diff against brute force on generated policy pairs (a generated policy and a
// mutation of it: fixed seeds): per op the same equivalence verdict, every reported class a real
// change with exactly the reported deciders on its witness, and every changed (OLD decider, NEW
// decider) pair that brute force finds reported, once.
//   IPEC_DIFF_PROPERTY_PAIRS=N   check N pairs instead of 10,000 (the long run)
//   IPEC_DIFF_PROPERTY_SEED=S    start at seed S
#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <tuple>

#include "analysis/diff.h"
#include "pipeline/pipeline.h"
#include "tests/reference/generator.h"
#include "tests/reference/reference.h"
#include "tests/unit/test_util.h"

namespace ipec::test {
namespace {

using namespace ipec::analysis;
namespace sl = ipec::stdlib;

struct Counts {
  uint64_t pairs = 0, equivalent = 0, identical_text = 0, rejected = 0, classes = 0, allow_to_deny = 0,
           deny_to_allow = 0, mixed = 0, default_classes = 0, truncated = 0, events = 0;
};

using DeciderPair = std::tuple<int32_t, DecisionKind, int32_t, DecisionKind>;

// Which digest properties a deciding rule tests: bit 0 fs-verity, bit 1 dm-verity.
unsigned digestsTested(const ast::Policy& policy, const Decision& d) {
  if (d.kind != DecisionKind::Rule) return 0;
  unsigned bits = 0;
  const ast::Statement& s = policy.statements[d.statement];
  for (const ast::Property* p = policy.propsBegin(s); p != policy.propsEnd(s); ++p)
    bits |= p->prop == sl::Prop::FsverityDigest ? 1u : p->prop == sl::Prop::DmverityRoothash ? 2u : 0u;
  return bits;
}

DeciderPair deciders(const Decision& o, const Decision& n) { return {o.statement, o.kind, n.statement, n.kind}; }

pipeline::CheckedPolicy parse(const std::string& name, std::string text, const Target& t) {
  pipeline::PipelineConfig config;
  config.target = t;
  config.analyze = false;
  return pipeline::checkPolicy(name, std::move(text), config);
}

class PairCase {
 public:
  PairCase(uint64_t seed, Counts& counts) : seed_(seed), counts_(counts) {}

  void run() {
    gc_ = reference::generateCase(seed_, seed_ % 7 == 0 ? 20 : 8);
    new_text_ = reference::mutatePolicy(gc_.text, seed_);
    pipeline::CheckedPolicy old_p = parse("old.pol", gc_.text, gc_.target);
    pipeline::CheckedPolicy new_p = parse("new.pol", new_text_, gc_.target);
    ASSERT_TRUE(pipeline::parsesCleanly(*old_p.diags)) << where();
    if (!pipeline::parsesCleanly(*new_p.diags)) {
      ++counts_.rejected;  // e.g. the only DEFAULT of an op removed
      return;
    }
    ++counts_.pairs;
    counts_.identical_text += new_text_ == gc_.text;
    const ast::Policy& old_policy = old_p.parsed.policy;
    const ast::Policy aligned = alignDigests(old_policy, new_p.parsed.policy);
    const SemanticDiff diff = diffPolicies(old_policy, aligned, gc_.target);
    bool all_equivalent = true;
    for (sl::Op op : sl::kAllOps) {
      checkOp(op, old_policy, aligned, diff.ops[static_cast<unsigned>(op)]);
      if (::testing::Test::HasFatalFailure()) return;
      all_equivalent = all_equivalent && diff.ops[static_cast<unsigned>(op)].equivalent();
    }
    ASSERT_EQ(diff.equivalent(), all_equivalent);
    counts_.equivalent += all_equivalent;
    // A cap on the classes listed: the first `cap` are real ones, and `truncated` says exactly
    // whether there were more.
    if (seed_ % 5 == 0) checkCap(old_policy, aligned, diff);
  }

 private:
  std::string where() const {
    return "seed " + std::to_string(seed_) + " target " + gc_.target_name + "\nOLD:\n" + gc_.text + "NEW:\n" + new_text_;
  }

  void checkOp(sl::Op op, const ast::Policy& old_policy, const ast::Policy& aligned, const OpDiff& got) {
    // Brute force: every event over the literals of both policies.
    std::set<DeciderPair> want;
    for (const Event& e : reference::allEvents(aligned, gc_.target, op)) {
      ++counts_.events;
      const Decision o = reference::decide(old_policy, gc_.target, e), n = reference::decide(aligned, gc_.target, e);
      if (o.action != n.action) want.insert(deciders(o, n));
    }
    ASSERT_EQ(got.evaluated, opEvaluated(gc_.target, op)) << where();
    ASSERT_FALSE(got.truncated) << where();
    ASSERT_EQ(got.equivalent(), want.empty()) << sl::opSpelling(op) << ", " << where();
    std::set<DeciderPair> reported;
    for (const DecisionChange& c : got.changes) {
      ASSERT_EQ(c.witness.op, op);
      ASSERT_TRUE(validPoints(gc_.target, op) >> pointOf(c.witness) & 1) << where();
      const Decision o = reference::decide(old_policy, gc_.target, c.witness);
      const Decision n = reference::decide(aligned, gc_.target, c.witness);
      ASSERT_NE(o.action, n.action) << "the witness does not change; " << where();
      ASSERT_EQ(deciders(o, n), deciders(c.old_decision, c.new_decision)) << "other deciders; " << where();
      ASSERT_EQ(o.action, c.old_decision.action);
      ASSERT_EQ(n.action, c.new_decision.action);
      ASSERT_TRUE(reported.insert(deciders(o, n)).second) << "a class reported twice; " << where();
      ++counts_.classes;
      counts_.allow_to_deny += o.action == sl::Action::Allow;
      counts_.deny_to_allow += o.action == sl::Action::Deny;
      // Step 5's cells: one side decided by an fs-verity digest rule, the other by a root hash one.
      const unsigned ob = digestsTested(old_policy, o), nb = digestsTested(aligned, n);
      counts_.mixed += (ob == 1 && nb == 2) || (ob == 2 && nb == 1);
      counts_.default_classes += o.kind != DecisionKind::Rule || n.kind != DecisionKind::Rule;
    }
    ASSERT_EQ(reported, want) << sl::opSpelling(op) << ": classes missed; " << where();
  }

  void checkCap(const ast::Policy& old_policy, const ast::Policy& aligned, const SemanticDiff& full) {
    const SemanticDiff capped = diffPolicies(old_policy, aligned, gc_.target, DiffOptions{1});
    for (sl::Op op : sl::kAllOps) {
      const OpDiff& f = full.ops[static_cast<unsigned>(op)];
      const OpDiff& c = capped.ops[static_cast<unsigned>(op)];
      ASSERT_EQ(c.changes.size(), std::min<size_t>(f.changes.size(), 1)) << where();
      ASSERT_EQ(c.truncated, f.changes.size() > 1) << where();
      counts_.truncated += c.truncated;
    }
  }

  uint64_t seed_;
  Counts& counts_;
  reference::GeneratedCase gc_;
  std::string new_text_;
};

TEST(DiffProperty, SemanticDiffAgreesWithBruteForce) {
  const uint64_t wanted = envOr("IPEC_DIFF_PROPERTY_PAIRS", 10000);
  const uint64_t first_seed = envOr("IPEC_DIFF_PROPERTY_SEED", 1);
  Counts c;
  for (uint64_t seed = first_seed; c.pairs < wanted; ++seed) {
    PairCase(seed, c).run();
    if (HasFatalFailure()) return;
  }
  std::printf("diff property: %llu policy pairs (%llu equivalent, %llu not; %llu textually identical; %llu "
              "mutants the kernel rejects skipped), %llu changed classes (%llu ALLOW->DENY, %llu DENY->ALLOW; %llu "
              "on step 5's mixed cells, %llu decided by a DEFAULT on one side), %llu capped ops, %llu events: semantic "
              "diff == brute force\n",
              static_cast<unsigned long long>(c.pairs), static_cast<unsigned long long>(c.equivalent),
              static_cast<unsigned long long>(c.pairs - c.equivalent),
              static_cast<unsigned long long>(c.identical_text), static_cast<unsigned long long>(c.rejected),
              static_cast<unsigned long long>(c.classes), static_cast<unsigned long long>(c.allow_to_deny),
              static_cast<unsigned long long>(c.deny_to_allow), static_cast<unsigned long long>(c.mixed),
              static_cast<unsigned long long>(c.default_classes), static_cast<unsigned long long>(c.truncated),
              static_cast<unsigned long long>(c.events));
  // Both verdicts common, and every kind of class seen.
  EXPECT_GT(c.equivalent, c.pairs / 5);
  EXPECT_GT(c.pairs - c.equivalent, c.pairs / 5);
  EXPECT_GT(c.equivalent, c.identical_text);
  for (auto [what, n] : {std::pair{"ALLOW->DENY classes", c.allow_to_deny}, {"DENY->ALLOW classes", c.deny_to_allow},
                         {"mixed cells", c.mixed}, {"DEFAULT classes", c.default_classes}, {"capped ops", c.truncated}})
    EXPECT_GT(n, 0u) << what;
}

}  // namespace
}  // namespace ipec::test
