// SPDX-License-Identifier: Apache-2.0
// ipec lifecycle: what the kernel answers to a sequence of policy loads, updates, activations and
// deletions (securityfs), from an empty store. A pre-deployment rollback check.
#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "analysis/lifecycle.h"
#include "driver/commands.h"
#include "driver/input.h"

namespace ipec::driver {

namespace {

std::string dirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

}  // namespace

int runLifecycle(const LifecycleOptions& o) {
  auto script = readInputOrReport(o.script, o.max_file_size, /*policy=*/false);
  if (!script) return static_cast<int>(ExitCode::Usage);
  const std::string shown = script->display_name;  // "<stdin>" for "-", as everywhere
  std::istringstream in(std::move(script->bytes));
  const std::string base = o.script == "-" ? "." : dirOf(o.script);
  analysis::PolicyStore store;
  std::string line;
  unsigned lineno = 0;
  bool all_ok = true;
  while (std::getline(in, line)) {
    ++lineno;
    std::vector<std::string> w = words(line);
    if (w.empty() || w[0][0] == '#') continue;
    const std::string& op = w[0];
    auto usage = [&](const char* shape) {
      std::fprintf(stderr, "ipec: error: %s:%u: expected `%s`\n", shown.c_str(), lineno, shape);
      return static_cast<int>(ExitCode::Usage);
    };
    analysis::LifeResult r;
    std::string name, file;
    if (op == "new_policy" || op == "update") {
      if (op == "new_policy" ? w.size() != 2 : w.size() != 3)
        return usage(op == "new_policy" ? "new_policy FILE" : "update NAME FILE");
      if (op == "update") name = w[1];
      file = w.back();
      std::string path = file[0] == '/' ? file : base + "/" + file;
      InputError ierr;
      auto text = readInput(path, o.max_file_size, ierr);
      if (!text) {
        std::fprintf(stderr, "ipec: error: %s:%u: %s\n", shown.c_str(), lineno, ierr.message.c_str());
        return static_cast<int>(ExitCode::Usage);
      }
      PipelineConfig config = o.pipeline;
      config.analyze = false;
      config.check_policy_name = op == "new_policy";
      CheckedPolicy p = checkPolicy(path, std::move(text->bytes), config);
      const ast::Header* header = p.parsed.policy.header ? &*p.parsed.policy.header : nullptr;
      r = op == "new_policy" ? store.newPolicy(p.diags->verdict(), header)
                             : store.update(name, p.diags->verdict(), header);
      if (op == "new_policy" && header) name = header->name;
    } else if (op == "activate" || op == "deactivate-write" || op == "delete" || op == "delete-write0") {
      if (w.size() != 2) return usage((op + " NAME").c_str());
      name = w[1];
      if (op == "activate" || op == "deactivate-write") r = store.activate(name, op == "activate");
      else r = store.remove(name, op == "delete");
    } else {
      std::fprintf(stderr,
                   "ipec: error: %s:%u: unknown operation %s; expected new_policy, update, activate, "
                   "deactivate-write, delete or delete-write0\n",
                   shown.c_str(), lineno, quote(op).c_str());
      return static_cast<int>(ExitCode::Usage);
    }
    all_ok = all_ok && r.ok();
    if (o.format == "json") {
      nlohmann::json j = {{"line", lineno}, {"op", op}, {"result", r.errno_name}, {"errno", r.errno_value},
                          {"message", r.message}};
      if (!name.empty()) j["name"] = name;
      if (!file.empty()) j["file"] = file;
      std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
      std::printf("%s:%u: %s%s%s: %s%s%s\n", shown.c_str(), lineno, op.c_str(), name.empty() ? "" : " ",
                  name.c_str(), r.errno_name.c_str(),
                  r.ok() ? "" : (" (" + std::to_string(r.errno_value) + ")").c_str(),
                  r.message.empty() ? "" : ("; " + r.message).c_str());
    }
  }
  return all_ok ? 0 : static_cast<int>(ExitCode::Findings);
}

}  // namespace ipec::driver
