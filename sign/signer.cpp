// SPDX-License-Identifier: Apache-2.0
#include "sign/signer.h"

#include <vector>

#include <fmt/format.h>

namespace ipec::sign {
namespace {

// Just enough DER to rewrite our own output: one-byte tags, definite lengths.
struct Node {
  uint8_t tag = 0;
  std::string value;       // primitive
  std::vector<Node> kids;  // constructed
};

bool parse(std::string_view& in, Node& out) {
  if (in.size() < 2) return false;
  out.tag = static_cast<uint8_t>(in[0]);
  if ((out.tag & 0x1f) == 0x1f) return false;
  size_t len = static_cast<uint8_t>(in[1]), head = 2;
  if (len & 0x80) {
    size_t n = len & 0x7f;
    if (n == 0 || n > 4 || in.size() < 2 + n) return false;
    len = 0;
    for (size_t i = 0; i < n; ++i) len = len << 8 | static_cast<uint8_t>(in[2 + i]);
    head += n;
  }
  if (in.size() - head < len) return false;
  std::string_view body = in.substr(head, len);
  in.remove_prefix(head + len);
  if (!(out.tag & 0x20)) {
    out.value = body;
    return true;
  }
  while (!body.empty()) {
    out.kids.emplace_back();
    if (!parse(body, out.kids.back())) return false;
  }
  return true;
}

void encode(const Node& n, std::string& out) {
  std::string body = n.value;
  for (const Node& k : n.kids) encode(k, body);
  out += static_cast<char>(n.tag);
  if (body.size() < 0x80) {
    out += static_cast<char>(body.size());
  } else {
    std::string len;
    for (size_t s = body.size(); s; s >>= 8) len.insert(len.begin(), static_cast<char>(s & 0xff));
    out += static_cast<char>(0x80 | len.size());
    out += len;
  }
  out += body;
}

constexpr uint8_t kSequence = 0x30, kSet = 0x31, kNull = 0x05, kContext0 = 0xa0;

// An AlgorithmIdentifier that is only its OID gets the NULL parameter.
void addNull(Node& alg) {
  if (alg.tag == kSequence && alg.kids.size() == 1) alg.kids.push_back(Node{kNull, "", {}});
}

}  // namespace

bool isSigningDigest(stdlib::DigestAlg alg) {
  return alg == stdlib::DigestAlg::Sha256 || alg == stdlib::DigestAlg::Sha384 || alg == stdlib::DigestAlg::Sha512;
}

std::optional<std::string> withNullDigestParams(std::string_view der) {
  Node info;
  if (!parse(der, info) || !der.empty()) return std::nullopt;
  // ContentInfo { contentType, [0] { SignedData { version, digestAlgorithms, encap, [certs], signerInfos } } }
  if (info.kids.size() != 2 || info.kids[1].tag != kContext0 || info.kids[1].kids.size() != 1) return std::nullopt;
  Node& sd = info.kids[1].kids[0];
  if (sd.kids.size() < 4 || sd.kids[1].tag != kSet || sd.kids.back().tag != kSet) return std::nullopt;
  for (Node& alg : sd.kids[1].kids) addNull(alg);
  for (Node& si : sd.kids.back().kids) {  // SignerInfo { version, sid, digestAlgorithm, ... }
    if (si.kids.size() < 3) return std::nullopt;
    addNull(si.kids[2]);
  }
  std::string out;
  encode(info, out);
  return out;
}

std::optional<std::string> signPolicy(const SignRequest& r, std::string& error) {
  const EVP_MD* md = EVP_get_digestbyname(std::string(stdlib::digestAlgName(r.digest)).c_str());
  if (!md || !isSigningDigest(r.digest)) {
    error = fmt::format("cannot sign with {}", stdlib::digestAlgName(r.digest));
    return std::nullopt;
  }
  const unsigned flags = CMS_BINARY | CMS_NOATTR | CMS_NOSMIMECAP | CMS_PARTIAL | (r.embed_cert ? 0 : CMS_NOCERTS);
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
