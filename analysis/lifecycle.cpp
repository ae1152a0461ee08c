// SPDX-License-Identifier: Apache-2.0
#include "analysis/lifecycle.h"

namespace ipec::analysis {
namespace {

LifeResult fail(const char* name, int value, std::string message) { return {name, value, std::move(message)}; }

// A policy name in a message: escaped like every quoted text, but shown whole (up to the kernel's
// 255 bytes), since names that differ only at the end must stay distinguishable.
std::string q(std::string_view name) { return quote(name, 256); }

LifeResult rejected(const KernelVerdict& v) {
  return {std::string(errnoName(v.errno_code)), errnoValue(v.errno_code),
          "the kernel rejects the policy text" +
              (v.cause ? " [" + std::string(diagName(*v.cause)) + "]" : std::string()),
          true};
}

}  // namespace

LifeResult PolicyStore::newPolicy(const KernelVerdict& verdict, const ast::Header* header) {
  if (!verdict.accepts) return rejected(verdict);
  if (loaded_.count(header->name))
    return fail("EEXIST", 17, "a policy named " + q(header->name) +
                                  " is already loaded; new versions go through its policies/NAME/update file");
  loaded_[header->name] = header->version;
  return {"OK", 0, "loaded " + q(header->name) + " " + header->version.str() + " (not active)"};
}

LifeResult PolicyStore::update(const std::string& name, const KernelVerdict& verdict, const ast::Header* header) {
  auto it = loaded_.find(name);
  if (it == loaded_.end()) return fail("ENOENT", 2, "no policy " + q(name) + " is loaded, so policies/" + name + "/update does not exist");
  if (!verdict.accepts) return rejected(verdict);
  if (header->name != name)
    return fail("EINVAL", 22, "the new text is named " + q(header->name) + ", not " + q(name));
  if (header->version.ordinal() <= it->second.ordinal())
    return fail("ESTALE", 116, "version " + header->version.str() + " is not newer than the loaded " + it->second.str());
  it->second = header->version;
  return {"OK", 0, q(name) + " is now " + header->version.str() + (active_ == name ? " (still active)" : "")};
}

LifeResult PolicyStore::activate(const std::string& name, bool value) {
  auto it = loaded_.find(name);
  if (it == loaded_.end()) return fail("ENOENT", 2, "no policy " + q(name) + " is loaded");
  if (!value) return fail("EINVAL", 22, "`active` only takes a true value; there is no deactivation");
  if (active_ == name) return {"OK", 0, q(name) + " is already active"};
  if (active_ && loaded_.at(*active_).ordinal() > it->second.ordinal())
    return fail("EINVAL", 22, "the active policy " + q(*active_) + " has a higher version (" +
                                  loaded_.at(*active_).str() + " > " + it->second.str() + ")");
  active_ = name;
  return {"OK", 0, q(name) + " is active"};
}

LifeResult PolicyStore::remove(const std::string& name, bool value) {
  auto it = loaded_.find(name);
  if (it == loaded_.end()) return fail("ENOENT", 2, "no policy " + q(name) + " is loaded");
  if (!value) return fail("EINVAL", 22, "`delete` only takes a true value");
  if (active_ == name) return fail("EPERM", 1, q(name) + " is the active policy and cannot be deleted");
  loaded_.erase(it);
  return {"OK", 0, q(name) + " is deleted"};
}

}  // namespace ipec::analysis
