// SPDX-License-Identifier: Apache-2.0
// ipec: compiler, static analyzer and language tooling for Linux IPE policies. The command line:
// CLI11 is used only here. cli_args.h handles what CLI11 cannot (-W flags, sizes, `--`).
#include <CLI/CLI.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>

#include <unistd.h>
#include <string>
#include <vector>

#include "base/suggest.h"
#include "driver/cli_args.h"
#include "driver/commands.h"
#include "driver/input.h"
#include "driver/output.h"
#include "driver/signer_cert.h"
#include "lsp/server.h"
#include "pipeline/target_options.h"
#include "pipeline/version.h"
#include "pipeline/warning_flags.h"

namespace {

using namespace ipec;
using namespace ipec::driver;
using pipeline::buildTarget;
using pipeline::kIpecVersion;
using pipeline::parseWarningFlag;
using pipeline::TargetArgs;

constexpr int kUsage = static_cast<int>(ExitCode::Usage);

// Every option that takes a value refuses an empty one (CLI11 would read `--error-limit ''` as 0,
// "show all", and `--signer-cert ''` as "none").
CLI::Validator nonEmpty(const std::string& what) {
  return CLI::Validator(
      [what](std::string& value) {
        return value.empty() ? fmt::format("expected {}, got an empty value", what) : std::string();
      },
      "");
}

// An option with a fixed set of values, the first being the default; an empty value is refused
// naming them ("text, json or sarif").
void addChoice(CLI::App* cmd, const std::string& name, std::string& target, const std::string& description,
               const std::vector<std::string>& choices) {
  std::string names = choices.front();
  for (size_t i = 1; i < choices.size(); ++i) names += (i + 1 == choices.size() ? " or " : ", ") + choices[i];
  cmd->add_option(name, target, description)
      ->check(nonEmpty(names))
      ->check(CLI::IsMember(choices))
      ->default_val(choices.front());
}

const char* const kColors[] = {"auto", "always", "never"};

void addColor(CLI::App* cmd, std::string& color, const std::string& what) {
  addChoice(cmd, "--color", color, fmt::format("Colour {}: auto (on a terminal), always, never", what),
            std::vector<std::string>(std::begin(kColors), std::end(kColors)));
}

void addMaxFileSize(CLI::App* cmd, std::string& max_size, const std::string& what) {
  cmd->add_option("--max-file-size", max_size, fmt::format("Refuse inputs larger than this (K/M/G suffixes): {}", what))
      ->check(nonEmpty("a size such as 256M"))
      ->default_val("256M");
}

void addLimitOptions(CLI::App* cmd, DiagnosticOptions& o) {
  cmd->add_option("--error-limit", o.error_limit, "Show at most N errors per file (0: all)")
      ->check(nonEmpty("a number"))
      ->default_val(pipeline::kDefaultErrorLimit);
  cmd->add_option("--warning-limit", o.warning_limit, "Show at most N warnings or notes of each id per file (0: all)")
      ->check(nonEmpty("a number"))
      ->default_val(pipeline::kDefaultWarningLimit);
}

// Where a command finds its project file (`.ipec.json`): the flags that choose it.
struct ProjectFlags {
  std::string file;
  bool ignore = false;
};

// The target options; with `project`, also --config/--no-config (the target and -W flags of a
// project file, which the other target options override).
void addTargetOptions(CLI::App* cmd, TargetArgs& t, ProjectFlags* project = nullptr) {
  if (project) {
    std::string names;
    for (const std::string& n : analysis::profileNames()) names += fmt::format("{}, ", n);
    cmd->add_option("--target", t.name,
                    fmt::format("Kernel target profile: {}or live (the running system); `ipec targets` describes them",
                                names))
        ->check(nonEmpty("a target name"))
        ->default_val(analysis::kDefaultTarget);
    cmd->add_option("--config", project->file,
                    "Read the target and -W flags from this project file instead of the nearest .ipec.json "
                    "(docs/project-config.md)")
        ->check(nonEmpty("a file name"));
    cmd->add_flag("--no-config", project->ignore, "Ignore .ipec.json project files");
  }
  cmd->add_option("--kconfig", t.kconfig_files,
                  "Apply a kernel .config or /proc/config.gz (its CONFIG_LSM becomes the lsm= list; repeatable)")
      ->check(nonEmpty("a file name"))
      ->allow_extra_args(false);
  // An empty --lsm has its own message (the list is empty), from applyLsmList().
  cmd->add_option("--lsm", t.lsm, "The active LSM list, as in lsm= or /sys/kernel/security/lsm");
  cmd->add_option("--set", t.settings, "Set a Kconfig option: CONFIG_X=y or CONFIG_X=n (repeatable)")
      ->check(nonEmpty("CONFIG_NAME=y or CONFIG_NAME=n"))
      ->allow_extra_args(false);
}

// --enforcer: IPE, or the BPF-LSM enforcer of `ipec enforce` (unenforceable-on-backend).
void addEnforcer(CLI::App* cmd, std::string& value) {
  cmd->add_option("--enforcer", value,
                  "Who enforces the policy: ipe, bpf-lsm (`ipec enforce` loaded after boot) or bpf-lsm-initramfs "
                  "(loaded from the initramfs); docs/enforcer.md")
      ->check(CLI::IsMember({"ipe", "bpf-lsm", "bpf-lsm-initramfs"}))
      ->default_val("ipe");
}

// Where every option's value lands.
struct Cli {
  DiagnosticOptions diag_options;
  std::string color = "auto", max_size = "256M", signer_cert;
  TargetArgs target_args;
  ProjectFlags project;
  CheckOptions check;
  FmtOptions fmt;
  EvalOptions eval;
  CompileOptions comp;
  DumpOptions dump;
  LifecycleOptions life;
  AuditOptions audit;
  PolicyDiffOptions diff;
  TargetsOptions targets;
  SignOptions sign;
  VerifyOptions verify;
  EnforceOptions enforce;
  std::string enforcer = "ipe";  // check, compile: who enforces the policy
  std::string diag_format = "text", diag_id, targets_format = "text";
  std::vector<std::string> help_words;
  bool lsp_stdio = false;
  // check --against-system / --against-snapshot, and `system snapshot`
  bool against_system = false;
  SystemSource system_source;
  std::string via = "auto";
  SnapshotOptions snapshot;
};

struct Commands {
  CLI::App *check, *fmt, *eval, *compile, *dump, *lifecycle, *targets, *show, *diagnostics, *help, *lsp, *diff;
  CLI::App *audit, *system, *snapshot, *sign, *verify;
  CLI::App* enforce;
};

// check's options for the live machine (docs/cli.md#against-system).
void addAgainstSystem(CLI::App* c, Cli& cli) {
  auto* live = c->add_flag("--against-system", cli.against_system,
                           "Also predict what writing each policy to this machine's IPE answers, and which running "
                           "executables, modules, firmware and kexec files it would deny");
  c->add_option("--against-snapshot", cli.system_source.snapshot,
                "As --against-system, with the facts of a snapshot file (`ipec system snapshot`)")
      ->check(nonEmpty("a snapshot file"))
      ->excludes(live);
  c->add_option("--system-root", cli.system_source.root,
                "--against-system: read /proc, /sys, /lib and /boot under this folder (for tests)")
      ->check(nonEmpty("a folder"));
  c->add_option("--via", cli.via,
                "Where the policy is written: auto (policies/NAME/update when NAME is loaded, else new_policy), "
                "new_policy or update")
      ->check(nonEmpty("auto, new_policy or update"))
      ->check(CLI::IsMember({"auto", "new_policy", "update"}))
      ->default_val("auto");
}

CLI::App* addSystem(CLI::App& app, Cli& cli, CLI::App*& snapshot) {
  auto* sys = app.add_subcommand("system", "The live machine's facts that `ipec check --against-system` uses");
  sys->require_subcommand(1);
  snapshot = sys->add_subcommand("snapshot",
                                 "Write IPE's state and every running executable, module, firmware and kexec file "
                                 "with its fs-verity, dm-verity and initramfs state");
  addChoice(snapshot, "--format", cli.snapshot.format, "json (for --against-snapshot) or text (one line per file)",
            {"json", "text"});
  snapshot->add_option("-o,--output", cli.snapshot.output, "Output file ('-': standard output, the default)")
      ->check(nonEmpty("a file name"));
  snapshot->add_option("--root", cli.snapshot.root, "Read /proc, /sys, /lib and /boot under this folder (for tests)")
      ->check(nonEmpty("a folder"));
  return sys;
}

CLI::App* addCheck(CLI::App& app, Cli& cli) {
  CheckOptions& o = cli.check;
  auto* c = app.add_subcommand("check", "Report every problem in each policy and predict the kernel's verdict");
  c->add_option("files", o.files, "Policy files ('-' reads standard input)")->required();
  addChoice(c, "--format", o.format,
            "Output format: text (diagnostics on stderr), json or sarif (SARIF 2.1.0), both on stdout",
            {"text", "json", "sarif"});
  addColor(c, cli.color, "the diagnostics");
  addEnforcer(c, cli.enforcer);
  c->add_flag("-q,--quiet", o.quiet, "Do not print the per-file kernel verdict line");
  addLimitOptions(c, cli.diag_options);
  addMaxFileSize(c, cli.max_size, "each policy");
  addTargetOptions(c, cli.target_args, &cli.project);
  c->add_option("--analysis-budget", o.pipeline.reachability.pair_budget,
                "Most (fs-verity, dm-verity) literal pairs examined per op to prove redundancy")
      ->check(nonEmpty("a number"))
      ->default_val(4000000);
  c->add_option("--cert-size", o.pipeline.signing.cert_der_bytes,
                "DER size of the signer certificate embedded in the PKCS#7 blob (EMSGSIZE model)")
      ->check(nonEmpty("a number"))
      ->default_val(847);
  c->add_flag("--no-embedded-cert", [&o](int64_t) { o.pipeline.signing.embed_cert = false; },
              "The policy is signed with -nocerts (EMSGSIZE model)");
  c->add_option("--signer-cert", cli.signer_cert,
                "The signer's certificate (PEM or DER): its sizes and key type set the EMSGSIZE model")
      ->check(nonEmpty("a certificate file"));
  addAgainstSystem(c, cli);
  return c;
}

CLI::App* addFmt(CLI::App& app, Cli& cli) {
  FmtOptions& o = cli.fmt;
  auto* f = app.add_subcommand("fmt", "Print policies in the canonical layout, check it, show the changes, or rewrite in place");
  f->add_option("files", o.files,
                "Policy files ('-' reads standard input); several are printed each after a `==> NAME <==` line")
      ->required();
  auto* inplace = f->add_flag("-i,--in-place", o.in_place, "Rewrite the files atomically (refuses files with errors)");
  auto* check = f->add_flag("--check", o.check, "List files that are not formatted; exit 1 if any")->excludes(inplace);
  f->add_flag("--diff", o.diff, "Print a unified diff of what formatting changes; exit 1 if anything")
      ->excludes(inplace)
      ->excludes(check);
  addColor(f, cli.color, "the diagnostics of -i");
  addMaxFileSize(f, cli.max_size, "each policy");
  addTargetOptions(f, cli.target_args, &cli.project);
  addLimitOptions(f, cli.diag_options);
  return f;
}

CLI::App* addEval(CLI::App& app, Cli& cli) {
  EvalOptions& o = cli.eval;
  auto* e = app.add_subcommand("eval", "The decision IPE makes for events, and the rule that makes it");
  e->add_option("policy", o.policy, "Policy file, or a decision table from `ipec compile`")->required();
  e->add_option("--event", o.events,
                "An event, e.g. 'op=EXECUTE file=present fsverity=sha256:HEX fsverity_sig=true' "
                "(repeatable; docs/events.md)")
      ->check(nonEmpty("an event such as op=EXECUTE"))
      ->allow_extra_args(false);
  e->add_option("--events", o.events_file, "Events as JSON lines, one per line ('-': stdin)")
      ->check(nonEmpty("a file name"));
  e->add_flag("--explain", o.explain, "Show each rule of the op in turn and the property that failed");
  addChoice(e, "--format", o.format, "text, or json (one object per event)", {"text", "json"});
  e->add_option("--engine", o.engine,
                "reference (the kernel's linear walk), fast (the analysis' O(1) engine) or table (the compiled "
                "decision table and its C interpreter)")
      ->check(nonEmpty("reference, fast or table"))
      ->check(CLI::IsMember({"reference", "fast", "table"}))
      ->default_val("reference");
  addColor(e, cli.color, "the diagnostics");
  addTargetOptions(e, cli.target_args, &cli.project);
  addLimitOptions(e, cli.diag_options);
  addMaxFileSize(e, cli.max_size, "the policy or table, and the --events file");
  return e;
}

CLI::App* addCompile(CLI::App& app, Cli& cli) {
  CompileOptions& o = cli.comp;
  auto* cc = app.add_subcommand("compile", "Compile a policy into a decision table (or BPF maps) for a target");
  cc->add_option("policy", o.policy, "Policy file ('-' reads standard input)")->required();
  cc->add_option("-o,--output", o.output, "Output file ('-': standard output)")->required()->check(nonEmpty("a file name"));
  cc->add_option("--backend", o.backend, "table (docs/table-format.md) or bpf-maps (a bpftool batch file)")
      ->check(nonEmpty("table or bpf-maps"))
      ->check(CLI::IsMember({"table", "bpf-maps"}))
      ->default_val("table");
  cc->add_option("--pin-dir", o.pin_dir, "bpf-maps: where the maps are pinned")->default_val("/sys/fs/bpf/ipec");
  cc->add_flag("--keep-unreachable", o.keep_unreachable, "Keep dead and shadowed rules (for debugging)");
  cc->add_flag("--verify", o.verify,
               "Check the table against the policy over the finite event model; write nothing if they disagree");
  cc->add_flag("--stats", o.stats, "Print the table's size and contents");
  addColor(cc, cli.color, "the diagnostics");
  addEnforcer(cc, cli.enforcer);
  cc->add_option("--analysis-budget", o.pipeline.reachability.pair_budget,
                 "Most (fs-verity, dm-verity) literal pairs examined per op")
      ->check(nonEmpty("a number"))
      ->default_val(4000000);
  addTargetOptions(cc, cli.target_args, &cli.project);
  addLimitOptions(cc, cli.diag_options);
  addMaxFileSize(cc, cli.max_size, "the policy");
  return cc;
}

CLI::App* addLifecycle(CLI::App& app, Cli& cli) {
  LifecycleOptions& o = cli.life;
  auto* lc = app.add_subcommand(
      "lifecycle", "Predict the kernel's answers to a sequence of policy loads, updates, activations and deletions");
  lc->add_option("script", o.script,
                 "One operation per line: new_policy FILE, update NAME FILE, activate NAME, deactivate-write NAME, "
                 "delete NAME, delete-write0 NAME (docs/lifecycle.md)")
      ->required();
  addChoice(lc, "--format", o.format, "text or json (one object per operation)", {"text", "json"});
  addTargetOptions(lc, cli.target_args, &cli.project);
  addLimitOptions(lc, cli.diag_options);
  lc->add_option("--cert-size", o.pipeline.signing.cert_der_bytes, "DER size of the embedded signer certificate")
      ->check(nonEmpty("a number"))
      ->default_val(847);
  lc->add_flag("--no-embedded-cert", [&o](int64_t) { o.pipeline.signing.embed_cert = false; },
               "The policies are signed with -nocerts");
  addMaxFileSize(lc, cli.max_size, "the script and each policy it names");
  return lc;
}

CLI::App* addAudit(CLI::App& app, Cli& cli) {
  AuditOptions& o = cli.audit;
  auto* a = app.add_subcommand("audit",
                               "Read IPE's access records (audit.log, ausearch -i, journal export, dmesg): rule coverage, "
                               "and what a candidate policy would decide");
  a->add_option("logs", o.logs, "Log files, each in any of the four forms ('-' reads standard input)")->required();
  a->add_option("--policy", o.policy, "The policy that wrote the records: map each record to its rule")
      ->check(nonEmpty("a policy file"));
  a->add_option("--candidate", o.candidate,
                "A new policy: for each logged event class, whether it decides the same (needs --policy)")
      ->check(nonEmpty("a policy file"));
  addChoice(a, "--format", o.format, "text or json", {"text", "json"});
  a->add_flag("-v,--verbose", o.verbose, "Also show the lines that are no audit record, and the candidate's same classes");
  addColor(a, cli.color, "the diagnostics");
  addTargetOptions(a, cli.target_args, &cli.project);
  addLimitOptions(a, cli.diag_options);
  addMaxFileSize(a, cli.max_size, "each log and policy");
  return a;
}

CLI::App* addDiff(CLI::App& app, Cli& cli) {
  PolicyDiffOptions& o = cli.diff;
  auto* d = app.add_subcommand("diff", "What changes between two policies on a target: every class of events whose "
                                       "decision changes, with a witness, then the rule-level changes");
  d->add_option("old", o.old_policy, "The policy in force ('-' reads standard input)")->required();
  d->add_option("new", o.new_policy, "The policy that replaces it ('-' reads standard input)")->required();
  addChoice(d, "--format", o.format, "text, json or sarif (SARIF 2.1.0, results located in NEW)",
            {"text", "json", "sarif"});
  d->add_option("--events", o.events_file,
                "Compare only these events (JSON lines as for eval --events, '-': stdin); print those whose decision "
                "changes")
      ->check(nonEmpty("a file name"));
  d->add_option("--max-classes", o.max_classes, "List at most N changed classes of events per op (0: all)")
      ->check(nonEmpty("a number"))
      ->default_val(100);
  addColor(d, cli.color, "the diagnostics of a rejected policy");
  addTargetOptions(d, cli.target_args, &cli.project);
  addLimitOptions(d, cli.diag_options);
  addMaxFileSize(d, cli.max_size, "each policy, and the --events file");
  return d;
}

// ipec sign and ipec verify (docs/cli.md#ipec-sign).
CLI::App* addSign(CLI::App& app, Cli& cli) {
  SignOptions& o = cli.sign;
  auto* s = app.add_subcommand("sign", "Check a policy or load a table and sign it as the kernel takes it (PKCS#7, "
                                       "DER, no signed attributes)");
  s->add_option("policy", o.policy,
                "Policy file or compiled table ('-' reads standard input; then -o is needed)")->required();
  s->add_option("--key", o.key, "The private key: a PEM or DER file (RSA or EC), or a PKCS#11 URI (pkcs11:...)")
      ->required()
      ->check(nonEmpty("a key file or a pkcs11: URI"));
  s->add_option("--cert", o.cert, "The signer's X.509 certificate (PEM or DER)")
      ->required()
      ->check(nonEmpty("a certificate file"));
  s->add_option("-o,--output", o.output, "The signed blob (default: POLICY.p7s; '-': standard output)")
      ->check(nonEmpty("a file name"));
  s->add_flag("--no-certs", o.no_certs, "Do not embed the certificate (the kernel finds it in its keyring)");
  s->add_option("--digest", o.digest, "sha256, sha384 or sha512")->check(nonEmpty("sha256, sha384 or sha512"))
      ->default_val("sha256");
  s->add_option("--form", o.form,
                "attached (PKCS#7 with the content), detached (a table beside its signature, in the wrapper), or "
                "auto: attached when it fits 65535 bytes")
      ->check(nonEmpty("attached, detached or auto"))
      ->check(CLI::IsMember({"attached", "detached", "auto"}))
      ->default_val("auto");
  s->add_flag("--force", o.force, "Sign (and write) even what the kernel would reject");
  addColor(s, cli.color, "the diagnostics");
  addLimitOptions(s, cli.diag_options);
  addMaxFileSize(s, cli.max_size, "the policy");
  addTargetOptions(s, cli.target_args, &cli.project);
  return s;
}

CLI::App* addVerify(CLI::App& app, Cli& cli) {
  VerifyOptions& o = cli.verify;
  auto* v = app.add_subcommand("verify", "Check a signed policy: the signature, the signer, and the policy inside");
  v->add_option("signed", o.blob,
                "Signed policy blob: DER PKCS#7, or a table's detached-signature wrapper ('-' reads standard input)")
      ->required();
  v->add_option("--cert", o.cert, "The certificate that must have signed (PEM or DER); without it, the one inside")
      ->check(nonEmpty("a certificate file"));
  addChoice(v, "--format", o.format, "text, or json (one document)", {"text", "json"});
  addColor(v, cli.color, "the diagnostics");
  addLimitOptions(v, cli.diag_options);
  addMaxFileSize(v, cli.max_size, "the blob");
  addTargetOptions(v, cli.target_args, &cli.project);
  return v;
}

// ipec enforce load|update|unload|status|log|mode (docs/enforcer.md, docs/cli.md).
CLI::App* addEnforce(CLI::App& app, Cli& cli) {
  EnforceOptions& o = cli.enforce;
  auto* en = app.add_subcommand("enforce", "Enforce a compiled policy with the BPF-LSM program (docs/enforcer.md)");
  en->require_subcommand(1);
  auto action = [&o](CLI::App* sub) { sub->callback([&o, sub] { o.action = sub->get_name(); }); return sub; };
  for (const char* name : {"load", "update"}) {
    auto* sub = action(en->add_subcommand(name, std::string(name) == "load"
                                                    ? "Load and attach the program with a policy"
                                                    : "Swap in a newer version of the running policy atomically"));
    sub->add_option("policy", o.policy, "A table from `ipec compile`, or policy text")->required();
    addTargetOptions(sub, cli.target_args, &cli.project);
    addMaxFileSize(sub, cli.max_size, "the policy or table");
    addColor(sub, cli.color, "the diagnostics");
  }
  auto* load = en->get_subcommand("load");
  load->add_flag("--permissive", o.permissive, "Decide and log, but allow (IPE's enforce=0)");
  load->add_flag("--log-allow", o.log_allow, "Log allows too (IPE's success_audit=1)");
  load->add_flag("--initramfs", o.initramfs, "Loaded from the initramfs: record its root device for boot_verified");
  en->get_subcommand("update")->add_flag("--any-version", o.any_version, "Allow a version that is not higher");
  action(en->add_subcommand("unload", "Detach the program and remove its pins"));
  auto* st = action(en->add_subcommand("status", "Policy name, version, table digest, counters, programs"));
  st->add_option("--format", o.format, "text or json")->check(CLI::IsMember({"text", "json"}))->default_val("text");
  auto* lg = action(en->add_subcommand("log", "Print the logged decisions in IPE's audit format"));
  lg->add_flag("-f,--follow", o.follow, "Keep waiting for more");
  addTargetOptions(lg, cli.target_args, &cli.project);
  auto* md = action(en->add_subcommand("mode", "Switch between enforcing and permissive, with or without allows logged"));
  md->add_flag("--permissive", o.permissive, "Permissive (absent: enforcing)");
  md->add_flag("--log-allow", o.log_allow, "Log allows too");
  for (CLI::App* sub : en->get_subcommands(std::function<bool(CLI::App*)>()))
    sub->add_option("--pin-dir", o.pin_dir, "Where the program and maps are pinned")->default_val("/sys/fs/bpf/ipec");
  return en;
}

Commands buildApp(CLI::App& app, Cli& cli) {
  app.set_version_flag("--version", fmt::format("ipec {}", kIpecVersion));
  app.require_subcommand(1);
  app.footer(
      "Warning flags (check, fmt, eval, compile, lifecycle, diff, audit, sign, verify): -W<id>, -Wno-<id>, -Werror,\n"
      "-Werror=<id>, -Wno-error=<id>.\n"
      "`ipec diagnostics` lists the ids and `ipec diagnostics ID` explains one; docs/cli.md describes every flag.\n"
      "Exit status: 0 no errors, 1 errors (the kernel rejects, or a warning made an error), 2 usage or I/O.");
  Commands c{};
  c.check = addCheck(app, cli);
  c.fmt = addFmt(app, cli);
  c.eval = addEval(app, cli);
  c.compile = addCompile(app, cli);
  c.dump = app.add_subcommand("dump", "Decompile a decision table back into policy text");
  c.dump->add_option("table", cli.dump.table, "Decision table ('-' reads standard input)")->required();
  addMaxFileSize(c.dump, cli.max_size, "the table");
  c.lifecycle = addLifecycle(app, cli);
  c.audit = addAudit(app, cli);
  c.diff = addDiff(app, cli);
  c.system = addSystem(app, cli, c.snapshot);
  c.sign = addSign(app, cli);
  c.verify = addVerify(app, cli);
  c.enforce = addEnforce(app, cli);
  c.targets = app.add_subcommand("targets", "List the kernel target profiles, or show one");
  addChoice(c.targets, "--format", cli.targets_format, "text or json (an array of {name, description, default})",
            {"text", "json"});
  c.show = c.targets->add_subcommand("show", "Print one target, after --kconfig/--lsm/--set");
  c.show->add_option("name", cli.target_args.name, "Profile name, or live")->required()->check(nonEmpty("a target name"));
  addTargetOptions(c.show, cli.target_args);
  c.diagnostics = app.add_subcommand("diagnostics", "List every diagnostic id, or explain one (docs/diagnostics.md)");
  c.diagnostics->add_option("id", cli.diag_id, "A diagnostic id: print its section of docs/diagnostics.md");
  addChoice(c.diagnostics, "--format", cli.diag_format, "text or json", {"text", "json"});
  c.lsp = app.add_subcommand("lsp",
                             "Run the language server for editors (LSP 3.17 on standard input and output; "
                             "docs/lsp.md)");
  c.lsp->add_flag("--stdio", cli.lsp_stdio, "Talk on standard input and output (the only transport; accepted for clients that pass it)");
  c.help = app.add_subcommand("help", "Print the help of a command (`ipec help check` is `ipec check --help`)");
  c.help->add_option("command", cli.help_words, "A command, such as check, or targets show");
  return c;
}

CLI::App* findCommand(CLI::App& app, const std::string& name) {
  for (CLI::App* sub : app.get_subcommands(std::function<bool(CLI::App*)>()))
    if (sub->get_name() == name) return sub;
  return nullptr;
}

std::vector<std::string_view> commandNames(CLI::App& app) {
  std::vector<std::string_view> names;
  for (const CLI::App* sub : app.get_subcommands(std::function<bool(CLI::App*)>())) names.push_back(sub->get_name());
  return names;
}

// ``unknown command `chek`; did you mean `check`?`` or the list of commands.
std::string unknownCommand(std::string_view word, const std::vector<std::string_view>& names) {
  auto s = suggest(word, names);
  if (s && s->unique()) return fmt::format("unknown command {}; did you mean {}?", quote(word), quote(s->best[0]));
  return fmt::format("unknown command {}; the commands are {}", quote(word), fmt::join(names, ", "));
}

// The subcommand (and `targets show`) a word list starts with, for looking up its options.
CLI::App* chosenCommand(CLI::App& app, const std::vector<std::string>& words) {
  if (words.empty()) return nullptr;
  CLI::App* cmd = findCommand(app, words[0]);
  if (cmd && words.size() > 1) {
    CLI::App* nested = findCommand(*cmd, words[1]);
    if (nested) return nested;
  }
  return cmd;
}

// An option before the command: name it, and the command it belongs to if any has it.
std::string optionBeforeCommand(CLI::App& app, const std::string& word) {
  const std::string name = word.substr(0, word.find('='));
  for (std::string_view cmd : commandNames(app))
    if (findCommand(app, std::string(cmd))->get_option_no_throw(name))
      return fmt::format("{} is an option of the commands; give the command first, as in `ipec {} {}`", quote(name),
                         cmd, name);
  return fmt::format("unknown option {}; the commands take the options (`ipec help COMMAND` lists them)", quote(word));
}

// `--opt=` with nothing after `=`: CLI11 would take the next word as the value, so it becomes
// `--opt ''`, which every option refuses with its own message.
void splitEmptyValues(const CLI::App& cmd, std::vector<std::string>& words) {
  for (size_t i = 1; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w.size() < 4 || !w.starts_with("--") || w.back() != '=' || w.find('=') != w.size() - 1) continue;
    const CLI::Option* opt = cmd.get_option_no_throw(w.substr(0, w.size() - 1));
    if (!opt || opt->get_type_size() == 0) continue;
    words[i].pop_back();
    words.insert(words.begin() + static_cast<std::ptrdiff_t>(i) + 1, std::string());
  }
}

