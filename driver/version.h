// SPDX-License-Identifier: Apache-2.0
// The ipec version, for --version and the SARIF tool record.
#pragma once

namespace ipec::driver {

inline constexpr const char* kIpecVersion = "0.1.0";

}  // namespace ipec::driver
