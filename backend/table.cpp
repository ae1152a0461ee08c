// SPDX-License-Identifier: Apache-2.0
#include "backend/table.h"

#include <fmt/format.h>

#include <cstring>

namespace ipec::backend {
namespace {

namespace sl = ipec::stdlib;

void putDigest(const DigestPool& pool, DigestId id, uint8_t& alg, uint8_t& len, uint8_t* out) {
  std::memset(out, 0, IPET_MAX_DIGEST);
  if (id == analysis::kOtherDigest) {
    // sha256 of 32 bytes no literal of the pool equals.
    std::string bytes(32, '\x5a');
    for (unsigned i = 0; pool.find("sha256", bytes); ++i) bytes[31] = static_cast<char>(i);
    alg = static_cast<uint8_t>(sl::DigestAlg::Sha256);
    len = 32;
    std::memcpy(out, bytes.data(), 32);
    return;
  }
  DigestView v = pool.get(id);
  auto a = sl::lookupDigestAlg(v.alg);
  alg = a ? static_cast<uint8_t>(*a) : 0xFF;
  len = static_cast<uint8_t>(std::min<size_t>(v.bytes.size(), IPET_MAX_DIGEST));
  std::memcpy(out, v.bytes.data(), len);
}

}  // namespace

std::optional<Table> Table::load(std::string_view bytes, int& status) {
  Table t;
  t.impl_ = std::make_unique<Impl>();
  t.impl_->size = bytes.size();
  t.impl_->storage.assign((bytes.size() + 7) / 8 + 1, 0);  // never empty: data() is never null
  if (!bytes.empty()) std::memcpy(t.impl_->storage.data(), bytes.data(), bytes.size());
  status = ipet_load(&t.impl_->table, t.impl_->storage.data(), bytes.size());
  if (status != IPET_OK) return std::nullopt;
  return t;
}

ipet_event toIpetEvent(const analysis::Event& e, const DigestPool& pool) {
  ipet_event out;
  std::memset(&out, 0, sizeof out);
  out.op = static_cast<uint8_t>(e.op);
  out.file = e.file;
  out.initramfs = e.initramfs;
  out.bdev = static_cast<uint8_t>(e.bdev);
  out.dm_signed = e.dm_signed;
  out.fsverity = e.fsverity;
  out.fsv_signed = e.fsv_signed;
  out.bpf_verdict = e.bpf_verdict;
  out.bpf_keyring = e.bpf_keyring;
  out.bpf_kernel = e.bpf_kernel;
  if (e.file && e.fsverity) putDigest(pool, e.fsv_digest, out.fsv_alg, out.fsv_len, out.fsv_digest);
  if (e.file && e.bdev == analysis::Bdev::DmVerity) putDigest(pool, e.dm_roothash, out.dm_alg, out.dm_len, out.dm_digest);
  return out;
}

std::string loadErrorMessage(std::string_view bytes, int status) {
  std::string msg = ipet_strerror(status);
  if (status == IPET_E_VERSION && bytes.size() >= 10) {
    unsigned version = static_cast<unsigned char>(bytes[8]) | static_cast<unsigned char>(bytes[9]) << 8;
    msg += fmt::format(" {} (this ipec reads format {}; recompile the table from its policy with `ipec compile`)",
                       version, IPET_FORMAT_VERSION);
  }
  return msg;
}

bool looksLikeTable(std::string_view bytes) { return bytes.size() >= 8 && bytes.substr(0, 8) == std::string_view("IPECTBL\0", 8); }

}  // namespace ipec::backend
