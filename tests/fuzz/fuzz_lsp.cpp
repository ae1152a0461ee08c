// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the language server (built with -DIPEC_FUZZ=ON, clang only): a whole
// session through lsp::serve, without threads, so that a run is deterministic.
//
// The input is one message body per line (a compact JSON body has no raw line break): each is
// framed with its Content-Length. A line that starts with `!` is written as it is, without the
// `!` and with CR LF after it, to reach the framing: headers without a length, wrong lengths,
// junk between frames. The seeds in lsp-corpus/ are real sessions in this form.
//
// Inputs that name a Kconfig file (a "kconfig" key anywhere) are skipped: the server opens the
// path a client gives, and /dev/zero or a FIFO would exhaust or block the fuzzer; the Kconfig
// reader is fuzzed through fuzz_cli.
//
// Invariants: no crash or sanitizer report, no uncaught exception, an exit status of 0 or 1,
// and an output of well-framed JSON-RPC messages: Content-Length headers that match, bodies
// that are JSON objects with "jsonrpc": "2.0" and either a method or an id with a result or an
// error. And lsp::parseMessage, with its own unescaping of large strings, gives what
// nlohmann::json::parse gives on every line.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "lsp/message.h"
#include "lsp/server.h"

namespace {

using nlohmann::json;

// Whether a line names a Kconfig file (as a key: a JSON parse sees through escapes).
bool namesKconfig(std::string_view line) {
  bool found = false;
  // The callback sees every key; returning false keeps no value, so nothing is built.
  (void)json::parse(
      line.begin(), line.end(),
      [&](int, json::parse_event_t event, json& value) {
        if (event == json::parse_event_t::key && value.is_string() && value.get_ref<const std::string&>() == "kconfig")
          found = true;
        return false;
      },
      /*allow_exceptions=*/false);
  return found;
}

struct TooDeep {};

// lsp::parseMessage against nlohmann's parser alone, with the same depth bound.
void checkParse(std::string_view line) {
  using ipec::lsp::ParseStatus;
  json want;
  ParseStatus want_status = ParseStatus::Ok;
  try {
    want = json::parse(
        line,
        [](int depth, json::parse_event_t, json&) {
          if (depth > ipec::lsp::kMaxNesting) throw TooDeep{};
          return true;
        },
        /*allow_exceptions=*/false);
    if (want.is_discarded()) want_status = ParseStatus::NotJson;
  } catch (const TooDeep&) {
    want_status = ParseStatus::TooDeep;
  }
  json got;
  if (ipec::lsp::parseMessage(line, got) != want_status) __builtin_trap();
  if (want_status == ParseStatus::Ok && got != want) __builtin_trap();
}

// The bytes the client sends; `skip` is set (and nothing returned) for an input to skip.
std::string session(std::string_view input, bool& skip) {
  std::string out;
  while (!input.empty()) {
    size_t nl = input.find('\n');
    std::string_view line = input.substr(0, nl);
    input.remove_prefix(nl == std::string_view::npos ? input.size() : nl + 1);
    if (!line.empty() && line[0] == '!') {
      out.append(line.substr(1)).append("\r\n");
      continue;
    }
    checkParse(line);
    if (namesKconfig(line)) {
      skip = true;
      return {};
    }
    out.append("Content-Length: ").append(std::to_string(line.size())).append("\r\n\r\n").append(line);
  }
  return out;
}

int memfdWith(const std::string& bytes) {
  int fd = memfd_create("ipec-fuzz-lsp", MFD_CLOEXEC);
  if (fd < 0) std::abort();
  if (!bytes.empty() && ::write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) std::abort();
  if (::lseek(fd, 0, SEEK_SET) != 0) std::abort();
  return fd;
}

std::string contents(int fd) {
  std::string out;
  if (::lseek(fd, 0, SEEK_SET) != 0) std::abort();
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) std::abort();
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

bool isMessage(const json& m) {
  if (!m.is_object() || m.value("jsonrpc", "") != "2.0") return false;
  if (m.contains("method")) return m["method"].is_string();
  if (!m.contains("id")) return false;
  return m.contains("result") != m.contains("error");
}

// Every frame the server wrote: a header it promised, then exactly that many bytes of a message.
void checkOutput(std::string_view out) {
  constexpr std::string_view kHead = "Content-Length: ";
  while (!out.empty()) {
    if (out.substr(0, kHead.size()) != kHead) __builtin_trap();
    out.remove_prefix(kHead.size());
    size_t end = out.find("\r\n\r\n");
    if (end == std::string_view::npos) __builtin_trap();
    size_t n = std::strtoull(std::string(out.substr(0, end)).c_str(), nullptr, 10);
    out.remove_prefix(end + 4);
    if (n > out.size()) __builtin_trap();
    json m = json::parse(out.substr(0, n), nullptr, /*allow_exceptions=*/false);
    if (!isMessage(m)) __builtin_trap();
    out.remove_prefix(n);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  bool skip = false;
  const std::string in = session(std::string_view(reinterpret_cast<const char*>(data), size), skip);
  if (skip) return -1;  // not added to the corpus
  int in_fd = memfdWith(in);
  int out_fd = memfdWith("");
  const int status = ipec::lsp::serve(in_fd, out_fd, ipec::lsp::ServerOptions{.threaded = false});
  if (status != 0 && status != 1) __builtin_trap();
  checkOutput(contents(out_fd));
  ::close(in_fd);
  ::close(out_fd);
  return 0;
}
