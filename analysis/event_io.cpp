// SPDX-License-Identifier: Apache-2.0
#include "analysis/event_io.h"

#include <fmt/format.h>
#include <llvm/ADT/SmallVector.h>
#include <llvm/ADT/StringExtras.h>
#include <llvm/ADT/StringRef.h>
#include <llvm/ADT/StringSwitch.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <iterator>
#include <span>
#include <tuple>
#include <vector>

#include "base/diagnostic.h"
#include "base/hex.h"
#include "base/suggest.h"

namespace ipec::analysis {
namespace {

namespace sl = ipec::stdlib;
using nlohmann::json;

// The keys of the text syntax, then their aliases (docs/events.md).
constexpr std::array<std::string_view, 16> kTextKeys = {
    "op",         "file",         "initramfs",       "bdev",          "dmverity",       "dmverity_sig",
    "fsverity",   "fsverity_sig", "bpf_signature",   "bpf_keyring",   "bpf_kernel",     "dmverity_signed",
    "fsverity_signed", "bpf_verdict", "keyring_id", "kernel"};
constexpr size_t kCanonicalTextKeys = 11;
// The boolean words, as suggested (`TRUE` and `FALSE` are accepted too).
constexpr std::array<std::string_view, 8> kBoolWords = {"true", "false", "yes", "no", "present", "absent", "1", "0"};
constexpr std::array<std::string_view, 3> kBdevWords = {"none", "plain", "dm-verity"};
constexpr std::array<std::string_view, 7> kJsonKeys = {"op", "file", "initramfs", "bdev", "dmverity", "fsverity", "bpf"};
constexpr std::array<std::string_view, 2> kDmverityKeys = {"roothash", "signed"};
constexpr std::array<std::string_view, 2> kFsverityKeys = {"digest", "signed"};
constexpr std::array<std::string_view, 3> kBpfKeys = {"verdict", "keyring_id", "kernel"};

// "; did you mean `X`?" when a candidate is close to `word` (see base/suggest.h), with a note
// when only the case differs; empty otherwise.
std::string hintFor(std::string_view word, std::span<const std::string_view> candidates, std::string_view role) {
  std::optional<Suggestion> s = suggest(word, candidates);
  return s ? fmt::format("; {}", didYouMean(*s, role)) : std::string();
}

std::string unknownOp(std::string_view op) {
  const std::vector<std::string_view> ops = sl::opSpellings(sl::Dialect{.hornet = true});
  std::string hint = hintFor(op, ops, "ops");
  if (hint.empty()) hint = fmt::format("; expected one of {}", fmt::join(ops, ", "));
  return fmt::format("event: unknown op {}{}", quote(op), hint);
}

// The words `key` takes in the text syntax, for suggestions.
std::vector<std::string_view> textValues(std::string_view key) {
  if (key == "bdev") return {kBdevWords.begin(), kBdevWords.end()};
  if (key == "bpf_signature" || key == "bpf_verdict") return sl::valueSpellings(sl::Domain::BpfVerdict);
  if (key == "bpf_keyring" || key == "keyring_id") return sl::valueSpellings(sl::Domain::BpfKeyring);
  if (key == "dmverity" || key == "fsverity") return {"none"};
  return {kBoolWords.begin(), kBoolWords.end()};
}

bool parseBoolWord(std::string_view v, bool& out) {
  std::optional<bool> b = llvm::StringSwitch<std::optional<bool>>(v)
                              .Cases("true", "yes", "1", "present", "TRUE", true)
                              .Cases("false", "no", "0", "absent", "FALSE", false)
                              .Default(std::nullopt);
  if (b) out = *b;
  return b.has_value();
}

bool parseDigestValue(llvm::StringRef v, std::string& alg, std::string& bytes, std::string& error) {
  if (!v.contains(':')) {
    error = fmt::format("digest {} is not `alg:hex`", quote(v));
    return false;
  }
  auto [name, hex] = v.split(':');
  alg = name.str();
  if (hex.size() % 2) {
    error = fmt::format("digest {} has an odd number of hex digits", quote(v));
    return false;
  }
  if (!decodeHex(hex, bytes)) {
    error = fmt::format("digest {} has a non-hex digit", quote(v));
    return false;
  }
  return true;
}

bool parseKeyring(std::string_view v, uint8_t& out, long long& raw) {
  if (auto k = sl::lookupValue(sl::Domain::BpfKeyring, v)) {
    out = *k;
    raw = *k;
    return true;
  }
  long long id = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), id);
  if (ec != std::errc() || ptr != v.data() + v.size()) return false;
  out = id >= 0 && id <= 2 ? static_cast<uint8_t>(id) : kOtherKeyring;
  raw = id;
  return true;
}

