// SPDX-License-Identifier: Apache-2.0
#include "frontend/digest_pool.h"

#include <llvm/ADT/SmallString.h>

#include "base/hex.h"

namespace ipec {
namespace {

// Room for the longest kernel algorithm name and a sha512 digest: no allocation per lookup.
using KeyBuffer = llvm::SmallString<96>;

// A NUL is never part of an alg: the kernel's text ends at the first NUL.
llvm::StringRef makeKey(std::string_view alg, std::string_view bytes, KeyBuffer& key) {
  key.append(alg.begin(), alg.end());
  key.push_back('\0');
  key.append(bytes.begin(), bytes.end());
  return key.str();
}

}  // namespace

DigestId DigestPool::intern(std::string_view alg, std::string_view bytes) {
  KeyBuffer key;
  auto [it, inserted] = index_.try_emplace(makeKey(alg, bytes, key), size());
  if (inserted) entries_.push_back({&*it, static_cast<uint32_t>(alg.size())});
  return it->second;
}

std::optional<DigestId> DigestPool::find(std::string_view alg, std::string_view bytes) const {
  KeyBuffer key;
  auto it = index_.find(makeKey(alg, bytes, key));
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

DigestView DigestPool::get(DigestId id) const {
  const Entry& e = entries_[id];
  const std::string_view key(e.key->getKeyData(), e.key->getKeyLength());
  return {key.substr(0, e.alg_len), key.substr(e.alg_len + 1)};
}

std::string DigestPool::spell(DigestId id) const {
  DigestView d = get(id);
  std::string out(d.alg);
  out += ':';
  appendHex(out, d.bytes);
  return out;
}

}  // namespace ipec
