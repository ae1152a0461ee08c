// libFuzzer target for the ipec front end (built with -DIPEC_FUZZ=ON, clang only).
//
// The first byte chooses the configuration, the rest is the policy text:
//   bit 0  Hornet dialect (else mainline Linux 6.12)
//   bit 1  the policy is signed with -nocerts (EMSGSIZE model)
//   bit 2  --error-limit=3 (exercises the too-many-errors note)
//   bit 3  -Werror
//   bit 4  coloured text rendering, bit 5 no source snippet
// For every input the target
//   1. runs driver::checkPolicy (scan, ANTLR parse, kernel limits, lint) with that configuration;
//   2. renders every diagnostic as text (base/render_text.h) and the file as a JSON document
//      (driver/json_output.h), and checks the JSON parses back and each text diagnostic names
//      its id;
//   3. runs frontend::formatPolicy and checks that
//        - formatting is idempotent: fmt(fmt(x)) == fmt(x);
//        - the formatted text has the same error ids as the input (as a multiset, ignoring
//          policy-too-large, which depends on the size) and, when neither has
//          policy-too-large, the same kernel verdict (accepts / errno / cause).
// A violated invariant calls abort() after printing what differed, so libFuzzer records it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/diagnostic.h"
#include "base/render_text.h"
#include "driver/json_output.h"
#include "driver/pipeline.h"
#include "frontend/format.h"

namespace {

using namespace ipec;

driver::PipelineConfig makeConfig(uint8_t flags, bool plain) {
  driver::PipelineConfig c;
  if (flags & 1) {
    c.dialect = stdlib::Dialect::withHornet();
    c.kernel_name = "Linux 6.12 with Hornet";
    c.target_name = "linux-6.12-hornet";
  }
  if (plain) return c;
  if (flags & 2) c.signing.embed_cert = false;
  if (flags & 4) c.diag_options.error_limit = 3;
  if (flags & 8) c.diag_options.all_warnings_are_errors = true;
  return c;
}

// The configurations live for the whole run: DiagnosticEngine keeps a reference to the options.
struct Configs {
  driver::PipelineConfig variant[64];
  driver::PipelineConfig plain[2];
  Configs() {
    for (unsigned f = 0; f < 64; ++f) variant[f] = makeConfig(static_cast<uint8_t>(f), false);
    for (unsigned f = 0; f < 2; ++f) plain[f] = makeConfig(static_cast<uint8_t>(f), true);
  }
};
const Configs& configs() {
  static const Configs c;
  return c;
}

[[noreturn]] void fail(const char* what, std::string_view input, std::string_view a, std::string_view b) {
  std::fprintf(stderr, "\n*** ipec_fuzz_frontend invariant violated: %s\n", what);
  auto dump = [](const char* label, std::string_view s) {
    std::fprintf(stderr, "--- %s (%zu bytes):\n", label, s.size());
    for (unsigned char c : s.substr(0, 2000)) {
      if (c == '\n' || (c >= 0x20 && c < 0x7f)) std::fputc(c, stderr);
      else std::fprintf(stderr, "\\x%02x", c);
    }
    std::fputc('\n', stderr);
  };
  dump("input", input);
  dump("first", a);
  dump("second", b);
  std::abort();
}

std::vector<std::string> errorIds(const DiagnosticEngine& diags) {
  std::vector<std::string> ids;
  for (const Diagnostic& d : diags.diagnostics())
    if (d.severity == Severity::Error && d.id != DiagId::PolicyTooLarge) ids.emplace_back(diagName(d.id));
  std::sort(ids.begin(), ids.end());
  return ids;
}

bool hasId(const DiagnosticEngine& diags, DiagId id) {
  for (const Diagnostic& d : diags.diagnostics())
    if (d.id == id) return true;
  return false;
}

std::string joinIds(const std::vector<std::string>& ids) {
  std::string s;
  for (const std::string& id : ids) s += id + " ";
  return s;
}

std::string verdictText(const KernelVerdict& v) {
  if (v.accepts) return "accepts";
  return std::string("rejects ") + std::string(errnoName(v.errno_code)) + " cause " +
         (v.cause ? std::string(diagName(*v.cause)) : std::string("-"));
}

void renderAll(const driver::CheckedPolicy& p, const driver::PipelineConfig& config, uint8_t flags) {
  TextStyle style;
  style.color = (flags & 16) != 0;
  style.show_source = (flags & 32) == 0;
  for (const Diagnostic& d : p.diags->diagnostics()) {
    std::string out;
    renderText(out, *p.file, d, style);
    std::string tag = "[" + std::string(diagName(d.id)) + "]";
    if (out.find(tag) == std::string::npos) fail("text rendering lacks the diagnostic id", p.file->bytes(), out, tag);
  }

  driver::JsonFileReport r;
  r.file = p.file.get();
  r.name = p.file->name();
  r.target = config.target_name;
  r.verdict = p.diags->verdict();
  r.diagnostics = p.diags->diagnostics();
  std::string doc = driver::renderJson({r}, p.diags->errorCount(), p.diags->warningCount());
  auto j = nlohmann::json::parse(doc, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) fail("renderJson produced invalid JSON", p.file->bytes(), doc, "");
  const auto& files = j["files"];
  if (!files.is_array() || files.size() != 1 || !files[0]["diagnostics"].is_array() ||
      files[0]["diagnostics"].size() != r.diagnostics.size())
    fail("renderJson lost diagnostics", p.file->bytes(), doc, "");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = data[0] & 63;
  std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  const Configs& cfg = configs();
  const driver::PipelineConfig& config = cfg.variant[flags];
  const driver::PipelineConfig& plain = cfg.plain[flags & 1];

  // 1 + 2: the configured pipeline, rendered both ways.
  driver::CheckedPolicy p = driver::checkPolicy("fuzz.pol", bytes, config);
  renderAll(p, config, flags);

  // 3: fmt invariants, with the plain configuration (no -Werror, no error limit) so that the
  // error ids are exactly the kernel's problems.
  driver::CheckedPolicy base = (flags & ~1u) == 0 ? std::move(p) : driver::checkPolicy("fuzz.pol", bytes, plain);
  std::string once = frontend::formatPolicy(*base.file, base.parsed.scan);
  driver::CheckedPolicy again = driver::checkPolicy("fuzz.pol", once, plain);
  std::string twice = frontend::formatPolicy(*again.file, again.parsed.scan);
  if (once != twice) fail("fmt is not idempotent", bytes, once, twice);

  std::vector<std::string> before = errorIds(*base.diags), after = errorIds(*again.diags);
  if (before != after) fail("formatted text has different error ids", bytes, joinIds(before), joinIds(after));
  if (!hasId(*base.diags, DiagId::PolicyTooLarge) && !hasId(*again.diags, DiagId::PolicyTooLarge)) {
    std::string vb = verdictText(base.diags->verdict()), va = verdictText(again.diags->verdict());
    if (vb != va) fail("formatted text gets a different kernel verdict", bytes, vb, va);
  }
  return 0;
}
