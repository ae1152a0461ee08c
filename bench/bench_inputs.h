// SPDX-License-Identifier: Apache-2.0
// The deterministic policies the benchmarks share (bench_frontend, bench_lsp, bench_table):
// generated from fixed seeds, so that every run and every benchmark reads the same text.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "base/hex.h"

namespace ipec::bench {

struct SplitMix64 {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint32_t below(uint32_t n) { return static_cast<uint32_t>((next() >> 32) * n >> 32); }
};

inline void appendHex(std::string& out, SplitMix64& rng, size_t hex_digits) {
  while (hex_digits > 0) {
    uint64_t v = rng.next();
    for (int i = 0; i < 16 && hex_digits > 0; ++i, --hex_digits) {
      out += hexDigit(v & 0xf);
      v >>= 4;
    }
  }
}

inline constexpr const char* kHeader = "policy_name=bench_allowlist policy_version=1.0.0\nDEFAULT action=DENY\n";

inline void appendAllowRule(std::string& out, SplitMix64& rng) {
  out += "op=EXECUTE fsverity_digest=sha256:";
  appendHex(out, rng, 64);
  out += " action=ALLOW\n";
}

struct Input {
  std::string text;
  size_t rules = 0;       // rule lines (op=... action=...)
  size_t statements = 0;  // rules and DEFAULT lines: what a complete parse yields
};

// `rules` allowlist lines after the header and `DEFAULT action=DENY`.
inline Input makeAllowlist(size_t rules) {
  Input in;
  SplitMix64 rng{0x1be5eedull + rules};
  in.text.reserve(std::strlen(kHeader) + rules * 112);
  in.text += kHeader;
  for (size_t i = 0; i < rules; ++i) appendAllowRule(in.text, rng);
  in.rules = rules;
  in.statements = rules + 1;
  return in;
}

// As many allowlist rules as fit in `max_bytes`.
inline Input makeAllowlistOfSize(size_t max_bytes) {
  Input in;
  SplitMix64 rng{0x64c0ffeeull};
  in.text = kHeader;
  std::string line;
  while (true) {
    line.clear();
    appendAllowRule(line, rng);
    if (in.text.size() + line.size() > max_bytes) break;
    in.text += line;
    ++in.rules;
  }
  in.statements = in.rules + 1;
  return in;
}

// A realistic mixed policy of at most `max_bytes`: comments, per-op DEFAULTs, every mainline op
// with boolean properties, dm-verity root hashes and fs-verity digests of several algorithms.
inline Input makeMixedOfSize(size_t max_bytes) {
  static constexpr const char* kOps[] = {"EXECUTE", "FIRMWARE", "KMODULE", "KEXEC_IMAGE",
                                         "KEXEC_INITRAMFS", "POLICY", "X509_CERT"};
  Input in;
  in.rules = 1;
  SplitMix64 rng{0x3d1fedull};
  in.text =
      "# Generated mixed policy for ipec benchmarks.\n"
      "policy_name=bench_mixed policy_version=2.4.0\n\n"
      "DEFAULT action=DENY\n"
      "DEFAULT op=KEXEC_IMAGE action=DENY\n"
      "op=EXECUTE boot_verified=TRUE action=ALLOW\n";
  std::string line;
  for (size_t i = 0;; ++i) {
    line.clear();
    const char* op = kOps[i % 7];
    switch (i % 8) {
      case 0: line += "# group " + std::to_string(i / 8) + "\n"; break;
      case 1: line += std::string("op=") + op + " dmverity_signature=TRUE action=ALLOW\n"; break;
      case 2:
        line += std::string("op=") + op + " dmverity_roothash=sha256:";
        appendHex(line, rng, 64);
        line += " action=ALLOW\n";
        break;
      case 3:
        line += std::string("op=") + op + " fsverity_digest=sha512:";
        appendHex(line, rng, 128);
        line += " action=ALLOW # pinned\n";
        break;
      case 4: line += std::string("op=") + op + " fsverity_signature=TRUE action=ALLOW\n"; break;
      case 5:
        line += std::string("op=") + op + " boot_verified=FALSE fsverity_digest=sha256:";
        appendHex(line, rng, 64);
        line += " action=DENY\n";
        break;
      default: appendAllowRule(line, rng); break;
    }
    if (in.text.size() + line.size() > max_bytes) break;
    in.text += line;
    if (line[0] != '#') ++in.rules;
  }
  in.statements = in.rules + 2;
  return in;
}

}  // namespace ipec::bench
