// SPDX-License-Identifier: Apache-2.0
// Events as users write them (`ipec eval --event`, `--events FILE.jsonl`) and as ipec prints
// them (witnesses). docs/events.md documents both syntaxes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "analysis/event_model.h"

namespace ipec::analysis {

// An event as written, with its digests as (algorithm, bytes) rather than policy ids.
struct EventSpec {
  Event event;  // digest fields unresolved
  std::string fsv_alg, fsv_bytes, dm_alg, dm_bytes;
  bool has_fsv_digest = false, has_dm_digest = false;
  long long keyring_id = 0;  // as written (the event keeps only 0, 1, 2 or "other")
};

// `op=EXECUTE file=present initramfs=false fsverity=sha256:HEX fsverity_sig=true ...`
std::optional<EventSpec> parseEventText(std::string_view text, std::string& error);
// {"op":"EXECUTE","file":true,"initramfs":false,"dmverity":null|{...},"fsverity":null|{...},"bpf":null|{...}}
std::optional<EventSpec> parseEventJson(std::string_view json, std::string& error);

// Checks the physical constraints and the target (a digest fs-verity cannot produce, a verdict
// Hornet cannot give on this target, ...), and resolves digests against the policy's literals.
std::optional<Event> resolveEvent(const EventSpec& spec, const ast::Policy& policy, const Target& t,
                                  std::string& error);

// JSON (the same schema parseEventJson reads). "Other" digests become a concrete digest that no
// literal of the policy equals.
// With `spec`, digests the policy does not mention are printed as the spec wrote them.
std::string eventToJson(const Event& e, const ast::Policy& policy, const EventSpec* spec = nullptr);
// The text syntax, e.g. for messages.
std::string eventToText(const Event& e, const ast::Policy& policy, const EventSpec* spec = nullptr);

}  // namespace ipec::analysis
