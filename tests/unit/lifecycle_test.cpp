// SPDX-License-Identifier: Apache-2.0
// The kernel's policy store rules (ipe-language.md §5, FINDINGS.md "Lifecycle"), through the
// real `ipec lifecycle` pipeline pieces.
#include "analysis/lifecycle.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace ipec::test {
namespace {

struct Loaded {
  pipeline::CheckedPolicy p;
  const ast::Header* header() const { return p.parsed.policy.header ? &*p.parsed.policy.header : nullptr; }
  KernelVerdict verdict() const { return p.diags->verdict(); }
};

Loaded pol(const std::string& name, const std::string& version, bool for_update = false) {
  pipeline::PipelineConfig config;
  config.check_policy_name = !for_update;  // as `ipec lifecycle` checks an update
  return {pipeline::checkPolicy("t.pol", "policy_name=" + name + " policy_version=" + version + "\nDEFAULT action=ALLOW\n",
                              config)};
}

TEST(Lifecycle, NewPolicy) {
  analysis::PolicyStore s;
  Loaded a = pol("A", "1.0.0");
  EXPECT_EQ(s.newPolicy(a.verdict(), a.header()).errno_name, "OK");
  EXPECT_FALSE(s.active());  // a new policy is not active
  Loaded a2 = pol("A", "2.0.0");
  EXPECT_EQ(s.newPolicy(a2.verdict(), a2.header()).errno_name, "EEXIST");  // even with a higher version
  Loaded bad = pol("B", "1.x.0");
  EXPECT_EQ(s.newPolicy(bad.verdict(), bad.header()).errno_name, "EINVAL");
  Loaded slash = pol("a/b", "1.0.0");
  EXPECT_EQ(s.newPolicy(slash.verdict(), slash.header()).errno_name, "EACCES");
}

TEST(Lifecycle, Update) {
  analysis::PolicyStore s;
  Loaded a = pol("A", "1.0.0");
  s.newPolicy(a.verdict(), a.header());
  Loaded same = pol("A", "1.0.0"), lower = pol("A", "0.9.9"), other = pol("B", "2.0.0"), higher = pol("A", "1.0.1");
  EXPECT_EQ(s.update("A", same.verdict(), same.header()).errno_name, "ESTALE");   // equal: rejected
  EXPECT_EQ(s.update("A", lower.verdict(), lower.header()).errno_name, "ESTALE");
  EXPECT_EQ(s.update("A", other.verdict(), other.header()).errno_name, "EINVAL");  // another name
  EXPECT_EQ(s.update("Z", higher.verdict(), higher.header()).errno_name, "ENOENT");
  EXPECT_EQ(s.update("A", higher.verdict(), higher.header()).errno_name, "OK");
  Loaded broken = pol("A", "9.9");
  EXPECT_EQ(s.update("A", broken.verdict(), broken.header()).errno_name, "EBADMSG");
  // An update creates no securityfs directory: a name securityfs would refuse is just another
  // name (EINVAL), not EACCES or ENAMETOOLONG (the kernel suite found this, case L10).
  for (const std::string& name : {std::string("."), std::string("a/b"), std::string(300, 'n')}) {
    Loaded odd = pol(name, "9.0.0", /*for_update=*/true);
    EXPECT_EQ(s.update("A", odd.verdict(), odd.header()).errno_name, "EINVAL") << name;
  }
}

TEST(Lifecycle, ActivateAndDelete) {
  analysis::PolicyStore s;
  Loaded a = pol("A", "2.0.0"), b = pol("B", "1.0.0"), c = pol("C", "2.0.0");
  s.newPolicy(a.verdict(), a.header());
  s.newPolicy(b.verdict(), b.header());
  s.newPolicy(c.verdict(), c.header());
  EXPECT_EQ(s.activate("A", false).errno_name, "EINVAL");  // writing 0
  EXPECT_EQ(s.activate("A", true).errno_name, "OK");
  EXPECT_EQ(s.activate("A", true).errno_name, "OK");      // already active: no-op
  EXPECT_EQ(s.activate("B", true).errno_name, "EINVAL");  // lower than the active one
  EXPECT_EQ(s.activate("C", true).errno_name, "OK");      // equal versions may switch
  EXPECT_EQ(s.remove("C", true).errno_name, "EPERM");     // the active policy
  EXPECT_EQ(s.remove("A", false).errno_name, "EINVAL");   // writing 0
  EXPECT_EQ(s.remove("A", true).errno_name, "OK");
  EXPECT_EQ(s.remove("A", true).errno_name, "ENOENT");
  // Updating the active policy keeps it active at the new version.
  Loaded c3 = pol("C", "3.0.0");
  EXPECT_EQ(s.update("C", c3.verdict(), c3.header()).errno_name, "OK");
  EXPECT_EQ(s.active(), std::optional<std::string>("C"));
}

// Names in messages are escaped (a policy name may hold any byte but space, TAB and NUL), and
// shown whole up to the kernel's 255 bytes. Some messages once printed them raw.
TEST(Lifecycle, NamesInMessagesAreEscapedAndWhole) {
  analysis::PolicyStore s;
  Loaded a = pol("\x1b[2J", "1.0.0");
  ASSERT_EQ(s.newPolicy(a.verdict(), a.header()).errno_name, "OK");
  for (const analysis::LifeResult& r : {s.activate("\x1b[2J", true), s.activate("\x1b[2J", true),
                                        s.remove("\x1b[2J", true), s.remove("\x1b[3J", true)}) {
    EXPECT_EQ(r.message.find('\x1b'), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("\\x1b"), std::string::npos) << r.message;
  }
  std::string longname(200, 'n');
  longname += "END";
  Loaded l = pol(longname, "1.0.0");
  analysis::LifeResult r = s.newPolicy(l.verdict(), l.header());
  ASSERT_EQ(r.errno_name, "OK") << r.message;
  EXPECT_NE(r.message.find("nEND`"), std::string::npos) << r.message;
  EXPECT_EQ(r.message.find("..."), std::string::npos) << r.message;
}

}  // namespace
}  // namespace ipec::test