// Checks and rewrites the words CLI11 would get wrong. Returns an error message, or "".
std::string prepareWords(CLI::App& app, std::vector<std::string>& words) {
  if (words.empty()) return "";
  const std::string& first = words[0];
  if (first == "help") {
    // `ipec help targets show` is `ipec targets show --help`; `ipec help` is `ipec --help`.
    std::vector<std::string> target(words.begin() + 1, words.end());
    if (std::any_of(target.begin(), target.end(), [](const std::string& w) { return w.empty() || w[0] == '-'; }))
      return "";  // `ipec help --help`: CLI11 prints help's own help
    if (!target.empty() && !findCommand(app, target[0])) return unknownCommand(target[0], commandNames(app));
    target.push_back("--help");
    words = std::move(target);
    return "";
  }
  if (first == "--version")
    return words.size() > 1 ? fmt::format("--version takes nothing else; got {}", quote(unmarkFile(words[1]))) : "";
  if (first == "-h" || first == "--help") return "";
  if (!first.empty() && first[0] == '-') return optionBeforeCommand(app, first);
  CLI::App* cmd = chosenCommand(app, words);
  if (!cmd) return unknownCommand(unmarkFile(first), commandNames(app));
  splitEmptyValues(*cmd, words);
  return "";
}

// After `--`, every word is a file: for the commands with one positional, it is that one.
void unmarkPositionals(Cli& cli) {
  for (std::string& f : cli.check.files) f = unmarkFile(std::move(f));
  for (std::string& f : cli.fmt.files) f = unmarkFile(std::move(f));
  for (std::string& f : cli.audit.logs) f = unmarkFile(std::move(f));
  for (std::string* s : {&cli.diff.old_policy, &cli.diff.new_policy, &cli.sign.policy, &cli.verify.blob, &cli.eval.policy, &cli.comp.policy, &cli.dump.table, &cli.life.script, &cli.target_args.name,
                         &cli.diag_id})
    *s = unmarkFile(std::move(*s));
}

