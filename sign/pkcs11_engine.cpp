// SPDX-License-Identifier: Apache-2.0
// PKCS#11 keys through OpenSSL's ENGINE API. OpenSSL 3 reaches tokens either through a provider
// (pkcs11-provider, not packaged in Debian 12) or through an engine: Debian 12 ships libp11's
// engine (libengine-pkcs11-openssl), and OpenSSL 3.0 still has the ENGINE API, deprecated. This
// is the only file that touches ENGINE; it is compiled without the deprecation warnings.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/engine.h>
#include <openssl/err.h>

#include <cstdlib>

#include <fmt/format.h>

#include "sign/key.h"

namespace ipec::sign {
namespace {

// The URI without the attributes ipec hands the engine itself (the module and the PIN), which
// libp11 does not take from a query component.
struct SplitUri {
  std::string uri, module, pin;
};

SplitUri splitUri(std::string_view uri) {
  SplitUri out;
  out.uri = "pkcs11:";
  size_t pos = out.uri.size();  // loadPkcs11Key() is called for pkcs11: URIs only
  char sep = 0;
  while (pos <= uri.size()) {
    size_t end = uri.find_first_of(";?&", pos);
    if (end == std::string_view::npos) end = uri.size();
    std::string_view attr = uri.substr(pos, end - pos);
    if (attr.starts_with("module-path=")) out.module = attr.substr(12);
    else if (attr.starts_with("pin-value=")) out.pin = attr.substr(10);
    else if (sep != '?' && sep != '&') out.uri += fmt::format("{}{}", sep == 0 || out.uri.back() == ':' ? "" : ";", attr);
    if (end == uri.size()) break;
    sep = uri[end];
    pos = end + 1;
  }
  return out;
}

std::string engineError(std::string_view what) {
  unsigned long e = ERR_get_error();
  const char* reason = e ? ERR_reason_error_string(e) : nullptr;
  ERR_clear_error();
  return reason ? fmt::format("{} ({})", what, reason) : std::string(what);
}

}  // namespace

PkeyPtr loadPkcs11Key(const std::string& uri, std::string& why) {
  SplitUri parts = splitUri(uri);
  if (parts.module.empty())
    if (const char* m = std::getenv("IPEC_PKCS11_MODULE")) parts.module = m;
  if (parts.pin.empty())
    if (const char* p = std::getenv("IPEC_PKCS11_PIN")) parts.pin = p;
  ENGINE_load_builtin_engines();
  ENGINE* engine = ENGINE_by_id("pkcs11");  // the dynamic engine finds engines-3/pkcs11.so
  if (!engine) {
    ERR_clear_error();
    why = "OpenSSL has no `pkcs11` engine (Debian: install libengine-pkcs11-openssl)";
    return {};
  }
  if (!parts.module.empty() && !ENGINE_ctrl_cmd_string(engine, "MODULE_PATH", parts.module.c_str(), 0)) {
    why = engineError(fmt::format("the pkcs11 engine refused the module {}", parts.module));
    ENGINE_free(engine);
    return {};
  }
  if (!ENGINE_init(engine)) {
    why = engineError(fmt::format("the pkcs11 engine could not load the PKCS#11 module {}",
                                  parts.module.empty() ? "(its default, p11-kit's proxy)" : parts.module));
    ENGINE_free(engine);
    return {};
  }
  if (!parts.pin.empty()) ENGINE_ctrl_cmd_string(engine, "PIN", parts.pin.c_str(), 0);
  PkeyPtr key(ENGINE_load_private_key(engine, parts.uri.c_str(), nullptr, nullptr));
  if (!key) why = engineError(fmt::format("no private key at {} (wrong token, object, id or PIN?)", redactUri(uri)));
  // The key's operations run in the engine: the functional reference stays until the process ends
  // (libp11 is known to crash when it is torn down before its keys).
  ENGINE_free(engine);
  return key;
}

}  // namespace ipec::sign
