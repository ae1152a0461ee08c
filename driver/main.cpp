// SPDX-License-Identifier: Apache-2.0
// ipec: compiler, static analyzer and language tooling for Linux IPE policies.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "driver/commands.h"
#include "driver/input.h"
#include "driver/signer_cert.h"
#include "driver/target_options.h"
#include "driver/version.h"

namespace {

using namespace ipec;
using namespace ipec::driver;



// -W<id>, -Wno-<id>, -Werror, -Werror=<id>, -Wno-error=<id>. CLI11 cannot spell these, so they
// are taken out of argv first. Returns false (with a message) on an unknown or non-warning id.
bool parseWarningFlag(std::string_view arg, DiagnosticOptions& o, std::string& error) {
  std::string_view w = arg.substr(2);
  auto lookupWarning = [&](std::string_view id) -> std::optional<DiagId> {
    auto d = lookupDiag(id);
    if (!d) {
      error = "unknown warning option '" + std::string(arg) + "'; `ipec diagnostics` lists the ids";
      return std::nullopt;
    }
    if (diagDefaultSeverity(*d) == Severity::Error) {
      error = "'" + std::string(arg) + "': `" + std::string(id) +
              "` is an error, always on; -W flags choose among warnings and notes";
      return std::nullopt;
    }
    return d;
  };
  if (w == "error") {
    o.all_warnings_are_errors = true;
    return true;
  }
  if (w == "all" || w == "extra") return true;  // every warning is on by default
  if (w.substr(0, 6) == "error=") {
    auto d = lookupWarning(w.substr(6));
    if (d && diagDefaultSeverity(*d) == Severity::Note) {
      error = "'" + std::string(arg) + "': `" + std::string(w.substr(6)) + "` is a note; it cannot be an error";
      return false;
    }
    if (d) o.werror.emplace_back(*d, true);
    return d.has_value();
  }
  if (w.substr(0, 9) == "no-error=") {
    auto d = lookupWarning(w.substr(9));
    if (d && diagDefaultSeverity(*d) == Severity::Note) {
      error = "'" + std::string(arg) + "': `" + std::string(w.substr(9)) + "` is a note; it is never an error";
      return false;
    }
    if (d) o.werror.emplace_back(*d, false);
    return d.has_value();
  }
  if (w.substr(0, 3) == "no-") {
    auto d = lookupWarning(w.substr(3));
    if (d) o.enable.emplace_back(*d, false);
    return d.has_value();
  }
  auto d = lookupWarning(w);
  if (d) o.enable.emplace_back(*d, true);
  return d.has_value();
}

bool parseSize(const std::string& text, uint64_t& out) {
  if (text.empty()) return false;
  size_t pos = 0;
  unsigned long long v = 0;
  try {
    v = std::stoull(text, &pos, 10);
  } catch (...) {
    return false;
  }
  std::string suffix = text.substr(pos);
  uint64_t mult = 1;
  if (suffix == "K" || suffix == "KiB") mult = 1ull << 10;
  else if (suffix == "M" || suffix == "MiB") mult = 1ull << 20;
  else if (suffix == "G" || suffix == "GiB") mult = 1ull << 30;
  else if (!suffix.empty()) return false;
  out = v * mult;
  return true;
}

ColorMode parseColor(const std::string& s) {
  if (s == "always") return ColorMode::Always;
  if (s == "never") return ColorMode::Never;
  return ColorMode::Auto;
}

}  // namespace

// A numeric option given an empty value: CLI11 would read it as 0 (for --error-limit, "show all").
const CLI::Validator kNotEmpty(
    [](std::string& value) { return value.empty() ? std::string("expected a number, got an empty value") : std::string(); },
    "");

void addMaxFileSize(CLI::App* cmd, std::string& max_size, const std::string& what) {
  cmd->add_option("--max-file-size", max_size, "Refuse inputs larger than this (K/M/G suffixes): " + what)
      ->default_val("256M");
}

