// SPDX-License-Identifier: Apache-2.0
#include "backend/decompile.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <cstring>
#include <optional>
#include <vector>

#include <llvm/ADT/ArrayRef.h>
#include <llvm/ADT/SmallVector.h>
#include <llvm/ADT/StringRef.h>

#include "base/hex.h"
#include "stdlib/catalog.h"

namespace ipec::backend {
namespace {

namespace sl = ipec::stdlib;

struct Digest {
  uint32_t alg;
  std::string bytes;
};

struct Rule {
  uint32_t rank;
  uint32_t op;
  uint32_t tmpl;
  std::optional<Digest> fsv, dm;
};

uint32_t rd32(const ipet_u8* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

std::string algName(const ipet_table& t, uint32_t alg) {
  const ipet_u8* p = t.alg_names;
  for (uint32_t i = 0; i < alg; ++i) p += 1 + p[0];
  return std::string(reinterpret_cast<const char*>(p + 1), p[0]);
}

void addMembers(const ipet_table& t, uint32_t op, uint32_t base, uint32_t kind, const std::optional<Digest>& fsv,
                const std::optional<Digest>& dm, std::vector<Rule>& out) {
  const ipet_kind& k = t.kinds[kind];
  for (uint32_t m = 0; m < k.member_count; ++m) {
    const ipet_member& mem = t.members[k.member_begin + m];
    out.push_back({base + mem.offset, op, mem.tmpl, fsv, dm});
  }
}

// The digest stored in slot `slot` of table `d`, and its payload fields.
struct SlotView {
  Digest digest;
  uint32_t base, op, kind;
};
SlotView slotAt(const ipet_dtab& d, uint32_t slot) {
  const ipet_u8* s = d.slots + uint64_t{slot} * d.stride;
  SlotView v;
  v.digest.bytes.assign(reinterpret_cast<const char*>(s), d.length);
  uint32_t a = rd32(s + d.length);
  if (d.wide) {
    uint32_t b = rd32(s + d.length + 4);
    v.base = a;
    v.op = b & 7;
    v.digest.alg = (b >> 3) & 31;
    v.kind = b >> 8;
  } else {
    v.base = a & 0xFFFFFFu;
    v.op = (a >> 24) & 7;
    v.digest.alg = d.alg;
    v.kind = a >> 27;
  }
  return v;
}

std::string digestText(const ipet_table& t, const Digest& d) {
  return fmt::format("{}{}{}", algName(t, d.alg), sl::kDigestSeparator, hex(d.bytes));
}

// Digests first, then the template's properties: the order of a table without usable formats.
std::vector<std::string> canonicalOrder(const ipet_table& t, const Rule& r) {
  std::vector<std::string> out;
  if (r.fsv) out.push_back(fmt::format("{}={}", sl::propKey(sl::Prop::FsverityDigest), digestText(t, *r.fsv)));
  if (r.dm) out.push_back(fmt::format("{}={}", sl::propKey(sl::Prop::DmverityRoothash), digestText(t, *r.dm)));
  const ipet_template& tm = t.templates[r.tmpl];
  for (uint32_t i = 0; i < tm.nprops; ++i) {
    const ipet_tprop& p = t.tprops[tm.first_prop + i];
    const sl::Prop prop = static_cast<sl::Prop>(p.prop);
    out.push_back(fmt::format("{}={}", sl::propKey(prop), sl::valueSpelling(sl::propDomain(prop), p.value)));
  }
  return out;
}

// The rule's properties in the order the source wrote them, from its AUDIT format: a marker
// stands for the rule's digest, every other `key=value` must be the template's next property.
// Empty when the format does not agree with the rule (then the canonical order is used).
std::vector<std::string> writtenOrder(const ipet_table& t, const Rule& r, std::string_view op, std::string_view action) {
  const ipet_u8* text = nullptr;
  ipet_u32 len = 0;
  ipet_rule_audit(&t, r.rank, &text, &len);
  llvm::SmallVector<llvm::StringRef, 8> tokens;
  llvm::StringRef(reinterpret_cast<const char*>(text), len).split(tokens, ' ');
  if (tokens.size() < 2 || tokens.front() != fmt::format("{}{}", sl::kOpPrefix, op) ||
      tokens.back() != fmt::format("{}{}", sl::kActionPrefix, action))
    return {};
  const ipet_template& tm = t.templates[r.tmpl];
  const std::string fsv = fmt::format("{}={}", sl::propKey(sl::Prop::FsverityDigest), char{IPET_AUDIT_FSV_MARKER});
  const std::string dm = fmt::format("{}={}", sl::propKey(sl::Prop::DmverityRoothash), char{IPET_AUDIT_DM_MARKER});
  std::vector<std::string> out;
  uint32_t next = 0;
  bool saw_fsv = false, saw_dm = false;
  for (llvm::StringRef tok : llvm::ArrayRef<llvm::StringRef>(tokens).drop_front().drop_back()) {
    if (tok == fsv && r.fsv) {
      out.push_back(fmt::format("{}={}", sl::propKey(sl::Prop::FsverityDigest), digestText(t, *r.fsv)));
      saw_fsv = true;
    } else if (tok == dm && r.dm) {
      out.push_back(fmt::format("{}={}", sl::propKey(sl::Prop::DmverityRoothash), digestText(t, *r.dm)));
      saw_dm = true;
    } else {
      if (next == tm.nprops) return {};
      const ipet_tprop& p = t.tprops[tm.first_prop + next++];
      const sl::Prop prop = static_cast<sl::Prop>(p.prop);
      std::string want = fmt::format("{}={}", sl::propKey(prop), sl::valueSpelling(sl::propDomain(prop), p.value));
      if (tok != want) return {};
      out.push_back(std::move(want));
    }
  }
  if (next != tm.nprops || saw_fsv != r.fsv.has_value() || saw_dm != r.dm.has_value()) return {};
  return out;
}

}  // namespace

std::string decompile(const ipet_table& t) {
  std::vector<Rule> rules;
  for (uint32_t op = 0; op < IPET_OPS; ++op)
    addMembers(t, op, t.ops[op].w_base, t.ops[op].w_kind, std::nullopt, std::nullopt, rules);
  for (uint32_t sub = 0; sub < 2; ++sub)
    for (uint32_t cls = 0; cls < IPET_DIGEST_CLASSES; ++cls) {
      const ipet_dtab& d = t.dtab[sub][cls];
      if (d.slots == nullptr || d.nslots == 0 || d.length != std::array<uint32_t, 5>{20, 28, 32, 48, 64}[cls]) continue;
      for (uint32_t s = 0; s < d.nslots; ++s) {
        SlotView v = slotAt(d, s);
        if (v.kind == 0) continue;
        std::optional<Digest> dg = v.digest;
        addMembers(t, v.op, v.base, v.kind, sub == 0 ? dg : std::nullopt, sub == 1 ? dg : std::nullopt, rules);
      }
    }
  for (uint32_t s = 0; s < t.pair.nslots; ++s) {
    const ipet_u8* p = t.pair.slots + uint64_t{s} * t.pair.stride;
    uint32_t fref = rd32(p), dref = rd32(p + 4), base = rd32(p + 8), b = rd32(p + 12);
    uint32_t kind = b >> 9;
    if (kind == 0 || fref == 0 || dref == 0) continue;
    SlotView f = slotAt(t.dtab[0][(b >> 3) & 7], fref - 1), h = slotAt(t.dtab[1][(b >> 6) & 7], dref - 1);
    addMembers(t, b & 7, base, kind, f.digest, h.digest, rules);
  }
  std::sort(rules.begin(), rules.end(), [](const Rule& a, const Rule& b) { return a.rank < b.rank; });

  // Every spelling comes from the catalog; the table stores only enumerators.
  auto action = [](uint32_t deny) { return sl::actionSpelling(deny ? sl::Action::Deny : sl::Action::Allow); };
  const std::string features = {static_cast<char>(t.features >> 24), static_cast<char>(t.features >> 16),
                                static_cast<char>(t.features >> 8), static_cast<char>(t.features)};
  std::string out = fmt::format("# decompiled by `ipec dump` from a decision table (format {}, target features 0x{})\n",
                                IPET_FORMAT_VERSION, hex(features));
  auto it = std::back_inserter(out);
  fmt::format_to(it, "{}{} {}{}.{}.{}\n", sl::kPolicyNamePrefix,
                 std::string_view(reinterpret_cast<const char*>(t.name), t.name_len), sl::kPolicyVersionPrefix,
                 t.version[0], t.version[1], t.version[2]);
  if (t.global_default < 2)
    fmt::format_to(it, "{} {}{}\n", sl::kDefaultKeyword, sl::kActionPrefix, action(t.global_default));
  for (uint32_t op = 0; op < IPET_OPS; ++op)
    if (t.ops[op].explicit_default)
      fmt::format_to(it, "{} {}{} {}{}\n", sl::kDefaultKeyword, sl::kOpPrefix, sl::opSpelling(static_cast<sl::Op>(op)),
                     sl::kActionPrefix, action(t.ops[op].default_action));
  for (const Rule& r : rules) {
    const ipet_template& tm = t.templates[r.tmpl];
    const std::string_view op = sl::opSpelling(static_cast<sl::Op>(r.op));
    std::vector<std::string> props = writtenOrder(t, r, op, action(tm.action));
    if (props.empty()) props = canonicalOrder(t, r);
    fmt::format_to(it, "{}{}", sl::kOpPrefix, op);
    for (const std::string& p : props) fmt::format_to(it, " {}", p);
    fmt::format_to(it, " {}{}\n", sl::kActionPrefix, action(tm.action));
  }
  return out;
}

}  // namespace ipec::backend
