// SPDX-License-Identifier: Apache-2.0
// Front-end throughput: parse + check of generated fs-verity digest allowlists.
//
//   BM_Check/<rules>        pipeline::checkPolicy (scan, ANTLR parse, AST, kernel limits, lint,
//                           target analysis) on an allowlist of 1k, 10k, 100k and 1M rules
//                           (1M rules is ~112 MB).
//   BM_Check64K/<shape>     the same on a 64 KiB policy (the kernel's maximum): the latency an
//                           editor pays to re-check on every keystroke. Shapes: 0 an fs-verity
//                           allowlist, 1 a mixed policy (every mainline op and property,
//                           comments, DEFAULT op= lines).
//   BM_PhaseSourceFile/<n>  SourceFile construction only (the line index).
//   BM_PhaseScan/<n>        frontend::scan only (lines and tokens).
//   BM_PhaseParse/<n>       frontend::parse: scan + per-line ANTLR parse + AST + validation.
//   BM_PhaseLint/<n>        analysis::lint alone, on a policy parsed beforehand.
//   BM_PhaseAnalyze/<n>     analysis::analyzePolicy alone (the target analysis: reachability,
//                           lockout, ...), on a policy parsed beforehand.
//   BM_PhaseCheck/<n>       pipeline::checkPolicy on the same input (everything above, plus the
//                           kernel limits and sorting the diagnostics).
//   BM_DigestIntern/<n>     DigestPool::intern of n distinct sha256 digests into a fresh pool,
//                           then of the same n again (the hits a repeated digest costs).
//
// Counters: bytes_per_second (SetBytesProcessed) and rules_per_s, both over CPU time (the
// front end is single-threaded; on an idle machine wall time equals CPU time, on a shared one CPU
// time is the stable figure); input_MB; rss_growth_MB, the peak RSS during the benchmark above
// the RSS at its start (VmHWM, reset through /proc/self/clear_refs after malloc_trim), i.e. the
// memory one check of the input needs, its own copy of the bytes included. Inputs are generated
// in-process from a fixed seed, once per size, outside the timed region.
//
// `ipec_bench_frontend --write-inputs=DIR` writes the same inputs to files instead.
//
// This is a benchmark, never a timed test: nothing here fails on a slow machine. See
// docs/benchmarks.md and scripts/bench-frontend.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "analysis/analyze.h"
#include "analysis/lint.h"
#include "bench/bench_inputs.h"
#include "base/diagnostic.h"
#include "base/hex.h"
#include "base/source.h"
#include "pipeline/pipeline.h"
#include "frontend/digest_pool.h"
#include "frontend/parser.h"
#include "frontend/scanner.h"

namespace {

using ipec::DiagnosticEngine;
using ipec::DiagnosticOptions;
using ipec::SourceFile;

// ---- deterministic inputs (bench_inputs.h) ---------------------------------------------------

using ipec::bench::Input;
using ipec::bench::makeAllowlist;
using ipec::bench::makeAllowlistOfSize;
using ipec::bench::makeMixedOfSize;
using ipec::bench::SplitMix64;

// Inputs are built once and kept for the whole run (the 1M-rule one is ~112 MB).
const Input& allowlist(size_t rules) {
  static std::map<size_t, Input> cache;
  auto it = cache.find(rules);
  if (it == cache.end()) it = cache.emplace(rules, makeAllowlist(rules)).first;
  return it->second;
}

const Input& policy64K(int shape) {
  static const Input allow = makeAllowlistOfSize(64 * 1024);
  static const Input mixed = makeMixedOfSize(64 * 1024);
  return shape == 0 ? allow : mixed;
}

// ---- peak memory ----------------------------------------------------------------------------

// VmHWM or VmRSS of this process, in kB (0 if /proc is unavailable).
long procStatusKb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const size_t n = std::strlen(field);
  while (std::getline(in, line))
    if (line.compare(0, n, field) == 0 && line.size() > n && line[n] == ':')
      return std::strtol(line.c_str() + n + 1, nullptr, 10);
  return 0;
}

// Resets VmHWM to the current RSS (Linux >= 4.0), so the next reading is this benchmark's peak.
void resetPeakRss() {
  ::malloc_trim(0);  // hand back what earlier benchmarks freed, so it is not reused unseen
  if (std::FILE* f = std::fopen("/proc/self/clear_refs", "w")) {
    std::fputs("5", f);
    std::fclose(f);
  }
}

// Call right before the timed loop; returns the RSS (kB) that the growth is measured from.
long startPeakRss() {
  resetPeakRss();
  return procStatusKb("VmRSS");
}

