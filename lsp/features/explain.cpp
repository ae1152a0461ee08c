// SPDX-License-Identifier: Apache-2.0
#include "lsp/features/explain.h"

#include <fmt/format.h>
#include <llvm/ADT/STLExtras.h>
#include <llvm/ADT/StringExtras.h>

#include <algorithm>

#include "analysis/event_model.h"

namespace ipec::lsp::explain {
namespace {

namespace sl = ipec::stdlib;
using analysis::Target;

std::string opWord(sl::Op o) { return code(fmt::format("{}{}", sl::kOpPrefix, sl::opSpelling(o))); }
std::string targetWord(const Target& t) { return fmt::format("target {}", code(t.name)); }

// `A`, `B` and `C`.
std::string listed(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i)
    out += (i == 0 ? "" : i + 1 == words.size() ? " and " : ", ") + words[i];
  return out;
}

std::string hooks(const Target& t, sl::Op o) {
  std::string out(sl::opHooks(o));
  if (o == sl::Op::Execute && t.execve_check) out += ", bprm_creds_for_exec (AT_EXECVE_CHECK)";
  if (o == sl::Op::BpfProgLoad && t.bpf_hook == analysis::BpfHook::HornetV5)
    out += ", only from Hornet's integrity callback (the v5 hook design)";
  return out;
}

// The Kconfig sentence of a property: whether the target compiled it in, and what that means.
std::string kconfigLine(const Target& t, sl::Prop p) {
  const std::string key(sl::propKey(p));
  if (!t.dialect.knows(sl::propSeries(p)))
    return fmt::format("Target {} does not know this property (a token of {}): its parser rejects the policy.",
                       code(t.name), sl::seriesName(sl::propSeries(p)));
  const std::optional<sl::Kconfig> k = sl::propKconfig(p);
  if (!k) return "Evaluated on every kernel: no Kconfig option gates it.";
  const std::string name = code(sl::kconfigName(*k));
  if (t.config(*k)) return fmt::format("Kconfig {}: built in on {}.", name, targetWord(t));
  std::string never;
  switch (sl::propDomain(p)) {
    case sl::Domain::Bool:
      never = fmt::format("both {} and {} are false", code(key + "=" + std::string(sl::valueSpelling(sl::propDomain(p), 1))),
                          code(key + "=" + std::string(sl::valueSpelling(sl::propDomain(p), 0))));
      break;
    case sl::Domain::Digest: never = fmt::format("{} never matches", code(key + "=")); break;
    case sl::Domain::BpfVerdict:
    case sl::Domain::BpfKeyring: never = fmt::format("every {} value is false", code(key + "=")); break;
  }
  return fmt::format("Kconfig {}: **compiled out** on {}, so {}.", name, targetWord(t), never);
}

// Which ops a property is about: files, or BPF program loads.
std::string opsLine(const Target& t, sl::Prop p) {
  const bool bpf = sl::propSubject(p) == sl::Subject::Bpf;
  if (bpf) {
    const std::string zero = code(fmt::format("{}={}", sl::propKey(p), sl::valueSpelling(sl::propDomain(p), 0)));
    return fmt::format("Meaningful for {} only: the other ops leave the BPF fields zero, so for them {} always holds.",
                       opWord(sl::Op::BpfProgLoad), zero);
  }
  std::vector<std::string> ops;
  for (sl::Op o : sl::kAllOps)
    if (t.dialect.knows(sl::opSeries(o)) && o != sl::Op::BpfProgLoad) ops.push_back(code(sl::opSpelling(o)));
  std::string out = fmt::format("Meaningful for the ops that load a file: {}.", listed(ops));
  if (t.dialect.knows(sl::opSeries(sl::Op::BpfProgLoad)))
    out += fmt::format(" A {} event has no file.", opWord(sl::Op::BpfProgLoad));
  return out;
}

// What a digest literal can match: its algorithm, length, and whether fs-verity or dm-verity
// ever report it.
std::string digestLine(sl::Prop p, std::string_view value) {
  const size_t colon = value.find(sl::kDigestSeparator);
  if (colon == std::string_view::npos)
    return fmt::format("A digest is written {}; this one has no {}.", code("ALG:HEX"), code(":"));
  const std::string_view alg = value.substr(0, colon), hex = value.substr(colon + 1);
  const bool fs = p == sl::Prop::FsverityDigest;
  const std::string_view who = fs ? "fs-verity" : "dm-verity";
  std::string out = fmt::format("Algorithm {}, {} hex digits", code(alg), hex.size());
  if (hex.size() % 2 == 0 && llvm::all_of(hex, llvm::isHexDigit))
    out += fmt::format(" ({} byte{})", hex.size() / 2, hex.size() == 2 ? "" : "s");
  const std::optional<sl::DigestAlg> a = sl::lookupDigestAlg(alg);
  std::vector<std::string> producible;
  for (unsigned i = 0; i < sl::kNumDigestAlgs; ++i) {
    const auto d = static_cast<sl::DigestAlg>(i);
    if (fs ? sl::fsverityProduces(d) : sl::dmverityProduces(d))
      producible.push_back(fmt::format("{} ({} bytes)", sl::digestAlgName(d), sl::digestAlgLength(d)));
  }
  if (!a || !(fs ? sl::fsverityProduces(*a) : sl::dmverityProduces(*a)))
    return out + fmt::format(": {} reports only {}, so this never matches.", who, listed(producible));
  const unsigned want = sl::digestAlgLength(*a);
  if (hex.size() != 2 * want)
    return out + fmt::format(": {} has {} bytes ({} hex digits), so this never matches.", code(alg), want, 2 * want);
  return out + fmt::format(": {} can report it.", who);
}

// The first sentence: what `key` or `key=value` tests.
std::string meaning(sl::Prop p, std::optional<std::string_view> value) {
  const std::string key(sl::propKey(p));
  const sl::Domain d = sl::propDomain(p);
  const std::string_view desc = sl::propDescription(p);
  const std::string nofile = sl::propSubject(p) == sl::Subject::File ? " (so also when there is no file)" : "";
  if (d == sl::Domain::Digest) {
    std::string out = fmt::format("**{}** holds when {} is this digest.", code(key + "=" + std::string(value.value_or("ALG:HEX"))), desc);
    if (value) out += "\n\n" + digestLine(p, *value);
    return out;
  }
  const std::string_view yes = sl::valueSpelling(d, 1), no = sl::valueSpelling(d, 0);
  if (!value) {
    if (d == sl::Domain::Bool)
      return fmt::format("**{}**: {} holds when {}; {} when it does not{}.", code(key), code(key + "=" + std::string(yes)),
                         desc, code(key + "=" + std::string(no)), nofile);
    std::vector<std::string> values;
    for (std::string_view v : sl::valueSpellings(d)) values.push_back(code(v));
    return fmt::format("**{}**: {}, one of {}.", code(key), desc, listed(values));
  }
  const std::string written = code(key + "=" + std::string(*value));
  const std::optional<uint8_t> v = sl::lookupValue(d, *value);
  if (!v) {
    std::vector<std::string> values;
    for (std::string_view s : sl::valueSpellings(d)) values.push_back(code(s));
    return fmt::format("**{}**: {} is not a value of {} (values are {}).", written, code(*value), code(key), listed(values));
  }
  if (d == sl::Domain::Bool)
    return *v ? fmt::format("**{}** holds when {}.", written, desc)
              : fmt::format("**{}** holds unless {}{}.", written, desc, nofile);
  return fmt::format("**{}** holds when {} is {}: {}.", written, desc, code(*value), sl::valueDescription(d, *v));
}

// The DEFAULT that decides the events of `o` that no rule matches, as a phrase.
std::string fallback(const Analyzed& a, sl::Op o) {
  const ast::Statement *own = nullptr, *global = nullptr;
  for (const ast::Statement& s : a.checked.parsed.policy.statements) {
    if (!s.isDefault()) continue;
    if (s.has_op && s.op == o && !own) own = &s;
    if (!s.has_op && !global) global = &s;
  }
  const ast::Statement* s = own ? own : global;
  if (!s)
    return fmt::format("no DEFAULT decides them: the kernel rejects a policy without a global {} or one for every op",
                       code(sl::kDefaultKeyword));
  return fmt::format("{}{} (line {}) decides them", own ? "" : "the global ", code(a.text(s->range)),
                     a.checked.file->lineCol(s->range.begin).line);
}

}  // namespace

