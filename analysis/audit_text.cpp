// SPDX-License-Identifier: Apache-2.0
#include "analysis/audit_text.h"

#include "base/hex.h"

namespace ipec::analysis {
namespace {

namespace sl = ipec::stdlib;

// audit_log_untrustedstring(): quoted, unless a byte is '"', below 0x21 or above 0x7e.
void untrusted(std::string& out, std::string_view s) {
  for (unsigned char c : s)
    if (c == '"' || c < 0x21 || c > 0x7e) return appendHex(out, s, HexCase::Upper);
  out += '"';
  out.append(s);
  out += '"';
}

}  // namespace

std::string auditRule(const ast::Policy& policy, const ast::Statement& s) {
  std::string out;
  if (s.isDefault()) {
    out = "DEFAULT ";
    if (s.has_op) out += "op=" + std::string(sl::opSpelling(s.op)) + " ";
    return out + "action=" + std::string(sl::actionSpelling(s.action));
  }
  out = "op=" + std::string(sl::opSpelling(s.op)) + " ";
  for (const ast::Property* p = policy.propsBegin(s); p != policy.propsEnd(s); ++p) {
    out += sl::propKey(p->prop);
    out += '=';
    if (sl::propDomain(p->prop) == sl::Domain::Digest) {
      DigestView d = policy.digests.get(p->digest);
      untrusted(out, d.alg);
      out += ':';
      appendHex(out, d.bytes, HexCase::Upper);
    } else {
      out += sl::valueSpelling(sl::propDomain(p->prop), p->value);
    }
    out += ' ';
  }
  return out + "action=" + std::string(sl::actionSpelling(s.action));
}

}  // namespace ipec::analysis