// A sha256 digest that is not a literal of the policy.
std::string otherDigest(const ast::Policy& policy) {
  std::string bytes(32, '\0');
  for (unsigned i = 0;; ++i) {
    bytes[31] = static_cast<char>(i & 0xFF);
    bytes[30] = static_cast<char>((i >> 8) & 0xFF);
    if (!policy.digests.find("sha256", bytes)) return fmt::format("sha256:{}", hex(bytes));
  }
}

// "1 byte", "32 bytes".
std::string byteCount(size_t n) { return fmt::format("{} {}", n, n == 1 ? "byte" : "bytes"); }

// "sha256: 32 bytes, sha512: 64 bytes": the digests fs-verity reports.
std::string fsverityReports() {
  std::string out;
  for (unsigned i = 0; i < sl::kNumDigestAlgs; ++i) {
    const auto alg = static_cast<sl::DigestAlg>(i);
    if (sl::fsverityProduces(alg))
      fmt::format_to(std::back_inserter(out), "{}{}: {}", out.empty() ? "" : ", ", sl::digestAlgName(alg),
                     byteCount(sl::digestAlgLength(alg)));
  }
  return out;
}

std::string digestText(DigestId id, const ast::Policy& policy, const std::string* alg = nullptr,
                       const std::string* bytes = nullptr) {
  if (id == kOtherDigest && alg) return fmt::format("{}:{}", *alg, hex(*bytes));
  if (id == kOtherDigest) return otherDigest(policy);
  DigestView v = policy.digests.get(id);
  return fmt::format("{}:{}", v.alg, hex(v.bytes));
}

}  // namespace

std::optional<EventSpec> parseEventText(std::string_view text, std::string& error) {
  EventSpec spec;
  bool have_op = false, file_given = false;
  // Each key once (aliases count as their key): `op=EXECUTE,op=KMODULE` is a mistake, not a choice.
  auto canonical = [](llvm::StringRef k) {
    return llvm::StringSwitch<llvm::StringRef>(k)
        .Case("dmverity_signed", "dmverity_sig")
        .Case("fsverity_signed", "fsverity_sig")
        .Case("bpf_verdict", "bpf_signature")
        .Case("keyring_id", "bpf_keyring")
        .Case("kernel", "bpf_kernel")
        .Default(k);
  };
  llvm::SmallVector<llvm::StringRef, kCanonicalTextKeys> seen;
  for (llvm::StringRef rest = text;;) {
    llvm::StringRef item;
    std::tie(item, rest) = llvm::getToken(rest, " \t,");  // items are separated by runs of these
    if (item.empty()) break;
    if (!item.contains('=')) {
      error = fmt::format("event: expected key=value, got {}", quote(item));
      return std::nullopt;
    }
    const auto [key, v] = item.split('=');
    if (llvm::is_contained(seen, canonical(key))) {
      error = fmt::format("event: {} is given twice", quote(canonical(key)));
      return std::nullopt;
    }
    seen.push_back(canonical(key));
    Event& e = spec.event;
    bool ok = true;
    if (key == "op") {
      auto op = sl::lookupOp(v);
      if (!op) {
        error = unknownOp(v);
        return std::nullopt;
      }
      e.op = *op;
      have_op = true;
    } else if (key == "file") {
      ok = parseBoolWord(v, e.file);
      file_given = true;
    } else if (key == "initramfs") {
      ok = parseBoolWord(v, e.initramfs);
    } else if (key == "bdev") {
      std::optional<Bdev> bdev = llvm::StringSwitch<std::optional<Bdev>>(v)
                                     .Case("none", Bdev::None)
                                     .Case("plain", Bdev::Plain)
                                     .Cases("dm-verity", "dmverity", Bdev::DmVerity)
                                     .Default(std::nullopt);
      ok = bdev.has_value();
      if (ok) e.bdev = *bdev;
    } else if (key == "dmverity") {
      if (v == "none") {
        if (e.bdev == Bdev::DmVerity) e.bdev = Bdev::None;
      } else {
        e.bdev = Bdev::DmVerity;
        spec.has_dm_digest = true;
        if (!parseDigestValue(v, spec.dm_alg, spec.dm_bytes, error)) {
          error = fmt::format("event: {}", error);
          return std::nullopt;
        }
      }
    } else if (key == "dmverity_sig" || key == "dmverity_signed") {
      ok = parseBoolWord(v, e.dm_signed);
      if (ok && e.dm_signed) e.bdev = Bdev::DmVerity;
    } else if (key == "fsverity") {
      if (v == "none") {
        e.fsverity = false;
      } else {
        e.fsverity = true;
        spec.has_fsv_digest = true;
        if (!parseDigestValue(v, spec.fsv_alg, spec.fsv_bytes, error)) {
          error = fmt::format("event: {}", error);
          return std::nullopt;
        }
      }
    } else if (key == "fsverity_sig" || key == "fsverity_signed") {
      ok = parseBoolWord(v, e.fsv_signed);
      if (ok && e.fsv_signed) e.fsverity = true;
    } else if (key == "bpf_signature" || key == "bpf_verdict") {
      auto verdict = sl::lookupValue(sl::Domain::BpfVerdict, v);
      ok = verdict.has_value();
      if (ok) e.bpf_verdict = *verdict;
    } else if (key == "bpf_keyring" || key == "keyring_id") {
      ok = parseKeyring(v, e.bpf_keyring, spec.keyring_id);
    } else if (key == "bpf_kernel" || key == "kernel") {
      ok = parseBoolWord(v, e.bpf_kernel);
    } else {
      std::string hint = hintFor(key, kTextKeys, "keys");
      if (hint.empty())
        hint = fmt::format("; keys are {}", fmt::join(kTextKeys.begin(), kTextKeys.begin() + kCanonicalTextKeys, ", "));
      error = fmt::format("event: unknown key {}{}", quote(key), hint);
      return std::nullopt;
    }
    if (!ok) {
      error = fmt::format("event: invalid value {} for {}{}", quote(v), quote(key),
                          hintFor(v, textValues(key), "values"));
      return std::nullopt;
    }
  }
  if (!have_op) {
    error = "event: `op=` is required";
    return std::nullopt;
  }
  if (spec.event.op == sl::Op::BpfProgLoad && !file_given) spec.event.file = false;
  return spec;
}

