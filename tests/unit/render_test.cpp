// SPDX-License-Identifier: Apache-2.0
// Text, JSON and SARIF rendering of fix-its, and what terminals would not show.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/render_text.h"
#include "base/utf8.h"
#include "driver/json_output.h"

namespace ipec {
namespace {

Diagnostic misspelled(Range range, Range fix, std::string replacement) {
  Diagnostic d;
  d.id = DiagId::UnknownProperty;
  d.range = range;
  d.message = "unknown property `boot_verifed`; did you mean `boot_verified`?";
  d.fixits.push_back({fix, std::move(replacement)});
  return d;
}

// As clang shows a fix-it: the replacement under the caret line, at the column it replaces.
TEST(RenderText, FixItUnderTheCaret) {
  SourceFile f("t.pol", "x\nop=EXECUTE\tboot_verifed=TRUE action=ALLOW\n");
  std::string out;
  renderText(out, f, misspelled({13, 30}, {13, 25}, "boot_verified"), TextStyle{});
  EXPECT_EQ(out,
            "t.pol:2:12: error: unknown property `boot_verifed`; did you mean `boot_verified`? [unknown-property]\n"
            "op=EXECUTE      boot_verifed=TRUE action=ALLOW\n"
            "                ^~~~~~~~~~~~~~~~~\n"
            "                boot_verified\n");
}

TEST(RenderText, ADeletionOnlyUnderlines) {
  SourceFile f("t.pol", "\xEF\xBB\xBFpolicy_name=a\n");
  Diagnostic d = misspelled({0, 3}, {0, 3}, "");
  std::string out;
  renderText(out, f, d, TextStyle{});
  EXPECT_EQ(out.substr(out.find('\n') + 1), "<U+FEFF>policy_name=a\n^~~~~~~~\n");
}

// A fix-it that inserts a whole line has no place under the caret line (it used to print the
// line there with its line feed escaped); the message says where it goes.
TEST(RenderText, ALineInsertionIsNotShownUnderTheCaret) {
  SourceFile f("t.pol", "op=EXECUTE boot_verified=FALSE action=DENY\n");
  Diagnostic d = misspelled({0, 10}, {0, 0}, "op=EXECUTE boot_verified=TRUE action=ALLOW\n");
  std::string out;
  renderText(out, f, d, TextStyle{});
  EXPECT_EQ(out.substr(out.find('\n') + 1), "op=EXECUTE boot_verified=FALSE action=DENY\n^~~~~~~~~~\n");
}

// A byte-order mark or a bidirectional control printed raw is invisible, or reorders the line.
TEST(RenderText, InvisibleCodePointsAreShownByNumber) {
  std::vector<uint32_t> cols;
  EXPECT_EQ(renderSourceLine("a\xE2\x80\xAE" "b", &cols), "a<U+202E>b");
  EXPECT_EQ(cols[4], 9u);  // `b` after the 8 columns of <U+202E>
  EXPECT_EQ(renderSourceLine("caf\xC3\xA9", nullptr), "caf\xC3\xA9");
  EXPECT_EQ(quote("\xEF\xBB\xBFpolicy_name=a"), "`\\u{feff}policy_name=a`");
}

TEST(FixIts, ApplyInOrderOrNotAtAll) {
  EXPECT_EQ(applyFixIts("a = b", {{{1, 2}, ""}, {{3, 4}, ""}}), "a=b");
  EXPECT_EQ(applyFixIts("abc", {{{3, 3}, "d"}}), "abcd");
  EXPECT_FALSE(applyFixIts("abc", {{{1, 3}, ""}, {{2, 3}, ""}}));  // overlap
  EXPECT_FALSE(applyFixIts("abc", {{{2, 4}, ""}}));                // past the end
}

nlohmann::json sarifResult(const SourceFile& f, Diagnostic d) {
  driver::JsonFileReport r;
  r.file = &f;
  r.name = f.name();
  r.diagnostics.push_back(std::move(d));
  return nlohmann::json::parse(driver::renderSarif({r}))["runs"][0]["results"][0];
}

TEST(JsonOutput, FixItsInJson) {
  SourceFile f("t.pol", "op=EXECUTE boot_verifed=TRUE action=ALLOW\n");
  driver::JsonFileReport r;
  r.file = &f;
  r.name = f.name();
  r.diagnostics.push_back(misspelled({11, 28}, {11, 23}, "boot_verified"));
  auto doc = nlohmann::json::parse(driver::renderJson({r}, 1, 0));
  auto fixits = doc["files"][0]["diagnostics"][0]["fixits"];
  ASSERT_EQ(fixits.size(), 1u);
  EXPECT_EQ(fixits[0], nlohmann::json::parse(
                           R"({"line":1,"column":12,"end_line":1,"end_column":24,"replacement":"boot_verified"})"));
}

// SARIF 2.1.0 §3.55-3.57: one fix, one artifact change, its replacements in order.
TEST(JsonOutput, FixItsInSarif) {
  SourceFile f("t.pol", "op=EXECUTE boot_verifed=TRUE action=ALLOW\n");
  auto result = sarifResult(f, misspelled({11, 28}, {11, 23}, "boot_verified"));
  auto fixes = result["fixes"];
  ASSERT_EQ(fixes.size(), 1u);
  auto change = fixes[0]["artifactChanges"][0];
  // The file the fix changes is the file the result is about (an absolute file:// URI).
  EXPECT_EQ(change["artifactLocation"], result["locations"][0]["physicalLocation"]["artifactLocation"]);
  EXPECT_TRUE(change["artifactLocation"]["uri"].get<std::string>().starts_with("file:///"));
  EXPECT_TRUE(change["artifactLocation"]["uri"].get<std::string>().ends_with("/t.pol"));
  EXPECT_EQ(change["replacements"][0], nlohmann::json::parse(R"({
    "deletedRegion": {"startLine": 1, "startColumn": 12, "endLine": 1, "endColumn": 24},
    "insertedContent": {"text": "boot_verified"}})"));
}

// Text regions do not count a byte-order mark (§3.30), so deleting it names its bytes.
TEST(JsonOutput, SarifDeletesAByteOrderMarkByBytes) {
  SourceFile f("t.pol", std::string(kUtf8ByteOrderMark) + "policy_name=a policy_version=0.0.0\n");
  auto fixes = sarifResult(f, misspelled({0, 3}, {0, 3}, ""))["fixes"];
  ASSERT_EQ(fixes.size(), 1u);
  EXPECT_EQ(fixes[0]["artifactChanges"][0]["replacements"][0],
            nlohmann::json::parse(R"({"deletedRegion": {"byteOffset": 0, "byteLength": 3}})"));
}

// In a file with a mark, a fix-it on line 1 counts columns as SARIF's text does: without it.
TEST(JsonOutput, SarifColumnsOfLineOneAfterAByteOrderMark) {
  SourceFile f("t.pol", std::string(kUtf8ByteOrderMark) + "policy_name = a policy_version=0.0.0\n");
  auto fixes = sarifResult(f, misspelled({3, 18}, {3, 18}, "policy_name=a"))["fixes"];
  ASSERT_EQ(fixes.size(), 1u);
  EXPECT_EQ(fixes[0]["artifactChanges"][0]["replacements"][0]["deletedRegion"],
            nlohmann::json::parse(R"({"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 16})"));
}

}  // namespace
}  // namespace ipec
