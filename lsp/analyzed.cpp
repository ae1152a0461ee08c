// SPDX-License-Identifier: Apache-2.0
#include "lsp/analyzed.h"

#include <fmt/format.h>
#include <llvm/ADT/StringExtras.h>
#include <llvm/Support/Path.h>
#include <nlohmann/json.hpp>

#include "base/hex.h"
#include "pipeline/project_config.h"
#include "pipeline/target_options.h"
#include "pipeline/warning_flags.h"

namespace ipec::lsp {
namespace {

bool stringField(const nlohmann::json& j, const char* name, std::optional<std::string>& out, std::string& error) {
  if (!j.contains(name) || j[name].is_null()) return true;
  if (!j[name].is_string()) {
    error = fmt::format("`{}` must be a string", name);
    return false;
  }
  out = j[name].get<std::string>();
  return true;
}

bool listField(const nlohmann::json& j, const char* name, std::optional<std::vector<std::string>>& out,
               std::string& error) {
  if (!j.contains(name) || j[name].is_null()) return true;
  const nlohmann::json& v = j[name];
  std::vector<std::string> items;
  if (v.is_string()) {
    items.push_back(v.get<std::string>());
  } else if (v.is_array()) {
    for (const nlohmann::json& e : v) {
      if (!e.is_string()) {
        error = fmt::format("`{}` must be a list of strings", name);
        return false;
      }
      items.push_back(e.get<std::string>());
    }
  } else {
    error = fmt::format("`{}` must be a list of strings", name);
    return false;
  }
  out = std::move(items);
  return true;
}

}  // namespace

bool settingsFromJson(const nlohmann::json& j, Settings& out, std::string& error) {
  if (!j.is_object()) {
    error = "the settings must be an object";
    return false;
  }
  // Every field is read: one of the wrong type is left unset and named, the others still apply.
  bool ok = stringField(j, "target", out.target, error);
  ok = listField(j, "kconfig", out.kconfig, error) && ok;
  ok = stringField(j, "lsm", out.lsm, error) && ok;
  ok = listField(j, "set", out.set, error) && ok;
  return listField(j, "warnings", out.warnings, error) && ok;
}

std::optional<std::string> pathOfUri(const std::string& uri) {
  llvm::StringRef rest(uri);
  if (!rest.consume_front("file://")) return std::nullopt;
  // An authority (a host name) before the path is not a local file, but for "localhost".
  if (!rest.startswith("/") && !rest.consume_front("localhost")) return std::nullopt;
  std::string path;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && i + 2 < rest.size() && hexDigitValue(rest[i + 1]) >= 0 && hexDigitValue(rest[i + 2]) >= 0) {
      path += static_cast<char>(hexDigitValue(rest[i + 1]) * 16 + hexDigitValue(rest[i + 2]));
      i += 2;
      continue;
    }
    path += rest[i];
  }
  return path;
}

std::string uriOfPath(const std::string& path) {
  std::string out = "file://";
  for (unsigned char c : path) {
    if (llvm::isAlnum(c) || c == '/' || c == '.' || c == '-' || c == '_' || c == '~') {
      out += static_cast<char>(c);
      continue;
    }
    out += '%';
    out += hexDigit(c >> 4, HexCase::Upper);
    out += hexDigit(c & 15, HexCase::Upper);
  }
  return out;
}

std::shared_ptr<const Analyzed> checkDocument(const DocumentSnapshot& doc, const Settings& settings,
                                              std::string& config_error) {
  auto a = std::make_shared<Analyzed>();
  a->doc = doc;
  a->settings_generation = settings.generation;
  const std::optional<std::string> path = pathOfUri(doc.uri);

  // The project file first, then what the editor set on top of it, field by field.
  pipeline::ProjectConfig project;
  if (path) {
    if (auto file = pipeline::findProjectConfig(std::string(llvm::sys::path::parent_path(*path)))) {
      std::string error;
      if (pipeline::loadProjectConfig(*file, project, error)) a->config_file = *file;
      else config_error = error;
    }
  }
  pipeline::TargetArgs args = project.target_args;
  std::vector<std::string> warnings = project.warnings;
  if (settings.target) args.name = *settings.target;
  if (settings.kconfig) args.kconfig_files = *settings.kconfig;
  if (settings.lsm) args.lsm = *settings.lsm;
  if (settings.set) args.settings = *settings.set;
  if (settings.warnings) warnings = *settings.warnings;

  std::string error;
  if (!pipeline::buildTarget(args, a->config.target, error)) {
    config_error = fmt::format("the target is not usable ({}); checking for {}", error, pipeline::defaultTarget().name);
    a->config.target = pipeline::defaultTarget();
  }
  for (const std::string& w : warnings)
    if (!pipeline::parseWarningFlag(w, a->config.diag_options, error))
      config_error = fmt::format("warning option ignored: {}", error);
  pipeline::applyCheckDefaults(a->config);
  a->checked = pipeline::checkPolicy(path.value_or(doc.uri), *doc.text, a->config);
  a->index = std::make_unique<LineIndex>(a->checked.file->bytes());
  return a;
}

}  // namespace ipec::lsp
