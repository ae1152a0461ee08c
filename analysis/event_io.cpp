// SPDX-License-Identifier: Apache-2.0
#include "analysis/event_io.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <span>
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
  if (hint.empty()) {
    hint = "; expected one of ";
    for (size_t i = 0; i < ops.size(); ++i) hint += fmt::format("{}{}", i ? ", " : "", ops[i]);
  }
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
  if (v == "true" || v == "yes" || v == "1" || v == "present" || v == "TRUE") {
    out = true;
    return true;
  }
  if (v == "false" || v == "no" || v == "0" || v == "absent" || v == "FALSE") {
    out = false;
    return true;
  }
  return false;
}

bool parseDigestValue(std::string_view v, std::string& alg, std::string& bytes, std::string& error) {
  size_t colon = v.find(':');
  if (colon == std::string_view::npos) {
    error = "digest " + quote(v) + " is not `alg:hex`";
    return false;
  }
  alg = v.substr(0, colon);
  std::string_view hex = v.substr(colon + 1);
  if (hex.size() % 2) {
    error = "digest " + quote(v) + " has an odd number of hex digits";
    return false;
  }
  if (!decodeHex(hex, bytes)) {
    error = "digest " + quote(v) + " has a non-hex digit";
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
    if (!policy.digests.find("sha256", bytes)) return "sha256:" + hex(bytes);
  }
}

std::string digestText(DigestId id, const ast::Policy& policy, const std::string* alg = nullptr,
                       const std::string* bytes = nullptr) {
  if (id == kOtherDigest && alg) return *alg + ":" + hex(*bytes);
  if (id == kOtherDigest) return otherDigest(policy);
  DigestView v = policy.digests.get(id);
  return std::string(v.alg) + ":" + hex(v.bytes);
}

}  // namespace

