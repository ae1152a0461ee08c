// What the kernel checks outside the parser when a signed policy is written to new_policy:
// the size of the PKCS#7 blob (before parsing) and the policy name (after parsing).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/diagnostic.h"
#include "base/source.h"
#include "frontend/ast.h"

namespace ipec::frontend {

// The kernel's ASN.1 decoder takes at most 65535 bytes of PKCS#7 DER.
inline constexpr uint64_t kMaxSignedPolicyBytes = 65535;

// How the policy will be signed; it decides how many bytes the signature costs.
// See docs/signing-model.md for the derivation and the measurements behind it.
struct SigningModel {
  uint32_t cert_der_bytes = 847;      // the embedded signer certificate (kernel-oracle's: 847)
  bool embed_cert = true;             // false: `openssl smime -sign -nocerts`
  uint32_t signature_bytes = 256;     // RSA-2048
  uint32_t issuer_serial_bytes = 0;   // 0: derived from the default certificate model
  // Size of the DER blob `openssl smime -sign -binary -noattr -nodetach -nosmimecap` makes.
  uint64_t derSize(uint64_t text_bytes) const;
};

void checkKernelLimits(const SourceFile& file, const ast::Policy& policy, const SigningModel& signing,
                       DiagnosticEngine& diags);

}  // namespace ipec::frontend
