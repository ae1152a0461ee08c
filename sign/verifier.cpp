// SPDX-License-Identifier: Apache-2.0
#include "sign/verifier.h"

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "frontend/kernel_limits.h"
#include "sign/der.h"
#include "sign/wrapper.h"

namespace ipec::sign {
namespace {

void freeCerts(STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); }
using CertStack = std::unique_ptr<STACK_OF(X509), Freer<STACK_OF(X509), freeCerts>>;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string hex(const ASN1_STRING* s) {
  std::string out;
  for (int i = 0; i < ASN1_STRING_length(s); ++i) out += fmt::format("{:02X}", ASN1_STRING_get0_data(s)[i]);
  return out;
}

std::string describeSid(CMS_SignerInfo* si) {
  ASN1_OCTET_STRING* keyid = nullptr;
  X509_NAME* issuer = nullptr;
  ASN1_INTEGER* serial = nullptr;
  if (!CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &serial)) return "an unreadable signer id";
  if (keyid) return fmt::format("subject key id {}", lower(hex(keyid)));
  return fmt::format("issuer {}, serial {}", nameText(issuer), hex(serial));
}

BlobReport fail(BlobReport r, BlobProblem p, std::string message) {
  r.problem = p;
  r.message = std::move(message);
  return r;
}

// Microsoft's SpOpusInfo and StatementType, which OpenSSL has no names for.
bool isAuthenticodeAttribute(const ASN1_OBJECT* oid) {
  char text[64];
  OBJ_obj2txt(text, sizeof text, oid, 1);
  return std::string_view(text) == "1.3.6.1.4.1.311.2.1.12" || std::string_view(text) == "1.3.6.1.4.1.311.2.1.11";
}

std::string oidName(const ASN1_OBJECT* oid) {
  char text[80];
  OBJ_obj2txt(text, sizeof text, oid, 0);
  return text;
}

// The kernel's pkcs7_sig_note_authenticated_attr(), pkcs7_sig_note_set_of_authattrs() and
// pkcs7_verify_one(): no attribute twice; S/MIME capabilities and Microsoft's attributes only in
// Authenticode; a content type and a message digest. pkcs7_verify_one() then wants the signing time
// inside the certificate's validity (signedOutsideValidity).
std::optional<std::pair<BlobProblem, std::string>> attributeProblem(CMS_SignerInfo* si) {
  const int count = CMS_signed_get_attr_count(si);
  if (count <= 0) return std::nullopt;
  for (int i = 0; i < count; ++i) {
    const ASN1_OBJECT* oid = X509_ATTRIBUTE_get0_object(CMS_signed_get_attr(si, i));
    const int nid = OBJ_obj2nid(oid);
    if (CMS_signed_get_attr_by_OBJ(si, oid, i) >= 0 || X509_ATTRIBUTE_count(CMS_signed_get_attr(si, i)) != 1)
      return std::pair{BlobProblem::RefusedAttribute,
                       fmt::format("the signed attribute {} is repeated or has several values", oidName(oid))};
    if (nid == NID_SMIMECapabilities || isAuthenticodeAttribute(oid))
      return std::pair{BlobProblem::RefusedAttribute,
                       fmt::format("the signed attribute {} is allowed only in Authenticode signatures (sign with "
                                   "-noattr, or -nosmimecap; ipec sign writes no attributes)",
                                   oidName(oid))};
  }
  for (int nid : {NID_pkcs9_contentType, NID_pkcs9_messageDigest})
    if (CMS_signed_get_attr_by_NID(si, nid, -1) < 0)
      return std::pair{BlobProblem::MissingAttribute,
                       fmt::format("the signed attributes lack {}, which the kernel requires", OBJ_nid2sn(nid))};
  return std::nullopt;
}

bool signedOutsideValidity(CMS_SignerInfo* si, X509* cert) {
  int at = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
  if (at < 0) return false;
  ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, at), 0);
  const ASN1_TIME* when = value && (value->type == V_ASN1_UTCTIME || value->type == V_ASN1_GENERALIZEDTIME)
                              ? reinterpret_cast<const ASN1_TIME*>(value->value.asn1_string)
                              : nullptr;
  return when && (ASN1_TIME_compare(when, X509_get0_notBefore(cert)) < 0 ||
                  ASN1_TIME_compare(when, X509_get0_notAfter(cert)) > 0);
}

