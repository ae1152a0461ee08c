// SPDX-License-Identifier: Apache-2.0
// The signer's X.509 certificate: read it, name it, and size the PKCS#7 blob it makes
// (frontend::SigningModel, the EMSGSIZE prediction).
#pragma once

#include <string>
#include <string_view>

#include "frontend/kernel_limits.h"
#include "sign/openssl.h"

namespace ipec::sign {

// PEM or DER; null when the bytes hold no certificate.
X509Ptr parseCert(std::string_view bytes);

// How a certificate is named to a person: the subject (RFC 2253), the serial number and the
// subject key identifier in hex ("" when the certificate has none).
struct CertName {
  std::string subject;
  std::string serial;  // upper-case hex, as `openssl x509 -serial` prints it
  std::string skid;    // lower-case hex
};
CertName nameOf(X509* cert);
// A distinguished name as RFC 2253 writes it (UTF-8 left as it is).
std::string nameText(const X509_NAME* name);

// Fills the certificate, issuer and serial sizes and the signature size range of `model`.
// Returns "" or why the model cannot cover the certificate's key (a phrase: "has a key type ...").
std::string fillSigningModel(X509* cert, frontend::SigningModel& model);

}  // namespace ipec::sign
