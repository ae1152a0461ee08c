// SPDX-License-Identifier: Apache-2.0
#include "lsp/message.h"

#include <cstring>
#include <optional>
#include <random>
#include <string>

#include "base/hex.h"
#include "base/utf8.h"

namespace ipec::lsp {
namespace {

using nlohmann::json;

// Below this, nlohmann's lexer alone is fast enough.
constexpr size_t kLargeString = 4096;

struct TooDeep {};

// [begin, end) of the contents of the longest string token of `body`, quotes excluded. Outside
// strings a JSON text has no quote, so each quote found from the end of the previous string
// opens the next one; it closes at the first quote not escaped by an odd run of backslashes.
std::pair<size_t, size_t> longestString(std::string_view body) {
  std::pair<size_t, size_t> best{0, 0};
  size_t i = 0;
  while ((i = body.find('"', i)) != std::string_view::npos) {
    size_t end = i + 1;
    for (;;) {
      end = body.find('"', end);
      if (end == std::string_view::npos) return best;
      size_t slashes = 0;
      while (body[end - 1 - slashes] == '\\') ++slashes;
      if (slashes % 2 == 0) break;
      ++end;
    }
    if (end - (i + 1) > best.second - best.first) best = {i + 1, end};
    i = end + 1;
  }
  return best;
}

void appendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::optional<uint32_t> hex4(std::string_view s, size_t i) {
  if (i + 4 > s.size()) return std::nullopt;
  uint32_t v = 0;
  for (size_t k = i; k < i + 4; ++k) {
    const int d = hexDigitValue(s[k]);
    if (d < 0) return std::nullopt;
    v = v * 16 + static_cast<uint32_t>(d);
  }
  return v;
}

// The value of a JSON string's contents, or nullopt where JSON (RFC 8259) forbids them: a
// control character, a byte that is not UTF-8, an unknown escape, a lone surrogate.
std::optional<std::string> unescape(std::string_view s) {
  bool control = false;
  for (char c : s) control |= static_cast<unsigned char>(c) < 0x20;
  if (control || !isValidUtf8(s)) return std::nullopt;
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const void* hit = std::memchr(s.data() + i, '\\', s.size() - i);
    const size_t slash = hit ? static_cast<size_t>(static_cast<const char*>(hit) - s.data()) : s.size();
    out.append(s, i, slash - i);
    if (slash + 1 >= s.size()) return slash == s.size() ? std::optional<std::string>(std::move(out)) : std::nullopt;
    i = slash + 2;
    switch (s[slash + 1]) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        std::optional<uint32_t> cp = hex4(s, i);
        if (!cp || (*cp >= 0xDC00 && *cp <= 0xDFFF)) return std::nullopt;
        i += 4;
        if (*cp >= 0xD800 && *cp <= 0xDBFF) {
          std::optional<uint32_t> low = s.substr(i, 2) == "\\u" ? hex4(s, i + 2) : std::nullopt;
          if (!low || *low < 0xDC00 || *low > 0xDFFF) return std::nullopt;
          cp = 0x10000 + ((*cp - 0xD800) << 10) + (*low - 0xDC00);
          i += 6;
        }
        appendUtf8(out, *cp);
        break;
      }
      default: return std::nullopt;
    }
  }
  return out;
}

// What stands in for the large string while the rest is parsed: a value no client can guess.
const std::string& placeholder() {
  static const std::string p = [] {
    std::random_device rd;
    std::string s = "ipec-large-string-";
    for (int i = 0; i < 8; ++i)
      for (uint32_t v = rd(), k = 0; k < 8; ++k, v >>= 4) s += hexDigit(v & 0xF);
    return s;
  }();
  return p;
}

// nlohmann's parse with the depth bound; `large` replaces the placeholder's one occurrence as a
// value. False when the placeholder was not replaced exactly once (it was a key, or the client
// sent it too).
ParseStatus parseWith(std::string_view body, json& out, std::string* large, bool& replaced_once) {
  int replaced = 0;
  try {
    out = json::parse(
        body,
        [&](int depth, json::parse_event_t event, json& parsed) {
          if (depth > kMaxNesting) throw TooDeep{};
          if (large && (event == json::parse_event_t::value || event == json::parse_event_t::key) &&
              parsed.is_string() && parsed.get_ref<const std::string&>() == placeholder()) {
            if (event == json::parse_event_t::key) replaced = 2;  // a key cannot be replaced
            if (replaced++ == 0) parsed = std::move(*large);
          }
          return true;
        },
        /*allow_exceptions=*/false);
  } catch (const TooDeep&) {
    return ParseStatus::TooDeep;
  }
  replaced_once = replaced == 1;
  return out.is_discarded() ? ParseStatus::NotJson : ParseStatus::Ok;
}

}  // namespace

ParseStatus parseMessage(std::string_view body, json& out) {
  bool replaced_once = false;
  const auto [begin, end] = longestString(body);
  if (end - begin >= kLargeString) {
    if (std::optional<std::string> large = unescape(body.substr(begin, end - begin))) {
      std::string rest;
      rest.reserve(begin + placeholder().size() + (body.size() - end));
      rest.append(body, 0, begin).append(placeholder()).append(body, end);
      const ParseStatus s = parseWith(rest, out, &*large, replaced_once);
      if (s != ParseStatus::Ok || replaced_once) return s;
    }
  }
  // The body has no large string, or one that is not valid JSON: nlohmann says what is wrong.
  return parseWith(body, out, nullptr, replaced_once);
}

}  // namespace ipec::lsp
