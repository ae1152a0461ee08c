// SPDX-License-Identifier: Apache-2.0
// The kernel's policy store (security/ipe/fs.c, policy_fs.c, policy.c) as Linux 6.12 behaves:
// what new_policy, policies/NAME/update, active and delete answer, given what is loaded.
// tests/kernel checks every rule against a real kernel; docs/lifecycle.md lists them.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "base/diagnostic.h"
#include "frontend/ast.h"

namespace ipec::analysis {

struct LifeResult {
  std::string errno_name = "OK";  // "OK", or the errno name (EEXIST, ESTALE, ...)
  int errno_value = 0;
  std::string message;
  bool text_rejected = false;  // the kernel rejected the policy text itself (the verdict's errno)
  bool ok() const { return errno_value == 0; }
};

class PolicyStore {
 public:
  // new_policy: the text's verdict first (signature, parse, name), then EEXIST for a loaded name.
  LifeResult newPolicy(const KernelVerdict& verdict, const ast::Header* header);
  // policies/NAME/update: ENOENT without NAME; the verdict; EINVAL for another name; ESTALE unless
  // the version is strictly higher. The active policy stays active, at the new version.
  LifeResult update(const std::string& name, const KernelVerdict& verdict, const ast::Header* header);
  // policies/NAME/active: 1 activates (EINVAL when the active policy's version is higher; a no-op
  // for the active one); 0 is EINVAL.
  LifeResult activate(const std::string& name, bool value);
  // policies/NAME/delete: 1 deletes (EPERM for the active policy); 0 is EINVAL.
  LifeResult remove(const std::string& name, bool value);

  const std::optional<std::string>& active() const { return active_; }

 private:
  std::map<std::string, ast::Version> loaded_;
  std::optional<std::string> active_;
};

}  // namespace ipec::analysis
