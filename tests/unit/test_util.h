// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "pipeline/pipeline.h"

namespace ipec::test {

// A numeric environment setting for longer test runs, or the default.
inline uint64_t envOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v ? std::strtoull(v, nullptr, 10) : fallback;
}

// The shipped target profile `name`.
inline analysis::Target target(const std::string& name) {
  std::string error;
  auto t = analysis::loadTarget(name, error);
  if (!t) throw std::runtime_error(error);
  return *t;
}

// Runs the whole check pipeline on `text` for Linux 6.12 (or `target_name`).
inline pipeline::CheckedPolicy check(std::string text, const std::string& target_name = "linux-6.12") {
  pipeline::PipelineConfig config;
  config.target = target(target_name);
  return pipeline::checkPolicy("test.pol", std::move(text), config);
}

inline std::string verdictOf(const pipeline::CheckedPolicy& p) {
  KernelVerdict v = p.diags->verdict();
  return v.accepts ? "OK" : std::string(errnoName(v.errno_code));
}

inline std::string verdict(std::string text) { return verdictOf(check(std::move(text))); }

}  // namespace ipec::test
