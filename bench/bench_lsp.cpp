// SPDX-License-Identifier: Apache-2.0
// Language server latency, through the real server: `ipec lsp` is started as a process (its
// worker thread on) and spoken to over pipes, as an editor does.
//
//   BM_ChangeToDiagnostics/<shape>  a one-character didChange in a 64 KiB policy, until the
//                                   publishDiagnostics of that version arrives (wall time).
//                                   Shapes: 0 an fs-verity allowlist, 1 a mixed policy (the
//                                   inputs of bench_frontend's BM_Check64K). Counters: p50_ms,
//                                   p90_ms, max_ms over the iterations.
//   BM_Burst/<n>                    n one-character changes written at once to the 64 KiB mixed
//                                   policy, until the diagnostics of the last one: wall time,
//                                   `published` (publications seen, of n changes) and
//                                   `checks_at_most` (wall time over one check's latency: a bound
//                                   on the checks the server ran, since a check it ran but did
//                                   not publish was superseded).
//   BM_FirstDiagnostics1M           didOpen of an allowlist of 1M rules (112 MB), until its
//                                   first publishDiagnostics (wall time, sending included).
//   BM_ShutdownDuringCheck1M        the same didOpen, then, once the server has read it (an
//                                   unknown method answered: counter read_ms, from the start of
//                                   the didOpen), `shutdown` while the worker checks: the time
//                                   until its answer; counter exit_ms, from `exit` to the end of
//                                   the process.
//
// The server is the ipec binary of the same build (IPEC_BINARY), or $IPEC_BENCH_IPEC. Wall time
// is what an editor waits; on a loaded machine it includes waiting for a CPU. This is a
// benchmark, never a timed test. See docs/benchmarks.md.
#include <benchmark/benchmark.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/bench_inputs.h"

extern char** environ;

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// ---- inputs: those of bench_frontend's BM_Check64K and BM_Check/1000000 -------------------

const std::string& policy64K(int shape) {
  static const std::string allow = ipec::bench::makeAllowlistOfSize(64 * 1024).text,
                           mixed = ipec::bench::makeMixedOfSize(64 * 1024).text;
  return shape == 0 ? allow : mixed;
}

const std::string& allowlist1M() {
  static const std::string text = ipec::bench::makeAllowlist(1000000).text;
  return text;
}

// ---- the server process ---------------------------------------------------------------------