std::optional<EventSpec> parseEventJson(std::string_view text, std::string& error) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    error = "event: not a JSON object";
    return std::nullopt;
  }
  EventSpec spec;
  Event& e = spec.event;
  auto fail = [&](std::string_view msg) {
    error = fmt::format("event: {}", msg);
    return std::nullopt;
  };
  if (!j.contains("op") || !j["op"].is_string()) return fail("\"op\" (a string) is required");
  const std::string op_text = j["op"].get<std::string>();
  auto op = sl::lookupOp(op_text);
  if (!op) {
    error = unknownOp(op_text);
    return std::nullopt;
  }
  // Members of the nested objects are checked as strictly as the top level's.
  auto unknownMember = [&](const json& object, std::string_view parent,
                           std::span<const std::string_view> members) -> std::optional<std::string> {
    for (auto& [name, value] : object.items())
      if (std::find(members.begin(), members.end(), name) == members.end())
        return fmt::format("unknown key {} in \"{}\"{}", quote(name), parent, hintFor(name, members, "keys"));
    return std::nullopt;
  };
  e.op = *op;
  e.file = e.op != sl::Op::BpfProgLoad;
  for (auto& [key, v] : j.items()) {
    if (key == "op") continue;
    if (key == "file") {
      if (!v.is_boolean()) return fail("\"file\" is true or false");
      e.file = v.get<bool>();
    } else if (key == "initramfs") {
      if (!v.is_boolean()) return fail("\"initramfs\" is true or false");
      e.initramfs = v.get<bool>();
    } else if (key == "bdev") {
      if (!v.is_string()) return fail("\"bdev\" is \"none\", \"plain\" or \"dm-verity\"");
      std::string b = v.get<std::string>();
      if (b == "none") e.bdev = Bdev::None;
      else if (b == "plain") e.bdev = Bdev::Plain;
      else if (b == "dm-verity") e.bdev = Bdev::DmVerity;
      else if (std::string hint = hintFor(b, kBdevWords, "values"); !hint.empty())
        return fail(fmt::format("invalid value {} for \"bdev\"{}", quote(b), hint));
      else return fail("\"bdev\" is \"none\", \"plain\" or \"dm-verity\"");
    } else if (key == "dmverity" || key == "fsverity") {
      if (v.is_null()) continue;
      if (!v.is_object()) return fail(fmt::format("\"{}\" is null or an object", key));
      const bool dm = key == "dmverity";
      if (auto bad = unknownMember(v, key, dm ? std::span<const std::string_view>(kDmverityKeys) : kFsverityKeys))
        return fail(*bad);
      const char* digest_key = dm ? "roothash" : "digest";
      if (v.contains(digest_key)) {
        if (!v[digest_key].is_string()) return fail(fmt::format("\"{}\" is \"alg:hex\"", digest_key));
        std::string& alg = dm ? spec.dm_alg : spec.fsv_alg;
        std::string& bytes = dm ? spec.dm_bytes : spec.fsv_bytes;
        if (!parseDigestValue(v[digest_key].get<std::string>(), alg, bytes, error)) {
          error = fmt::format("event: {}", error);
          return std::nullopt;
        }
        (dm ? spec.has_dm_digest : spec.has_fsv_digest) = true;
      }
      bool sig = false;
      if (v.contains("signed")) {
        if (!v["signed"].is_boolean()) return fail("\"signed\" is true or false");
        sig = v["signed"].get<bool>();
      }
      if (dm) {
        e.bdev = Bdev::DmVerity;
        e.dm_signed = sig;
      } else {
        e.fsverity = true;
        e.fsv_signed = sig;
      }
    } else if (key == "bpf") {
      if (v.is_null()) continue;
      if (!v.is_object()) return fail("\"bpf\" is null or an object");
      if (auto bad = unknownMember(v, "bpf", kBpfKeys)) return fail(*bad);
      if (v.contains("verdict")) {
        auto verdict = v["verdict"].is_string() ? sl::lookupValue(sl::Domain::BpfVerdict, v["verdict"].get<std::string>())
                                                : std::nullopt;
        const std::vector<std::string_view> verdicts = sl::valueSpellings(sl::Domain::BpfVerdict);
        std::string hint = v["verdict"].is_string() ? hintFor(v["verdict"].get<std::string>(), verdicts, "values") : "";
        if (!verdict && !hint.empty())
          return fail(fmt::format("invalid value {} for \"verdict\"{}", quote(v["verdict"].get<std::string>()), hint));
        if (!verdict) return fail(fmt::format("\"verdict\" is one of {}", fmt::join(verdicts, ", ")));
        e.bpf_verdict = *verdict;
      }
      if (v.contains("keyring_id")) {
        if (!v["keyring_id"].is_number_integer()) return fail("\"keyring_id\" is an integer");
        long long id = v["keyring_id"].get<long long>();
        e.bpf_keyring = id >= 0 && id <= 2 ? static_cast<uint8_t>(id) : kOtherKeyring;
        spec.keyring_id = id;
      }
      if (v.contains("kernel")) {
        if (!v["kernel"].is_boolean()) return fail("\"kernel\" is true or false");
        e.bpf_kernel = v["kernel"].get<bool>();
      }
    } else {
      return fail(fmt::format("unknown key {}{}", quote(key), hintFor(key, kJsonKeys, "keys")));
    }
  }
  return spec;
}

