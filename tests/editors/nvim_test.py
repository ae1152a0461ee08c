#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Loads editors/nvim/ipec.lua in headless Neovim and checks what it sends a language server.

  nvim_test.py SOURCE_DIR            the test (exit 77 when nvim is missing)
  nvim_test.py --serve LOG ARGS...   the recording server it starts in place of `ipec lsp`

Opening a .pol file must give it the `ipe` filetype and the buffer keymaps, start the server
with the `lsp` argument, and hand it the target options as initializationOptions and as the
`ipec` section of workspace/didChangeConfiguration.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77


def read_message(stream):
    length = None
    while True:
        line = stream.readline()
        if not line:
            return None
        line = line.strip()
        if not line:
            break
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return json.loads(stream.read(length))


def write_message(stream, message):
    body = json.dumps(message).encode()
    stream.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    stream.flush()


def serve(log_path):
    """Answers initialize and shutdown, and logs argv and every message, one JSON a line."""
    with open(log_path, "a", encoding="utf-8") as log:
        log.write(json.dumps({"argv": sys.argv[3:]}) + "\n")
        while True:
            message = read_message(sys.stdin.buffer)
            if message is None or message.get("method") == "exit":
                return 0
            log.write(json.dumps(message) + "\n")
            log.flush()
            if message.get("method") == "initialize":
                result = {"capabilities": {"textDocumentSync": 1, "hoverProvider": True}}
                write_message(sys.stdout.buffer, {"jsonrpc": "2.0", "id": message["id"], "result": result})
            elif message.get("method") == "shutdown":
                write_message(sys.stdout.buffer, {"jsonrpc": "2.0", "id": message["id"], "result": None})


INIT = """
vim.g.ipec = {{
  cmd = {{ {python}, {script}, '--serve', {log}, 'lsp' }},
  target = 'hornet-v7',
  kconfig = {{ 'cfg/a.config' }},
  set = {{ 'CONFIG_IMA=n', 'CONFIG_MODULES=y' }},
}}
dofile({snippet})
"""

CHECK = """
local function logged(method)
  local f = io.open({log})
  if not f then return false end
  local text = f:read('*a')
  f:close()
  return text:find(method, 1, true) ~= nil
end
vim.wait(5000, function() return logged('textDocument/didOpen') end, 50)
local k = vim.fn.maparg('K', 'n', false, true)
local result = {{
  filetype = vim.bo.filetype,
  commentstring = vim.bo.commentstring,
  hover_key_in_buffer = k.buffer == 1,
  clients = #vim.tbl_keys(vim.lsp.buf_get_clients(0)),
  errmsg = vim.v.errmsg,
}}
local out = io.open({result}, 'w')
out:write(vim.fn.json_encode(result))
out:close()
"""


def lua_string(s):
    return json.dumps(s)  # a JSON string literal is a valid Lua string literal here (ASCII paths)


def run_nvim(source, tmp):
    log, result = os.path.join(tmp, "server.log"), os.path.join(tmp, "result.json")
    init = os.path.join(tmp, "init.lua")
    with open(init, "w", encoding="utf-8") as f:
        f.write(INIT.format(python=lua_string(sys.executable), script=lua_string(os.path.abspath(__file__)),
                            log=lua_string(log),
                            snippet=lua_string(os.path.join(source, "editors", "nvim", "ipec.lua"))))
    check = os.path.join(tmp, "check.lua")
    with open(check, "w", encoding="utf-8") as f:
        f.write(CHECK.format(log=lua_string(log), result=lua_string(result)))
    policy = os.path.join(tmp, "a.pol")
    with open(policy, "w", encoding="utf-8") as f:
        f.write("policy_name=a policy_version=0.0.0\nDEFAULT action=ALLOW\n")
    run = subprocess.run(["nvim", "--headless", "-u", init, "-c", f"edit {policy}",
                          "-c", f"luafile {check}", "-c", "qa!"],
                         cwd=tmp, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    if run.returncode != 0 or not os.path.exists(result):
        sys.exit(f"FAIL: nvim exited {run.returncode}\n{run.stdout}{run.stderr}")
    with open(log, encoding="utf-8") as f:
        messages = [json.loads(line) for line in f]
    with open(result, encoding="utf-8") as f:
        return json.load(f), messages, run.stdout + run.stderr


def expect(problems, what, got, want):
    if got != want:
        problems.append(f"{what}: got {got!r}, want {want!r}")


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "--serve":
        return serve(sys.argv[2])
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    if not shutil.which("nvim"):
        print("SKIP: nvim is not installed (apt-get install neovim)")
        return SKIP
    with tempfile.TemporaryDirectory() as tmp:
        state, messages, output = run_nvim(os.path.abspath(sys.argv[1]), os.path.realpath(tmp))
        want = {"target": "hornet-v7", "kconfig": [os.path.join(os.path.realpath(tmp), "cfg/a.config")],
                "set": ["CONFIG_IMA=n", "CONFIG_MODULES=y"]}
    problems = []
    expect(problems, "editor output", output.strip(), "")
    expect(problems, "editor state", state, {"filetype": "ipe", "commentstring": "# %s",
                                             "hover_key_in_buffer": True, "clients": 1, "errmsg": ""})
    expect(problems, "server arguments", messages[0].get("argv"), ["lsp"])
    by_method = {m.get("method"): m for m in messages[1:]}
    init = by_method.get("initialize", {}).get("params", {})
    expect(problems, "initializationOptions", init.get("initializationOptions"), want)
    change = by_method.get("workspace/didChangeConfiguration", {}).get("params")
    expect(problems, "workspace/didChangeConfiguration", change, {"settings": {"ipec": want}})
    opened = by_method.get("textDocument/didOpen", {}).get("params", {}).get("textDocument", {})
    expect(problems, "didOpen languageId", opened.get("languageId"), "ipe")
    for p in problems:
        print(f"FAIL: {p}")
    if not problems:
        print("ipec.lua: filetype, keymaps and the server's options as expected")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
