#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`ipec lifecycle` end to end: a script of loads, updates, activations and deletions, and the
answers Linux 6.12 gives (each confirmed by tests/kernel on a real kernel).

    lifecycle_cli.py IPEC
"""
import json
import os
import subprocess
import sys
import tempfile

POLICIES = {
    "a1.pol": "policy_name=A policy_version=1.0.0\nDEFAULT action=ALLOW\n",
    "a2.pol": "policy_name=A policy_version=2.0.0\nDEFAULT action=ALLOW\n",
    "b1.pol": "policy_name=B policy_version=1.0.0\nDEFAULT action=ALLOW\n",
    "dot.pol": "policy_name=. policy_version=3.0.0\nDEFAULT action=ALLOW\n",
    "slash.pol": "policy_name=a/b policy_version=3.0.0\nDEFAULT action=ALLOW\n",
    "long.pol": "policy_name=" + "n" * 300 + " policy_version=3.0.0\nDEFAULT action=ALLOW\n",
    "bad.pol": "policy_name=A policy_version=9.9\nDEFAULT action=ALLOW\n",
}
SCRIPT = [
    ("new_policy a1.pol", "OK"),
    ("new_policy a2.pol", "EEXIST"),
    ("new_policy dot.pol", "EACCES"),
    ("new_policy long.pol", "ENAMETOOLONG"),
    ("update A a1.pol", "ESTALE"),
    ("update A bad.pol", "EBADMSG"),
    # an update creates no securityfs directory: these names are just other names (kernel suite L10)
    ("update A dot.pol", "EINVAL"),
    ("update A slash.pol", "EINVAL"),
    ("update A long.pol", "EINVAL"),
    ("update A a2.pol", "OK"),
    ("new_policy b1.pol", "OK"),
    ("activate A", "OK"),
    ("activate B", "EINVAL"),
    ("deactivate-write A", "EINVAL"),
    ("delete A", "EPERM"),
    ("delete-write0 B", "EINVAL"),
    ("delete B", "OK"),
    ("delete B", "ENOENT"),
    ("update Z a1.pol", "ENOENT"),
]

with tempfile.TemporaryDirectory() as d:
    for name, text in POLICIES.items():
        open(os.path.join(d, name), "w").write(text)
    open(os.path.join(d, "script"), "w").write("\n".join(s for s, _ in SCRIPT) + "\n")
    p = subprocess.run([sys.argv[1], "lifecycle", "--format=json", os.path.join(d, "script")], capture_output=True, text=True)
    got = [json.loads(l) for l in p.stdout.splitlines()]
    bad = 0
    for (step, want), g in zip(SCRIPT, got):
        ok = g["result"] == want
        bad += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {step:24s} want {want:13s} got {g['result']}")
    if len(got) != len(SCRIPT):
        print("expected", len(SCRIPT), "answers, got", len(got), p.stderr)
        bad += 1
    assert p.returncode == 1, p.returncode  # some operations fail
    sys.exit(1 if bad else 0)
