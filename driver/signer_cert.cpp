// SPDX-License-Identifier: Apache-2.0
#include "driver/signer_cert.h"

#include <fmt/core.h>

#include "driver/input.h"
#include "driver/output.h"
#include "sign/cert.h"

namespace ipec::driver {
namespace {

// A certificate is a few KiB; a chain file a few tens.
constexpr uint64_t kMaxCertFile = 1u << 20;

}  // namespace

bool loadSignerCert(const std::string& path, frontend::SigningModel& m, std::string& error) {
  // Read first, as every input is read: a missing, unreadable or oversized file says why.
  InputError ierr;
  auto in = readInput(path, kMaxCertFile, ierr, /*policy=*/false);
  if (!in) {
    error = fmt::format("--signer-cert: {}", ierr.message);
    return false;
  }
  sign::X509Ptr cert = sign::parseCert(in->bytes);
  if (!cert) {
    error = in->bytes.find("-----BEGIN") != std::string::npos
                ? fmt::format("--signer-cert: {} is PEM but holds no readable X.509 certificate (a key, a CSR, or "
                              "a damaged certificate)",
                              in->display_name)
                : fmt::format("--signer-cert: {} is not an X.509 certificate, in PEM or DER", in->display_name);
    return false;
  }
  std::string why = sign::fillSigningModel(cert.get(), m);
  if (!why.empty()) {
    error = fmt::format("--signer-cert: {} {}", in->display_name, why);
    return false;
  }
  return true;
}

}  // namespace ipec::driver
