// SPDX-License-Identifier: Apache-2.0
#include "tests/reference/generator.h"

#include <array>
#include <stdexcept>
#include <utility>
#include <vector>

#include "stdlib/catalog.h"

namespace ipec::reference {

namespace sl = ipec::stdlib;

namespace {

// Literal pools: a few producible digests per subsystem, plus impossible ones.
const std::array<const char*, 6> kFsvLiterals = {
    "sha256:" "1111111111111111111111111111111111111111111111111111111111111111",
    "sha256:" "2222222222222222222222222222222222222222222222222222222222222222",
    "sha512:" "33333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333",
    "sha256:" "4444",                                            // wrong length: never matches
    "md5:" "55555555555555555555555555555555",                   // fs-verity never reports md5
    "sha256:" "1111111111111111111111111111111111111111111111111111111111111111",
};
const std::array<const char*, 5> kDmLiterals = {
    "sha256:" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "sha256:" "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
    "sha1:" "cccccccccccccccccccccccccccccccccccccccc",
    "SHA256:" "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",  // upper case alg
    "sha256:" "2222222222222222222222222222222222222222222222222222222222222222",
};
const std::array<const char*, 4> kProfiles = {"linux-6.12", "linux-6.19", "hornet-v5", "hornet-v7"};

}  // namespace

GeneratedCase generateCase(uint64_t seed, unsigned max_rules) {
  std::mt19937_64 rng(seed);
  auto pick = [&](unsigned n) { return static_cast<unsigned>(rng() % n); };
  auto chance = [&](unsigned percent) { return pick(100) < percent; };
  GeneratedCase c;
  c.target_name = kProfiles[pick(kProfiles.size())];
  std::string error;
  auto t = analysis::loadTarget(c.target_name, error);
  if (!t) throw std::runtime_error(error);
  c.target = *t;
  // Switch options off at random (each with some probability).
  for (unsigned i = 0; i < sl::kNumKconfigs; ++i)
    if (chance(8)) c.target.kconfig[i] = false;
  if (chance(10)) std::erase(c.target.lsm, "hornet");
  if (chance(3)) std::erase(c.target.lsm, "ipe");

  std::vector<sl::Op> ops;
  for (sl::Op op : sl::kAllOps)
    if (c.target.dialect.knows(sl::opSeries(op))) ops.push_back(op);
  // Concentrate on few ops so that rules interact.
  std::vector<sl::Op> used;
  unsigned nops = 1 + pick(2);
  for (unsigned i = 0; i < nops; ++i) used.push_back(ops[pick(ops.size())]);
  if (c.target.dialect.hornet && chance(40)) used.push_back(sl::Op::BpfProgLoad);

  std::string text = "policy_name=gen" + std::to_string(seed) + " policy_version=1.0.0\n";
  bool global = chance(85);
  std::vector<std::string> lines;
  if (global) lines.push_back(std::string("DEFAULT action=") + (chance(50) ? "ALLOW" : "DENY"));
  for (sl::Op op : ops) {
    bool needed = !global;
    if (needed || chance(20))
      lines.push_back("DEFAULT op=" + std::string(sl::opSpelling(op)) + " action=" + (chance(50) ? "ALLOW" : "DENY"));
  }
  // Rules as (op, properties, action), so that later rules can repeat or complement earlier ones.
  struct Rule {
    sl::Op op;
    std::vector<std::pair<sl::Prop, std::string>> props;
    bool allow;
  };
  std::vector<Rule> rules;
  unsigned nrules = 1 + pick(max_rules);
  for (unsigned r = 0; r < nrules; ++r) {
    // Now and then an exact copy of an earlier rule (same or opposite action), or its complement
    // in one boolean property: duplicates, and pairs such as boot_verified=TRUE / FALSE that
    // together cover every event, make DEFAULTs unreachable and ops decide one action.
    if (!rules.empty() && chance(10)) {
      Rule copy = rules[pick(rules.size())];
      if (chance(30)) copy.allow = !copy.allow;
      rules.push_back(copy);
      continue;
    }
    if (!rules.empty() && chance(15)) {
      Rule comp = rules[pick(rules.size())];
      std::vector<size_t> bools;
      for (size_t k = 0; k < comp.props.size(); ++k)
        if (sl::propDomain(comp.props[k].first) == sl::Domain::Bool) bools.push_back(k);
      if (!bools.empty()) {
        std::string& v = comp.props[bools[pick(bools.size())]].second;
        v = v == "TRUE" ? "FALSE" : "TRUE";
        if (chance(50)) comp.allow = !comp.allow;
        rules.push_back(comp);
        continue;
      }
    }
    Rule rule{used[pick(used.size())], {}, false};
    const sl::Op op = rule.op;
    unsigned nprops = pick(4);
    for (unsigned k = 0; k < nprops; ++k) {
      std::vector<sl::Prop> props;
      for (sl::Prop p : sl::kAllProps) {
        if (!c.target.dialect.knows(sl::propSeries(p))) continue;
        // Mostly properties that fit the op, sometimes any (cross-op quirks).
        bool fits = (sl::propSubject(p) == sl::Subject::Bpf) == (op == sl::Op::BpfProgLoad);
        if (fits || chance(15)) props.push_back(p);
      }
      if (props.empty()) continue;
      sl::Prop p = props[pick(props.size())];
      std::string value;
      switch (sl::propDomain(p)) {
        case sl::Domain::Digest:
          value = p == sl::Prop::FsverityDigest ? kFsvLiterals[pick(kFsvLiterals.size())]
                                                : kDmLiterals[pick(kDmLiterals.size())];
          break;
        case sl::Domain::Bool:
        case sl::Domain::BpfVerdict:
        case sl::Domain::BpfKeyring: {
          unsigned n = sl::domainSize(sl::propDomain(p));
          // Bias bpf_signature to a few values so rules overlap.
          unsigned v = sl::propDomain(p) == sl::Domain::BpfVerdict && chance(70) ? pick(3) : pick(n);
          value = sl::valueSpelling(sl::propDomain(p), static_cast<uint8_t>(v));
          break;
        }
      }
      rule.props.emplace_back(p, std::move(value));
    }
    rule.allow = chance(50);
    rules.push_back(std::move(rule));
  }
  for (const Rule& rule : rules) {
    std::string line = "op=" + std::string(sl::opSpelling(rule.op));
    for (const auto& [p, value] : rule.props) line += " " + std::string(sl::propKey(p)) + "=" + value;
    line += std::string(" action=") + (rule.allow ? "ALLOW" : "DENY");
    lines.push_back(line);
  }
  // DEFAULT lines may sit anywhere: shuffle them among the rules now and then.
  if (chance(30) && lines.size() > 1) std::swap(lines[0], lines[pick(lines.size())]);
  for (const std::string& l : lines) text += l + "\n";
  c.text = std::move(text);
  return c;
}

}  // namespace ipec::reference

