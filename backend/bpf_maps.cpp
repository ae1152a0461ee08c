#include "backend/bpf_maps.h"

#include <algorithm>

#include "base/hex.h"

namespace ipec::backend {
namespace {

namespace sl = ipec::stdlib;

class Bytes {
 public:
  void u8(uint8_t v) { b_.push_back(v); }
  void u32(uint32_t v) { for (int i = 0; i < 4; ++i) u8(static_cast<uint8_t>(v >> (8 * i))); }
  void u64(uint64_t v) { for (int i = 0; i < 8; ++i) u8(static_cast<uint8_t>(v >> (8 * i))); }
  void digest(const std::string& d) {
    for (size_t i = 0; i < 64; ++i) u8(i < d.size() ? static_cast<uint8_t>(d[i]) : 0);
  }
  std::string hex() const {
    std::string out = "hex";
    for (uint8_t c : b_) {
      out += ' ';
      appendHex(out, std::string_view(reinterpret_cast<const char*>(&c), 1));
    }
    return out;
  }

 private:
  std::vector<uint8_t> b_;
};

}  // namespace

std::string writeBpfMaps(const DecisionProgram& prog, const std::string& pin) {
  std::string out = "# bpftool batch file: the ipec decision program for policy " + prog.name + " " +
                    std::to_string(prog.version[0]) + "." + std::to_string(prog.version[1]) + "." +
                    std::to_string(prog.version[2]) + "\n# Apply with: bpftool batch file THIS_FILE" +
                    " (maps are pinned under " + pin + "; docs/table-format.md describes them)\n";
  auto create = [&](const char* name, const char* type, unsigned key, unsigned value, size_t entries) {
    out += "map create " + pin + "/" + name + " type " + type + " key " + std::to_string(key) + " value " +
           std::to_string(value) + " entries " + std::to_string(std::max<size_t>(1, entries)) + " name " + name + "\n";
  };
  create("ipec_ops", "array", 4, 16, sl::kNumOps);
  create("ipec_kinds", "array", 4, 264, prog.kinds.size());
  create("ipec_fsv", "hash", 68, 8, prog.fsv.size());
  create("ipec_dm", "hash", 68, 8, prog.dm.size());
  create("ipec_pair", "hash", 136, 8, prog.pairs.size());
  auto update = [&](const char* name, const Bytes& k, const Bytes& v) {
    out += "map update pinned " + pin + "/" + name + " key " + k.hex() + " value " + v.hex() + "\n";
  };
  for (uint32_t op = 0; op < sl::kNumOps; ++op) {
    const OpIR& o = prog.ops[op];
    Bytes k, v;
    k.u32(op);
    v.u8(o.evaluated);
    v.u8(o.default_action == sl::Action::Deny);
    v.u8(o.default_source);
    v.u8(o.explicit_default);
    v.u32(o.w.base);
    v.u32(o.w.kind);
    v.u32(0);
    update("ipec_ops", k, v);
  }
  for (uint32_t i = 0; i < prog.kinds.size(); ++i) {
    Bytes k, v;
    k.u32(i);
    for (uint32_t o : prog.kinds[i].offset) v.u32(o);
    v.u64(prog.kinds[i].deny_bits);
    update("ipec_kinds", k, v);
  }
  for (int sub = 0; sub < 2; ++sub)
    for (const DigestGroupIR& g : sub == 0 ? prog.fsv : prog.dm) {
      if (g.group.kind == 0) continue;  // only used by pair rules
      Bytes k, v;
      k.u8(g.op);
      k.u8(g.digest.alg);
      k.u8(static_cast<uint8_t>(g.digest.bytes.size()));
      k.u8(0);
      k.digest(g.digest.bytes);
      v.u32(g.group.base);
      v.u32(g.group.kind);
      update(sub == 0 ? "ipec_fsv" : "ipec_dm", k, v);
    }
  for (const PairGroupIR& p : prog.pairs) {
    Bytes k, v;
    k.u8(p.op);
    k.u8(p.fsv.alg);
    k.u8(static_cast<uint8_t>(p.fsv.bytes.size()));
    k.u8(p.dm.alg);
    k.u8(static_cast<uint8_t>(p.dm.bytes.size()));
    k.u8(0);
    k.u8(0);
    k.u8(0);
    k.digest(p.fsv.bytes);
    k.digest(p.dm.bytes);
    v.u32(p.group.base);
    v.u32(p.group.kind);
    update("ipec_pair", k, v);
  }
  return out;
}

}  // namespace ipec::backend
