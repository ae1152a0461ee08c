// SPDX-License-Identifier: Apache-2.0
// Reads the signer's X.509 certificate to fill the PKCS#7 size model (EMSGSIZE prediction).
#pragma once

#include <string>

#include "frontend/kernel_limits.h"

namespace ipec::driver {

// PEM or DER. Fills the certificate, issuer and serial sizes and the signature size range.
bool loadSignerCert(const std::string& path, frontend::SigningModel& model, std::string& error);

}  // namespace ipec::driver
