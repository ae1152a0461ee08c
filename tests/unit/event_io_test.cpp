// SPDX-License-Identifier: Apache-2.0
// Events as users write them: the text and JSON syntaxes, and their errors.
#include "analysis/event_io.h"

#include <gtest/gtest.h>

#include "tests/unit/test_util.h"

namespace ipec::test {
namespace {

using namespace ipec::analysis;

TEST(EventIo, TextSyntax) {
  std::string error;
  auto spec = parseEventText("op=EXECUTE fsverity=sha256:00ff fsverity_sig=true", error);
  ASSERT_TRUE(spec) << error;
  EXPECT_EQ(spec->event.op, stdlib::Op::Execute);
  EXPECT_TRUE(spec->event.fsverity);
  EXPECT_TRUE(spec->event.fsv_signed);
  EXPECT_EQ(spec->fsv_bytes, std::string("\x00\xff", 2));
  auto bpf = parseEventText("op=BPF_PROG_LOAD,bpf_signature=OK,bpf_keyring=12345", error);
  ASSERT_TRUE(bpf) << error;
  EXPECT_FALSE(bpf->event.file);  // BPF loads have no file
  EXPECT_EQ(bpf->event.bpf_keyring, kOtherKeyring);
  EXPECT_EQ(bpf->keyring_id, 12345);
  EXPECT_FALSE(parseEventText("file=present", error));  // op is required
  EXPECT_FALSE(parseEventText("op=EXECUTE colour=blue", error));
  EXPECT_FALSE(parseEventText("op=EXECUTE fsverity=sha256:abc", error));
}

// A key given twice (an alias counts as its key) was once taken as "the last one wins".
TEST(EventIo, TextKeysOnce) {
  std::string error;
  EXPECT_FALSE(parseEventText("op=EXECUTE,op=KMODULE", error));
  EXPECT_EQ(error, "event: `op` is given twice");
  EXPECT_FALSE(parseEventText("op=EXECUTE fsverity_sig=true fsverity_signed=false", error));
  EXPECT_EQ(error, "event: `fsverity_sig` is given twice");
  EXPECT_TRUE(parseEventText("op=EXECUTE fsverity_sig=true dmverity_sig=true", error)) << error;
}

// User text in event errors is escaped (it once reached the terminal raw).
TEST(EventIo, ErrorsEscapeUserText) {
  std::string error;
  EXPECT_FALSE(parseEventText("op=\x1b[2J", error));
  EXPECT_EQ(error.find('\x1b'), std::string::npos) << error;
  EXPECT_FALSE(parseEventText("op=EXECUTE fsverity=sha256:\x1b\x1b", error));
  EXPECT_EQ(error.find('\x1b'), std::string::npos) << error;
  EXPECT_FALSE(parseEventText("op=EXECUTE \x1b", error));
  EXPECT_EQ(error.find('\x1b'), std::string::npos) << error;
}

TEST(EventIo, JsonSyntaxErrorsAreErrorsNotExceptions) {
  std::string error;
  // A non-boolean "signed" once threw out of nlohmann::json and aborted `ipec eval --events`.
  EXPECT_FALSE(parseEventJson(R"({"op":"EXECUTE","fsverity":{"signed":"yes"}})", error));
  EXPECT_NE(error.find("\"signed\""), std::string::npos);
  EXPECT_FALSE(parseEventJson(R"({"op":"EXECUTE","file":"yes"})", error));
  EXPECT_FALSE(parseEventJson(R"({"op":7})", error));
  EXPECT_FALSE(parseEventJson(R"({"op":"EXECUTE","bpf":{"keyring_id":"one"}})", error));
  EXPECT_FALSE(parseEventJson("[1,2]", error));
  EXPECT_FALSE(parseEventJson("{", error));
  auto ok = parseEventJson(R"({"op":"EXECUTE","file":true,"initramfs":false,"dmverity":{"roothash":"sha256:00","signed":true},"fsverity":null,"bpf":null})", error);
  ASSERT_TRUE(ok) << error;
  EXPECT_EQ(ok->event.bdev, Bdev::DmVerity);
  EXPECT_TRUE(ok->event.dm_signed);
}

// Misspelled ops, keys and values were only "unknown"; the closest spelling is now named.
TEST(EventIo, TextDidYouMean) {
  const std::pair<const char*, const char*> cases[] = {
      {"op=execute", "event: unknown op `execute`; did you mean `EXECUTE`? (ops are case-sensitive)"},
      {"op=EXECUT", "event: unknown op `EXECUT`; did you mean `EXECUTE`?"},
      {"op=KEXEC", "event: unknown op `KEXEC`; did you mean one of `KEXEC_IMAGE`, `KEXEC_INITRAMFS`?"},
      {"op=EXECUTE fsverity_sigg=true", "event: unknown key `fsverity_sigg`; did you mean `fsverity_sig`?"},
      {"op=EXECUTE initramfs=ture", "event: invalid value `ture` for `initramfs`; did you mean `true`?"},
      {"op=EXECUTE file=presnt", "event: invalid value `presnt` for `file`; did you mean `present`?"},
      {"op=EXECUTE bdev=plian", "event: invalid value `plian` for `bdev`; did you mean `plain`?"},
      {"op=BPF_PROG_LOAD bpf_signature=UNSIGEND",
       "event: invalid value `UNSIGEND` for `bpf_signature`; did you mean `UNSIGNED`?"},
      {"op=BPF_PROG_LOAD bpf_keyring=platfrom",
       "event: invalid value `platfrom` for `bpf_keyring`; did you mean `PLATFORM`?"},
      {"op=EXECUTE file=maybe", "event: invalid value `maybe` for `file`"},
      {"op=EXECUTE colour=blue",
       "event: unknown key `colour`; keys are op, file, initramfs, bdev, dmverity, dmverity_sig, fsverity, "
       "fsverity_sig, bpf_signature, bpf_keyring, bpf_kernel"},
  };
  for (auto [text, message] : cases) {
    std::string error;
    EXPECT_FALSE(parseEventText(text, error)) << text;
    EXPECT_EQ(error, message);
  }
}

// A misspelled member of a nested object (`"sigend"`) was ignored: the event silently had no
// signature. Unknown keys are errors at every level.
TEST(EventIo, JsonUnknownKeysAtEveryLevel) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"op":"EXECUTE","fsverity":{"sigend":true}})",
       "event: unknown key `sigend` in \"fsverity\"; did you mean `signed`?"},
      {R"({"op":"EXECUTE","dmverity":{"roothsah":"sha256:00"}})",
       "event: unknown key `roothsah` in \"dmverity\"; did you mean `roothash`?"},
      {R"({"op":"BPF_PROG_LOAD","bpf":{"kernal":true}})", "event: unknown key `kernal` in \"bpf\"; did you mean `kernel`?"},
      {R"({"op":"EXECUTE","initramfz":true})", "event: unknown key `initramfz`; did you mean `initramfs`?"},
      {R"({"op":"exec"})", "event: unknown op `exec`; did you mean `EXECUTE`?"},
      {R"({"op":"EXECUTE","bdev":"plian"})", "event: invalid value `plian` for \"bdev\"; did you mean `plain`?"},
      {R"({"op":"BPF_PROG_LOAD","bpf":{"verdict":"ok"}})",
       "event: invalid value `ok` for \"verdict\"; did you mean `OK`? (values are case-sensitive)"},
      {R"({"op":"EXECUTE","colour":"red"})", "event: unknown key `colour`"},
      {R"({"op":"EXECUTE","x\u001b":1})", "event: unknown key `x\\x1b`"},  // escaped, not raw
  };
  for (auto [text, message] : cases) {
    std::string error;
    EXPECT_FALSE(parseEventJson(text, error)) << text;
    EXPECT_EQ(error, message);
  }
  std::string error;
  EXPECT_TRUE(parseEventJson(R"({"op":"EXECUTE","fsverity":{"digest":"sha256:00","signed":true}})", error)) << error;
}