namespace ipec::reference {
namespace {

std::vector<std::string> splitLines(const std::string& text) {
  std::vector<std::string> lines;
  for (size_t at = 0; at < text.size();) {
    size_t nl = text.find('\n', at);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(text.substr(at, nl - at));
    at = nl + 1;
  }
  return lines;
}

// Replaces the value of the first `key=` token of `line` (if any).
bool replaceValue(std::string& line, const std::string& key, const std::string& value) {
  const size_t at = line.find(" " + key + "=");
  if (at == std::string::npos) return false;
  const size_t begin = at + key.size() + 2;
  const size_t end = std::min(line.find(' ', begin), line.size());
  line.replace(begin, end - begin, value);
  return true;
}

}  // namespace

std::string mutatePolicy(const std::string& text, uint64_t seed) {
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + 7);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  std::vector<std::string> lines = splitLines(text);  // lines[0] is the header
  const unsigned edits = pick(8) == 0 ? 0 : static_cast<unsigned>(1 + pick(3));
  for (unsigned e = 0, tries = 0; e < edits && lines.size() > 1 && tries < 20; ++tries) {
    const std::vector<std::string> before = lines;
    const size_t i = 1 + pick(lines.size() - 1), j = 1 + pick(lines.size() - 1);
    std::string& line = lines[i];
    const bool is_default = line.starts_with("DEFAULT");
    switch (pick(11)) {
      case 0:  // remove (a DEFAULT too: the kernel may then reject the policy)
        lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      case 1:  // duplicate next to itself, or somewhere else
        lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(pick(2) ? i : j), line);
        if (is_default) lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(i));  // one DEFAULT per op
        break;
      case 2:  // swap with the next line, or move
        if (i + 1 < lines.size() && pick(2)) {
          std::swap(lines[i], lines[i + 1]);
        } else {
          std::string moved = line;
          lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(i));
          lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(std::min(j, lines.size())), moved);
        }
        break;
      case 3:
      case 4: {  // flip the action (of a rule or a DEFAULT)
        const bool allow = line.find("action=ALLOW") != std::string::npos;
        replaceValue(line, "action", allow ? "DENY" : "ALLOW");
        break;
      }
      case 5: {  // replace a digest literal with another of the pools
        const std::string f = kFsvLiterals[pick(kFsvLiterals.size())];
        const std::string h = kDmLiterals[pick(kDmLiterals.size())];
        if (!replaceValue(line, "fsverity_digest", f)) replaceValue(line, "dmverity_roothash", h);
        break;
      }
      case 6: {  // drop the last property of a rule
        const size_t last = line.rfind(" action=");
        const size_t prev = last == std::string::npos ? last : line.rfind(' ', last - 1);
        if (!is_default && prev != std::string::npos && line.compare(prev + 1, 3, "op=") != 0)
          line.erase(prev, last - prev);
        break;
      }
      case 7:  // a copy of another rule with its action flipped, added here
        if (!lines[j].starts_with("DEFAULT")) {
          std::string copy = lines[j];
          const bool allow = copy.find("action=ALLOW") != std::string::npos;
          replaceValue(copy, "action", allow ? "DENY" : "ALLOW");
          lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(i), copy);
        }
        break;
      case 8:  // a catch-all for the rule's op
        if (!is_default) lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(i),
                                      line.substr(0, line.find(' ')) + (pick(2) ? " action=ALLOW" : " action=DENY"));
        break;
      case 9:  // a rule on one digest literal for the rule's op (so that the two kinds cross)
        if (!is_default) {
          const std::string prop = pick(2) ? std::string(" fsverity_digest=") + kFsvLiterals[pick(3)]
                                           : std::string(" dmverity_roothash=") + kDmLiterals[pick(3)];
          lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(j),
                       line.substr(0, line.find(' ')) + prop + (pick(2) ? " action=ALLOW" : " action=DENY"));
        }
        break;
      default:  // unchanged
        break;
    }
    e += lines != before;  // an edit that did not apply is drawn again
  }
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

}  // namespace ipec::reference
