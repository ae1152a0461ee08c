// SPDX-License-Identifier: Apache-2.0
// The kernel's own KUnit vectors (security/ipe/policy_tests.c) and the derived vectors of
// ipe-language.md §7.1, as verdicts.
#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace ipec::test {
namespace {

const std::string H = "policy_name=a policy_version=0.0.0\n";
const std::string D = "DEFAULT action=ALLOW\n";

TEST(KernelKunit, ParserVectors) {
  EXPECT_EQ(verdict("policy_name=Test policy_version=0.0.0\nDEFAULT action=ALLOW"), "OK");
  EXPECT_EQ(verdict("policy_name=Test policy_version=152.0.0 #This is comment\nDEFAULT action=ALLOW"), "OK");
  EXPECT_EQ(verdict("policy_name=Test policy_version=0.0.0\nDEFAULT action=ALLOW\n\n"), "OK");
  EXPECT_EQ(verdict("policy_name=Test policy_version=0.0.0\nDEFAULT action=ALLOW\n\r\n"), "OK");
  EXPECT_EQ(verdict("policy_name=Test\tpolicy_version=0.0.0\n  \tDEFAULT\taction=ALLOW\n"
                    "# comment\twith tabs\r\nDEFAULT op=EXECUTE action=DENY\n"
                    "  op=EXECUTE boot_verified=TRUE action=ALLOW\nDEFAULT op=KMODULE action=DENY\n"
                    "op=KMODULE boot_verified=TRUE action=ALLOW\n"),
            "OK");
  EXPECT_EQ(verdict("policy_name=Test policy_version=-1236.0.0\nDEFAULT action=ALLOW"), "EINVAL");
  EXPECT_EQ(verdict("policy_name=$@!*&^%%\\:;{}() policy_version=0.0.0\nDEFAULT action=ALLOW"), "OK");
  EXPECT_EQ(verdict("policy_name=Test policy_version=999999.0.0\nDEFAULT action=ALLOW"), "ERANGE");
  EXPECT_EQ(verdict("policy_name=Test policy_version=255.0\nDEFAULT action=ALLOW"), "EBADMSG");
  EXPECT_EQ(verdict("policy_name=Test policy_version=111.0.0.0\nDEFAULT action=ALLOW"), "EBADMSG");
  EXPECT_EQ(verdict(""), "EBADMSG");
  EXPECT_EQ(verdict(std::string("policy_name=test\0policy_version=0.0.0\nDEFAULT action=ALLOW", 57)), "EBADMSG");
  EXPECT_EQ(verdict(std::string("policy_name=test policy_version=0.0.0\n\0DEFAULT action=ALLOW", 59)), "EBADMSG");
  EXPECT_EQ(verdict(std::string("policy_name=test policy_version=0.0.0\nDEFAULT action=DENY\n\0"
                                "op=EXECUTE dmverity_signature=TRUE action=ALLOW\n", 106)),
            "OK");
  EXPECT_EQ(verdict(H + "DEFAULT action=DENY\nop=EXECUTE dmverity_signature=abc action=ALLOW"), "EBADMSG");
  EXPECT_EQ(verdict("DEFAULT action=ALLOW\n" + H), "EBADMSG");
  EXPECT_EQ(verdict(H), "EBADMSG");
  EXPECT_EQ(verdict(H + D + "dmverity_signature=TRUE op=EXECUTE action=ALLOW"), "EBADMSG");
  EXPECT_EQ(verdict(H + D + "action=ALLOW op=EXECUTE dmverity_signature=TRUE"), "EBADMSG");
  EXPECT_EQ(verdict("policy_name=test policy_version=0.0\n" + D), "EBADMSG");
  EXPECT_EQ(verdict(H + D + "op=UNKNOWN dmverity_signature=TRUE action=ALLOW"), "EBADMSG");
  EXPECT_EQ(verdict("policy_name=asdvpolicy_version=0.0.0\n" + D), "EBADMSG");
  EXPECT_EQ(verdict("policy_name=test\xFF\xEF policy_version=0.0.0\nDEFAULT action=DENY\n"
                    "op=EXECUTE dmverity_signature=TRUE action=ALLOW"),
            "OK");
  EXPECT_EQ(verdict(H + D + "op=EXECUTE dmverity_roothash=GOOD_DOG action=ALLOW"), "EBADMSG");
  EXPECT_EQ(verdict(H + D + H), "EBADMSG");
  EXPECT_EQ(verdict(H + D + D), "EBADMSG");
  EXPECT_EQ(verdict(H + D + "DEFAULT op=EXECUTE action=DENY\nDEFAULT op=EXECUTE action=DENY"), "EBADMSG");
  EXPECT_EQ(verdict(H + "DEFAULT action=DEN"), "EBADMSG");
  EXPECT_EQ(verdict(H + "DEFAULT action"), "EBADMSG");
  EXPECT_EQ(verdict(H + D + "UNKNOWN value=true"), "EBADMSG");
  EXPECT_EQ(verdict(H + D + "op=EXECUTE dmverity_roothash=3c64aca1f9f5c5a1e2a3e4c6f4a4c4a6d4e8f8a1 action=ALLOW"),
            "EBADMSG");
  EXPECT_EQ(verdict(H + D + "op=EXECUTE fsverity_digest=3c64aca1f9f5c5a1e2a3e4c6f4a4c4a6d4e8f8a1 action=ALLOW"),
            "EBADMSG");
}

TEST(KernelDerived, HeaderAndRuleVectors) {
  EXPECT_EQ(verdict("policy_version=0.0.0 policy_name=a\n" + D), "EBADMSG");
  EXPECT_EQ(verdict("policy_name= policy_version=0.0.0\n" + D), "EBADMSG");
  EXPECT_EQ(verdict("policy_name=a policy_version=0.0.0 x\n" + D), "EBADMSG");
  EXPECT_EQ(verdict("policy_name=a policy_version=1.x x\n" + D), "EINVAL");  // version before extra
  EXPECT_EQ(verdict("policy_name=a policy_version=65535.65535.65535\n" + D), "OK");
  EXPECT_EQ(verdict("policy_name=a policy_version=99999999999999999999.0.0\n" + D), "ERANGE");
  EXPECT_EQ(verdict("policy_name=a#b policy_version=0.0.0\n" + D), "EBADMSG");
  EXPECT_EQ(verdict("\xEF\xBB\xBF" + H + D), "EBADMSG");
  EXPECT_EQ(verdict("\n# c\n\tpolicy_name=a\tpolicy_version=0.0.0\n" + D), "OK");
  EXPECT_EQ(verdict(H + D + "default action=ALLOW"), "EBADMSG");
  EXPECT_EQ(verdict(H + D + "op=EXECUTE action=allow"), "EBADMSG");
  EXPECT_EQ(verdict(H + D + "op=EXECUTE boot_verified=TRUE boot_verified=FALSE action=ALLOW"), "OK");
  EXPECT_EQ(verdict(H + D + "op=KMODULE fsverity_digest=sha256:00 action=ALLOW"), "OK");
  EXPECT_EQ(verdict(H + D + "DEFAULT op=EXECUTE boot_verified=TRUE action=DENY"), "EBADMSG");
  EXPECT_EQ(verdict(H + D + "DEFAULT boot_verified=TRUE action=DENY"), "EBADMSG");
  EXPECT_EQ(verdict(H + D + "DEFAULT action=ALLOW op=EXECUTE"), "EBADMSG");
  for (const char* line : {"DEFAULT op=EXECUTE", "op=EXECUTE", "DEFAULT", "action=ALLOW"})
    EXPECT_EQ(verdict(H + D + line), "EBADMSG") << line;
  EXPECT_EQ(verdict(H + "DEFAULT op=EXECUTE action=DENY\n" + D), "OK");
  for (const char* d : {"sha256:", ":00", "SHA256:0011", "sha256:AbCd"})
    EXPECT_EQ(verdict(H + D + "op=EXECUTE fsverity_digest=" + d + " action=ALLOW"), "OK") << d;
  for (const char* d : {"sha256:abc", "sha256:zz", "sha256:00:11"})
    EXPECT_EQ(verdict(H + D + "op=EXECUTE fsverity_digest=" + d + " action=ALLOW"), "EINVAL") << d;
  EXPECT_EQ(verdict(H + D + "op=EXECUTE dmverity_roothash= action=ALLOW"), "EBADMSG");
  EXPECT_EQ(verdict(H + D + "op=EXECUTE\raction=ALLOW"), "EBADMSG");
  EXPECT_EQ(verdict(H + D + "# x\rop=EXECUTE action=ALLOW"), "OK");
  EXPECT_EQ(verdict(H + D + "op=EXECUTE\vaction=ALLOW"), "EBADMSG");
  EXPECT_EQ(verdict(H + D + "op=EXECUTE action=ALLOW\v"), "OK");
  EXPECT_EQ(verdict(H + D + "op=EXECUTE action=ALLOW\f\xA0"), "OK");
  EXPECT_EQ(verdict(H + D + "op=BPF_PROG_LOAD action=ALLOW"), "EBADMSG");
  EXPECT_EQ(verdict(H + D + "op=EXECUTE is_kernel=TRUE action=ALLOW"), "EBADMSG");
  // A digest error in a DEFAULT line comes before the kernel's DEFAULT-has-properties check.
  EXPECT_EQ(verdict(H + D + "DEFAULT op=EXECUTE fsverity_digest=sha256:zz action=ALLOW"), "EINVAL");
  // The last token is read as the action, never as a property.
  EXPECT_EQ(verdict(H + D + "op=EXECUTE fsverity_digest=sha256:zz"), "EBADMSG");
  EXPECT_EQ(verdict(H + D + "op=EXECUTE fsverity_digest=sha256:zz fsverity_digest=sha256:abc"), "EINVAL");
}

TEST(KernelDerived, DefaultsValidation) {
  std::string all;
  for (const char* op : {"EXECUTE", "FIRMWARE", "KMODULE", "KEXEC_IMAGE", "KEXEC_INITRAMFS", "POLICY", "X509_CERT"})
    all += std::string("DEFAULT op=") + op + " action=DENY\n";
  EXPECT_EQ(verdict(H + all), "OK");
  EXPECT_EQ(verdictOf(check(H + all, "hornet-v7")), "EBADMSG");
  EXPECT_EQ(verdictOf(check(H + all + "DEFAULT op=BPF_PROG_LOAD action=DENY\n", "hornet-v7")),
            "OK");
  EXPECT_EQ(verdict(H + all.substr(all.find('\n') + 1)), "EBADMSG");
  EXPECT_EQ(verdictOf(check(H + D + "op=BPF_PROG_LOAD bpf_kernel=TRUE action=ALLOW\n", "hornet-v7")),
            "OK");
}

TEST(KernelDerived, NameChecksComeAfterParsing) {
  EXPECT_EQ(verdict("policy_name=a/b policy_version=0.0.0\n" + D), "EACCES");
  EXPECT_EQ(verdict("policy_name=. policy_version=0.0.0\n" + D), "EACCES");
  EXPECT_EQ(verdict("policy_name=.. policy_version=0.0.0\n" + D), "EACCES");
  EXPECT_EQ(verdict("policy_name=... policy_version=0.0.0\n" + D), "OK");
  EXPECT_EQ(verdict("policy_name=" + std::string(256, 'n') + " policy_version=0.0.0\n" + D), "ENAMETOOLONG");
  EXPECT_EQ(verdict("policy_name=" + std::string(255, 'n') + " policy_version=0.0.0\n" + D), "OK");
  // '/' is checked before the length.
  EXPECT_EQ(verdict("policy_name=/" + std::string(300, 'n') + " policy_version=0.0.0\n" + D), "EACCES");
  // A parse error hides the name problem.
  EXPECT_EQ(verdict("policy_name=a/b policy_version=0.0.0\n"), "EBADMSG");
}

TEST(Ast, BuildsStatementsInFileOrder) {
  auto p = check(H + "op=EXECUTE boot_verified=TRUE fsverity_digest=sha256:00ff action=ALLOW\n" + D +
                 "DEFAULT op=KMODULE action=DENY\n");
  ASSERT_EQ(verdictOf(p), "OK");
  const ast::Policy& pol = p.parsed.policy;
  ASSERT_TRUE(pol.header);
  EXPECT_EQ(pol.header->name, "a");
  ASSERT_EQ(pol.statements.size(), 3u);
  const ast::Statement& r = pol.statements[0];
  EXPECT_FALSE(r.isDefault());
  EXPECT_EQ(r.op, stdlib::Op::Execute);
  EXPECT_EQ(r.action, stdlib::Action::Allow);
  ASSERT_EQ(r.prop_count, 2u);
  EXPECT_EQ(pol.propsBegin(r)[0].prop, stdlib::Prop::BootVerified);
  EXPECT_EQ(pol.propsBegin(r)[0].value, 1);
  DigestView d = pol.digests.get(pol.propsBegin(r)[1].digest);
  EXPECT_EQ(d.alg, "sha256");
  EXPECT_EQ(d.bytes, std::string("\x00\xff", 2));
  EXPECT_TRUE(pol.statements[1].isGlobalDefault());
  EXPECT_TRUE(pol.statements[2].isDefault());
  EXPECT_EQ(pol.statements[2].op, stdlib::Op::KernelModule);
}

TEST(Diagnostics, EveryProblemInOneRun) {
  auto p = check(H + "op=EXECUTE boot_verified=true action=ALLOW\nop=FOO action=DENY\n"
                     "op=EXECUTE fsverity_digest=sha256:abc action=ALLOW\n" + D);
  std::vector<std::string> ids;
  for (const Diagnostic& d : p.diags->diagnostics()) ids.emplace_back(diagName(d.id));
  EXPECT_EQ(ids, (std::vector<std::string>{"bad-property-value", "unknown-op", "bad-digest"}));
  EXPECT_EQ(verdictOf(p), "EBADMSG");  // the first problem decides
  EXPECT_EQ(p.diags->verdict().cause, DiagId::BadPropertyValue);
}

TEST(Diagnostics, NeverSilencesAKernelRejection) {
  DiagnosticOptions o;
  o.enable.emplace_back(DiagId::BadDigest, false);
  DiagnosticEngine e(o);
  e.report({DiagId::BadDigest, Severity::Error, {}, "x", {}, Errno::Inval, {}, {}});
  EXPECT_EQ(e.errorCount(), 1u);
  EXPECT_FALSE(e.verdict().accepts);
}

TEST(Diagnostics, QuoteEscapesAndShortens) {
  EXPECT_EQ(quote("a\vb"), "`a\\vb`");
  EXPECT_EQ(quote("\xff"), "`\\xff`");
  EXPECT_EQ(quote("caf\xc3\xa9"), "`caf\xc3\xa9`");
  std::string q = quote(std::string(1000, 'x'), 30);
  EXPECT_LT(q.size(), 40u);
  EXPECT_NE(q.find("..."), std::string::npos);
}

}  // namespace
}  // namespace ipec::test
