// SPDX-License-Identifier: Apache-2.0
// The IPE language catalog: every spelling ipec knows lives here and in the .def files
// next to this header. Later phases work with the enums only.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace ipec::stdlib {

// Where a token comes from. Mainline is Linux 6.12+; Hornet is the proposed Hornet LSM series
// (v5-v7 share one token set), which adds `op=BPF_PROG_LOAD` and the bpf_* properties.
enum class Series : uint8_t { Mainline, Hornet };
std::string_view seriesName(Series s);

// The token table of one kernel: which series' tokens its parser knows.
struct Dialect {
  bool hornet = false;
  bool knows(Series s) const { return s == Series::Mainline || hornet; }
};

// ---- syntax words -------------------------------------------------------------------------
inline constexpr std::string_view kDefaultKeyword = "DEFAULT";
inline constexpr std::string_view kOpPrefix = "op=";
inline constexpr std::string_view kActionPrefix = "action=";
inline constexpr std::string_view kPolicyNamePrefix = "policy_name=";
inline constexpr std::string_view kPolicyVersionPrefix = "policy_version=";
inline constexpr char kCommentChar = '#';
inline constexpr char kDigestSeparator = ':';
inline constexpr char kVersionSeparator = '.';

// ---- actions ------------------------------------------------------------------------------
enum class Action : uint8_t { Allow, Deny };
inline constexpr std::array<Action, 2> kAllActions = {Action::Allow, Action::Deny};
std::string_view actionSpelling(Action a);  // "ALLOW"
std::optional<Action> lookupAction(std::string_view value);

// ---- operations ---------------------------------------------------------------------------
enum class Op : uint8_t {
#define IPEC_OP(E, S, SER, K, D, H) E,
#include "stdlib/ops.def"
};
inline constexpr unsigned kNumOps = 0
#define IPEC_OP(E, S, SER, K, D, H) +1
#include "stdlib/ops.def"
    ;
inline constexpr std::array<Op, kNumOps> kAllOps = {
#define IPEC_OP(E, S, SER, K, D, H) Op::E,
#include "stdlib/ops.def"
};
std::string_view opSpelling(Op op);       // "EXECUTE"
std::string_view opKernelEnum(Op op);     // "IPE_OP_EXEC"
std::string_view opTrigger(Op op);        // human description
std::string_view opHooks(Op op);          // "bprm_check_security, mmap_file, file_mprotect"
Series opSeries(Op op);
std::optional<Op> lookupOp(std::string_view value);

// ---- property values ----------------------------------------------------------------------
enum class Domain : uint8_t { Bool, Digest, BpfVerdict, BpfKeyring };

enum class BoolValue : uint8_t { False = 0, True = 1 };
enum class BpfVerdict : uint8_t {
#define IPEC_VALUE(D, E, S, V, DESC) IPEC_VALUE_##D(E, V)
#define IPEC_VALUE_Bool(E, V)
#define IPEC_VALUE_BpfVerdict(E, V) E = V,
#define IPEC_VALUE_BpfKeyring(E, V)
#include "stdlib/values.def"
};
#undef IPEC_VALUE_BpfVerdict
#undef IPEC_VALUE_BpfKeyring
enum class BpfKeyring : uint8_t {
#define IPEC_VALUE(D, E, S, V, DESC) IPEC_VALUE_##D(E, V)
#define IPEC_VALUE_BpfVerdict(E, V)
#define IPEC_VALUE_BpfKeyring(E, V) E = V,
#include "stdlib/values.def"
};
#undef IPEC_VALUE_Bool
#undef IPEC_VALUE_BpfVerdict
#undef IPEC_VALUE_BpfKeyring
inline constexpr unsigned kNumBpfVerdicts = 8;
inline constexpr unsigned kNumBpfKeyrings = 3;

