// SPDX-License-Identifier: Apache-2.0
#include "frontend/scanner.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ipec::frontend {
namespace {

std::vector<std::vector<std::string>> kernelLines(const std::string& text) {
  SourceFile f("t.pol", text);
  DiagnosticOptions opts;
  DiagnosticEngine diags(opts);
  ScanResult r = scan(f, diags);
  std::vector<std::vector<std::string>> out;
  for (const Line& l : r.lines) {
    if (!l.hasTokens()) continue;
    std::vector<std::string> toks;
    for (uint32_t i = 0; i < l.token_count; ++i) {
      Range t = r.tokens[l.first_token + i].range;
      toks.emplace_back(text.substr(t.begin, t.size()));
    }
    out.push_back(toks);
  }
  return out;
}

using Lines = std::vector<std::vector<std::string>>;

TEST(Scanner, EveryCrAndLfEndsALine) {
  EXPECT_EQ(kernelLines("a b\nc\rd\r\ne"), (Lines{{"a", "b"}, {"c"}, {"d"}, {"e"}}));
  EXPECT_EQ(kernelLines("# note\rop=EXECUTE action=ALLOW"), (Lines{{"op=EXECUTE", "action=ALLOW"}}));
}

TEST(Scanner, HashCutsWhereverItStands) {
  EXPECT_EQ(kernelLines("policy_name=a#b policy_version=0.0.0"), (Lines{{"policy_name=a"}}));
  EXPECT_EQ(kernelLines("  # comment\nx"), (Lines{{"x"}}));
}

TEST(Scanner, FirstNulEndsThePolicy) {
  EXPECT_EQ(kernelLines(std::string("a\nb\0c\nd", 7)), (Lines{{"a"}, {"b"}}));
  EXPECT_EQ(kernelLines(std::string("\0a", 2)), Lines{});
}

TEST(Scanner, TrailingKernelIsspaceIsStrippedButOnlySpaceAndTabSeparate) {
  EXPECT_EQ(kernelLines("a b\v\f\xa0 \t"), (Lines{{"a", "b"}}));
  EXPECT_EQ(kernelLines("a\vb c"), (Lines{{"a\vb", "c"}}));
  EXPECT_EQ(kernelLines("\va"), (Lines{{"\va"}}));
  EXPECT_EQ(kernelLines("a \v b"), (Lines{{"a", "\v", "b"}}));
  EXPECT_EQ(kernelLines("\v\f\xa0"), Lines{});
  EXPECT_EQ(kernelLines("a\v#x"), (Lines{{"a"}}));
}

TEST(Scanner, ClassifiesByPrefix) {
  EXPECT_EQ(classify("DEFAULT", 0).kind, TokenKind::Default);
  EXPECT_EQ(classify("DEFAULTS", 0).kind, TokenKind::Word);
  EXPECT_EQ(classify("op=", 0).kind, TokenKind::Op);
  EXPECT_EQ(classify("op=EXECUTE", 0).kind, TokenKind::Op);
  EXPECT_EQ(classify("action=x", 0).kind, TokenKind::Action);
  EXPECT_EQ(classify("policy_name=x", 0).kind, TokenKind::PolicyName);
  EXPECT_EQ(classify("policy_version=1", 0).kind, TokenKind::PolicyVersion);
  Token p = classify("boot_verified=TRUE=x", 10);
  EXPECT_EQ(p.kind, TokenKind::Property);
  EXPECT_EQ(p.key().begin, 10u);
  EXPECT_EQ(p.key().end, 23u);
  EXPECT_EQ(p.value().begin, 24u);
  EXPECT_EQ(classify("UNKNOWN", 0).kind, TokenKind::Word);
}

TEST(Scanner, LexicalWarnings) {
  auto ids = [](const std::string& text) {
    SourceFile f("t.pol", text);
    DiagnosticOptions opts;
    DiagnosticEngine diags(opts);
    scan(f, diags);
    std::vector<std::string> out;
    for (const Diagnostic& d : diags.diagnostics()) out.emplace_back(diagName(d.id));
    return out;
  };
  EXPECT_EQ(ids("a\r\nb\r\n"), std::vector<std::string>{});
  EXPECT_EQ(ids("# x\ry\nz\n"), std::vector<std::string>{"bare-cr"});
  EXPECT_EQ(ids("a\rb\rc\r"), std::vector<std::string>{"bare-cr"});  // CR-only: once
  EXPECT_EQ(ids(std::string("a\0b", 3)), std::vector<std::string>{"text-after-nul"});
  EXPECT_EQ(ids("a#b\n"), std::vector<std::string>{"comment-in-value"});
  EXPECT_EQ(ids("a #b\n"), std::vector<std::string>{});
}

}  // namespace
}  // namespace ipec::frontend