// An RSA signature whose padding does not decode is EINVAL in the kernel; one that decodes to
// another digest is EKEYREJECTED, as is every other mismatch.
BlobProblem signatureFailure() {
  BlobProblem kind = BlobProblem::BadSignature;
  for (unsigned long e; (e = ERR_peek_error()) != 0; ERR_get_error())
    if (ERR_GET_LIB(e) == ERR_LIB_RSA && ERR_GET_REASON(e) != RSA_R_BAD_SIGNATURE)
      kind = BlobProblem::UndecodableSignature;
  return kind;
}

SignerReport describeSigner(CMS_SignerInfo* si) {
  SignerReport s;
  s.sid = describeSid(si);
  X509_ALGOR *dig = nullptr, *sig = nullptr;
  CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &dig, &sig);
  const ASN1_OBJECT* oid = nullptr;
  X509_ALGOR_get0(&oid, nullptr, nullptr, dig);
  s.digest = lower(OBJ_nid2sn(OBJ_obj2nid(oid)));
  X509_ALGOR_get0(&oid, nullptr, nullptr, sig);
  s.signature = OBJ_nid2ln(OBJ_obj2nid(oid));
  for (int i = 0; i < CMS_signed_get_attr_count(si); ++i)
    s.signed_attributes.push_back(OBJ_nid2sn(OBJ_obj2nid(X509_ATTRIBUTE_get0_object(CMS_signed_get_attr(si, i)))));
  return s;
}

}  // namespace

namespace {

struct ProblemInfo {
  std::string_view id, kernel_errno;
};
constexpr ProblemInfo kProblems[] = {
#define IPEC_X(e, id, errno_name) {id, errno_name},
    IPEC_BLOB_PROBLEMS(IPEC_X)
#undef IPEC_X
};

}  // namespace

std::string_view problemId(BlobProblem p) { return kProblems[static_cast<size_t>(p)].id; }
std::string_view problemErrno(BlobProblem p) { return kProblems[static_cast<size_t>(p)].kernel_errno; }

namespace {

using Problem = std::optional<std::pair<BlobProblem, std::string>>;

// pkcs7_note_signeddata_version() and pkcs7_note_signerinfo_version(), which OpenSSL's API does not
// show: versions 1 and 3 only, a SignerInfo of version 1 under a SignedData of version 1 only.
Problem versionProblem(std::string_view der) {
  DerNode info;
  if (!parseDer(der, info) || info.kids.size() != 2 || info.kids[1].kids.size() != 1) return std::nullopt;
  const DerNode& sd = info.kids[1].kids[0];
  auto version = [](const DerNode& n) {
    return n.tag == 0x02 && n.value.size() == 1 ? static_cast<int>(static_cast<uint8_t>(n.value[0])) : -1;
  };
  if (sd.kids.empty()) return std::nullopt;
  const int v = version(sd.kids[0]);
  if (v != 1 && v != 3)
    return std::pair{BlobProblem::BadVersion, fmt::format("SignedData version {}; the kernel takes 1 or 3", v)};
  for (const DerNode& si : sd.kids.back().tag == 0x31 ? sd.kids.back().kids : std::vector<DerNode>{}) {
    const int sv = si.kids.empty() ? -1 : version(si.kids[0]);
    if (sv != 1 && sv != 3)
      return std::pair{BlobProblem::BadVersion, fmt::format("SignerInfo version {}; the kernel takes 1 or 3", sv)};
    if ((sv == 1) != (v == 1))
      return std::pair{BlobProblem::VersionMismatch,
                       fmt::format("a version {} SignerInfo in a version {} SignedData; the kernel wants 1 in 1 "
                                   "(issuer and serial) or 3 in 3 (subject key id)",
                                   sv, v)};
  }
  return std::nullopt;
}

// The signer's certificate: the one of --cert when it signed, else the one inside the blob (as the
// kernel checks the signature before it asks its keyrings). `other` says --cert did not sign.
X509* signerCert(CMS_SignerInfo* si, STACK_OF(X509) * embedded, X509* expected, bool& other) {
  other = expected && CMS_SignerInfo_cert_cmp(si, expected) != 0;
  if (expected && !other) return expected;
  for (int c = 0; embedded && c < sk_X509_num(embedded); ++c)
    if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(embedded, c)) == 0) return sk_X509_value(embedded, c);
  return nullptr;
}

