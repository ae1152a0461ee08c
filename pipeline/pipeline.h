// SPDX-License-Identifier: Apache-2.0
// One policy file through the front end and the checks, for a target: what `ipec check`, every
// other subcommand and `ipec lsp` mean by checking a document.
#pragma once

#include <memory>
#include <string>

#include "analysis/enforcer_model.h"
#include "analysis/reachability.h"
#include "analysis/target.h"
#include "base/diagnostic.h"
#include "base/source.h"
#include "frontend/kernel_limits.h"
#include "frontend/parser.h"

namespace ipec::pipeline {

// The default target profile (linux-6.12).
const analysis::Target& defaultTarget();

struct PipelineConfig {
  DiagnosticOptions diag_options;
  frontend::SigningModel signing;
  analysis::Target target = defaultTarget();
  analysis::ReachabilityOptions reachability;
  // Who enforces the policy: IPE, or the BPF-LSM enforcer (unenforceable-on-backend).
  analysis::Enforcer enforcer = analysis::Enforcer::Ipe;
  bool analyze = true;  // run the target analysis when the policy parses
  // Predict EMSGSIZE for the signed policy. Off for `compile`: a decision table is not loaded
  // through securityfs, so the PKCS#7 limit does not apply to it.
  bool check_signed_size = true;
  // Predict EACCES/ENAMETOOLONG for the name. Off for `update`: it creates no securityfs
  // directory (the kernel then only compares the name with the loaded policy's).
  bool check_policy_name = true;
  // Report target-cannot-load when the target has no IPE to load the policy into: for `check` (and
  // an editor), which predict a load. The other commands do not load the policy (fmt, eval,
  // compile) or answer for each write (lifecycle); tests analyse such targets on purpose.
  bool check_loadable = false;
};

struct CheckedPolicy {
  std::unique_ptr<SourceFile> file;
  std::unique_ptr<DiagnosticEngine> diags;
  frontend::ParseResult parsed;
  bool analyzed = false;  // the policy parsed, so the AST is the kernel's whole policy
};

CheckedPolicy checkPolicy(std::string name, std::string bytes, const PipelineConfig& config);

// What `ipec check` runs with when no flag says otherwise; `ipec lsp` runs with the same, so that
// the editor shows what CI shows.
inline constexpr unsigned kDefaultErrorLimit = 100;
inline constexpr unsigned kDefaultWarningLimit = 100;
void applyCheckDefaults(PipelineConfig& config);

// Why the target cannot load any policy (no /sys/kernel/security/ipe), or nullopt when it can.
std::optional<std::string> cannotLoadReason(const analysis::Target& target);

// Whether the kernel's parser and validate_policy() accept the policy (size and name aside): then
// the AST is exactly what the kernel would enforce.
bool parsesCleanly(const DiagnosticEngine& diags);

}  // namespace ipec::pipeline
