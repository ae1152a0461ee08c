// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the decision-table loader and interpreter (IPEC_FUZZ=ON builds).
// Each input is tried twice: as it is, and with its total size and checksum repaired, so the
// fuzzer reaches the structural validation and not only the checksum. A table that loads is
// evaluated on events made from the input and decompiled; ASan/UBSan watch every access.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "backend/decompile.h"
#include "backend/ipet_cxx.h"

namespace {

void exercise(const std::vector<uint64_t>& storage, size_t size, const uint8_t* data, size_t len) {
  ipet_table t;
  if (ipet_load(&t, storage.data(), size) != IPET_OK) return;
  // Events from the tail of the input (or zeros).
  for (size_t k = 0; k < 8; ++k) {
    ipet_event e;
    std::memset(&e, 0, sizeof e);
    size_t off = len > sizeof e ? (k * 131) % (len - sizeof e) : 0;
    std::memcpy(&e, data + off, std::min(len, sizeof e));
    ipet_decision d;
    ipet_eval(&t, &e, &d);
    if (d.action > 1 || d.kind > IPET_NO_DEFAULT) __builtin_trap();
    // The deciding rule's audit format: every byte read, so ASan sees a format outside the table.
    const ipet_u8* text = nullptr;
    ipet_u32 n = 0;
    ipet_rule_audit(&t, d.rule, &text, &n);
    unsigned sum = 0;
    for (ipet_u32 i = 0; i < n; ++i) sum += text[i];
    if (n != 0 && sum == 0) __builtin_trap();  // a format's bytes are never all zero
  }
  std::string text = ipec::backend::decompile(t);
  if (text.empty()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint64_t> storage((size + 7) / 8 + 1, 0);
  std::memcpy(storage.data(), data, size);
  exercise(storage, size, data, size);
  if (size >= IPET_HEADER_SIZE) {
    uint8_t* b = reinterpret_cast<uint8_t*>(storage.data());
    uint64_t total = size;
    std::memcpy(b + 16, &total, 8);
    uint64_t sum = ipet_checksum(b, size, 24);
    std::memcpy(b + 24, &sum, 8);
    exercise(storage, size, data, size);
  }
  return 0;
}
