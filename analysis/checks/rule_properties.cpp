// SPDX-License-Identifier: Apache-2.0
// duplicate-property, contradictory-properties: one rule tests the same property twice.
#include <fmt/format.h>

#include <array>
#include <string>

#include "analysis/lint.h"

namespace ipec::analysis {
namespace {

namespace sl = ipec::stdlib;

bool sameValue(const ast::Property& a, const ast::Property& b) {
  if (sl::propDomain(a.prop) == sl::Domain::Digest) return a.digest == b.digest;
  return a.value == b.value;
}

}  // namespace

void checkRuleProperties(const LintContext& cx) {
  std::string_view bytes = cx.file.bytes();
  auto text = [&](Range r) { return bytes.substr(r.begin, r.size()); };
  for (const ast::Statement& s : cx.policy.statements) {
    std::array<const ast::Property*, sl::kNumProps> first{};
    for (const ast::Property* p = cx.policy.propsBegin(s); p != cx.policy.propsEnd(s); ++p) {
      const ast::Property*& seen = first[static_cast<unsigned>(p->prop)];
      if (!seen) {
        seen = p;
        continue;
      }
      Diagnostic d;
      d.severity = Severity::Warning;
      d.range = p->range;
      if (sameValue(*seen, *p)) {
        d.id = DiagId::DuplicateProperty;
        d.message = fmt::format("{} appears twice in this rule; the second has no effect", quote(text(p->range)));
        d.notes.push_back({seen->range, "first here"});
      } else {
        d.id = DiagId::ContradictoryProperties;
        d.message = fmt::format("{} and {} cannot both hold; this rule never matches", quote(text(seen->range)),
                                quote(text(p->range)));
        d.notes.push_back({seen->range, "the other property is here"});
      }
      cx.diags.report(std::move(d));
    }
  }
}

}  // namespace ipec::analysis
