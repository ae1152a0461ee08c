#include "frontend/kernel_limits.h"

#include <string_view>

namespace ipec::frontend {

uint64_t SigningModel::derSize(uint64_t text_bytes) const {
  // Provisional: overhead measured with kernel-oracle's signer (847-byte certificate):
  // a 64256-byte text gives a 65535-byte blob.
  uint64_t overhead = 1279 - 847;
  if (embed_cert) overhead += cert_der_bytes;
  return text_bytes + overhead;
}

void checkKernelLimits(const SourceFile& file, const ast::Policy& policy, const SigningModel& signing,
                       DiagnosticEngine& diags) {
  const uint64_t der = signing.derSize(file.size());
  if (der > kMaxSignedPolicyBytes) {
    Diagnostic d;
    d.id = DiagId::PolicyTooLarge;
    d.range = {0, 0};
    d.message = "the signed policy would be " + std::to_string(der) + " bytes of PKCS#7 (" +
                std::to_string(file.size()) + " bytes of text" +
                (signing.embed_cert ? " plus an embedded " + std::to_string(signing.cert_der_bytes) +
                                          "-byte certificate and the signature"
                                    : std::string(" plus the signature")) +
                "); the kernel accepts at most 65535";
    d.notes.push_back({std::nullopt, "the text may be at most " +
                                         std::to_string(file.size() - (der - kMaxSignedPolicyBytes)) +
                                         " bytes with this signer"});
    if (signing.embed_cert)
      d.notes.push_back({std::nullopt, "signing with `-nocerts` saves the certificate's bytes"});
    d.kernel_errno = Errno::MsgSize;
    diags.report(std::move(d), {KernelPhase::Decode, 0});
  }
  if (!policy.header) return;
  const ast::Header& h = *policy.header;
  std::string_view name = h.name;
  auto nameError = [&](Errno e, std::string msg) {
    Diagnostic d;
    d.id = DiagId::BadPolicyName;
    d.range = h.name_range;
    d.message = std::move(msg);
    d.kernel_errno = e;
    diags.report(std::move(d), {KernelPhase::Name, 0});
  };
  // securityfs_create_dir() -> lookup_one_len(): "." / ".." / '/' are EACCES before the
  // NAME_MAX check of simple_lookup() gives ENAMETOOLONG.
  if (name == "." || name == "..") {
    nameError(Errno::Acces, "policy name " + quote(name) +
                                 " cannot be a securityfs directory name; the kernel rejects it with EACCES");
  } else if (name.find('/') != std::string_view::npos) {
    nameError(Errno::Acces, "policy name " + quote(name) +
                                 " contains `/`; securityfs cannot create it and the kernel rejects it with EACCES");
  } else if (name.size() > 255) {
    nameError(Errno::NameTooLong, "policy name is " + std::to_string(name.size()) +
                                       " bytes long; securityfs allows 255 and the kernel rejects it with "
                                       "ENAMETOOLONG");
  }
}

}  // namespace ipec::frontend
