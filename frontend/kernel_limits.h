// SPDX-License-Identifier: Apache-2.0
// What the kernel checks outside the parser when a signed policy is written to new_policy:
// the size of the PKCS#7 blob (before parsing) and the policy name (after parsing).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/diagnostic.h"
#include "base/source.h"
#include "frontend/ast.h"

namespace ipec::frontend {

// The kernel's ASN.1 decoder takes at most 65535 bytes of PKCS#7 DER.
inline constexpr uint64_t kMaxSignedPolicyBytes = 65535;

// How the policy will be signed; it decides how many bytes the PKCS#7 wrapping costs.
// The model is exact for `openssl smime|cms -sign -nodetach -noattr -nosmimecap -outform der`
// (pure DER, definite lengths): docs/signing-model.md derives it and lists the measurements.
// The defaults describe kernel-oracle's signer: RSA-2048, an 847-byte self-signed certificate
// (issuer Name 37 bytes, serial INTEGER 22 bytes), SHA-256, `openssl smime -binary`.
struct SigningModel {
  bool embed_cert = true;          // false: `-nocerts`
  uint32_t cert_der_bytes = 847;   // the embedded signer certificate
  uint32_t issuer_name_tlv = 37;   // DER size of the certificate's issuer Name
  uint32_t serial_tlv = 22;        // DER size of its serialNumber INTEGER
  bool cms = false;                // `openssl cms` (digest AlgorithmIdentifier without NULL)
  bool subject_key_id = false;     // `cms -keyid`: the signer is named by a 20-byte SKI
  uint32_t digest_oid_tlv = 11;    // sha224/256/384/512: 11; sha1: 7
  uint32_t sigalg_tlv = 15;        // rsaEncryption+NULL: 15; ecdsa-with-SHA2: 12
  uint32_t sig_bytes_min = 256;    // RSA: the modulus size; ECDSA: the DER signature varies
  uint32_t sig_bytes_max = 256;
  bool binary = true;              // false: openssl signs a CRLF-canonicalised copy

  // Size of the DER blob for `content_bytes` of signed content and a given signature size.
  uint64_t derSize(uint64_t content_bytes, uint32_t sig_bytes) const;
  // The bytes openssl signs for `text` (CRLF canonicalisation unless `binary`).
  uint64_t contentSize(std::string_view text) const;
  // The most content that fits the kernel's limit with the largest signature; nullopt when
  // none does.
  std::optional<uint64_t> maxContentBytes() const;
};

// EMSGSIZE: the PKCS#7 blob for this text would pass 65535 bytes.
void checkSignedSize(const SourceFile& file, const SigningModel& signing, DiagnosticEngine& diags);
// EACCES / ENAMETOOLONG: securityfs cannot create policies/<name>.
void checkPolicyName(const ast::Policy& policy, DiagnosticEngine& diags);

}  // namespace ipec::frontend
