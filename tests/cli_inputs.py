#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Inputs other than the policy: --kconfig files, --events and lifecycle scripts, standard input
named twice, --pin-dir. Each bad one is a usage or I/O error (status 2) with a message, never a
silent success, a partial result or an abort. Every case here once went wrong:
a truncated gzip .config passed as half a configuration; a gzip bomb aborted with bad_alloc; a
directory as --events or as a lifecycle script read as empty; `-` twice read stdin twice;
--pin-dir took newlines into the bpftool batch file; parser errors lacked the `ipec: error:`
prefix, and an unknown command was reported as a missing one.

    cli_inputs.py IPEC
"""
import gzip
import os
import subprocess
import sys
import tempfile

POLICY = "policy_name=in policy_version=1.0.0\nDEFAULT action=ALLOW\n"
KCONFIG = "".join("CONFIG_FILLER_%d=y\n" % i for i in range(5000)) + "CONFIG_SECURITY_IPE=y\nCONFIG_LSM=\"ipe\"\n"


def main():
    exe = os.path.abspath(sys.argv[1])
    failures = []

    def case(what, argv, rc, needle, stdin=None, cwd=None):
        r = subprocess.run([exe] + argv, capture_output=True, timeout=120, input=stdin, cwd=cwd)
        ok = r.returncode == rc and needle.encode() in r.stderr
        print(("ok    " if ok else "FAIL  ") + what + ("" if ok else f": exit {r.returncode}, stderr {r.stderr[-300:]!r}"))
        if not ok:
            failures.append(what)

    with tempfile.TemporaryDirectory(prefix="ipec-in-") as d:
        pol = os.path.join(d, "p.pol")
        with open(pol, "w") as f:
            f.write(POLICY)
        good = os.path.join(d, "good.config.gz")
        with gzip.open(good, "wt") as f:
            f.write(KCONFIG)
        blob = open(good, "rb").read()
        trunc = os.path.join(d, "trunc.config.gz")
        with open(trunc, "wb") as f:
            f.write(blob[: len(blob) // 2])
        bomb = os.path.join(d, "bomb.gz")
        with gzip.open(bomb, "wb", compresslevel=9) as f:
            chunk = b"\0" * (1 << 20)
            for _ in range(80):  # 80 MiB of zeros, ~80 KB compressed
                f.write(chunk)

        case("--kconfig GOOD.gz is read", ["check", "--kconfig", good, pol], 0, "")
        case("--kconfig TRUNCATED.gz is an error", ["check", "--kconfig", trunc, pol], 2, "unexpected end of file")
        case("targets show --kconfig TRUNCATED.gz is an error", ["targets", "show", "linux-6.12", "--kconfig", trunc], 2,
             "unexpected end of file")
        case("--kconfig BOMB.gz stops at 64 MiB", ["check", "--kconfig", bomb, pol], 2, "larger than 64 MiB")
        case("--kconfig DIR is an error", ["check", "--kconfig", d, pol], 2, "it is a directory")
        case("--kconfig MISSING names the reason", ["check", "--kconfig", os.path.join(d, "nope"), pol], 2,
             "No such file or directory")

        case("eval --events DIR is an error", ["eval", pol, "--events", d], 2, "is a directory")
        case("eval --events MISSING is an error", ["eval", pol, "--events", os.path.join(d, "nope")], 2,
             "No such file or directory")
        case("lifecycle DIR is an error", ["lifecycle", d], 2, "is a directory")
        big = os.path.join(d, "big.jsonl")
        with open(big, "w") as f:
            f.write('{"op": "EXECUTE"}\n' * 100000)
        case("eval --events honours --max-file-size", ["eval", pol, "--events", big, "--max-file-size", "1M"], 2,
             "larger than 1 MiB (--max-file-size) [file-too-large]")

        case("check - - is a usage error", ["check", "-", "-"], 2, "standard input (-) can be read only once",
             stdin=POLICY.encode())
        case("fmt - - is a usage error", ["fmt", "-", "-"], 2, "can be read only once", stdin=POLICY.encode())
        case("eval - --events - is a usage error", ["eval", "-", "--events", "-"], 2, "can be read only once",
             stdin=POLICY.encode())

        # Standard input is `<stdin>` in every message (these once said `-:1`), and user text is escaped.
        case("eval --events - names <stdin>", ["eval", pol, "--events", "-"], 2, "ipec: error: <stdin>:1: event:",
             stdin=b'{"op": "EXECUTE", "bogus": 1}\n')
        case("lifecycle - names <stdin> and escapes the operation", ["lifecycle", "-"], 2,
             "ipec: error: <stdin>:1: unknown operation `frob\\x1bnicate`", stdin=b"frob\x1bnicate x\n")

        for bad in ["", "relative/dir", "/x y", "/x\nmap create /evil type hash", "/a#b", "/"]:
            case(f"--pin-dir {bad!r} is refused", ["compile", "--backend", "bpf-maps", "--pin-dir", bad, "-o", "-", pol],
                 2, "--pin-dir: expected an absolute path")
        case("an unknown command is named", ["bogus", pol], 2, "ipec: error: unknown command `bogus`; the commands are check")
        case("parser errors carry the ipec: error: prefix", ["check", "--error-limit", "x", pol], 2,
             "ipec: error: Could not convert: --error-limit = x")
        case("a missing subcommand carries the prefix", [], 2, "ipec: error: A subcommand is required")
        for opt in ["--error-limit", "--warning-limit", "--analysis-budget", "--cert-size"]:
            case(f"check {opt} '' is refused (it once meant 0)", ["check", opt, "", pol], 2,
                 "expected a number, got an empty value")
        case("--pin-dir with --backend=table is refused", ["compile", "--pin-dir", "/sys/fs/bpf/x", "-o", "-", pol], 2,
             "applies to --backend=bpf-maps only")
        case("--pin-dir /sys/fs/bpf/mine is taken", ["compile", "--backend", "bpf-maps", "--pin-dir", "/sys/fs/bpf/mine",
                                                     "-o", os.path.join(d, "maps.batch"), pol], 0, "")

    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print("all input cases hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
