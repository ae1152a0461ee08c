// SPDX-License-Identifier: Apache-2.0
#include "sign/openssl.h"

#include <openssl/err.h>

namespace ipec::sign {

BioPtr memoryBio(std::string_view bytes) {
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

std::string bioBytes(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

std::string takeOpensslError() {
  unsigned long e = ERR_get_error();
  std::string reason;
  if (e) {
    const char* r = ERR_reason_error_string(e);
    reason = r ? r : "unknown OpenSSL error";
  }
  ERR_clear_error();
  return reason;
}

}  // namespace ipec::sign
