// SPDX-License-Identifier: Apache-2.0
#include "stdlib/catalog.h"

#include <gtest/gtest.h>

namespace ipec::stdlib {
namespace {

TEST(Catalog, OpsInKernelEnumOrder) {
  ASSERT_EQ(kNumOps, 8u);
  EXPECT_EQ(opSpelling(Op::Execute), "EXECUTE");
  EXPECT_EQ(opSpelling(Op::X509Cert), "X509_CERT");
  EXPECT_EQ(static_cast<int>(Op::BpfProgLoad), 7);
  EXPECT_EQ(opSeries(Op::BpfProgLoad), Series::Hornet);
  EXPECT_EQ(lookupOp("KMODULE"), Op::KernelModule);
  EXPECT_FALSE(lookupOp("kmodule"));
}

TEST(Catalog, PropertiesAndValues) {
  EXPECT_EQ(lookupProp("fsverity_signature"), Prop::FsveritySignature);
  EXPECT_EQ(propKconfig(Prop::FsveritySignature), Kconfig::IpePropFsVerityBuiltinSig);
  EXPECT_FALSE(propKconfig(Prop::BootVerified));
  EXPECT_EQ(domainSize(Domain::Bool), 2u);
  EXPECT_EQ(domainSize(Domain::BpfVerdict), kNumBpfVerdicts);
  EXPECT_EQ(domainSize(Domain::BpfKeyring), kNumBpfKeyrings);
  EXPECT_EQ(lookupValue(Domain::BpfVerdict, "BADSIG"), 7);
  EXPECT_EQ(valueSpelling(Domain::BpfKeyring, 2), "PLATFORM");
  EXPECT_FALSE(lookupValue(Domain::Bool, "true"));
}

// A former key is never a key the kernel knows, and stands for one that it may.
TEST(Catalog, FormerKeys) {
  auto former = lookupFormerKey("is_kernel");
  ASSERT_TRUE(former);
  EXPECT_EQ(propKey(former->prop), "bpf_kernel");
  EXPECT_FALSE(lookupProp("is_kernel"));
  EXPECT_FALSE(lookupFormerKey("bpf_kernel"));
}

// The candidates of "did you mean" are the dialect's token table.
TEST(Catalog, SpellingsOfADialect) {
  const std::vector<std::string_view> mainline = opSpellings(Dialect{});
  EXPECT_EQ(mainline.size(), 7u);
  EXPECT_EQ(mainline.front(), "EXECUTE");
  EXPECT_EQ(opSpellings(Dialect{.hornet = true}).back(), "BPF_PROG_LOAD");
  EXPECT_EQ(propKeys(Dialect{}).size(), 5u);
  EXPECT_EQ(propKeys(Dialect{.hornet = true}).size(), kNumProps);
  EXPECT_EQ(valueSpellings(Domain::Bool), (std::vector<std::string_view>{"FALSE", "TRUE"}));
  EXPECT_TRUE(valueSpellings(Domain::Digest).empty());
  EXPECT_EQ(actionSpellings(), (std::vector<std::string_view>{"ALLOW", "DENY"}));
}

TEST(Catalog, DigestAlgorithmsAndKconfig) {
  EXPECT_EQ(digestAlgLength(*lookupDigestAlg("sha256")), 32u);
  EXPECT_TRUE(fsverityProduces(*lookupDigestAlg("sha512")));
  EXPECT_FALSE(fsverityProduces(*lookupDigestAlg("sha1")));
  EXPECT_TRUE(dmverityProduces(*lookupDigestAlg("blake2b-512")));
  EXPECT_FALSE(lookupDigestAlg("SHA256"));
  EXPECT_EQ(lookupKconfig("IPE_PROP_DM_VERITY"), Kconfig::IpePropDmVerity);
  EXPECT_EQ(lookupKconfig("CONFIG_IPE_PROP_DM_VERITY"), Kconfig::IpePropDmVerity);
}

TEST(Catalog, KernelIsspace) {
  for (int c : {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0}) EXPECT_TRUE(isKernelSpace(static_cast<unsigned char>(c)));
  for (int c : {0x00, 0x08, 0x0E, 0x85, 0xFF, 0x61}) EXPECT_FALSE(isKernelSpace(static_cast<unsigned char>(c)));
}

}  // namespace
}  // namespace ipec::stdlib
