// SPDX-License-Identifier: Apache-2.0
// The rule-level part of `ipec diff`: rules matched by their normalized text.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include "analysis/rule_diff.h"
#include "tests/unit/test_util.h"

namespace ipec::test {
namespace {

using namespace ipec::analysis;

// Each change as `KIND old-line new-line` (lines counted from 1; 0 where there is none).
std::vector<std::string> changes(const std::string& old_text, const std::string& new_text) {
  pipeline::CheckedPolicy a = check(old_text), b = check(new_text);
  const RuleDiff d = diffRules(*a.file, a.parsed.policy, *b.file, b.parsed.policy);
  auto line = [](const pipeline::CheckedPolicy& p, int32_t s) {
    return s < 0 ? 0u : p.file->lineCol(p.parsed.policy.statements[s].range.begin).line;
  };
  const char* kinds[] = {"added", "removed", "moved", "action"};
  std::vector<std::string> out;
  for (const RuleChange& c : d.rules)
    out.push_back(fmt::format("{} {} {}", kinds[static_cast<int>(c.kind)], line(a, c.old_statement), line(b, c.new_statement)));
  for (const DefaultChange& c : d.defaults)
    out.push_back(fmt::format("default {} {} {}", c.global ? "global" : std::string(stdlib::opSpelling(c.op)),
                              line(a, c.old_statement), line(b, c.new_statement)));
  if (d.name_changed) out.push_back("name");
  if (d.version_changed) out.push_back("version");
  return out;
}

const std::string kHead = "policy_name=p policy_version=1.0.0\nDEFAULT action=ALLOW\n";
const std::string kA = "op=EXECUTE boot_verified=TRUE action=ALLOW\n";
const std::string kB = "op=KMODULE boot_verified=TRUE action=DENY\n";
const std::string kC = "op=EXECUTE fsverity_signature=TRUE action=DENY\n";

TEST(RuleDiff, LayoutAndCommentsAreNoChange) {
  EXPECT_TRUE(changes(kHead + kA + kB, "policy_name=p   policy_version=1.0.0 # v1\nDEFAULT\taction=ALLOW\n"
                                       "op=EXECUTE  boot_verified=TRUE\taction=ALLOW # a\n" + kB)
                  .empty());
}

TEST(RuleDiff, AddedRemovedMoved) {
  EXPECT_EQ(changes(kHead + kA + kB, kHead + kA + kB + kC), (std::vector<std::string>{"added 0 5"}));
  EXPECT_EQ(changes(kHead + kA + kB + kC, kHead + kA + kC), (std::vector<std::string>{"removed 4 0"}));
  EXPECT_EQ(changes(kHead + kA + kB + kC, kHead + kB + kC + kA), (std::vector<std::string>{"moved 3 5"}));
}

TEST(RuleDiff, ActionChangedIsOneChange) {
  EXPECT_EQ(changes(kHead + kA + kB, kHead + kA + "op=KMODULE boot_verified=TRUE action=ALLOW\n"),
            (std::vector<std::string>{"action 4 4"}));
}

TEST(RuleDiff, DefaultsAndHeader) {
  EXPECT_EQ(changes(kHead + kA, "policy_name=q policy_version=1.0.1\nDEFAULT action=DENY\nDEFAULT op=EXECUTE action=DENY\n" + kA),
            (std::vector<std::string>{"default global 2 2", "default EXECUTE 0 3", "name", "version"}));
  // A DEFAULT that moves but keeps its action is no change.
  EXPECT_TRUE(changes(kHead + kA, "policy_name=p policy_version=1.0.0\n" + kA + "DEFAULT action=ALLOW\n").empty());
}

}  // namespace
}  // namespace ipec::test
