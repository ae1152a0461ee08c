// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the ipec front end (built with -DIPEC_FUZZ=ON, clang only).
//
// The first byte chooses the configuration, the rest is the policy text:
//   bits 0-1  the target profile: 0 linux-6.12 (mainline), then the other shipped profiles in
//             name order (hornet-v5, hornet-v7, linux-6.19): the Hornet dialects parse
//             op=BPF_PROG_LOAD and the bpf_* properties
//   bit 2     the policy is signed with -nocerts (EMSGSIZE model)
//   bit 3     --error-limit=3 (exercises the too-many-errors note)
//   bit 4     -Werror
//   bit 5     coloured text rendering
//   bit 7     text rendering without the source snippet
// ('@' = 0x40 is the plain mainline configuration: the seeds in corpus/ start with it.)
// For every input the target
//   1. runs pipeline::checkPolicy (scan, ANTLR parse, kernel limits, lint, target analysis);
//   2. renders every diagnostic as text (base/render_text.h) and the file as a JSON document
//      (driver/json_output.h), and checks the JSON parses back with every diagnostic, and each
//      text diagnostic names its id and (without colour) is valid UTF-8 with no raw control
//      byte but the newline, as base/render_text.h promises; each diagnostic's fix-its apply
//      (in order, inside the file, not overlapping) and are well-formed UTF-8 (base/diagnostic.h);
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

#include "analysis/target.h"
#include "base/diagnostic.h"
#include "base/hex.h"
#include "base/render_text.h"
#include "driver/json_output.h"
#include "pipeline/pipeline.h"
#include "frontend/format.h"

namespace {

using namespace ipec;

// The shipped target profiles, the default first.
std::vector<analysis::Target> loadTargets() {
  std::vector<analysis::Target> out{pipeline::defaultTarget()};
  for (const std::string& name : analysis::profileNames()) {
    if (name == out[0].name) continue;
    std::string error;
    auto t = analysis::loadTarget(name, error);
    if (!t) {
      std::fprintf(stderr, "cannot load target %s: %s\n", name.c_str(), error.c_str());
      std::abort();
    }
    out.push_back(std::move(*t));
  }
  return out;
}

constexpr uint8_t kConfigBits = 4 | 8 | 16;  // the bits that change the pipeline, not the rendering

pipeline::PipelineConfig makeConfig(const analysis::Target& target, uint8_t flags) {
  pipeline::PipelineConfig c;
  c.target = target;
  if (flags & 4) c.signing.embed_cert = false;
  if (flags & 8) c.diag_options.error_limit = 3;
  if (flags & 16) c.diag_options.all_warnings_are_errors = true;
  return c;
}

// The configurations live for the whole run: DiagnosticEngine keeps a reference to the options.
struct Configs {
  std::vector<analysis::Target> targets = loadTargets();
  // [target index][the kConfigBits of the flags]
  std::vector<std::vector<pipeline::PipelineConfig>> by_flags;
  Configs() {
    for (const analysis::Target& t : targets) {
      by_flags.emplace_back();
      for (unsigned f = 0; f < 32; ++f)
        by_flags.back().push_back(makeConfig(t, static_cast<uint8_t>(f & kConfigBits)));
    }
  }
  const pipeline::PipelineConfig& get(uint8_t flags) const {
    return by_flags[(flags & 3u) % by_flags.size()][flags & kConfigBits];
  }
  const pipeline::PipelineConfig& plain(uint8_t flags) const { return by_flags[(flags & 3u) % by_flags.size()][0]; }
};
const Configs& configs() {
  static const Configs c;
  return c;
}

[[noreturn]] void fail(const char* what, std::string_view input, std::string_view a, std::string_view b) {
  std::fprintf(stderr, "\n*** ipec_fuzz_frontend invariant violated: %s\n", what);
  auto dump = [](const char* label, std::string_view s) {
    std::string shown;
    for (char c : s.substr(0, 2000)) {
      const unsigned char u = static_cast<unsigned char>(c);
      if (u == '\n' || (u >= 0x20 && u < 0x7f)) {
        shown += c;
      } else {
        shown += "\\x";
        appendHex(shown, {&c, 1});
      }
    }
    std::fprintf(stderr, "--- %s (%zu bytes):\n", label, s.size());
    std::fwrite(shown.data(), 1, shown.size(), stderr);
    std::fputc('\n', stderr);
  };
  dump("input", input);
  dump("first", a);
  dump("second", b);
  std::abort();
}

// Strict UTF-8 (no overlongs, surrogates or code points above U+10FFFF): the offset of the first
// invalid byte, or npos.
size_t firstInvalidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (c < 0x80) n = 1;
    else if (c >= 0xC2 && c <= 0xDF) n = 2;
    else if (c >= 0xE0 && c <= 0xEF) n = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4) n = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    else return i;
    if (i + n > s.size()) return i;
    for (size_t k = 1; k < n; ++k) {
      const unsigned char b = static_cast<unsigned char>(s[i + k]);
      if (k == 1 ? (b < lo || b > hi) : (b & 0xC0) != 0x80) return i;
    }
    i += n;
  }
  return std::string_view::npos;
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

