// SPDX-License-Identifier: Apache-2.0
// What a new user meets: "did you mean", spacing around `=`, a byte-order mark. Each suggestion
// is a fix-it that turns the policy into one the kernel accepts, and none changes the verdict.
#include <gtest/gtest.h>

#include <vector>

#include "base/utf8.h"
#include "frontend/spacing.h"
#include "tests/unit/test_util.h"

namespace ipec::test {
namespace {

const std::string H = "policy_name=a policy_version=0.0.0\n";
const std::string D = "DEFAULT action=ALLOW\n";

std::vector<const Diagnostic*> errorsOf(const pipeline::CheckedPolicy& p) {
  std::vector<const Diagnostic*> out;
  for (const Diagnostic& d : p.diags->diagnostics())
    if (d.severity == Severity::Error) out.push_back(&d);
  return out;
}

// The text with every fix-it of `d` applied.
std::string fixed(const pipeline::CheckedPolicy& p, const Diagnostic& d) {
  auto text = applyFixIts(p.file->bytes(), d.fixits);
  EXPECT_TRUE(text.has_value());
  return text.value_or("");
}

struct Slip {
  std::string line;       // the line as written
  uint32_t kernel_fails;  // the byte of the line where the kernel's parser fails
  std::string meant;      // the line after the fix-it
};

// `boot_verified = TRUE` once gave `unknown property ``` at the `=` and more; now one error, at
// the token where the kernel fails, with the errno the kernel returns.
TEST(SpaceAroundEquals, OneErrorWhereTheKernelFails) {
  const std::vector<Slip> slips = {
      {"op=EXECUTE boot_verified = TRUE action=ALLOW", 11, "op=EXECUTE boot_verified=TRUE action=ALLOW"},
      {"op=EXECUTE boot_verified =TRUE action=ALLOW", 11, "op=EXECUTE boot_verified=TRUE action=ALLOW"},
      {"op=EXECUTE boot_verified= TRUE action=ALLOW", 11, "op=EXECUTE boot_verified=TRUE action=ALLOW"},
      {"op = EXECUTE action=ALLOW", 0, "op=EXECUTE action=ALLOW"},
      {"op=EXECUTE action= ALLOW", 11, "op=EXECUTE action=ALLOW"},
      {"op=EXECUTE action = ALLOW", 11, "op=EXECUTE action=ALLOW"},
      {"DEFAULT op=KMODULE\taction\t=\tDENY", 19, "DEFAULT op=KMODULE\taction=DENY"},
      {"op=EXECUTE fsverity_digest= sha256:00 action=ALLOW", 11, "op=EXECUTE fsverity_digest=sha256:00 action=ALLOW"},
  };
  const uint32_t at = static_cast<uint32_t>((H + D).size());
  for (const Slip& s : slips) {
    auto p = check(H + D + s.line + "\n");
    auto errors = errorsOf(p);
    ASSERT_EQ(errors.size(), 1u) << s.line << ": " << errors.back()->message;
    EXPECT_EQ(errors[0]->id, DiagId::SpaceAroundEquals) << s.line;
    KernelVerdict v = p.diags->verdict();
    EXPECT_EQ(v.errno_code, Errno::BadMsg) << s.line;
    EXPECT_EQ(v.where.begin, at + s.kernel_fails) << s.line;
    std::string meant = fixed(p, *errors[0]);
    EXPECT_EQ(meant, H + D + s.meant + "\n");
    EXPECT_EQ(verdict(meant), "OK") << meant;
  }
}

TEST(SpaceAroundEquals, InTheHeader) {
  auto p = check("policy_name = a policy_version=0.0.0\n" + D);
  auto errors = errorsOf(p);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]->message,
            "`=` stands alone: the kernel splits tokens at spaces and TABs, so `policy_name = a` is three tokens; "
            "write `policy_name=a`");
  EXPECT_EQ(verdict(fixed(p, *errors[0])), "OK");
}

// The kernel fails at `fsverity_digest=` with EBADMSG; the digest it never reads must not turn
// the verdict into EINVAL.
TEST(SpaceAroundEquals, KeepsTheKernelsErrno) {
  auto p = check(H + D + "op=EXECUTE fsverity_digest= sha256:zz action=ALLOW\n");
  EXPECT_EQ(p.diags->verdict().errno_code, Errno::BadMsg);
  EXPECT_EQ(p.diags->verdict().cause, DiagId::SpaceAroundEquals);
}

