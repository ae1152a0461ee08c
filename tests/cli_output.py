#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Where `ipec compile -o` and `ipec fmt -i` write: a regular file is replaced atomically (keeping
its mode, and a symlink its target); anything else that exists is written in place, never
replaced. Once `-o /dev/null` run as root renamed a regular file over /dev/null, `-o
/dev/stdout` into a pipe replaced the link, `-o POLICY POLICY` replaced the source with the table,
a full standard output still exited 0, and a write that failed inside fmt::print ended with abort().

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
    exe = os.path.abspath(sys.argv[1])
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
        leftovers = [n for n in os.listdir(d) if ".ipec-tmp." in n]
        expect(not leftovers, "no temporary files are left behind")

        # The output may not be the input policy (it once replaced the source with the table).
        same = os.path.join(d, "same.pol")
        with open(same, "w") as f:
            f.write(POLICY)
        os.symlink("same.pol", os.path.join(d, "same-link.pol"))
        for out_arg in (same, "./same.pol", os.path.join(d, "same-link.pol")):
            r = subprocess.run([exe, "compile", "-o", out_arg, same], capture_output=True, timeout=60, cwd=d)
            expect(r.returncode == 2 and b"is the input policy" in r.stderr and open(same).read() == POLICY,
                   f"compile -o {os.path.basename(out_arg)} SAME.pol is refused")

        # A name near the 255-byte limit can still be replaced (the temporary name once overflowed).
        long_name = os.path.join(d, "a" * 250 + ".pol")
        with open(long_name, "w") as f:
            f.write(POLICY)
        r = ipec(exe, "compile", "-o", long_name, pol)
        expect(r.returncode == 0 and open(long_name, "rb").read() == table, "compile -o 254-BYTE-NAME")

        # Set-user-ID and set-group-ID do not survive a rewrite.
        suid = os.path.join(d, "suid.ipet")
        with open(suid, "wb") as f:
            f.write(b"old")
        os.chmod(suid, 0o6750)
        r = ipec(exe, "compile", "-o", suid, pol)
        expect(r.returncode == 0 and stat.S_IMODE(os.stat(suid).st_mode) == 0o750, "set-user/group-ID bits are cleared")

        # As root, the owner and group are kept.
        if os.geteuid() == 0:
            owned = os.path.join(d, "owned.ipet")
            with open(owned, "wb") as f:
                f.write(b"old")
            os.chown(owned, 65534, 65534)
            r = ipec(exe, "compile", "-o", owned, pol)
            st = os.stat(owned)
            expect(r.returncode == 0 and (st.st_uid, st.st_gid) == (65534, 65534), "the owner and group are kept")

        # An empty output path is an error.
        r = ipec(exe, "compile", "-o", "", pol)
        expect(r.returncode == 2 and b"--output: expected a file name, got an empty value" in r.stderr,
           "compile -o '' is an error")

        # A full device: the write error is reported, for -o FILE and for standard output.
        full = os.path.join(d, "full")
        try:
            os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
        except PermissionError:
            full = None
        if full:
            r = ipec(exe, "compile", "-o", full, pol)
            expect(r.returncode == 2 and b"No space left" in r.stderr, "compile -o FULL-DEVICE fails with status 2")
            with open(full, "wb") as out:
                r = subprocess.run([exe, "compile", "-o", "-", pol], stdout=out, stderr=subprocess.PIPE, timeout=60)
            expect(r.returncode == 2 and b"cannot write standard output" in r.stderr,
                   "compile -o - > FULL-DEVICE fails with status 2")
            with open(full, "wb") as out:
                r = subprocess.run([exe, "targets"], stdout=out, stderr=subprocess.PIPE, timeout=60)
            expect(r.returncode == 2 and b"cannot write standard output" in r.stderr, "targets > FULL-DEVICE fails")
            # More than stdio's buffer: the write fails inside a print, not at the final flush (fmt::print
            # threw there, and ipec ended with abort()).
            script = os.path.join(d, "script")
            with open(script, "w") as f:
                f.write("new_policy p.pol\n" * 300)
            with open(full, "wb") as out:
                r = subprocess.run([exe, "lifecycle", script], stdout=out, stderr=subprocess.PIPE, timeout=60)
            expect(r.returncode == 2 and b"cannot write standard output" in r.stderr,
                   "lifecycle > FULL-DEVICE (300 lines) fails with status 2")
            # A failed stderr is ignored, as by stdio: the status is the command's.
            with open(full, "wb") as err:
                r = subprocess.run([exe, "compile", "--verify", "--stats", "-o", os.devnull, pol], stdout=subprocess.PIPE,
                                   stderr=err, timeout=60)
            expect(r.returncode == 0, "compile --verify --stats 2> FULL-DEVICE exits 0")

    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print("all output cases hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
