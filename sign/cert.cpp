// SPDX-License-Identifier: Apache-2.0
#include "sign/cert.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <fmt/format.h>

namespace ipec::sign {
namespace {

uint32_t tlv(uint32_t n) { return 1 + (n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 4) + n; }

std::string hex(const unsigned char* p, int n, bool upper) {
  std::string out;
  for (int i = 0; i < n; ++i) out += upper ? fmt::format("{:02X}", p[i]) : fmt::format("{:02x}", p[i]);
  return out;
}

}  // namespace

X509Ptr parseCert(std::string_view bytes) {
  BioPtr bio = memoryBio(bytes);
  X509* raw = bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (!raw) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    raw = d2i_X509(nullptr, &p, static_cast<long>(bytes.size()));
  }
  ERR_clear_error();
  return X509Ptr(raw);
}

std::string nameText(const X509_NAME* name) {
  BioPtr out(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(out.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  return bioBytes(out.get());
}

CertName nameOf(X509* cert) {
  CertName n;
  n.subject = nameText(X509_get_subject_name(cert));
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
  n.serial = hex(ASN1_STRING_get0_data(serial), ASN1_STRING_length(serial), true);
  if (const ASN1_OCTET_STRING* id = X509_get0_subject_key_id(cert))
    n.skid = hex(ASN1_STRING_get0_data(id), ASN1_STRING_length(id), false);
  return n;
}

std::string fillSigningModel(X509* cert, frontend::SigningModel& m) {
  m.cert_der_bytes = static_cast<uint32_t>(i2d_X509(cert, nullptr));
  m.issuer_name_tlv = static_cast<uint32_t>(i2d_X509_NAME(X509_get_issuer_name(cert), nullptr));
  m.serial_tlv = static_cast<uint32_t>(i2d_ASN1_INTEGER(X509_get_serialNumber(cert), nullptr));
  EVP_PKEY* key = X509_get0_pubkey(cert);
  if (!key) return "has a public key OpenSSL cannot read";
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      m.sigalg_tlv = 15;
      m.sig_bytes_min = m.sig_bytes_max = static_cast<uint32_t>(EVP_PKEY_get_size(key));
      return "";
    case EVP_PKEY_EC: {
      // Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }: each at most ceil(bits/8) bytes plus
      // a 0x00 pad when the top bit is set; values a byte shorter are common, two bytes shorter rare.
      uint32_t bits = static_cast<uint32_t>(EVP_PKEY_get_bits(key));
      uint32_t nb = (bits + 7) / 8 + (bits % 8 == 0 ? 1 : 0);
      m.sigalg_tlv = 12;
      m.sig_bytes_max = tlv(2 * tlv(nb));
      m.sig_bytes_min = tlv(2 * tlv(nb - 2));
      return "";
    }
    default:
      return "has a key type the size model does not cover (RSA or ECDSA)";
  }
}

}  // namespace ipec::sign