// A word the command did not take: an unknown option (with the closest one), or one word too many.
std::string extraWordError(CLI::App& app, const std::vector<std::string>& extra) {
  CLI::App* cmd = &app;
  std::string path = "ipec";
  for (auto parsed = app.get_subcommands(); !parsed.empty(); parsed = cmd->get_subcommands()) {
    cmd = parsed[0];
    path += fmt::format(" {}", cmd->get_name());
  }
  const std::string word = extra.empty() ? std::string() : extra[0];
  if (word.empty() || word[0] != '-') return fmt::format("`{}` takes no more arguments; not expected: {}", path, quote(unmarkFile(word)));
  std::vector<std::string> names;
  for (const CLI::Option* opt : cmd->get_options())
    for (const std::string& n : opt->get_lnames()) names.push_back(fmt::format("--{}", n));
  std::vector<std::string_view> views(names.begin(), names.end());
  auto s = suggest(word.substr(0, word.find('=')), views);
  return fmt::format("unknown option {} for `{}`{}", quote(word), path,
                     s && s->unique() ? fmt::format("; did you mean {}?", quote(s->best[0])) : std::string());
}

int usageError(const std::string& message) {
  printError(message);
  return kUsage;
}

ColorMode parseColor(const std::string& s) {
  if (s == "always") return ColorMode::Always;
  if (s == "never") return ColorMode::Never;
  return ColorMode::Auto;
}