void addLimitOptions(CLI::App* cmd, DiagnosticOptions& o) {
  cmd->add_option("--error-limit", o.error_limit, "Show at most N errors per file (0: all)")
      ->check(kNotEmpty)
      ->default_val(100);
  cmd->add_option("--warning-limit", o.warning_limit, "Show at most N warnings or notes of each id per file (0: all)")
      ->check(kNotEmpty)
      ->default_val(100);
}

void addTargetOptions(CLI::App* cmd, TargetArgs& t) {
  cmd->add_option("--target", t.name,
                  "Kernel target profile (`ipec targets` lists them; `live` reads the running system)")
      ->default_val("linux-6.12");
  cmd->add_option("--kconfig", t.kconfig_files,
                  "Apply a kernel .config or /proc/config.gz (its CONFIG_LSM becomes the lsm= list; repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--lsm", t.lsm, "The active LSM list, as in lsm= or /sys/kernel/security/lsm");
  cmd->add_option("--set", t.settings, "Set a Kconfig option: CONFIG_X=y or CONFIG_X=n (repeatable)")
      ->allow_extra_args(false);
}

namespace {

int run(int argc, char** argv) {
  DiagnosticOptions diag_options;
  std::vector<const char*> args{argv[0]};
  bool options_end = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    options_end = options_end || a == "--";
    if (!options_end && a.size() > 2 && a.substr(0, 2) == "-W") {
      std::string error;
      if (!parseWarningFlag(a, diag_options, error)) {
        std::fprintf(stderr, "ipec: error: %s\n", error.c_str());
        return static_cast<int>(ExitCode::Usage);
      }
      continue;
    }
    args.push_back(argv[i]);
  }

  CLI::App app{"ipec: compiler and static analyzer for Linux IPE policies"};
  app.set_version_flag("--version", std::string("ipec ") + kIpecVersion);
  app.require_subcommand(1);
  app.footer(
      "Warning flags (check, fmt, eval, compile, lifecycle): -W<id>, -Wno-<id>, -Werror, -Werror=<id>,\n"
      "-Wno-error=<id>.\n"
      "`ipec diagnostics` lists the ids; docs/diagnostics.md explains each, docs/cli.md every flag.\n"
      "Exit status: 0 no errors, 1 errors (the kernel rejects, or a warning made an error), 2 usage or I/O.");

  std::string color = "auto", max_size = "256M";
  TargetArgs target_args;

