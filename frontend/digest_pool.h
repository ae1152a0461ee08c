// SPDX-License-Identifier: Apache-2.0
// Interned digest literals: (algorithm name, bytes). Equal digests share one id, so later
// phases compare ids and group rules by digest without string work.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ipec {

using DigestId = uint32_t;

struct DigestView {
  std::string_view alg;
  std::string_view bytes;  // raw bytes, not hex
};

class DigestPool {
 public:
  DigestId intern(std::string_view alg, std::string_view bytes);
  // The id of an interned digest, if any.
  std::optional<DigestId> find(std::string_view alg, std::string_view bytes) const;
  DigestView get(DigestId id) const;
  uint32_t size() const { return static_cast<uint32_t>(entries_.size()); }
  // "alg:hex" in lower-case hex, as a policy would spell it.
  std::string spell(DigestId id) const;

 private:
  struct Entry {
    uint32_t offset;
    uint32_t alg_len;
    uint32_t bytes_len;
  };
  std::string arena_;  // alg bytes then digest bytes, per entry
  std::vector<Entry> entries_;
  std::unordered_map<std::string_view, DigestId> index_;  // keys view into key_blocks_
  std::vector<std::unique_ptr<char[]>> key_blocks_;
  std::string_view storeKey(std::string_view key);
  size_t block_used_ = 0, block_size_ = 0;
};

}  // namespace ipec
