// SPDX-License-Identifier: Apache-2.0
// The subcommands. main.cpp parses the command line (CLI11 stays there); each command gets a
// plain options struct.
#pragma once

#include <string>
#include <vector>

#include "backend/program.h"
#include "backend/table_writer.h"
#include "driver/output.h"
#include "pipeline/pipeline.h"
#include "pipeline/project_config.h"
#include "system/evaluate.h"

namespace ipec::driver {

// The pipeline layer is what every command runs on.
using pipeline::CheckedPolicy;
using pipeline::checkPolicy;
using pipeline::defaultTarget;
using pipeline::parsesCleanly;
using pipeline::PipelineConfig;

enum class ExitCode : int { Ok = 0, Findings = 1, Usage = 2 };

// `ipec ARGS...` as main() runs it, returning the exit status (driver/main.cpp, which alone uses
// CLI11; the command-line fuzz target calls it in process).
int runCommandLine(int argc, char** argv);

// The diagnostics of `p` on stderr as text (all, or only the errors), coloured as `color` says.
void printDiagnostics(const CheckedPolicy& p, ColorMode color, bool errors_only = false);

// Commands that take several policies check each with the configuration of its project
// (`.ipec.json`, docs/project-config.md); main.cpp sets `configs` from the flags and `pipeline`.
struct CheckOptions {
  PipelineConfig pipeline;
  std::shared_ptr<pipeline::ConfigResolver> configs;
  std::string format = "text";  // text | json
  ColorMode color = ColorMode::Auto;
  bool quiet = false;
  uint64_t max_file_size = 0;
  std::vector<std::string> files;
  // --against-system / --against-snapshot: the machine's facts, read once for every policy.
  std::shared_ptr<const system::SystemFacts> system;
  system::Via via = system::Via::Auto;
};
int runCheck(const CheckOptions& options);

// Where the machine's facts come from: the live machine (under `root`), or a snapshot file.
struct SystemSource {
  std::string root, snapshot;
};
std::optional<system::SystemFacts> loadSystemFacts(const SystemSource& source, uint64_t max_bytes);
// The policy against the facts: diagnostics into `p`, the lines for stdout, the JSON `system` member.
struct SystemOutcome {
  std::string text, json;
};
SystemOutcome checkAgainstSystem(CheckedPolicy& p, const PipelineConfig& config, const system::SystemFacts& facts,
                                 system::Via via);

struct SnapshotOptions {
  std::string root, output, format = "json";
};
int runSystemSnapshot(const SnapshotOptions& options);

struct FmtOptions {
  PipelineConfig pipeline;
  std::shared_ptr<pipeline::ConfigResolver> configs;
  bool in_place = false;
  bool check = false;
  bool diff = false;  // print a unified diff of the changes instead of the text
  ColorMode color = ColorMode::Auto;
  uint64_t max_file_size = 0;
  std::vector<std::string> files;
};
int runFmt(const FmtOptions& options);

struct TargetsOptions {
  bool show = false;
  std::string format = "text";  // the list: text | json
  analysis::Target target;  // for `show`
};
int runTargets(const TargetsOptions& options);

struct EvalOptions {
  PipelineConfig pipeline;
  std::string policy;
  std::vector<std::string> events;  // --event, the text syntax
  std::string events_file;          // --events FILE.jsonl ('-': stdin)
  bool explain = false;
  std::string format = "text";
  std::string engine = "reference";  // reference | fast
  ColorMode color = ColorMode::Auto;
  uint64_t max_file_size = 0;
};
int runEval(const EvalOptions& options);

struct CompileOptions {
  PipelineConfig pipeline;
  std::string policy;
  std::string output;
  std::string backend = "table";  // table | bpf-maps
  std::string pin_dir = "/sys/fs/bpf/ipec";
  bool keep_unreachable = false;
  bool verify = false;
  bool stats = false;
  ColorMode color = ColorMode::Auto;
  uint64_t max_file_size = 0;
};
int runCompile(const CompileOptions& options);

struct DumpOptions {
  std::string table;
  uint64_t max_file_size = 0;
};
int runDump(const DumpOptions& options);

struct LifecycleOptions {
  PipelineConfig pipeline;
  std::string script;
  std::string format = "text";
  uint64_t max_file_size = 0;
};
int runLifecycle(const LifecycleOptions& options);

struct AuditOptions {
  PipelineConfig pipeline;
  std::string policy, candidate;  // --policy, --candidate
  std::vector<std::string> logs;
  std::string format = "text";
  bool verbose = false;
  ColorMode color = ColorMode::Auto;
  uint64_t max_file_size = 0;
};
int runAudit(const AuditOptions& options);
// `ipec diff OLD NEW`: the semantic and rule-level changes (docs/cli.md).
struct PolicyDiffOptions {
  PipelineConfig pipeline;
  std::string old_policy, new_policy;
  std::string format = "text";  // text | json | sarif
  std::string events_file;      // --events FILE.jsonl: only these events
  uint64_t max_classes = 100;   // per op; 0: all
  ColorMode color = ColorMode::Auto;
  uint64_t max_file_size = 0;
};
int runPolicyDiff(const PolicyDiffOptions& options);
// `ipec sign` and `ipec verify` (driver/sign.cpp, driver/verify.cpp; the sign/ layer).
struct SignOptions {
  PipelineConfig pipeline;
  std::string policy, key, cert, output;
  std::string digest = "sha256";
  std::string form = "auto";  // attached | detached | auto (docs/cli.md#ipec-sign)
  bool no_certs = false;
  bool force = false;
  ColorMode color = ColorMode::Auto;
  uint64_t max_file_size = 0;
};
int runSign(const SignOptions& options);

struct VerifyOptions {
  PipelineConfig pipeline;
  std::string blob, cert;
  std::string format = "text";  // text | json
  ColorMode color = ColorMode::Auto;
  uint64_t max_file_size = 0;
};
int runVerify(const VerifyOptions& options);

// The kernel-verdict line of `ipec check` for one checked policy (stdout).
void printVerdict(const CheckedPolicy& p, const PipelineConfig& config);

// A policy compiled in memory (for compile, and for `eval --engine=table`).
struct CompiledPolicy {
  std::unique_ptr<analysis::FastDecider> decider;
  backend::DecisionProgram program;
  backend::TableStats stats;
  std::string bytes;
};
std::optional<CompiledPolicy> compilePolicy(const CheckedPolicy& p, const PipelineConfig& config, bool keep_unreachable);

// `ipec enforce ACTION`: the BPF-LSM enforcer (docs/enforcer.md).
struct EnforceOptions {
  PipelineConfig pipeline;
  std::string action;  // load | update | unload | status | log | mode
  std::string policy;  // load, update: a table from `ipec compile`, or policy text
  std::string pin_dir = "/sys/fs/bpf/ipec";
  std::string format = "text";  // status: text | json
  bool permissive = false, log_allow = false;  // load, mode
  bool initramfs = false;    // load: record the initramfs root device (boot_verified)
  bool any_version = false;  // update: allow a version that is not higher
  bool follow = false;       // log
  ColorMode color = ColorMode::Auto;
  uint64_t max_file_size = 0;
};
int runEnforce(const EnforceOptions& options);

// `ipec diagnostics`: every diagnostic id with its severity and summary; with an id, its section
// of docs/diagnostics.md.
int runDiagnostics(const std::string& format, const std::string& id);

}  // namespace ipec::driver
