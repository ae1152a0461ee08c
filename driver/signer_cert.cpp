// SPDX-License-Identifier: Apache-2.0
#include "driver/signer_cert.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include <fmt/core.h>

#include "driver/input.h"
#include "driver/output.h"

namespace ipec::driver {
namespace {

uint32_t tlv(uint32_t n) { return 1 + (n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 4) + n; }

// A certificate is a few KiB; a chain file a few tens.
constexpr uint64_t kMaxCertFile = 1u << 20;

std::unique_ptr<X509, decltype(&X509_free)> parseCert(const std::string& bytes) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())),
                                                BIO_free);
  X509* raw = bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (!raw) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    raw = d2i_X509(nullptr, &p, static_cast<long>(bytes.size()));
  }
  return {raw, X509_free};
}

}  // namespace

bool loadSignerCert(const std::string& path, frontend::SigningModel& m, std::string& error) {
  // Read first, as every input is read: a missing, unreadable or oversized file says why.
  InputError ierr;
  auto in = readInput(path, kMaxCertFile, ierr, /*policy=*/false);
  if (!in) {
    error = fmt::format("--signer-cert: {}", ierr.message);
    return false;
  }
  auto cert = parseCert(in->bytes);
  if (!cert) {
    error = in->bytes.find("-----BEGIN") != std::string::npos
                ? fmt::format("--signer-cert: {} is PEM but holds no readable X.509 certificate (a key, a CSR, or "
                              "a damaged certificate)",
                              in->display_name)
                : fmt::format("--signer-cert: {} is not an X.509 certificate, in PEM or DER", in->display_name);
    return false;
  }
  m.cert_der_bytes = static_cast<uint32_t>(i2d_X509(cert.get(), nullptr));
  m.issuer_name_tlv = static_cast<uint32_t>(i2d_X509_NAME(X509_get_issuer_name(cert.get()), nullptr));
  m.serial_tlv = static_cast<uint32_t>(i2d_ASN1_INTEGER(X509_get_serialNumber(cert.get()), nullptr));
  EVP_PKEY* key = X509_get0_pubkey(cert.get());
  if (!key) {
    error = fmt::format("--signer-cert: cannot read the public key of {}", in->display_name);
    return false;
  }
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      m.sigalg_tlv = 15;
      m.sig_bytes_min = m.sig_bytes_max = static_cast<uint32_t>(EVP_PKEY_get_size(key));
      return true;
    case EVP_PKEY_EC: {
      // Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }: each at most ceil(bits/8) bytes plus
      // a 0x00 pad when the top bit is set; values a byte shorter are common, two bytes shorter rare.
      uint32_t bits = static_cast<uint32_t>(EVP_PKEY_get_bits(key));
      uint32_t nb = (bits + 7) / 8 + (bits % 8 == 0 ? 1 : 0);
      m.sigalg_tlv = 12;
      m.sig_bytes_max = tlv(2 * tlv(nb));
      m.sig_bytes_min = tlv(2 * tlv(nb - 2));
      return true;
    }
    default:
      error = fmt::format("--signer-cert: {} has a key type the size model does not cover (RSA or ECDSA)",
                          in->display_name);
      return false;
  }
}

}  // namespace ipec::driver