std::optional<Event> resolveEvent(const EventSpec& spec, const ast::Policy& policy, const Target& t,
                                  std::string& error) {
  Event e = spec.event;
  auto fail = [&](std::string_view msg) {
    error = fmt::format("event: {}", msg);
    return std::nullopt;
  };
  if (!t.dialect.knows(sl::opSeries(e.op)))
    return fail(fmt::format("op {} does not exist on target {}", sl::opSpelling(e.op), t.name));
  if (e.op == sl::Op::BpfProgLoad && e.file) return fail("a BPF program load has no file");
  if (!e.file && (e.initramfs || e.bdev != Bdev::None || e.fsverity))
    return fail("without a file there is no initramfs, block device or fs-verity");
  if (e.initramfs && (e.bdev != Bdev::None || e.fsverity))
    return fail("a file in the initramfs has no block device and no fs-verity");
  if (e.op != sl::Op::BpfProgLoad && (e.bpf_verdict != 0 || e.bpf_keyring != 0 || e.bpf_kernel))
    return fail("only BPF_PROG_LOAD events carry a BPF verdict, keyring or kernel flag");
  if (e.op == sl::Op::BpfProgLoad && opEvaluated(t, e.op) && !(validPoints(t, e.op) >> pointOf(e) & 1))
    return fail(e.bpf_verdict == 0
                    ? fmt::format("on target {} Hornet is active and always records a verdict", t.name)
                    : fmt::format("on target {} no integrity provider runs, so the verdict is NONE", t.name));
  if (spec.has_fsv_digest) {
    auto alg = sl::lookupDigestAlg(spec.fsv_alg);
    if (!alg || !sl::fsverityProduces(*alg) || spec.fsv_bytes.size() != sl::digestAlgLength(*alg))
      return fail(fmt::format("fs-verity never reports a {} digest of {} (it reports {})", quote(spec.fsv_alg),
                              byteCount(spec.fsv_bytes.size()), fsverityReports()));
    e.fsv_digest = policy.digests.find(spec.fsv_alg, spec.fsv_bytes).value_or(kOtherDigest);
  }
  if (spec.has_dm_digest) {
    auto alg = sl::lookupDigestAlg(spec.dm_alg);
    if (!alg || !sl::dmverityProduces(*alg) || spec.dm_bytes.size() != sl::digestAlgLength(*alg))
      return fail(fmt::format("dm-verity never reports a {} root hash of {}", quote(spec.dm_alg),
                              byteCount(spec.dm_bytes.size())));
    e.dm_roothash = policy.digests.find(spec.dm_alg, spec.dm_bytes).value_or(kOtherDigest);
  }
  return e;
}

