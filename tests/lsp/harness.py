# SPDX-License-Identifier: Apache-2.0
"""What the core and robustness conversations share: a session with `ipec lsp` that never
outlives its test, `ipec check --format=json` for comparison, and position conversions."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lsp_client import Client  # noqa: E402

IPEC = None  # set by main() from argv[1]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Session(Client):
    """`ipec lsp`, killed when the test is over whatever happened."""

    recorded = 0

    def __init__(self, env=None, cwd=None):
        super().__init__([IPEC, "lsp"], env=env, cwd=cwd)
        # IPEC_LSP_RECORD=DIR writes what each session sends, one body per line: seeds for
        # tests/fuzz/fuzz_lsp.cpp (frames sent raw are left out).
        self.record = None
        if os.environ.get("IPEC_LSP_RECORD"):
            Session.recorded += 1
            name = f"{os.path.basename(sys.argv[0])[:-3]}-{os.getpid()}-{Session.recorded}"
            self.record = open(os.path.join(os.environ["IPEC_LSP_RECORD"], name), "w")

    def send(self, obj):
        if self.record:
            self.record.write(json.dumps(obj, separators=(",", ":")) + "\n")
        super().send(obj)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.record:
            self.record.close()
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait(timeout=10)
        self.p.stdin.close()
        self.p.stdout.close()
        return False

    def start(self, capabilities=None, options=None):
        """initialize + initialized; returns the initialize result."""
        r = self.initialize(capabilities, options)
        assert "result" in r, r
        return r["result"]

    def publish(self, uri, timeout=20):
        return self.diagnostics(uri, timeout)

    def until(self, pred, timeout=20):
        """Every message up to and including the first that satisfies `pred`."""
        out = []
        while not out or not pred(out[-1]):
            out.append(self.read(timeout))
        return out

    def publishes(self, uris, timeout=20):
        """The next publishDiagnostics of each of `uris`, in whatever order they come."""
        got = {}
        while len(got) < len(uris):
            p = self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                          and m["params"]["uri"] in uris, timeout)["params"]
            got[p["uri"]] = p
        return got

    def result(self, method, params, timeout=20):
        r = self.call(method, params, timeout)
        assert "result" in r, r
        return r["result"]

    def error(self, method, params, timeout=20):
        r = self.call(method, params, timeout)
        assert "error" in r, r
        return r["error"]

    def change(self, uri, version, changes):
        self.notify("textDocument/didChange",
                    {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes})

    def quiet(self, seconds=0.3):
        """The messages the server sends within `seconds` (nothing expected: a list to assert on)."""
        out = []
        try:
            while True:
                out.append(self.read(seconds))
        except TimeoutError:
            return out

    def alive(self):
        """The server still answers (a request every session may send)."""
        r = self.call("textDocument/documentSymbol", {"textDocument": {"uri": "file:///nowhere.pol"}})
        return r.get("error", {}).get("code") == -32602


def uri_of(path):
    return "file://" + os.path.abspath(path)


def cli_check(path, args=(), cwd=None):
    """The diagnostics of `ipec check --format=json ARGS path`."""
    out = subprocess.run([IPEC, "check", "--format=json", *args, path], capture_output=True, cwd=cwd, timeout=60)
    assert out.returncode in (0, 1), out.stderr
    return json.loads(out.stdout)["files"][0]["diagnostics"]


def utf16_column(line_bytes, byte_column, end=False):
    """The UTF-16 column of a 0-based byte column in a line's bytes."""
    return len(line_bytes[:char_boundary(line_bytes, byte_column, end)].decode("utf-8", "replace")
               .encode("utf-16-le")) // 2


def char_boundary(line_bytes, byte_column, end=False):
    """A byte column moved out of a UTF-8 sequence: to its start, or for the end of a range to
    its end (a position cannot split a character; a range keeps the bytes it covers)."""
    col = min(byte_column, len(line_bytes))
    start = col
    while 0 < start < len(line_bytes) and line_bytes[start] & 0xC0 == 0x80 and col - start < 3:
        start -= 1
    if start == col or line_bytes[start] < 0xC0:
        return col  # not inside a well-formed sequence
    n = 2 if line_bytes[start] < 0xE0 else 3 if line_bytes[start] < 0xF0 else 4
    try:
        line_bytes[start:start + n].decode("utf-8")
    except UnicodeDecodeError:
        return col
    return start + n if end else start


