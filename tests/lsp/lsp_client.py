# SPDX-License-Identifier: Apache-2.0
"""A small LSP client for the conversation tests: starts `ipec lsp`, sends framed JSON-RPC
messages and reads the server's, with timeouts (a hung server fails the test, never the suite)."""
import json
import os
import select
import subprocess
import time



class Client:
    def __init__(self, cmd, **kw):
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, **kw)
        self.buf = bytearray(); self.next_id = 1
    def send_raw(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def send(self, obj):
        body = json.dumps(obj).encode()
        self.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    def request(self, method, params):
        i = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": i, "method": method, "params": params})
        return i

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def call(self, method, params, timeout=10):
        """A request and its response (skipping the notifications in between)."""
        i = self.request(method, params)
        return self.wait(lambda m: m.get("id") == i and "method" not in m, timeout)
    def read(self, timeout=10):
        end = time.time() + timeout
        while True:
            # A bytearray grows in place: a 30 MB answer arrives in 64 KB reads.
            head_end = self.buf.find(b"\r\n\r\n")
            if head_end >= 0:
                head = bytes(self.buf[:head_end])
                n = int([h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")][0].split(b":")[1])
                start = head_end + 4
                if len(self.buf) - start >= n:
                    body = bytes(self.buf[start:start + n])
                    del self.buf[:start + n]
                    return json.loads(body)
            r, _, _ = select.select([self.p.stdout], [], [], max(0, end - time.time()))
            if not r: raise TimeoutError
            chunk = os.read(self.p.stdout.fileno(), 1 << 20)
            if not chunk: raise EOFError
            self.buf += chunk

    def wait(self, pred, timeout=10):
        while True:
            m = self.read(timeout)
            if pred(m): return m

    def initialize(self, capabilities=None, options=None):
        params = {"processId": None, "rootUri": None, "capabilities": capabilities or {}}
        if options is not None:
            params["initializationOptions"] = options
        r = self.call("initialize", params)
        self.notify("initialized", {})
        return r

    def open(self, uri, text, version=1):
        self.notify("textDocument/didOpen",
                    {"textDocument": {"uri": uri, "languageId": "ipe", "version": version, "text": text}})

    def diagnostics(self, uri, timeout=10):
        """The next publishDiagnostics for `uri`."""
        return self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                         and m["params"]["uri"] == uri, timeout)["params"]

    def close(self):
        """shutdown, exit; returns the server's exit status."""
        self.call("shutdown", None)
        self.notify("exit", None)
        return self.p.wait(timeout=10)
