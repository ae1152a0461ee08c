// SPDX-License-Identifier: Apache-2.0
#include "sign/signer.h"

#include "sign/der.h"

#include <fmt/format.h>

namespace ipec::sign {
namespace {

constexpr uint8_t kSequence = 0x30, kSet = 0x31, kNull = 0x05, kContext0 = 0xa0;

// An AlgorithmIdentifier that is only its OID gets the NULL parameter.
void addNull(DerNode& alg) {
  if (alg.tag == kSequence && alg.kids.size() == 1) alg.kids.push_back(DerNode{kNull, "", {}});
}

}  // namespace

bool isSigningDigest(stdlib::DigestAlg alg) {
  return alg == stdlib::DigestAlg::Sha256 || alg == stdlib::DigestAlg::Sha384 || alg == stdlib::DigestAlg::Sha512;
}

std::optional<std::string> withNullDigestParams(std::string_view der) {
  DerNode info;
  if (!parseDer(der, info) || !der.empty()) return std::nullopt;
  // ContentInfo { contentType, [0] { SignedData { version, digestAlgorithms, encap, [certs], signerInfos } } }
  if (info.kids.size() != 2 || info.kids[1].tag != kContext0 || info.kids[1].kids.size() != 1) return std::nullopt;
  DerNode& sd = info.kids[1].kids[0];
  if (sd.kids.size() < 4 || sd.kids[1].tag != kSet || sd.kids.back().tag != kSet) return std::nullopt;
  for (DerNode& alg : sd.kids[1].kids) addNull(alg);
  for (DerNode& si : sd.kids.back().kids) {  // SignerInfo { version, sid, digestAlgorithm, ... }
    if (si.kids.size() < 3) return std::nullopt;
    addNull(si.kids[2]);
  }
  std::string out;
  encodeDer(info, out);
  return out;
}

std::optional<std::string> signPolicy(const SignRequest& r, std::string& error) {
  const EVP_MD* md = EVP_get_digestbyname(std::string(stdlib::digestAlgName(r.digest)).c_str());
  if (!md || !isSigningDigest(r.digest)) {
    error = fmt::format("cannot sign with {}", stdlib::digestAlgName(r.digest));
    return std::nullopt;
  }
  const unsigned flags = CMS_BINARY | CMS_NOATTR | CMS_NOSMIMECAP | CMS_PARTIAL | (r.embed_cert ? 0 : CMS_NOCERTS) |
                         (r.detached ? CMS_DETACHED : 0);
  CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, flags));
  BioPtr content = memoryBio(r.content);
  if (!cms || !content || !CMS_add1_signer(cms.get(), r.cert, r.key, md, flags) ||
      !CMS_final(cms.get(), content.get(), nullptr, flags)) {
    error = takeOpensslError();
    return std::nullopt;
  }
  int n = i2d_CMS_ContentInfo(cms.get(), nullptr);
  std::string der(n > 0 ? static_cast<size_t>(n) : 0, '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  if (n <= 0 || i2d_CMS_ContentInfo(cms.get(), &p) != n) {
    error = takeOpensslError();
    return std::nullopt;
  }
  auto pkcs7 = withNullDigestParams(der);
  if (!pkcs7) error = "OpenSSL wrote a SignedData of an unexpected shape";
  return pkcs7;
}

}  // namespace ipec::sign
