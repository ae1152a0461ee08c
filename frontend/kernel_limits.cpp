// SPDX-License-Identifier: Apache-2.0
#include "frontend/kernel_limits.h"

#include <fmt/format.h>

#include <iterator>
#include <string_view>

namespace ipec::frontend {

namespace {

constexpr size_t kMaxPolicyNameBytes = 255;  // NAME_MAX, checked by simple_lookup()

// DER: one tag byte, a definite length (1 byte below 128, else 0x80|k and k bytes), the content.
uint64_t lengthOctets(uint64_t n) {
  if (n < 0x80) return 1;
  uint64_t k = 0;
  for (; n; n >>= 8) ++k;
  return 1 + k;
}
uint64_t tlv(uint64_t n) { return 1 + lengthOctets(n) + n; }

}  // namespace

uint64_t SigningModel::derSize(uint64_t content, uint32_t sig_bytes) const {
  constexpr uint64_t kOidSignedData = 11, kOidData = 11, kVersion = 3;
  const uint64_t algid = tlv(digest_oid_tlv + (cms ? 0 : 2));  // smime adds a NULL parameter
  const uint64_t encap = tlv(kOidData + tlv(tlv(content)));
  const uint64_t digest_set = tlv(algid);
  const uint64_t certs = embed_cert ? tlv(cert_der_bytes) : 0;
  const uint64_t sid = subject_key_id ? tlv(20) : tlv(issuer_name_tlv + serial_tlv);
  const uint64_t signer_info = tlv(kVersion + sid + algid + sigalg_tlv + tlv(sig_bytes));
  const uint64_t signed_data = tlv(kVersion + digest_set + encap + certs + tlv(signer_info));
  return tlv(kOidSignedData + tlv(signed_data));
}

uint64_t SigningModel::contentSize(std::string_view text) const {
  if (binary) return text.size();
  // Hand-written to match OpenSSL byte for byte. SMIME_crlf_copy(): lines of at most 1023 bytes (fgets), cut at a NUL; the run of
  // CR/LF at a line's end becomes one CRLF if it held a LF, else nothing; a NUL at the start of
  // a line ends the copy.
  uint64_t out = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = pos;
    while (end < text.size() && end - pos < 1023) {
      if (text[end++] == '\n') break;
    }
    std::string_view chunk = text.substr(pos, end - pos);
    pos = end;
    if (size_t nul = chunk.find('\0'); nul != std::string_view::npos) chunk = chunk.substr(0, nul);
    if (chunk.empty()) break;
    bool eol = false;
    while (!chunk.empty() && (chunk.back() == '\n' || chunk.back() == '\r')) {
      eol |= chunk.back() == '\n';
      chunk.remove_suffix(1);
    }
    out += chunk.size() + (eol ? 2 : 0);
  }
  return out;
}

std::optional<uint64_t> SigningModel::maxContentBytes() const {
  if (derSize(0, sig_bytes_max) > kMaxSignedPolicyBytes) return std::nullopt;
  uint64_t fits = 0;
  for (uint64_t lo = 0, hi = kMaxSignedPolicyBytes; lo <= hi;) {  // derSize is increasing in the content
    uint64_t mid = lo + (hi - lo) / 2;
    if (derSize(mid, sig_bytes_max) <= kMaxSignedPolicyBytes) {
      fits = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return fits;
}

void checkSignedSize(const SourceFile& file, const SigningModel& signing, DiagnosticEngine& diags) {
  const uint64_t content = signing.contentSize(file.bytes());
  const uint64_t der = signing.derSize(content, signing.sig_bytes_max);
  if (der > kMaxSignedPolicyBytes) {
    const bool maybe = signing.derSize(content, signing.sig_bytes_min) <= kMaxSignedPolicyBytes;
    Diagnostic d;
    d.id = DiagId::PolicyTooLarge;
    d.range = {0, 0};
    d.message = fmt::format("the signed policy {} the kernel's limit of {} bytes of PKCS#7: {} bytes for {} bytes "
                            "of signed text",
                            maybe ? "may exceed" : "exceeds", kMaxSignedPolicyBytes, der, content);
    if (signing.embed_cert)
      fmt::format_to(std::back_inserter(d.message), " with an embedded {}-byte certificate", signing.cert_der_bytes);
    if (maybe)
      d.notes.push_back({std::nullopt, "the size depends on the length of the ECDSA signature, which varies "
                                       "from one signing to the next"});
    if (auto fits = signing.maxContentBytes())
      d.notes.push_back({std::nullopt, fmt::format("with this signer the signed text may be at most {} bytes", *fits)});
    else
      d.notes.push_back({std::nullopt, "with this signer no policy fits, however short"});
    if (signing.embed_cert)
      d.notes.push_back({std::nullopt, "signing with `-nocerts` saves the certificate's bytes"});
    d.kernel_errno = Errno::MsgSize;
    diags.report(std::move(d), {KernelPhase::Decode, 0});
  }
}

void checkPolicyName(const ast::Policy& policy, DiagnosticEngine& diags) {
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
    nameError(Errno::Acces, fmt::format("policy name {} cannot be a securityfs directory name; the kernel rejects "
                                        "it with EACCES",
                                        quote(name)));
  } else if (name.find('/') != std::string_view::npos) {
    nameError(Errno::Acces, fmt::format("policy name {} contains `/`; securityfs cannot create it and the kernel "
                                        "rejects it with EACCES",
                                        quote(name)));
  } else if (name.size() > kMaxPolicyNameBytes) {
    nameError(Errno::NameTooLong, fmt::format("policy name is {} bytes long; securityfs allows {} and the kernel "
                                              "rejects it with ENAMETOOLONG",
                                              name.size(), kMaxPolicyNameBytes));
  }
}

}  // namespace ipec::frontend
