// SPDX-License-Identifier: Apache-2.0
#include "backend/bpf_maps.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>

#include "backend/records.h"
#include "base/hex.h"

namespace ipec::backend {
namespace {

namespace sl = ipec::stdlib;

// Map keys and values, printed as bpftool wants them: `hex 01 02 ...`.
std::string hexWords(std::string_view b) {
  std::string out = "hex";
  for (char c : b) {
    out += ' ';
    appendHex(out, std::string_view(&c, 1));
  }
  return out;
}

void digest64(ByteWriter& w, const std::string& d) {
  w.bytes(std::string_view(d).substr(0, 64));
  w.zeros(64 - std::min<size_t>(d.size(), 64));
}

BpfMapEntry entry(ByteWriter& k, ByteWriter& v) { return {std::move(k.str()), std::move(v.str())}; }

}  // namespace

BpfMapImage bpfMapImage(const DecisionProgram& prog) {
  BpfMapImage img;
  for (uint32_t op = 0; op < sl::kNumOps; ++op) {
    ByteWriter k, v;
    k.u32(op);
    writeOpRecord(v, prog.ops[op]);
    img.ops.push_back(entry(k, v));
  }
  for (uint32_t i = 0; i < prog.kinds.size(); ++i) {
    ByteWriter k, v;
    k.u32(i);
    writeKindShape(v, prog.kinds[i]);
    img.kinds.push_back(entry(k, v));
  }
  for (int sub = 0; sub < 2; ++sub)
    for (const DigestGroupIR& g : sub == 0 ? prog.fsv : prog.dm) {
      if (g.group.kind == 0) continue;  // only used by pair rules
      ByteWriter k, v;
      k.u8(g.op);
      k.u8(g.digest.alg);
      k.u8(static_cast<uint8_t>(g.digest.bytes.size()));
      k.u8(0);
      digest64(k, g.digest.bytes);
      v.u32(g.group.base);
      v.u32(g.group.kind);
      (sub == 0 ? img.fsv : img.dm).push_back(entry(k, v));
    }
  for (const PairGroupIR& p : prog.pairs) {
    ByteWriter k, v;
    k.u8(p.op);
    k.u8(p.fsv.alg);
    k.u8(static_cast<uint8_t>(p.fsv.bytes.size()));
    k.u8(p.dm.alg);
    k.u8(static_cast<uint8_t>(p.dm.bytes.size()));
    k.zeros(3);
    digest64(k, p.fsv.bytes);
    digest64(k, p.dm.bytes);
    v.u32(p.group.base);
    v.u32(p.group.kind);
    img.pair.push_back(entry(k, v));
  }
  return img;
}

namespace {

uint32_t rd32(const uint8_t* p) { return llvm::support::endian::read32le(p); }

// A digest slot's key fields and group: (op, alg, base, kind) from its payload.
struct SlotGroup {
  uint8_t op, alg;
  uint32_t base, kind;
};
SlotGroup slotGroup(const ipet_dtab& d, const uint8_t* slot) {
  const uint32_t a = rd32(slot + d.length);
  if (!d.wide) return {static_cast<uint8_t>(a >> 24 & 7), static_cast<uint8_t>(d.alg), a & 0xFFFFFFu, a >> 27};
  const uint32_t b = rd32(slot + d.length + 4);
  return {static_cast<uint8_t>(b & 7), static_cast<uint8_t>(b >> 3 & 31), a, b >> 8};
}

void algLen(ByteWriter& k, uint8_t alg, const ipet_dtab& d) {
  k.u8(alg);
  k.u8(static_cast<uint8_t>(d.length));
}

}  // namespace

BpfMapImage bpfMapImage(const ipet_table& t) {
  BpfMapImage img;
  auto raw = [](const void* p, size_t n) { return std::string(static_cast<const char*>(p), n); };
  for (uint32_t op = 0; op < sl::kNumOps; ++op) {
    ByteWriter k;
    k.u32(op);
    img.ops.push_back({std::move(k.str()), raw(&t.ops[op], sizeof(ipet_op_record))});
  }
  for (uint32_t i = 0; i < t.nkinds; ++i) {
    ByteWriter k;
    k.u32(i);
    img.kinds.push_back({std::move(k.str()), raw(&t.kinds[i], offsetof(ipet_kind, member_begin))});
  }
  auto value = [](uint32_t base, uint32_t kind) {
    ByteWriter v;
    v.u32(base);
    v.u32(kind);
    return std::move(v.str());
  };
  for (int sub = 0; sub < 2; ++sub)
    for (unsigned cls = 0; cls < IPET_DIGEST_CLASSES; ++cls) {
      const ipet_dtab& d = t.dtab[sub][cls];
      for (uint32_t i = 0; i < d.nslots; ++i) {
        const uint8_t* s = d.slots + static_cast<uint64_t>(i) * d.stride;
        const SlotGroup g = slotGroup(d, s);
        if (g.kind == 0) continue;  // empty, or only used by pair rules
        ByteWriter k;
        k.u8(g.op);
        algLen(k, g.alg, d);
        k.u8(0);
        k.bytes(raw(s, d.length));
        k.zeros(64 - d.length);
        (sub == 0 ? img.fsv : img.dm).push_back({std::move(k.str()), value(g.base, g.kind)});
      }
    }
  for (uint32_t i = 0; i < t.pair.nslots; ++i) {
    const uint8_t* s = t.pair.slots + static_cast<uint64_t>(i) * t.pair.stride;
    const uint32_t fref = rd32(s), dref = rd32(s + 4), base = rd32(s + 8), b = rd32(s + 12);
    if ((b >> 9) == 0 || fref == 0 || dref == 0) continue;
    const ipet_dtab& fd = t.dtab[0][b >> 3 & 7];
    const ipet_dtab& dd = t.dtab[1][b >> 6 & 7];
    const uint8_t* fs = fd.slots + static_cast<uint64_t>(fref - 1) * fd.stride;
    const uint8_t* ds = dd.slots + static_cast<uint64_t>(dref - 1) * dd.stride;
    ByteWriter k;
    k.u8(static_cast<uint8_t>(b & 7));
    algLen(k, slotGroup(fd, fs).alg, fd);
    algLen(k, slotGroup(dd, ds).alg, dd);
    k.zeros(3);
    k.bytes(raw(fs, fd.length));
    k.zeros(64 - fd.length);
    k.bytes(raw(ds, dd.length));
    k.zeros(64 - dd.length);
    img.pair.push_back({std::move(k.str()), value(base, b >> 9)});
  }
  return img;
}

std::string writeBpfMaps(const DecisionProgram& prog, const std::string& pin) {
  const BpfMapImage img = bpfMapImage(prog);
  std::string out = fmt::format(
      "# bpftool batch file: the ipec decision program for policy {} {}.{}.{}\n"
      "# Apply with: bpftool batch file THIS_FILE (maps are pinned under {}; docs/table-format.md describes them)\n",
      prog.name, prog.version[0], prog.version[1], prog.version[2], pin);
  auto create = [&](const char* name, const char* type, unsigned key, unsigned value, size_t entries) {
    fmt::format_to(std::back_inserter(out), "map create {}/{} type {} key {} value {} entries {} name {}\n", pin, name,
                   type, key, value, std::max<size_t>(1, entries), name);
  };
  create("ipec_ops", "array", 4, 16, sl::kNumOps);
  create("ipec_kinds", "array", 4, 264, prog.kinds.size());
  create("ipec_fsv", "hash", 68, 8, prog.fsv.size());
  create("ipec_dm", "hash", 68, 8, prog.dm.size());
  create("ipec_pair", "hash", 136, 8, prog.pairs.size());
  auto update = [&](const char* name, const std::vector<BpfMapEntry>& entries) {
    for (const BpfMapEntry& e : entries)
      fmt::format_to(std::back_inserter(out), "map update pinned {}/{} key {} value {}\n", pin, name, hexWords(e.key),
                     hexWords(e.value));
  };
  update("ipec_ops", img.ops);
  update("ipec_kinds", img.kinds);
  update("ipec_fsv", img.fsv);
  update("ipec_dm", img.dm);
  update("ipec_pair", img.pair);
  return out;
}

}  // namespace ipec::backend
