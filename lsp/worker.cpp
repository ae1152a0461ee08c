// SPDX-License-Identifier: Apache-2.0
#include "lsp/worker.h"

#include <algorithm>

#include "lsp/features.h"

namespace ipec::lsp {

Worker::Worker(Publish publish, Reply reply, bool threaded)
    : publish_(std::move(publish)), reply_(std::move(reply)), threaded_(threaded) {
  if (threaded_) thread_ = std::thread([this] { loop(); });
}

Worker::~Worker() { stop(); }

bool Worker::stop() {
  std::unique_lock<std::mutex> lock(mu_);
  if (stopping_) return false;
  stopping_ = true;
  const bool busy = busy_;
  lock.unlock();
  cv_.notify_all();
  if (!thread_.joinable()) return false;
  if (busy) {
    thread_.detach();
    return true;
  }
  thread_.join();
  return false;
}

void Worker::wake(std::unique_lock<std::mutex>& lock) {
  if (!threaded_) {
    while (runOne(lock)) {
    }
    return;
  }
  lock.unlock();
  cv_.notify_one();
}

void Worker::update(DocumentSnapshot doc, std::shared_ptr<const Settings> settings) {
  std::unique_lock<std::mutex> lock(mu_);
  const std::string uri = doc.uri;
  latest_[uri] = {std::move(doc), std::move(settings)};
  dirty_.insert(uri);
  wake(lock);
}

void Worker::close(const std::string& uri) {
  std::unique_lock<std::mutex> lock(mu_);
  latest_.erase(uri);
  dirty_.erase(uri);
  // The checked copy goes on the worker's side (it owns checked_); an empty publication clears
  // what the editor shows.
  WorkRequest r;
  r.uri.clear();
  r.method = "$/close";
  r.run = [this, uri](const Analyzed*, const std::vector<std::shared_ptr<const Analyzed>>&) -> json {
    checked_.erase(uri);
    publish_({{"jsonrpc", "2.0"},
              {"method", "textDocument/publishDiagnostics"},
              {"params", {{"uri", uri}, {"diagnostics", json::array()}}}});
    return nullptr;
  };
  requests_.push_back(std::move(r));
  wake(lock);
}

void Worker::request(WorkRequest r) {
  std::unique_lock<std::mutex> lock(mu_);
  requests_.push_back(std::move(r));
  wake(lock);
}

// Only a request still waiting can be cancelled: it leaves the queue with its answer. An id
// that is unknown, answered or running is forgotten (editors cancel many answered requests).
void Worker::cancel(const json& id) {
  std::unique_lock<std::mutex> lock(mu_);
  auto it = std::find_if(requests_.begin(), requests_.end(), [&](const WorkRequest& r) { return r.id == id; });
  if (it == requests_.end() || id.is_null()) return;
  const json cancelled = it->id;
  requests_.erase(it);
  lock.unlock();
  RpcError e{ErrorCode::RequestCancelled, "the request was cancelled"};
  reply_(cancelled, nullptr, &e);
}

void Worker::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !requests_.empty() || !dirty_.empty(); });
    if (stopping_) return;
    runOne(lock);
  }
}

// Requests first (in order: someone waits for them), then the documents that changed.
bool Worker::runOne(std::unique_lock<std::mutex>& lock) {
  if (!requests_.empty()) {
    WorkRequest r = std::move(requests_.front());
    requests_.pop_front();
    busy_ = true;
    lock.unlock();
    answer(r);
    lock.lock();
    busy_ = false;
    return true;
  }
  if (dirty_.empty()) return false;
  const std::string uri = *dirty_.begin();
  busy_ = true;
  lock.unlock();
  ensureChecked(uri);
  lock.lock();
  busy_ = false;
  return true;
}

void Worker::answer(const WorkRequest& r) {
  try {
    std::shared_ptr<const Analyzed> doc;
    if (!r.uri.empty()) {
      doc = ensureChecked(r.uri);
      if (!doc) throw RpcError{ErrorCode::InvalidParams, "the document is not open"};
    }
    std::vector<std::shared_ptr<const Analyzed>> open;
    if (r.method == "textDocument/references") {
      std::vector<std::string> uris;
      {
        std::lock_guard<std::mutex> lock(mu_);
        for (const auto& [u, _] : latest_) uris.push_back(u);
      }
      for (const std::string& u : uris)
        if (auto a = ensureChecked(u)) open.push_back(std::move(a));
    }
    json result = r.run(doc.get(), open);
    if (!r.id.is_null()) reply_(r.id, result, nullptr);
  } catch (const RpcError& e) {
    if (!r.id.is_null()) reply_(r.id, nullptr, &e);
  } catch (const json::exception& e) {
    // A field of the params missing or of the wrong type, met by the feature.
    RpcError err{ErrorCode::InvalidParams, std::string("invalid params: ") + e.what()};
    if (!r.id.is_null()) reply_(r.id, nullptr, &err);
  } catch (const std::exception& e) {
    RpcError err{ErrorCode::InternalError, std::string("internal error: ") + e.what()};
    if (!r.id.is_null()) reply_(r.id, nullptr, &err);
  }
}

// The checked version of the document's latest text: from the cache when it is current,
// otherwise checked now (and its diagnostics published).
std::shared_ptr<const Analyzed> Worker::ensureChecked(const std::string& uri) {
  DocumentSnapshot doc;
  std::shared_ptr<const Settings> settings;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = latest_.find(uri);
    if (it == latest_.end()) return nullptr;
    doc = it->second.first;
    settings = it->second.second;
    dirty_.erase(uri);
  }
  auto cached = checked_.find(uri);
  if (cached != checked_.end() && cached->second->doc.version == doc.version &&
      cached->second->doc.text == doc.text && cached->second->settings_generation == settings->generation)
    return cached->second;
  std::string config_error;
  std::shared_ptr<const Analyzed> a = checkDocument(doc, *settings, config_error);
  checked_[uri] = a;
  if (firstTimeShown(config_error, settings->generation))
    publish_({{"jsonrpc", "2.0"},
              {"method", "window/showMessage"},
              {"params", {{"type", 1}, {"message", "ipec: " + config_error}}}});
  // A newer text is already waiting: its diagnostics follow, these would only flicker.
  bool superseded;
  {
    std::lock_guard<std::mutex> lock(mu_);
    superseded = dirty_.count(uri) > 0 || !latest_.count(uri);
  }
  if (!superseded) publishDiagnostics(*a);
  return a;
}

// A settings problem is shown once per generation of the settings, not on every keystroke.
bool Worker::firstTimeShown(const std::string& config_error, uint64_t generation) {
  if (config_error.empty()) return false;
  if (generation != shown_generation_) {
    shown_.clear();
    shown_generation_ = generation;
  }
  return shown_.insert(config_error).second;
}

void Worker::publishDiagnostics(const Analyzed& a) {
  json params = {{"uri", a.doc.uri}, {"version", a.doc.version}, {"diagnostics", diagnosticsJson(a, enc_)}};
  publish_({{"jsonrpc", "2.0"}, {"method", "textDocument/publishDiagnostics"}, {"params", std::move(params)}});
}

}  // namespace ipec::lsp
