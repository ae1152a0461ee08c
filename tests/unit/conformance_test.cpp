// SPDX-License-Identifier: Apache-2.0
// Every case of the Linux 6.12 load corpus (tests/conformance/load, recorded from a real kernel):
// ipec's predicted verdict must equal the kernel's.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/unit/test_util.h"

namespace ipec::test {
namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Case {
  std::string file, sign, expected;
};

std::vector<Case> readTsv(const std::string& path, bool has_sign) {
  std::vector<Case> out;
  std::istringstream in(readFile(path));
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    std::istringstream cols(line);
    Case c;
    std::getline(cols, c.file, '\t');
    if (has_sign) std::getline(cols, c.sign, '\t');
    std::getline(cols, c.expected, '\t');
    out.push_back(c);
  }
  return out;
}

std::string predict(const Case& c) {
  pipeline::PipelineConfig config;
  std::string text = readFile(std::string(IPEC_CONFORMANCE_DIR) + "/" + c.file);
  if (c.sign == "signer-nocerts") config.signing.embed_cert = false;
  if (c.sign == "smime-text") {
    // openssl smime without -binary signs a CRLF copy of the text.
    std::string crlf;
    for (char ch : text) {
      if (ch == '\n') crlf += '\r';
      crlf += ch;
    }
    text = crlf;
  }
  return verdictOf(pipeline::checkPolicy(c.file, text, config));
}

TEST(Conformance, LoadCorpusAgreesWithLinux612) {
  auto cases = readTsv(std::string(IPEC_CONFORMANCE_DIR) + "/expected.tsv", false);
  ASSERT_GE(cases.size(), 74u);
  size_t agree = 0;
  for (const Case& c : cases) {
    std::string got = predict(c);
    EXPECT_EQ(got, c.expected) << c.file;
    agree += got == c.expected;
  }
  std::printf("conformance: %zu/%zu load cases agree with Linux 6.12\n", agree, cases.size());
}

// The cases of expected-lifecycle.tsv whose answer follows from the text and the signing mode.
// The others need kernel state or a keyring (EEXIST after an earlier load, ENOKEY for an
// untrusted signer, EBADMSG for an unsigned blob): tests/kernel checks those on a real kernel.
TEST(Conformance, SigningModeCasesAgreeWithLinux612) {
  auto cases = readTsv(std::string(IPEC_CONFORMANCE_DIR) + "/expected-lifecycle.tsv", true);
  size_t agree = 0, total = 0;
  for (const Case& c : cases) {
    if (c.sign == "none" || c.sign == "untrusted" || c.expected == "EEXIST") continue;
    ++total;
    std::string got = predict(c);
    EXPECT_EQ(got, c.expected) << c.file << " (" << c.sign << ")";
    agree += got == c.expected;
  }
  EXPECT_GE(total, 7u);
  std::printf("conformance: %zu/%zu signing-mode cases agree with Linux 6.12\n", agree, total);
}

}  // namespace
}  // namespace ipec::test
