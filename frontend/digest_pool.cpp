// SPDX-License-Identifier: Apache-2.0
#include "frontend/digest_pool.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "base/hex.h"

namespace ipec {

std::string_view DigestPool::storeKey(std::string_view key) {
  if (block_used_ + key.size() > block_size_) {
    block_size_ = std::max<size_t>(64 * 1024, key.size());
    key_blocks_.push_back(std::make_unique<char[]>(block_size_));
    block_used_ = 0;
  }
  char* dst = key_blocks_.back().get() + block_used_;
  std::memcpy(dst, key.data(), key.size());
  block_used_ += key.size();
  return {dst, key.size()};
}

DigestId DigestPool::intern(std::string_view alg, std::string_view bytes) {
  // Key: alg, a NUL (never part of an alg: the kernel's text ends at NUL), the bytes.
  std::string key;
  key.reserve(alg.size() + 1 + bytes.size());
  key.append(alg).push_back('\0');
  key.append(bytes);
  auto it = index_.find(key);
  if (it != index_.end()) return it->second;
  DigestId id = static_cast<DigestId>(entries_.size());
  entries_.push_back({static_cast<uint32_t>(arena_.size()), static_cast<uint32_t>(alg.size()),
                      static_cast<uint32_t>(bytes.size())});
  arena_.append(alg).append(bytes);
  index_.emplace(storeKey(key), id);
  return id;
}

std::optional<DigestId> DigestPool::find(std::string_view alg, std::string_view bytes) const {
  std::string key;
  key.reserve(alg.size() + 1 + bytes.size());
  key.append(alg).push_back('\0');
  key.append(bytes);
  auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

DigestView DigestPool::get(DigestId id) const {
  const Entry& e = entries_[id];
  std::string_view a(arena_);
  return {a.substr(e.offset, e.alg_len), a.substr(e.offset + e.alg_len, e.bytes_len)};
}

std::string DigestPool::spell(DigestId id) const {
  DigestView d = get(id);
  std::string out(d.alg);
  out += ':';
  appendHex(out, d.bytes);
  return out;
}

}  // namespace ipec