// A word at the end of a rule is read as its action: that is a missing `action=`, not spacing.
TEST(SpaceAroundEquals, NotForTheLastTokenOfARule) {
  for (const char* line : {"op=EXECUTE boot_verified= DENY", "op=EXECUTE boot_verified = TRUE"}) {
    auto p = check(H + D + line + "\n");
    for (const Diagnostic* d : errorsOf(p)) EXPECT_NE(d->id, DiagId::SpaceAroundEquals) << line;
    EXPECT_EQ(verdictOf(p), "EBADMSG");
  }
}

TEST(SpaceAroundEquals, JoinsTheTokens) {
  std::string text = "op = EXECUTE x =y z= w";
  SourceFile f("t.pol", text);
  DiagnosticOptions options;
  DiagnosticEngine diags(options);
  frontend::ScanResult scanned = frontend::scan(f, diags);
  std::vector<frontend::Token> tokens = scanned.tokens;
  auto found = frontend::joinSpacedAssignments(text, tokens, /*header=*/false);
  ASSERT_EQ(found.size(), 2u);  // `z= w` ends the line, and `z` is no key
  EXPECT_EQ(found[0].joined, "op=EXECUTE");
  EXPECT_EQ(found[0].spacing, frontend::Spacing::Around);
  EXPECT_EQ(found[1].joined, "x=y");
  EXPECT_EQ(found[1].spacing, frontend::Spacing::Before);
  ASSERT_EQ(tokens.size(), 4u);
  EXPECT_EQ(tokens[0].kind, frontend::TokenKind::Op);
  EXPECT_EQ(text.substr(tokens[0].value().begin, tokens[0].value().size()), "EXECUTE");
  EXPECT_EQ(text.substr(tokens[1].key().begin, tokens[1].key().size()), "x");
}

// A file saved as "UTF-8 with BOM": the kernel reads the mark as part of the first token.
TEST(ByteOrderMark, NamedAndDeleted) {
  for (const std::string& rest : {H + D, "# a comment\n" + H + D, " " + H + D}) {
    auto p = check(std::string(kUtf8ByteOrderMark) + rest);
    auto errors = errorsOf(p);
    ASSERT_EQ(errors.size(), 1u) << rest;
    EXPECT_EQ(errors[0]->id, DiagId::ByteOrderMark);
    EXPECT_EQ(errors[0]->range, (Range{0, 3}));
    KernelVerdict v = p.diags->verdict();
    EXPECT_EQ(v.errno_code, Errno::BadMsg);
    EXPECT_EQ(v.where.begin, 0u);
    EXPECT_EQ(fixed(p, *errors[0]), rest);
  }
}

TEST(ByteOrderMark, LaterProblemsDoNotTakeTheVerdict) {
  auto p = check(std::string(kUtf8ByteOrderMark) + "policy_name=a policy_version=1.x.0\n" + D);
  EXPECT_EQ(p.diags->verdict().errno_code, Errno::BadMsg);  // not the EINVAL of the version
  EXPECT_EQ(p.diags->verdict().cause, DiagId::ByteOrderMark);
}

struct Misspelling {
  std::string line;
  uint32_t kernel_fails;  // where the verdict points (the token, or the bad value)
  DiagId id;
  std::string message;
  std::string meant;
};

