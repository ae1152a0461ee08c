// SPDX-License-Identifier: Apache-2.0
// The policy as the kernel understands it: header, and statements in file order.
// Tokens have become enums; no later phase compares strings.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/source.h"
#include "frontend/digest_pool.h"
#include "stdlib/catalog.h"

namespace ipec::ast {

using stdlib::Action;
using stdlib::Op;
using stdlib::Prop;

struct Version {
  std::array<uint16_t, 3> parts{};
  // The kernel compares versions as (major << 32) | (minor << 16) | rev.
  uint64_t ordinal() const {
    return (uint64_t{parts[0]} << 32) | (uint64_t{parts[1]} << 16) | parts[2];
  }
  std::string str() const;
};

struct Header {
  std::string name;
  Version version;
  Range name_range;     // the value after `policy_name=`
  Range version_range;  // the value after `policy_version=`
  Range range;          // the whole header line content
};

struct Property {
  Prop prop{};
  uint8_t value = 0;      // the kernel number of the value (Bool, BpfVerdict, BpfKeyring)
  DigestId digest = 0;    // for Digest-domain properties
  Range range;
};

enum class StatementKind : uint8_t { Rule, Default };

struct Statement {
  StatementKind kind = StatementKind::Rule;
  bool has_op = false;
  Op op{};
  Action action{};
  uint32_t first_prop = 0;
  uint32_t prop_count = 0;
  Range range;           // the line content the kernel parsed
  Range op_range;        // the `op=` token (empty when absent)
  Range action_range;    // the `action=` token
  bool isDefault() const { return kind == StatementKind::Default; }
  bool isGlobalDefault() const { return isDefault() && !has_op; }
};

struct Policy {
  std::optional<Header> header;
  std::vector<Statement> statements;  // rules and DEFAULTs, in file order
  std::vector<Property> properties;   // statements index into this
  DigestPool digests;

  const Property* propsBegin(const Statement& s) const { return properties.data() + s.first_prop; }
  const Property* propsEnd(const Statement& s) const { return propsBegin(s) + s.prop_count; }
};

}  // namespace ipec::ast
