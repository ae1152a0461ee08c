#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Inputs other than the policy: --kconfig files, --events and lifecycle scripts, standard input
named twice, --pin-dir. Each bad one is a usage or I/O error (status 2) with a message, never a
silent success, a partial result or an abort. Every case here once went wrong:
a truncated gzip .config passed as half a configuration; a gzip bomb aborted with bad_alloc; a
directory as --events or as a lifecycle script read as empty; `-` twice read stdin twice;
--pin-dir took newlines into the bpftool batch file; parser errors lacked the `ipec: error:`
prefix, and an unknown command was reported as a missing one; a file name with an invalid UTF-8
byte aborted `eval --format=json` (uncaught nlohmann type_error 316); --max-file-size took
`17179869185G`, `-18014398509481983K`, ` 5M` and `+5M`; `--opt=` took the next word as its value;
`ipec --bogus` said a subcommand was required; `--signer-cert` gave no reason; a file after `--`
was refused when another came before it; `ipec --version extra` exited 0.

    cli_inputs.py IPEC
"""
import gzip
import json
import os
import subprocess
import sys
import tempfile

POLICY = "policy_name=in policy_version=1.0.0\nDEFAULT action=ALLOW\n"
KCONFIG = "".join("CONFIG_FILLER_%d=y\n" % i for i in range(5000)) + "CONFIG_SECURITY_IPE=y\nCONFIG_LSM=\"ipe\"\n"


def main():
    exe = os.path.abspath(sys.argv[1])
    failures = []

    def case(what, argv, rc, needle, stdin=None, cwd=None, absent=None, stdout=None):
        r = subprocess.run([exe] + argv, capture_output=True, timeout=120, input=stdin, cwd=cwd)
        needle = needle if isinstance(needle, bytes) else needle.encode()
        ok = r.returncode == rc and needle in r.stderr
        ok = ok and (absent is None or absent not in r.stderr + r.stdout) and (stdout is None or stdout in r.stdout)
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
        # User bytes in file names never reach JSON or a terminal raw, and never abort.
        odd = os.path.join(d.encode(), b"ev\xff\x1b[31m.jsonl")
        with open(odd, "wb") as f:
            f.write(b'{"op": "EXECUTE"}\nnot json\n')
        r = subprocess.run([exe.encode(), b"eval", pol.encode(), b"--events", odd, b"--format", b"json"],
                           capture_output=True, timeout=60)
        lines = [json.loads(l) for l in r.stdout.splitlines()]
        ok = r.returncode == 2 and len(lines) == 2 and lines[1].get("line") == 2 and "error" in lines[1]
        print(("ok    " if ok else "FAIL  ") + "eval --events ODD-NAME --format json reports the bad line")
        if not ok:
            failures.append("eval --events with an invalid UTF-8 name")
        r = subprocess.run([exe.encode(), b"check", odd + b".missing", odd], capture_output=True, timeout=60)
        ok = (r.returncode == 2 and b"\x1b" not in r.stderr + r.stdout and b"\xff" not in r.stderr + r.stdout
              and b"ev\\xff\\x1b[31m.jsonl.missing: No such file" in r.stderr)
        print(("ok    " if ok else "FAIL  ") + "a missing file's name is escaped on the terminal")
        if not ok:
            failures.append("file name escaping")

        for size in ["17179869185G", "-18014398509481983K", " 5M", "+5M", "5m", "5MB", "0x10", "18446744073709551616"]:
            case(f"--max-file-size {size!r} is refused", ["check", "--max-file-size", size, pol], 2, "--max-file-size: ")
        case("--max-file-size=0 says why", ["check", "--max-file-size=0", pol], 2, "a size of 0 would refuse every input")
        case("--max-file-size=4095M is taken", ["check", "--max-file-size=4095M", pol], 0, "")
        for opt in ["--error-limit", "--target", "--format", "--kconfig", "--set", "--color", "--max-file-size",
                    "--signer-cert"]:
            case(f"check {opt}= (empty) does not take the next word", ["check", opt + "=", pol], 2,
                 f"{opt}: expected ", absent=b"files is required")
        case("eval --events= is refused", ["eval", pol, "--events="], 2, "--events: expected a file name, got an empty value")
        case("compile -o= is refused", ["compile", pol, "-o", ""], 2, "--output: expected a file name, got an empty value")

        case("ipec --bogus names the option", ["--bogus"], 2, "unknown option `--bogus`")
        case("ipec --target x check names the misplaced option", ["--target", "x", "check", pol], 2,
             "`--target` is an option of the commands; give the command first")
        case("ipec --version extra is refused", ["--version", "extra"], 2, "--version takes nothing else; got `extra`")
        case("ipec chek suggests check", ["chek", pol], 2, "unknown command `chek`; did you mean `check`?")
        case("ipec help chek suggests check", ["help", "chek"], 2, "did you mean `check`?")

        case("--signer-cert MISSING says why", ["check", "--signer-cert", os.path.join(d, "nope.pem"), pol], 2,
             "No such file or directory")
        case("--signer-cert DIR says why", ["check", "--signer-cert", d, pol], 2, "is a directory")
        case("--signer-cert NOT-A-CERT says why", ["check", "--signer-cert", pol, pol], 2,
             "is not an X.509 certificate, in PEM or DER")
        pem = os.path.join(d, "key.pem")
        with open(pem, "w") as f:
            f.write("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
        case("--signer-cert PEM-WITHOUT-CERT says why", ["check", "--signer-cert", pem, pol], 2,
             "is PEM but holds no readable X.509 certificate")

        dash = os.path.join(d, "-b.pol")
        with open(dash, "w") as f:
            f.write(POLICY)
        case("check A -- -B checks both", ["check", "p.pol", "--", "-b.pol"], 0, "", cwd=d, stdout=b"-b.pol: Linux")
        case("check -- fmt reads a file named fmt", ["check", "--", "fmt"], 2, "cannot open fmt", cwd=d)
        case("eval -- -B takes it as the policy", ["eval", "--event", "op=EXECUTE", "--", "-b.pol"], 0, "", cwd=d,
             stdout=b"ALLOW by DEFAULT")
        case("eval A -- -B is refused", ["eval", "p.pol", "--event", "op=EXECUTE", "--", "-b.pol"], 2,
             "`ipec eval` takes no more arguments; not expected: `-b.pol`", cwd=d)

        case("--pin-dir /sys/fs/bpf/mine is taken", ["compile", "--backend", "bpf-maps", "--pin-dir", "/sys/fs/bpf/mine",
                                                     "-o", os.path.join(d, "maps.batch"), pol], 0, "")

    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print("all input cases hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
