// SPDX-License-Identifier: Apache-2.0
#include "pipeline/pipeline.h"

#include <cstdlib>

#include <fmt/core.h>

#include "analysis/analyze.h"
#include "analysis/lint.h"

namespace ipec::pipeline {

const analysis::Target& defaultTarget() {
  static const analysis::Target target = [] {
    std::string error;
    auto t = analysis::loadTarget(analysis::kDefaultTarget, error);
    if (!t) std::abort();  // the profile is compiled in; a broken one fails every test
    return *t;
  }();
  return target;
}

std::optional<std::string> cannotLoadReason(const analysis::Target& target) {
  if (!target.config(stdlib::Kconfig::SecurityIpe)) return "CONFIG_SECURITY_IPE is off";
  if (!target.lsmHas("ipe")) return "`ipe` is not in the lsm= list";
  return std::nullopt;
}

namespace {

// IPE's securityfs directory exists only when IPE is built in and initialised; without it no
// policy can be written, whatever its text.
// Returns whether the target can load policies.
bool checkLoadable(const analysis::Target& target, DiagnosticEngine& diags) {
  auto why = cannotLoadReason(target);
  if (!why) return true;
  Diagnostic d;
  d.id = DiagId::TargetCannotLoad;
  d.severity = Severity::Error;
  d.range = Range::none();
  d.message = fmt::format("target `{}` cannot load any policy: {}, so there is no /sys/kernel/security/ipe", target.name,
                          *why);
  diags.report(std::move(d));
  return false;
}

}  // namespace

void applyCheckDefaults(PipelineConfig& config) {
  config.diag_options.error_limit = kDefaultErrorLimit;
  config.diag_options.warning_limit = kDefaultWarningLimit;
  config.check_loadable = true;
}

bool parsesCleanly(const DiagnosticEngine& diags) {
  return !diags.rejectsIn(KernelPhase::Parse) && !diags.rejectsIn(KernelPhase::Validate);
}

CheckedPolicy checkPolicy(std::string name, std::string bytes, const PipelineConfig& config) {
  CheckedPolicy out;
  out.file = std::make_unique<SourceFile>(std::move(name), std::move(bytes));
  out.diags = std::make_unique<DiagnosticEngine>(config.diag_options);
  // First, so that the error limit never hides it. Without IPE every op is unenforced: the
  // analysis would only repeat this (as unenforceable-op), so it does not run.
  const bool loadable = !config.check_loadable || checkLoadable(config.target, *out.diags);
  frontend::ParseOptions popts;
  popts.dialect = config.target.dialect;
  popts.dialect_name = config.target.kernel_name.c_str();
  out.parsed = frontend::parse(*out.file, popts, *out.diags);
  if (config.check_signed_size) frontend::checkSignedSize(*out.file, config.signing, *out.diags);
  if (config.check_policy_name) frontend::checkPolicyName(out.parsed.policy, *out.diags);
  analysis::lint({*out.file, out.parsed.policy, *out.diags, config.target.dialect});
  if (config.analyze && loadable && parsesCleanly(*out.diags)) {
    analysis::analyzePolicy(*out.file, out.parsed.policy, config.target, *out.diags, config.diag_options,
                            config.reachability, config.enforcer);
    out.analyzed = true;
  }
  out.diags->noteSuppressed();
  out.diags->sortByLocation();
  return out;
}

}  // namespace ipec::pipeline
