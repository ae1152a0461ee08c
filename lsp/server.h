// SPDX-License-Identifier: Apache-2.0
// `ipec lsp`: a Language Server Protocol 3.17 server over stdio for IPE policies.
#pragma once

namespace ipec::lsp {

struct ServerOptions {
  // Check documents on a worker thread (the server). Off, everything runs on the reading thread
  // in order, which makes a session deterministic (the fuzz target).
  bool threaded = true;
};

// Serves one session: reads framed JSON-RPC messages from `in_fd` until `exit` or the end of the
// input, writes to `out_fd`. Returns the exit status LSP asks for: 0 after `shutdown` then
// `exit`, 1 otherwise.
int serve(int in_fd, int out_fd, const ServerOptions& options = {});

}  // namespace ipec::lsp
