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

TEST(EventIo, ResolveChecksThePhysicalWorld) {
  auto p = check("policy_name=a policy_version=0.0.0\nDEFAULT action=ALLOW\n");
  const Target& t = driver::defaultTarget();
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
