// SPDX-License-Identifier: Apache-2.0
// ipec sign: check a policy as `ipec check` does, sign it as the kernel takes it (sign/), and
// refuse what the kernel would refuse: a policy it rejects, a blob over 65535 bytes.
#include <unistd.h>

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

}  // namespace

int runSign(const SignOptions& o) {
  if (o.policy == "-" && o.output.empty()) {
    printError("the policy comes from standard input: name the signed file with -o (`-o -`: standard output)");
    return kUsage;
  }
  const std::string out = o.output.empty() ? o.policy + ".p7s" : o.output;
  if (out == "-" && isatty(STDOUT_FILENO)) {
    printError("-o -: standard output is a terminal; the blob is binary (redirect it, or name a file)");
    return kUsage;
  }
  if (out != "-" && sameFile(out, o.policy)) {
    printError(fmt::format("-o {} is the policy itself; the signed blob needs another file", shown(out)));
    return kUsage;
  }
  std::string digest_error;
  auto digest = parseSigningDigest(o.digest, digest_error);
  if (!digest) {
    printError(digest_error);
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
  const KernelVerdict v = p.diags->verdict();
  const bool rejected = p.diags->errorCount() > 0;
  if (rejected && !o.force) {
    // Errors the kernel does not see (a warning made an error, a target without IPE) refuse too.
    printError(v.accepts ? fmt::format("{}: not signed: it has errors; fix them, or sign anyway with --force",
                                       in->display_name)
                         : fmt::format("{}: not signed: {} would reject it with {} ({}); fix the errors, or sign "
                                       "anyway with --force",
                                       in->display_name, config.target.kernel_name, errnoName(v.errno_code),
                                       errnoValue(v.errno_code)));
    return kFindings;
  }

  sign::SignRequest req;
  req.content = in->bytes;
  req.key = signer.key.get();
  req.cert = signer.cert.get();
  req.embed_cert = !o.no_certs;
  req.digest = *digest;
  std::string error;
  auto blob = sign::signPolicy(req, error);
  if (!blob) {
    printError(fmt::format("signing {} failed: {}", in->display_name, error));
    return kUsage;
  }
  frontend::SigningModel model = config.signing;
  sign::fillSigningModel(signer.cert.get(), model);
  model.embed_cert = !o.no_certs;
  const bool too_large = blob->size() > frontend::kMaxSignedPolicyBytes;
  if (too_large) {
    explainTooLarge(out == "-" ? "<stdout>" : shown(out), blob->size(), in->bytes.size(), model, o.force);
    if (!o.force) return kFindings;
  }
  if (out == "-") {
    writeText(stdout, *blob);
  } else if (!writeFileAtomically(out, *blob, error)) {
    printError(error);
    return kUsage;
  }
  sign::CertName who = sign::nameOf(signer.cert.get());
  std::string name = p.parsed.policy.header ? fmt::format("policy {} version {}", quote(p.parsed.policy.header->name),
                                                           p.parsed.policy.header->version.str())
                                            : std::string("a policy without a header");
  print(out == "-" ? stderr : stdout,
        "{}: signed {} ({}) by {} (serial {}), {}, {}: {} bytes of PKCS#7 (limit {}), {} bytes of content\n",
        out == "-" ? "<stdout>" : shown(out), in->display_name, name, quote(who.subject), who.serial, o.digest,
        o.no_certs ? "certificate not embedded" : "certificate embedded", blob->size(),
        frontend::kMaxSignedPolicyBytes, in->bytes.size());
  if (rejected) print(stderr, "ipec: warning: {}: signed despite its errors (--force)\n", in->display_name);
  return 0;
}

}  // namespace ipec::driver
