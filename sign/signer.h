// SPDX-License-Identifier: Apache-2.0
// Signing a policy as the kernel takes it: PKCS#7 SignedData, DER, the content attached and
// signed as it is (binary), no signed attributes; the signer's certificate embedded or not.
// The bytes are those of `openssl smime -sign -noattr -nodetach -binary -outform der`, which
// docs/signing-model.md measures and frontend::SigningModel sizes. Detached, the same SignedData
// without its content (`openssl smime` without -nodetach), as the wrapper of sign/wrapper.h holds it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sign/openssl.h"
#include "stdlib/catalog.h"

namespace ipec::sign {

// The digests ipec signs with: SHA-256 and stronger.
bool isSigningDigest(stdlib::DigestAlg alg);

struct SignRequest {
  std::string_view content;
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  bool embed_cert = true;
  stdlib::DigestAlg digest = stdlib::DigestAlg::Sha256;
  bool detached = false;  // sign `content` but leave it out of the SignedData
};

// The DER blob, or nullopt with `error` set (OpenSSL's reason).
std::optional<std::string> signPolicy(const SignRequest& request, std::string& error);

// CMS (RFC 5652) omits the NULL parameter of SHA-2 digest AlgorithmIdentifiers; PKCS#7 as
// `openssl smime` writes it keeps it. The kernel takes both; ipec writes the PKCS#7 form so that
// its blobs equal the ones made by hand and the size model's figures hold.
std::optional<std::string> withNullDigestParams(std::string_view der);

}  // namespace ipec::sign
