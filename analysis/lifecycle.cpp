// SPDX-License-Identifier: Apache-2.0
#include "analysis/lifecycle.h"

#include <fmt/format.h>

namespace ipec::analysis {
namespace {

LifeResult fail(const char* name, int value, std::string message) { return {name, value, std::move(message)}; }

// A policy name in a message: escaped like every quoted text, but shown whole (up to the kernel's
// 255 bytes), since names that differ only at the end must stay distinguishable.
std::string q(std::string_view name) { return quote(name, 256); }

LifeResult rejected(const KernelVerdict& v) {
  return {std::string(errnoName(v.errno_code)), errnoValue(v.errno_code),
          v.cause ? fmt::format("the kernel rejects the policy text [{}]", diagName(*v.cause))
                  : std::string("the kernel rejects the policy text"),
          true};
}

}  // namespace

LifeResult PolicyStore::newPolicy(const KernelVerdict& verdict, const ast::Header* header) {
  if (!verdict.accepts) return rejected(verdict);
  if (loaded_.count(header->name))
    return fail("EEXIST", 17,
                fmt::format("a policy named {} is already loaded; new versions go through its policies/NAME/update file",
                            q(header->name)));
  loaded_[header->name] = header->version;
  return {"OK", 0, fmt::format("loaded {} {} (not active)", q(header->name), header->version.str())};
}

LifeResult PolicyStore::update(const std::string& name, const KernelVerdict& verdict, const ast::Header* header) {
  auto it = loaded_.find(name);
  if (it == loaded_.end())
    return fail("ENOENT", 2, fmt::format("no policy {} is loaded, so policies/{}/update does not exist", q(name), name));
  if (!verdict.accepts) return rejected(verdict);
  if (header->name != name) return fail("EINVAL", 22, fmt::format("the new text is named {}, not {}", q(header->name), q(name)));
  if (header->version.ordinal() <= it->second.ordinal())
    return fail("ESTALE", 116, fmt::format("version {} is not newer than the loaded {}", header->version.str(),
                                           it->second.str()));
  it->second = header->version;
  return {"OK", 0, fmt::format("{} is now {}{}", q(name), header->version.str(), active_ == name ? " (still active)" : "")};
}

LifeResult PolicyStore::activate(const std::string& name, bool value) {
  auto it = loaded_.find(name);
  if (it == loaded_.end()) return fail("ENOENT", 2, fmt::format("no policy {} is loaded", q(name)));
  if (!value) return fail("EINVAL", 22, "`active` only takes a true value; there is no deactivation");
  if (active_ == name) return {"OK", 0, fmt::format("{} is already active", q(name))};
  if (active_ && loaded_.at(*active_).ordinal() > it->second.ordinal())
    return fail("EINVAL", 22, fmt::format("the active policy {} has a higher version ({} > {})", q(*active_),
                                          loaded_.at(*active_).str(), it->second.str()));
  active_ = name;
  return {"OK", 0, fmt::format("{} is active", q(name))};
}

LifeResult PolicyStore::remove(const std::string& name, bool value) {
  auto it = loaded_.find(name);
  if (it == loaded_.end()) return fail("ENOENT", 2, fmt::format("no policy {} is loaded", q(name)));
  if (!value) return fail("EINVAL", 22, "`delete` only takes a true value");
  if (active_ == name) return fail("EPERM", 1, fmt::format("{} is the active policy and cannot be deleted", q(name)));
  loaded_.erase(it);
  return {"OK", 0, fmt::format("{} is deleted", q(name))};
}

}  // namespace ipec::analysis
