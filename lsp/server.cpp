// SPDX-License-Identifier: Apache-2.0
// The reading thread: the session's lifecycle (initialize, shutdown, exit), the open documents,
// and the dispatch of requests to the worker.
#include "lsp/server.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "lsp/features.h"
#include "lsp/message.h"
#include "lsp/transport.h"
#include "lsp/worker.h"
#include "pipeline/version.h"

namespace ipec::lsp {
namespace {

json capabilities(PositionEncoding enc) {
  return {
      {"positionEncoding", enc == PositionEncoding::Utf8 ? "utf-8" : "utf-16"},
      {"textDocumentSync", {{"openClose", true}, {"change", 2}, {"save", {{"includeText", false}}}}},
      {"hoverProvider", true},
      {"completionProvider", {{"triggerCharacters", {"=", " "}}}},
      {"definitionProvider", true},
      {"referencesProvider", true},
      {"documentFormattingProvider", true},
      {"semanticTokensProvider", {{"legend", semanticTokensLegend()}, {"full", true}}},
      {"codeActionProvider", {{"codeActionKinds", {"quickfix", "source.removeUnused"}}}},
      {"documentSymbolProvider", true},
  };
}

class Session {
 public:
  Session(MessageWriter& out, const ServerOptions& options)
      : out_(out),
        worker_([this](const json& n) { send(n); },
                [this](const json& id, const json& result, const RpcError* e) { respond(id, result, e); },
                options.threaded),
        settings_(std::make_shared<Settings>()) {}

  ~Session() { worker_.stop(); }

  // Ends the session with `code`. A check still running on the worker cannot be stopped, and
  // must not outlive what it reads: the process ends here, without waiting for it.
  int finish(int code) {
    if (worker_.stop()) {
      std::fflush(nullptr);
      std::_Exit(code);
    }
    return code;
  }

  // False once the session is over (`exit`).
  bool handle(const std::string& body);
  int exitCode() const { return shutdown_ ? 0 : 1; }
  void log(const std::string& message) {
    send({{"jsonrpc", "2.0"}, {"method", "window/logMessage"}, {"params", {{"type", 2}, {"message", message}}}});
  }

 private:
  void send(const json& message) { out_.write(dumpMessage(message)); }
  void respond(const json& id, const json& result, const RpcError* e);
  std::optional<json> parse(const std::string& body);
  std::nullopt_t refuse(ErrorCode code, const std::string& why);
  void fail(const json* id, const std::string& method, const RpcError& e);

  void onRequest(const json& id, const std::string& method, const json& params);
  bool onNotification(const std::string& method, json& params);
  json initialize(const json& params);
  void openDocument(json& params);
  void changeDocument(const json& params);
  void recheckAll();
  void rereadFiles();
  DocumentSnapshot snapshot(const std::string& uri) const;
  void forward(const json& id, const std::string& method, const json& params);

