// SPDX-License-Identifier: Apache-2.0
#include "driver/json_output.h"

#include <fmt/core.h>
#include <llvm/ADT/SmallString.h>
#include <llvm/ADT/StringExtras.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

#include <algorithm>

#include "base/hex.h"
#include "base/utf8.h"
#include "driver/json_text.h"
#include "pipeline/version.h"

namespace ipec::driver {
namespace {

using nlohmann::json;

void putRange(json& j, const SourceFile* file, Range r) {
  if (r.isNone()) {
    j["line"] = nullptr;
    j["column"] = nullptr;
    j["end_line"] = nullptr;
    j["end_column"] = nullptr;
    return;
  }
  if (!file) {
    j["line"] = 1;
    j["column"] = 1;
    j["end_line"] = 1;
    j["end_column"] = 1;
    return;
  }
  LineCol b = file->lineCol(std::min(r.begin, file->size()));
  LineCol e = file->lineCol(std::min(std::max(r.end, r.begin), file->size()));
  j["line"] = b.line;
  j["column"] = b.column;
  j["end_line"] = e.line;
  j["end_column"] = e.column;
}

json diagnosticJson(const JsonFileReport& f, const Diagnostic& d) {
  json j;
  j["id"] = std::string(diagName(d.id));
  j["severity"] = std::string(severityName(d.severity));
  putRange(j, f.file, d.range);
  j["message"] = d.message;
  if (d.kernel_errno != Errno::None) j["kernel_errno"] = std::string(errnoName(d.kernel_errno));
  if (!d.notes.empty()) {
    json notes = json::array();
    for (const RelatedNote& n : d.notes) {
      json nj;
      if (n.range) putRange(nj, f.file, *n.range);
      nj["message"] = n.message;
      notes.push_back(std::move(nj));
    }
    j["notes"] = std::move(notes);
  }
  if (!d.fixits.empty()) {
    json fixits = json::array();
    for (const FixIt& fix : d.fixits) {
      json fj;
      putRange(fj, f.file, fix.range);
      fj["replacement"] = fix.replacement;
      fixits.push_back(std::move(fj));
    }
    j["fixits"] = std::move(fixits);
  }
  if (!d.extra_json.empty()) {
    json extra = json::parse(d.extra_json, nullptr, false);
    if (extra.is_object())
      for (auto& [k, v] : extra.items()) j[k] = v;
  }
  return j;
}

// The replacement (SARIF §3.57) of one fix-it. Text regions are counted without a byte-order mark
// (§3.30), so a fix-it that touches the mark itself names its bytes instead.
json sarifReplacement(const SourceFile* file, const FixIt& fix, json text_region) {
  json replacement;
  const bool has_bom = file && file->bytes().starts_with(kUtf8ByteOrderMark);
  const bool touches_bom = has_bom && fix.range.begin < kUtf8ByteOrderMark.size();
  if (!touches_bom) {
    if (has_bom) {  // the columns count the mark as line 1's first code point; SARIF's text has no mark
      if (text_region["startLine"] == 1) text_region["startColumn"] = text_region["startColumn"].get<uint32_t>() - 1;
      if (text_region["endLine"] == 1) text_region["endColumn"] = text_region["endColumn"].get<uint32_t>() - 1;
    }
    replacement["deletedRegion"] = std::move(text_region);
    if (!fix.replacement.empty()) replacement["insertedContent"] = {{"text", fix.replacement}};
    return replacement;
  }
  if (!fix.replacement.empty()) return nullptr;  // a binary region takes binary content; no fix-it needs it
  replacement["deletedRegion"] = {{"byteOffset", fix.range.begin}, {"byteLength", fix.range.size()}};
  return replacement;
}

// An RFC 8089 file URI for `path`, made absolute against the current directory: every byte but
// the unreserved ones and `/` percent-encoded, so any file name gives a valid URI.
std::string fileUri(const std::string& path) {
  llvm::SmallString<256> abs(path);
  (void)llvm::sys::fs::make_absolute(abs);
  llvm::sys::path::remove_dots(abs, /*remove_dot_dot=*/true);
  std::string out = "file://";
  for (char c : abs.str()) {
    if (llvm::isAlnum(c) || c == '/' || c == '.' || c == '-' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      appendHex(out, {&c, 1}, HexCase::Upper);
    }
  }
  return out;
}

// The document as the file holds it: one line feed after the last line. (Appended in place: a
// JSON report of many diagnostics is megabytes.)
std::string withLineFeed(std::string text) {
  text += '\n';
  return text;
}

}  // namespace

// Standard input has no URI: SARIF allows an artifact location with only a description.
json sarifArtifactLocation(const std::string& path) {
  if (path == "-") return {{"description", {{"text", "standard input"}}}};
  return {{"uri", fileUri(path)}};
}

// SARIF counts columns in Unicode code points (columnKind "unicodeCodePoints"); ipec's are bytes.
// An invalid UTF-8 byte counts as one code point.
static uint32_t sarifColumn(const SourceFile* file, LineCol lc) {
  std::string_view line = file->lineText(lc.line);
  uint32_t cp = 1;
  for (size_t i = 0; i + 1 < lc.column && i < line.size();) {
    size_t n = utf8SequenceLength(line, i);
    i += n ? n : 1;
    ++cp;
  }
  return cp;
}

json sarifRegion(const SourceFile* file, Range r) {
  json reg;
  if (!file || r.isNone()) return reg;
  LineCol b = file->lineCol(std::min(r.begin, file->size()));
  LineCol e = file->lineCol(std::min(std::max(r.end, r.begin), file->size()));
  return {{"startLine", b.line}, {"startColumn", sarifColumn(file, b)}, {"endLine", e.line}, {"endColumn", sarifColumn(file, e)}};
}

std::string renderJson(const std::vector<JsonFileReport>& files, unsigned errors, unsigned warnings) {
  json doc;
  doc["version"] = 1;
  json arr = json::array();
  for (const JsonFileReport& f : files) {
    json fj;
    fj["file"] = f.name == "-" ? "<stdin>" : f.name;
    json k;
    if (f.readable) {
      k["target"] = f.target;
      k["accepts"] = f.verdict.accepts;
      k["loadable"] = f.loadable;
      if (f.verdict.accepts) {
        k["errno"] = nullptr;
      } else {
        k["errno"] = std::string(errnoName(f.verdict.errno_code));
        k["errno_value"] = errnoValue(f.verdict.errno_code);
        if (f.verdict.cause) k["cause"] = std::string(diagName(*f.verdict.cause));
        json at;
        putRange(at, f.file, f.verdict.where);
        k["line"] = at["line"];
        k["column"] = at["column"];
      }
    } else {
      k = nullptr;
    }
    fj["kernel"] = std::move(k);
    json diags = json::array();
    for (const Diagnostic& d : f.diagnostics) diags.push_back(diagnosticJson(f, d));
    fj["diagnostics"] = std::move(diags);
    if (!f.system_json.empty()) fj["system"] = json::parse(f.system_json, nullptr, false);
    arr.push_back(std::move(fj));
  }
  doc["files"] = std::move(arr);
  doc["summary"] = {{"errors", errors}, {"warnings", warnings}};
  return withLineFeed(dumpJson(doc, 2));
}

std::string renderSarif(const std::vector<JsonFileReport>& files) {
  json rules = json::array();
  for (unsigned i = 0; i < kNumDiagIds; ++i) {
    auto id = static_cast<DiagId>(i);
    Severity sev = diagDefaultSeverity(id);
    rules.push_back({{"id", std::string(diagName(id))},
                     {"shortDescription", {{"text", std::string(diagSummary(id))}}},
                     {"helpUri", fmt::format("{}diagnostics.md#{}", pipeline::kDocsUri, diagName(id))},
                     {"defaultConfiguration",
                      {{"level", sev == Severity::Error ? "error" : sev == Severity::Warning ? "warning" : "note"}}}});
  }
  auto region = sarifRegion;
  json results = json::array();
  for (const JsonFileReport& f : files) {
    for (const Diagnostic& d : f.diagnostics) {
      json loc = {{"physicalLocation", {{"artifactLocation", sarifArtifactLocation(f.name)}}}};
      json reg = region(f.file, d.range);
      if (!reg.empty()) loc["physicalLocation"]["region"] = reg;
      json r = {{"ruleId", std::string(diagName(d.id))},
                {"level", d.severity == Severity::Error ? "error" : d.severity == Severity::Warning ? "warning" : "note"},
                {"message", {{"text", d.message}}},
                {"locations", json::array({loc})}};
      json related = json::array();
      for (const RelatedNote& n : d.notes) {
        json rl = {{"message", {{"text", n.message}}}};
        if (n.range)
          rl["physicalLocation"] = {{"artifactLocation", sarifArtifactLocation(f.name)}, {"region", region(f.file, *n.range)}};
        related.push_back(std::move(rl));
      }
      if (!related.empty()) r["relatedLocations"] = std::move(related);
      // A diagnostic's fix-its make one fix together (§3.55): one artifact change, replacements in order.
      json replacements = json::array();
      for (const FixIt& fix : d.fixits) replacements.push_back(sarifReplacement(f.file, fix, region(f.file, fix.range)));
      if (!d.fixits.empty() && std::none_of(replacements.begin(), replacements.end(), [](const json& x) { return x.is_null(); }))
        r["fixes"] = json::array({{{"artifactChanges", json::array({{{"artifactLocation", loc["physicalLocation"]["artifactLocation"]},
                                                                     {"replacements", std::move(replacements)}}})}}});
      if (d.kernel_errno != Errno::None) r["properties"] = {{"kernel_errno", std::string(errnoName(d.kernel_errno))}};
      results.push_back(std::move(r));
    }
  }
  json doc = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
              {"version", "2.1.0"},
              {"runs", json::array({{{"tool", {{"driver", {{"name", "ipec"},
                                                           {"version", pipeline::kIpecVersion},
                                                           {"informationUri", fmt::format("{}diagnostics.md", pipeline::kDocsUri)},
                                                           {"rules", std::move(rules)}}}}},
                                     {"columnKind", "unicodeCodePoints"},
                                     {"results", std::move(results)}}})}};
  return withLineFeed(dumpJson(doc, 2));
}

}  // namespace ipec::driver
