// SPDX-License-Identifier: Apache-2.0
// Checking a signed policy blob as the kernel would before IPE parses the text: DER PKCS#7
// SignedData, the content attached and of type data, every signature valid; or the
// detached-signature wrapper (sign/wrapper.h) and the signature over its table. Which certificate
// must have signed is the caller's choice (the one given, or the one embedded).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sign/cert.h"
#include "sign/openssl.h"

namespace ipec::sign {

// What is wrong with a blob: the first problem in the kernel's order (its parser, then
// pkcs7_verify(), then the keyring), so that the errno is the kernel's; the ids appear in JSON
// (docs/cli.md).
// The errnos are what Linux 6.12 answered in the kernel suite (part sign, docs/kernel-suite.md).
#define IPEC_BLOB_PROBLEMS(X)                                                                      \
  X(None, "none", "")                                                                             \
  X(TooLarge, "too-large", "EMSGSIZE")                                                            \
  X(BadWrapper, "bad-wrapper", "EBADMSG")                                                         \
  X(Pem, "pem", "EBADMSG")                                                                        \
  X(NotDer, "not-der", "EBADMSG")                                                                 \
  X(NotSignedData, "not-signed-data", "EINVAL")                                                   \
  X(BadVersion, "unsupported-version", "EINVAL")                                                  \
  X(VersionMismatch, "version-mismatch", "EBADMSG")                                               \
  X(NotData, "content-not-data", "EKEYREJECTED")                                                  \
  X(Detached, "detached", "EKEYREJECTED")                                                         \
  X(AttachedInWrapper, "wrapper-content-attached", "EBADMSG")                                    \
  X(NoSigner, "no-signer", "EBADMSG")                                                             \
  X(MissingAttribute, "missing-signed-attribute", "EBADMSG")                                      \
  X(RefusedAttribute, "refused-signed-attribute", "EKEYREJECTED")                                 \
  X(NoCertificate, "no-certificate", "")                                                          \
  X(WrongSigner, "wrong-signer", "ENOKEY")                                                        \
  X(UndecodableSignature, "undecodable-signature", "EINVAL")                                      \
  X(BadSignature, "bad-signature", "EKEYREJECTED")                                                \
  X(SignedOutsideValidity, "signed-outside-validity", "EKEYREJECTED")                              \
  X(BadTable, "bad-table", "EBADMSG")

enum class BlobProblem : uint8_t {
#define IPEC_X(e, id, errno_name) e,
  IPEC_BLOB_PROBLEMS(IPEC_X)
#undef IPEC_X
};
std::string_view problemId(BlobProblem p);
// The errno the kernel answers new_policy with for this problem ("" when it does not apply, as
// for a missing certificate, which the kernel finds in its keyring).
std::string_view problemErrno(BlobProblem p);

struct SignerReport {
  std::string sid;             // how the SignerInfo names its signer
  std::optional<CertName> cert;  // the certificate that verified the signature
  std::string digest;          // "sha256"
  std::string signature;       // "rsaEncryption", "ecdsa-with-SHA256"
  std::vector<std::string> signed_attributes;  // short names; empty for the kernel's usual form
};

// A PKCS#7 with the content inside, or the wrapper with the table beside a detached PKCS#7.
enum class BlobForm : uint8_t { Attached, Detached };

struct BlobReport {
  BlobProblem problem = BlobProblem::None;
  std::string message;  // what failed (lower case, no final period)
  BlobForm form = BlobForm::Attached;
  size_t blob_bytes = 0;
  size_t signature_bytes = 0;  // the wrapper's PKCS#7 (0 for the attached form: all of blob_bytes)
  std::optional<std::string> content;
  size_t certificates = 0;  // embedded
  size_t trailing_bytes = 0;  // after the DER message: the kernel ignores them
  std::vector<SignerReport> signers;
};

// `expected`: the certificate that must have signed (null: each signer's embedded certificate).
// A blob that starts with the wrapper's magic is read as the wrapper; `content` is then its table.
// Whether the content is a valid policy or table is the caller's question (BadTable is theirs).
BlobReport verifyBlob(std::string_view blob, X509* expected);

}  // namespace ipec::sign