std::string eventToJson(const Event& e, const ast::Policy& policy, const EventSpec* spec) {
  const bool dm_given = spec && spec->has_dm_digest, fsv_given = spec && spec->has_fsv_digest;
  json j;
  j["op"] = std::string(sl::opSpelling(e.op));
  j["file"] = e.file;
  j["initramfs"] = e.initramfs;
  if (e.file && e.bdev == Bdev::Plain) j["bdev"] = "plain";
  if (e.file && e.bdev == Bdev::DmVerity)
    j["dmverity"] = {{"roothash", digestText(e.dm_roothash, policy, dm_given ? &spec->dm_alg : nullptr,
                                             dm_given ? &spec->dm_bytes : nullptr)},
                     {"signed", e.dm_signed}};
  else
    j["dmverity"] = nullptr;
  if (e.file && e.fsverity)
    j["fsverity"] = {{"digest", digestText(e.fsv_digest, policy, fsv_given ? &spec->fsv_alg : nullptr,
                                           fsv_given ? &spec->fsv_bytes : nullptr)},
                     {"signed", e.fsv_signed}};
  else
    j["fsverity"] = nullptr;
  if (e.op == sl::Op::BpfProgLoad)
    j["bpf"] = {{"verdict", std::string(sl::valueSpelling(sl::Domain::BpfVerdict, e.bpf_verdict))},
                {"keyring_id", e.bpf_keyring != kOtherKeyring ? e.bpf_keyring
                                                              : spec ? spec->keyring_id : 1000},
                {"kernel", e.bpf_kernel}};
  else
    j["bpf"] = nullptr;
  return j.dump();
}

std::string eventToText(const Event& e, const ast::Policy& policy, const EventSpec* spec) {
  const bool dm_given = spec && spec->has_dm_digest, fsv_given = spec && spec->has_fsv_digest;
  auto word = [](bool b) { return b ? "true" : "false"; };
  std::string out = fmt::format("op={}", sl::opSpelling(e.op));
  auto add = std::back_inserter(out);
  if (e.op == sl::Op::BpfProgLoad) {
    fmt::format_to(add, " bpf_signature={}", sl::valueSpelling(sl::Domain::BpfVerdict, e.bpf_verdict));
    if (e.bpf_keyring == kOtherKeyring)
      fmt::format_to(add, " bpf_keyring={}", spec ? spec->keyring_id : 1000);
    else
      fmt::format_to(add, " bpf_keyring={}", sl::valueSpelling(sl::Domain::BpfKeyring, e.bpf_keyring));
    fmt::format_to(add, " bpf_kernel={}", word(e.bpf_kernel));
    return out;
  }
  out += e.file ? " file=present" : " file=absent";
  if (e.file && e.initramfs) out += " initramfs=true";
  if (!e.file || e.initramfs) return out;
  if (e.bdev == Bdev::Plain) out += " bdev=plain";
  if (e.bdev == Bdev::DmVerity)
    fmt::format_to(add, " dmverity={} dmverity_sig={}",
                   digestText(e.dm_roothash, policy, dm_given ? &spec->dm_alg : nullptr,
                              dm_given ? &spec->dm_bytes : nullptr),
                   word(e.dm_signed));
  if (e.fsverity)
    fmt::format_to(add, " fsverity={} fsverity_sig={}",
                   digestText(e.fsv_digest, policy, fsv_given ? &spec->fsv_alg : nullptr,
                              fsv_given ? &spec->fsv_bytes : nullptr),
                   word(e.fsv_signed));
  return out;
}

}  // namespace ipec::analysis
