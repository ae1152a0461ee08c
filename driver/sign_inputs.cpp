// SPDX-License-Identifier: Apache-2.0
#include "driver/sign_inputs.h"

#include <openssl/err.h>
#include <openssl/x509.h>

#include <fmt/format.h>

#include "driver/input.h"
#include "driver/output.h"
#include "sign/cert.h"
#include "sign/key.h"
#include "sign/signer.h"

namespace ipec::driver {
namespace {

// A key or a certificate is a few KiB; a chain file a few tens.
constexpr uint64_t kMaxCredentialFile = 1u << 20;

}  // namespace

std::optional<stdlib::DigestAlg> parseSigningDigest(const std::string& name, std::string& error) {
  auto alg = stdlib::lookupDigestAlg(name);
  if (alg && sign::isSigningDigest(*alg)) return alg;
  error = alg ? fmt::format("--digest {}: too weak or not offered for signing policies; use sha256, sha384 or sha512",
                            quote(name))
              : fmt::format("--digest {}: unknown digest; use sha256, sha384 or sha512", quote(name));
  return std::nullopt;
}

sign::X509Ptr readCertOption(const std::string& path) {
  InputError ierr;
  auto in = readInput(path, kMaxCredentialFile, ierr, /*policy=*/false);
  if (!in) {
    printError(fmt::format("--cert: {}", ierr.message));
    return {};
  }
  sign::X509Ptr cert = sign::parseCert(in->bytes);
  if (!cert)
    printError(in->bytes.find("PRIVATE KEY-----") != std::string::npos
                   ? fmt::format("--cert: {} holds a private key, not a certificate (the key goes to --key)",
                                 in->display_name)
                   : fmt::format("--cert: {} is not an X.509 certificate, in PEM or DER", in->display_name));
  return cert;
}

bool loadSignerMaterial(const std::string& key, const std::string& cert, SignerMaterial& out) {
  out.cert = readCertOption(cert);
  if (!out.cert) return false;
  std::string why;
  if (sign::isPkcs11Uri(key)) {
    out.key = sign::loadPkcs11Key(key, why);
    if (!out.key) {
      printError(fmt::format("--key: {}", shown(why)));
      return false;
    }
  } else {
    InputError ierr;
    auto in = readInput(key, kMaxCredentialFile, ierr, /*policy=*/false);
    if (!in) {
      printError(fmt::format("--key: {}", ierr.message));
      return false;
    }
    out.key = sign::parsePrivateKey(in->bytes, why);
    if (!out.key) {
      printError(fmt::format("--key: {} {}", in->display_name, why));
      return false;
    }
  }
  if (X509_check_private_key(out.cert.get(), out.key.get()) != 1) {
    ERR_clear_error();
    printError(fmt::format("--key and --cert do not belong together: the {} key is not the one certified for {}",
                           sign::keyKind(out.key.get()), quote(sign::nameOf(out.cert.get()).subject)));
    return false;
  }
  if (std::string why_model = [&] {
        frontend::SigningModel m;
        return sign::fillSigningModel(out.cert.get(), m);
      }();
      !why_model.empty()) {
    printError(fmt::format("--cert: the certificate {}", why_model));
    return false;
  }
  return true;
}

}  // namespace ipec::driver
