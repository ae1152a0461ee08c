// SPDX-License-Identifier: Apache-2.0
// Interned digest literals: (algorithm name, bytes). Equal digests share one id, so later
// phases compare ids and group rules by digest without string work.
#pragma once

#include <llvm/ADT/StringMap.h>
#include <llvm/Support/Allocator.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipec {

using DigestId = uint32_t;

struct DigestView {
  std::string_view alg;
  std::string_view bytes;  // raw bytes, not hex
};

// Move-only: ids refer to entries of the index, which a copy would not share.
class DigestPool {
 public:
  DigestPool() = default;
  DigestPool(DigestPool&&) = default;
  DigestPool& operator=(DigestPool&&) = default;
  DigestPool(const DigestPool&) = delete;
  DigestPool& operator=(const DigestPool&) = delete;

  DigestId intern(std::string_view alg, std::string_view bytes);
  // The id of an interned digest, if any.
  std::optional<DigestId> find(std::string_view alg, std::string_view bytes) const;
  DigestView get(DigestId id) const;
  uint32_t size() const { return static_cast<uint32_t>(entries_.size()); }
  // "alg:hex" in lower-case hex, as a policy would spell it.
  std::string spell(DigestId id) const;

 private:
  // Key: alg, a NUL, the bytes. The map owns the only copy of each key, in its bump allocator.
  using Index = llvm::StringMap<DigestId, llvm::BumpPtrAllocator>;
  struct Entry {
    const Index::MapEntryTy* key;
    uint32_t alg_len;
  };
  Index index_;
  std::vector<Entry> entries_;  // by id
};

}  // namespace ipec
