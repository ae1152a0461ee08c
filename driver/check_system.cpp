// SPDX-License-Identifier: Apache-2.0
// `ipec check --against-system` / `--against-snapshot`, and `ipec system snapshot`: the policy
// checked against what this machine runs and what its IPE holds (docs/cli.md).
#include <fmt/format.h>

#include "driver/commands.h"
#include "driver/input.h"
#include "system/evaluate.h"

namespace ipec::driver {
namespace {

std::string examinedText(const system::Evaluation& eval) {
  std::string out;
  unsigned total = 0;
  for (unsigned op = 0; op < stdlib::kNumOps; ++op) {
    if (!eval.examined[op]) continue;
    total += eval.examined[op];
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", eval.examined[op], stdlib::opSpelling(static_cast<stdlib::Op>(op)));
  }
  return total ? fmt::format("{} objects ({})", total, out) : std::string("no objects");
}

std::string ipeText(const system::IpeFacts& ipe) {
  if (ipe.present != system::Tri::Yes) return ipe.present == system::Tri::No ? "no IPE" : "IPE state unknown";
  std::string loaded;
  for (const system::LoadedPolicy& p : ipe.policies)
    loaded += fmt::format("{}{} {}{}", loaded.empty() ? "" : ", ", quote(p.name, 256), p.version, p.active ? " (active)" : "");
  return fmt::format("IPE enforce={}, loaded: {}", ipe.enforce ? (*ipe.enforce ? "1" : "0") : "?",
                     ipe.policies_known ? (loaded.empty() ? "none" : loaded) : "policies unknown");
}

}  // namespace

std::optional<system::SystemFacts> loadSystemFacts(const SystemSource& source, uint64_t max_bytes) {
  if (source.snapshot.empty()) return system::collectFacts({source.root});
  auto in = readInputOrReport(source.snapshot, max_bytes, /*policy=*/false);
  if (!in) return std::nullopt;
  std::string error;
  auto facts = system::factsFromJson(in->bytes, error);
  if (!facts) {
    printError(fmt::format("{}: not a usable snapshot: {}", in->display_name, error));
    return std::nullopt;
  }
  facts->origin = in->display_name;
  return facts;
}

SystemOutcome checkAgainstSystem(CheckedPolicy& p, const PipelineConfig& config, const system::SystemFacts& facts,
                                 system::Via via) {
  const ast::Policy& policy = p.parsed.policy;
  const ast::Header* header = policy.header ? &*policy.header : nullptr;
  system::LoadPrediction load = system::predictLoad(facts.ipe, p.diags->verdict(), header, via);
  system::reportLoad(facts, load, &policy, *p.diags);
  std::optional<system::Evaluation> eval;
  if (p.analyzed) {
    eval = system::evaluateObjects(facts, policy, config.target);
    system::reportFindings(facts, policy, *eval, *p.diags);
  }
  SystemOutcome out;
  out.json = system::summaryJson(facts, load, eval ? &*eval : nullptr);
  out.text = fmt::format("{}: machine: {}, kernel {}, {}\n{}: {}\n", p.file->name(), shown(facts.origin),
                         shown(facts.kernel_release), ipeText(facts.ipe), p.file->name(), shown(system::loadText(load)));
  if (!eval) {
    out.text += fmt::format("{}: the running objects were not evaluated: the policy does not parse\n", p.file->name());
    return out;
  }
  unsigned denied = 0, may = 0;
  for (const system::Finding& f : eval->findings) ++(f.certain ? denied : may);
  out.text += fmt::format("{}: examined {}: {} denied, {} may be denied{}\n", p.file->name(), examinedText(*eval), denied,
                          may, facts.ipe.enforce == false ? " (IPE is permissive now: enforce=0)" : "");
  return out;
}

int runSystemSnapshot(const SnapshotOptions& options) {
  system::SystemFacts facts = system::collectFacts({options.root});
  std::string text;
  if (options.format == "json") {
    text = system::factsToJson(facts);
  } else {
    text = fmt::format("kernel {}; {}\n", shown(facts.kernel_release), ipeText(facts.ipe));
    for (const system::ObjectFacts& o : facts.objects) {
      const char* tri[] = {"no", "yes", "?"};
      const char* bdev[] = {"none", "plain", "dm-verity", "?"};
      text += fmt::format("{} {} file={} initramfs={} bdev={} fsverity={}{}{}\n", stdlib::opSpelling(o.op), shown(o.path),
                          tri[static_cast<unsigned>(o.file)], tri[static_cast<unsigned>(o.initramfs)],
                          bdev[static_cast<unsigned>(o.bdev.kind)], tri[static_cast<unsigned>(o.fsverity.enabled)],
                          o.fsverity.signature == system::Tri::Yes ? " (signed)" : "",
                          o.error.empty() ? "" : fmt::format(" [{}]", shown(o.error)));
    }
    for (const std::string& n : facts.notes) text += fmt::format("note: {}\n", shown(n));
  }
  if (options.output.empty() || options.output == "-") {
    writeText(stdout, text);
    return 0;
  }
  std::string error;
  if (!writeFileAtomically(options.output, text, error)) {
    printError(error);
    return static_cast<int>(ExitCode::Usage);
  }
  return 0;
}

}  // namespace ipec::driver
