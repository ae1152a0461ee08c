// SPDX-License-Identifier: Apache-2.0
// unknown-digest-alg, digest-length, empty-digest: digest literals the kernel accepts but can
// never match, because fs-verity and dm-verity only report certain (algorithm, length) pairs.
#include <string>

#include "analysis/lint.h"

namespace ipec::analysis {
namespace {

namespace sl = ipec::stdlib;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

bool produces(sl::Prop prop, sl::DigestAlg alg) {
  return prop == sl::Prop::FsverityDigest ? sl::fsverityProduces(alg) : sl::dmverityProduces(alg);
}

std::string producedList(sl::Prop prop) {
  std::string out;
  for (unsigned i = 0; i < sl::kNumDigestAlgs; ++i) {
    auto alg = static_cast<sl::DigestAlg>(i);
    if (!produces(prop, alg)) continue;
    if (!out.empty()) out += ", ";
    out += sl::digestAlgName(alg);
  }
  return out;
}

void warn(const LintContext& cx, DiagId id, Range r, std::string message) {
  Diagnostic d;
  d.id = id;
  d.severity = Severity::Warning;
  d.range = r;
  d.message = std::move(message);
  cx.diags.report(std::move(d));
}

}  // namespace

void checkDigestLiterals(const LintContext& cx) {
  for (const ast::Property& p : cx.policy.properties) {
    if (sl::propDomain(p.prop) != sl::Domain::Digest) continue;
    DigestView d = cx.policy.digests.get(p.digest);
    std::string_view key = sl::propKey(p.prop);
    const std::string_view subsystem = p.prop == sl::Prop::FsverityDigest ? "fs-verity" : "dm-verity";
    if (d.bytes.empty()) {
      warn(cx, DiagId::EmptyDigest, p.range,
           "`" + std::string(key) + "` has no hex digits after the algorithm; it never matches");
      continue;
    }
    auto alg = sl::lookupDigestAlg(d.alg);
    if (!alg || !produces(p.prop, *alg)) {
      std::string msg;
      auto folded = sl::lookupDigestAlg(lower(d.alg));
      if (d.alg.empty())
        msg = "digest has an empty algorithm name; it never matches";
      else if (!alg && folded && produces(p.prop, *folded))
        msg = "digest algorithm " + quote(d.alg) + " is not lower case; the kernel compares names exactly and " +
              std::string(subsystem) + " reports `" + std::string(sl::digestAlgName(*folded)) +
              "`, so this never matches";
      else
        msg = std::string(subsystem) + " never reports " + quote(d.alg) +
              " digests, so this never matches; it reports " + producedList(p.prop);
      warn(cx, DiagId::UnknownDigestAlg, p.range, msg);
      continue;
    }
    unsigned want = sl::digestAlgLength(*alg);
    if (d.bytes.size() != want) {
      warn(cx, DiagId::DigestLength, p.range,
           std::string(sl::digestAlgName(*alg)) + " digest has " + std::to_string(d.bytes.size()) +
               (d.bytes.size() == 1 ? " byte" : " bytes") + " (" + std::to_string(d.bytes.size() * 2) +
               " hex digits); " + std::string(sl::digestAlgName(*alg)) + " digests have " +
               std::to_string(want) + " bytes (" + std::to_string(want * 2) +
               " hex digits), so this never matches");
    }
  }
}

}  // namespace ipec::analysis
