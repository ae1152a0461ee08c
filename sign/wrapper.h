// SPDX-License-Identifier: Apache-2.0
// The detached-signature wrapper: how a decision table larger than the kernel's 65,535-byte
// PKCS#7 limit is written to IPE (docs/cli.md#the-detached-signature-wrapper). The
// table travels beside a PKCS#7 SignedData without content that signs exactly its bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ipec::sign {

inline constexpr std::string_view kWrapperMagic{"IPECDSG\0", 8};
inline constexpr uint32_t kWrapperVersion = 1;
inline constexpr size_t kWrapperHeaderBytes = 24;  // magic, version, S, T: the table starts 8-aligned

// Whether `bytes` start with the wrapper's magic (and so are read as a wrapper, as the kernel does).
bool looksLikeWrapper(std::string_view bytes);

// The wrapper around `table` and its detached signature `sig`.
std::string wrapDetached(std::string_view table, std::string_view sig);

struct WrapperParts {
  std::string_view table, signature;
};
// The parts of a wrapper (views into `bytes`), or nullopt with what is wrong in `why` (a phrase,
// lower case): another version, sizes that do not add up to the file's size exactly.
std::optional<WrapperParts> parseWrapper(std::string_view bytes, std::string& why);

}  // namespace ipec::sign