void reportCounters(benchmark::State& state, const Input& in, long rss_start_kb) {
  const auto iters = static_cast<int64_t>(state.iterations());
  state.SetBytesProcessed(iters * static_cast<int64_t>(in.text.size()));
  state.counters["rules_per_s"] =
      benchmark::Counter(static_cast<double>(in.rules), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["input_MB"] = static_cast<double>(in.text.size()) / 1e6;
  // Peak RSS above what the process held when the benchmark started (the cached inputs): the
  // memory one check of this input needs, its copy of the bytes included.
  state.counters["rss_growth_MB"] = static_cast<double>(procStatusKb("VmHWM") - rss_start_kb) / 1024.0;
}

ipec::pipeline::PipelineConfig& config() {
  static ipec::pipeline::PipelineConfig c;
  return c;
}

// checkPolicy takes the bytes by value, as the CLI hands over what it read; the copy is made
// outside the timed region.
void runCheck(benchmark::State& state, const Input& in) {
  const long rss0 = startPeakRss();
  for (auto _ : state) {
    state.PauseTiming();
    std::string bytes = in.text;
    state.ResumeTiming();
    ipec::pipeline::CheckedPolicy p = ipec::pipeline::checkPolicy("bench.pol", std::move(bytes), config());
    benchmark::DoNotOptimize(p.parsed.policy.statements.data());
    // Sanity: the generated policy must have parsed completely (a silently failing parse would
    // make every figure meaningless).
    if (p.parsed.policy.statements.size() != in.statements || p.diags->rejectsIn(ipec::KernelPhase::Parse)) {
      state.SkipWithError("generated policy did not parse completely");
      break;
    }
  }
  reportCounters(state, in, rss0);
}

// ---- whole pipeline -------------------------------------------------------------------------

void BM_Check(benchmark::State& state) { runCheck(state, allowlist(static_cast<size_t>(state.range(0)))); }
BENCHMARK(BM_Check)
    ->ArgName("rules")
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Arg(1000000)
    ->Unit(benchmark::kMillisecond)
    ;

void BM_Check64K(benchmark::State& state) { runCheck(state, policy64K(static_cast<int>(state.range(0)))); }
BENCHMARK(BM_Check64K)->ArgName("mixed")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// ---- phases ---------------------------------------------------------------------------------

// The inputs of the phase breakdown: allowlists of 10k and 100k rules, and the 64 KiB one
// (argument 64).
const Input& phaseInput(int64_t arg) {
  return arg == 64 ? policy64K(0) : allowlist(static_cast<size_t>(arg));
}

void BM_PhaseSourceFile(benchmark::State& state) {
  const Input& in = phaseInput(state.range(0));
  const long rss0 = startPeakRss();
  for (auto _ : state) {
    state.PauseTiming();
    std::string bytes = in.text;
    state.ResumeTiming();
    SourceFile file("bench.pol", std::move(bytes));
    benchmark::DoNotOptimize(file.lineCount());
  }
  reportCounters(state, in, rss0);
}

void BM_PhaseScan(benchmark::State& state) {
  const Input& in = phaseInput(state.range(0));
  SourceFile file("bench.pol", in.text);
  DiagnosticOptions opts;
  const long rss0 = startPeakRss();
  for (auto _ : state) {
    DiagnosticEngine diags(opts);
    ipec::frontend::ScanResult r = ipec::frontend::scan(file, diags);
    benchmark::DoNotOptimize(r.tokens.data());
  }
  reportCounters(state, in, rss0);
}

void BM_PhaseParse(benchmark::State& state) {
  const Input& in = phaseInput(state.range(0));
  SourceFile file("bench.pol", in.text);
  DiagnosticOptions opts;
  ipec::frontend::ParseOptions popts;
  popts.dialect = config().target.dialect;
  const long rss0 = startPeakRss();
  for (auto _ : state) {
    DiagnosticEngine diags(opts);
    ipec::frontend::ParseResult r = ipec::frontend::parse(file, popts, diags);
    benchmark::DoNotOptimize(r.policy.statements.data());
  }
  reportCounters(state, in, rss0);
}

// The lint checks alone, on a policy parsed once outside the timed region.
void BM_PhaseLint(benchmark::State& state) {
  const Input& in = phaseInput(state.range(0));
  SourceFile file("bench.pol", in.text);
  DiagnosticOptions opts;
  DiagnosticEngine parse_diags(opts);
  ipec::frontend::ParseOptions popts;
  popts.dialect = config().target.dialect;
  const ipec::frontend::ParseResult parsed = ipec::frontend::parse(file, popts, parse_diags);
  const long rss0 = startPeakRss();
  for (auto _ : state) {
    DiagnosticEngine diags(opts);
    ipec::analysis::lint({file, parsed.policy, diags, config().target.dialect});
    benchmark::DoNotOptimize(diags.warningCount());
  }
  reportCounters(state, in, rss0);
}

// The target analysis alone (reachability, lockout, ...), as checkPolicy runs it, on a policy
// parsed once outside the timed region.
void BM_PhaseAnalyze(benchmark::State& state) {
  const Input& in = phaseInput(state.range(0));
  SourceFile file("bench.pol", in.text);
  DiagnosticOptions opts;
  DiagnosticEngine parse_diags(opts);
  ipec::frontend::ParseOptions popts;
  popts.dialect = config().target.dialect;
  const ipec::frontend::ParseResult parsed = ipec::frontend::parse(file, popts, parse_diags);
  const long rss0 = startPeakRss();
  for (auto _ : state) {
    DiagnosticEngine diags(opts);
    ipec::analysis::AnalysisResult r = ipec::analysis::analyzePolicy(
        file, parsed.policy, config().target, diags, opts, config().reachability);
    benchmark::DoNotOptimize(r.reach.rules.data());
  }
  reportCounters(state, in, rss0);
}

void BM_PhaseCheck(benchmark::State& state) { runCheck(state, phaseInput(state.range(0))); }

#define IPEC_PHASE_ARGS ->Arg(64)->Arg(10000)->Arg(100000)->Unit(benchmark::kMicrosecond)
BENCHMARK(BM_PhaseSourceFile) IPEC_PHASE_ARGS;
BENCHMARK(BM_PhaseScan) IPEC_PHASE_ARGS;
BENCHMARK(BM_PhaseParse) IPEC_PHASE_ARGS;
BENCHMARK(BM_PhaseLint) IPEC_PHASE_ARGS;
BENCHMARK(BM_PhaseAnalyze) IPEC_PHASE_ARGS;
BENCHMARK(BM_PhaseCheck) IPEC_PHASE_ARGS;
#undef IPEC_PHASE_ARGS

// ---- digest interning ----------------------------------------------------------------------

void BM_DigestIntern(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  constexpr size_t kLen = 32;
  std::string bytes(n * kLen, '\0');
  SplitMix64 rng{0xd16e57ull + n};
  for (size_t at = 0; at < bytes.size(); at += 8) {
    const uint64_t v = rng.next();
    std::memcpy(bytes.data() + at, &v, 8);
  }
  const std::string_view all = bytes;
  for (auto _ : state) {
    ipec::DigestPool pool;
    for (int pass = 0; pass < 2; ++pass)
      for (size_t i = 0; i < n; ++i) benchmark::DoNotOptimize(pool.intern("sha256", all.substr(i * kLen, kLen)));
    if (pool.size() != n) {
      state.SkipWithError("the pool lost or duplicated a digest");
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(2 * n));
}
BENCHMARK(BM_DigestIntern)->Arg(200000)->Unit(benchmark::kMillisecond);

// --write-inputs=DIR: writes the generated policies to DIR (for timing the real CLI, see
// scripts/bench-frontend) and prints one line per file: path, rules, bytes.
int writeInputs(const std::string& dir) {
  struct Item {
    std::string name;
    const Input* in;
  };
  const Item items[] = {
      {"policy-64k-allowlist.pol", &policy64K(0)},  {"policy-64k-mixed.pol", &policy64K(1)},
      {"allowlist-1k.pol", &allowlist(1000)},       {"allowlist-10k.pol", &allowlist(10000)},
      {"allowlist-100k.pol", &allowlist(100000)},   {"allowlist-1m.pol", &allowlist(1000000)},
  };
  for (const Item& item : items) {
    const std::string path = dir + "/" + item.name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(item.in->text.data(), static_cast<std::streamsize>(item.in->text.size()));
    out.close();
    if (!out) {
      std::fprintf(stderr, "ipec_bench_frontend: cannot write %s\n", path.c_str());
      return 2;
    }
    std::printf("%s\t%zu\t%zu\n", path.c_str(), item.in->rules, item.in->text.size());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  static constexpr std::string_view kWrite = "--write-inputs=";
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.substr(0, kWrite.size()) == kWrite) return writeInputs(std::string(arg.substr(kWrite.size())));
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
