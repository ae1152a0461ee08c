// SPDX-License-Identifier: Apache-2.0
// The loader when ipec is built without the BPF program (IPEC_BPF=OFF): every operation says so.
#include "enforce/loader.h"

namespace ipec::enforce {
namespace {
const char* const kOff = "this ipec was built without the BPF-LSM enforcer (IPEC_BPF=OFF: clang-14, bpftool or libbpf-dev "
                         "was missing at configure time)";
}  // namespace

bool available() { return false; }
bool load(const Policy&, const LoadOptions&, std::string& error) { return (error = kOff, false); }
bool update(const Policy&, const std::string&, bool, std::string& error) { return (error = kOff, false); }
bool unload(const std::string&, std::string& error) { return (error = kOff, false); }
std::optional<Status> status(const std::string&, std::string& error) { return (error = kOff, std::nullopt); }
bool setMode(const std::string&, uint32_t, std::string& error) { return (error = kOff, false); }
bool readLog(const std::string&, bool, const std::function<bool(const ipec_log_rec&)>&, std::string& error) {
  return (error = kOff, false);
}

}  // namespace ipec::enforce