// Each JSON member that has the wrong type says what it takes (pinned word for word: the
// analysis builds these with fmt, and no golden can feed an --events file).
TEST(EventIo, JsonTypeErrorsSayWhatIsExpected) {
  const std::pair<const char*, const char*> cases[] = {
      {"[1]", "event: not a JSON object"},
      {R"({"op":5})", "event: \"op\" (a string) is required"},
      {R"({"op":"EXECUTE","file":1})", "event: \"file\" is true or false"},
      {R"({"op":"EXECUTE","initramfs":"no"})", "event: \"initramfs\" is true or false"},
      {R"({"op":"EXECUTE","bdev":3})", "event: \"bdev\" is \"none\", \"plain\" or \"dm-verity\""},
      {R"({"op":"EXECUTE","bdev":"zzzzzzzz"})", "event: \"bdev\" is \"none\", \"plain\" or \"dm-verity\""},
      {R"({"op":"EXECUTE","dmverity":5})", "event: \"dmverity\" is null or an object"},
      {R"({"op":"EXECUTE","fsverity":{"digest":5}})", "event: \"digest\" is \"alg:hex\""},
      {R"({"op":"EXECUTE","dmverity":{"roothash":"sha256:0g"}})", "event: digest `sha256:0g` has a non-hex digit"},
      {R"({"op":"EXECUTE","fsverity":{"digest":"00"}})", "event: digest `00` is not `alg:hex`"},
      {R"({"op":"BPF_PROG_LOAD","bpf":7})", "event: \"bpf\" is null or an object"},
      {R"({"op":"BPF_PROG_LOAD","bpf":{"verdict":"QQQQQQQQ"}})",
       "event: \"verdict\" is one of NONE, OK, UNSIGNED, PARTIALSIG, UNKNOWNKEY, UNEXPECTED, FAULT, BADSIG"},
      {R"({"op":"BPF_PROG_LOAD","bpf":{"keyring_id":"a"}})", "event: \"keyring_id\" is an integer"},
      {R"({"op":"BPF_PROG_LOAD","bpf":{"kernel":1}})", "event: \"kernel\" is true or false"},
  };
  for (auto [text, message] : cases) {
    std::string error;
    EXPECT_FALSE(parseEventJson(text, error)) << text;
    EXPECT_EQ(error, message);
  }
}

TEST(EventIo, ResolveChecksThePhysicalWorld) {
  auto p = check("policy_name=a policy_version=0.0.0\nDEFAULT action=ALLOW\n");
  const Target& t = pipeline::defaultTarget();
  std::string error;
  auto spec = parseEventText("op=EXECUTE initramfs=true fsverity=sha256:" + std::string(64, '1'), error);
  ASSERT_TRUE(spec);
  EXPECT_FALSE(resolveEvent(*spec, p.parsed.policy, t, error));
  auto md5 = parseEventText("op=EXECUTE fsverity=md5:" + std::string(32, '1'), error);
  ASSERT_TRUE(md5);
  EXPECT_FALSE(resolveEvent(*md5, p.parsed.policy, t, error));
  auto bpf = parseEventText("op=BPF_PROG_LOAD", error);
  ASSERT_TRUE(bpf);
  EXPECT_FALSE(resolveEvent(*bpf, p.parsed.policy, t, error));  // no such op on linux-6.12
}

}  // namespace
}  // namespace ipec::test