std::string code(std::string_view text) {
  // CommonMark: the fence is one backtick longer than the longest run inside; a space pads text
  // that starts or ends with a backtick.
  size_t longest = 0, run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(longest + 1, '`');
  const bool pad = !text.empty() && (text.front() == '`' || text.back() == '`');
  return fmt::format("{}{}{}{}{}", fence, pad ? " " : "", text, pad ? " " : "", fence);
}

std::string opBrief(const Target& t, sl::Op o) {
  std::string why;
  if (analysis::opEvaluated(t, o, &why)) return std::string(sl::opTrigger(o));
  return fmt::format("not evaluated on {}: {}", t.name, why);
}

std::string op(const Target& t, sl::Op o) {
  std::string out = fmt::format("**{}**: {}\n\nKernel: {}, asked by the LSM hooks {}\n\n", opWord(o), sl::opTrigger(o),
                                code(sl::opKernelEnum(o)), hooks(t, o));
  std::string why;
  if (analysis::opEvaluated(t, o, &why)) return out + fmt::format("Evaluated on {}.", targetWord(t));
  return out + fmt::format("**Not evaluated** on {}: {}. IPE is never asked, so its rules and DEFAULT decide nothing.",
                           targetWord(t), why);
}

bool compiledIn(const Target& t, sl::Prop p) {
  const std::optional<sl::Kconfig> k = sl::propKconfig(p);
  return !k || t.config(*k);
}

