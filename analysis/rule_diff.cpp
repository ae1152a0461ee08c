// SPDX-License-Identifier: Apache-2.0
#include "analysis/rule_diff.h"

#include <deque>
#include <string_view>
#include <unordered_map>

#include "base/edit_script.h"

namespace ipec::analysis {
namespace {

namespace sl = ipec::stdlib;

struct Rules {
  std::vector<std::string> text;  // normalized, of the rules (not DEFAULTs), in file order
  std::vector<int32_t> statement;
};

Rules rulesOf(const SourceFile& file, const ast::Policy& policy) {
  Rules r;
  for (uint32_t i = 0; i < policy.statements.size(); ++i) {
    if (policy.statements[i].isDefault()) continue;
    r.text.push_back(normalizedText(file, policy.statements[i]));
    r.statement.push_back(static_cast<int32_t>(i));
  }
  return r;
}

// The first DEFAULT of each scope: slot 0 global, 1 + op for each op (the kernel accepts one).
std::vector<int32_t> defaultsOf(const ast::Policy& policy) {
  std::vector<int32_t> slots(1 + sl::kNumOps, -1);
  for (uint32_t i = 0; i < policy.statements.size(); ++i) {
    const ast::Statement& s = policy.statements[i];
    if (!s.isDefault()) continue;
    int32_t& slot = slots[s.has_op ? 1 + static_cast<unsigned>(s.op) : 0];
    if (slot < 0) slot = static_cast<int32_t>(i);
  }
  return slots;
}

void diffDefaults(const ast::Policy& old_policy, const ast::Policy& new_policy, RuleDiff& out) {
  const std::vector<int32_t> a = defaultsOf(old_policy), b = defaultsOf(new_policy);
  for (size_t k = 0; k < a.size(); ++k) {
    const bool same = (a[k] < 0 && b[k] < 0) ||
                      (a[k] >= 0 && b[k] >= 0 && old_policy.statements[a[k]].action == new_policy.statements[b[k]].action);
    if (same) continue;
    DefaultChange c{k == 0, k == 0 ? sl::Op{} : static_cast<sl::Op>(k - 1), a[k], b[k]};
    out.defaults.push_back(c);
  }
}

// The normalized text without its `action=` token.
std::string withoutAction(std::string_view text) {
  std::string out;
  for (size_t at = 0; at <= text.size();) {
    const size_t end = std::min(text.find(' ', at), text.size());
    const std::string_view token = text.substr(at, end - at);
    if (!token.starts_with("action=")) out.append(out.empty() ? "" : " ").append(token);
    at = end + 1;
  }
  return out;
}

}  // namespace

std::string normalizedText(const SourceFile& file, const ast::Statement& s) {
  std::string_view line = file.bytes().substr(s.range.begin, s.range.size());
  std::string out;
  for (size_t at = 0; at < line.size();) {
    at = line.find_first_not_of(" \t", at);
    if (at == std::string_view::npos) break;
    const size_t end = std::min(line.find_first_of(" \t", at), line.size());
    if (!out.empty()) out += ' ';
    out.append(line.substr(at, end - at));
    at = end;
  }
  return out;
}

RuleDiff diffRules(const SourceFile& old_file, const ast::Policy& old_policy, const SourceFile& new_file,
                   const ast::Policy& new_policy) {
  RuleDiff out;
  const Rules a = rulesOf(old_file, old_policy), b = rulesOf(new_file, new_policy);
  const std::vector<std::string_view> av(a.text.begin(), a.text.end()), bv(b.text.begin(), b.text.end());
  const std::vector<Edit> script = editScript(av, bv);
  std::vector<size_t> dels, adds;  // what the script deletes from OLD and adds from NEW, in order
  size_t i = 0, j = 0;
  for (Edit e : script) {
    if (e == Edit::Del) dels.push_back(i);
    if (e == Edit::Add) adds.push_back(j);
    i += e != Edit::Add;
    j += e != Edit::Del;
  }
  // A rule deleted in one place and added in another with the same text has moved; one added
  // with the same text but for its action has changed its action. Pairs are matched in order.
  std::vector<bool> paired(a.text.size(), false);
  std::vector<RuleChange> later;
  for (size_t k : adds) later.push_back({RuleChangeKind::Added, -1, b.statement[k]});
  auto pairUp = [&](std::string (*key)(std::string_view), RuleChangeKind kind) {
    std::unordered_map<std::string, std::deque<size_t>> open;
    for (size_t d : dels)
      if (!paired[d]) open[key(av[d])].push_back(d);
    for (size_t k = 0; k < adds.size(); ++k) {
      if (later[k].kind != RuleChangeKind::Added) continue;
      auto it = open.find(key(bv[adds[k]]));
      if (it == open.end() || it->second.empty()) continue;
      const size_t from = it->second.front();
      it->second.pop_front();
      paired[from] = true;
      later[k] = {kind, a.statement[from], b.statement[adds[k]]};
    }
  };
  pairUp([](std::string_view t) { return std::string(t); }, RuleChangeKind::Moved);
  pairUp(withoutAction, RuleChangeKind::ActionChanged);
  for (size_t d : dels)
    if (!paired[d]) out.rules.push_back({RuleChangeKind::Removed, a.statement[d], -1});
  out.rules.insert(out.rules.end(), later.begin(), later.end());
  diffDefaults(old_policy, new_policy, out);
  const bool old_header = old_policy.header.has_value(), new_header = new_policy.header.has_value();
  out.name_changed = old_header != new_header || (old_header && old_policy.header->name != new_policy.header->name);
  out.version_changed = old_header != new_header ||
                        (old_header && old_policy.header->version.ordinal() != new_policy.header->version.ordinal());
  return out;
}

}  // namespace ipec::analysis
