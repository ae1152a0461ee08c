# SPDX-License-Identifier: Apache-2.0
"""What part tables (tables.py, tables_hostile.py) shares: the target of the kernel under test,
compiling a table for it, and signing texts, tables and the detached form."""
import os
import re
import struct
import subprocess
import sys

DEC_HEAD = re.compile(r"^policy_name=D(\d+) policy_version=60000\.0\.(\d+)\n")  # part 2's policies


def _die(msg):
    raise SystemExit("kernel-test: INFRASTRUCTURE FAILURE: part tables: " + msg)


def target_flags():
    """the target of the kernel under test: linux-6.12 with its own .config"""
    cfg = os.environ.get("KT_KERNEL_CONFIG")
    return ["--target", "linux-6.12"] + (["--kconfig", cfg] if cfg else [])


def compile_table(ipec, src, dst):
    r = subprocess.run([ipec, "compile", src, "-o", dst] + target_flags(), capture_output=True)
    return r.returncode == 0, r.stderr.decode(errors="replace")


class Signer:
    """`ipec sign` for texts; for tables too once it takes them, else openssl smime (as the
    kernel wants it: DER, attached, no signed attributes). Mutants always go through openssl:
    ipec sign checks what it signs."""

    def __init__(self, ipec):
        self.ipec, self.key, self.pem = ipec, os.environ["SIGNER_KEY"], os.environ["SIGNER_PEM"]
        self.ipec_tables = None

    def openssl(self, src, dst):
        r = subprocess.run(["openssl", "smime", "-sign", "-noattr", "-nodetach", "-binary", "-outform", "der",
                            "-in", src, "-out", dst, "-signer", self.pem, "-inkey", self.key], capture_output=True)
        if r.returncode:
            _die("openssl smime -sign %s: %s" % (src, r.stderr.decode(errors="replace")[-500:]))

    def ipec_sign(self, src, dst, *flags):
        r = subprocess.run([self.ipec, "sign", src, "--key", self.key, "--cert", self.pem, "-o", dst] + list(flags),
                           capture_output=True)
        return r.returncode == 0, r.stderr.decode(errors="replace")

    def table(self, src, dst):
        if self.ipec_tables is None:  # the first table tells
            self.ipec_tables = self.ipec_sign(src, dst)[0]
            if self.ipec_tables:
                return
            print("kernel-test: part tables: `ipec sign` does not sign tables: openssl smime signs them", file=sys.stderr)
        if not (self.ipec_tables and self.ipec_sign(src, dst)[0]):
            self.openssl(src, dst)

    def detached(self, src, own=False):
        """the detached form: "IPECDSG\\0", version 1, the signature's and the table's sizes, the
        table, then a detached PKCS#7 signature of exactly the table"""
        if not own and self.ipec_tables and "--form" in subprocess.run([self.ipec, "sign", "--help"], capture_output=True, text=True).stdout:
            if self.ipec_sign(src, src + ".det", "--form=detached")[0]:
                return open(src + ".det", "rb").read()
        sig = src + ".sig"
        r = subprocess.run(["openssl", "smime", "-sign", "-noattr", "-binary", "-outform", "der", "-in", src,
                            "-out", sig, "-signer", self.pem, "-inkey", self.key], capture_output=True)
        if r.returncode:
            _die("openssl smime -sign (detached) %s: %s" % (src, r.stderr.decode(errors="replace")[-500:]))
        t, s = open(src, "rb").read(), open(sig, "rb").read()
        return b"IPECDSG\0" + struct.pack("<IIQ", 1, len(s), len(t)) + t + s

    def text(self, src, dst):
        ok, err = self.ipec_sign(src, dst)
        if not ok:  # part sign is where ipec sign is judged; here the blob just has to be signed
            print("kernel-test: part tables: ipec sign %s failed, openssl signs it: %s" % (src, err.strip()[-200:]),
                  file=sys.stderr)
            self.openssl(src, dst)

    def job(self, mode, src, dst):
        """harness.sign_all's signer: mode 'table' compiles src first (kept next to it as .tbl)"""
        if mode == "table":
            tbl = src[:-4] + ".tbl"
            ok, err = compile_table(self.ipec, src, tbl)
            if not ok:
                _die("ipec compile %s failed after it compiled once: %s" % (src, err[-300:]))
            self.table(tbl, dst)
        else:
            self.text(src, dst)


def write(path, data):
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("latin-1"))
    return path
