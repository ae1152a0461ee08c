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

void printSigners(const sign::BlobReport& r, const std::string& name, const VerifyOptions& o) {
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

// What runVerify found: the blob's report and, when it holds content, the content's check.
struct Verified {
  sign::BlobReport blob;
  std::optional<CheckedPolicy> content;
  PipelineConfig config;
  bool good() const { return blob.problem == sign::BlobProblem::None; }
  bool accepted() const { return content && content->diags->errorCount() == 0; }
  const ast::Header* header() const {
    return content && content->parsed.policy.header ? &*content->parsed.policy.header : nullptr;
  }
};

void printJsonReport(Verified& v, const VerifyOptions& o) {
  const sign::BlobReport& r = v.blob;
  const ast::Header* header = v.header();
  json j;
  j["file"] = o.blob == "-" ? "<stdin>" : o.blob;
  j["ok"] = v.good() && v.accepted();
  j["problem"] = v.good() ? json(nullptr)
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
  j["check"] = v.content ? checkJson(*v.content, v.config, j["file"]) : json(nullptr);
  printJson(j, 2);
}

void printTextReport(const Verified& v, const std::string& name, const VerifyOptions& o) {
  const sign::BlobReport& r = v.blob;
  const ast::Header* header = v.header();
  if (v.good()) printSigners(r, name, o);
  if (r.content)
    print(stdout, "{}: {}; {} bytes of PKCS#7 (limit {}), {} bytes of content, {}\n", name,
          header ? fmt::format("policy {} version {}", quote(header->name), header->version.str())
                 : std::string("content without a policy header"),
          r.blob_bytes, frontend::kMaxSignedPolicyBytes, r.content->size(),
          r.certificates ? fmt::format("{} certificate{} embedded", r.certificates, r.certificates == 1 ? "" : "s")
                         : std::string("no certificate embedded"));
  if (r.trailing_bytes)
    print(stdout, "{}: {} byte{} after the end of the DER message; the kernel ignores {}\n", name, r.trailing_bytes,
          r.trailing_bytes == 1 ? "" : "s", r.trailing_bytes == 1 ? "it" : "them");
  std::fflush(stdout);  // the summary before the diagnostics on a terminal shared by both
  if (!v.good()) {
    std::string_view kernel = sign::problemErrno(r.problem);
    printError(fmt::format("{}: {} [{}]{}", name, r.message, sign::problemId(r.problem),
                           kernel.empty() ? std::string() : fmt::format("; the kernel refuses it with {}", kernel)));
    return;  // the content of a refused blob is not what the kernel would parse: its summary only
  }
  if (v.content) {
    printDiagnostics(*v.content, o.color);
    printVerdict(*v.content, v.config);
  }
}

}  // namespace

int runVerify(const VerifyOptions& o) {
  sign::X509Ptr cert;
  if (!o.cert.empty() && !(cert = readCertOption(o.cert))) return static_cast<int>(ExitCode::Usage);
  auto in = readInputOrReport(o.blob, o.max_file_size, /*policy=*/false);
  if (!in) return static_cast<int>(ExitCode::Usage);
  Verified v{sign::verifyBlob(in->bytes, cert.get()), std::nullopt, o.pipeline};
  v.config.check_loadable = true;
  v.config.check_signed_size = false;  // the blob's real size was checked
  if (v.blob.content) v.content = checkPolicy(fmt::format("{} (content)", in->display_name), *v.blob.content, v.config);
  const bool ok = v.good() && v.accepted();
  if (o.format == "json") printJsonReport(v, o);
  else printTextReport(v, in->display_name, o);
  return ok ? 0 : static_cast<int>(ExitCode::Findings);
}

}  // namespace ipec::driver
