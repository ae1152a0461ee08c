// SPDX-License-Identifier: Apache-2.0
#include "frontend/format.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/unit/test_util.h"

namespace ipec::test {
namespace {

std::string fmt(const std::string& text) {
  auto p = check(text);
  return frontend::formatPolicy(*p.file);
}

// The kernel's view of a policy: its lines of tokens.
std::vector<std::string> kernelView(const std::string& text) {
  auto p = check(text);
  std::vector<std::string> out;
  DiagnosticOptions opts;
  DiagnosticEngine diags(opts);
  const auto s = frontend::scan(*p.file, diags);
  for (const auto& l : s.lines) {
    if (!l.hasTokens()) continue;
    std::string line;
    for (uint32_t i = 0; i < l.token_count; ++i) {
      Range r = s.tokens[l.first_token + i].range;
      line += std::string(text.substr(r.begin, r.size())) + "|";
    }
    out.push_back(line);
  }
  return out;
}

// The ids of the errors that are not about size (formatting changes the size).
std::vector<std::string> parseErrors(const std::string& text) {
  auto p = check(text);
  std::vector<std::string> out;
  for (const Diagnostic& d : p.diags->diagnostics())
    if (d.severity == Severity::Error && d.id != DiagId::PolicyTooLarge) out.emplace_back(diagName(d.id));
  return out;
}

TEST(Format, CanonicalLayout) {
  EXPECT_EQ(fmt("  policy_name=a\t\tpolicy_version=1.0.0   # c \r\n\r\n\r\n\tDEFAULT  action=ALLOW\v\n"),
            "policy_name=a policy_version=1.0.0 # c\n\nDEFAULT action=ALLOW\n");
  EXPECT_EQ(fmt("\n\n# lead\npolicy_name=a policy_version=1.0.0\n\n\n"), "# lead\npolicy_name=a policy_version=1.0.0\n");
  EXPECT_EQ(fmt("a#b"), "a #b\n");
}

TEST(Format, KeepsTheKernelsReadingOnTheCorpus) {
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(IPEC_CONFORMANCE_DIR)) {
    if (e.path().extension() != ".pol") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    std::string once = fmt(text);
    std::string::size_type nul = text.find('\0');
    EXPECT_EQ(kernelView(once), kernelView(text.substr(0, nul))) << e.path();
    EXPECT_EQ(fmt(once), once) << e.path() << ": not idempotent";
    EXPECT_EQ(parseErrors(once), parseErrors(text)) << e.path();
    ++n;
  }
  EXPECT_GT(n, 80u);
}

}  // namespace
}  // namespace ipec::test
