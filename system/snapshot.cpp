// SPDX-License-Identifier: Apache-2.0
// The snapshot file: the facts as JSON, so that a check can run elsewhere (and tests can run
// without a live machine). Unknown facts are JSON null. docs/cli.md#ipec-system-snapshot.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/hex.h"
#include "system/facts.h"

namespace ipec::system {
namespace {

using json = nlohmann::json;
constexpr int kFormat = 1;

json triJson(Tri t) { return t == Tri::Unknown ? json(nullptr) : json(t == Tri::Yes); }

Tri triFrom(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return Tri::Unknown;
  if (!j[key].is_boolean()) throw std::invalid_argument(fmt::format("`{}` must be true, false or null", key));
  return tri(j[key].get<bool>());
}

std::string str(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return {};
  if (!j[key].is_string()) throw std::invalid_argument(fmt::format("`{}` must be a string", key));
  return j[key].get<std::string>();
}

const char* const kBdevNames[] = {"none", "plain", "dm-verity", "unknown"};

// "alg:HEX" -> alg and bytes.
void splitDigest(const std::string& text, std::string& alg, std::string& bytes, const char* what) {
  auto colon = text.find(':');
  if (colon == std::string::npos || !llvm::tryGetFromHex(llvm::StringRef(text).substr(colon + 1), bytes))
    throw std::invalid_argument(fmt::format("`{}` must be ALG:HEX", what));
  alg = text.substr(0, colon);
}

json objectJson(const ObjectFacts& o) {
  json j;
  j["op"] = std::string(stdlib::opSpelling(o.op));
  j["path"] = o.path;
  j["file"] = triJson(o.file);
  j["sources"] = o.sources;
  j["error"] = o.error.empty() ? json(nullptr) : json(o.error);
  j["initramfs"] = triJson(o.initramfs);
  json b;
  b["kind"] = kBdevNames[static_cast<unsigned>(o.bdev.kind)];
  b["dev"] = o.bdev.dev.empty() ? json(nullptr) : json(o.bdev.dev);
  if (!o.bdev.why.empty()) b["why"] = o.bdev.why;
  if (o.bdev.kind == BdevKind::DmVerity) {
    b["roothash"] = o.bdev.roothash.empty() ? json(nullptr) : json(fmt::format("{}:{}", o.bdev.roothash_alg, hex(o.bdev.roothash)));
    b["signature"] = triJson(o.bdev.signature);
  }
  j["bdev"] = std::move(b);
  json f;
  f["enabled"] = triJson(o.fsverity.enabled);
  if (o.fsverity.enabled == Tri::Yes) {
    f["digest"] = fmt::format("{}:{}", o.fsverity.alg, hex(o.fsverity.digest));
    f["signature"] = triJson(o.fsverity.signature);
  }
  j["fsverity"] = std::move(f);
  return j;
}

ObjectFacts objectFrom(const json& j) {
  ObjectFacts o;
  auto op = stdlib::lookupOp(str(j, "op"));
  if (!op) throw std::invalid_argument(fmt::format("unknown op `{}`", str(j, "op")));
  o.op = *op;
  o.path = str(j, "path");
  o.file = j.contains("file") ? triFrom(j, "file") : Tri::Yes;
  if (j.contains("sources") && j["sources"].is_array())
    for (const json& s : j["sources"]) o.sources.push_back(s.is_string() ? s.get<std::string>() : s.dump());
  o.error = str(j, "error");
  o.initramfs = triFrom(j, "initramfs");
  if (j.contains("bdev") && j["bdev"].is_object()) {
    const json& b = j["bdev"];
    const std::string kind = b.contains("kind") && b["kind"].is_string() ? b["kind"].get<std::string>() : "unknown";
    auto k = std::find(std::begin(kBdevNames), std::end(kBdevNames), kind);
    if (k == std::end(kBdevNames)) throw std::invalid_argument(fmt::format("unknown bdev kind `{}`", kind));
    o.bdev.kind = static_cast<BdevKind>(k - std::begin(kBdevNames));
    o.bdev.dev = str(b, "dev");
    o.bdev.why = str(b, "why");
    if (!str(b, "roothash").empty()) splitDigest(str(b, "roothash"), o.bdev.roothash_alg, o.bdev.roothash, "roothash");
    o.bdev.signature = triFrom(b, "signature");
  }
  if (j.contains("fsverity") && j["fsverity"].is_object()) {
    const json& f = j["fsverity"];
    o.fsverity.enabled = triFrom(f, "enabled");
    if (!str(f, "digest").empty()) splitDigest(str(f, "digest"), o.fsverity.alg, o.fsverity.digest, "digest");
    if (o.fsverity.enabled == Tri::Yes && o.fsverity.digest.empty())
      throw std::invalid_argument(fmt::format("{}: fs-verity enabled without a digest (use null for unknown)", o.path));
    o.fsverity.signature = o.fsverity.enabled == Tri::No ? Tri::No : triFrom(f, "signature");
  }
  return o;
}

}  // namespace

std::string ipeToJson(const IpeFacts& facts) {
  json ipe;
  ipe["present"] = triJson(facts.present);
  ipe["why"] = facts.why;
  ipe["enforce"] = facts.enforce ? json(*facts.enforce) : json(nullptr);
  json ps = json::array();
  for (const LoadedPolicy& p : facts.policies) ps.push_back({{"name", p.name}, {"version", p.version}, {"active", p.active}});
  ipe["policies"] = facts.policies_known ? std::move(ps) : json(nullptr);
  return ipe.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string factsToJson(const SystemFacts& facts) {
  json j;
  j["ipec_system_snapshot"] = kFormat;
  j["kernel_release"] = facts.kernel_release;
  j["ipe"] = json::parse(ipeToJson(facts.ipe));
  json objs = json::array();
  for (const ObjectFacts& o : facts.objects) objs.push_back(objectJson(o));
  j["objects"] = std::move(objs);
  j["notes"] = facts.notes;
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::optional<SystemFacts> factsFromJson(std::string_view text, std::string& error) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    error = "not a JSON object";
    return std::nullopt;
  }
  if (!j.contains("ipec_system_snapshot") || j["ipec_system_snapshot"] != kFormat) {
    error = fmt::format("not an ipec system snapshot (expected \"ipec_system_snapshot\": {})", kFormat);
    return std::nullopt;
  }
  try {
    SystemFacts facts;
    facts.kernel_release = str(j, "kernel_release");
    const json ipe = j.value("ipe", json::object());
    facts.ipe.present = triFrom(ipe, "present");
    facts.ipe.why = str(ipe, "why");
    if (ipe.contains("enforce") && ipe["enforce"].is_boolean()) facts.ipe.enforce = ipe["enforce"].get<bool>();
    if (ipe.contains("policies") && ipe["policies"].is_array()) {
      facts.ipe.policies_known = true;
      for (const json& p : ipe["policies"])
        facts.ipe.policies.push_back({str(p, "name"), str(p, "version"), p.value("active", false)});
    }
    if (j.contains("objects") && j["objects"].is_array())
      for (const json& o : j["objects"]) facts.objects.push_back(objectFrom(o));
    if (j.contains("notes") && j["notes"].is_array())
      for (const json& n : j["notes"])
        if (n.is_string()) facts.notes.push_back(n.get<std::string>());
    return facts;
  } catch (const std::exception& e) {
    error = e.what();
    return std::nullopt;
  }
}

}  // namespace ipec::system