  CheckOptions check;
  auto* c = app.add_subcommand("check", "Report every problem in each policy and predict the kernel's verdict");
  c->add_option("files", check.files, "Policy files ('-' reads standard input)")->required();
  c->add_option("--format", check.format,
                "Output format: text (diagnostics on stderr), json or sarif (SARIF 2.1.0), both on stdout")
      ->check(CLI::IsMember({"text", "json", "sarif"}))
      ->default_val("text");
  c->add_option("--color", color, "Colour the diagnostics: auto (on a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->default_val("auto");
  c->add_flag("-q,--quiet", check.quiet, "Do not print the per-file kernel verdict line");
  addLimitOptions(c, diag_options);
  addMaxFileSize(c, max_size, "each policy");
  addTargetOptions(c, target_args);
  c->add_option("--analysis-budget", check.pipeline.reachability.pair_budget,
                "Most (fs-verity, dm-verity) literal pairs examined per op to prove redundancy")
      ->check(kNotEmpty)
      ->default_val(4000000);
  c->add_option("--cert-size", check.pipeline.signing.cert_der_bytes,
                "DER size of the signer certificate embedded in the PKCS#7 blob (EMSGSIZE model)")
      ->check(kNotEmpty)
      ->default_val(847);
  c->add_flag("--no-embedded-cert", [&](int64_t) { check.pipeline.signing.embed_cert = false; },
              "The policy is signed with -nocerts (EMSGSIZE model)");
  std::string signer_cert;
  c->add_option("--signer-cert", signer_cert,
                "The signer's certificate (PEM or DER): its sizes and key type set the EMSGSIZE model");

  FmtOptions fmt;
  auto* f = app.add_subcommand("fmt", "Print policies in the canonical layout, check it, or rewrite in place");
  f->add_option("files", fmt.files, "Policy files ('-' reads standard input)")->required();
  auto* inplace = f->add_flag("-i,--in-place", fmt.in_place, "Rewrite the files atomically (refuses files with errors)");
  f->add_flag("--check", fmt.check, "List files that are not formatted; exit 1 if any")->excludes(inplace);
  f->add_option("--color", color, "Colour diagnostics: auto, always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->default_val("auto");
  addMaxFileSize(f, max_size, "each policy");
  addTargetOptions(f, target_args);
  addLimitOptions(f, diag_options);

  EvalOptions eval;
  auto* e = app.add_subcommand("eval", "The decision IPE makes for events, and the rule that makes it");
  e->add_option("policy", eval.policy, "Policy file, or a decision table from `ipec compile`")->required();
  auto* ev1 = e->add_option("--event", eval.events,
                            "An event, e.g. 'op=EXECUTE file=present fsverity=sha256:HEX fsverity_sig=true' "
                            "(repeatable; docs/events.md)")
                 ->allow_extra_args(false);
  auto* ev2 = e->add_option("--events", eval.events_file, "Events as JSON lines, one per line ('-': stdin)");
  e->add_flag("--explain", eval.explain, "Show each rule of the op in turn and the property that failed");
  e->add_option("--format", eval.format, "text, or json (one object per event)")
      ->check(CLI::IsMember({"text", "json"}))
      ->default_val("text");
  e->add_option("--engine", eval.engine,
                "reference (the kernel's linear walk), fast (the analysis' O(1) engine) or table (the compiled "
                "decision table and its C interpreter)")
      ->check(CLI::IsMember({"reference", "fast", "table"}))
      ->default_val("reference");
  e->add_option("--color", color, "Colour diagnostics: auto, always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->default_val("auto");
  addTargetOptions(e, target_args);
  addLimitOptions(e, diag_options);
  addMaxFileSize(e, max_size, "the policy or table, and the --events file");
  (void)ev1;
  (void)ev2;

  CompileOptions comp;
  auto* cc = app.add_subcommand("compile", "Compile a policy into a decision table (or BPF maps) for a target");
  cc->add_option("policy", comp.policy, "Policy file ('-' reads standard input)")->required();
  cc->add_option("-o,--output", comp.output, "Output file ('-': standard output)")->required();
  cc->add_option("--backend", comp.backend, "table (docs/table-format.md) or bpf-maps (a bpftool batch file)")
      ->check(CLI::IsMember({"table", "bpf-maps"}))
      ->default_val("table");
  cc->add_option("--pin-dir", comp.pin_dir, "bpf-maps: where the maps are pinned")->default_val("/sys/fs/bpf/ipec");
  cc->add_flag("--keep-unreachable", comp.keep_unreachable, "Keep dead and shadowed rules (for debugging)");
  cc->add_flag("--verify", comp.verify,
               "Check the table against the policy over the finite event model; write nothing if they disagree");
  cc->add_flag("--stats", comp.stats, "Print the table's size and contents");
  cc->add_option("--color", color, "Colour diagnostics: auto, always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->default_val("auto");
  cc->add_option("--analysis-budget", comp.pipeline.reachability.pair_budget,
                 "Most (fs-verity, dm-verity) literal pairs examined per op")
      ->check(kNotEmpty)
      ->default_val(4000000);
  addTargetOptions(cc, target_args);
  addLimitOptions(cc, diag_options);
  addMaxFileSize(cc, max_size, "the policy");

  DumpOptions dump;
  auto* du = app.add_subcommand("dump", "Decompile a decision table back into policy text");
  du->add_option("table", dump.table, "Decision table ('-' reads standard input)")->required();
  addMaxFileSize(du, max_size, "the table");

  LifecycleOptions life;
  auto* lc = app.add_subcommand(
      "lifecycle", "Predict the kernel's answers to a sequence of policy loads, updates, activations and deletions");
  lc->add_option("script", life.script,
                 "One operation per line: new_policy FILE, update NAME FILE, activate NAME, deactivate-write NAME, "
                 "delete NAME, delete-write0 NAME (docs/lifecycle.md)")
      ->required();
  lc->add_option("--format", life.format, "text or json (one object per operation)")
      ->check(CLI::IsMember({"text", "json"}))
      ->default_val("text");
  addTargetOptions(lc, target_args);
  addLimitOptions(lc, diag_options);
  lc->add_option("--cert-size", life.pipeline.signing.cert_der_bytes, "DER size of the embedded signer certificate")
      ->check(kNotEmpty)
      ->default_val(847);
  lc->add_flag("--no-embedded-cert", [&](int64_t) { life.pipeline.signing.embed_cert = false; },
               "The policies are signed with -nocerts");
  addMaxFileSize(lc, max_size, "the script and each policy it names");

  TargetsOptions targets;
  auto* t = app.add_subcommand("targets", "List the kernel target profiles, or show one");
  std::string show_name;
  auto* show = t->add_subcommand("show", "Print one target, after --kconfig/--lsm/--set");
  show->add_option("name", target_args.name, "Profile name, or live")->required();
  show->add_option("--kconfig", target_args.kconfig_files, "Apply a kernel .config or /proc/config.gz (repeatable)")
      ->allow_extra_args(false);
  show->add_option("--lsm", target_args.lsm, "The active LSM list");
  show->add_option("--set", target_args.settings, "Set a Kconfig option: CONFIG_X=y|n (repeatable)")
      ->allow_extra_args(false);

  std::string diag_format = "text";
  auto* d = app.add_subcommand("diagnostics", "List every diagnostic id with its severity and summary");
  d->add_option("--format", diag_format, "text or json")->check(CLI::IsMember({"text", "json"}));

  // Parser errors in the form of every other error.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return "ipec: error: " + std::string(e.what()) + "\nRun with --help for more information.\n";
  });
  // A first word that is neither an option nor a command: name it, rather than the parser's
  // "A subcommand is required".
  if (args.size() > 1 && args[1][0] != '-') {
    bool known = false;
    std::string names;
    for (const CLI::App* sub : app.get_subcommands({})) {
      known |= sub->get_name() == args[1];
      names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    if (!known) {
      std::fprintf(stderr, "ipec: error: unknown command %s; the commands are %s\n", quote(args[1]).c_str(),
                   names.c_str());
      return static_cast<int>(ExitCode::Usage);
    }
  }
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& err) {
    int rc = app.exit(err);
    return rc == 0 ? 0 : static_cast<int>(ExitCode::Usage);
  }

  uint64_t max_bytes = 0;
  if (!parseSize(max_size, max_bytes) || max_bytes == 0 || max_bytes > (4ull << 30) - 1) {
    std::fprintf(stderr, "ipec: error: --max-file-size: expected a size below 4G, such as 256M\n");
    return static_cast<int>(ExitCode::Usage);
  }
  auto target = [&](analysis::Target& out) {
    std::string error;
    if (buildTarget(target_args, out, error)) return true;
    std::fprintf(stderr, "ipec: error: %s\n", error.c_str());
    return false;
  };
  auto stdinOnce = [](const std::vector<std::string>& paths) {
    if (std::count(paths.begin(), paths.end(), "-") <= 1) return true;
    std::fprintf(stderr, "ipec: error: standard input (-) can be read only once\n");
    return false;
  };
  if (c->parsed()) {
    if (!stdinOnce(check.files)) return static_cast<int>(ExitCode::Usage);
    if (!signer_cert.empty()) {
      std::string error;
      bool embed = check.pipeline.signing.embed_cert;
      if (!loadSignerCert(signer_cert, check.pipeline.signing, error)) {
        std::fprintf(stderr, "ipec: error: %s\n", error.c_str());
        return static_cast<int>(ExitCode::Usage);
      }
      check.pipeline.signing.embed_cert = embed;
    }
    if (!target(check.pipeline.target)) return static_cast<int>(ExitCode::Usage);
    check.pipeline.diag_options = diag_options;
    check.color = parseColor(color);
    check.max_file_size = max_bytes;
    return runCheck(check);
  }
  if (f->parsed()) {
    if (!stdinOnce(fmt.files)) return static_cast<int>(ExitCode::Usage);
    if (!target(fmt.pipeline.target)) return static_cast<int>(ExitCode::Usage);
    fmt.pipeline.diag_options = diag_options;
    fmt.pipeline.analyze = false;
    fmt.color = parseColor(color);
    fmt.max_file_size = max_bytes;
    return runFmt(fmt);
  }
  if (e->parsed()) {
    if (!stdinOnce({eval.policy, eval.events_file})) return static_cast<int>(ExitCode::Usage);
    if (eval.events.empty() && eval.events_file.empty()) {
      std::fprintf(stderr, "ipec: error: eval needs --event or --events\n");
      return static_cast<int>(ExitCode::Usage);
    }
    if (!target(eval.pipeline.target)) return static_cast<int>(ExitCode::Usage);
    eval.pipeline.diag_options = diag_options;
    eval.color = parseColor(color);
    eval.max_file_size = max_bytes;
    return runEval(eval);
  }
  if (cc->parsed()) {
    if (cc->count("--pin-dir") && comp.backend != "bpf-maps") {
      std::fprintf(stderr, "ipec: error: --pin-dir applies to --backend=bpf-maps only\n");
      return static_cast<int>(ExitCode::Usage);
    }
    // The pin directory goes into a bpftool batch file, one command per line, words split on
    // blanks: only an absolute path of visible, unquoted characters can stand there as one word.
    const bool pin_ok = comp.pin_dir.size() > 1 && comp.pin_dir[0] == '/' &&
                        std::all_of(comp.pin_dir.begin(), comp.pin_dir.end(), [](char ch) {
                          return ch > ' ' && ch < 0x7f && ch != '"' && ch != '\'' && ch != '\\' && ch != '#';
                        });
    if (!pin_ok) {
      std::fprintf(stderr,
                   "ipec: error: --pin-dir: expected an absolute path of printable ASCII without blanks, quotes, "
                   "backslashes or #, such as /sys/fs/bpf/ipec\n");
      return static_cast<int>(ExitCode::Usage);
    }
    if (!target(comp.pipeline.target)) return static_cast<int>(ExitCode::Usage);
    comp.pipeline.diag_options = diag_options;
    // A table is not loaded through securityfs: neither its size nor its name limit applies.
    comp.pipeline.check_signed_size = false;
    comp.pipeline.check_policy_name = false;
    comp.color = parseColor(color);
    comp.max_file_size = max_bytes;
    return runCompile(comp);
  }
  if (lc->parsed()) {
    if (!target(life.pipeline.target)) return static_cast<int>(ExitCode::Usage);
    life.pipeline.diag_options = diag_options;
    life.max_file_size = max_bytes;
    return runLifecycle(life);
  }
  if (du->parsed()) {
    dump.max_file_size = max_bytes;
    return runDump(dump);
  }
  if (t->parsed()) {
    targets.show = show->parsed();
    if (targets.show && !target(targets.target)) return static_cast<int>(ExitCode::Usage);
    return runTargets(targets);
  }
  if (d->parsed()) return runListDiagnostics(diag_format);
  return static_cast<int>(ExitCode::Usage);
}

}  // namespace

int main(int argc, char** argv) {
  int rc;
  try {
    rc = run(argc, argv);
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "ipec: error: out of memory\n");
    return static_cast<int>(ipec::driver::ExitCode::Usage);
  }
  // Output that did not reach standard output (a full disk, a closed pipe) is an I/O error, not
  // a success.
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    int err = errno;
    std::fprintf(stderr, "ipec: error: cannot write standard output: %s\n",
                 err ? std::strerror(err) : "write error");
    return static_cast<int>(ipec::driver::ExitCode::Usage);
  }
  return rc;
}