std::optional<EventSpec> parseEventText(std::string_view text, std::string& error) {
  EventSpec spec;
  bool have_op = false, file_given = false;
  // Each key once (aliases count as their key): `op=EXECUTE,op=KMODULE` is a mistake, not a choice.
  auto canonical = [](std::string_view k) -> std::string_view {
    if (k == "dmverity_signed") return "dmverity_sig";
    if (k == "fsverity_signed") return "fsverity_sig";
    if (k == "bpf_verdict") return "bpf_signature";
    if (k == "keyring_id") return "bpf_keyring";
    if (k == "kernel") return "bpf_kernel";
    return k;
  };
  std::vector<std::string_view> seen;
  size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == ',')) ++pos;
    if (pos >= text.size()) break;
    size_t end = pos;
    while (end < text.size() && text[end] != ' ' && text[end] != '\t' && text[end] != ',') ++end;
    std::string_view item = text.substr(pos, end - pos);
    pos = end;
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      error = "event: expected key=value, got " + quote(item);
      return std::nullopt;
    }
    std::string_view key = item.substr(0, eq), v = item.substr(eq + 1);
    if (std::find(seen.begin(), seen.end(), canonical(key)) != seen.end()) {
      error = "event: " + quote(canonical(key)) + " is given twice";
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
      if (v == "none") e.bdev = Bdev::None;
      else if (v == "plain") e.bdev = Bdev::Plain;
      else if (v == "dm-verity" || v == "dmverity") e.bdev = Bdev::DmVerity;
      else ok = false;
    } else if (key == "dmverity") {
      if (v == "none") {
        if (e.bdev == Bdev::DmVerity) e.bdev = Bdev::None;
      } else {
        e.bdev = Bdev::DmVerity;
        spec.has_dm_digest = true;
        if (!parseDigestValue(v, spec.dm_alg, spec.dm_bytes, error)) {
          error = "event: " + error;
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
          error = "event: " + error;
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
      if (hint.empty()) {
        hint = "; keys are ";
        for (size_t i = 0; i < kCanonicalTextKeys; ++i) hint += fmt::format("{}{}", i ? ", " : "", kTextKeys[i]);
      }
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
  auto fail = [&](std::string msg) {
    error = "event: " + msg;
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
      if (!v.is_object()) return fail("\"" + key + "\" is null or an object");
      const bool dm = key == "dmverity";
      if (auto bad = unknownMember(v, key, dm ? std::span<const std::string_view>(kDmverityKeys) : kFsverityKeys))
        return fail(*bad);
      const char* digest_key = dm ? "roothash" : "digest";
      if (v.contains(digest_key)) {
        if (!v[digest_key].is_string()) return fail(std::string("\"") + digest_key + "\" is \"alg:hex\"");
        std::string& alg = dm ? spec.dm_alg : spec.fsv_alg;
        std::string& bytes = dm ? spec.dm_bytes : spec.fsv_bytes;
        if (!parseDigestValue(v[digest_key].get<std::string>(), alg, bytes, error)) {
          error = "event: " + error;
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
        if (!verdict) return fail("\"verdict\" is one of NONE, OK, UNSIGNED, PARTIALSIG, UNKNOWNKEY, UNEXPECTED, FAULT, BADSIG");
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
  auto fail = [&](std::string msg) {
    error = "event: " + msg;
    return std::nullopt;
  };
  if (!t.dialect.knows(sl::opSeries(e.op)))
    return fail("op " + std::string(sl::opSpelling(e.op)) + " does not exist on target " + t.name);
  if (e.op == sl::Op::BpfProgLoad && e.file) return fail("a BPF program load has no file");
  if (!e.file && (e.initramfs || e.bdev != Bdev::None || e.fsverity))
    return fail("without a file there is no initramfs, block device or fs-verity");
  if (e.initramfs && (e.bdev != Bdev::None || e.fsverity))
    return fail("a file in the initramfs has no block device and no fs-verity");
  if (e.op != sl::Op::BpfProgLoad && (e.bpf_verdict != 0 || e.bpf_keyring != 0 || e.bpf_kernel))
    return fail("only BPF_PROG_LOAD events carry a BPF verdict, keyring or kernel flag");
  if (e.op == sl::Op::BpfProgLoad && opEvaluated(t, e.op) && !(validPoints(t, e.op) >> pointOf(e) & 1))
    return fail(e.bpf_verdict == 0 ? "on target " + t.name + " Hornet is active and always records a verdict"
                                   : "on target " + t.name + " no integrity provider runs, so the verdict is NONE");
  if (spec.has_fsv_digest) {
    auto alg = sl::lookupDigestAlg(spec.fsv_alg);
    if (!alg || !sl::fsverityProduces(*alg) || spec.fsv_bytes.size() != sl::digestAlgLength(*alg))
      return fail("fs-verity never reports a " + quote(spec.fsv_alg) + " digest of " + std::to_string(spec.fsv_bytes.size()) +
                  (spec.fsv_bytes.size() == 1 ? " byte" : " bytes") + " (it reports sha256: 32 bytes, sha512: 64 bytes)");
    e.fsv_digest = policy.digests.find(spec.fsv_alg, spec.fsv_bytes).value_or(kOtherDigest);
  }
  if (spec.has_dm_digest) {
    auto alg = sl::lookupDigestAlg(spec.dm_alg);
    if (!alg || !sl::dmverityProduces(*alg) || spec.dm_bytes.size() != sl::digestAlgLength(*alg))
      return fail("dm-verity never reports a " + quote(spec.dm_alg) + " root hash of " + std::to_string(spec.dm_bytes.size()) +
                  (spec.dm_bytes.size() == 1 ? " byte" : " bytes"));
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
  std::string out = "op=" + std::string(sl::opSpelling(e.op));
  if (e.op == sl::Op::BpfProgLoad) {
    out += " bpf_signature=" + std::string(sl::valueSpelling(sl::Domain::BpfVerdict, e.bpf_verdict));
    out += " bpf_keyring=" + (e.bpf_keyring == kOtherKeyring ? std::to_string(spec ? spec->keyring_id : 1000)
                                                             : std::string(sl::valueSpelling(sl::Domain::BpfKeyring, e.bpf_keyring)));
    out += std::string(" bpf_kernel=") + (e.bpf_kernel ? "true" : "false");
    return out;
  }
  if (!e.file) return out + " file=absent";
  out += " file=present";
  if (e.initramfs) return out + " initramfs=true";
  if (e.bdev == Bdev::Plain) out += " bdev=plain";
  if (e.bdev == Bdev::DmVerity)
    out += " dmverity=" +
           digestText(e.dm_roothash, policy, dm_given ? &spec->dm_alg : nullptr, dm_given ? &spec->dm_bytes : nullptr) +
           " dmverity_sig=" + (e.dm_signed ? "true" : "false");
  if (e.fsverity)
    out += " fsverity=" +
           digestText(e.fsv_digest, policy, fsv_given ? &spec->fsv_alg : nullptr, fsv_given ? &spec->fsv_bytes : nullptr) +
           " fsverity_sig=" + (e.fsv_signed ? "true" : "false");
  return out;
}

}  // namespace ipec::analysis
