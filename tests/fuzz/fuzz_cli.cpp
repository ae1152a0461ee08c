// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the ipec command line (built with -DIPEC_FUZZ=ON, clang only): fuzzed
// argv words, option values and file names, through the same entry as main()
// (driver::runCommandLine, CLI11 and every command).
//
// The input is the argv after `ipec`, words separated by NUL bytes (at most 24 words of at most
// 512 bytes each). Every run starts in a scratch directory that holds the same files: a policy,
// an unformatted one, a table compiled from the policy, events, a lifecycle script, a kernel
// .config, and a policy whose name holds a byte that is not UTF-8 and an escape sequence (the
// seeds in cli-corpus/ name them). A `/` in a word becomes `_`, so a fuzzed path can only name
// files of the scratch directory (compile -o and fmt -i write there, never elsewhere), and
// standard input is /dev/null.
//
// Invariants: no crash or sanitizer report, no uncaught exception (an abort), and an exit
// status of 0, 1 or 2. Run with -close_fd_mask=3: the commands print.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "driver/commands.h"

namespace {

constexpr size_t kMaxWords = 24, kMaxWordBytes = 512;

const char kPolicy[] =
    "policy_name=fuzz policy_version=1.0.0\nDEFAULT action=ALLOW\nDEFAULT op=EXECUTE action=DENY\n"
    "op=EXECUTE boot_verified=TRUE action=ALLOW\n"
    "op=EXECUTE fsverity_digest=sha256:0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b action=ALLOW\n";

struct File {
  const char* name;
  std::string bytes;
};

std::vector<File>& scratchFiles() {
  static std::vector<File> files;
  return files;
}

void writeFile(const std::string& path, const std::string& bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) std::abort();
  if (::write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) std::abort();
  ::close(fd);
}

// A fresh scratch directory with the fixed files, made the current directory: a run that
// rewrote or added files does not change the next one. libFuzzer leaves by _Exit, so nothing
// could clean up at the end: each run removes its own directory (leaveScratch).
std::string enterScratch() {
  char tmpl[] = "/tmp/ipec-fuzz-cli.XXXXXX";
  if (!::mkdtemp(tmpl) || ::chdir(tmpl) != 0) std::abort();
  for (const File& f : scratchFiles()) writeFile(f.name, f.bytes);
  return tmpl;
}

void leaveScratch(const std::string& dir) {
  DIR* d = ::opendir(".");
  if (!d) std::abort();
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d))
    if (std::string n = e->d_name; n != "." && n != "..") names.push_back(n);
  ::closedir(d);
  for (const std::string& n : names) ::unlink(n.c_str());
  if (::chdir("/") != 0 || ::rmdir(dir.c_str()) != 0) std::abort();
}

int runIpec(std::vector<std::string> words) {
  std::vector<char*> argv{const_cast<char*>("ipec")};
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  int rc = ipec::driver::runCommandLine(static_cast<int>(argv.size() - 1), argv.data());
  std::clearerr(stdout);  // with -close_fd_mask, every write to stdout fails
  return rc;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null < 0 || ::dup2(null, STDIN_FILENO) < 0) std::abort();
  ::close(null);
  auto& files = scratchFiles();
  files.push_back({"p.pol", kPolicy});
  files.push_back({"u.pol", "policy_name=u   policy_version=1.0.0\n\n\n DEFAULT action=ALLOW # x\nop=KMODULE  action=DENY"});
  files.push_back({"bad.pol", "policy_name=b policy_version=1.0\nop=EXECUTE foo=bar action=ALLOW\n"});
  files.push_back({"odd\xff\x1b[31m.pol", kPolicy});
  files.push_back({"e.jsonl", "{\"op\":\"EXECUTE\",\"initramfs\":true}\nnot json\n{\"op\":\"KMODULE\",\"file\":false}\n"});
  files.push_back({"s.script", "new_policy p.pol\nactivate fuzz\nupdate fuzz bad.pol\ndelete fuzz\n"});
  files.push_back({"k.config", "CONFIG_SECURITY_IPE=y\nCONFIG_LSM=\"capability,ipe\"\n# CONFIG_IMA is not set\n"});
  // The table, compiled by the command line itself.
  const std::string dir = enterScratch();
  if (runIpec({"compile", "p.pol", "-o", "t.ipet"}) != 0) std::abort();
  int fd = ::open("t.ipet", O_RDONLY | O_CLOEXEC);
  std::string table(1 << 16, '\0');
  ssize_t n = fd < 0 ? -1 : ::read(fd, table.data(), table.size());
  if (n <= 0) std::abort();
  ::close(fd);
  table.resize(static_cast<size_t>(n));
  leaveScratch(dir);
  files.push_back({"t.ipet", table});
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> words(1);
  for (size_t i = 0; i < size; ++i) {
    char c = static_cast<char>(data[i]);
    if (c == '\0') {
      if (words.size() == kMaxWords) break;
      words.emplace_back();
      continue;
    }
    if (words.back().size() < kMaxWordBytes) words.back() += c == '/' ? '_' : c;
  }
  const std::string dir = enterScratch();
  const int rc = runIpec(std::move(words));
  leaveScratch(dir);
  if (rc < 0 || rc > 2) {
    std::fprintf(stderr, "\n*** ipec_fuzz_cli: exit status %d, expected 0, 1 or 2\n", rc);
    std::abort();
  }
  return 0;
}
