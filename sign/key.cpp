// SPDX-License-Identifier: Apache-2.0
#include "sign/key.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <fmt/format.h>

namespace ipec::sign {
namespace {

// Refuses to decrypt: ipec never asks for a passphrase, so an encrypted key fails plainly.
int noPassphrase(char*, int, int, void*) { return -1; }

}  // namespace

bool isPkcs11Uri(std::string_view spec) { return spec.starts_with("pkcs11:"); }

PkeyPtr parsePrivateKey(std::string_view bytes, std::string& why) {
  if (bytes.find("-----BEGIN") != std::string_view::npos) {
    BioPtr bio = memoryBio(bytes);
    PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassphrase, nullptr));
    ERR_clear_error();
    if (key) return key;
    if (bytes.find("ENCRYPTED") != std::string_view::npos)
      why = "holds an encrypted key; ipec reads no passphrase: decrypt it into a file only the signer can read, "
            "or keep the key in a PKCS#11 token";
    else if (bytes.find("CERTIFICATE-----") != std::string_view::npos)
      why = "holds a certificate, not a private key (the certificate goes to --cert)";
    else
      why = "is PEM but holds no private key OpenSSL can read";
    return {};
  }
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  PkeyPtr key(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(bytes.size())));
  ERR_clear_error();
  if (!key) why = "is not a private key, in PEM or DER";
  return key;
}

std::string redactUri(std::string_view uri) {
  // The scheme ends the first attribute's left side as `;` ends the others'.
  std::string out(uri.substr(0, isPkcs11Uri(uri) ? 7 : 0));
  size_t pos = out.size();
  while (pos <= uri.size()) {
    size_t end = uri.find_first_of(";?&", pos);
    if (end == std::string_view::npos) end = uri.size();
    std::string_view attr = uri.substr(pos, end - pos);
    out += attr.starts_with("pin-value=") ? std::string_view("pin-value=***") : attr;
    if (end < uri.size()) out += uri[end];
    pos = end + 1;
  }
  return out;
}

std::string keyKind(EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      return fmt::format("RSA-{}", EVP_PKEY_get_bits(key));
    case EVP_PKEY_EC: {
      char group[64] = "";
      size_t len = 0;
      if (EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof group, &len))
        return fmt::format("EC {}", group);
      return fmt::format("EC {}-bit", EVP_PKEY_get_bits(key));
    }
    default:
      return fmt::format("{}-bit key of type {}", EVP_PKEY_get_bits(key), EVP_PKEY_get_base_id(key));
  }
}

}  // namespace ipec::sign
