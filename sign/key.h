// SPDX-License-Identifier: Apache-2.0
// The signing key: from a file (PEM or DER; RSA or EC; PKCS#8 or the traditional forms) or from
// a PKCS#11 token named by an RFC 7512 URI (`pkcs11:token=...;object=...`). No message ever shows
// key material or a PIN.
#pragma once

#include <string>
#include <string_view>

#include "sign/openssl.h"

namespace ipec::sign {

bool isPkcs11Uri(std::string_view spec);

// A private key in PEM or DER. On failure `why` says what the bytes are instead (a phrase that
// follows the file name: "holds no private key ...").
PkeyPtr parsePrivateKey(std::string_view bytes, std::string& why);

// The key a PKCS#11 URI names, through OpenSSL's `pkcs11` engine (pkcs11_engine.cpp). The module
// comes from the URI's `module-path` attribute, else IPEC_PKCS11_MODULE, else the engine's default
// (p11-kit's proxy, which loads every registered module); the PIN from the URI's `pin-value`, else
// IPEC_PKCS11_PIN. On failure `why` is a sentence.
PkeyPtr loadPkcs11Key(const std::string& uri, std::string& why);

// The URI for messages: `pin-value` replaced by `***`.
std::string redactUri(std::string_view uri);

// The key's kind for messages: "RSA-2048", "EC P-256", ...
std::string keyKind(EVP_PKEY* key);

}  // namespace ipec::sign
