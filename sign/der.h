// SPDX-License-Identifier: Apache-2.0
// Just enough DER to read what OpenSSL's API does not expose (the SignedData and SignerInfo
// versions the kernel checks) and to rewrite ipec's own output: one-byte tags, definite lengths.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ipec::sign {

struct DerNode {
  uint8_t tag = 0;
  std::string value;          // primitive
  std::vector<DerNode> kids;  // constructed
};

// Parses one TLV from the front of `in` (which then holds the rest); false on anything else.
bool parseDer(std::string_view& in, DerNode& out);
void encodeDer(const DerNode& node, std::string& out);

}  // namespace ipec::sign
