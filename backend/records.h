// SPDX-License-Identifier: Apache-2.0
// Little-endian encoding shared by the back ends: the table writer and the BPF-map writer lay out
// the op records and kind shapes identically (docs/table-format.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <llvm/Support/Endian.h>

#include "backend/program.h"

namespace ipec::backend {

class ByteWriter {
 public:
  size_t size() const { return buf_.size(); }
  void u8(uint8_t v) { buf_.push_back(static_cast<char>(v)); }
  void u16(uint16_t v) { put(v); }
  void u32(uint32_t v) { put(v); }
  void u64(uint64_t v) { put(v); }
  void bytes(std::string_view b) { buf_.append(b); }
  void zeros(size_t n) { buf_.append(n, '\0'); }
  void align(size_t n) { buf_.resize((buf_.size() + n - 1) / n * n, '\0'); }
  void put32At(size_t at, uint32_t v) { llvm::support::endian::write32le(&buf_[at], v); }
  void put64At(size_t at, uint64_t v) { llvm::support::endian::write64le(&buf_[at], v); }
  std::string& str() { return buf_; }
  std::string_view view() const { return buf_; }

 private:
  template <typename T>
  void put(T v) {
    const size_t at = buf_.size();
    buf_.resize(at + sizeof(T));
    llvm::support::endian::write<T, llvm::support::little, llvm::support::unaligned>(&buf_[at], v);
  }
  std::string buf_;
};

// The 16-byte op record (OPS section, `ipec_ops` map value).
inline void writeOpRecord(ByteWriter& w, const OpIR& o) {
  w.u8(o.evaluated);
  w.u8(o.default_action == stdlib::Action::Deny);
  w.u8(o.default_source);
  w.u8(o.explicit_default);
  w.u32(o.w.base);
  w.u32(o.w.kind);
  w.u32(0);
}

// A kind's per-point offsets and action bits: the first 264 bytes of a KINDS record, and the
// `ipec_kinds` map value.
inline void writeKindShape(ByteWriter& w, const KindIR& k) {
  for (uint32_t o : k.offset) w.u32(o);
  w.u64(k.deny_bits);
}

}  // namespace ipec::backend