class Server {
 public:
  Server() {
    const char* env = std::getenv("IPEC_BENCH_IPEC");
    std::string binary = env && *env ? env : IPEC_BINARY;
    int to[2], from[2];
    if (pipe(to) != 0 || pipe(from) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, to[0], 0);
    posix_spawn_file_actions_adddup2(&fa, from[1], 1);
    posix_spawn_file_actions_addclose(&fa, to[1]);
    posix_spawn_file_actions_addclose(&fa, from[0]);
    char* argv[] = {binary.data(), const_cast<char*>("lsp"), nullptr};
    if (posix_spawn(&pid_, binary.c_str(), &fa, nullptr, argv, environ) != 0)
      throw std::runtime_error("cannot start " + binary);
    posix_spawn_file_actions_destroy(&fa);
    close(to[0]);
    close(from[1]);
    in_ = to[1];
    out_ = from[0];
  }
  ~Server() {
    close(in_);
    close(out_);
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  void send(const json& message) {
    const std::string body = message.dump();
    const std::string frame = "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    writeAll(frame);
  }
  void writeAll(const std::string& bytes) {
    for (size_t done = 0; done < bytes.size();) {
      ssize_t n = write(in_, bytes.data() + done, bytes.size() - done);
      if (n <= 0) throw std::runtime_error("the server stopped reading");
      done += static_cast<size_t>(n);
    }
  }
  static std::string frame(const json& message) {
    const std::string body = message.dump();
    return "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }

  // The next message; throws after 120 s without one.
  json read() {
    for (;;) {
      const size_t head = buf_.find("\r\n\r\n");
      if (head != std::string::npos) {
        const size_t n = std::stoul(buf_.substr(buf_.find(':') + 1, head));
        if (buf_.size() >= head + 4 + n) {
          json m = json::parse(buf_.begin() + static_cast<long>(head + 4), buf_.begin() + static_cast<long>(head + 4 + n));
          buf_.erase(0, head + 4 + n);
          return m;
        }
      }
      pollfd p{out_, POLLIN, 0};
      if (poll(&p, 1, 120000) <= 0) throw std::runtime_error("no message from the server for 120 s");
      char chunk[1 << 16];
      ssize_t got = ::read(out_, chunk, sizeof chunk);
      if (got <= 0) throw std::runtime_error("the server closed its output");
      buf_.append(chunk, static_cast<size_t>(got));
    }
  }
  template <class Pred>
  json waitFor(Pred pred) {
    for (;;) {
      json m = read();
      if (pred(m)) return m;
    }
  }
  json call(const std::string& method, const json& params) {
    const int id = next_id_++;
    send({{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}});
    return waitFor([&](const json& m) { return m.contains("id") && m["id"] == id && !m.contains("method"); });
  }
  void notify(const std::string& method, const json& params) {
    send({{"jsonrpc", "2.0"}, {"method", method}, {"params", params}});
  }
  void initialize() {
    call("initialize", {{"processId", nullptr}, {"rootUri", nullptr}, {"capabilities", json::object()}});
    notify("initialized", json::object());
  }
  json waitForVersion(int64_t version) {
    return waitFor([&](const json& m) {
      return m.value("method", "") == "textDocument/publishDiagnostics" && m["params"].value("version", -1) == version;
    });
  }
  // `exit`, then the wait for the process; returns its status.
  int exit() {
    notify("exit", nullptr);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1;
  std::string buf_;
  int next_id_ = 1;
};

constexpr const char* kUri = "file:///tmp/ipec-bench-lsp/policy.pol";

json openParams(const std::string& text) {
  return {{"textDocument", {{"uri", kUri}, {"languageId", "ipe"}, {"version", 1}, {"text", text}}}};
}

// A one-character edit at the end of line 2 (`DEFAULT action=DENY` or the mixed policy's
// header): a blank appended, then deleted, so the text alternates between two states that both
// check in full.
json oneCharChange(const std::string& text, int64_t version) {
  const size_t start = text.find('\n') + 1;
  const int end_of_line = static_cast<int>(text.find('\n', start) - start);
  const json at = {{"line", 1}, {"character", end_of_line}};
  const json next = {{"line", 1}, {"character", end_of_line + 1}};
  json change = version % 2 == 0 ? json{{"range", {{"start", at}, {"end", at}}}, {"text", " "}}
                                  : json{{"range", {{"start", at}, {"end", next}}}, {"text", ""}};
  return {{"textDocument", {{"uri", kUri}, {"version", version}}}, {"contentChanges", json::array({change})}};
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

void BM_ChangeToDiagnostics(benchmark::State& state) {
  Server s;
  s.initialize();
  const std::string& text = policy64K(static_cast<int>(state.range(0)));
  s.notify("textDocument/didOpen", openParams(text));
  s.waitForVersion(1);
  int64_t version = 1;
  std::vector<double> ms;
  for (auto _ : state) {
    ++version;
    const auto t = Clock::now();
    s.notify("textDocument/didChange", oneCharChange(text, version));
    s.waitForVersion(version);
    ms.push_back(msSince(t));
    state.SetIterationTime(ms.back() / 1000);
  }
  state.counters["p50_ms"] = percentile(ms, 0.5);
  state.counters["p90_ms"] = percentile(ms, 0.9);
  state.counters["max_ms"] = percentile(ms, 1.0);
  s.call("shutdown", nullptr);
  s.exit();
}
BENCHMARK(BM_ChangeToDiagnostics)->ArgName("mixed")->Arg(0)->Arg(1)->UseManualTime()->Unit(benchmark::kMillisecond);

// The latency of one check of the mixed 64 KiB policy, measured once per process.
double oneCheckMs() {
  static const double ms = [] {
    Server s;
    s.initialize();
    s.notify("textDocument/didOpen", openParams(policy64K(1)));
    s.waitForVersion(1);
    std::vector<double> v;
    for (int64_t version = 2; version < 22; ++version) {
      const auto t = Clock::now();
      s.notify("textDocument/didChange", oneCharChange(policy64K(1), version));
      s.waitForVersion(version);
      v.push_back(msSince(t));
    }
    s.call("shutdown", nullptr);
    s.exit();
    return percentile(v, 0.5);
  }();
  return ms;
}

void BM_Burst(benchmark::State& state) {
  const int64_t n = state.range(0);
  const double check_ms = oneCheckMs();
  double published = 0, wall = 0;
  for (auto _ : state) {
    Server s;
    s.initialize();
    s.notify("textDocument/didOpen", openParams(policy64K(1)));
    s.waitForVersion(1);
    std::string burst;
    for (int64_t v = 2; v < n + 2; ++v)
      burst += Server::frame({{"jsonrpc", "2.0"}, {"method", "textDocument/didChange"}, {"params", oneCharChange(policy64K(1), v)}});
    const auto t = Clock::now();
    s.writeAll(burst);
    int64_t seen = 0;
    s.waitFor([&](const json& m) {
      if (m.value("method", "") != "textDocument/publishDiagnostics") return false;
      ++seen;
      return m["params"].value("version", -1) == n + 1;
    });
    const double ms = msSince(t);
    state.SetIterationTime(ms / 1000);
    published += static_cast<double>(seen);
    wall += ms;
    s.call("shutdown", nullptr);
    s.exit();
  }
  const double iters = static_cast<double>(state.iterations());
  state.counters["changes"] = static_cast<double>(n);
  state.counters["published"] = published / iters;
  state.counters["one_check_ms"] = check_ms;
  state.counters["checks_at_most"] = std::ceil(wall / iters / check_ms);
}
BENCHMARK(BM_Burst)->Arg(100)->Arg(1000)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_FirstDiagnostics1M(benchmark::State& state) {
  const std::string open =
      Server::frame({{"jsonrpc", "2.0"}, {"method", "textDocument/didOpen"}, {"params", openParams(allowlist1M())}});
  for (auto _ : state) {
    Server s;
    s.initialize();
    const auto t = Clock::now();
    s.writeAll(open);
    s.waitForVersion(1);
    state.SetIterationTime(msSince(t) / 1000);
    s.call("shutdown", nullptr);
    s.exit();
  }
  state.counters["input_MB"] = static_cast<double>(allowlist1M().size()) / 1e6;
}
BENCHMARK(BM_FirstDiagnostics1M)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_ShutdownDuringCheck1M(benchmark::State& state) {
  const std::string open =
      Server::frame({{"jsonrpc", "2.0"}, {"method", "textDocument/didOpen"}, {"params", openParams(allowlist1M())}});
  double read_ms = 0, exit_ms = 0;
  for (auto _ : state) {
    Server s;
    s.initialize();
    const auto r = Clock::now();
    s.writeAll(open);
    // A method the server does not know is answered by its reading thread, after the didOpen
    // before it: then the document has been read and its check handed to the worker.
    s.call("$/ipec/bench", nullptr);
    read_ms += msSince(r);
    const auto t = Clock::now();
    s.call("shutdown", nullptr);
    state.SetIterationTime(msSince(t) / 1000);
    const auto e = Clock::now();
    if (s.exit() != 0) state.SkipWithError("`exit` after `shutdown` did not give status 0");
    exit_ms += msSince(e);
  }
  const double iters = static_cast<double>(state.iterations());
  state.counters["read_ms"] = read_ms / iters;
  state.counters["exit_ms"] = exit_ms / iters;
}
BENCHMARK(BM_ShutdownDuringCheck1M)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
