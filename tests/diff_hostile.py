#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Hostile pairs for `ipec diff`: built to make the semantic diff enumerate the product of the
two policies' digest literals. Each must finish in bounded time and memory with the exact verdict.

    diff_hostile.py IPEC CASE      (CASE: reorder | same | flip)

reorder: OLD denies 5,000 fs-verity digests before allowing 5,000 root hashes, NEW the other way
         round: 25,000,000 changed classes, of which --max-classes (100) are listed.
same:    the same 10,000 crossing rules in both: equivalent, and no pair may be enumerated.
flip:    100,000 rules of every shape, one action flipped in the middle: exactly one class.
"""
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

HEADER = "policy_name=h policy_version=%s\nDEFAULT action=ALLOW\n"


def fsv(i):
    return "op=EXECUTE fsverity_digest=sha256:%064x action=DENY\n" % i


def dmv(i):
    return "op=EXECUTE dmverity_roothash=sha256:%064x action=ALLOW\n" % (i + 10**9)


def pair(case):
    if case in ("reorder", "same"):
        a = "".join(fsv(i) for i in range(5000))
        b = "".join(dmv(i) for i in range(5000))
        return HEADER % "1.0.0" + a + b, HEADER % "2.0.0" + (b + a if case == "reorder" else a + b)
    rng = random.Random(7)
    shapes = ["fsverity_digest=sha256:%064x", "dmverity_roothash=sha256:%064x",
              "fsverity_digest=sha256:%064x dmverity_roothash=sha256:%064x", "fsverity_signature=TRUE"]
    rules = []
    for i in range(100000):
        shape = shapes[rng.randrange(4)]
        props = shape % tuple(rng.getrandbits(256) for _ in range(shape.count("%")))
        rules.append(["op=EXECUTE " + props, rng.choice(["ALLOW", "DENY"])])
    old = HEADER % "1.0.0" + "".join("%s action=%s\n" % tuple(r) for r in rules)
    rules[50000][1] = "DENY" if rules[50000][1] == "ALLOW" else "ALLOW"
    return old, HEADER % "1.0.1" + "".join("%s action=%s\n" % tuple(r) for r in rules)


def main():
    ipec, case = sys.argv[1], sys.argv[2]
    old, new = pair(case)
    with tempfile.TemporaryDirectory(prefix="ipec-diff-hostile-") as tmp:
        for name, text in (("old.pol", old), ("new.pol", new)):
            with open(os.path.join(tmp, name), "w") as f:
                f.write(text)
        start = time.monotonic()
        p = subprocess.run([ipec, "diff", "--format=json", "old.pol", "new.pol"], cwd=tmp, capture_output=True,
                           timeout=120)
        elapsed = time.monotonic() - start
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    out = p.stdout.decode()
    print(f"{case}: exit {p.returncode}, {elapsed:.2f} s, peak RSS {rss_mb:.0f} MB, {len(out)} bytes of JSON")
    assert elapsed < 60, "too slow"
    assert rss_mb < 1500, "too much memory"
    if case == "same":
        assert p.returncode == 0 and '"equivalent": true' in out, p.stderr.decode()[-2000:]
    if case == "reorder":
        assert p.returncode == 1, p.stderr.decode()[-2000:]
        assert '"truncated": true' in out and '"changed_classes": 100' in out
    if case == "flip":
        assert p.returncode == 1, p.stderr.decode()[-2000:]
        assert '"changed_classes": 1,' in out
    return 0


if __name__ == "__main__":
    sys.exit(main())