TEST(DidYouMean, AUniqueSuggestionIsAFixIt) {
  const std::vector<Misspelling> cases = {
      {"op=EXECUTE fsverity_sigature=TRUE action=ALLOW", 11, DiagId::UnknownProperty,
       "unknown property `fsverity_sigature`; did you mean `fsverity_signature`?",
       "op=EXECUTE fsverity_signature=TRUE action=ALLOW"},
      {"op=EXECUTE boot_verifed=TRUE action=ALLOW", 11, DiagId::UnknownProperty,
       "unknown property `boot_verifed`; did you mean `boot_verified`?", "op=EXECUTE boot_verified=TRUE action=ALLOW"},
      {"op=EXEC action=ALLOW", 0, DiagId::UnknownOp, "unknown op `EXEC`; did you mean `EXECUTE`?",
       "op=EXECUTE action=ALLOW"},
      {"op=EXECUTE action=ALOW", 11, DiagId::UnknownAction, "unknown action `ALOW`; did you mean `ALLOW`?",
       "op=EXECUTE action=ALLOW"},
      {"op=EXECUTE boot_verified=treu action=ALLOW", 25, DiagId::BadPropertyValue,
       "invalid value `treu` for `boot_verified`; did you mean `TRUE`?", "op=EXECUTE boot_verified=TRUE action=ALLOW"},
      {"op=execute action=ALLOW", 0, DiagId::UnknownOp,
       "unknown op `execute`; did you mean `EXECUTE`? (ops are case-sensitive)", "op=EXECUTE action=ALLOW"},
      {"op=EXECUTE Boot_Verified=TRUE action=ALLOW", 11, DiagId::UnknownProperty,
       "unknown property `Boot_Verified`; did you mean `boot_verified`? (keys are case-sensitive)",
       "op=EXECUTE boot_verified=TRUE action=ALLOW"},
      {"op=EXECUTE action=deny", 11, DiagId::UnknownAction,
       "unknown action `deny`; did you mean `DENY`? (actions are case-sensitive)", "op=EXECUTE action=DENY"},
  };
  const uint32_t at = static_cast<uint32_t>((H + D).size());
  for (const Misspelling& c : cases) {
    auto p = check(H + D + c.line);
    auto errors = errorsOf(p);
    ASSERT_EQ(errors.size(), 1u) << c.line;
    EXPECT_EQ(errors[0]->id, c.id) << c.line;
    EXPECT_EQ(errors[0]->message, c.message);
    // The kernel fails at the token, with EBADMSG, whatever ipec suggests.
    EXPECT_EQ(p.diags->verdict().errno_code, Errno::BadMsg) << c.line;
    EXPECT_EQ(p.diags->verdict().where.begin, at + c.kernel_fails) << c.line;
    std::string meant = fixed(p, *errors[0]);
    EXPECT_EQ(meant, H + D + c.meant);
    EXPECT_EQ(verdict(meant), "OK") << meant;
  }
}

TEST(DidYouMean, SeveralCandidatesAreNoFixIt) {
  auto p = check(H + D + "op=KEXEC action=ALLOW");
  auto errors = errorsOf(p);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]->message, "unknown op `KEXEC`; did you mean one of `KEXEC_IMAGE`, `KEXEC_INITRAMFS`?");
  EXPECT_TRUE(errors[0]->fixits.empty());
}

// Candidates are the parse dialect's: a Hornet op is no suggestion on Linux 6.12, and spelled
// right it stays `unsupported-token`.
TEST(DidYouMean, OnlyTheDialectsTokens) {
  auto mainline = check(H + D + "op=BPF_PROG_LAOD action=ALLOW");
  ASSERT_EQ(errorsOf(mainline).size(), 1u);
  EXPECT_EQ(errorsOf(mainline)[0]->message.find("did you mean"), std::string::npos);
  EXPECT_TRUE(errorsOf(mainline)[0]->fixits.empty());
  auto hornet = check(H + D + "op=BPF_PROG_LAOD action=ALLOW", "hornet-v7");
  ASSERT_EQ(errorsOf(hornet).size(), 1u);
  EXPECT_EQ(errorsOf(hornet)[0]->message, "unknown op `BPF_PROG_LAOD`; did you mean `BPF_PROG_LOAD`?");
  auto unsupported = check(H + D + "op=EXECUTE bpf_kernel=TRUE action=ALLOW");
  ASSERT_EQ(errorsOf(unsupported).size(), 1u);
  EXPECT_EQ(errorsOf(unsupported)[0]->id, DiagId::UnsupportedToken);
  auto value = check(H + D + "op=BPF_PROG_LOAD bpf_signature=UNSIGEND action=ALLOW", "hornet-v7");
  ASSERT_EQ(errorsOf(value).size(), 1u);
  EXPECT_EQ(errorsOf(value)[0]->message, "invalid value `UNSIGEND` for `bpf_signature`; did you mean `UNSIGNED`?");
}

}  // namespace
}  // namespace ipec::test