// The kernel's parser: the message type, the versions, a signer, the signed attributes.
Problem parserProblem(CMS_ContentInfo* cms, std::string_view der) {
  const int type = OBJ_obj2nid(CMS_get0_type(cms));
  if (type != NID_pkcs7_signed)
    return std::pair{BlobProblem::NotSignedData,
                     fmt::format("the message is PKCS#7 {}, not signedData", OBJ_nid2sn(type))};
  if (auto bad = versionProblem(der)) return bad;
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms);
  if (!infos || sk_CMS_SignerInfo_num(infos) == 0)
    return std::pair{BlobProblem::NoSigner, std::string("the blob holds no signature")};
  for (int i = 0; i < sk_CMS_SignerInfo_num(infos); ++i)
    if (auto bad = attributeProblem(sk_CMS_SignerInfo_value(infos, i))) return bad;
  return std::nullopt;
}

// The signatures, then the signer: what pkcs7_verify() and the keyring lookup refuse. Fills each
// signer's certificate into `r`.
Problem signatureProblem(CMS_ContentInfo* cms, STACK_OF(X509) * embedded, X509* expected, BIO* detached,
                         BlobReport& r) {
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms);
  CertStack signers(sk_X509_new_null());
  std::string wrong_signer;  // the first signer that is not the certificate of --cert
  for (int i = 0; i < sk_CMS_SignerInfo_num(infos); ++i) {
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, i);
    bool other = false;
    X509* cert = signerCert(si, embedded, expected, other);
    if (other && wrong_signer.empty()) wrong_signer = r.signers[i].sid;
    if (!cert && other)
      return std::pair{BlobProblem::WrongSigner,
                       fmt::format("signed by {}, not by the certificate given with --cert", r.signers[i].sid)};
    if (!cert)
      return std::pair{BlobProblem::NoCertificate,
                       fmt::format("the signer's certificate is not in the blob (signed with --no-certs?): give it "
                                   "with --cert; the signer is {}",
                                   r.signers[i].sid)};
    r.signers[i].cert = nameOf(cert);
    if (signedOutsideValidity(si, cert))
      return std::pair{BlobProblem::SignedOutsideValidity,
                       std::string("the signing time lies outside the certificate's validity")};
    X509_up_ref(cert);
    sk_X509_push(signers.get(), cert);
  }
  const unsigned flags = CMS_BINARY | CMS_NOINTERN | CMS_NO_SIGNER_CERT_VERIFY;
  if (CMS_verify(cms, signers.get(), nullptr, detached, nullptr, flags) != 1) {
    const char* reason = ERR_reason_error_string(ERR_peek_error());
    const std::string why = reason ? reason : "verification failure";
    const BlobProblem kind = signatureFailure();
    ERR_clear_error();
    return std::pair{kind, kind == BlobProblem::UndecodableSignature
                               ? fmt::format("the signature does not decode ({}): it was changed after signing", why)
                               : fmt::format("the signature does not hold ({}): the content or the signature was "
                                             "changed after signing",
                                             why)};
  }
  // The keyring last: ENOKEY when --cert did not sign.
  if (!wrong_signer.empty())
    return std::pair{BlobProblem::WrongSigner,
                     fmt::format("signed by {}, not by the certificate given with --cert", wrong_signer)};
  return std::nullopt;
}

