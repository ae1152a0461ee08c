#pragma once

#include <string>

#include "driver/pipeline.h"

namespace ipec::test {

// Runs the whole check pipeline on `text` for Linux 6.12 (or `dialect`).
inline driver::CheckedPolicy check(std::string text, stdlib::Dialect dialect = stdlib::Dialect::mainline()) {
  static const driver::PipelineConfig base;
  driver::PipelineConfig config = base;
  config.dialect = dialect;
  return driver::checkPolicy("test.pol", std::move(text), config);
}

inline std::string verdictOf(const driver::CheckedPolicy& p) {
  KernelVerdict v = p.diags->verdict();
  return v.accepts ? "OK" : std::string(errnoName(v.errno_code));
}

inline std::string verdict(std::string text) { return verdictOf(check(std::move(text))); }

}  // namespace ipec::test
