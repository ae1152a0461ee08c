// SPDX-License-Identifier: Apache-2.0
// ipec sign: check a policy as `ipec check` does (a decision table: load it as the kernel does),
// sign it as the kernel takes it (sign/), and refuse what the kernel would refuse: a policy it
// rejects, a table that does not load, a PKCS#7 over 65535 bytes. A table that does not fit goes
// into the detached-signature wrapper.
#include <unistd.h>

#include <optional>

#include <fmt/format.h>

#include "backend/table.h"
#include "driver/commands.h"
#include "driver/input.h"
#include "driver/output.h"
#include "driver/sign_inputs.h"
#include "sign/cert.h"
#include "sign/key.h"
#include "sign/signer.h"
#include "sign/wrapper.h"

namespace ipec::driver {
namespace {

constexpr int kFindings = static_cast<int>(ExitCode::Findings);
constexpr int kUsage = static_cast<int>(ExitCode::Usage);

std::string bytes(uint64_t n) { return fmt::format("{} byte{}", n, n == 1 ? "" : "s"); }

// Why the blob is too large, and what would fit.
void explainTooLarge(const std::string& out, size_t blob, size_t content, const frontend::SigningModel& model,
                     bool forced, bool table) {
  const std::string what = fmt::format("{}: {} bytes of PKCS#7 for {} bytes of {}; the kernel refuses more than "
                                       "{} with EMSGSIZE",
                                       out, blob, content, table ? "table" : "policy", frontend::kMaxSignedPolicyBytes);
  if (forced) print(stderr, "ipec: warning: {} (written anyway: --force)\n", shown(what));
  else printError(fmt::format("{}; nothing written", what));
  if (table) {
    printNote("a table this large loads through the detached-signature wrapper: --form=detached (or auto, the "
              "default)");
    return;
  }
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

// What was signed and how: `what` names the content ("policy `p` version 1.0.0"), `sizes` the blob.
void printSigned(const std::string& out, const std::string& file, const std::string& what, X509* cert,
                 const SignOptions& o, const std::string& sizes) {
  const sign::CertName who = sign::nameOf(cert);
  print(out == "-" ? stderr : stdout, "{}: signed {} ({}) by {} (serial {}), {}, {}: {}\n",
        out == "-" ? "<stdout>" : shown(out), file, what, quote(who.subject), who.serial, o.digest,
        o.no_certs ? "certificate not embedded" : "certificate embedded", sizes);
}

std::string attachedSizes(size_t blob, size_t content, bool table) {
  return fmt::format("{} bytes of PKCS#7 (limit {}), {} bytes of {}", blob, frontend::kMaxSignedPolicyBytes, content,
                     table ? "table" : "content");
}

// What `ipec sign` has read and judged, for the signing step that follows.
struct Signable {
  std::string_view name, bytes;
  bool table = false;
  std::string what;  // for the summary line
};

// A table as the kernel's loader takes it; nullopt (after the message) when it is refused.
std::optional<Signable> judgeTable(const InputFile& in, bool force) {
  int status = 0;
  auto table = backend::Table::load(in.bytes, status);
  if (table) {
    const ipet_table& t = table->raw();
    return Signable{in.display_name, in.bytes, true,
                    fmt::format("table {} version {}.{}.{}",
                                quote(std::string_view(reinterpret_cast<const char*>(t.name), t.name_len)),
                                t.version[0], t.version[1], t.version[2])};
  }
  const std::string why = fmt::format("{}: not a valid decision table: {}", in.display_name,
                                      backend::loadErrorMessage(in.bytes, status));
  if (!force) {
    printError(fmt::format("{}; the kernel would reject it with EBADMSG; not signed (recompile it with `ipec "
                           "compile`, or sign anyway with --force)",
                           why));
    return std::nullopt;
  }
  print(stderr, "ipec: warning: {} (signed anyway: --force)\n", why);
  return Signable{in.display_name, in.bytes, true, "a table that does not load"};
}

// The text policy as `ipec check` checks it; nullopt (after the message) when it is refused.
std::optional<Signable> judgeText(const InputFile& in, const SignOptions& o, bool& has_errors) {
  PipelineConfig config = o.pipeline;
  config.check_loadable = true;
  config.check_signed_size = false;  // the real blob's size is measured after signing
  CheckedPolicy p = checkPolicy(in.display_name, in.bytes, config);
  printDiagnostics(p, o.color);
  has_errors = p.diags->errorCount() > 0;
  if (has_errors && !o.force) {
    refuseErrors(p, config);
    return std::nullopt;
  }
  const auto& header = p.parsed.policy.header;
  return Signable{in.display_name, in.bytes, false,
                  header ? fmt::format("policy {} version {}", quote(header->name), header->version.str())
                         : std::string("a policy without a header")};
}

// The blob to write: the attached PKCS#7, or the wrapper when the form asks for it or (auto) a table
// does not fit. nullopt after the message, with the exit status in `status`.
std::optional<std::string> signBlob(const Signable& s, const SignerMaterial& signer, const SignOptions& o,
                                    stdlib::DigestAlg digest, const std::string& out, std::string& sizes, int& status) {
  const uint64_t limit = frontend::kMaxSignedPolicyBytes;
  // A table over the limit cannot fit attached: no need to sign it twice.
  bool detached = s.table && (o.form == "detached" || (o.form == "auto" && s.bytes.size() > limit));
  std::string error;
  std::optional<std::string> blob;
  if (!detached) {
    blob = sign::signPolicy({s.bytes, signer.key.get(), signer.cert.get(), !o.no_certs, digest}, error);
    detached = blob && blob->size() > limit && s.table && o.form == "auto";
  }
  if (detached) {
    blob = sign::signPolicy({s.bytes, signer.key.get(), signer.cert.get(), !o.no_certs, digest, /*detached=*/true},
                            error);
    if (blob) {
      sizes = fmt::format("detached-signature wrapper of {} bytes: {} bytes of table, {} bytes of PKCS#7 (limit {})",
                          sign::kWrapperHeaderBytes + s.bytes.size() + blob->size(), s.bytes.size(), blob->size(),
                          limit);
      blob = sign::wrapDetached(s.bytes, *blob);
    }
  }
  if (!blob) {
    printError(fmt::format("signing {} failed: {}", s.name, error));
    status = kUsage;
    return std::nullopt;
  }
  if (detached) return blob;
  sizes = attachedSizes(blob->size(), s.bytes.size(), s.table);
  if (blob->size() > limit) {
    frontend::SigningModel model = o.pipeline.signing;
    sign::fillSigningModel(signer.cert.get(), model);
    model.embed_cert = !o.no_certs;
    explainTooLarge(out == "-" ? "<stdout>" : shown(out), blob->size(), s.bytes.size(), model, o.force, s.table);
    if (!o.force) {
      status = kFindings;
      return std::nullopt;
    }
  }
  return blob;
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
  const bool table = backend::looksLikeTable(in->bytes);
  if (!table && o.form == "detached") {
    printError(fmt::format("--form=detached: {} is policy text; the detached-signature wrapper carries only a "
                           "decision table (`ipec compile --target T -o FILE POLICY` writes one); sign the text "
                           "attached (--form=auto or attached)",
                           in->display_name));
    return kUsage;
  }
  bool has_errors = false;
  auto signable = table ? judgeTable(*in, o.force) : judgeText(*in, o, has_errors);
  if (!signable) return kFindings;
  std::string sizes;
  int status = 0;
  auto blob = signBlob(*signable, signer, o, *digest, *out, sizes, status);
  if (!blob) return status;
  if (*out == "-") {
    writeText(stdout, *blob);
  } else if (!writeFileAtomically(*out, *blob, error)) {
    printError(error);
    return kUsage;
  }
  printSigned(*out, in->display_name, signable->what, signer.cert.get(), o, sizes);
  if (has_errors) print(stderr, "ipec: warning: {}: signed despite its errors (--force)\n", in->display_name);
  return 0;
}

}  // namespace ipec::driver
