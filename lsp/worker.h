// SPDX-License-Identifier: Apache-2.0
// The analysis side of the server. The reading thread only keeps the documents and queues work;
// one worker thread checks documents and answers the requests that need a checked document, so
// a long analysis (a 1M-rule policy) never stops the server from reading `shutdown`. Changes
// that arrive while a document is being checked are coalesced: only the latest text of each
// document is checked next.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "lsp/analyzed.h"
#include "lsp/protocol.h"

namespace ipec::lsp {

// A request the worker answers: `run` gets the checked document (current version) and the
// checked versions of the other open documents, and returns the result or throws RpcError.
struct WorkRequest {
  json id;
  std::string method;
  std::string uri;  // empty for requests about no document
  std::function<json(const Analyzed* doc, const std::vector<std::shared_ptr<const Analyzed>>& open)> run;
};

class Worker {
 public:
  // `publish` sends a notification; `reply` answers a request (result, or error when `error` is set).
  using Publish = std::function<void(const json& notification)>;
  using Reply = std::function<void(const json& id, const json& result, const RpcError* error)>;

  Worker(Publish publish, Reply reply, bool threaded);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // The document's latest text: checked when the worker is free, replacing any older text of
  // the same document still waiting.
  void update(DocumentSnapshot doc, std::shared_ptr<const Settings> settings);
  void close(const std::string& uri);
  void request(WorkRequest r);
  void cancel(const json& id);
  // The position encoding agreed at initialize (set once, before any work).
  void setEncoding(PositionEncoding enc) { enc_ = enc; }
  // Stops taking work. The thread is detached if it is in the middle of a check (a check cannot
  // be interrupted; the caller must then end the process), joined otherwise. True when detached.
  bool stop();

 private:
  void loop();
  bool runOne(std::unique_lock<std::mutex>& lock);  // false when there was nothing to do
  // After queueing under `lock`: without a thread, do the work now; else wake the thread.
  void wake(std::unique_lock<std::mutex>& lock);
  void answer(const WorkRequest& r);
  std::shared_ptr<const Analyzed> ensureChecked(const std::string& uri);
  void publishDiagnostics(const Analyzed& a);
  bool firstTimeShown(const std::string& config_error, uint64_t generation);

  Publish publish_;
  Reply reply_;
  bool threaded_;
  PositionEncoding enc_ = PositionEncoding::Utf16;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false, busy_ = false;
  std::map<std::string, std::pair<DocumentSnapshot, std::shared_ptr<const Settings>>> latest_;  // every open document
  std::set<std::string> dirty_;                                       // waiting for a check
  std::deque<WorkRequest> requests_;
  std::map<std::string, std::shared_ptr<const Analyzed>> checked_;  // worker thread only
  std::set<std::string> shown_;                                      // worker thread only
  uint64_t shown_generation_ = 0;                                    // worker thread only
  std::thread thread_;
};

}  // namespace ipec::lsp