// Number of values of an enumerated domain (0 for Digest).
unsigned domainSize(Domain d);
// Spelling of value `v` (its kernel number) in domain `d`; empty when out of range.
std::string_view valueSpelling(Domain d, uint8_t v);
// What value `v` of domain `d` means (values.def); empty when out of range.
std::string_view valueDescription(Domain d, uint8_t v);
// Kernel number of a spelled value; nullopt when unknown.
std::optional<uint8_t> lookupValue(Domain d, std::string_view spelling);

// ---- kernel configuration -----------------------------------------------------------------
enum class Kconfig : uint8_t {
#define IPEC_KCONFIG(E, N, D) E,
#include "stdlib/kconfig.def"
};
inline constexpr unsigned kNumKconfigs = 0
#define IPEC_KCONFIG(E, N, D) +1
#include "stdlib/kconfig.def"
    ;
std::string_view kconfigName(Kconfig k);  // "CONFIG_IPE_PROP_DM_VERITY"
std::string_view kconfigGates(Kconfig k);
std::optional<Kconfig> lookupKconfig(std::string_view name);  // with or without CONFIG_

// ---- properties ---------------------------------------------------------------------------
enum class Prop : uint8_t {
#define IPEC_PROP(E, K, D, C, S, SUB, DESC) E,
#include "stdlib/properties.def"
};
inline constexpr unsigned kNumProps = 0
#define IPEC_PROP(E, K, D, C, S, SUB, DESC) +1
#include "stdlib/properties.def"
    ;
inline constexpr std::array<Prop, kNumProps> kAllProps = {
#define IPEC_PROP(E, K, D, C, S, SUB, DESC) Prop::E,
#include "stdlib/properties.def"
};
enum class Subject : uint8_t { File, Bpf };
std::string_view propKey(Prop p);  // "boot_verified"
Domain propDomain(Prop p);
std::optional<Kconfig> propKconfig(Prop p);  // nullopt: always evaluated
Series propSeries(Prop p);
Subject propSubject(Prop p);
std::string_view propDescription(Prop p);  // properties.def's "what it tests"
std::optional<Prop> lookupProp(std::string_view key);
// A key published for a property that no kernel accepts (former_keys.def), and where it was
// published.
struct FormerKey {
  Prop prop;
  std::string_view source;
};
std::optional<FormerKey> lookupFormerKey(std::string_view key);

// ---- digest algorithms --------------------------------------------------------------------
enum class DigestAlg : uint8_t {
#define IPEC_DIGEST_ALG(E, N, L, FS, DM) E,
#include "stdlib/digest_algs.def"
};
inline constexpr unsigned kNumDigestAlgs = 0
#define IPEC_DIGEST_ALG(E, N, L, FS, DM) +1
#include "stdlib/digest_algs.def"
    ;
std::string_view digestAlgName(DigestAlg a);
unsigned digestAlgLength(DigestAlg a);
bool fsverityProduces(DigestAlg a);
bool dmverityProduces(DigestAlg a);
std::optional<DigestAlg> lookupDigestAlg(std::string_view name);  // exact, case-sensitive

// ---- candidates for "did you mean" -------------------------------------------------------
// What a token in each role may be spelled as on a kernel of dialect `d`, in catalog order.
std::vector<std::string_view> actionSpellings();
std::vector<std::string_view> opSpellings(Dialect d);
std::vector<std::string_view> propKeys(Dialect d);
std::vector<std::string_view> valueSpellings(Domain d);

// Kernel isspace() (lib/ctype.c): 0x09-0x0D, 0x20 and 0xA0 (Latin-1 NBSP).
constexpr bool isKernelSpace(unsigned char c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0xA0;
}
// IPE token delimiters (IPE_POLICY_DELIM): space and tab only.
constexpr bool isTokenDelimiter(unsigned char c) { return c == ' ' || c == '\t'; }
// IPE line delimiters (IPE_LINE_DELIM): each of \n and \r ends a line.
constexpr bool isLineDelimiter(unsigned char c) { return c == '\n' || c == '\r'; }

}  // namespace ipec::stdlib
