// SPDX-License-Identifier: Apache-2.0
// The compiled table and its C interpreter against the brute-force reference, on generated
// policies over all four target profiles (fixed seeds):
//   - every event of the finite model decides the same (action, kind and rule);
//   - `ipec dump` round-trips: compiling the dump gives the same bytes, and the dump decides every
//     event as the source does.
// ctest runs a slice of at least 10^5 (policy, event) pairs; IPEC_DIFF_PAIRS=N runs more
// (docs/testing.md: the 10^6 run).
#include <gtest/gtest.h>

#include <cstdlib>

#include "backend/decompile.h"
#include "backend/table.h"
#include "driver/commands.h"
#include "tests/reference/generator.h"
#include "tests/unit/test_util.h"
#include "tests/reference/reference.h"

namespace ipec::test {
namespace {

using namespace ipec::analysis;

struct Compiled {
  pipeline::CheckedPolicy checked;
  driver::CompiledPolicy compiled;
};

Compiled compile(const std::string& text, const Target& t, bool keep_unreachable = false) {
  pipeline::PipelineConfig config;
  config.target = t;
  config.analyze = false;
  Compiled c{pipeline::checkPolicy("gen.pol", text, config), {}};
  EXPECT_FALSE(c.checked.diags->hasErrors()) << text;
  auto cp = driver::compilePolicy(c.checked, config, keep_unreachable);
  EXPECT_TRUE(cp.has_value());
  c.compiled = std::move(*cp);
  return c;
}

TEST(TableDifferential, TableAgreesWithReferenceAndRoundTrips) {
  const uint64_t want_pairs = envOr("IPEC_DIFF_PAIRS", 100000);
  uint64_t pairs = 0, policies = 0, seed = envOr("IPEC_DIFF_SEED", 7000000);
  while (pairs < want_pairs) {
    reference::GeneratedCase gc = reference::generateCase(seed++, 10);
    const bool keep = (seed & 7) == 0;  // now and then, with the unreachable rules kept
    Compiled c = compile(gc.text, gc.target, keep);
    const ast::Policy& policy = c.checked.parsed.policy;
    int status = 0;
    auto table = backend::Table::load(c.compiled.bytes, status);
    ASSERT_TRUE(table) << ipet_strerror(status) << "\n" << gc.text;
    // Round trip through the decompiler.
    std::string dumped = backend::decompile(table->raw());
    Compiled again = compile(dumped, gc.target, keep);
    ASSERT_TRUE(again.compiled.bytes == c.compiled.bytes)
        << "dump does not round-trip; seed " << seed - 1 << "\n" << gc.text << "\n--- dump:\n" << dumped;
    const ast::Policy& dpolicy = again.checked.parsed.policy;
    for (stdlib::Op op : stdlib::kAllOps) {
      if (!gc.target.dialect.knows(stdlib::opSeries(op))) continue;
      for (const Event& e : reference::allEvents(policy, gc.target, op)) {
        ++pairs;
        Decision want = reference::decide(policy, gc.target, e);
        ipet_decision got = table->eval(backend::toIpetEvent(e, policy.digests));
        ASSERT_EQ(got.action, want.action == stdlib::Action::Deny ? 1u : 0u)
            << "seed " << seed - 1 << " target " << gc.target_name << "\n" << gc.text;
        ASSERT_EQ(got.kind, static_cast<uint32_t>(want.kind)) << "seed " << seed - 1 << "\n" << gc.text;
        if (want.kind == DecisionKind::Rule) {
          ASSERT_LT(got.rule, c.compiled.program.statement_of_rank.size());
          ASSERT_EQ(static_cast<int32_t>(c.compiled.program.statement_of_rank[got.rule]), want.statement)
              << "seed " << seed - 1 << "\n" << gc.text;
        }
        // The dump decides the same (its digests are the same literals).
        Event de = reference::translateDigests(e, policy, dpolicy);
        ASSERT_EQ(reference::decide(dpolicy, gc.target, de).action, want.action)
            << "the dump decides differently; seed " << seed - 1 << "\n" << gc.text << "\n--- dump:\n" << dumped;
      }
    }
    ++policies;
  }
  std::printf("differential: %llu policies, %llu (policy, event) pairs: table == reference, dumps round-trip\n",
              static_cast<unsigned long long>(policies), static_cast<unsigned long long>(pairs));
}

}  // namespace
}  // namespace ipec::test
