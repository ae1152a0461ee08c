// SPDX-License-Identifier: Apache-2.0
// The enforcer's decision function (enforce/bpf/decide.h, built for the host) reading the BPF-map
// encoding, against ipet_eval() on the decision table of the same policy: generated policies over
// all target profiles (fixed seeds), every event of the finite model, the same action, decision
// kind and rule. At least 10^5 (policy, event) pairs; IPEC_DIFF_PAIRS=N runs more.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <unordered_map>

#include "backend/bpf_maps.h"
#include "backend/table.h"
#include "driver/commands.h"
#include "enforce/bpf/decide.h"
#include "enforce/decide_host.h"
#include "tests/reference/generator.h"
#include "tests/reference/reference.h"
#include "tests/unit/test_util.h"

namespace ipec::test {
namespace {

// The maps as the kernel would hold them, looked up by raw key bytes.
class HostMaps {
 public:
  explicit HostMaps(const backend::BpfMapImage& img) {
    for (const auto& e : img.ops) ops_.push_back(as<ipec_op_rec>(e.value));
    for (const auto& e : img.kinds) kinds_.push_back(as<ipec_kind>(e.value));
    for (const auto& e : img.fsv) fsv_.emplace(e.key, as<ipec_group>(e.value));
    for (const auto& e : img.dm) dm_.emplace(e.key, as<ipec_group>(e.value));
    for (const auto& e : img.pair) pair_.emplace(e.key, as<ipec_group>(e.value));
  }
  ipec_host_maps callbacks() const {
    return {this,
            [](const void* s, __u32 op) { return at(self(s)->ops_, op); },
            [](const void* s, __u32 k) { return at(self(s)->kinds_, k); },
            [](const void* s, const ipec_dkey* k) { return find(self(s)->fsv_, k, sizeof *k); },
            [](const void* s, const ipec_dkey* k) { return find(self(s)->dm_, k, sizeof *k); },
            [](const void* s, const ipec_pkey* k) { return find(self(s)->pair_, k, sizeof *k); }};
  }

 private:
  using Hash = std::unordered_map<std::string, ipec_group>;
  template <typename T>
  static T as(const std::string& bytes) {
    T v;
    EXPECT_EQ(bytes.size(), sizeof v);
    std::memcpy(&v, bytes.data(), sizeof v);
    return v;
  }
  static const HostMaps* self(const void* s) { return static_cast<const HostMaps*>(s); }
  template <typename T>
  static const T* at(const std::vector<T>& v, __u32 i) { return i < v.size() ? &v[i] : nullptr; }
  static const ipec_group* find(const Hash& h, const void* key, size_t n) {
    auto it = h.find(std::string(static_cast<const char*>(key), n));
    return it == h.end() ? nullptr : &it->second;
  }
  std::vector<ipec_op_rec> ops_;
  std::vector<ipec_kind> kinds_;
  Hash fsv_, dm_, pair_;
};

// The facts are an ipet_event byte for byte (enforce/bpf/decide.h).
static_assert(sizeof(ipec_facts) == sizeof(ipet_event));
static_assert(offsetof(ipec_facts, bpf_kernel) == offsetof(ipet_event, bpf_kernel));
static_assert(offsetof(ipec_facts, dm_len) == offsetof(ipet_event, dm_len));
static_assert(offsetof(ipec_facts, fsv_digest) == offsetof(ipet_event, fsv_digest));
static_assert(offsetof(ipec_facts, dm_digest) == offsetof(ipet_event, dm_digest));

// The same entries in any order (the table's are in slot order).
bool sameEntries(const backend::BpfMapImage& a, const backend::BpfMapImage& b) {
  auto sorted = [](std::vector<backend::BpfMapEntry> v) {
    std::vector<std::pair<std::string, std::string>> out;
    for (auto& e : v) out.emplace_back(std::move(e.key), std::move(e.value));
    std::sort(out.begin(), out.end());
    return out;
  };
  return sorted(a.ops) == sorted(b.ops) && sorted(a.kinds) == sorted(b.kinds) && sorted(a.fsv) == sorted(b.fsv) &&
         sorted(a.dm) == sorted(b.dm) && sorted(a.pair) == sorted(b.pair);
}

TEST(EnforceDifferential, MapDecisionAgreesWithIpetEval) {
  const uint64_t want_pairs = envOr("IPEC_DIFF_PAIRS", 100000);
  uint64_t pairs = 0, policies = 0, rules = 0, denies = 0, seed = envOr("IPEC_DIFF_SEED", 12000000);
  while (pairs < want_pairs) {
    reference::GeneratedCase gc = reference::generateCase(seed++, 10);
    pipeline::PipelineConfig config;
    config.target = gc.target;
    config.analyze = false;
    pipeline::CheckedPolicy checked = pipeline::checkPolicy("gen.pol", gc.text, config);
    ASSERT_FALSE(checked.diags->hasErrors()) << gc.text;
    auto compiled = driver::compilePolicy(checked, config, (seed & 7) == 0);
    ASSERT_TRUE(compiled.has_value()) << gc.text;
    int status = 0;
    auto table = backend::Table::load(compiled->bytes, status);
    ASSERT_TRUE(table) << ipet_strerror(status) << "\n" << gc.text;
    const backend::BpfMapImage image = backend::bpfMapImage(compiled->program);
    ASSERT_TRUE(sameEntries(image, backend::bpfMapImage(table->raw())))
        << "the maps read from the table differ from the program's; seed " << seed - 1 << "\n" << gc.text;
    HostMaps maps(image);
    const ipec_host_maps cb = maps.callbacks();
    const ast::Policy& policy = checked.parsed.policy;
    for (stdlib::Op op : stdlib::kAllOps) {
      if (!gc.target.dialect.knows(stdlib::opSeries(op))) continue;
      for (const analysis::Event& e : reference::allEvents(policy, gc.target, op)) {
        ++pairs;
        const ipet_event ie = backend::toIpetEvent(e, policy.digests);
        const ipet_decision want = table->eval(ie);
        ipec_scratch s;
        std::memset(&s, 0xA5, sizeof s);  // the keys must not depend on what was there
        std::memcpy(&s.facts, &ie, sizeof s.facts);
        ipec_decision got;
        ASSERT_EQ(ipec_decide_host(&cb, &s, &got), 0);
        ASSERT_EQ(got.action, want.action) << "seed " << seed - 1 << " target " << gc.target_name << "\n" << gc.text;
        ASSERT_EQ(got.kind, want.kind) << "seed " << seed - 1 << "\n" << gc.text;
        ASSERT_EQ(got.rule, want.rule) << "seed " << seed - 1 << "\n" << gc.text;
        rules += got.kind == IPEC_RULE;
        denies += got.action;
      }
    }
    ++policies;
  }
  std::printf("enforce differential: %llu policies, %llu (policy, event) pairs agree with ipet_eval "
              "(%llu decided by a rule, %llu denies)\n",
              static_cast<unsigned long long>(policies), static_cast<unsigned long long>(pairs),
              static_cast<unsigned long long>(rules), static_cast<unsigned long long>(denies));
  EXPECT_GE(pairs, want_pairs);
  EXPECT_GT(rules, 0u);
  EXPECT_GT(denies, 0u);
}

}  // namespace
}  // namespace ipec::test
