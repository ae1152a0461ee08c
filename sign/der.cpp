// SPDX-License-Identifier: Apache-2.0
#include "sign/der.h"

namespace ipec::sign {

bool parseDer(std::string_view& in, DerNode& out) {
  if (in.size() < 2) return false;
  out.tag = static_cast<uint8_t>(in[0]);
  if ((out.tag & 0x1f) == 0x1f) return false;
  size_t len = static_cast<uint8_t>(in[1]), head = 2;
  if (len & 0x80) {
    size_t n = len & 0x7f;
    if (n == 0 || n > 4 || in.size() < 2 + n) return false;
    len = 0;
    for (size_t i = 0; i < n; ++i) len = len << 8 | static_cast<uint8_t>(in[2 + i]);
    head += n;
  }
  if (in.size() - head < len) return false;
  std::string_view body = in.substr(head, len);
  in.remove_prefix(head + len);
  if (!(out.tag & 0x20)) {
    out.value = body;
    return true;
  }
  while (!body.empty()) {
    out.kids.emplace_back();
    if (!parseDer(body, out.kids.back())) return false;
  }
  return true;
}

void encodeDer(const DerNode& n, std::string& out) {
  std::string body = n.value;
  for (const DerNode& k : n.kids) encodeDer(k, body);
  out += static_cast<char>(n.tag);
  if (body.size() < 0x80) {
    out += static_cast<char>(body.size());
  } else {
    std::string len;
    for (size_t s = body.size(); s; s >>= 8) len.insert(len.begin(), static_cast<char>(s & 0xff));
    out += static_cast<char>(0x80 | len.size());
    out += len;
  }
  out += body;
}

}  // namespace ipec::sign
