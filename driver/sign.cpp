// SPDX-License-Identifier: Apache-2.0
// ipec sign: check a policy as `ipec check` does, sign it as the kernel takes it (sign/), and
// refuse what the kernel would refuse: a policy it rejects, a blob over 65535 bytes.
#include <unistd.h>

#include <optional>

#include <fmt/format.h>

#include "driver/commands.h"
#include "driver/input.h"
#include "driver/output.h"
#include "driver/sign_inputs.h"
#include "sign/cert.h"
#include "sign/key.h"
#include "sign/signer.h"

namespace ipec::driver {
namespace {

constexpr int kFindings = static_cast<int>(ExitCode::Findings);
constexpr int kUsage = static_cast<int>(ExitCode::Usage);

std::string bytes(uint64_t n) { return fmt::format("{} byte{}", n, n == 1 ? "" : "s"); }

// Why the blob is too large, and what would fit.
void explainTooLarge(const std::string& out, size_t blob, size_t content, const frontend::SigningModel& model,
                     bool forced) {
  const std::string what = fmt::format("{}: {} bytes of PKCS#7 for {} bytes of policy; the kernel refuses more than "
                                       "{} with EMSGSIZE",
                                       out, blob, content, frontend::kMaxSignedPolicyBytes);
  if (forced) print(stderr, "ipec: warning: {} (written anyway: --force)\n", shown(what));
  else printError(fmt::format("{}; nothing written", what));
  const uint32_t sig = model.sig_bytes_max;
  if (model.embed_cert) {
    frontend::SigningModel bare = model;
    bare.embed_cert = false;
    const uint64_t without = blob - model.derSize(content, sig) + bare.derSize(content, sig);
    printNote(fmt::format("without the certificate (--no-certs; the kernel finds it in its keyring) the blob would "
                          "be {} bytes{}",
                          without, without <= frontend::kMaxSignedPolicyBytes ? ", which fits" : ""));
  }
  if (auto fits = model.maxContentBytes())
    printNote(fmt::format("with this key and certificate the policy may be at most {} bytes; remove rules ({} too "
                          "many)",
                          *fits, bytes(content - std::min<uint64_t>(content, *fits))));
  if (model.sigalg_tlv == 15)
    printNote(fmt::format("an ECDSA P-256 key and certificate cost about 650 bytes of PKCS#7 instead of {}",
                          blob - content));
}

// Where the blob goes: POLICY.p7s unless -o says otherwise; nullopt (after the message) when that
// cannot be.
std::optional<std::string> outputPath(const SignOptions& o) {
  if (o.policy == "-" && o.output.empty()) {
    printError("the policy comes from standard input: name the signed file with -o (`-o -`: standard output)");
    return std::nullopt;
  }
  std::string out = o.output.empty() ? o.policy + ".p7s" : o.output;
  if (out == "-" && isatty(STDOUT_FILENO)) {
    printError("-o -: standard output is a terminal; the blob is binary (redirect it, or name a file)");
    return std::nullopt;
  }
  if (out != "-" && sameFile(out, o.policy)) {
    printError(fmt::format("-o {} is the policy itself; the signed blob needs another file", shown(out)));
    return std::nullopt;
  }
  return out;
}

// The refusal of a policy with errors. Errors the kernel does not see (a warning made an error,
// a target without IPE) refuse too.
void refuseErrors(const CheckedPolicy& p, const PipelineConfig& config) {
  const KernelVerdict v = p.diags->verdict();
  printError(v.accepts ? fmt::format("{}: not signed: it has errors; fix them, or sign anyway with --force",
                                     p.file->name())
                       : fmt::format("{}: not signed: {} would reject it with {} ({}); fix the errors, or sign "
                                     "anyway with --force",
                                     p.file->name(), config.target.kernel_name, errnoName(v.errno_code),
                                     errnoValue(v.errno_code)));
}

void printSigned(const std::string& out, const CheckedPolicy& p, X509* cert, const SignOptions& o, size_t blob) {
  const sign::CertName who = sign::nameOf(cert);
  const auto& header = p.parsed.policy.header;
  const std::string name = header ? fmt::format("policy {} version {}", quote(header->name), header->version.str())
                                  : std::string("a policy without a header");
  print(out == "-" ? stderr : stdout,
        "{}: signed {} ({}) by {} (serial {}), {}, {}: {} bytes of PKCS#7 (limit {}), {} bytes of content\n",
        out == "-" ? "<stdout>" : shown(out), p.file->name(), name, quote(who.subject), who.serial, o.digest,
        o.no_certs ? "certificate not embedded" : "certificate embedded", blob, frontend::kMaxSignedPolicyBytes,
        p.file->size());
}

}  // namespace

int runSign(const SignOptions& o) {
  const auto out = outputPath(o);
  if (!out) return kUsage;
  std::string error;
  auto digest = parseSigningDigest(o.digest, error);
  if (!digest) {
    printError(error);
    return kUsage;
  }
  SignerMaterial signer;
  if (!loadSignerMaterial(o.key, o.cert, signer)) return kUsage;
  auto in = readInputOrReport(o.policy, o.max_file_size);
  if (!in) return kUsage;

  PipelineConfig config = o.pipeline;
  config.check_loadable = true;
  config.check_signed_size = false;  // the real blob's size is measured below
  CheckedPolicy p = checkPolicy(in->display_name, in->bytes, config);
  printDiagnostics(p, o.color);
  const bool has_errors = p.diags->errorCount() > 0;
  if (has_errors && !o.force) {
    refuseErrors(p, config);
    return kFindings;
  }
  auto blob = sign::signPolicy({in->bytes, signer.key.get(), signer.cert.get(), !o.no_certs, *digest}, error);
  if (!blob) {
    printError(fmt::format("signing {} failed: {}", in->display_name, error));
    return kUsage;
  }
  if (blob->size() > frontend::kMaxSignedPolicyBytes) {
    frontend::SigningModel model = config.signing;
    sign::fillSigningModel(signer.cert.get(), model);
    model.embed_cert = !o.no_certs;
    explainTooLarge(*out == "-" ? "<stdout>" : shown(*out), blob->size(), in->bytes.size(), model, o.force);
    if (!o.force) return kFindings;
  }
  if (*out == "-") {
    writeText(stdout, *blob);
  } else if (!writeFileAtomically(*out, *blob, error)) {
    printError(error);
    return kUsage;
  }
  printSigned(*out, p, signer.cert.get(), o, blob->size());
  if (has_errors) print(stderr, "ipec: warning: {}: signed despite its errors (--force)\n", in->display_name);
  return 0;
}

}  // namespace ipec::driver
