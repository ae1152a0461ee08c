// SPDX-License-Identifier: Apache-2.0
// ipec lifecycle: what the kernel answers to a sequence of policy loads, updates, activations and
// deletions (securityfs), from an empty store. A pre-deployment rollback check.
#include <tuple>

#include <llvm/ADT/SmallVector.h>
#include <llvm/ADT/StringExtras.h>
#include <nlohmann/json.hpp>

#include "analysis/lifecycle.h"
#include "driver/commands.h"
#include "driver/input.h"
#include "driver/json_text.h"
#include "driver/output.h"

#include <fmt/core.h>

namespace ipec::driver {

namespace {

std::string dirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

// The blank-separated words of `line` (the blanks of isspace(), as `>>` reads them).
std::vector<std::string> words(llvm::StringRef line) {
  llvm::SmallVector<llvm::StringRef, 4> pieces;
  llvm::SplitString(line, pieces);
  return {pieces.begin(), pieces.end()};
}

}  // namespace

int runLifecycle(const LifecycleOptions& o) {
  auto script = readInputOrReport(o.script, o.max_file_size, /*policy=*/false);
  if (!script) return static_cast<int>(ExitCode::Usage);
  const std::string shown_script = script->display_name;  // "<stdin>" for "-", as everywhere
  const std::string base = o.script == "-" ? "." : dirOf(o.script);
  // Without IPE there is no /sys/kernel/security/ipe: every write fails to open its file.
  const std::optional<std::string> cannot_load = pipeline::cannotLoadReason(o.pipeline.target);
  analysis::PolicyStore store;
  unsigned lineno = 0;
  bool all_ok = true;
  for (llvm::StringRef rest = script->bytes; !rest.empty();) {
    llvm::StringRef line;
    std::tie(line, rest) = rest.split('\n');
    ++lineno;
    std::vector<std::string> w = words(line);
    if (w.empty() || w[0][0] == '#') continue;
    const std::string& op = w[0];
    auto usage = [&](std::string_view shape) {
      printError(fmt::format("{}:{}: expected `{}`", shown_script, lineno, shape));
      return static_cast<int>(ExitCode::Usage);
    };
    analysis::LifeResult r;
    std::string name, file;
    LineCol rejected_at{0, 0};  // line 0: not a rejected policy text
    if (op == "new_policy" || op == "update") {
      if (op == "new_policy" ? w.size() != 2 : w.size() != 3)
        return usage(op == "new_policy" ? "new_policy FILE" : "update NAME FILE");
      if (op == "update") name = w[1];
      file = w.back();
      std::string path = file[0] == '/' ? file : fmt::format("{}/{}", base, file);
      InputError ierr;
      auto text = readInput(path, o.max_file_size, ierr);
      if (!text) {
        printError(fmt::format("{}:{}: {}", shown_script, lineno, ierr.message));
        return static_cast<int>(ExitCode::Usage);
      }
      PipelineConfig config = o.pipeline;
      config.analyze = false;
      config.check_policy_name = op == "new_policy";
      CheckedPolicy p = checkPolicy(text->display_name, std::move(text->bytes), config);
      const ast::Header* header = p.parsed.policy.header ? &*p.parsed.policy.header : nullptr;
      r = op == "new_policy" ? store.newPolicy(p.diags->verdict(), header)
                             : store.update(name, p.diags->verdict(), header);
      if (op == "new_policy" && header) name = header->name;
      if (r.text_rejected) {
        // Where in the policy the kernel stops, as `ipec check` names it.
        const KernelVerdict v = p.diags->verdict();
        rejected_at = p.file->lineCol(std::min(v.where.begin, p.file->size()));
        r.message = fmt::format("the kernel rejects the policy text at {}:{}:{}{}", shown(file), rejected_at.line,
                                rejected_at.column, v.cause ? fmt::format(" [{}]", diagName(*v.cause)) : "");
      }
    } else if (op == "activate" || op == "deactivate-write" || op == "delete" || op == "delete-write0") {
      if (w.size() != 2) return usage(fmt::format("{} NAME", op));
      name = w[1];
      if (op == "activate" || op == "deactivate-write") r = store.activate(name, op == "activate");
      else r = store.remove(name, op == "delete");
    } else {
      printError(fmt::format("{}:{}: unknown operation {}; expected new_policy, update, activate, deactivate-write, "
                             "delete or delete-write0",
                             shown_script, lineno, quote(op)));
      return static_cast<int>(ExitCode::Usage);
    }
    if (cannot_load) {
      r = {"ENOENT", 2,
           fmt::format("target `{}` has no /sys/kernel/security/ipe: {} [target-cannot-load]", o.pipeline.target.name,
                       *cannot_load)};
      rejected_at = {0, 0};
    }
    all_ok = all_ok && r.ok();
    if (o.format == "json") {
      nlohmann::json j = {{"line", lineno}, {"op", op}, {"result", r.errno_name}, {"errno", r.errno_value},
                          {"message", r.message}};
      if (!name.empty()) j["name"] = name;
      if (!file.empty()) j["file"] = file;
      if (rejected_at.line) {
        j["policy_line"] = rejected_at.line;
        j["policy_column"] = rejected_at.column;
      }
      printJson(j);
      continue;
    }
    print(stdout, "{}:{}: {}{}{}: {}{}{}{}\n", shown_script, lineno, shown(op), name.empty() ? "" : " ", shown(name),
          r.errno_name, r.ok() ? "" : fmt::format(" ({})", r.errno_value), r.message.empty() ? "" : "; ",
          shown(r.message));
  }
  return all_ok ? 0 : static_cast<int>(ExitCode::Findings);
}

}  // namespace ipec::driver
