#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Hostile-input robustness tests for the real `ipec` binary (docs/testing-robustness.md).

    run_case.py IPEC CASE [--sanitized]
    run_case.py IPEC --list

Every case generates its inputs at test time in a temporary directory (nothing big is committed:
the 100 MB lines are written in chunks, the 1 GiB file is sparse) and runs `ipec check`,
`ipec check --format=json` and `ipec fmt` on each input, asserting for every run:

  * no crash: the process exits normally (no signal, no sanitizer report);
  * the expected exit status: 2 for a directory, an unreadable, missing or too-large input;
    0 or 1 otherwise (for `fmt`, which prints the layout, 0);
  * a clear diagnostic: `check` names the expected ids (`[io-error]`, `[file-too-large]`, ...)
    on stderr (text) or in the document (JSON, which must parse); `fmt` says `ipec: error:`;
  * terminal-safe text output: stderr is valid UTF-8 without control bytes (hostile bytes are
    shown escaped, as base/render_text.h promises) and bounded in size;
  * bounded time (60 s) and bounded peak memory (ru_maxrss of the ipec process; 1.5 GB for
    the 100 MB inputs). A watchdog kills ipec at the time limit or at twice the memory limit,
    so a regression cannot take the machine down.

--sanitized (an IPEC_SANITIZE build) multiplies the time and memory limits by 3.
Running as root: `chmod 000` does not stop root, so the unreadable-file check runs ipec as
`nobody` (uid 65534); if that is impossible it is skipped with a message, and the other
unreadable paths (ENOTDIR, ELOOP, ENAMETOOLONG, a stdin that is a directory or closed) still run.
"""
import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time

MB = 1 << 20
HEADER = b"policy_name=robust policy_version=0.0.1\nDEFAULT action=ALLOW\n"
VALID = HEADER + b"op=EXECUTE boot_verified=TRUE action=ALLOW\n"

# Per-run limits; a case may raise them for its big inputs.
TIMEOUT_S = 60.0
SMALL_MEM_MB = 256
BIG_MEM_MB = 1536          # the 100 MB inputs
STREAM_MEM_MB = 1024       # a 256 MiB --max-file-size read from a stream
MAX_STDERR = 2 * MB        # text diagnostics
MAX_JSON = 8 * MB          # --format=json document


class Ctx:
    def __init__(self, ipec, tmp, sanitized):
        self.ipec = ipec
        self.tmp = tmp
        self.scale = 3 if sanitized else 1
        self.failures = []
        self.skips = []

    def path(self, name):
        return os.path.join(self.tmp, name)

    def fail(self, msg):
        print("  FAIL: " + msg)
        self.failures.append(msg)

    def skip(self, msg):
        print("  SKIP: " + msg)
        self.skips.append(msg)


# ---- input generators (streamed, so the test itself stays small) ------------------------------

def write_file(path, chunks):
    with open(path, "wb") as f:
        for c in chunks:
            f.write(c)
    return path


def repeat(unit, total, prefix=b"", suffix=b""):
    """Yields prefix + unit repeated to `total` bytes (rounded down to whole units) + suffix."""
    yield prefix
    block = unit * max(1, (1 * MB) // len(unit))
    left = (total // len(unit)) * len(unit)
    while left >= len(block):
        yield block
        left -= len(block)
    yield unit * (left // len(unit))
    yield suffix


def junk(total, seed, drop=b""):
    """Deterministic pseudo-random bytes, minus the bytes in `drop` (replaced by 'x')."""
    rnd = random.Random(seed)
    table = bytes(b if bytes([b]) not in drop else ord("x") for b in range(256)) if drop else None
    left = total
    while left > 0:
        n = min(left, 1 * MB)
        b = rnd.randbytes(n)
        yield b.translate(table) if table else b
        left -= n


# ---- running ipec ---------------------------------------------------------------------------

def vm_rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class Run:
    pass


def run(ctx, args, stdin=None, stdin_chunks=None, preexec=None, mem_mb=SMALL_MEM_MB, keep_stdout=True):
    """Runs ipec with `args`; returns a Run with rc (negative: signal), seconds, peak_mb, out, err."""
    timeout = TIMEOUT_S * ctx.scale
    mem_mb *= ctx.scale
    out_path, err_path = ctx.path(".stdout"), ctx.path(".stderr")
    r = Run()
    r.args, r.killed = args, None
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        stdin_arg = subprocess.PIPE if stdin_chunks is not None else stdin
        start = time.monotonic()
        p = subprocess.Popen([ctx.ipec] + args, stdin=stdin_arg, stdout=out if keep_stdout else subprocess.DEVNULL,
                             stderr=err, cwd=ctx.tmp, preexec_fn=preexec, env=dict(os.environ, NO_COLOR="1"))
        feeder = None
        if stdin_chunks is not None:
            def feed():
                try:
                    for c in stdin_chunks:
                        p.stdin.write(c)
                except (BrokenPipeError, ValueError, OSError):
                    pass  # ipec stopped reading (too large): expected
                finally:
                    try:
                        p.stdin.close()
                    except OSError:
                        pass
            feeder = threading.Thread(target=feed, daemon=True)
            feeder.start()
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            elapsed = time.monotonic() - start
            if elapsed > timeout and not r.killed:
                r.killed = "still running after %.0f s" % timeout
                os.kill(p.pid, signal.SIGKILL)
            elif vm_rss_kb(p.pid) > 2 * mem_mb * 1024 and not r.killed:
                r.killed = "resident memory above %d MB" % (2 * mem_mb)
                os.kill(p.pid, signal.SIGKILL)
            time.sleep(0.01)
        r.seconds = time.monotonic() - start
        p.returncode = r.rc = os.waitstatus_to_exitcode(status)
        r.peak_mb = usage.ru_maxrss / 1024.0
        if feeder:
            feeder.join(5)
    r.err_size = os.path.getsize(err_path)
    r.out_size = os.path.getsize(out_path)
    with open(err_path, "rb") as f:
        r.err = f.read(MAX_STDERR + 1)
    with open(out_path, "rb") as f:
        r.out = f.read(MAX_JSON + 1)
    r.mem_limit_mb, r.timeout = mem_mb, timeout
    return r


def describe(r):
    rc = ("signal %d" % -r.rc) if r.rc < 0 else "rc=%d" % r.rc
    return "%s %.2fs %.0fMB stderr=%dB stdout=%dB" % (rc, r.seconds, r.peak_mb, r.err_size, r.out_size)


def excerpt(b, n=600):
    s = b.decode("utf-8", "backslashreplace")
    return s if len(s) <= n else s[: n // 2] + " ... " + s[-n // 2:]


def check_common(ctx, what, r, expect_rc):
    ok = True
    if r.killed:
        ctx.fail("%s: killed: %s (%s)" % (what, r.killed, describe(r)))
        return False
    if r.rc < 0:
        ctx.fail("%s: crashed with signal %d; stderr: %s" % (what, -r.rc, excerpt(r.err)))
        return False
    for marker in (b"AddressSanitizer", b"LeakSanitizer", b"runtime error:", b"terminate called", b"Aborted"):
        if marker in r.err:
            ctx.fail("%s: %s in stderr: %s" % (what, marker.decode(), excerpt(r.err)))
            ok = False
    if r.rc not in expect_rc:
        ctx.fail("%s: exit status %d, expected %s; stderr: %s" % (what, r.rc, sorted(expect_rc), excerpt(r.err)))
        ok = False
    if r.seconds > r.timeout:
        ctx.fail("%s: took %.1f s (limit %.0f s)" % (what, r.seconds, r.timeout))
        ok = False
    if r.peak_mb > r.mem_limit_mb:
        ctx.fail("%s: peak RSS %.0f MB (limit %d MB)" % (what, r.peak_mb, r.mem_limit_mb))
        ok = False
    return ok


def check_text_output(ctx, what, r, name_is_utf8=True):
    if r.err_size > MAX_STDERR:
        ctx.fail("%s: %d bytes of diagnostics on stderr (limit %d): hostile input floods the terminal"
                 % (what, r.err_size, MAX_STDERR))
        return
    if not name_is_utf8:
        return
    try:
        r.err.decode("utf-8")
    except UnicodeDecodeError as e:
        ctx.fail("%s: stderr is not valid UTF-8 at byte %d (%r): hostile bytes must be shown escaped"
                 % (what, e.start, r.err[max(0, e.start - 30): e.end + 10]))
        return
    bad = sorted({c for c in r.err if (c < 0x20 and c not in (0x0A, 0x09)) or c == 0x7F})
    if bad:
        ctx.fail("%s: raw control bytes %s on stderr" % (what, ["0x%02x" % c for c in bad]))


def check_input(ctx, label, path, expect, ids=(), messages=(), mem_mb=SMALL_MEM_MB, stdin=None,
                stdin_chunks_fn=None, preexec=None, extra=(), name_is_utf8=True, fmt_rc=None):
    """Runs check (text), check --format=json and fmt on one input.

    expect: "io" (exit 2; I/O or size problem), "ok" (exit 0), "findings" (exit 1) or "parsed" (0 or 1).
    ids: diagnostic ids `check` must report; for "parsed"/"findings" with too-large inputs the
    driver may instead refuse the file with [file-too-large] (exit 2) if its --max-file-size
    default is lowered, which is accepted too when `ids` contains "file-too-large?".
    """
    allow_refusal = "file-too-large?" in ids
    ids = [i for i in ids if i != "file-too-large?"]
    exp = {"io": {2}, "ok": {0}, "findings": {1}, "parsed": {0, 1}}[expect]
    if allow_refusal:
        exp = exp | {2}
    print("%s:" % label)
    arg = "-" if path == "-" else path

    def stdin_for():
        if stdin_chunks_fn is not None:
            return dict(stdin_chunks=stdin_chunks_fn())
        if callable(stdin):
            return dict(stdin=stdin())
        return dict(stdin=stdin if stdin is not None else subprocess.DEVNULL)

    # check, text
    r = run(ctx, ["check", "--color=never"] + list(extra) + [arg], preexec=preexec, mem_mb=mem_mb, **stdin_for())
    print("  check       %s" % describe(r))
    if r.rc == 2 and allow_refusal and b"[file-too-large]" in r.err:
        want_ids = ["file-too-large"]
    else:
        want_ids = ids
    if check_common(ctx, label + ": check", r, exp):
        for i in want_ids:
            if ("[%s]" % i).encode() not in r.err + r.out:  # stdout: the verdict line names its cause
                ctx.fail("%s: check: no [%s] in the output: %s" % (label, i, excerpt(r.err)))
        for m in messages:
            if m.encode() not in r.err + r.out:
                ctx.fail("%s: check: no %r in the output: %s" % (label, m, excerpt(r.err)))
        if r.rc == 2 and not r.err.startswith(b"ipec: error: "):
            ctx.fail("%s: check: the I/O error does not start with `ipec: error: `: %s" % (label, excerpt(r.err)))
        check_text_output(ctx, label + ": check", r, name_is_utf8)

    if r.killed:  # json and fmt run the same pipeline: do not wait for it twice more
        print("  (check --format=json and fmt skipped: check was killed)")
        return

    # check, JSON
    r = run(ctx, ["check", "--format=json"] + list(extra) + [arg], preexec=preexec, mem_mb=mem_mb, **stdin_for())
    print("  check json  %s" % describe(r))
    if check_common(ctx, label + ": check --format=json", r, exp):
        if r.out_size > MAX_JSON:
            ctx.fail("%s: check --format=json: %d bytes of JSON (limit %d)" % (label, r.out_size, MAX_JSON))
        else:
            try:
                doc = json.loads(r.out)
                got = [d["id"] for f in doc["files"] for d in f["diagnostics"]]
                got += [f["kernel"]["cause"] for f in doc["files"] if f.get("kernel") and "cause" in f["kernel"]]
                for i in (["file-too-large"] if r.rc == 2 and "file-too-large" in got and allow_refusal else want_ids):
                    if i not in got:
                        ctx.fail("%s: check --format=json: no %s diagnostic (got %s)" % (label, i, got[:20]))
            except (ValueError, KeyError, TypeError) as e:
                ctx.fail("%s: check --format=json: not a valid document (%s): %s" % (label, e, excerpt(r.out)))

    # fmt (prints the canonical layout: 0 unless the input cannot be read)
    r = run(ctx, ["fmt"] + list(extra) + [arg], preexec=preexec, mem_mb=mem_mb, keep_stdout=False, **stdin_for())
    print("  fmt         %s" % describe(r))
    fexp = fmt_rc if fmt_rc is not None else ({2} if expect == "io" else ({0, 2} if allow_refusal else {0}))
    if check_common(ctx, label + ": fmt", r, fexp) and r.rc == 2 and b"ipec: error: " not in r.err:
        ctx.fail("%s: fmt: no `ipec: error: ` message: %s" % (label, excerpt(r.err)))


# ---- the cases ------------------------------------------------------------------------------

def case_empty(ctx):
    p = write_file(ctx.path("empty.pol"), [])
    check_input(ctx, "empty file", p, "findings", ids=["missing-header"])
    p = write_file(ctx.path("blank.pol"), [b" \t\n\n\r\n  \n"])
    check_input(ctx, "only whitespace", p, "findings", ids=["missing-header"])


def case_directory(ctx):
    d = ctx.path("a-directory.pol")
    os.mkdir(d)
    check_input(ctx, "directory", d, "io", ids=["io-error"], messages=["is a directory"])
    check_input(ctx, "directory on stdin", "-", "io", ids=["io-error"],
                stdin=lambda: os.open(d, os.O_RDONLY))


def case_missing(ctx):
    check_input(ctx, "missing file", ctx.path("no-such.pol"), "io", ids=["io-error"],
                messages=["No such file or directory"])
    write_file(ctx.path("ok.pol"), [VALID])
    # One good file and one missing: the good one is still checked, the status is 2.
    r = run(ctx, ["check", "--color=never", ctx.path("ok.pol"), ctx.path("no-such.pol")])
    print("valid + missing file:\n  check       %s" % describe(r))
    if check_common(ctx, "valid + missing: check", r, {2}):
        if b"accepts this policy" not in r.out or b"[io-error]" not in r.err:
            ctx.fail("valid + missing: check: expected a verdict for ok.pol and [io-error] for the other: %s"
                     % excerpt(r.out + r.err))


def drop_to_nobody():
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)


def case_unreadable(ctx):
    os.chmod(ctx.tmp, 0o755)  # reachable by `nobody` when running as root
    p = write_file(ctx.path("secret.pol"), [VALID])
    os.chmod(p, 0)
    preexec = drop_to_nobody if os.geteuid() == 0 else None
    label = "chmod 000 file" + (" (ipec run as nobody: root ignores file modes)" if preexec else "")
    try:
        r = run(ctx, ["check", "--color=never", p], preexec=preexec)
    except (OSError, subprocess.SubprocessError) as e:
        ctx.skip("%s: cannot run ipec as nobody (%s); the other unreadable paths still run" % (label, e))
        r = None
    if r is not None and r.rc in (0, 1) and not r.killed:
        ctx.skip("%s: the file is readable here (rc=%d; root without a way to drop privileges?)" % (label, r.rc))
    elif r is not None:
        check_input(ctx, label, p, "io", ids=["io-error"], messages=["Permission denied"], preexec=preexec)

    write_file(ctx.path("plain.pol"), [VALID])
    check_input(ctx, "path through a file (ENOTDIR)", ctx.path("plain.pol/x.pol"), "io", ids=["io-error"],
                messages=["Not a directory"])
    os.symlink("loop-b.pol", ctx.path("loop-a.pol"))
    os.symlink("loop-a.pol", ctx.path("loop-b.pol"))
    check_input(ctx, "symlink loop (ELOOP)", ctx.path("loop-a.pol"), "io", ids=["io-error"],
                messages=["Too many levels of symbolic links"])
    os.symlink("nowhere.pol", ctx.path("dangling.pol"))
    check_input(ctx, "dangling symlink", ctx.path("dangling.pol"), "io", ids=["io-error"])
    check_input(ctx, "path longer than PATH_MAX (ENAMETOOLONG)", ctx.path("x" * 300 + "/" + "y" * 5000), "io",
                ids=["io-error"], messages=["File name too long"])


def case_invalid_utf8(ctx):
    text = (b"policy_name=caf\xc3 policy_version=0.0.1\n"
            b"DEFAULT action=ALLOW # surrogate \xed\xa0\x80 overlong \xc0\xaf \xe0\x80\xaf\n"
            b"op=EXECUTE\xff action=ALLOW\n"
            b"op=EXECUTE fsverity_digest=sha256:\xf4\x90\x80\x80 action=DENY\n"
            b"op=EXECUTE dmverity_roothash=sha256:\xf8\x88\x80\x80\x80 action=DENY\n"
            b"\xbf\xbf\xfe\xff \xc2 \xf0\x9f\x98\n")
    p = write_file(ctx.path("utf8.pol"), [text])
    check_input(ctx, "invalid UTF-8", p, "findings", ids=["unknown-op", "bad-digest", "missing-op"])
    # Terminal escape sequences and control bytes in every place a message may quote: they must
    # reach the terminal escaped (a policy must not be able to clear the screen or set the title).
    esc = (b"policy_name=\x1b[2J\x08 policy_version=0.0.1\n"
           b"DEFAULT action=ALLOW # \x1b]0;title\x07 \x9b31m\n"
           b"op=EXECUTE fsverity_digest=\x1b[2J\x1b[31m\xff action=DENY\n"
           b"op=EXECUTE dmverity_roothash=sha256:\x1b[0m action=DENY\n"
           b"op=\x1b[1mEXECUTE boot_verified=\x7f\x1b action=ALLOW\n"
           b"\x1bc\x05 action=ALLOW\n")
    p = write_file(ctx.path("escapes.pol"), [esc])
    check_input(ctx, "escape sequences and control bytes", p, "findings",
                ids=["bad-digest", "unknown-op", "missing-op"])
    # A file name that is not UTF-8 either: JSON output must still be a valid document.
    p2 = os.path.join(ctx.tmp.encode(), b"name-\xff\xfe.pol")
    write_file(p2, [text])
    check_input(ctx, "non-UTF-8 file name", p2.decode("utf-8", "surrogateescape"), "findings",
                ids=["unknown-op"], name_is_utf8=False)


def case_nul(ctx):
    p = write_file(ctx.path("nul-after.pol"), [VALID, b"\0op=EXECUTE action=DENY\n"])
    check_input(ctx, "NUL after the policy", p, "ok", ids=["text-after-nul"])
    p = write_file(ctx.path("nul-first.pol"), [b"\0", VALID])
    check_input(ctx, "NUL first", p, "findings", ids=["missing-header", "text-after-nul"])
    p = write_file(ctx.path("nul-token.pol"), [HEADER, b"op=EXEC\0UTE action=ALLOW\n"])
    check_input(ctx, "NUL inside a token", p, "findings", ids=["text-after-nul"])
    p = write_file(ctx.path("nul-only.pol"), [b"\0" * (4 * MB)])
    check_input(ctx, "4 MiB of NULs", p, "findings", ids=["missing-header", "file-too-large?"])


def case_binary(ctx):
    p = write_file(ctx.path("junk.bin"), junk(8 * MB, 1))
    check_input(ctx, "8 MiB random bytes", p, "findings", ids=["file-too-large?"])
    p = write_file(ctx.path("junk-nonul.bin"), junk(8 * MB, 2, drop=b"\0"))
    check_input(ctx, "8 MiB random bytes without NUL", p, "findings", ids=["policy-too-large", "file-too-large?"])
    p = write_file(ctx.path("elf.bin"), [open(ctx.ipec, "rb").read(2 * MB)])
    check_input(ctx, "an ELF executable", p, "findings")


def case_line100m_token(ctx):
    p = write_file(ctx.path("line-token.pol"),
                   repeat(b"0123456789abcdef", 100 * MB, HEADER + b"op=EXECUTE fsverity_digest=sha256:",
                          b" action=ALLOW\n"))
    check_input(ctx, "100 MB line: one digest token", p, "parsed", ids=["policy-too-large", "file-too-large?"],
                mem_mb=BIG_MEM_MB)


def case_line100m_words(ctx):
    p = write_file(ctx.path("line-words.pol"),
                   repeat(b" a", 100 * MB, HEADER + b"op=EXECUTE", b" action=ALLOW\n"))
    check_input(ctx, "100 MB line: 50 M one-byte tokens", p, "parsed", ids=["policy-too-large", "file-too-large?"],
                mem_mb=BIG_MEM_MB)


def case_line100m_binary(ctx):
    p = write_file(ctx.path("line-binary.pol"),
                   [HEADER] + list(junk(100 * MB, 3, drop=b"\0\n\r")) + [b"\n"])
    check_input(ctx, "100 MB line: random bytes", p, "parsed", ids=["policy-too-large", "file-too-large?"],
                mem_mb=BIG_MEM_MB)


def case_lines100m(ctx):
    p = write_file(ctx.path("lines-lf.pol"), repeat(b"\n", 100 * MB, HEADER))
    check_input(ctx, "100 MB of empty lines", p, "parsed", ids=["policy-too-large", "file-too-large?"],
                mem_mb=BIG_MEM_MB)
    p = write_file(ctx.path("lines-junk.pol"), repeat(b"a\n", 100 * MB, HEADER))
    check_input(ctx, "100 MB of one-byte junk lines", p, "parsed", ids=["policy-too-large", "file-too-large?"],
                mem_mb=BIG_MEM_MB)


def case_cr_flood(ctx):
    p = write_file(ctx.path("cr-flood.pol"), repeat(b"\r", 8 * MB, HEADER))
    check_input(ctx, "8 MiB of bare CRs after LF lines", p, "parsed", ids=["policy-too-large", "bare-cr", "file-too-large?"],
                mem_mb=BIG_MEM_MB)


def case_file1g(ctx):
    p = ctx.path("sparse-1g.pol")
    with open(p, "wb") as f:
        f.truncate(1 << 30)  # sparse: no disk space, no time
    check_input(ctx, "1 GiB file", p, "io", ids=["file-too-large"], messages=["1 GiB"])
    check_input(ctx, "1 GiB file, --max-file-size=1M", p, "io", ids=["file-too-large"], extra=["--max-file-size=1M"])


def case_stream(ctx):
    check_input(ctx, "/dev/zero (endless)", "/dev/zero", "io", ids=["file-too-large"], mem_mb=STREAM_MEM_MB)


def case_stdin(ctx):
    check_input(ctx, "stdin: valid policy", "-", "ok", stdin_chunks_fn=lambda: iter([VALID]), messages=["<stdin>"])
    check_input(ctx, "stdin: random bytes", "-", "findings", stdin_chunks_fn=lambda: junk(1 * MB, 4))
    check_input(ctx, "stdin: empty", "-", "findings", ids=["missing-header"])
    check_input(ctx, "stdin: closed", "-", "io", ids=["io-error"], preexec=lambda: os.close(0))
    check_input(ctx, "stdin: 1 GiB stream", "-", "io", ids=["file-too-large"], mem_mb=STREAM_MEM_MB,
                stdin_chunks_fn=lambda: repeat(b"op=EXECUTE action=ALLOW\n", 1 << 30, HEADER))
    check_input(ctx, "stdin: 8 MiB stream, --max-file-size=1M", "-", "io", ids=["file-too-large"],
                extra=["--max-file-size=1M"], stdin_chunks_fn=lambda: junk(8 * MB, 5))


CASES = {
    "empty": case_empty,
    "directory": case_directory,
    "missing": case_missing,
    "unreadable": case_unreadable,
    "invalid-utf8": case_invalid_utf8,
    "nul": case_nul,
    "binary": case_binary,
    "line100m-token": case_line100m_token,
    "line100m-words": case_line100m_words,
    "line100m-binary": case_line100m_binary,
    "lines100m": case_lines100m,
    "cr-flood": case_cr_flood,
    "file1g": case_file1g,
    "stream": case_stream,
    "stdin": case_stdin,
}


def main():
    args = sys.argv[1:]
    if len(args) == 2 and args[1] == "--list":
        print(";".join(CASES))
        return 0
    if len(args) < 2 or args[1] not in CASES:
        print("usage: run_case.py IPEC {%s} [--sanitized]" % "|".join(CASES), file=sys.stderr)
        return 2
    ipec, name = os.path.abspath(args[0]), args[1]
    tmp = tempfile.mkdtemp(prefix="ipec-robust-%s-" % name)
    ctx = Ctx(ipec, tmp, "--sanitized" in args[2:])
    try:
        CASES[name](ctx)
    finally:
        for root, dirs, _ in os.walk(tmp):
            for d in dirs:
                try:
                    os.chmod(os.path.join(root, d), 0o755)
                except OSError:
                    pass
        shutil.rmtree(tmp, ignore_errors=True)
    if ctx.failures:
        print("\n%d failure(s) in case %s:" % (len(ctx.failures), name))
        for f in ctx.failures:
            print("  - " + f)
        return 1
    print("\ncase %s: ok%s" % (name, " (%d skipped)" % len(ctx.skips) if ctx.skips else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
