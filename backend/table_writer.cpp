// SPDX-License-Identifier: Apache-2.0
#include "backend/table_writer.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "backend/ipet_cxx.h"
#include "backend/records.h"

namespace ipec::backend {
namespace {

namespace sl = ipec::stdlib;

constexpr uint8_t kLengths[IPET_DIGEST_CLASSES] = {20, 28, 32, 48, 64};

int classOf(size_t len) {
  for (int c = 0; c < static_cast<int>(IPET_DIGEST_CLASSES); ++c)
    if (kLengths[c] == len) return c;
  return -1;
}

struct Section {
  uint32_t kind, index;
  uint64_t offset, size, count;
};

// One key of a minimal perfect hash table and the slot bytes to store for it.
struct Key {
  uint32_t words[16];
  uint32_t tag;
  std::string slot;  // digest (or references) + payload
};

struct Mphf {
  uint32_t seed = 0, nslots = 1, nbuckets = 1;
  std::vector<uint16_t> disp;
  std::vector<uint32_t> slot_of;  // per key
};

// Hash and displace: buckets of about four keys, placed largest first; each bucket takes the
// first displacement that sends all its keys to free, distinct slots. Spare slots keep the last
// buckets cheap to place.
Mphf buildMphf(const std::vector<Key>& keys) {
  Mphf m;
  const uint32_t n = static_cast<uint32_t>(keys.size());
  // 2% spare slots, and at least 8: with fewer, small tables need many seeds to place the last keys.
  m.nslots = std::max<uint32_t>(1, n + std::max<uint32_t>((n + 49) / 50, n ? 8 : 0));
  m.nbuckets = std::max<uint32_t>(1, (n + 3) / 4);
  std::vector<uint64_t> h(n);
  for (uint32_t seed = 1; seed < 1000; ++seed) {
    m.seed = seed;
    for (uint32_t i = 0; i < n; ++i) h[i] = ipet_hash(seed, keys[i].words, keys[i].tag);
    std::vector<std::vector<uint32_t>> buckets(m.nbuckets);
    for (uint32_t i = 0; i < n; ++i) buckets[ipet_bucket(h[i], m.nbuckets)].push_back(i);
    std::vector<uint32_t> order(m.nbuckets);
    for (uint32_t b = 0; b < m.nbuckets; ++b) order[b] = b;
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return buckets[a].size() > buckets[b].size(); });
    std::vector<bool> taken(m.nslots, false);
    m.disp.assign(m.nbuckets, 0);
    m.slot_of.assign(n, 0);
    bool ok = true;
    std::vector<uint32_t> trial;
    for (uint32_t b : order) {
      if (buckets[b].empty()) break;
      bool placed = false;
      for (uint32_t d = 0; d <= 0xFFFF && !placed; ++d) {
        trial.clear();
        bool fits = true;
        for (uint32_t k : buckets[b]) {
          uint32_t s = ipet_slot(h[k], d, m.nslots);
          if (taken[s] || std::find(trial.begin(), trial.end(), s) != trial.end()) {
            fits = false;
            break;
          }
          trial.push_back(s);
        }
        if (!fits) continue;
        m.disp[b] = static_cast<uint16_t>(d);
        for (size_t i = 0; i < trial.size(); ++i) {
          taken[trial[i]] = true;
          m.slot_of[buckets[b][i]] = trial[i];
        }
        placed = true;
      }
      if (!placed) {
        ok = false;
        break;
      }
    }
    if (ok) return m;
  }
  throw std::runtime_error("cannot build a perfect hash table for the digest keys");
}

void digestWords(const std::string& bytes, uint32_t words[16]) {
  uint8_t padded[64] = {0};
  std::memcpy(padded, bytes.data(), std::min<size_t>(bytes.size(), 64));
  for (int i = 0; i < 16; ++i)
    words[i] = uint32_t{padded[4 * i]} | uint32_t{padded[4 * i + 1]} << 8 | uint32_t{padded[4 * i + 2]} << 16 |
               uint32_t{padded[4 * i + 3]} << 24;
}

// Writes one table section (digest or pair). Returns the slot index of every key.
std::vector<uint32_t> writeHashTable(ByteWriter& out, uint8_t subsystem, uint8_t length, uint8_t width, uint8_t alg,
                                     const std::vector<Key>& keys, uint32_t& nslots) {
  Mphf m = buildMphf(keys);
  nslots = m.nslots;
  out.u8(subsystem);
  out.u8(length);
  out.u8(width);
  out.u8(alg);
  out.u32(m.nslots);
  out.u32(m.nbuckets);
  out.u32(m.seed);
  for (uint16_t d : m.disp) out.u16(d);
  out.align(4);
  const size_t stride = size_t{length} + width;
  std::string slots(size_t{m.nslots} * stride, '\0');
  // Empty wide digest slots carry the algorithm id 31 (docs/table-format.md).
  if (width == 8 && subsystem != 2)
    for (uint32_t s = 0; s < m.nslots; ++s) slots[s * stride + length + 4] = static_cast<char>(IPET_EMPTY_ALG << 3);
  for (size_t k = 0; k < keys.size(); ++k) std::memcpy(&slots[m.slot_of[k] * stride], keys[k].slot.data(), stride);
  out.bytes(slots);
  out.zeros(IPET_TABLE_PAD);
  return m.slot_of;
}

