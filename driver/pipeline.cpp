// SPDX-License-Identifier: Apache-2.0
#include "driver/pipeline.h"

#include <cstdlib>

#include "analysis/analyze.h"
#include "analysis/lint.h"

namespace ipec::driver {

const analysis::Target& defaultTarget() {
  static const analysis::Target target = [] {
    std::string error;
    auto t = analysis::loadTarget(analysis::kDefaultTarget, error);
    if (!t) std::abort();  // the profile is compiled in; a broken one fails every test
    return *t;
  }();
  return target;
}

bool parsesCleanly(const DiagnosticEngine& diags) {
  return !diags.rejectsIn(KernelPhase::Parse) && !diags.rejectsIn(KernelPhase::Validate);
}

CheckedPolicy checkPolicy(std::string name, std::string bytes, const PipelineConfig& config) {
  CheckedPolicy out;
  out.file = std::make_unique<SourceFile>(std::move(name), std::move(bytes));
  out.diags = std::make_unique<DiagnosticEngine>(config.diag_options);
  frontend::ParseOptions popts;
  popts.dialect = config.target.dialect;
  popts.dialect_name = config.target.kernel_name.c_str();
  out.parsed = frontend::parse(*out.file, popts, *out.diags);
  if (config.check_signed_size) frontend::checkSignedSize(*out.file, config.signing, *out.diags);
  if (config.check_policy_name) frontend::checkPolicyName(out.parsed.policy, *out.diags);
  analysis::lint({*out.file, out.parsed.policy, *out.diags, config.target.dialect});
  if (config.analyze && parsesCleanly(*out.diags)) {
    analysis::analyzePolicy(*out.file, out.parsed.policy, config.target, *out.diags, config.diag_options,
                            config.reachability);
    out.analyzed = true;
  }
  out.diags->noteSuppressed();
  out.diags->sortByLocation();
  return out;
}

}  // namespace ipec::driver
