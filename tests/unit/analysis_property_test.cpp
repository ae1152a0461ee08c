// SPDX-License-Identifier: Apache-2.0
// The fast analysis against the brute-force reference on generated policies (fixed seeds):
// every rule's class, every redundancy claim and every decision must agree exactly.
//   IPEC_PROPERTY_CASES=N   run N policies instead of 10,000 (docs/testing.md: the long run)
//   IPEC_PROPERTY_SEED=S    start at seed S
#include <gtest/gtest.h>

#include <cstdlib>

#include "analysis/reachability.h"
#include "driver/pipeline.h"
#include "tests/reference/generator.h"
#include "tests/unit/test_util.h"
#include "tests/reference/reference.h"

namespace ipec::test {
namespace {

using namespace ipec::analysis;

const char* className(RuleClass c) {
  switch (c) {
    case RuleClass::Unenforced: return "unenforced";
    case RuleClass::Dead: return "dead";
    case RuleClass::Shadowed: return "shadowed";
    case RuleClass::Reachable: return "reachable";
  }
  return "?";
}

TEST(AnalysisProperty, FastAnalysisAgreesWithBruteForce) {
  const uint64_t cases = envOr("IPEC_PROPERTY_CASES", 10000);
  const uint64_t first_seed = envOr("IPEC_PROPERTY_SEED", 1);
  uint64_t rules_checked = 0, decisions_checked = 0, redundant_seen = 0, shadowed_seen = 0, dead_seen = 0;
  for (uint64_t seed = first_seed; seed < first_seed + cases; ++seed) {
    reference::GeneratedCase gc = reference::generateCase(seed);
    driver::PipelineConfig config;
    config.target = gc.target;
    config.analyze = false;
    driver::CheckedPolicy checked = driver::checkPolicy("gen.pol", gc.text, config);
    ASSERT_FALSE(checked.diags->hasErrors()) << "seed " << seed << "\n" << gc.text;
    const ast::Policy& policy = checked.parsed.policy;
    const Target& t = gc.target;
    FastDecider decider(policy, t);
    const PolicyIndex& index = decider.index();
    Reachability fast = analyzeReachability(policy, decider, t);
    std::vector<reference::RuleTruth> truth = reference::classify(policy, t);
    for (uint32_t i = 0; i < policy.statements.size(); ++i) {
      if (policy.statements[i].isDefault()) continue;
      ++rules_checked;
      const RuleResult& r = fast.rules[i];
      ASSERT_EQ(className(r.cls), className(truth[i].cls))
          << "seed " << seed << " target " << gc.target_name << " statement " << i << "\n" << gc.text;
      if (r.redundancy_known) {
        ASSERT_EQ(r.redundant, truth[i].redundant)
            << "seed " << seed << " target " << gc.target_name << " statement " << i << "\n" << gc.text;
      }
      redundant_seen += r.redundant;
      shadowed_seen += r.cls == RuleClass::Shadowed;
      dead_seen += r.cls == RuleClass::Dead;
      if (r.cls == RuleClass::Reachable) {
        ASSERT_TRUE(r.witness.has_value());
        ASSERT_EQ(reference::decide(policy, t, *r.witness).statement, static_cast<int32_t>(i))
            << "witness is not a first match; seed " << seed;
      }
      if (r.cls == RuleClass::Shadowed) {
        // The rules named as covering it are earlier and together match every event it matches.
        for (const Event& e : reference::allEvents(policy, t, policy.statements[i].op)) {
          if (!matches(policy, policy.statements[i], e, t)) continue;
          bool covered = false;
          for (uint32_t c : r.covering) {
            ASSERT_LT(c, i);
            covered = covered || matches(policy, policy.statements[c], e, t);
          }
          ASSERT_TRUE(covered) << "seed " << seed << " statement " << i << "\n" << gc.text;
        }
      }
    }
    for (stdlib::Op op : stdlib::kAllOps) {
      for (const Event& e : reference::allEvents(policy, t, op)) {
        Decision want = reference::decide(policy, t, e);
        Decision linear = analysis::decide(policy, index, t, e);
        Decision quick = decider.decide(e);
        ++decisions_checked;
        ASSERT_EQ(linear.statement, want.statement) << "seed " << seed;
        ASSERT_EQ(quick.statement, want.statement) << "seed " << seed << "\n" << gc.text;
        ASSERT_EQ(quick.action, want.action) << "seed " << seed;
        ASSERT_EQ(quick.kind, want.kind) << "seed " << seed;
      }
    }
  }
  std::printf("property: %llu policies, %llu rules (%llu dead, %llu shadowed, %llu redundant), %llu decisions: "
              "fast analysis == brute force\n",
              static_cast<unsigned long long>(cases), static_cast<unsigned long long>(rules_checked),
              static_cast<unsigned long long>(dead_seen), static_cast<unsigned long long>(shadowed_seen),
              static_cast<unsigned long long>(redundant_seen), static_cast<unsigned long long>(decisions_checked));
  EXPECT_GT(redundant_seen, 0u);
  EXPECT_GT(shadowed_seen, 0u);
  EXPECT_GT(dead_seen, 0u);
}

}  // namespace
}  // namespace ipec::test