std::string property(const Target& t, sl::Prop p, std::optional<std::string_view> value) {
  return fmt::format("{}\n\n{}\n\n{}", meaning(p, value), kconfigLine(t, p), opsLine(t, p));
}

std::string propertyBrief(const Target& t, sl::Prop p, std::optional<std::string_view> value) {
  if (!compiledIn(t, p))
    return fmt::format("compiled out on {} ({}=n): never true", t.name, sl::kconfigName(*sl::propKconfig(p)));
  const sl::Domain d = sl::propDomain(p);
  const std::optional<uint8_t> v = value ? sl::lookupValue(d, *value) : std::nullopt;
  if (!v) return std::string(sl::propDescription(p));
  if (d != sl::Domain::Bool) return std::string(sl::valueDescription(d, *v));
  return fmt::format("{}{}", *v ? "" : "unless ", sl::propDescription(p));
}

std::string defaultWord(const Analyzed& a, Scope s) {
  // A DEFAULT for an op the target does not know is no global DEFAULT; its diagnostic explains.
  if (s.has_op_token && !s.op) return {};
  const std::string kw = code(sl::kDefaultKeyword);
  const std::string rule = fmt::format(
      "The kernel needs a global {} or one for every op, and rejects a second one for the same op or a second global "
      "one.",
      kw);
  if (s.op)
    return fmt::format("**{}**: decides the {} events that no {} rule matches, in place of the global {}.\n\n{}",
                       code(fmt::format("{} {}{}", sl::kDefaultKeyword, sl::kOpPrefix, sl::opSpelling(*s.op))),
                       opWord(*s.op), opWord(*s.op), kw, rule);
  std::vector<std::string> served;
  for (sl::Op o : sl::kAllOps) {
    if (!a.config.target.dialect.knows(sl::opSeries(o))) continue;
    const bool own = llvm::any_of(a.checked.parsed.policy.statements,
                                  [&](const ast::Statement& st) { return st.isDefault() && st.has_op && st.op == o; });
    if (!own) served.push_back(code(sl::opSpelling(o)));
  }
  const std::string whom =
      served.empty() ? "every op has its own DEFAULT here, so it decides only loads the kernel maps to no op"
                     : fmt::format("here {}", listed(served));
  return fmt::format("**{}** (global): decides the events that no rule of their op matches, for each op without its "
                     "own {}: {}.\n\n{}",
                     kw, code(fmt::format("{} {}", sl::kDefaultKeyword, sl::kOpPrefix)), whom, rule);
}

std::string actionWord(const Analyzed& a, Scope s, std::optional<sl::Action> action) {
  const std::string word = action ? code(fmt::format("{}{}", sl::kActionPrefix, sl::actionSpelling(*action)))
                                  : code(sl::kActionPrefix);
  if (s.is_default) {
    const std::string scope = defaultWord(a, s);
    return fmt::format("**{}**: what this DEFAULT decides.{}{}", word, scope.empty() ? "" : "\n\n", scope);
  }
  if (!s.op)
    return fmt::format("**{}**: {} or {}, the last token of a rule or DEFAULT: the decision when it applies.", word,
                       code(sl::actionSpelling(sl::Action::Allow)), code(sl::actionSpelling(sl::Action::Deny)));
  return fmt::format("**{}**: the decision when this rule is the first {} rule that matches.\n\nWhen none matches, {}.",
                     word, opWord(*s.op), fallback(a, *s.op));
}

std::string policyName(std::string_view written) {
  return fmt::format(
      "**{}** {}: the policy's name, its directory under `/sys/kernel/security/ipe/policies/`. Loading a policy whose "
      "name is loaded already fails (`EEXIST`); an update (`policies/NAME/update`) must keep the name (`EINVAL` "
      "otherwise).",
      code(sl::kPolicyNamePrefix), code(written));
}

std::string policyVersion(std::string_view written, std::optional<std::string> read_as) {
  std::string read;
  if (read_as && *read_as != written) read = fmt::format(" (read as {})", code(*read_as));
  return fmt::format(
      "**{}** {}{}: three numbers from 0 to 65535 (major, minor, revision), compared in that order. An update must "
      "raise it (`ESTALE` for the same or a lower version); activating a policy needs a version at least that of the "
      "active policy (`EINVAL` otherwise).",
      code(sl::kPolicyVersionPrefix), code(written), read);
}

}  // namespace ipec::lsp::explain