// The PKCS#7 `blob`; `detached`: the wrapper's table, which the signature must be over.
BlobReport verifyParts(std::string_view blob, std::optional<std::string_view> detached, X509* expected) {
  BlobReport r;
  r.blob_bytes = blob.size();
  if (blob.find("-----BEGIN") != std::string_view::npos)
    return fail(r, BlobProblem::Pem, "the blob is PEM; the kernel reads DER (convert with `openssl cms -inform pem "
                                     "-outform der`, or sign with ipec sign)");
  if (blob.starts_with("policy_name="))
    return fail(r, BlobProblem::NotDer, "this is policy text, not a signed blob (sign it with ipec sign)");
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(blob.size())));
  if (!cms) {
    std::string why = takeOpensslError();
    return fail(r, BlobProblem::NotDer, fmt::format("not a DER-encoded PKCS#7 message (truncated or damaged?): {}",
                                                    why.empty() ? "unreadable" : why));
  }
  const size_t der_bytes = static_cast<size_t>(p - reinterpret_cast<const unsigned char*>(blob.data()));
  r.trailing_bytes = blob.size() - der_bytes;
  ASN1_OCTET_STRING** content = CMS_get0_content(cms.get());
  const bool attached = content && *content;
  if (attached && !detached)
    r.content.emplace(reinterpret_cast<const char*>(ASN1_STRING_get0_data(*content)),
                      static_cast<size_t>(ASN1_STRING_length(*content)));
  CertStack embedded(CMS_get1_certs(cms.get()));
  r.certificates = embedded ? static_cast<size_t>(sk_X509_num(embedded.get())) : 0;
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms.get());
  for (int i = 0; infos && i < sk_CMS_SignerInfo_num(infos); ++i)
    r.signers.push_back(describeSigner(sk_CMS_SignerInfo_value(infos, i)));
  if (auto bad = parserProblem(cms.get(), blob.substr(0, der_bytes))) return fail(r, bad->first, bad->second);

  // verify_pkcs7_message_sig() supplies the wrapper's table, which must be the only content.
  if (detached && (attached || !CMS_is_detached(cms.get())))
    return fail(r, BlobProblem::AttachedInWrapper,
                "the wrapper's PKCS#7 has content of its own; it must be detached, signing the table beside it (sign "
                "without -nodetach, or with ipec sign --form=detached)");
  // pkcs7_verify(): the content's type and presence, each signature, its signing time.
  if (OBJ_obj2nid(CMS_get0_eContentType(cms.get())) != NID_pkcs7_data)
    return fail(r, BlobProblem::NotData, "the signed content is not of type data; the kernel takes only data");
  if (!detached && (CMS_is_detached(cms.get()) || !r.content))
    return fail(r, BlobProblem::Detached,
                "the content is detached; the kernel needs it inside the blob (sign with -nodetach, or with ipec sign), "
                "or a decision table beside it in the detached-signature wrapper (ipec sign --form=detached)");
  BioPtr data = detached ? memoryBio(*detached) : nullptr;
  if (auto bad = signatureProblem(cms.get(), embedded.get(), expected, data.get(), r))
    return fail(r, bad->first, bad->second);
  return r;
}

// The wrapper, then its PKCS#7 over the table, in the kernel's order.
BlobReport verifyWrapper(std::string_view blob, X509* expected) {
  std::string why;
  auto parts = parseWrapper(blob, why);
  if (!parts) {
    BlobReport r;
    r.form = BlobForm::Detached;
    r.blob_bytes = blob.size();
    return fail(r, BlobProblem::BadWrapper, fmt::format("a malformed detached-signature wrapper: {}", why));
  }
  BlobReport r = verifyParts(parts->signature, parts->table, expected);
  r.form = BlobForm::Detached;
  r.blob_bytes = blob.size();
  r.signature_bytes = parts->signature.size();
  r.content.emplace(parts->table);
  return r;
}

}  // namespace

BlobReport verifyBlob(std::string_view blob, X509* expected) {
  const bool wrapped = looksLikeWrapper(blob);
  BlobReport r = wrapped ? verifyWrapper(blob, expected) : verifyParts(blob, std::nullopt, expected);
  // The kernel's ASN.1 decoder refuses the size before anything else is looked at.
  const size_t pkcs7 = wrapped ? r.signature_bytes : r.blob_bytes;
  if (pkcs7 > frontend::kMaxSignedPolicyBytes) {
    r.problem = BlobProblem::TooLarge;
    r.message = fmt::format("the {} is {} bytes; the kernel takes at most {} bytes of PKCS#7",
                            wrapped ? "wrapper's signature" : "blob", pkcs7, frontend::kMaxSignedPolicyBytes);
  }
  return r;
}

}  // namespace ipec::sign
