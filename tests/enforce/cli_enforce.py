#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`ipec enforce` on the host, where no input may reach the kernel: every bad input is refused
before the BPF program is loaded (the kernel part, scripts/kernel-test --parts enforce, checks
the rest in a VM).

    cli_enforce.py IPEC
"""
import os
import subprocess
import sys
import tempfile

ipec = sys.argv[1]
failures = []


def run(*args):
    r = subprocess.run([ipec, "enforce", *args], capture_output=True, text=True)
    return r.returncode, r.stderr


def expect(args, code, text):
    got, err = run(*args)
    if got != code or text not in err:
        failures.append("ipec enforce %s: exit %d (want %d), stderr %r (want %r)" % (" ".join(args), got, code, err, text))


with tempfile.TemporaryDirectory() as d:
    pins = os.path.join(d, "pins")  # never created: a load that got as far as the kernel would make it
    good = os.path.join(d, "good.pol")
    with open(good, "w") as f:
        f.write("policy_name=p policy_version=1.0.0\nDEFAULT action=ALLOW\nop=EXECUTE boot_verified=TRUE action=DENY\n")
    table = os.path.join(d, "good.ipet")
    subprocess.run([ipec, "compile", good, "-o", table], check=True)
    data = open(table, "rb").read()
    trunc, corrupt, hornet = (os.path.join(d, n) for n in ("trunc.ipet", "corrupt.ipet", "hornet.ipet"))
    open(trunc, "wb").write(data[: len(data) // 2])
    open(corrupt, "wb").write(data[:100] + bytes([data[100] ^ 0x40]) + data[101:])
    subprocess.run([ipec, "compile", good, "--target", "hornet-v7", "-o", hornet], check=True)

    for status_like in (["status"], ["unload"], ["mode"], ["log"]):
        expect(status_like + ["--pin-dir", pins], 1, "no enforcer is loaded")
    expect(["update", good, "--pin-dir", pins], 1, "no enforcer is loaded")
    expect(["load", trunc, "--pin-dir", pins], 1, "not a valid decision table")
    expect(["load", corrupt, "--pin-dir", pins], 1, "checksum mismatch")
    expect(["load", hornet, "--pin-dir", pins], 1, "was compiled for another target")
    # boot_verified decides, and the enforcer is not loaded from the initramfs
    expect(["load", good, "--pin-dir", pins], 1, "[unenforceable-on-backend]")
    expect(["load", table, "--pin-dir", pins], 1, "[unenforceable-on-backend]")
    expect(["load", os.path.join(d, "missing.pol"), "--pin-dir", pins], 2, "missing.pol")
    if os.path.exists(pins):
        failures.append("a refused load created " + pins)

print("\n".join(failures) if failures else "cli_enforce: 12 refusals before the kernel, none reached it")
sys.exit(1 if failures else 0)