int dispatch(Cli& cli, const Commands& c, uint64_t max_bytes);

int run(int argc, char** argv) {
  Cli cli;
  // -W flags come out first (CLI11 cannot spell them); words after `--` go last, marked.
  std::vector<std::string> words, after_dashes;
  bool options_end = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (options_end) {
      after_dashes.push_back(kAfterDashes + std::string(a));
      continue;
    }
    if (a == "--") {
      options_end = true;
      continue;
    }
    if (a.size() > 2 && a.starts_with("-W")) {
      std::string error;
      if (!parseWarningFlag(a, cli.diag_options, error)) return usageError(error);
      continue;
    }
    words.emplace_back(a);
  }
  words.insert(words.end(), after_dashes.begin(), after_dashes.end());

  CLI::App app{"ipec: compiler and static analyzer for Linux IPE policies"};
  app.name("ipec");
  Commands c = buildApp(app, cli);
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    std::string what = e.what();
    what.erase(std::remove(what.begin(), what.end(), kAfterDashes), what.end());
    return fmt::format("{}Run with --help for more information.\n", errorLine(shown(what)));
  });
  if (std::string error = prepareWords(app, words); !error.empty()) return usageError(error);
  std::reverse(words.begin(), words.end());  // CLI11 takes a vector last word first
  try {
    app.parse(words);
  } catch (const CLI::ExtrasError&) {
    // CLI11's message is a C string, cut at the NUL that marks a word after `--`: name the word.
    return usageError(extraWordError(app, app.remaining(/*recurse=*/true)));
  } catch (const CLI::ParseError& err) {
    int rc = app.exit(err);
    return rc == 0 ? 0 : kUsage;
  }
  unmarkPositionals(cli);
  setMessageColor(useColor(parseColor(cli.color), STDERR_FILENO));
  std::string error;
  auto max_bytes = parseSize(cli.max_size, "--max-file-size", error);
  if (!max_bytes) return usageError(error);
  return dispatch(cli, c, *max_bytes);
}

