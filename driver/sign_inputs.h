// SPDX-License-Identifier: Apache-2.0
// What `ipec sign` and `ipec verify` read besides the policy: the key, the certificate, the digest.
#pragma once

#include <optional>
#include <string>

#include "sign/openssl.h"
#include "stdlib/catalog.h"

namespace ipec::driver {

// sha256, sha384 or sha512; anything else is refused with the reason in `error`.
std::optional<stdlib::DigestAlg> parseSigningDigest(const std::string& name, std::string& error);

// The certificate of --cert (PEM or DER); prints `ipec: error: ...` and returns null on failure.
sign::X509Ptr readCertOption(const std::string& path);

struct SignerMaterial {
  sign::PkeyPtr key;
  sign::X509Ptr cert;
};
// --key (a file or a pkcs11: URI) and --cert, and that they belong together; prints the error.
bool loadSignerMaterial(const std::string& key, const std::string& cert, SignerMaterial& out);

}  // namespace ipec::driver
