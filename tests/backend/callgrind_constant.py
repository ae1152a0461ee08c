#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""ipet_eval runs the same instructions for every event: callgrind counts the instructions inside
ipet_eval (--toggle-collect=ipet_eval) for events that take every path a branching interpreter
would (no file, initramfs, fs-verity hit and miss, dm-verity hit, a pair hit, BPF, an op that is
not evaluated, bogus lengths), and all the counts must be equal.

    callgrind_constant.py IPEC EVAL_ONCE WORKDIR
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys

ipec, eval_once, work = sys.argv[1:4]
if not shutil.which("valgrind"):
    print("valgrind is not installed")
    sys.exit(1)
os.makedirs(work, exist_ok=True)
h = lambda s: hashlib.sha256(s.encode()).hexdigest()
F1, F2, D1 = h("file-1"), h("file-2"), h("volume-1")
policy = os.path.join(work, "policy.pol")
with open(policy, "w") as f:
    f.write("policy_name=cg policy_version=1.0.0\nDEFAULT action=ALLOW\nDEFAULT op=EXECUTE action=DENY\n")
    f.write("op=EXECUTE boot_verified=TRUE action=ALLOW\n")
    for i in range(1000):
        f.write("op=EXECUTE fsverity_digest=sha256:%s action=ALLOW\n" % h("bulk-%d" % i))
    f.write("op=EXECUTE fsverity_digest=sha256:%s fsverity_signature=TRUE action=ALLOW\n" % F1)
    f.write("op=EXECUTE fsverity_digest=sha256:%s dmverity_roothash=sha256:%s action=DENY\n" % (F2, D1))
    f.write("op=EXECUTE dmverity_roothash=sha256:%s action=ALLOW\n" % D1)
    f.write("op=BPF_PROG_LOAD bpf_signature=OK action=ALLOW\nDEFAULT op=BPF_PROG_LOAD action=DENY\n")
    f.write("op=KMODULE dmverity_signature=TRUE action=ALLOW\n")
table = os.path.join(work, "policy.ipet")
subprocess.run([ipec, "compile", "--target", "hornet-v7", "-o", table, policy, "-Wno-lockout"], check=True,
               capture_output=True)
Z = "-"
# op file initramfs bdev dm_signed fsverity fsv_signed verdict keyring kernel fsv_alg fsv dm_alg dm
events = {
    "exec, no file": "0 0 0 0 0 0 0 0 0 0 0 - 0 -",
    "exec, initramfs": "0 1 1 0 0 0 0 0 0 0 0 - 0 -",
    "exec, fs-verity hit": f"0 1 0 0 0 1 1 0 0 0 0 {F1} 0 -",
    "exec, fs-verity miss": f"0 1 0 0 0 1 0 0 0 0 0 {h('nope')} 0 -",
    "exec, dm-verity hit": f"0 1 0 2 1 0 0 0 0 0 0 - 0 {D1}",
    "exec, pair hit": f"0 1 0 2 0 1 0 0 0 0 0 {F2} 0 {D1}",
    "exec, sha512 fs-verity": f"0 1 0 0 0 1 0 0 0 0 1 {F1}{F1} 0 -",
    "kmodule, dm-verity": f"2 1 0 2 1 0 0 0 0 0 0 - 0 {D1}",
    "bpf, OK": "7 0 0 0 0 0 0 1 0 0 0 - 0 -",
    "bpf, other keyring": "7 0 0 0 0 0 0 2 9 1 0 - 0 -",
    "bogus lengths": f"0 1 0 2 0 1 0 0 0 0 5 {F1[:14]} 9 {D1[:22]}",
}
counts = {}
for name, spec in events.items():
    out = os.path.join(work, "callgrind.out")
    p = subprocess.run(["valgrind", "--tool=callgrind", "--toggle-collect=ipet_eval", f"--callgrind-out-file={out}",
                        eval_once, table] + spec.split(), capture_output=True, text=True)
    if p.returncode != 0:
        print(name, "failed:", p.stderr[-2000:])
        sys.exit(1)
    m = re.search(r"^summary:\s+(\d+)", open(out).read(), re.M)
    counts[name] = int(m.group(1))
    print(f"{name:28s} decision {p.stdout.strip():28s} {counts[name]} instructions")
distinct = set(counts.values())
if len(distinct) != 1:
    print("ipet_eval's instruction count depends on the event:", sorted(distinct))
    sys.exit(1)
print(f"constant: {distinct.pop()} instructions for all {len(counts)} events")
