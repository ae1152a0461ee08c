// SPDX-License-Identifier: Apache-2.0
#include "tests/reference/generator.h"

#include <array>
#include <stdexcept>

#include "stdlib/catalog.h"

namespace ipec::reference {

namespace sl = ipec::stdlib;

namespace {

// Literal pools: a few producible digests per subsystem, plus impossible ones.
const std::array<const char*, 6> kFsvLiterals = {
    "sha256:" "1111111111111111111111111111111111111111111111111111111111111111",
    "sha256:" "2222222222222222222222222222222222222222222222222222222222222222",
    "sha512:" "33333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333",
    "sha256:" "4444",                                            // wrong length: never matches
    "md5:" "55555555555555555555555555555555",                   // fs-verity never reports md5
    "sha256:" "1111111111111111111111111111111111111111111111111111111111111111",
};
const std::array<const char*, 5> kDmLiterals = {
    "sha256:" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "sha256:" "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
    "sha1:" "cccccccccccccccccccccccccccccccccccccccc",
    "SHA256:" "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",  // upper case alg
    "sha256:" "2222222222222222222222222222222222222222222222222222222222222222",
};
const std::array<const char*, 4> kProfiles = {"linux-6.12", "linux-6.19", "hornet-v5", "hornet-v7"};

}  // namespace

GeneratedCase generateCase(uint64_t seed, unsigned max_rules) {
  std::mt19937_64 rng(seed);
  auto pick = [&](unsigned n) { return static_cast<unsigned>(rng() % n); };
  auto chance = [&](unsigned percent) { return pick(100) < percent; };
  GeneratedCase c;
  c.target_name = kProfiles[pick(kProfiles.size())];
  std::string error;
  auto t = analysis::loadTarget(c.target_name, error);
  if (!t) throw std::runtime_error(error);
  c.target = *t;
  // Switch options off at random (each with some probability).
  for (unsigned i = 0; i < sl::kNumKconfigs; ++i)
    if (chance(8)) c.target.kconfig[i] = false;
  if (chance(10)) std::erase(c.target.lsm, "hornet");
  if (chance(3)) std::erase(c.target.lsm, "ipe");

  std::vector<sl::Op> ops;
  for (sl::Op op : sl::kAllOps)
    if (c.target.dialect.knows(sl::opSeries(op))) ops.push_back(op);
  // Concentrate on few ops so that rules interact.
  std::vector<sl::Op> used;
  unsigned nops = 1 + pick(2);
  for (unsigned i = 0; i < nops; ++i) used.push_back(ops[pick(ops.size())]);
  if (c.target.dialect.hornet && chance(40)) used.push_back(sl::Op::BpfProgLoad);

  std::string text = "policy_name=gen" + std::to_string(seed) + " policy_version=1.0.0\n";
  bool global = chance(85);
  std::vector<std::string> lines;
  if (global) lines.push_back(std::string("DEFAULT action=") + (chance(50) ? "ALLOW" : "DENY"));
  for (sl::Op op : ops) {
    bool needed = !global;
    if (needed || chance(20))
      lines.push_back("DEFAULT op=" + std::string(sl::opSpelling(op)) + " action=" + (chance(50) ? "ALLOW" : "DENY"));
  }
  unsigned nrules = 1 + pick(max_rules);
  for (unsigned r = 0; r < nrules; ++r) {
    sl::Op op = used[pick(used.size())];
    std::string line = "op=" + std::string(sl::opSpelling(op));
    unsigned nprops = pick(4);
    for (unsigned k = 0; k < nprops; ++k) {
      std::vector<sl::Prop> props;
      for (sl::Prop p : sl::kAllProps) {
        if (!c.target.dialect.knows(sl::propSeries(p))) continue;
        // Mostly properties that fit the op, sometimes any (cross-op quirks).
        bool fits = (sl::propSubject(p) == sl::Subject::Bpf) == (op == sl::Op::BpfProgLoad);
        if (fits || chance(15)) props.push_back(p);
      }
      if (props.empty()) continue;
      sl::Prop p = props[pick(props.size())];
      line += " " + std::string(sl::propKey(p)) + "=";
      switch (sl::propDomain(p)) {
        case sl::Domain::Digest:
          line += p == sl::Prop::FsverityDigest ? kFsvLiterals[pick(kFsvLiterals.size())]
                                                : kDmLiterals[pick(kDmLiterals.size())];
          break;
        case sl::Domain::Bool:
        case sl::Domain::BpfVerdict:
        case sl::Domain::BpfKeyring: {
          unsigned n = sl::domainSize(sl::propDomain(p));
          // Bias bpf_signature to a few values so rules overlap.
          unsigned v = sl::propDomain(p) == sl::Domain::BpfVerdict && chance(70) ? pick(3) : pick(n);
          line += sl::valueSpelling(sl::propDomain(p), static_cast<uint8_t>(v));
          break;
        }
      }
    }
    line += std::string(" action=") + (chance(50) ? "ALLOW" : "DENY");
    lines.push_back(line);
  }
  // DEFAULT lines may sit anywhere: shuffle them among the rules now and then.
  if (chance(30) && lines.size() > 1) std::swap(lines[0], lines[pick(lines.size())]);
  for (const std::string& l : lines) text += l + "\n";
  c.text = std::move(text);
  return c;
}

}  // namespace ipec::reference
