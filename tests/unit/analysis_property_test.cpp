// SPDX-License-Identifier: Apache-2.0
// The fast analysis against the brute-force reference on generated policies (fixed seeds):
// every rule's class, every redundancy claim, every op's DEFAULT and set of actions, and every
// decision must agree exactly; deleting every flagged rule at once must change no decision.
//   IPEC_PROPERTY_CASES=N   run N policies instead of 10,000 (docs/testing.md: the long run)
//   IPEC_PROPERTY_SEED=S    start at seed S
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <optional>

#include "analysis/reachability.h"
#include "pipeline/pipeline.h"
#include "tests/reference/generator.h"
#include "tests/unit/test_util.h"
#include "tests/reference/reference.h"

namespace ipec::test {
namespace {

using namespace ipec::analysis;
namespace sl = ipec::stdlib;

const char* className(RuleClass c) {
  switch (c) {
    case RuleClass::Unenforced: return "unenforced";
    case RuleClass::Dead: return "dead";
    case RuleClass::Shadowed: return "shadowed";
    case RuleClass::Reachable: return "reachable";
  }
  return "?";
}

struct Counts {
  uint64_t rules = 0, decisions = 0, dead = 0, shadowed = 0, redundant = 0;
  uint64_t not_alone = 0;        // redundant, but deleting it alone changes a decision
  uint64_t alone_not_joint = 0;  // redundant alone, but not in the greedy pass
  uint64_t unreached_defaults = 0, vacuous_ops = 0, budget_cases = 0;
  uint64_t large_groups = 0;  // groups of more than 4 rules: per-point lists instead of a scan
};

// One generated case, checked.
class Case {
 public:
  Case(uint64_t seed, Counts& counts) : seed_(seed), gc_(reference::generateCase(seed)), counts_(counts) {}

  void run() {
    pipeline::PipelineConfig config;
    config.target = gc_.target;
    config.analyze = false;
    checked_ = pipeline::checkPolicy("gen.pol", gc_.text, config);
    ASSERT_FALSE(checked_.diags->hasErrors()) << where();
    decider_.emplace(policy(), gc_.target);
    fast_ = analyzeReachability(policy(), *decider_, gc_.target);
    truth_ = reference::classify(policy(), gc_.target);
    for (uint32_t i = 0; i < policy().statements.size(); ++i) {
      if (policy().statements[i].isDefault()) continue;
      checkRule(i);
      if (::testing::Test::HasFatalFailure()) return;
    }
    for (sl::Op op : sl::kAllOps) {
      if (const OpGroups* g = decider_->groups(op))
        for (const OpGroups::Group& grp : g->groups) counts_.large_groups += !OpGroups::scanned(grp);
      checkOp(op);
      if (::testing::Test::HasFatalFailure()) return;
    }
    checkDecisions();
    if (::testing::Test::HasFatalFailure()) return;
    checkJointDeletion(fast_);
    if (::testing::Test::HasFatalFailure()) return;
    // The budget: rules whose redundancy is not known are kept, and the guarantee still holds.
    if (seed_ % 8 == 0) {
      Reachability capped = analyzeReachability(policy(), *decider_, gc_.target, ReachabilityOptions{0});
      for (bool b : capped.budget_exceeded) counts_.budget_cases += b;
      for (uint32_t i = 0; i < policy().statements.size(); ++i)
        ASSERT_EQ(capped.rules[i].cls, fast_.rules[i].cls) << where();
      checkJointDeletion(capped);
    }
  }

 private:
  const ast::Policy& policy() const { return checked_.parsed.policy; }
  std::string where() const { return "seed " + std::to_string(seed_) + " target " + gc_.target_name + "\n" + gc_.text; }
  std::vector<Event> events(sl::Op op) const { return reference::allEvents(policy(), gc_.target, op); }

