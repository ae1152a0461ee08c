// SPDX-License-Identifier: Apache-2.0
// The sign/ layer's pieces that no command output shows whole: PIN redaction, the DER rewriter,
// the wrapper's size checks.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "sign/der.h"
#include "sign/key.h"
#include "sign/signer.h"
#include "sign/wrapper.h"

namespace ipec::sign {
namespace {

std::string readData(const std::string& name) {
  std::ifstream in(std::string(IPEC_SIGN_DATA_DIR) + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(SignKey, RedactUriHidesEveryPinValue) {
  EXPECT_EQ(redactUri("pkcs11:token=t;object=k;pin-value=1234"), "pkcs11:token=t;object=k;pin-value=***");
  EXPECT_EQ(redactUri("pkcs11:token=t?module-path=/m.so&pin-value=1234"), "pkcs11:token=t?module-path=/m.so&pin-value=***");
  EXPECT_EQ(redactUri("pkcs11:pin-value=1;object=k?pin-value=2"), "pkcs11:pin-value=***;object=k?pin-value=***");
  EXPECT_EQ(redactUri("pkcs11:token=t"), "pkcs11:token=t");
  EXPECT_TRUE(isPkcs11Uri("pkcs11:token=t"));
  EXPECT_FALSE(isPkcs11Uri("./pkcs11:key.pem"));
}

TEST(SignDer, RoundTripIsByteExact) {
  const std::string blob = readData("good.p7s");
  ASSERT_FALSE(blob.empty());
  std::string_view in = blob;
  DerNode node;
  ASSERT_TRUE(parseDer(in, node));
  EXPECT_TRUE(in.empty());
  std::string out;
  encodeDer(node, out);
  EXPECT_EQ(out, blob);
}

TEST(SignDer, RefusesTruncatedAndLongTags) {
  const std::string blob = readData("good.p7s");
  std::string_view cut = std::string_view(blob).substr(0, blob.size() - 1);
  DerNode node;
  EXPECT_FALSE(parseDer(cut, node));
  std::string_view multi_byte_tag("\x1f\x81\x01\x00", 4);
  EXPECT_FALSE(parseDer(multi_byte_tag, node));
}

TEST(SignSigner, SmimeFormIsAFixedPoint) {
  // A blob openssl smime wrote already carries the NULL parameters: the rewrite changes nothing.
  for (const char* name : {"good.p7s", "nocerts.p7s"}) {
    const std::string blob = readData(name);
    auto again = withNullDigestParams(blob);
    ASSERT_TRUE(again) << name;
    EXPECT_EQ(*again, blob) << name;
  }
  EXPECT_FALSE(withNullDigestParams("policy_name=x"));
}

TEST(SignWrapper, RoundTripAndExactSizes) {
  const std::string table("IPECTBL\0table", 13), sig("\x30\x03sig", 5);
  const std::string w = wrapDetached(table, sig);
  ASSERT_EQ(w.size(), kWrapperHeaderBytes + table.size() + sig.size());
  std::string why;
  auto parts = parseWrapper(w, why);
  ASSERT_TRUE(parts) << why;
  EXPECT_EQ(parts->table, table);
  EXPECT_EQ(parts->signature, sig);
  EXPECT_FALSE(parseWrapper(w + "x", why));
  EXPECT_FALSE(parseWrapper(w.substr(0, w.size() - 1), why));
  EXPECT_FALSE(parseWrapper(w.substr(0, kWrapperHeaderBytes - 1), why));
  EXPECT_FALSE(parseWrapper(wrapDetached(table, ""), why));
  EXPECT_EQ(why, "the wrapper holds no signature");
}

TEST(SignWrapper, HugeSizesDoNotWrapAround) {
  // T + S overflowing 64 bits to the real size must not pass.
  std::string w = wrapDetached("t", "s");
  for (size_t i = 16; i < 24; ++i) w[i] = '\xff';  // T = 2^64 - 1
  std::string why;
  EXPECT_FALSE(parseWrapper(w, why));
  w = wrapDetached("t", "s");
  w[12] = '\xff', w[13] = '\xff', w[14] = '\xff', w[15] = '\xff';  // S = 2^32 - 1
  EXPECT_FALSE(parseWrapper(w, why));
  EXPECT_NE(why.find("but 2 bytes follow it"), std::string::npos) << why;
}

}  // namespace
}  // namespace ipec::sign
