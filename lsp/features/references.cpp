// SPDX-License-Identifier: Apache-2.0
// textDocument/references: where else the digest under the cursor appears, in every open
// document. Two tokens are the same digest when the kernel would match the same files with them:
// the same algorithm name (the kernel compares it byte for byte) and the same decoded bytes (its
// hex parser takes upper and lower case alike). The property does not matter: an fs-verity
// digest and a dm-verity root hash with the same bytes are shown together, as the same value.
#include <algorithm>
#include <tuple>

#include "lsp/features.h"

namespace ipec::lsp {
namespace {

// The value of a digest property: after its `=` (and the spaces `key = value` may have).
Range valueRange(const Analyzed& a, const ast::Property& p) {
  const std::string_view token = a.text(p.range);
  size_t at = token.find('=');
  at = at == std::string_view::npos ? 0 : at + 1;
  while (at < token.size() && (token[at] == ' ' || token[at] == '\t')) ++at;
  return {p.range.begin + static_cast<uint32_t>(at), p.range.end};
}

bool isDigest(const ast::Property& p) { return stdlib::propDomain(p.prop) == stdlib::Domain::Digest; }

// The digest property whose token holds `offset` (its end included: the cursor just after it).
const ast::Property* digestAt(const Analyzed& a, uint32_t offset) {
  for (const ast::Property& p : a.checked.parsed.policy.properties)
    if (isDigest(p) && p.range.begin <= offset && offset <= p.range.end) return &p;
  return nullptr;
}

struct Found {
  std::string uri;
  uint32_t offset;
  json location;
};

}  // namespace

json references(const Feature& f, const std::vector<std::shared_ptr<const Analyzed>>& open) {
  const Analyzed& here = f.doc;
  const ast::Property* origin = digestAt(here, here.index->offsetOf(positionFrom(f.params.at("position")), f.enc));
  if (!origin) return json::array();
  const json& context = f.params.contains("context") ? f.params["context"] : json::object();
  const bool include_origin = context.value("includeDeclaration", false);
  const DigestView want = here.checked.parsed.policy.digests.get(origin->digest);

  std::vector<const Analyzed*> docs{&here};
  for (const auto& a : open)
    if (a && a->doc.uri != here.doc.uri) docs.push_back(a.get());
  std::vector<Found> found;
  for (const Analyzed* a : docs) {
    const ast::Policy& pol = a->checked.parsed.policy;
    for (const ast::Property& p : pol.properties) {
      if (!isDigest(p) || (a == &here && &p == origin && !include_origin)) continue;
      const DigestView got = pol.digests.get(p.digest);
      if (got.alg != want.alg || got.bytes != want.bytes) continue;
      const Range r = valueRange(*a, p);
      found.push_back({a->doc.uri, r.begin, {{"uri", a->doc.uri}, {"range", toJson(toLspRange(*a->index, r, f.enc))}}});
    }
  }
  std::sort(found.begin(), found.end(),
            [](const Found& x, const Found& y) { return std::tie(x.uri, x.offset) < std::tie(y.uri, y.offset); });
  json out = json::array();
  for (Found& x : found) out.push_back(std::move(x.location));
  return out;
}

}  // namespace ipec::lsp