  void checkRule(uint32_t i) {
    ++counts_.rules;
    const RuleResult& r = fast_.rules[i];
    const Target& t = gc_.target;
    ASSERT_EQ(className(r.cls), className(truth_.rules[i].cls)) << "statement " << i << ", " << where();
    ASSERT_TRUE(r.redundancy_known) << where();
    ASSERT_EQ(r.redundant, truth_.rules[i].redundant) << "statement " << i << ", " << where();
    counts_.redundant += r.redundant;
    counts_.shadowed += r.cls == RuleClass::Shadowed;
    counts_.dead += r.cls == RuleClass::Dead;
    if (r.cls == RuleClass::Reachable) {
      ASSERT_TRUE(r.witness.has_value());
      ASSERT_EQ(reference::decide(policy(), t, *r.witness).statement, static_cast<int32_t>(i))
          << "witness is not a first match; " << where();
      checkAlone(i);
    }
    if (r.cls != RuleClass::Shadowed) return;
    // The rules named as covering it are earlier and together match every event it matches.
    for (const Event& e : events(policy().statements[i].op)) {
      if (!matches(policy(), policy().statements[i], e, t)) continue;
      bool covered = false;
      for (uint32_t c : r.covering) {
        ASSERT_LT(c, i);
        covered = covered || matches(policy(), policy().statements[c], e, t);
      }
      ASSERT_TRUE(covered) << "statement " << i << ", " << where();
    }
  }

  // Deleting a reachable rule alone, against what the greedy pass says of it: `bypassed` lists
  // exactly the reason deleting it alone would change a decision.
  void checkAlone(uint32_t i) {
    const RuleResult& r = fast_.rules[i];
    bool alone = true;
    for (const Event& e : events(policy().statements[i].op)) {
      const Decision base = reference::decide(policy(), gc_.target, e);
      const Decision without = reference::decide(policy(), gc_.target, e, static_cast<int32_t>(i));
      alone = alone && without.action == base.action;
      if (!r.redundant || base.statement != static_cast<int32_t>(i) || without.action == base.action) continue;
      ASSERT_FALSE(r.bypassed.empty()) << "statement " << i << ", " << where();
      if (r.bypassed.size() < 3) {
        ASSERT_NE(std::find(r.bypassed.begin(), r.bypassed.end(), static_cast<uint32_t>(without.statement)),
                  r.bypassed.end())
            << where();
      }
    }
    if (r.redundant) {
      ASSERT_EQ(r.bypassed.empty(), alone) << "statement " << i << ", " << where();
    }
    counts_.not_alone += r.redundant && !alone;
    counts_.alone_not_joint += !r.redundant && alone;
  }

  void checkOp(sl::Op op) {
    const OpResult& got = fast_.ops[static_cast<unsigned>(op)];
    const reference::OpTruth& want = truth_.ops[static_cast<unsigned>(op)];
    ASSERT_EQ(got.has_events, want.has_events) << sl::opSpelling(op) << ", " << where();
    if (!want.has_events) return;
    ASSERT_EQ(got.default_reached, want.default_reached) << sl::opSpelling(op) << ", " << where();
    ASSERT_EQ(got.actions, want.actions) << sl::opSpelling(op) << ", " << where();
    counts_.unreached_defaults += !want.default_reached;
    counts_.vacuous_ops += (want.actions == 1 || want.actions == 2) && statesOtherAction(op, want.actions);
    if (want.default_reached) return;
    ASSERT_FALSE(got.default_cover.empty()) << where();
    for (const Event& e : events(op)) {
      bool covered = false;
      for (uint32_t c : got.default_cover) {
        ASSERT_EQ(policy().statements[c].op, op);
        ASSERT_FALSE(policy().statements[c].isDefault());
        covered = covered || matches(policy(), policy().statements[c], e, gc_.target);
      }
      ASSERT_TRUE(covered) << sl::opSpelling(op) << ", " << where();
    }
  }

  // Whether a rule of the op, its DEFAULT or the global DEFAULT serving it has an action no
  // event gets.
  bool statesOtherAction(sl::Op op, uint8_t actions) const {
    const PolicyIndex& index = decider_->index();
    auto other = [&](uint32_t s) { return !(actions >> static_cast<unsigned>(policy().statements[s].action) & 1); };
    if (index.defaultFor(op) >= 0 && other(static_cast<uint32_t>(index.defaultFor(op)))) return true;
    for (uint32_t s : index.rules[static_cast<unsigned>(op)])
      if (other(s)) return true;
    return false;
  }