void renderAll(const pipeline::CheckedPolicy& p, const pipeline::PipelineConfig& config, uint8_t flags) {
  TextStyle style;
  style.color = (flags & 32) != 0;
  style.show_source = (flags & 128) == 0;
  for (const Diagnostic& d : p.diags->diagnostics()) {
    std::string out;
    renderText(out, *p.file, d, style);
    if (!d.fixits.empty() && !applyFixIts(p.file->bytes(), d.fixits))
      fail("a diagnostic's fix-its do not apply", p.file->bytes(), d.message, std::string(diagName(d.id)));
    for (const FixIt& f : d.fixits)
      if (firstInvalidUtf8(f.replacement) != std::string::npos)
        fail("a fix-it's replacement is not valid UTF-8", p.file->bytes(), d.message, f.replacement);
    std::string tag = "[" + std::string(diagName(d.id)) + "]";
    if (out.find(tag) == std::string::npos) fail("text rendering lacks the diagnostic id", p.file->bytes(), out, tag);
    // render_text.h: control and non-UTF-8 bytes are shown as <XX>, so the text is safe for a
    // terminal. (The file name is ASCII; colour adds escape sequences, so only without it.)
    if (!style.color) {
      if (size_t bad = firstInvalidUtf8(out); bad != std::string::npos)
        fail("text rendering is not valid UTF-8", p.file->bytes(), out, "at byte " + std::to_string(bad));
      for (unsigned char c : out)
        if ((c < 0x20 && c != '\n') || c == 0x7f)
          fail("text rendering contains a raw control byte", p.file->bytes(), out, std::to_string(c));
    }
  }

  driver::JsonFileReport r;
  r.file = p.file.get();
  r.name = p.file->name();
  r.target = config.target.name;
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
  const uint8_t flags = data[0];
  std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  const Configs& cfg = configs();
  const pipeline::PipelineConfig& config = cfg.get(flags);
  const pipeline::PipelineConfig& plain = cfg.plain(flags);

  // 1 + 2: the configured pipeline, rendered both ways.
  pipeline::CheckedPolicy p = pipeline::checkPolicy("fuzz.pol", bytes, config);
  renderAll(p, config, flags);

  // 3: fmt invariants, with the plain configuration (no -Werror, no error limit) so that the
  // error ids are exactly the kernel's problems.
  pipeline::CheckedPolicy base = (flags & kConfigBits) == 0 ? std::move(p) : pipeline::checkPolicy("fuzz.pol", bytes, plain);
  std::string once = frontend::formatPolicy(*base.file);
  pipeline::CheckedPolicy again = pipeline::checkPolicy("fuzz.pol", once, plain);
  std::string twice = frontend::formatPolicy(*again.file);
  if (once != twice) fail("fmt is not idempotent", bytes, once, twice);

  std::vector<std::string> before = errorIds(*base.diags), after = errorIds(*again.diags);
  if (before != after) fail("formatted text has different error ids", bytes, joinIds(before), joinIds(after));
  if (!hasId(*base.diags, DiagId::PolicyTooLarge) && !hasId(*again.diags, DiagId::PolicyTooLarge)) {
    std::string vb = verdictText(base.diags->verdict()), va = verdictText(again.diags->verdict());
    if (vb != va) fail("formatted text gets a different kernel verdict", bytes, vb, va);
  }
  return 0;
}
