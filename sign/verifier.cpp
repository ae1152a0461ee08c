// SPDX-License-Identifier: Apache-2.0
#include "sign/verifier.h"

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "frontend/kernel_limits.h"

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

std::string nameText(const X509_NAME* name) {
  BioPtr out(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(out.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  return bioBytes(out.get());
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
// Authenticode; a content type and a message digest; a signing time inside the certificate's validity.
std::optional<std::pair<BlobProblem, std::string>> attributeProblem(CMS_SignerInfo* si, X509* cert) {
  const int count = CMS_signed_get_attr_count(si);
  if (count <= 0) return std::nullopt;
  for (int i = 0; i < count; ++i) {
    const ASN1_OBJECT* oid = X509_ATTRIBUTE_get0_object(CMS_signed_get_attr(si, i));
    const int nid = OBJ_obj2nid(oid);
    if (CMS_signed_get_attr_by_NID(si, nid, i) >= 0 || X509_ATTRIBUTE_count(CMS_signed_get_attr(si, i)) != 1)
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
  int at = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
  if (at < 0 || !cert) return std::nullopt;
  ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, at), 0);
  const ASN1_TIME* when = value && (value->type == V_ASN1_UTCTIME || value->type == V_ASN1_GENERALIZEDTIME)
                              ? reinterpret_cast<const ASN1_TIME*>(value->value.asn1_string)
                              : nullptr;
  if (when && (ASN1_TIME_compare(when, X509_get0_notBefore(cert)) < 0 ||
               ASN1_TIME_compare(when, X509_get0_notAfter(cert)) > 0))
    return std::pair{BlobProblem::SignedOutsideValidity,
                     std::string("the signing time lies outside the certificate's validity")};
  return std::nullopt;
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

std::string_view problemId(BlobProblem p) {
  switch (p) {
#define IPEC_X(e, id, errno_name) \
  case BlobProblem::e:            \
    return id;
    IPEC_BLOB_PROBLEMS(IPEC_X)
#undef IPEC_X
  }
  return "";
}

std::string_view problemErrno(BlobProblem p) {
  switch (p) {
#define IPEC_X(e, id, errno_name) \
  case BlobProblem::e:            \
    return errno_name;
    IPEC_BLOB_PROBLEMS(IPEC_X)
#undef IPEC_X
  }
  return "";
}

namespace {

BlobReport verifyParts(std::string_view blob, X509* expected) {
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
    return fail(r, BlobProblem::NotDer,
                fmt::format("not a DER-encoded PKCS#7 message (truncated or damaged?): {}", why.empty() ? "unreadable" : why));
  }
  r.trailing_bytes = blob.size() - static_cast<size_t>(p - reinterpret_cast<const unsigned char*>(blob.data()));
  if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed)
    return fail(r, BlobProblem::NotSignedData,
                fmt::format("the message is PKCS#7 {}, not signedData", OBJ_nid2sn(OBJ_obj2nid(CMS_get0_type(cms.get())))));
  if (OBJ_obj2nid(CMS_get0_eContentType(cms.get())) != NID_pkcs7_data)
    return fail(r, BlobProblem::NotData, "the signed content is not of type data; the kernel takes only data");
  ASN1_OCTET_STRING** content = CMS_get0_content(cms.get());
  if (CMS_is_detached(cms.get()) || !content || !*content)
    return fail(r, BlobProblem::Detached,
                "the content is detached; the kernel needs it inside the blob (sign with -nodetach, or with ipec sign)");
  r.content.emplace(reinterpret_cast<const char*>(ASN1_STRING_get0_data(*content)),
                    static_cast<size_t>(ASN1_STRING_length(*content)));
  CertStack embedded(CMS_get1_certs(cms.get()));
  r.certificates = embedded ? static_cast<size_t>(sk_X509_num(embedded.get())) : 0;
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms.get());
  if (!infos || sk_CMS_SignerInfo_num(infos) == 0) return fail(r, BlobProblem::NoSigner, "the blob holds no signature");
  CertStack signers(sk_X509_new_null());
  for (int i = 0; i < sk_CMS_SignerInfo_num(infos); ++i) {
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, i);
    r.signers.push_back(describeSigner(si));
    X509* cert = nullptr;
    if (expected) {
      if (CMS_SignerInfo_cert_cmp(si, expected) != 0)
        return fail(r, BlobProblem::WrongSigner,
                    fmt::format("signed by {}, not by the certificate given with --cert", r.signers.back().sid));
      cert = expected;
    } else {
      for (int c = 0; embedded && c < sk_X509_num(embedded.get()) && !cert; ++c)
        if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(embedded.get(), c)) == 0) cert = sk_X509_value(embedded.get(), c);
      if (!cert)
        return fail(r, BlobProblem::NoCertificate,
                    fmt::format("the signer's certificate is not in the blob (signed with --no-certs?): give it with "
                                "--cert; the signer is {}",
                                r.signers.back().sid));
    }
    r.signers.back().cert = nameOf(cert);
    if (auto bad = attributeProblem(si, cert)) return fail(r, bad->first, bad->second);
    X509_up_ref(cert);
    sk_X509_push(signers.get(), cert);
  }
  BioPtr out(BIO_new(BIO_s_mem()));
  const unsigned flags = CMS_BINARY | CMS_NOINTERN | CMS_NO_SIGNER_CERT_VERIFY;
  if (CMS_verify(cms.get(), signers.get(), nullptr, nullptr, out.get(), flags) != 1) {
    const std::string why = ERR_reason_error_string(ERR_peek_error()) ? ERR_reason_error_string(ERR_peek_error())
                                                                       : "verification failure";
    const BlobProblem kind = signatureFailure();
    ERR_clear_error();
    return fail(r, kind,
                kind == BlobProblem::UndecodableSignature
                    ? fmt::format("the signature does not decode ({}): it was changed after signing", why)
                    : fmt::format("the signature does not hold ({}): the content or the signature was changed after "
                                  "signing",
                                  why));
  }
  return r;
}

}  // namespace

BlobReport verifyBlob(std::string_view blob, X509* expected) {
  BlobReport r = verifyParts(blob, expected);
  // The kernel's ASN.1 decoder refuses the size before anything else is looked at.
  if (r.blob_bytes > frontend::kMaxSignedPolicyBytes) {
    r.problem = BlobProblem::TooLarge;
    r.message = fmt::format("the blob is {} bytes; the kernel takes at most {} bytes of PKCS#7", r.blob_bytes,
                            frontend::kMaxSignedPolicyBytes);
  }
  return r;
}

}  // namespace ipec::sign
