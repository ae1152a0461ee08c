// SPDX-License-Identifier: Apache-2.0
// ipec diagnostics [ID]: the diagnostic ids, or one explained from docs/diagnostics.md.
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "base/diagnostic.h"
#include "base/suggest.h"
#include "diagnostics_doc.inc"
#include "driver/commands.h"
#include "driver/json_text.h"
#include "driver/output.h"

namespace ipec::driver {
namespace {

std::string_view diagnosticsDoc() {
  return {reinterpret_cast<const char*>(kDiagnosticsDoc), sizeof kDiagnosticsDoc};
}

// The `### `id`` section, up to the next heading of the same or a higher level.
std::string_view section(std::string_view id) {
  const std::string_view doc = diagnosticsDoc();
  const std::string heading = fmt::format("\n### `{}`\n", id);
  size_t begin = doc.find(heading);
  if (begin == std::string_view::npos) return {};
  ++begin;
  size_t end = doc.size();
  for (std::string_view next : {"\n### ", "\n## "}) end = std::min(end, doc.find(next, begin + 1));
  return doc.substr(begin, end == std::string_view::npos ? doc.size() - begin : end + 1 - begin);
}

int explain(const std::string& format, const std::string& name) {
  auto id = lookupDiag(name);
  if (!id) {
    std::vector<std::string_view> names;
    for (unsigned i = 0; i < kNumDiagIds; ++i) names.push_back(diagName(static_cast<DiagId>(i)));
    auto s = suggest(name, names);
    printError(s && s->unique()
                   ? fmt::format("unknown diagnostic {}; did you mean {}?", quote(name), quote(s->best[0]))
                   : fmt::format("unknown diagnostic {}; `ipec diagnostics` lists the ids", quote(name)));
    return static_cast<int>(ExitCode::Usage);
  }
  const std::string_view text = section(name);
  if (format == "json") {
    nlohmann::json j = {{"id", name},
                        {"severity", std::string(severityName(diagDefaultSeverity(*id)))},
                        {"summary", std::string(diagSummary(*id))},
                        {"text", std::string(text)}};
    printJson(j, 2);
    return 0;
  }
  if (text.empty()) {  // every id has a section (golden.coverage); a stale build may lack one
    print(stdout, "{} ({}): {}\n", name, severityName(diagDefaultSeverity(*id)), diagSummary(*id));
    return 0;
  }
  writeText(stdout, text);
  return 0;
}

}  // namespace

int runDiagnostics(const std::string& format, const std::string& id) {
  if (!id.empty()) return explain(format, id);
  if (format == "json") {
    nlohmann::json arr = nlohmann::json::array();
    for (unsigned i = 0; i < kNumDiagIds; ++i) {
      auto d = static_cast<DiagId>(i);
      arr.push_back({{"id", std::string(diagName(d))},
                     {"severity", std::string(severityName(diagDefaultSeverity(d)))},
                     {"summary", std::string(diagSummary(d))}});
    }
    printJson(arr, 2);
    return 0;
  }
  for (unsigned i = 0; i < kNumDiagIds; ++i) {
    auto d = static_cast<DiagId>(i);
    print(stdout, "{:<26} {:<8} {}\n", diagName(d), severityName(diagDefaultSeverity(d)), diagSummary(d));
  }
  return 0;
}

}  // namespace ipec::driver
