// SPDX-License-Identifier: Apache-2.0
// `ipec diff` on big policies: OLD has N rules (fs-verity digests, dm-verity root hashes, both,
// and boolean properties, mixed), NEW is OLD with one rule's action flipped in the middle. The
// semantic diff should grow near-linearly with N (docs/benchmarks.md).
//   build/bench/ipec_bench_diff [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <stdexcept>

#include "analysis/diff.h"
#include "analysis/rule_diff.h"
#include "bench/bench_inputs.h"
#include "pipeline/pipeline.h"

namespace {

using namespace ipec;
using bench::SplitMix64;

// One rule line of the mixed policy; `allow` chooses its action.
std::string mixedRule(SplitMix64& rng, bool allow) {
  std::string line = "op=EXECUTE";
  switch (rng.below(4)) {
    case 0: line += " fsverity_digest=sha256:", bench::appendHex(line, rng, 64); break;
    case 1: line += " dmverity_roothash=sha256:", bench::appendHex(line, rng, 64); break;
    case 2:
      line += " fsverity_digest=sha256:", bench::appendHex(line, rng, 64);
      line += " dmverity_roothash=sha256:", bench::appendHex(line, rng, 64);
      break;
    default: line += rng.below(2) ? " fsverity_signature=TRUE" : " dmverity_signature=TRUE boot_verified=FALSE"; break;
  }
  return line + (allow ? " action=ALLOW\n" : " action=DENY\n");
}

struct Pair {
  pipeline::CheckedPolicy old_p, new_p;
};

const Pair& pairOf(size_t rules) {
  static std::map<size_t, std::unique_ptr<Pair>> cache;
  auto& slot = cache[rules];
  if (slot) return *slot;
  std::string old_text = "policy_name=bench_diff policy_version=1.0.0\nDEFAULT action=DENY\n", new_text = old_text;
  SplitMix64 rng{0xd1ffull + rules};
  for (size_t i = 0; i < rules; ++i) {
    const bool allow = rng.below(3) != 0;
    SplitMix64 copy = rng;
    old_text += mixedRule(rng, allow);
    new_text += mixedRule(copy, i == rules / 2 ? !allow : allow);
  }
  pipeline::PipelineConfig config;
  config.analyze = false;
  slot = std::make_unique<Pair>(Pair{pipeline::checkPolicy("old.pol", std::move(old_text), config),
                                     pipeline::checkPolicy("new.pol", std::move(new_text), config)});
  if (!pipeline::parsesCleanly(*slot->old_p.diags) || !pipeline::parsesCleanly(*slot->new_p.diags))
    throw std::runtime_error("bench_diff: a generated policy does not parse");
  return *slot;
}

// Aligning the digests and the semantic diff of every op.
void BM_Diff(benchmark::State& state) {
  const Pair& p = pairOf(static_cast<size_t>(state.range(0)));
  const analysis::Target& t = pipeline::defaultTarget();
  size_t classes = 0;
  for (auto _ : state) {
    const ast::Policy aligned = analysis::alignDigests(p.old_p.parsed.policy, p.new_p.parsed.policy);
    const analysis::SemanticDiff d = analysis::diffPolicies(p.old_p.parsed.policy, aligned, t);
    classes = 0;
    for (const analysis::OpDiff& op : d.ops) classes += op.changes.size();
    benchmark::DoNotOptimize(classes);
  }
  if (classes == 0) state.SkipWithError("the flipped rule changed no decision");
  state.counters["classes"] = static_cast<double>(classes);
  state.SetComplexityN(state.range(0));
}

// The rule-level part: normalized texts and the edit script.
void BM_DiffRules(benchmark::State& state) {
  const Pair& p = pairOf(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    const analysis::RuleDiff r =
        analysis::diffRules(*p.old_p.file, p.old_p.parsed.policy, *p.new_p.file, p.new_p.parsed.policy);
    benchmark::DoNotOptimize(r.rules.size());
  }
  state.SetComplexityN(state.range(0));
}

BENCHMARK(BM_Diff)->ArgName("rules")->RangeMultiplier(10)->Range(1000, 100000)->Unit(benchmark::kMillisecond)->Complexity();
BENCHMARK(BM_DiffRules)->ArgName("rules")->RangeMultiplier(10)->Range(1000, 100000)->Unit(benchmark::kMillisecond)->Complexity();

}  // namespace

BENCHMARK_MAIN();
