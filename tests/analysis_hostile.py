#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Hostile policies for the analysis: built to blow up a naive union or pairwise check. Each must
finish in bounded time and memory, answering exactly or saying that it stopped at its budget.

    analysis_hostile.py IPEC CASE      (CASE: cross | overlap | wide | dups | pairs)

`pairs` compiles instead of checking: lowering once matched every pair rule's digests against every
digest group (300k pair rules: minutes; now seconds).
"""
import os
import resource
import subprocess
import sys
import tempfile
import time

HEADER = "policy_name=h policy_version=1.0.0\nDEFAULT action=ALLOW\nDEFAULT op=EXECUTE action=DENY\n"
PROPS = ["boot_verified=TRUE", "boot_verified=FALSE", "dmverity_signature=TRUE", "dmverity_signature=FALSE",
         "fsverity_signature=TRUE", "fsverity_signature=FALSE"]


def policy(case):
    lines = [HEADER]
    if case == "cross":  # 5000 x 5000 literal pairs on points with both verities: past the budget
        for i in range(5000):
            lines.append("op=EXECUTE fsverity_digest=sha256:%064x dmverity_signature=TRUE action=ALLOW\n" % i)
            lines.append("op=EXECUTE dmverity_roothash=sha256:%064x fsverity_signature=FALSE action=DENY\n" % (i + 10**9))
    elif case == "overlap":  # 100k partial rules over the same properties: a naive union is exponential
        import random
        rng = random.Random(1)
        for _ in range(100000):
            lines.append("op=EXECUTE %s %s action=%s\n" % (rng.choice(PROPS), rng.choice(PROPS), rng.choice(["ALLOW", "DENY"])))
    elif case == "wide":  # one rule with 100k properties
        lines.append("op=EXECUTE " + " ".join("fsverity_digest=sha256:%064x" % i for i in range(100000)) + " action=ALLOW\n")
    elif case == "pairs":  # 300k rules with both an fs-verity and a dm-verity literal, all distinct
        for i in range(300000):
            lines.append("op=EXECUTE fsverity_digest=sha256:%064x dmverity_roothash=sha256:%064x action=ALLOW\n" % (i, i))
    elif case == "dups":  # 100k copies of one rule
        lines += ["op=EXECUTE boot_verified=TRUE action=ALLOW\n"] * 100000
    return "".join(lines)


def main():
    ipec, case = sys.argv[1], sys.argv[2]
    with tempfile.NamedTemporaryFile("w", suffix=".pol", delete=False) as f:
        f.write(policy(case))
        path = f.name
    try:
        start = time.monotonic()
        if case == "pairs":
            argv = [ipec, "compile", "--stats", "-o", path + ".ipet", path]
        else:
            argv = [ipec, "check", "-q", "--format=json", "--warning-limit=0", path]
        p = subprocess.run(argv, capture_output=True, timeout=120)
        elapsed = time.monotonic() - start
        rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    finally:
        os.unlink(path)
        if os.path.exists(path + ".ipet"):
            os.unlink(path + ".ipet")
    out = p.stdout.decode()
    print(f"{case}: exit {p.returncode}, {elapsed:.2f} s, peak RSS {rss_mb:.0f} MB, {len(out)} bytes of JSON")
    assert p.returncode in (0, 1), p.stderr.decode()[-2000:]
    assert elapsed < 60, "too slow"
    assert rss_mb < 1500, "too much memory"
    if case == "cross":
        assert '"id": "analysis-budget"' in out, "the budget note is missing"
        assert '"id": "redundant-rule"' not in out, "a redundancy claim without proof"
    if case == "pairs":
        assert p.returncode == 0, p.stderr.decode()[-2000:]
        assert b"300000 rules kept, 0 dropped" in p.stderr, p.stderr.decode()[-2000:]
        assert b"600000 digest keys" in p.stderr, p.stderr.decode()[-2000:]
    if case == "dups":  # one warning per later copy, naming the first; the first copy stays unflagged
        assert out.count('"id": "shadowed-rule"') == 99999
        assert out.count('"duplicate_of_line": 4') == 99999
        assert '"id": "redundant-rule"' not in out, "the first copy of a duplicate was flagged"
    return 0


if __name__ == "__main__":
    sys.exit(main())
