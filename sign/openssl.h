// SPDX-License-Identifier: Apache-2.0
// Owning handles for the OpenSSL objects the signing layer uses, and the error queue as text.
#pragma once

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>

namespace ipec::sign {

template <typename T, auto Free>
struct Freer {
  void operator()(T* p) const { Free(p); }
};
using X509Ptr = std::unique_ptr<X509, Freer<X509, X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Freer<EVP_PKEY, EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, Freer<BIO, BIO_free_all>>;
using CmsPtr = std::unique_ptr<CMS_ContentInfo, Freer<CMS_ContentInfo, CMS_ContentInfo_free>>;

// A read-only memory BIO over `bytes` (which must outlive it).
BioPtr memoryBio(std::string_view bytes);
// The bytes a memory BIO holds.
std::string bioBytes(BIO* bio);
// The reason of the first error OpenSSL queued (its own words), or "" when none; clears the queue.
std::string takeOpensslError();

}  // namespace ipec::sign
