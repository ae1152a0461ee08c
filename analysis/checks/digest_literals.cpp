// SPDX-License-Identifier: Apache-2.0
// unknown-digest-alg, digest-length, empty-digest: digest literals the kernel accepts but can
// never match, because fs-verity and dm-verity only report certain (algorithm, length) pairs.
#include <fmt/format.h>
#include <llvm/ADT/StringRef.h>

#include <iterator>
#include <string>

#include "analysis/lint.h"

namespace ipec::analysis {
namespace {

namespace sl = ipec::stdlib;

bool produces(sl::Prop prop, sl::DigestAlg alg) {
  return prop == sl::Prop::FsverityDigest ? sl::fsverityProduces(alg) : sl::dmverityProduces(alg);
}

std::string producedList(sl::Prop prop) {
  std::string out;
  for (unsigned i = 0; i < sl::kNumDigestAlgs; ++i) {
    auto alg = static_cast<sl::DigestAlg>(i);
    if (!produces(prop, alg)) continue;
    fmt::format_to(std::back_inserter(out), "{}{}", out.empty() ? "" : ", ", sl::digestAlgName(alg));
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
           fmt::format("`{}` has no hex digits after the algorithm; it never matches", key));
      continue;
    }
    auto alg = sl::lookupDigestAlg(d.alg);
    if (!alg || !produces(p.prop, *alg)) {
      std::string msg;
      auto folded = sl::lookupDigestAlg(llvm::StringRef(d.alg).lower());
      if (d.alg.empty())
        msg = "digest has an empty algorithm name; it never matches";
      else if (!alg && folded && produces(p.prop, *folded))
        msg = fmt::format("digest algorithm {} is not lower case; the kernel compares names exactly and {} reports "
                          "`{}`, so this never matches",
                          quote(d.alg), subsystem, sl::digestAlgName(*folded));
      else
        msg = fmt::format("{} never reports {} digests, so this never matches; it reports {}", subsystem,
                          quote(d.alg), producedList(p.prop));
      warn(cx, DiagId::UnknownDigestAlg, p.range, msg);
      continue;
    }
    unsigned want = sl::digestAlgLength(*alg);
    if (d.bytes.size() != want) {
      const std::string_view name = sl::digestAlgName(*alg);
      warn(cx, DiagId::DigestLength, p.range,
           fmt::format("{} digest has {} {} ({} hex digits); {} digests have {} bytes ({} hex digits), so this "
                       "never matches",
                       name, d.bytes.size(), d.bytes.size() == 1 ? "byte" : "bytes", d.bytes.size() * 2, name, want,
                       want * 2));
    }
  }
}

}  // namespace ipec::analysis
