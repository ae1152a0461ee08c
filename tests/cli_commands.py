#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The commands and outputs that issue 8 found wanting, end to end. Each case once went wrong:
`check --target live` on a kernel without IPE exited 0; `eval` of a table compiled for another
target printed only feature bits, and called the lines of `ipec dump`'s text plain lines; `eval
--format=json` errors did not say which --event; a lifecycle rejection had no policy line;
`ipec: error:` was never coloured; `fmt` of several files ran them together; `fmt --diff`,
`ipec help CMD`, `ipec diagnostics ID` and `targets --format=json` did not exist; SARIF named
files by relative, unencoded paths and standard input by a fake path.

    cli_commands.py IPEC
"""
import json
import os
import pty
import shutil
import subprocess
import sys
import tempfile

POLICY = "policy_name=cmd policy_version=1.0.0\nDEFAULT action=ALLOW\nop=EXECUTE boot_verified=TRUE action=ALLOW\n"
UNFORMATTED = "policy_name=cmd   policy_version=1.0.0\n\n\n DEFAULT action=ALLOW\nop=KMODULE  action=DENY"


def main():
    exe = os.path.abspath(sys.argv[1])
    failures = []

    def run(argv, cwd=None, env=None, stdin=None):
        e = dict(os.environ, NO_COLOR="1", **(env or {}))
        if env and "NO_COLOR" in env and env["NO_COLOR"] is None:
            del e["NO_COLOR"]
        return subprocess.run([exe] + argv, capture_output=True, timeout=120, cwd=cwd, env=e, input=stdin)

    def expect(cond, what, r=None):
        print(("ok    " if cond else "FAIL  ") + what)
        if not cond:
            failures.append(what)
            if r is not None:
                print(f"      exit {r.returncode}\n      stdout {r.stdout[-400:]!r}\n      stderr {r.stderr[-400:]!r}")

    with tempfile.TemporaryDirectory(prefix="ipec-cmd-") as d:
        pol = os.path.join(d, "p.pol")
        with open(pol, "w") as f:
            f.write(POLICY)

        # --target live: on a machine without IPE, check must fail (the CI gate case).
        show = run(["targets", "show", "live"])
        if show.returncode == 0:
            active = b"IPE active:    yes" in show.stdout
            r = run(["check", "--target", "live", pol])
            if active:
                expect(r.returncode == 0, "check --target live passes where IPE is active", r)
            else:
                expect(r.returncode == 1 and b"[target-cannot-load]" in r.stderr and b"cannot be loaded" in r.stdout,
                       "check --target live fails where IPE is not active", r)
        r = run(["lifecycle", "--lsm", "capability", "-"], cwd=d, stdin=b"new_policy p.pol\n")
        expect(r.returncode == 1 and b"ENOENT (2)" in r.stdout and b"[target-cannot-load]" in r.stdout,
               "lifecycle on a target without IPE answers ENOENT", r)

        # eval of a table: the target's name, and lines of `ipec dump`.
        table = os.path.join(d, "p.ipet")
        expect(run(["compile", pol, "-o", table]).returncode == 0, "compile the table")
        r = run(["eval", "--target", "linux-6.19", table, "--event", "op=EXECUTE"])
        expect(r.returncode == 2 and b"it matches --target linux-6.12" in r.stderr
               and b"AT_EXECVE_CHECK hook off" in r.stderr, "eval TABLE --target OTHER names the target", r)
        r = run(["eval", table, "--event", "op=EXECUTE,initramfs=true", "--explain"])
        expect(r.returncode == 0 and b"ALLOW by the rule on dump line 4:" in r.stdout and b"  dump line 4:" in r.stdout,
               "eval TABLE says its lines are dump lines", r)
        r = run(["eval", table, "--format=json", "--event", "op=KMODULE"])
        expect(json.loads(r.stdout).get("line_of") == "dump", "eval TABLE --format=json has line_of", r)

        # eval --format=json errors say which event.
        r = run(["eval", pol, "--format=json", "--event", "op=EXECUTE", "--event", "op=EXECUTE,initramfs=true,fsverity_sig=true"])
        out = [json.loads(l) for l in r.stdout.splitlines()]
        expect(r.returncode == 2 and out[1].get("event") == "--event 2" and out[1].get("index") == 2,
               "eval --format=json names the --event of an error", r)

        # lifecycle: a rejected text names its line in the policy.
        with open(os.path.join(d, "bad.pol"), "w") as f:
            f.write("policy_name=bad policy_version=1.0.0\nDEFAULT action=ALLOW\nop=EXECUTE foo=bar action=ALLOW\n")
        r = run(["lifecycle", "-"], cwd=d, stdin=b"new_policy bad.pol\n")
        expect(r.returncode == 1 and b"the kernel rejects the policy text at bad.pol:3:12 [unknown-property]" in r.stdout,
               "lifecycle names the line of a rejected text", r)
        r = run(["lifecycle", "--format=json", "-"], cwd=d, stdin=b"new_policy bad.pol\n")
        j = json.loads(r.stdout)
        expect(j.get("policy_line") == 3 and j.get("policy_column") == 12, "lifecycle --format=json has policy_line", r)

        # ipec: error: is coloured like clang's on a terminal, and only there.
        r = run(["eval", pol, "--color=always"])
        expect(b"\x1b[1;31merror: " in r.stderr and b"eval needs --event" in r.stderr, "--color=always colours ipec: error:", r)
        r = run(["eval", pol])
        expect(r.stderr.startswith(b"ipec: error: eval needs"), "no colour into a pipe", r)
        pid, fd = pty.fork()
        if pid == 0:
            os.environ.pop("NO_COLOR", None)
            os.environ["TERM"] = "xterm"
            os.execv(exe, [exe, "chek"])
        out = b""
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        os.waitpid(pid, 0)
        expect(b"\x1b[1;31merror: " in out, "a terminal gets a coloured ipec: error:")

        # fmt: headers between several files; --diff.
        ugly = os.path.join(d, "ugly.pol")
        with open(ugly, "w") as f:
            f.write(UNFORMATTED)
        r = run(["fmt", "p.pol", "ugly.pol"], cwd=d)
        expect(r.stdout.startswith(b"==> p.pol <==\n") and b"\n\n==> ugly.pol <==\n" in r.stdout, "fmt A B separates them", r)
        r = run(["fmt", "p.pol"], cwd=d)
        expect(r.stdout == POLICY.encode(), "fmt A alone has no header", r)
        r = run(["fmt", "--diff", "p.pol"], cwd=d)
        expect(r.returncode == 0 and r.stdout == b"", "fmt --diff of a formatted file prints nothing, exit 0", r)
        r = run(["fmt", "--diff", "ugly.pol"], cwd=d)
        expect(r.returncode == 1 and r.stdout.startswith(b"--- ugly.pol\t(before)\n+++ ugly.pol\t(after)\n@@ "),
               "fmt --diff of an unformatted file prints a diff, exit 1", r)
        formatted = run(["fmt", "ugly.pol"], cwd=d).stdout
        if shutil.which("patch"):
            p = subprocess.run(["patch", "-p0", "--quiet"], input=r.stdout, cwd=d, capture_output=True)
            expect(p.returncode == 0 and open(ugly, "rb").read() == formatted, "patch -p0 applies fmt --diff", p)

        # help CMD, diagnostics ID, targets --format=json.
        expect(run(["help", "check"]).stdout == run(["check", "--help"]).stdout, "ipec help check is ipec check --help")
        expect(run(["help", "targets", "show"]).stdout == run(["targets", "show", "--help"]).stdout,
               "ipec help targets show")
        r = run(["diagnostics", "bad-digest"])
        expect(r.returncode == 0 and r.stdout.startswith(b"### `bad-digest`\n") and b"\n### " not in r.stdout,
               "ipec diagnostics ID prints its section of diagnostics.md", r)
        r = run(["diagnostics", "bad-digets"])
        expect(r.returncode == 2 and b"did you mean `bad-digest`?" in r.stderr, "ipec diagnostics TYPO suggests", r)
        r = run(["targets", "--format=json"])
        names = [t["name"] for t in json.loads(r.stdout)]
        expect("linux-6.12" in names and "live" in names, "ipec targets --format=json", r)

        # SARIF: absolute, percent-encoded file URIs; standard input without a URI.
        odd = os.path.join(d, "a b%#.pol")
        shutil.copy(pol, odd)
        r = run(["check", "--format=sarif", "-Werror", "a b%#.pol"], cwd=d)
        doc = json.loads(r.stdout)
        uris = [l["physicalLocation"]["artifactLocation"].get("uri") for res in doc["runs"][0]["results"]
                for l in res["locations"]]
        want = "file://" + os.path.realpath(d) + "/a%20b%25%23.pol"
        expect(uris and all(u == want or u == "file://" + d + "/a%20b%25%23.pol" for u in uris),
               "SARIF names a file by its absolute, percent-encoded URI", r)
        rules = doc["runs"][0]["tool"]["driver"]["rules"]
        expect(all(ru["helpUri"].startswith(("file:///", "http://", "https://")) for ru in rules), "SARIF helpUri is absolute")

    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print("all command cases hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
