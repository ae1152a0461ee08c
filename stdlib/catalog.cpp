// SPDX-License-Identifier: Apache-2.0
#include "stdlib/catalog.h"

namespace ipec::stdlib {
namespace {

struct OpInfo {
  std::string_view spelling, kernel_enum, trigger;
  Series series;
  std::string_view hooks;
};
constexpr OpInfo kOps[] = {
#define IPEC_OP(E, S, SER, K, D, H) {S, K, D, Series::SER, H},
#include "stdlib/ops.def"
};

struct PropInfo {
  std::string_view key;
  Domain domain;
  int kconfig;  // -1: always evaluated
  Series series;
  Subject subject;
  std::string_view description;
};
constexpr int kAlways = -1;
#define IPEC_KCONFIG(E, N, D) constexpr int kcfg_##E = static_cast<int>(Kconfig::E);
#include "stdlib/kconfig.def"
constexpr int kcfg_Always = kAlways;
constexpr PropInfo kProps[] = {
#define IPEC_PROP(E, K, D, C, S, SUB, DESC) {K, Domain::D, kcfg_##C, Series::S, Subject::SUB, DESC},
#include "stdlib/properties.def"
};

struct ValueInfo {
  Domain domain;
  std::string_view spelling;
  uint8_t value;
  std::string_view description;
};
constexpr ValueInfo kValues[] = {
#define IPEC_VALUE(D, E, S, V, DESC) {Domain::D, S, V, DESC},
#include "stdlib/values.def"
};

struct KconfigInfo {
  std::string_view name, gates;
};
constexpr KconfigInfo kKconfigs[] = {
#define IPEC_KCONFIG(E, N, D) {N, D},
#include "stdlib/kconfig.def"
};

struct AlgInfo {
  std::string_view name;
  unsigned length;
  bool fs, dm;
};
constexpr AlgInfo kAlgs[] = {
#define IPEC_DIGEST_ALG(E, N, L, FS, DM) {N, L, FS, DM},
#include "stdlib/digest_algs.def"
};

template <typename E>
constexpr unsigned idx(E e) {
  return static_cast<unsigned>(e);
}

}  // namespace

std::string_view seriesName(Series s) {
  switch (s) {
    case Series::Mainline: return "Linux 6.12";
    case Series::Hornet: return "the Hornet series";
  }
  return {};
}

std::string_view actionSpelling(Action a) {
  switch (a) {
    case Action::Allow: return "ALLOW";
    case Action::Deny: return "DENY";
  }
  return {};
}

std::optional<Action> lookupAction(std::string_view value) {
  for (Action a : kAllActions)
    if (actionSpelling(a) == value) return a;
  return std::nullopt;
}

std::string_view opSpelling(Op op) { return kOps[idx(op)].spelling; }
std::string_view opKernelEnum(Op op) { return kOps[idx(op)].kernel_enum; }
std::string_view opTrigger(Op op) { return kOps[idx(op)].trigger; }
std::string_view opHooks(Op op) { return kOps[idx(op)].hooks; }
Series opSeries(Op op) { return kOps[idx(op)].series; }
std::optional<Op> lookupOp(std::string_view value) {
  for (unsigned i = 0; i < kNumOps; ++i)
    if (kOps[i].spelling == value) return static_cast<Op>(i);
  return std::nullopt;
}

unsigned domainSize(Domain d) {
  unsigned n = 0;
  for (const ValueInfo& v : kValues) n += v.domain == d;
  return n;
}
std::string_view valueSpelling(Domain d, uint8_t value) {
  for (const ValueInfo& v : kValues)
    if (v.domain == d && v.value == value) return v.spelling;
  return {};
}
std::string_view valueDescription(Domain d, uint8_t value) {
  for (const ValueInfo& v : kValues)
    if (v.domain == d && v.value == value) return v.description;
  return {};
}
std::optional<uint8_t> lookupValue(Domain d, std::string_view spelling) {
  for (const ValueInfo& v : kValues)
    if (v.domain == d && v.spelling == spelling) return v.value;
  return std::nullopt;
}

std::string_view kconfigName(Kconfig k) { return kKconfigs[idx(k)].name; }
std::string_view kconfigGates(Kconfig k) { return kKconfigs[idx(k)].gates; }
std::optional<Kconfig> lookupKconfig(std::string_view name) {
  constexpr std::string_view prefix = "CONFIG_";
  for (unsigned i = 0; i < kNumKconfigs; ++i) {
    std::string_view full = kKconfigs[i].name;
    if (full == name || full.substr(prefix.size()) == name) return static_cast<Kconfig>(i);
  }
  return std::nullopt;
}

std::string_view propKey(Prop p) { return kProps[idx(p)].key; }
Domain propDomain(Prop p) { return kProps[idx(p)].domain; }
std::optional<Kconfig> propKconfig(Prop p) {
  int k = kProps[idx(p)].kconfig;
  if (k == kAlways) return std::nullopt;
  return static_cast<Kconfig>(k);
}
Series propSeries(Prop p) { return kProps[idx(p)].series; }
Subject propSubject(Prop p) { return kProps[idx(p)].subject; }
std::string_view propDescription(Prop p) { return kProps[idx(p)].description; }
std::optional<Prop> lookupProp(std::string_view key) {
  for (unsigned i = 0; i < kNumProps; ++i)
    if (kProps[i].key == key) return static_cast<Prop>(i);
  return std::nullopt;
}

std::optional<FormerKey> lookupFormerKey(std::string_view key) {
  struct Entry {
    std::string_view key;
    FormerKey former;
  };
  static constexpr Entry kFormerKeys[] = {
#define IPEC_FORMER_KEY(K, P, SRC) {K, {Prop::P, SRC}},
#include "stdlib/former_keys.def"
  };
  for (const Entry& e : kFormerKeys)
    if (e.key == key) return e.former;
  return std::nullopt;
}

std::string_view digestAlgName(DigestAlg a) { return kAlgs[idx(a)].name; }
unsigned digestAlgLength(DigestAlg a) { return kAlgs[idx(a)].length; }
bool fsverityProduces(DigestAlg a) { return kAlgs[idx(a)].fs; }
bool dmverityProduces(DigestAlg a) { return kAlgs[idx(a)].dm; }
std::optional<DigestAlg> lookupDigestAlg(std::string_view name) {
  for (unsigned i = 0; i < kNumDigestAlgs; ++i)
    if (kAlgs[i].name == name) return static_cast<DigestAlg>(i);
  return std::nullopt;
}

std::vector<std::string_view> actionSpellings() {
  std::vector<std::string_view> out;
  for (Action a : kAllActions) out.push_back(actionSpelling(a));
  return out;
}

std::vector<std::string_view> opSpellings(Dialect d) {
  std::vector<std::string_view> out;
  for (const OpInfo& o : kOps)
    if (d.knows(o.series)) out.push_back(o.spelling);
  return out;
}

std::vector<std::string_view> propKeys(Dialect d) {
  std::vector<std::string_view> out;
  for (const PropInfo& p : kProps)
    if (d.knows(p.series)) out.push_back(p.key);
  return out;
}

std::vector<std::string_view> valueSpellings(Domain d) {
  std::vector<std::string_view> out;
  for (const ValueInfo& v : kValues)
    if (v.domain == d) out.push_back(v.spelling);
  return out;
}

}  // namespace ipec::stdlib