  MessageWriter& out_;
  Worker worker_;
  enum class State { Uninitialized, Running, ShutDown } state_ = State::Uninitialized;
  bool shutdown_ = false;
  PositionEncoding enc_ = PositionEncoding::Utf16;
  std::shared_ptr<const Settings> settings_;
  std::shared_ptr<const json> client_ = std::make_shared<const json>(json::object());  // its capabilities
  std::map<std::string, std::unique_ptr<TextDocument>> docs_;
};

void Session::respond(const json& id, const json& result, const RpcError* e) {
  json m = {{"jsonrpc", "2.0"}, {"id", id}};
  if (e) m["error"] = {{"code", static_cast<int>(e->code)}, {"message", e->message}};
  else m["result"] = result;
  send(m);
}

// The message as JSON, or nullopt when it is not JSON (answered here).
std::optional<json> Session::parse(const std::string& body) {
  json msg;
  switch (parseMessage(body, msg)) {
    case ParseStatus::Ok: return msg;
    case ParseStatus::NotJson: return refuse(ErrorCode::ParseError, "the message is not JSON");
    case ParseStatus::TooDeep:
      return refuse(ErrorCode::InvalidRequest, fmt::format("the message is nested deeper than {} levels", kMaxNesting));
  }
  return std::nullopt;
}

std::nullopt_t Session::refuse(ErrorCode code, const std::string& why) {
  RpcError e{code, why};
  respond(nullptr, nullptr, &e);
  return std::nullopt;
}

// A request is answered with the error; a notification has no answer, the error is logged.
void Session::fail(const json* id, const std::string& method, const RpcError& e) {
  if (id) respond(*id, nullptr, &e);
  else log(method + ": " + e.message);
}

bool Session::handle(const std::string& body) {
  std::optional<json> parsed = parse(body);
  if (!parsed) return true;
  json& msg = *parsed;
  const bool has_id = msg.is_object() && msg.contains("id");
  const json id = has_id ? msg["id"] : json();
  const bool id_ok = id.is_null() || id.is_string() || id.is_number_integer();
  if (!msg.is_object() || !msg.contains("method") || !msg["method"].is_string() || !id_ok) {
    if (msg.is_object() && !msg.contains("method") && (msg.contains("result") || msg.contains("error")))
      return true;  // a response to a request of ours: the server sends none that need one
    RpcError e{ErrorCode::InvalidRequest, "expected a JSON-RPC request or notification"};
    respond(id_ok ? id : json(), nullptr, &e);
    return true;
  }
  const std::string method = msg["method"];
  // Moved, not copied: a didOpen's params hold the whole document.
  json params = msg.contains("params") ? std::move(msg["params"]) : json::object();
  const json* request_id = has_id ? &id : nullptr;
  try {
    if (!has_id) return onNotification(method, params);
    onRequest(id, method, params);
  } catch (const RpcError& e) {
    fail(request_id, method, e);
  } catch (const json::exception& e) {
    fail(request_id, method, {ErrorCode::InvalidParams, std::string("invalid params: ") + e.what()});
  } catch (const std::exception& e) {
    // Out of memory for a huge document, or a bug: this message fails, the session goes on.
    fail(request_id, method, {ErrorCode::InternalError, std::string("internal error: ") + e.what()});
  }
  return true;
}

void Session::onRequest(const json& id, const std::string& method, const json& params) {
  if (method == "initialize") {
    if (state_ != State::Uninitialized) throw RpcError{ErrorCode::InvalidRequest, "initialize was already sent"};
    respond(id, initialize(params), nullptr);
    state_ = State::Running;
    return;
  }
  if (state_ == State::Uninitialized) throw RpcError{ErrorCode::ServerNotInitialized, "initialize first"};
  if (state_ == State::ShutDown) throw RpcError{ErrorCode::InvalidRequest, "the server is shut down"};
  if (method == "shutdown") {
    // Answered here, not by the worker: a check in progress never delays it.
    state_ = State::ShutDown;
    shutdown_ = true;
    respond(id, nullptr, nullptr);
    return;
  }
  forward(id, method, params);
}

json Session::initialize(const json& params) {
  // LSP 3.17: the client lists the encodings it supports; UTF-8 spares every conversion.
  const json* encodings = nullptr;
  if (params.is_object() && params.contains("capabilities")) {
    const json& caps = params["capabilities"];
    if (caps.is_object() && caps.contains("general") && caps["general"].is_object() &&
        caps["general"].contains("positionEncodings"))
      encodings = &caps["general"]["positionEncodings"];
  }
  if (encodings && encodings->is_array())
    for (const json& e : *encodings)
      if (e == "utf-8") enc_ = PositionEncoding::Utf8;
  worker_.setEncoding(enc_);
  if (params.is_object() && params.contains("capabilities") && params["capabilities"].is_object())
    client_ = std::make_shared<const json>(params["capabilities"]);
  if (params.is_object() && params.contains("initializationOptions") && params["initializationOptions"].is_object()) {
    auto s = std::make_shared<Settings>();
    std::string error;
    if (!settingsFromJson(params["initializationOptions"], *s, error)) log("initializationOptions: " + error);
    s->generation = 1;
    settings_ = std::move(s);
  }
  return {{"capabilities", capabilities(enc_)}, {"serverInfo", {{"name", "ipec"}, {"version", pipeline::kIpecVersion}}}};
}

bool Session::onNotification(const std::string& method, json& params) {
  if (method == "exit") return false;
  if (state_ != State::Running) return true;  // dropped before initialize and after shutdown
  if (method == "textDocument/didOpen") {
    openDocument(params);
  } else if (method == "textDocument/didChange") {
    changeDocument(params);
  } else if (method == "textDocument/didClose") {
    const std::string uri = params.at("textDocument").at("uri");
    docs_.erase(uri);
    worker_.close(uri);
  } else if (method == "textDocument/didSave") {
    // A save may go with a changed `.ipec.json` or Kconfig file, which any open document may
    // read: check them all again.
    (void)params.at("textDocument").at("uri").get_ref<const std::string&>();
    rereadFiles();
  } else if (method == "workspace/didChangeConfiguration") {
    const json& all = params.at("settings");
    // A client that pulls its settings (workspace/configuration) sends null: nothing to read,
    // and nothing to forget.
    if (all.is_null()) return true;
    const json& mine = all.is_object() && all.contains("ipec") ? all["ipec"] : all;
    auto s = std::make_shared<Settings>();
    std::string error;
    if (mine.is_object() && !settingsFromJson(mine, *s, error)) log("settings: " + error);
    s->generation = settings_->generation + 1;
    settings_ = std::move(s);
    recheckAll();
  } else if (method == "workspace/didChangeWatchedFiles") {
    rereadFiles();
  } else if (method == "$/cancelRequest") {
    worker_.cancel(params.at("id"));
  }
  // initialized, $/setTrace, and notifications this server does not know: nothing to do.
  return true;
}

void Session::openDocument(json& params) {
  json& td = params.at("textDocument");
  const std::string uri = td.at("uri");
  std::string& text = td.at("text").get_ref<std::string&>();
  const int64_t version = td.contains("version") && td["version"].is_number_integer() ? td["version"].get<int64_t>() : 0;
  docs_[uri] = std::make_unique<TextDocument>(std::move(text), version);
  worker_.update(snapshot(uri), settings_);
}

void Session::changeDocument(const json& params) {
  const json& td = params.at("textDocument");
  const std::string uri = td.at("uri");
  auto it = docs_.find(uri);
  if (it == docs_.end()) throw RpcError{ErrorCode::InvalidParams, "didChange for a document that is not open: " + uri};
  TextDocument& doc = *it->second;
  // All or nothing: every change is read before the first is applied, so that a malformed one
  // leaves the document as it was.
  const json& changes = params.at("contentChanges");
  if (!changes.is_array()) throw RpcError{ErrorCode::InvalidParams, "`contentChanges` must be an array"};
  std::vector<std::pair<std::optional<LspRange>, const std::string*>> edits;
  for (const json& change : changes) {
    std::optional<LspRange> range;
    if (change.is_object() && change.contains("range")) range = rangeFrom(change["range"]);
    edits.emplace_back(range, &change.at("text").get_ref<const std::string&>());
  }
  for (const auto& [range, text] : edits) doc.apply(range, *text, enc_);
  if (td.contains("version") && td["version"].is_number_integer()) doc.setVersion(td["version"].get<int64_t>());
  worker_.update(snapshot(uri), settings_);
}

// The files a check reads besides the document (`.ipec.json`, Kconfig files) are part of the
// cached result's key only through the settings' generation: a new generation, with the same
// settings, makes every document be checked again.
void Session::rereadFiles() {
  auto s = std::make_shared<Settings>(*settings_);
  s->generation = settings_->generation + 1;
  settings_ = std::move(s);
  recheckAll();
}

void Session::recheckAll() {
  for (const auto& [uri, _] : docs_) worker_.update(snapshot(uri), settings_);
}

DocumentSnapshot Session::snapshot(const std::string& uri) const {
  const TextDocument& d = *docs_.at(uri);
  return {uri, d.version(), d.shared()};
}

void Session::forward(const json& id, const std::string& method, const json& params) {
  using Run = std::function<json(const Feature&)>;
  static const std::map<std::string, Run> kByDocument = {
      {"textDocument/hover", hover},
      {"textDocument/completion", completion},
      {"textDocument/definition", definition},
      {"textDocument/formatting", formatting},
      {"textDocument/semanticTokens/full", semanticTokensFull},
      {"textDocument/codeAction", codeActions},
      {"textDocument/documentSymbol", documentSymbols},
  };
  const bool refs = method == "textDocument/references";
  auto it = kByDocument.find(method);
  if (it == kByDocument.end() && !refs) throw RpcError{ErrorCode::MethodNotFound, "unknown method " + method};
  const std::string uri = params.at("textDocument").at("uri");
  if (!docs_.count(uri)) throw RpcError{ErrorCode::InvalidParams, "the document is not open: " + uri};
  WorkRequest r;
  r.id = id;
  r.method = method;
  r.uri = uri;
  const PositionEncoding enc = enc_;
  Run run = refs ? Run() : it->second;
  r.run = [run, params, enc, refs, client = client_](const Analyzed* doc,
                                                    const std::vector<std::shared_ptr<const Analyzed>>& open) {
    Feature f{*doc, enc, params, client.get()};
    return refs ? references(f, open) : run(f);
  };
  worker_.request(std::move(r));
}

}  // namespace

int serve(int in_fd, int out_fd, const ServerOptions& options) {
  MessageWriter out(out_fd);
  MessageReader in(in_fd);
  Session session(out, options);
  std::string body, problem;
  for (;;) {
    switch (in.next(body, problem)) {
      case MessageReader::Status::End:
        return session.finish(1);  // the input ended without `exit`
      case MessageReader::Status::Skipped:
        session.log(problem);
        continue;
      case MessageReader::Status::Message:
        break;
    }
    if (!session.handle(body)) return session.finish(session.exitCode());
  }
}

}  // namespace ipec::lsp
