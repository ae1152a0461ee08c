// SPDX-License-Identifier: Apache-2.0
#include "analysis/audit_map.h"

#include <llvm/ADT/StringRef.h>

#include "analysis/audit_text.h"

namespace ipec::analysis {
namespace {

namespace sl = ipec::stdlib;
using llvm::StringRef;

// One field of auparse's split, printed as ausearch -i prints it.
void field(std::string& out, StringRef token) {
  if (!out.empty()) out += ' ';
  size_t eq = token.find('=');
  if (eq != StringRef::npos && token.take_front(eq) == "action") {
    out += token.take_front(eq + 1).str() + "unknown-action(" + token.drop_front(eq + 1).str() + ")";
    return;
  }
  out += token.str();
}

}  // namespace

// Measured against ausearch 3.0.9 on 1200 generated rules (empty, one- and two-letter and hex
// algorithms, empty digests, several digests per rule): every rendering equal.
std::string ausearchRule(std::string_view rule) {
  const std::string s = "rule=\"" + std::string(rule) + "\"";
  const StringRef all(s);
  std::string out;
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    while (i < n && s[i] == ' ') ++i;
    if (i >= n) break;
    size_t j = std::min(all.find(' ', i), n);
    StringRef tok = all.slice(i, j);
    size_t eq = tok.find('=');
    if (eq != StringRef::npos && eq + 1 < tok.size() && tok[eq + 1] == '"') {
      size_t q = all.find('"', i + eq + 2);
      if (q != StringRef::npos) {
        field(out, all.slice(i, q + 1));
        i = q + 2;  // auparse steps over the byte after the closing quote, taking it for a blank
        if (i < n && s[i] == ' ') {
          out += ' ';  // an empty field
          ++i;
        }
        continue;
      }
    }
    field(out, tok);
    i = j + 1;
  }
  return out.substr(std::string_view("rule=").size());
}

std::optional<sl::Action> recordAction(const AuditRecord& r) {
  StringRef rule(r.rule);
  size_t at = rule.rfind("action=");
  if (at == StringRef::npos) return std::nullopt;
  StringRef v = rule.drop_front(at + 7);
  v.consume_front("unknown-action(");
  v = v.take_while([](char c) { return c >= 'A' && c <= 'Z'; });
  return sl::lookupAction(v);
}

AuditRuleIndex::AuditRuleIndex(const ast::Policy& policy) : policy_(policy) {
  for (uint32_t i = 0; i < policy.statements.size(); ++i) {
    std::string text = auditRule(policy, policy.statements[i]);
    interpreted_[ausearchRule(text)].push_back(i);
    raw_[text].push_back(i);
    const ast::Statement& s = policy.statements[i];
    if (s.isDefault() && s.has_op) op_default_[static_cast<unsigned>(s.op)] = true;
  }
}

std::vector<uint32_t> AuditRuleIndex::lookup(const AuditRecord& r) const {
  const auto& map = r.interpreted ? interpreted_ : raw_;
  auto it = map.find(r.rule);
  if (it == map.end()) return {};
  // A rule names its op; a record of another op cannot come from it. The global DEFAULT decides
  // for the ops without a DEFAULT of their own, and for the kernel's UNKNOWN.
  const std::optional<sl::Op> op = sl::lookupOp(r.op);
  std::vector<uint32_t> out;
  for (uint32_t s : it->second) {
    const ast::Statement& st = policy_.statements[s];
    if (st.has_op ? sl::opSpelling(st.op) == r.op : !(op && op_default_[static_cast<unsigned>(*op)])) out.push_back(s);
  }
  return out;
}

void DecisionCounts::add(const AuditRecord& r, sl::Action a) {
  ++total;
  (a == sl::Action::Allow ? allow : deny) += 1;
  if (r.enforcing == 0) ++permissive;
  ++by[{r.op, r.hook, std::string(sl::actionSpelling(a))}];
}

AuditCoverage auditCoverage(const ast::Policy* policy, const std::vector<const AuditRecord*>& records) {
  AuditCoverage c;
  std::optional<AuditRuleIndex> index;
  if (policy) {
    index.emplace(*policy);
    c.per_statement.resize(policy->statements.size());
    c.duplicates.resize(policy->statements.size());
    for (uint32_t i = 0; i < policy->statements.size(); ++i) {
      AuditRecord probe;
      probe.rule = auditRule(*policy, policy->statements[i]);
      const ast::Statement& st = policy->statements[i];
      probe.op = st.has_op ? std::string(sl::opSpelling(st.op)) : std::string();
      std::vector<uint32_t> same = index->lookup(probe);
      if (!same.empty() && same.front() == i)
        c.duplicates[i].assign(same.begin() + 1, same.end());
    }
  }
  for (const AuditRecord* r : records) {
    ++c.records;
    std::vector<uint32_t> hits = index ? index->lookup(*r) : std::vector<uint32_t>();
    if (!hits.empty()) {
      ++c.mapped;
      c.per_statement[hits.front()].add(*r, policy->statements[hits.front()].action);
      c.statement_of.push_back(static_cast<int32_t>(hits.front()));
      continue;
    }
    if (index) ++c.unmapped;
    c.statement_of.push_back(-1);
    c.by_text[r->rule].add(*r, recordAction(*r).value_or(sl::Action::Deny));
    c.first_of_text.emplace(r->rule, r);
  }
  return c;
}

}  // namespace ipec::analysis
