// SPDX-License-Identifier: Apache-2.0
// A document checked for its target, with everything the language features need: the same
// pipeline `ipec check` runs, so the editor shows what CI shows.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lsp/text_document.h"
#include "pipeline/pipeline.h"

namespace ipec::lsp {

struct DocumentSnapshot {
  std::string uri;
  int64_t version = 0;
  std::shared_ptr<const std::string> text;
};

// What the editor set (initializationOptions, then workspace/didChangeConfiguration), field by
// field over the project's `.ipec.json` (docs/project-config.md).
struct Settings {
  std::optional<std::string> target;
  std::optional<std::vector<std::string>> kconfig;
  std::optional<std::string> lsm;
  std::optional<std::vector<std::string>> set;
  std::optional<std::vector<std::string>> warnings;
  uint64_t generation = 0;
};

// Reads the `ipec` settings object; unknown fields are ignored. A field of the wrong type is left
// unset and makes the result false (the last such field named in `error`); the others are read.
bool settingsFromJson(const nlohmann::json& j, Settings& out, std::string& error);

// The local path of a `file://` URI (percent-decoded), or nullopt for other schemes.
std::optional<std::string> pathOfUri(const std::string& uri);
// The `file://` URI of an absolute path.
std::string uriOfPath(const std::string& path);

struct Analyzed {
  DocumentSnapshot doc;
  uint64_t settings_generation = 0;
  pipeline::PipelineConfig config;
  std::string config_file;  // the `.ipec.json` that applied, if any
  pipeline::CheckedPolicy checked;
  std::unique_ptr<LineIndex> index;  // over checked.file->bytes()

  std::string_view text(Range r) const { return checked.file->bytes().substr(r.begin, r.size()); }
};

// Checks `doc` with the target its settings and project file give. A settings problem (an
// unknown profile, an unreadable Kconfig file) falls back to the default target and is returned
// in `config_error`, for the client to show.
std::shared_ptr<const Analyzed> checkDocument(const DocumentSnapshot& doc, const Settings& settings,
                                              std::string& config_error);

}  // namespace ipec::lsp
