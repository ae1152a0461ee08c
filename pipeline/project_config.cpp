// SPDX-License-Identifier: Apache-2.0
#include "pipeline/project_config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <nlohmann/json.hpp>

#include "base/diagnostic.h"
#include "pipeline/warning_flags.h"

namespace ipec::pipeline {
namespace {

using nlohmann::json;

// The file is written by people: a few kilobytes at most. Anything larger is a mistake.
constexpr uint64_t kMaxConfigBytes = 1 << 20;

bool readStrings(const json& v, const char* key, std::vector<std::string>& out, std::string& error) {
  auto bad = [&] {
    error = fmt::format("`{}` must be a string or a list of strings", key);
    return false;
  };
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
    return true;
  }
  if (!v.is_array()) return bad();
  for (const json& e : v) {
    if (!e.is_string()) return bad();
    out.push_back(e.get<std::string>());
  }
  return true;
}

}  // namespace

std::optional<std::string> findProjectConfig(const std::string& dir) {
  llvm::SmallString<256> d(dir);
  if (llvm::sys::fs::make_absolute(d)) return std::nullopt;
  for (;;) {
    llvm::SmallString<256> candidate(d);
    llvm::sys::path::append(candidate, kProjectConfigName);
    if (llvm::sys::fs::is_regular_file(candidate)) return std::string(candidate);
    llvm::StringRef parent = llvm::sys::path::parent_path(d);
    if (parent.empty() || parent == d) return std::nullopt;
    d = parent;
  }
}

bool loadProjectConfig(const std::string& path, ProjectConfig& out, std::string& error) {
  auto fail = [&](const std::string& why) {
    error = fmt::format("{}: {}", quote(path, 256), why);
    return false;
  };
  uint64_t size = 0;
  if (std::error_code ec = llvm::sys::fs::file_size(path, size)) return fail(ec.message());
  if (size > kMaxConfigBytes) return fail(fmt::format("larger than {} bytes", kMaxConfigBytes));
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buf) return fail(buf.getError().message());
  json j = json::parse((*buf)->getBuffer().begin(), (*buf)->getBuffer().end(), nullptr, /*allow_exceptions=*/false,
                       /*ignore_comments=*/true);
  if (j.is_discarded()) return fail("not valid JSON");
  if (!j.is_object()) return fail("expected a JSON object");
  ProjectConfig c;
  const llvm::StringRef dir = llvm::sys::path::parent_path(path);
  for (const auto& [key, v] : j.items()) {
    std::vector<std::string> list;
    if (key == "target") {
      if (!v.is_string()) return fail("`target` must be a string (a profile name, or live)");
      c.target_args.name = v.get<std::string>();
    } else if (key == "lsm") {
      if (!v.is_string()) return fail("`lsm` must be a string, such as \"lockdown,capability,ipe\"");
      c.target_args.lsm = v.get<std::string>();
    } else if (key == "kconfig") {
      if (!readStrings(v, "kconfig", list, error)) return fail(error);
      for (const std::string& f : list) {
        llvm::SmallString<256> p(f);
        if (llvm::sys::path::is_relative(p)) {
          p = dir;
          llvm::sys::path::append(p, f);
        }
        c.target_args.kconfig_files.emplace_back(p);
      }
    } else if (key == "set") {
      if (!readStrings(v, "set", c.target_args.settings, error)) return fail(error);
    } else if (key == "warnings") {
      if (!readStrings(v, "warnings", c.warnings, error)) return fail(error);
    } else {
      return fail(fmt::format("unknown key {}; the keys are target, kconfig, lsm, set and warnings", quote(key)));
    }
  }
  out = std::move(c);
  return true;
}

bool resolveConfig(const std::string& dir, const ConfigRequest& request, PipelineConfig& config,
                   std::string& config_file, std::string& error) {
  // Strict (the command line): the first problem is the answer. Lenient (an editor): each problem
  // is noted and the part it concerns is left out, so that the rest still applies.
  std::vector<std::string> problems;
  auto problem = [&](std::string what) {
    problems.push_back(std::move(what));
    return request.lenient;
  };
  auto finish = [&] {
    error = fmt::format("{}", fmt::join(problems, "\n"));
    return problems.empty() || request.lenient;
  };
  ProjectConfig project;
  config_file.clear();
  if (request.project_file) config_file = *request.project_file;
  else if (request.use_project_file) config_file = findProjectConfig(dir).value_or("");
  std::string why;
  if (!config_file.empty() && !loadProjectConfig(config_file, project, why)) {
    if (!problem(why)) return finish();
    project = ProjectConfig{};
    config_file.clear();
  }
  TargetArgs args = project.target_args;
  if (request.target) args.name = *request.target;
  if (request.kconfig) args.kconfig_files = *request.kconfig;
  if (request.lsm) args.lsm = *request.lsm;
  if (request.set) args.settings = *request.set;
  if (!buildTarget(args, config.target, why)) {
    if (!config_file.empty() && !request.target) why = fmt::format("{} (the target of {})", why, quote(config_file, 256));
    if (!request.lenient) return problem(why), finish();
    problem(fmt::format("the target is not usable ({}); checking for {}", why, defaultTarget().name));
    config.target = defaultTarget();
  }
  DiagnosticOptions& d = config.diag_options;
  d.enable.clear();
  d.werror.clear();
  d.all_warnings_are_errors = false;
  for (const std::string& w : request.warnings.value_or(project.warnings)) {
    if (parseWarningFlag(w, d, why)) continue;
    if (!request.warnings) why = fmt::format("{} (in {})", why, quote(config_file, 256));
    if (!request.lenient) return problem(why), finish();
    problem(fmt::format("warning option ignored: {}", why));
  }
  d.enable.insert(d.enable.end(), request.extra.enable.begin(), request.extra.enable.end());
  d.werror.insert(d.werror.end(), request.extra.werror.begin(), request.extra.werror.end());
  d.all_warnings_are_errors = d.all_warnings_are_errors || request.extra.all_warnings_are_errors;
  return finish();
}

const PipelineConfig* ConfigResolver::forPolicy(const std::string& path, std::string& error) {
  llvm::SmallString<256> dir(path == "-" ? "." : llvm::sys::path::parent_path(path));
  if (dir.empty()) dir = ".";
  std::string file;
  if (request_.project_file) file = *request_.project_file;
  else if (request_.use_project_file) file = findProjectConfig(std::string(dir)).value_or("");
  auto it = by_file_.find(file);
  if (it != by_file_.end()) return it->second.get();
  auto config = std::make_unique<PipelineConfig>(base_);
  std::string used;
  if (!resolveConfig(std::string(dir), request_, *config, used, error)) return nullptr;
  return by_file_.emplace(file, std::move(config)).first->second.get();
}

}  // namespace ipec::pipeline
