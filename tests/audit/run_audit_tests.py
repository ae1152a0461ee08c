#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Goldens of `ipec audit` on the log fixtures in tests/audit/logs (docs/cli.md, `ipec audit`).

cases.txt holds `NAME: ARGUMENTS`; expected/NAME.out the exit status, stdout and stderr. The run
also checks that every form of the same kernel records (printk, audit.log, ausearch -i, journal
export) gives the same coverage, record for record.

    run_audit_tests.py IPEC [--update]      (or IPEC_UPDATE_GOLDENS=1)
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LOGS = os.path.join(HERE, "logs")


def run(ipec, args):
    env = dict(os.environ, NO_COLOR="1", LC_ALL="C")
    p = subprocess.run([ipec, "audit"] + args, cwd=LOGS, capture_output=True, env=env, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def golden(ipec, update):
    bad = 0
    for line in open(os.path.join(HERE, "cases.txt"), encoding="utf-8"):
        if not line.strip() or line.startswith("#"):
            continue
        name, args = line.split(":", 1)
        rc, out, err = run(ipec, args.split())
        got = "exit: %d\n--- stdout\n%s--- stderr\n%s" % (rc, out, err)
        path = os.path.join(HERE, "expected", name + ".out")
        if update:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(got)
            continue
        want = open(path, encoding="utf-8").read() if os.path.exists(path) else "(missing)"
        if got != want:
            bad += 1
            print("FAIL %s: ipec audit%s\n--- expected\n%s--- got\n%s" % (name, args.rstrip(), want, got))
    return bad


def same_across_forms(ipec):
    """The four forms of the D001 records map to the same rules, with the same counts."""
    docs = {}
    for f in ("d001.printk", "d001.audit.log", "d001.ausearch-i", "d001.journal"):
        rc, out, _ = run(ipec, ["--policy", "d001.pol", "--format=json", f])
        doc = json.loads(out)
        docs[f] = (doc["records"], doc["mapped"], doc["unmapped"], [(r["line"], r["decisions"], r["by"]) for r in doc["rules"]],
                   [(a["name"], a["version"]) for a in doc["activations"]])
        assert rc == 0 and doc["records"] == 77 and doc["mapped"] == 77, (f, rc, doc["records"], doc["mapped"])
        assert docs[f][4] == [("D001", "60000.0.1")], (f, docs[f][4])
    first = docs["d001.printk"]
    return sum(1 for f, d in docs.items() if d != first and not print("FAIL: %s differs from d001.printk" % f))


def main():
    ipec = os.path.abspath(sys.argv[1])
    update = "--update" in sys.argv or os.environ.get("IPEC_UPDATE_GOLDENS") == "1"
    bad = golden(ipec, update) + same_across_forms(ipec)
    print("%s" % ("ok" if not bad else "%d failures" % bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
