#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`ipec lsp` in a real editor: headless Neovim's built-in client (nvim_e2e.lua) opens each
policy of examples/ and a policy with errors and warnings. The diagnostics Neovim holds (id,
line, column, severity, message) must equal `ipec check --format=json` on the same file; a
quickfix (when the server offers code actions) and the formatting edits are applied, and the
file Neovim writes must equal `ipec fmt` of the expected text.

  nvim_e2e.py IPEC SOURCE_DIR     exit 0 pass, 1 fail, 77 when nvim is missing
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lsp"))
from harness import char_boundary, lines_of  # noqa: E402

# Errors and warnings at once: a fix-it after a two-byte character (its UTF-16 column is one
# less than its byte column), a header with "é" before blanks the formatter removes.
WITH_ERRORS = ("policy_name=démo   policy_version=0.0.1\n"
               "DEFAULT    action=DENY\n"
               "op=EXECUTE dmverity_roothash=sha256:é boot_verified=true action=ALLOW\n"
               "op=KMODULE  dmverity_signature=TRUE dmverity_signature=TRUE action=ALLOW\n"
               "op=FIRMWARE fsverity_digest=sha256: action=ALLOW\n")


def cli_diagnostics(ipec, path):
    out = subprocess.run([ipec, "check", "--format=json", path], capture_output=True, timeout=60)
    return json.loads(out.stdout)["files"][0]["diagnostics"]


def expected_in_nvim(cli, text):
    """What vim.diagnostic holds for the CLI's diagnostics: 1-based lines and byte columns (a
    diagnostic without a place is at the start; a column inside a character moves to its start,
    or for an end to its end), the notes without a place in the message."""
    sev = {"error": 1, "warning": 2, "note": 3}
    lines = lines_of(text.encode())
    out = []
    for d in cli:
        msg = "\n".join([d["message"]] + [n["message"] for n in d.get("notes", []) if "line" not in n])
        line, col, end_line, end_col = (d[k] if d[k] is not None else 1
                                        for k in ("line", "column", "end_line", "end_column"))
        col = char_boundary(lines[line - 1], col - 1) + 1
        end_col = char_boundary(lines[end_line - 1], end_col - 1, end=True) + 1
        out.append({"code": d["id"], "line": line, "column": col, "end_line": end_line, "end_column": end_col,
                    "severity": sev[d["severity"]], "message": msg})
    return sorted(out, key=lambda d: (d["line"], d["column"], d["code"]))


def fmt(ipec, text):
    return subprocess.run([ipec, "fmt", "-"], input=text.encode(), capture_output=True,
                          timeout=60).stdout.decode()


def with_fixit(text, diagnostic):
    """`text` with the fix-its of one CLI diagnostic applied (1-based lines, byte columns)."""
    data = text.encode()
    starts = [0]
    for i, b in enumerate(data):
        if b == ord("\n"):
            starts.append(i + 1)
    for f in sorted(diagnostic["fixits"], key=lambda f: (f["line"], f["column"]), reverse=True):
        b = starts[f["line"] - 1] + f["column"] - 1
        e = starts[f["end_line"] - 1] + f["end_column"] - 1
        data = data[:b] + f["replacement"].encode() + data[e:]
    return data.decode()


def run_nvim(ipec, path, fix):
    """Runs the session on `path`; returns the report, or raises with nvim's stderr."""
    out = path + ".report.json"
    env = dict(os.environ, IPEC_E2E_CMD=json.dumps([ipec, "lsp"]), IPEC_E2E_OUT=out,
               IPEC_E2E_FIX="1" if fix else "0")
    # Its own session: a server left behind by `cquit` goes with the group on a timeout.
    run = subprocess.run(["nvim", "--headless", "-u", "NONE", "-i", "NONE", "-n",
                          "-c", "luafile " + os.path.join(HERE, "nvim_e2e.lua"), path],
                         cwd=os.path.dirname(path), env=env, capture_output=True, text=True, timeout=120,
                         stdin=subprocess.DEVNULL, start_new_session=True)
    if run.returncode != 0:
        raise RuntimeError(f"nvim exited {run.returncode}:\n{run.stderr}")
    with open(out, encoding="utf-8") as f:
        return json.load(f)


def check_file(ipec, tmp, name, text, fix):
    """The problems found with one policy (an empty list when all is well)."""
    path = os.path.join(tmp, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    cli = cli_diagnostics(ipec, path)
    report = run_nvim(ipec, path, fix)
    problems = []
    if report["offset_encoding"] != "utf-16":
        problems.append(f"offset encoding {report['offset_encoding']}")
    got = sorted(report["diagnostics"], key=lambda d: (d["line"], d["column"], d["code"]))
    want = expected_in_nvim(cli, text)
    if got != want:
        problems.append(f"diagnostics in Neovim:\n  {got}\nipec check:\n  {want}")
    expected = text
    if fix:
        fixable = [d for d in cli if d.get("fixits")]
        if report["fix"] == "applied":
            expected = with_fixit(text, fixable[0])
        elif report["fix"] == "error: not implemented yet":
            print(f"NOTE: {name}: the server has no code actions yet; the quickfix step was skipped")
        else:
            problems.append(f"quickfix: {report['fix']}")
    with open(path, encoding="utf-8") as f:
        written = f.read()
    if written != fmt(ipec, expected):
        problems.append(f"Neovim wrote {written!r}, want {fmt(ipec, expected)!r}")
    status = f"{len(got)} diagnostics, fix {report['fix']}, {report['formatting_edits']} formatting edits"
    print(f"{'FAIL' if problems else 'ok'}: {name}: {status}")
    return problems


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    if not shutil.which("nvim"):
        print("SKIP: nvim is not installed")
        return SKIP
    ipec, root = os.path.abspath(sys.argv[1]), sys.argv[2]
    cases = [(os.path.relpath(p, root).replace("/", "-"), open(p, encoding="utf-8").read(), False)
             for p in sorted(glob.glob(os.path.join(root, "examples", "**", "*.pol"), recursive=True))]
    cases.append(("with-errors.pol", WITH_ERRORS, True))
    problems = []
    with tempfile.TemporaryDirectory(prefix="ipec-nvim-e2e-") as tmp:
        for name, text, fix in cases:
            try:
                problems += [f"{name}: {p}" for p in check_file(ipec, tmp, name, text, fix)]
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                problems.append(f"{name}: {e}")
    for p in problems:
        print("FAIL:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