// What the command line says about the target and the warnings: the options given (not their
// defaults) override the project file's.
pipeline::ConfigRequest configRequest(const Cli& cli, const CLI::App* cmd) {
  pipeline::ConfigRequest r;
  if (cmd->count("--target")) r.target = cli.target_args.name;
  if (cmd->count("--kconfig")) r.kconfig = cli.target_args.kconfig_files;
  r.lsm = cli.target_args.lsm;  // set only when given
  if (cmd->count("--set")) r.set = cli.target_args.settings;
  r.extra = cli.diag_options;
  r.use_project_file = !cli.project.ignore;
  if (!cli.project.file.empty()) r.project_file = cli.project.file;
  return r;
}

// For a command with one input: its configuration, into `config` (which holds the rest).
bool configureOrReport(const Cli& cli, const CLI::App* cmd, const std::string& input, PipelineConfig& config) {
  pipeline::ConfigResolver resolver(config, configRequest(cli, cmd));
  std::string error;
  const PipelineConfig* resolved = resolver.forPolicy(input, error);
  if (!resolved) {
    printError(error);
    return false;
  }
  config = *resolved;
  return true;
}

bool buildTargetOrReport(const TargetArgs& args, analysis::Target& out) {
  std::string error;
  if (buildTarget(args, out, error)) return true;
  printError(error);
  return false;
}

