// SPDX-License-Identifier: Apache-2.0
#include "lsp/analyzed.h"

#include <fmt/format.h>
#include <llvm/ADT/StringExtras.h>
#include <llvm/Support/Path.h>
#include <nlohmann/json.hpp>

#include "base/hex.h"
#include "pipeline/project_config.h"

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

  // The project file, with what the editor set over it, field by field; `ipec check` resolves
  // its flags over the same file the same way.
  pipeline::ConfigRequest request;
  request.target = settings.target;
  request.kconfig = settings.kconfig;
  request.lsm = settings.lsm;
  request.set = settings.set;
  request.warnings = settings.warnings;
  request.use_project_file = path.has_value();  // an unsaved buffer has no directory to look in
  const std::string dir = path ? std::string(llvm::sys::path::parent_path(*path)) : std::string();
  request.lenient = true;  // a bad setting leaves that setting out; the editor shows why
  pipeline::resolveConfig(dir.empty() ? "." : dir, request, a->config, a->config_file, config_error);
  pipeline::applyCheckDefaults(a->config);
  a->checked = pipeline::checkPolicy(path.value_or(doc.uri), *doc.text, a->config);
  a->index = std::make_unique<LineIndex>(a->checked.file->bytes());
  return a;
}

}  // namespace ipec::lsp
