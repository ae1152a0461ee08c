#include "driver/pipeline.h"

#include "analysis/lint.h"

namespace ipec::driver {

CheckedPolicy checkPolicy(std::string name, std::string bytes, const PipelineConfig& config) {
  CheckedPolicy out;
  out.file = std::make_unique<SourceFile>(std::move(name), std::move(bytes));
  out.diags = std::make_unique<DiagnosticEngine>(config.diag_options);
  frontend::ParseOptions popts;
  popts.dialect = config.dialect;
  popts.dialect_name = config.kernel_name.c_str();
  out.parsed = frontend::parse(*out.file, popts, *out.diags);
  frontend::checkKernelLimits(*out.file, out.parsed.policy, config.signing, *out.diags);
  analysis::lint({*out.file, out.parsed.policy, *out.diags, config.dialect});
  return out;
}

}  // namespace ipec::driver