bool stdinOnce(const std::vector<std::string>& paths) {
  if (std::count(paths.begin(), paths.end(), "-") <= 1) return true;
  printError("standard input (-) can be read only once");
  return false;
}

// The pin directory goes into a bpftool batch file, one command per line, words split on blanks:
// only an absolute path of visible, unquoted characters can stand there as one word.
bool pinDirOk(const std::string& dir) {
  return dir.size() > 1 && dir[0] == '/' && std::all_of(dir.begin(), dir.end(), [](char ch) {
           return ch > ' ' && ch < 0x7f && ch != '"' && ch != '\'' && ch != '\\' && ch != '#';
         });
}

int dispatch(Cli& cli, const Commands& c, uint64_t max_bytes) {
  const ColorMode color = parseColor(cli.color);
  if (c.check->parsed()) {
    CheckOptions& o = cli.check;
    std::vector<std::string> inputs = o.files;
    inputs.push_back(cli.signer_cert);
    if (!stdinOnce(inputs)) return kUsage;
    const bool against = cli.against_system || !cli.system_source.snapshot.empty();
    if (against && !c.check->count("--error-limit")) cli.diag_options.error_limit = 0;  // every denial is named
    if (!cli.signer_cert.empty()) {
      std::string error;
      const bool embed = o.pipeline.signing.embed_cert;
      if (!loadSignerCert(cli.signer_cert, o.pipeline.signing, error)) return usageError(error);
      o.pipeline.signing.embed_cert = embed;
    }
    o.pipeline.diag_options = cli.diag_options;
    o.pipeline.check_loadable = true;
    o.pipeline.enforcer = *analysis::lookupEnforcer(cli.enforcer);
    o.configs = std::make_shared<pipeline::ConfigResolver>(o.pipeline, configRequest(cli, c.check));
    o.color = color;
    o.max_file_size = max_bytes;
    if (against) {
      if (!cli.against_system && c.check->count("--system-root")) return usageError("--system-root applies to --against-system");
      auto facts = loadSystemFacts(cli.system_source, max_bytes);
      if (!facts) return kUsage;
      o.system = std::make_shared<const system::SystemFacts>(std::move(*facts));
      o.via = cli.via == "update" ? system::Via::Update : cli.via == "new_policy" ? system::Via::NewPolicy : system::Via::Auto;
    } else if (c.check->count("--via") || c.check->count("--system-root")) {
      return usageError("--via and --system-root apply to --against-system and --against-snapshot");
    }
    return runCheck(o);
  }
  if (c.fmt->parsed()) {
    FmtOptions& o = cli.fmt;
    if (!stdinOnce(o.files)) return kUsage;
    o.pipeline.diag_options = cli.diag_options;
    o.pipeline.analyze = false;
    o.configs = std::make_shared<pipeline::ConfigResolver>(o.pipeline, configRequest(cli, c.fmt));
    o.color = color;
    o.max_file_size = max_bytes;
    return runFmt(o);
  }
  if (c.eval->parsed()) {
    EvalOptions& o = cli.eval;
    if (!stdinOnce({o.policy, o.events_file})) return kUsage;
    if (o.events.empty() && o.events_file.empty()) return usageError("eval needs --event or --events");
    o.pipeline.diag_options = cli.diag_options;
    if (!configureOrReport(cli, c.eval, o.policy, o.pipeline)) return kUsage;
    o.color = color;
    o.max_file_size = max_bytes;
    return runEval(o);
  }
  if (c.compile->parsed()) {
    CompileOptions& o = cli.comp;
    if (c.compile->count("--pin-dir") && o.backend != "bpf-maps")
      return usageError("--pin-dir applies to --backend=bpf-maps only");
    if (!pinDirOk(o.pin_dir))
      return usageError("--pin-dir: expected an absolute path of printable ASCII without blanks, quotes, backslashes "
                        "or #, such as /sys/fs/bpf/ipec");
    o.pipeline.diag_options = cli.diag_options;
    o.pipeline.enforcer = *analysis::lookupEnforcer(cli.enforcer);
    if (!configureOrReport(cli, c.compile, o.policy, o.pipeline)) return kUsage;
    // A table is not loaded through securityfs: neither its size nor its name limit applies.
    o.pipeline.check_signed_size = false;
    o.pipeline.check_policy_name = false;
    o.color = color;
    o.max_file_size = max_bytes;
    return runCompile(o);
  }
  if (c.lifecycle->parsed()) {
    LifecycleOptions& o = cli.life;
    o.pipeline.diag_options = cli.diag_options;
    if (!configureOrReport(cli, c.lifecycle, o.script, o.pipeline)) return kUsage;
    o.max_file_size = max_bytes;
    return runLifecycle(o);
  }
  if (c.audit->parsed()) {
    AuditOptions& o = cli.audit;
    if (!o.candidate.empty() && o.policy.empty()) return usageError("--candidate needs --policy (the policy that wrote the records)");
    std::vector<std::string> inputs = o.logs;
    inputs.push_back(o.policy);
    inputs.push_back(o.candidate);
    if (!stdinOnce(inputs)) return kUsage;
    o.pipeline.diag_options = cli.diag_options;
    if (!configureOrReport(cli, c.audit, o.policy.empty() ? o.logs.front() : o.policy, o.pipeline)) return kUsage;
    o.color = color;
    o.max_file_size = max_bytes;
    return runAudit(o);
  }
  if (c.diff->parsed()) {
    PolicyDiffOptions& o = cli.diff;
    if (!stdinOnce({o.old_policy, o.new_policy, o.events_file})) return kUsage;
    o.pipeline.diag_options = cli.diag_options;
    // NEW's project decides the target: it is the policy about to be deployed.
    if (!configureOrReport(cli, c.diff, o.new_policy, o.pipeline)) return kUsage;
    o.color = color;
    o.max_file_size = max_bytes;
    return runPolicyDiff(o);
  }
  if (c.sign->parsed() || c.verify->parsed()) {
    const bool signing = c.sign->parsed();
    PipelineConfig& pc = signing ? cli.sign.pipeline : cli.verify.pipeline;
    const std::string& input = signing ? cli.sign.policy : cli.verify.blob;
    if (!stdinOnce({input, signing ? cli.sign.key : cli.verify.cert, signing ? cli.sign.cert : std::string()}))
      return kUsage;
    pc.diag_options = cli.diag_options;
    if (!configureOrReport(cli, signing ? c.sign : c.verify, input, pc)) return kUsage;
    cli.sign.color = cli.verify.color = color;
    cli.sign.max_file_size = cli.verify.max_file_size = max_bytes;
    return signing ? runSign(cli.sign) : runVerify(cli.verify);
  }
  if (c.dump->parsed()) {
    cli.dump.max_file_size = max_bytes;
    return runDump(cli.dump);
  }
  if (c.targets->parsed()) {
    TargetsOptions& o = cli.targets;
    o.show = c.show->parsed();
    o.format = cli.targets_format;
    if (o.show && !buildTargetOrReport(cli.target_args, o.target)) return kUsage;
    return runTargets(o);
  }
  if (c.enforce->parsed()) {
    EnforceOptions& o = cli.enforce;
    CLI::App* sub = c.enforce->get_subcommand(o.action);
    const bool targeted = o.action == "load" || o.action == "update" || o.action == "log";
    if (targeted && !configureOrReport(cli, sub, o.policy.empty() ? "." : o.policy, o.pipeline)) return kUsage;
    o.pipeline.check_signed_size = false;  // maps, not securityfs: neither limit applies
    o.pipeline.check_policy_name = false;
    o.color = color;
    o.max_file_size = max_bytes;
    return runEnforce(o);
  }
  if (c.diagnostics->parsed()) return runDiagnostics(cli.diag_format, cli.diag_id);
  if (c.lsp->parsed()) return lsp::serve(STDIN_FILENO, STDOUT_FILENO);
  if (c.snapshot->parsed()) return runSystemSnapshot(cli.snapshot);
  return kUsage;
}

}  // namespace

namespace ipec::driver {

int runCommandLine(int argc, char** argv) {
  int rc;
  try {
    rc = run(argc, argv);
  } catch (const std::bad_alloc&) {
    printError("out of memory");
    return kUsage;
  }
  // Output that did not reach standard output (a full disk, a closed pipe) is an I/O error, not
  // a success.
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    int err = errno;
    printError(fmt::format("cannot write standard output: {}", err ? std::strerror(err) : "write error"));
    return kUsage;
  }
  return rc;
}

}  // namespace ipec::driver

#ifndef IPEC_NO_MAIN  // the command-line fuzz target brings its own
int main(int argc, char** argv) { return ipec::driver::runCommandLine(argc, argv); }
#endif