std::string le32(uint32_t v) {
  std::string s(4, '\0');
  llvm::support::endian::write32le(s.data(), v);
  return s;
}

// AUDIT: each rank's format index, the deduplicated formats, and the global DEFAULT.
void writeAudit(ByteWriter& out, const DecisionProgram& prog) {
  if (prog.audit_format_of_rank.size() != prog.rules)
    throw std::logic_error("the program has no audit format for every rank");
  uint32_t blob = 0;
  for (const std::string& f : prog.audit_formats) blob += static_cast<uint32_t>(f.size());
  out.u32(prog.rules);
  out.u32(static_cast<uint32_t>(prog.audit_formats.size()));
  out.u32(blob);
  out.u8(prog.global_default);
  out.zeros(3);
  for (uint32_t f : prog.audit_format_of_rank) out.u32(f);
  uint32_t at = 0;
  for (const std::string& f : prog.audit_formats) {
    out.u32(at);
    out.u32(static_cast<uint32_t>(f.size()));
    at += static_cast<uint32_t>(f.size());
  }
  for (const std::string& f : prog.audit_formats) out.bytes(f);
}

}  // namespace

std::string writeTable(const DecisionProgram& prog, TableStats* stats) {
  ByteWriter out;
  std::vector<Section> sections;
  auto begin = [&](uint32_t kind, uint32_t index) {
    out.align(8);
    sections.push_back({kind, index, out.size(), 0, 0});
  };
  auto end = [&](uint64_t count) {
    sections.back().size = out.size() - sections.back().offset;
    sections.back().count = count;
  };

  // Header placeholder and directory space: the directory follows the header.
  const uint32_t max_sections = 10 + 2 * IPET_DIGEST_CLASSES;
  out.zeros(IPET_HEADER_SIZE + max_sections * sizeof(ipet_section));

  begin(IPET_SEC_POLICY, 0);
  for (uint16_t v : prog.version) out.u16(v);
  out.u16(static_cast<uint16_t>(prog.name.size()));
  out.bytes(prog.name);
  end(1);

  begin(IPET_SEC_OPS, 0);
  for (const OpIR& o : prog.ops) writeOpRecord(out, o);
  end(IPET_OPS);

  std::vector<MemberIR> members;
  begin(IPET_SEC_KINDS, 0);
  for (const KindIR& k : prog.kinds) {
    writeKindShape(out, k);
    out.u32(static_cast<uint32_t>(members.size()));
    out.u32(static_cast<uint32_t>(k.members.size()));
    members.insert(members.end(), k.members.begin(), k.members.end());
  }
  end(prog.kinds.size());

  begin(IPET_SEC_MEMBERS, 0);
  for (const MemberIR& m : members) {
    out.u32(m.offset);
    out.u32(m.tmpl);
  }
  end(members.size());

  uint32_t nprops = 0;
  begin(IPET_SEC_TEMPLATES, 0);
  for (const TemplateIR& t : prog.templates) {
    out.u8(t.action == sl::Action::Deny);
    out.u8(0);
    out.u16(static_cast<uint16_t>(t.props.size()));
    out.u32(nprops);
    nprops += static_cast<uint32_t>(t.props.size());
  }
  end(prog.templates.size());

  begin(IPET_SEC_TEMPLATE_PROPS, 0);
  for (const TemplateIR& t : prog.templates)
    for (auto [p, v] : t.props) {
      out.u8(p);
      out.u8(v);
      out.u16(0);
    }
  end(nprops);

  // Digest tables: one per (subsystem, length class). Slot index per (subsystem, op, digest).
  uint64_t digest_slots = 0, digest_keys = 0;
  std::vector<uint32_t> slot_in[2];
  std::vector<int> class_in[2];
  for (uint8_t sub = 0; sub < 2; ++sub) {
    const std::vector<DigestGroupIR>& groups = sub == 0 ? prog.fsv : prog.dm;
    slot_in[sub].assign(groups.size(), 0);
    class_in[sub].assign(groups.size(), -1);
    for (int cls = 0; cls < static_cast<int>(IPET_DIGEST_CLASSES); ++cls) {
      std::vector<size_t> members_of_class;
      for (size_t i = 0; i < groups.size(); ++i)
        if (classOf(groups[i].digest.bytes.size()) == cls) members_of_class.push_back(i);
      if (members_of_class.empty()) continue;
      const uint8_t length = kLengths[cls];
      // Narrow payloads: fs-verity (one algorithm per length), small ranks and kinds.
      bool narrow = sub == 0;
      for (size_t i : members_of_class)
        narrow = narrow && groups[i].group.base < (1u << 24) && groups[i].group.kind < 32;
      const uint8_t alg = static_cast<uint8_t>(groups[members_of_class.front()].digest.alg);
      std::vector<Key> keys;
      for (size_t i : members_of_class) {
        const DigestGroupIR& g = groups[i];
        Key k;
        digestWords(g.digest.bytes, k.words);
        k.tag = uint32_t{g.op} | uint32_t{g.digest.alg} << 8 | uint32_t{length} << 16;
        k.slot = g.digest.bytes;
        if (narrow) {
          k.slot += le32(g.group.base | uint32_t{g.op} << 24 | g.group.kind << 27);
        } else {
          k.slot += le32(g.group.base);
          k.slot += le32(uint32_t{g.op} | uint32_t{g.digest.alg} << 3 | g.group.kind << 8);
        }
        keys.push_back(std::move(k));
      }
      begin(IPET_SEC_DIGEST_TABLE, sub * 8u + static_cast<uint32_t>(cls));
      uint32_t nslots = 0;
      std::vector<uint32_t> slots = writeHashTable(out, sub, length, narrow ? 4 : 8, narrow ? alg : 0, keys, nslots);
      end(nslots);
      digest_slots += nslots;
      digest_keys += keys.size();
      for (size_t j = 0; j < members_of_class.size(); ++j) {
        slot_in[sub][members_of_class[j]] = slots[j];
        class_in[sub][members_of_class[j]] = cls;
      }
    }
  }

  // The pair table, keyed by the digests' slots.
  auto find = [&](int sub, uint8_t op, const DigestIR& d) {
    const std::vector<DigestGroupIR>& groups = sub == 0 ? prog.fsv : prog.dm;
    auto it = std::lower_bound(groups.begin(), groups.end(), std::make_pair(op, &d),
                               [](const DigestGroupIR& g, const std::pair<uint8_t, const DigestIR*>& k) {
                                 return std::tie(g.op, g.digest) < std::tie(k.first, *k.second);
                               });
    return static_cast<size_t>(it - groups.begin());
  };
  std::vector<Key> pair_keys;
  for (const PairGroupIR& p : prog.pairs) {
    size_t fi = find(0, p.op, p.fsv), di = find(1, p.op, p.dm);
    uint32_t f1 = slot_in[0][fi] + 1, d1 = slot_in[1][di] + 1;
    uint32_t fcls = static_cast<uint32_t>(class_in[0][fi]), dcls = static_cast<uint32_t>(class_in[1][di]);
    Key k{};
    k.words[0] = f1;
    k.words[1] = d1;
    k.words[2] = fcls;
    k.tag = uint32_t{p.op} | dcls << 8;
    k.slot = le32(f1) + le32(d1) + le32(p.group.base) + le32(uint32_t{p.op} | fcls << 3 | dcls << 6 | p.group.kind << 9);
    pair_keys.push_back(std::move(k));
  }
  begin(IPET_SEC_PAIR_TABLE, 0);
  uint32_t pair_slots = 0;
  writeHashTable(out, 2, 8, 8, 0, pair_keys, pair_slots);
  end(pair_slots);

  begin(IPET_SEC_DIGEST_ALGS, 0);
  for (unsigned a = 0; a < sl::kNumDigestAlgs; ++a) {
    std::string_view name = sl::digestAlgName(static_cast<sl::DigestAlg>(a));
    out.u8(static_cast<uint8_t>(name.size()));
    out.bytes(name);
  }
  end(sl::kNumDigestAlgs);

  begin(IPET_SEC_AUDIT, 0);
  writeAudit(out, prog);
  end(prog.rules);
  out.align(8);

  // Header and directory.
  std::string& buf = out.str();
  std::memcpy(buf.data(), "IPECTBL", 8);
  size_t at = 8;
  auto put16 = [&](uint16_t v) {
    buf[at] = static_cast<char>(v);
    buf[at + 1] = static_cast<char>(v >> 8);
    at += 2;
  };
  put16(IPET_FORMAT_VERSION);
  put16(IPET_HEADER_SIZE);
  out.put32At(12, prog.keep_unreachable ? 1u : 0u);
  out.put64At(16, buf.size());
  out.put32At(32, prog.features);
  out.put32At(36, static_cast<uint32_t>(sections.size()));
  out.put64At(40, IPET_HEADER_SIZE);
  for (size_t i = 0; i < sections.size(); ++i) {
    size_t d = IPET_HEADER_SIZE + i * sizeof(ipet_section);
    out.put32At(d, sections[i].kind);
    out.put32At(d + 4, sections[i].index);
    out.put64At(d + 8, sections[i].offset);
    out.put64At(d + 16, sections[i].size);
    out.put64At(d + 24, sections[i].count);
  }
  out.put64At(24, ipet_checksum(reinterpret_cast<const ipet_u8*>(buf.data()), buf.size(), 24));
  if (stats) {
    stats->bytes = buf.size();
    stats->digest_slots = digest_slots;
    stats->digest_keys = digest_keys;
    stats->kinds = static_cast<uint32_t>(prog.kinds.size());
    stats->templates = static_cast<uint32_t>(prog.templates.size());
  }
  return std::move(buf);
}

}  // namespace ipec::backend