def lines_of(data):
    """The lines of `data` (bytes) as LSP counts them: \\n, \\r\\n and \\r end a line."""
    out, start, i = [], 0, 0
    while i < len(data):
        c = data[i:i + 1]
        if c in (b"\n", b"\r"):
            out.append(data[start:i])
            if c == b"\r" and data[i + 1:i + 2] == b"\n":
                i += 1
            start = i + 1
        i += 1
    out.append(data[start:])
    return out


def lsp_position(lines, line, column, utf16, end=False):
    """The LSP position of a CLI (1-based line, 1-based byte column)."""
    if line is None:
        return {"line": 0, "character": 0}
    ln = lines[line - 1]
    col = column - 1
    return {"line": line - 1,
            "character": utf16_column(ln, col, end) if utf16 else char_boundary(ln, col, end)}


def expected_lsp(cli_diags, data, utf16=True, uri=None):
    """What publishDiagnostics must hold for a CLI result: code, severity, range, message (with
    the notes that have no place appended), relatedInformation (the notes with one)."""
    sev = {"error": 1, "warning": 2, "note": 3}
    lines = lines_of(data)
    out = []
    for d in cli_diags:
        msg = d["message"]
        related = []
        for n in d.get("notes", []):
            if "line" not in n:
                msg += "\n" + n["message"]
                continue
            related.append({"message": n["message"], "range": {
                "start": lsp_position(lines, n["line"], n["column"], utf16),
                "end": lsp_position(lines, n["end_line"], n["end_column"], utf16, True)}})
        out.append({"code": d["id"], "severity": sev[d["severity"]], "message": msg,
                    "range": {"start": lsp_position(lines, d["line"], d["column"], utf16),
                              "end": lsp_position(lines, d["end_line"], d["end_column"], utf16, True)},
                    "related": related})
    return out


def comparable(lsp_diags):
    """The fields of publishDiagnostics' diagnostics that expected_lsp() predicts."""
    return [{"code": d["code"], "severity": d["severity"], "message": d["message"], "range": d["range"],
             "related": [{"message": r["message"], "range": r["location"]["range"]}
                         for r in d.get("relatedInformation", [])]} for d in lsp_diags]


def apply_edits(text, edits, utf16=True):
    """`text` (str) with LSP TextEdits applied (non-overlapping, any order)."""
    data = text.encode("utf-8")
    lines = lines_of(data)
    starts, pos = [], 0
    for ln in lines:
        starts.append(pos)
        pos += len(ln)
        if data[pos:pos + 2] == b"\r\n":
            pos += 2
        elif data[pos:pos + 1] in (b"\n", b"\r"):
            pos += 1

    def offset(p):
        if p["line"] >= len(lines):
            return len(data)
        ln = lines[p["line"]]
        if not utf16:
            return starts[p["line"]] + min(p["character"], len(ln))
        units, i = 0, 0
        s = ln.decode("utf-8")
        for ch in s:
            if units >= p["character"]:
                break
            units += len(ch.encode("utf-16-le")) // 2
            i += len(ch.encode("utf-8"))
        return starts[p["line"]] + i

    spans = sorted(((offset(e["range"]["start"]), offset(e["range"]["end"]), e["newText"]) for e in edits),
                   reverse=True)
    for b, e, new in spans:
        data = data[:b] + new.encode("utf-8") + data[e:]
    return data.decode("utf-8")


class TempDir:
    def __enter__(self):
        self.t = tempfile.TemporaryDirectory(prefix="ipec-lsp-")
        return self.t.name

    def __exit__(self, *exc):
        self.t.cleanup()


def main():
    global IPEC
    if len(sys.argv) < 2:
        sys.exit("usage: TEST.py IPEC [unittest args]")
    IPEC = os.path.abspath(sys.argv.pop(1))
    unittest.main(module="__main__", verbosity=1)
