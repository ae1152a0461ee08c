// The subcommands. main.cpp parses the command line (CLI11 stays there); each command gets a
// plain options struct.
#pragma once

#include <string>
#include <vector>

#include "driver/pipeline.h"

namespace ipec::driver {

enum class ExitCode : int { Ok = 0, Findings = 1, Usage = 2 };

enum class ColorMode { Auto, Always, Never };
bool useColor(ColorMode mode, int fd);

struct CheckOptions {
  PipelineConfig pipeline;
  std::string format = "text";  // text | json
  ColorMode color = ColorMode::Auto;
  bool quiet = false;
  uint64_t max_file_size = 0;
  std::vector<std::string> files;
};
int runCheck(const CheckOptions& options);

struct FmtOptions {
  PipelineConfig pipeline;
  bool in_place = false;
  bool check = false;
  ColorMode color = ColorMode::Auto;
  uint64_t max_file_size = 0;
  std::vector<std::string> files;
};
int runFmt(const FmtOptions& options);

struct TargetsOptions {
  bool show = false;
  analysis::Target target;  // for `show`
};
int runTargets(const TargetsOptions& options);

struct EvalOptions {
  PipelineConfig pipeline;
  std::string policy;
  std::vector<std::string> events;  // --event, the text syntax
  std::string events_file;          // --events FILE.jsonl ('-': stdin)
  bool explain = false;
  std::string format = "text";
  std::string engine = "reference";  // reference | fast
  ColorMode color = ColorMode::Auto;
  uint64_t max_file_size = 0;
};
int runEval(const EvalOptions& options);

// `ipec diagnostics`: every diagnostic id with its severity and summary.
int runListDiagnostics(const std::string& format);

}  // namespace ipec::driver