  void checkDecisions() {
    const PolicyIndex& index = decider_->index();
    for (sl::Op op : sl::kAllOps) {
      for (const Event& e : events(op)) {
        Decision want = reference::decide(policy(), gc_.target, e);
        Decision linear = analysis::decide(policy(), index, gc_.target, e);
        Decision quick = decider_->decide(e);
        ++counts_.decisions;
        ASSERT_EQ(linear.statement, want.statement) << where();
        ASSERT_EQ(quick.statement, want.statement) << where();
        ASSERT_EQ(quick.action, want.action) << where();
        ASSERT_EQ(quick.kind, want.kind) << where();
      }
    }
  }

  // Deleting every rule flagged dead, shadowed or redundant at once keeps every action, and the
  // replacements named for a redundant rule are what decides its events afterwards.
  void checkJointDeletion(const Reachability& reach) {
    const size_t n = policy().statements.size();
    std::vector<bool> flagged(n, false);
    for (size_t i = 0; i < n; ++i) {
      const RuleResult& r = reach.rules[i];
      flagged[i] = !policy().statements[i].isDefault() &&
                   (r.cls == RuleClass::Dead || r.cls == RuleClass::Shadowed || r.redundant);
    }
    for (sl::Op op : sl::kAllOps) {
      for (const Event& e : events(op)) {
        const Decision base = reference::decide(policy(), gc_.target, e);
        const Decision reduced = reference::decide(policy(), gc_.target, e, flagged);
        ASSERT_EQ(reduced.action, base.action) << "deleting every flagged rule changes a decision; " << where();
        if (base.kind != DecisionKind::Rule || !reach.rules[base.statement].redundant) continue;
        const std::vector<int32_t>& reps = reach.rules[base.statement].replacements;
        for (int32_t rep : reps) ASSERT_TRUE(rep < 0 || !flagged[rep]) << "a flagged replacement; " << where();
        if (reps.size() < 4) {
          ASSERT_NE(std::find(reps.begin(), reps.end(), reduced.statement), reps.end())
              << "statement " << base.statement << ": replacement not named; " << where();
        }
      }
    }
  }

  uint64_t seed_;
  reference::GeneratedCase gc_;
  Counts& counts_;
  pipeline::CheckedPolicy checked_;
  std::optional<FastDecider> decider_;
  Reachability fast_;
  reference::PolicyTruth truth_;
};

TEST(AnalysisProperty, FastAnalysisAgreesWithBruteForce) {
  const uint64_t cases = envOr("IPEC_PROPERTY_CASES", 10000);
  const uint64_t first_seed = envOr("IPEC_PROPERTY_SEED", 1);
  Counts c;
  for (uint64_t seed = first_seed; seed < first_seed + cases; ++seed) {
    Case(seed, c).run();
    if (HasFatalFailure()) return;
  }
  std::printf("property: %llu policies, %llu rules (%llu dead, %llu shadowed, %llu redundant; %llu redundant "
              "only with others deleted, %llu redundant alone but kept), %llu unreachable DEFAULTs, %llu "
              "one-action ops, %llu budget cases, %llu large groups, %llu decisions: fast analysis == brute force\n",
              static_cast<unsigned long long>(cases), static_cast<unsigned long long>(c.rules),
              static_cast<unsigned long long>(c.dead), static_cast<unsigned long long>(c.shadowed),
              static_cast<unsigned long long>(c.redundant), static_cast<unsigned long long>(c.not_alone),
              static_cast<unsigned long long>(c.alone_not_joint), static_cast<unsigned long long>(c.unreached_defaults),
              static_cast<unsigned long long>(c.vacuous_ops), static_cast<unsigned long long>(c.budget_cases),
              static_cast<unsigned long long>(c.large_groups),
              static_cast<unsigned long long>(c.decisions));
  EXPECT_GT(c.redundant, 0u);
  EXPECT_GT(c.shadowed, 0u);
  EXPECT_GT(c.dead, 0u);
  EXPECT_GT(c.not_alone, 0u);
  EXPECT_GT(c.alone_not_joint, 0u);
  EXPECT_GT(c.unreached_defaults, 0u);
  EXPECT_GT(c.vacuous_ops, 0u);
  EXPECT_GT(c.budget_cases, 0u);
  EXPECT_GT(c.large_groups, 0u);
}

}  // namespace
}  // namespace ipec::test
