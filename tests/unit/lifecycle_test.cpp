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

// Every answer's message, word for word (the analysis builds them with fmt; a golden cannot run
// a lifecycle script, which names other files).
TEST(Lifecycle, Messages) {
  analysis::PolicyStore s;
  Loaded a1 = pol("A", "1.0.0"), a2 = pol("A", "2.0.0"), b = pol("B", "1.0.0"), c = pol("C", "1.0.0");
  auto said = [](const analysis::LifeResult& r) { return r.errno_name + ": " + r.message; };
  EXPECT_EQ(said(s.newPolicy(a1.verdict(), a1.header())), "OK: loaded `A` 1.0.0 (not active)");
  EXPECT_EQ(said(s.newPolicy(a2.verdict(), a2.header())),
            "EEXIST: a policy named `A` is already loaded; new versions go through its policies/NAME/update file");
  EXPECT_EQ(said(s.update("Z", a2.verdict(), a2.header())),
            "ENOENT: no policy `Z` is loaded, so policies/Z/update does not exist");
  EXPECT_EQ(said(s.update("A", b.verdict(), b.header())), "EINVAL: the new text is named `B`, not `A`");
  EXPECT_EQ(said(s.update("A", a1.verdict(), a1.header())), "ESTALE: version 1.0.0 is not newer than the loaded 1.0.0");
  EXPECT_EQ(said(s.update("A", a2.verdict(), a2.header())), "OK: `A` is now 2.0.0");
  s.newPolicy(b.verdict(), b.header());
  s.newPolicy(c.verdict(), c.header());
  EXPECT_EQ(said(s.activate("Q", true)), "ENOENT: no policy `Q` is loaded");
  EXPECT_EQ(said(s.activate("A", false)), "EINVAL: `active` only takes a true value; there is no deactivation");
  EXPECT_EQ(said(s.activate("A", true)), "OK: `A` is active");
  EXPECT_EQ(said(s.activate("A", true)), "OK: `A` is already active");
  EXPECT_EQ(said(s.activate("B", true)), "EINVAL: the active policy `A` has a higher version (2.0.0 > 1.0.0)");
  Loaded a3 = pol("A", "3.0.0");
  EXPECT_EQ(said(s.update("A", a3.verdict(), a3.header())), "OK: `A` is now 3.0.0 (still active)");
  EXPECT_EQ(said(s.remove("Q", true)), "ENOENT: no policy `Q` is loaded");
  EXPECT_EQ(said(s.remove("B", false)), "EINVAL: `delete` only takes a true value");
  EXPECT_EQ(said(s.remove("A", true)), "EPERM: `A` is the active policy and cannot be deleted");
  EXPECT_EQ(said(s.remove("B", true)), "OK: `B` is deleted");
  Loaded bad = pol("D", "1.x.0");
  analysis::LifeResult r = s.newPolicy(bad.verdict(), bad.header());
  EXPECT_EQ(said(r), "EINVAL: the kernel rejects the policy text [bad-version]");
  EXPECT_TRUE(r.text_rejected);
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
