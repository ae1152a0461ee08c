// SPDX-License-Identifier: Apache-2.0
// The securityfs write on this machine: the loaded policies replayed into analysis::PolicyStore,
// then the new text written where it would go.
#include <fmt/format.h>

#include "frontend/values.h"
#include "system/evaluate.h"

namespace ipec::system {
namespace {

std::optional<ast::Header> headerOf(const LoadedPolicy& p) {
  frontend::VersionResult v = frontend::parseVersion(p.version);
  if (!v.problems.empty()) return std::nullopt;
  ast::Header h;
  h.name = p.name;
  h.version.parts = {v.parts[0], v.parts[1], v.parts[2]};
  return h;
}

// The store as the machine holds it; nullopt when a loaded version cannot be read.
std::optional<analysis::PolicyStore> replay(const IpeFacts& ipe, std::string& why) {
  analysis::PolicyStore store;
  const KernelVerdict accepted;
  for (const LoadedPolicy& p : ipe.policies) {
    auto h = headerOf(p);
    if (!h) {
      why = fmt::format("policies/{} shows version {}, which is not A.B.C", p.name, quote(p.version));
      return std::nullopt;
    }
    store.newPolicy(accepted, &*h);
  }
  for (const LoadedPolicy& p : ipe.policies)
    if (p.active) store.activate(p.name, true);
  return store;
}

bool isLoaded(const IpeFacts& ipe, const std::string& name) {
  return std::any_of(ipe.policies.begin(), ipe.policies.end(), [&](const LoadedPolicy& p) { return p.name == name; });
}

}  // namespace

LoadPrediction predictLoad(const IpeFacts& ipe, const KernelVerdict& verdict, const ast::Header* header, Via via) {
  LoadPrediction out;
  const std::string name = header ? header->name : std::string();
  const bool loaded = header && isLoaded(ipe, name);
  const bool update = via == Via::Update || (via == Via::Auto && loaded);
  out.write = update ? fmt::format("policies/{}/update", name) : std::string("new_policy");
  if (ipe.present == Tri::No) {
    out.known = true;
    out.rule = "IPE is not active on this kernel";
    out.result = {"ENOENT", 2, fmt::format("there is no /sys/kernel/security/ipe/{}: {}", out.write, ipe.why)};
    return out;
  }
  if (ipe.present == Tri::Unknown || !ipe.policies_known) {
    out.rule = "unknown: the loaded policies could not be read";
    out.result = {"unknown", 0, ipe.why};
    return out;
  }
  std::string why;
  auto store = replay(ipe, why);
  if (!store) {
    out.rule = "unknown: the loaded policies could not be read";
    out.result = {"unknown", 0, why};
    return out;
  }
  out.known = true;
  if (!verdict.accepts || !header) {
    out.rule = "the kernel rejects the policy text before it looks at the loaded policies";
    out.result = update ? store->update(name, verdict, header) : store->newPolicy(verdict, header);
    return out;
  }
  if (update) {
    out.rule = loaded ? "same name: the version must be strictly higher than the loaded one"
                      : "update: the name must be loaded";
    if (loaded) out.collision = store->newPolicy(verdict, header).message;  // EEXIST, the store is unchanged
    out.result = store->update(name, verdict, header);
  } else {
    out.rule = loaded ? "new_policy: the name must not collide with a loaded policy"
                      : "new name: it must not collide with a loaded policy (none does)";
    out.result = store->newPolicy(verdict, header);
  }
  if (out.result.ok() && store->active() != name) out.activation = store->activate(name, true);
  return out;
}

std::string loadText(const LoadPrediction& load) {
  auto answer = [](const analysis::LifeResult& r) {
    if (r.errno_name == "unknown") return fmt::format("cannot be predicted: {}", r.message);
    if (r.ok()) return fmt::format("would answer OK: {}", r.message);
    return fmt::format("would answer {} ({}): {}", r.errno_name, r.errno_value, r.message);
  };
  std::string out = fmt::format("{} {} [{}]", load.write, answer(load.result), load.rule);
  if (load.collision) out += "; new_policy would answer EEXIST (the name is loaded)";
  if (load.activation) out += fmt::format("; then `1` to active {}", answer(*load.activation));
  return out;
}

}  // namespace ipec::system
