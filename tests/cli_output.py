#!/usr/bin/env python3
"""Where `ipec compile -o` and `ipec fmt -i` write: a regular file is replaced atomically (keeping
its mode, and a symlink its target); anything else that exists is written in place, never
replaced. Once `-o /dev/null` run as root renamed a regular file over /dev/null, and `-o
/dev/stdout` into a pipe replaced the link.

    cli_output.py IPEC
"""
import os
import stat
import subprocess
import sys
import tempfile
import threading

POLICY = "policy_name=out policy_version=1.0.0\nDEFAULT action=ALLOW\nop=EXECUTE boot_verified=TRUE action=DENY\n"


def ipec(*args):
    return subprocess.run(list(args), capture_output=True, timeout=60)


def main():
    exe = sys.argv[1]
    failures = []

    def expect(cond, what):
        print(("ok    " if cond else "FAIL  ") + what)
        if not cond:
            failures.append(what)

    with tempfile.TemporaryDirectory(prefix="ipec-out-") as d:
        pol = os.path.join(d, "p.pol")
        with open(pol, "w") as f:
            f.write(POLICY)
        ref = os.path.join(d, "ref.ipet")
        r = ipec(exe, "compile", "-o", ref, pol)
        expect(r.returncode == 0, "compile to a new file")
        table = open(ref, "rb").read()
        expect(table[:8] == b"IPECTBL\0", "the new file holds a table")

        # A FIFO stays a FIFO, and its reader gets the table.
        fifo = os.path.join(d, "pipe")
        os.mkfifo(fifo)
        got = []
        reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()), daemon=True)
        reader.start()
        r = ipec(exe, "compile", "-o", fifo, pol)
        reader.join(10)
        expect(r.returncode == 0, "compile -o FIFO exits 0")
        expect(stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO is still a FIFO")
        expect(got == [table], "the FIFO's reader got the table")
        if reader.is_alive():  # unblock the reader so the directory can go
            with open(fifo, "wb"):
                pass

        # /dev/null stays a character device; tried only once the FIFO case shows that a special
        # file is written in place, since the old bug replaced the machine's /dev/null.
        if not failures:
            r = ipec(exe, "compile", "-o", os.devnull, pol)
            expect(r.returncode == 0 and stat.S_ISCHR(os.stat(os.devnull).st_mode), "compile -o /dev/null leaves a device")

        # A link that realpath() cannot name (as /dev/stdout -> /proc/self/fd/1 -> pipe:[N]) is
        # written through; once it was replaced by a regular file and the pipe got nothing.
        fd1 = os.path.join(d, "stdout-link")
        os.symlink("/proc/self/fd/1", fd1)
        r = ipec(exe, "compile", "-o", fd1, pol)
        expect(r.returncode == 0 and r.stdout == table, "compile -o LINK-TO-A-PIPE writes into the pipe")
        expect(os.path.islink(fd1), "the link to the pipe is still a link")

        # A dangling symlink is refused, and left as it is.
        dangling = os.path.join(d, "dangling.ipet")
        os.symlink("missing.ipet", dangling)
        r = ipec(exe, "compile", "-o", dangling, pol)
        expect(r.returncode == 2 and b"symbolic link to a missing file" in r.stderr and os.path.islink(dangling)
               and not os.path.exists(os.path.join(d, "missing.ipet")), "compile -o DANGLING-SYMLINK is an error")

        # A directory is an error, and stays a directory.
        sub = os.path.join(d, "dir")
        os.mkdir(sub)
        r = ipec(exe, "compile", "-o", sub, pol)
        expect(r.returncode == 2 and b"is a directory" in r.stderr and os.path.isdir(sub), "compile -o DIR is an error")

        # A regular file keeps its mode; a symlink keeps pointing at its target, which is replaced.
        out = os.path.join(d, "old.ipet")
        with open(out, "wb") as f:
            f.write(b"old")
        os.chmod(out, 0o600)
        link = os.path.join(d, "link.ipet")
        os.symlink("old.ipet", link)
        r = ipec(exe, "compile", "-o", link, pol)
        expect(r.returncode == 0 and os.path.islink(link), "compile -o SYMLINK keeps the link")
        expect(open(out, "rb").read() == table, "the symlink's target holds the table")
        expect(stat.S_IMODE(os.stat(out).st_mode) == 0o600, "the target keeps its mode 0600")
        leftovers = [n for n in os.listdir(d) if ".ipec-fmt." in n]
        expect(not leftovers, "no temporary files are left behind")

    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print("all output cases hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
