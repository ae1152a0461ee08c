// SPDX-License-Identifier: Apache-2.0
// What the words of a policy mean, in Markdown: one source for hover and for completion's
// `detail` and `documentation`. Meanings come from stdlib/ (triggers, hooks, descriptions,
// Kconfig gates), the target decides what is evaluated (analysis/event_model.h), and the
// document's DEFAULTs decide what happens when no rule matches.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "analysis/target.h"
#include "lsp/analyzed.h"
#include "stdlib/catalog.h"

namespace ipec::lsp::explain {

// A Markdown code span showing `text` exactly (a longer fence around backticks).
std::string code(std::string_view text);

// The op: what it guards, the kernel's enumerator and hooks, and whether the target asks IPE.
std::string op(const analysis::Target& t, stdlib::Op op);
// One line: what it guards, or why the target never asks IPE about it.
std::string opBrief(const analysis::Target& t, stdlib::Op op);

// Whether the target evaluates `p` (its Kconfig option, if any, is on).
bool compiledIn(const analysis::Target& t, stdlib::Prop p);
// A property with its value as written after `key=` (nullopt: the key alone): what it tests, its
// Kconfig gate on the target, and the ops it is meaningful for.
std::string property(const analysis::Target& t, stdlib::Prop p, std::optional<std::string_view> value);
// One line: what it tests (with `value`), or that the target compiled it out.
std::string propertyBrief(const analysis::Target& t, stdlib::Prop p, std::optional<std::string_view> value);

// The statement a DEFAULT or action= stands on, as far as its tokens say.
struct Scope {
  bool is_default = false;
  bool has_op_token = false;     // an `op=` token, known or not
  std::optional<stdlib::Op> op;  // its op, when the target's parser knows it
};
// DEFAULT and action=: what they decide, and what decides the events no rule matches. Empty for a
// DEFAULT of an op the target does not know.
std::string defaultWord(const Analyzed& a, Scope s);
std::string actionWord(const Analyzed& a, Scope s, std::optional<stdlib::Action> action);

// The header's tokens: the name and version rules (what loading and updating need).
std::string policyName(std::string_view written);
// `read_as`: the version the kernel reads, when it is spelled otherwise (`+1.02.3` is 1.2.3).
std::string policyVersion(std::string_view written, std::optional<std::string> read_as);

}  // namespace ipec::lsp::explain
