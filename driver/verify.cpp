// SPDX-License-Identifier: Apache-2.0
// ipec verify: a signed policy blob as the kernel checks it (sign/), then its content as
// `ipec check` checks a policy.
#include <cstdio>

#include <fmt/format.h>

#include "driver/commands.h"
#include "driver/input.h"
#include "driver/json_output.h"
#include "driver/json_text.h"
#include "driver/output.h"
#include "driver/sign_inputs.h"
#include "sign/verifier.h"

namespace ipec::driver {
namespace {

using nlohmann::json;

json signerJson(const sign::SignerReport& s) {
  json j{{"sid", s.sid}, {"digest", s.digest}, {"signature", s.signature}, {"signed_attributes", s.signed_attributes}};
  if (s.cert) j["certificate"] = {{"subject", s.cert->subject}, {"serial", s.cert->serial}, {"skid", s.cert->skid}};
  return j;
}

// The content's `ipec check --format=json` entry.
json checkJson(CheckedPolicy& p, const PipelineConfig& config, const std::string& name) {
  JsonFileReport r;
  r.file = p.file.get();
  r.name = name;
  r.target = config.target.name;
  r.verdict = p.diags->verdict();
  r.loadable = !pipeline::cannotLoadReason(config.target);
  r.diagnostics = p.diags->take();
  json doc = json::parse(renderJson({r}, p.diags->errorCount(), p.diags->warningCount()));
  return doc["files"][0];
}

void printText(const sign::BlobReport& r, const std::string& name, const VerifyOptions& o) {
  for (const sign::SignerReport& s : r.signers) {
    if (!s.cert) continue;
    print(stdout, "{}: signature by {} (serial {}{}) holds, {} with {}\n", name, quote(s.cert->subject), s.cert->serial,
          s.cert->skid.empty() ? std::string() : fmt::format(", SKID {}", s.cert->skid), s.digest, s.signature);
    if (!s.signed_attributes.empty())
      print(stdout, "{}: signed attributes: {} (the kernel accepts them; ipec sign writes none)\n", name,
            fmt::format("{}", fmt::join(s.signed_attributes, ", ")));
  }
  if (o.cert.empty())
    print(stdout, "{}: signer not checked against a trust anchor: the certificate inside the blob verifies it "
                  "(give --cert to require a signer)\n",
          name);
  else
    print(stdout, "{}: signed by the certificate of --cert {}\n", name, shown(o.cert));
}

}  // namespace

int runVerify(const VerifyOptions& o) {
  sign::X509Ptr cert;
  if (!o.cert.empty() && !(cert = readCertOption(o.cert))) return static_cast<int>(ExitCode::Usage);
  auto in = readInputOrReport(o.blob, o.max_file_size, /*policy=*/false);
  if (!in) return static_cast<int>(ExitCode::Usage);
  const sign::BlobReport r = sign::verifyBlob(in->bytes, cert.get());
  const bool json_out = o.format == "json";
  const bool good = r.problem == sign::BlobProblem::None;

  std::optional<CheckedPolicy> p;
  PipelineConfig config = o.pipeline;
  config.check_loadable = true;
  config.check_signed_size = false;  // the blob's real size was checked
  if (r.content) p = checkPolicy(fmt::format("{} (content)", in->display_name), *r.content, config);
  const bool accepted = p && p->diags->errorCount() == 0;
  const auto* header = p && p->parsed.policy.header ? &*p->parsed.policy.header : nullptr;

  if (json_out) {
    json j;
    j["file"] = o.blob == "-" ? "<stdin>" : o.blob;
    j["ok"] = good && accepted;
    j["problem"] = good ? json(nullptr)
                        : json{{"id", std::string(sign::problemId(r.problem))},
                               {"message", r.message},
                               {"kernel_errno", std::string(sign::problemErrno(r.problem))}};
    j["blob_bytes"] = r.blob_bytes;
    j["limit"] = frontend::kMaxSignedPolicyBytes;
    j["content_bytes"] = r.content ? json(r.content->size()) : json(nullptr);
    j["certificates"] = r.certificates;
    j["trailing_bytes"] = r.trailing_bytes;
    j["signer_checked_against"] = o.cert.empty() ? "embedded" : "cert";
    json signers = json::array();
    for (const sign::SignerReport& s : r.signers) signers.push_back(signerJson(s));
    j["signers"] = std::move(signers);
    j["policy"] = header ? json{{"name", header->name}, {"version", header->version.str()}} : json(nullptr);
    j["check"] = p ? checkJson(*p, config, j["file"]) : json(nullptr);
    printJson(j, 2);
    return good && accepted ? 0 : static_cast<int>(ExitCode::Findings);
  }
  if (good) printText(r, in->display_name, o);
  if (r.content)
    print(stdout, "{}: {}; {} bytes of PKCS#7 (limit {}), {} bytes of content, {}\n", in->display_name,
          header ? fmt::format("policy {} version {}", quote(header->name), header->version.str())
                 : std::string("content without a policy header"),
          r.blob_bytes, frontend::kMaxSignedPolicyBytes, r.content->size(),
          r.certificates ? fmt::format("{} certificate{} embedded", r.certificates, r.certificates == 1 ? "" : "s")
                         : std::string("no certificate embedded"));
  if (r.trailing_bytes)
    print(stdout, "{}: {} byte{} after the end of the DER message; the kernel ignores {}\n", in->display_name,
          r.trailing_bytes, r.trailing_bytes == 1 ? "" : "s", r.trailing_bytes == 1 ? "it" : "them");
  std::fflush(stdout);  // the summary before the diagnostics on a terminal shared by both
  if (!good) {
    std::string_view kernel = sign::problemErrno(r.problem);
    printError(fmt::format("{}: {} [{}]{}", in->display_name, r.message, sign::problemId(r.problem),
                           kernel.empty() ? std::string() : fmt::format("; the kernel refuses it with {}", kernel)));
  }
  // The content of a blob the kernel refuses is shown by its summary line only: it is not what
  // the kernel would parse.
  if (p && good) {
    printDiagnostics(*p, o.color);
    printVerdict(*p, config);
  }
  return good && accepted ? 0 : static_cast<int>(ExitCode::Findings);
}

}  // namespace ipec::driver
