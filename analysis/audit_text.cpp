// SPDX-License-Identifier: Apache-2.0
#include "analysis/audit_text.h"

#include <fmt/format.h>

#include <iterator>

#include "base/hex.h"

namespace ipec::analysis {
namespace {

namespace sl = ipec::stdlib;

// audit_log_untrustedstring(): quoted, unless a byte is '"', below 0x21 or above 0x7e.
void untrusted(std::string& out, std::string_view s) {
  for (unsigned char c : s)
    if (c == '"' || c < 0x21 || c > 0x7e) return appendHex(out, s, HexCase::Upper);
  fmt::format_to(std::back_inserter(out), "\"{}\"", s);
}

}  // namespace

namespace {

std::string render(const ast::Policy& policy, const ast::Statement& s, const AuditDigestMarkers* markers) {
  std::string out;
  auto add = std::back_inserter(out);
  if (s.isDefault()) {
    out = "DEFAULT ";
    if (s.has_op) fmt::format_to(add, "op={} ", sl::opSpelling(s.op));
    fmt::format_to(add, "action={}", sl::actionSpelling(s.action));
    return out;
  }
  fmt::format_to(add, "op={} ", sl::opSpelling(s.op));
  for (const ast::Property* p = policy.propsBegin(s); p != policy.propsEnd(s); ++p) {
    fmt::format_to(add, "{}=", sl::propKey(p->prop));
    if (sl::propDomain(p->prop) != sl::Domain::Digest) {
      out += sl::valueSpelling(sl::propDomain(p->prop), p->value);
    } else if (markers) {
      out += p->prop == sl::Prop::FsverityDigest ? markers->fsverity : markers->dmverity;
    } else {
      DigestView d = policy.digests.get(p->digest);
      out += auditDigest(d.alg, d.bytes);
    }
    out += ' ';
  }
  fmt::format_to(add, "action={}", sl::actionSpelling(s.action));
  return out;
}

}  // namespace

std::string auditDigest(std::string_view alg, std::string_view bytes) {
  std::string out;
  untrusted(out, alg);
  out += ':';
  appendHex(out, bytes, HexCase::Upper);
  return out;
}

std::string auditRule(const ast::Policy& policy, const ast::Statement& s) { return render(policy, s, nullptr); }

std::string auditRuleFormat(const ast::Policy& policy, const ast::Statement& s, AuditDigestMarkers markers) {
  return render(policy, s, &markers);
}

}  // namespace ipec::analysis
