// SPDX-License-Identifier: Apache-2.0
// ipec verify: a signed policy blob (PKCS#7, or the detached-signature wrapper) as the kernel
// checks it (sign/), then its content: a policy as `ipec check` checks it, a decision table as the
// kernel's loader takes it (ipet_load).
#include <cstdio>

#include <fmt/format.h>

#include "backend/table.h"
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

// A signed decision table: what its POLICY section names.
struct TableInfo {
  std::string name, version;
};

// What runVerify found: the blob's report and, when it holds content, the content's check (a
// policy) or what it names (a table).
struct Verified {
  sign::BlobReport blob;
  std::optional<CheckedPolicy> content;
  std::optional<TableInfo> table;
  bool is_table = false;
  PipelineConfig config;
  bool good() const { return blob.problem == sign::BlobProblem::None; }
  bool accepted() const { return is_table ? table.has_value() : content && content->diags->errorCount() == 0; }
  const ast::Header* header() const {
    return content && content->parsed.policy.header ? &*content->parsed.policy.header : nullptr;
  }
  std::optional<std::pair<std::string, std::string>> nameAndVersion() const {
    if (table) return std::pair{table->name, table->version};
    if (const ast::Header* h = header()) return std::pair{h->name, h->version.str()};
    return std::nullopt;
  }
};

// The content as a table: loaded as the kernel's loader does (a failure is its EBADMSG, after the
// signature, which the kernel checks first). The wrapper carries nothing else.
void checkTable(Verified& v) {
  const std::string& bytes = *v.blob.content;
  v.is_table = true;
  if (!backend::looksLikeTable(bytes)) {
    if (v.good()) {
      v.blob.problem = sign::BlobProblem::BadTable;
      v.blob.message = "the wrapper's content is not a decision table; the wrapper carries only tables (sign a text "
                       "policy attached)";
    }
    return;
  }
  int status = 0;
  auto table = backend::Table::load(bytes, status);
  if (!table) {
    if (v.good()) {
      v.blob.problem = sign::BlobProblem::BadTable;
      v.blob.message = fmt::format("the signed table does not load: {}", backend::loadErrorMessage(bytes, status));
    }
    return;
  }
  const ipet_table& t = table->raw();
  v.table = TableInfo{std::string(reinterpret_cast<const char*>(t.name), t.name_len),
                      fmt::format("{}.{}.{}", t.version[0], t.version[1], t.version[2])};
}

const char* formName(sign::BlobForm form) { return form == sign::BlobForm::Detached ? "detached" : "attached"; }

void printJsonReport(Verified& v, const VerifyOptions& o) {
  const sign::BlobReport& r = v.blob;
  json j;
  j["file"] = o.blob == "-" ? "<stdin>" : o.blob;
  j["ok"] = v.good() && v.accepted();
  j["problem"] = v.good() ? json(nullptr)
                          : json{{"id", std::string(sign::problemId(r.problem))},
                                 {"message", r.message},
                                 {"kernel_errno", std::string(sign::problemErrno(r.problem))}};
  j["form"] = formName(r.form);
  j["blob_bytes"] = r.blob_bytes;
  j["signature_bytes"] = r.form == sign::BlobForm::Detached ? r.signature_bytes : r.blob_bytes;
  j["limit"] = frontend::kMaxSignedPolicyBytes;
  j["content_bytes"] = r.content ? json(r.content->size()) : json(nullptr);
  j["content_kind"] = !r.content ? json(nullptr) : json(v.is_table ? "table" : "policy");
  j["certificates"] = r.certificates;
  j["trailing_bytes"] = r.trailing_bytes;
  j["signer_checked_against"] = o.cert.empty() ? "embedded" : "cert";
  json signers = json::array();
  for (const sign::SignerReport& s : r.signers) signers.push_back(signerJson(s));
  j["signers"] = std::move(signers);
  const auto named = v.nameAndVersion();
  j["policy"] = named ? json{{"name", named->first}, {"version", named->second}} : json(nullptr);
  j["check"] = v.content ? checkJson(*v.content, v.config, j["file"]) : json(nullptr);
  printJson(j, 2);
}

// "policy `p` version 1.0.0", "table `t` version 1.0.0", or what the content is instead.
std::string describeContent(const Verified& v) {
  const auto named = v.nameAndVersion();
  const char* kind = v.is_table ? "table" : "policy";
  if (named) return fmt::format("{} {} version {}", kind, quote(named->first), named->second);
  if (!v.is_table) return "content without a policy header";
  return backend::looksLikeTable(*v.blob.content) ? "a table that does not load" : "content that is not a table";
}

std::string describeSizes(const sign::BlobReport& r, bool table) {
  if (r.form == sign::BlobForm::Detached)
    return fmt::format("detached-signature wrapper of {} bytes: {} bytes of {}, {} bytes of PKCS#7 (limit {})",
                       r.blob_bytes, r.content->size(), table ? "table" : "content", r.signature_bytes, frontend::kMaxSignedPolicyBytes);
  return fmt::format("{} bytes of PKCS#7 (limit {}), {} bytes of {}", r.blob_bytes, frontend::kMaxSignedPolicyBytes,
                     r.content->size(), table ? "table" : "content");
}

void printTextReport(const Verified& v, const std::string& name, const VerifyOptions& o) {
  const sign::BlobReport& r = v.blob;
  if (v.good()) printSigners(r, name, o);
  if (r.content)
    print(stdout, "{}: {}; {}, {}\n", name, describeContent(v), describeSizes(r, v.is_table && backend::looksLikeTable(*r.content)),
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
  if (v.table)
    print(stdout, "{}: the kernel's loader (ipet_load) takes the table, signed {}\n", name, formName(r.form));
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
  Verified v{sign::verifyBlob(in->bytes, cert.get()), std::nullopt, std::nullopt, false, o.pipeline};
  v.config.check_loadable = true;
  v.config.check_signed_size = false;  // the blob's real size was checked
  if (v.blob.content && (v.blob.form == sign::BlobForm::Detached || backend::looksLikeTable(*v.blob.content)))
    checkTable(v);
  else if (v.blob.content)
    v.content = checkPolicy(fmt::format("{} (content)", in->display_name), *v.blob.content, v.config);
  const bool ok = v.good() && v.accepted();
  if (o.format == "json") printJsonReport(v, o);
  else printTextReport(v, in->display_name, o);
  return ok ? 0 : static_cast<int>(ExitCode::Findings);
}

}  // namespace ipec::driver
