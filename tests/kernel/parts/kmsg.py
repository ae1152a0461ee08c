# SPDX-License-Identifier: Apache-2.0
"""The kernel-log check that ends every run: after the parts, the guest reads /dev/kmsg from its
first record (`ipetool kmsg` in ../guest/run.sh) and prints every line that reports trouble.
A run fails when the log holds a KASAN or UBSAN report, a BUG or oops, a WARNING, or a failed
KUnit test, or when the log wrapped (its first records, where such a report could hide, are lost).

report(work, lines, rep, out) adds the pseudo-part `kernel-log`: one case per kind of trouble,
and writes the guest's kernel log (every record but the audit ones) to OUT/kernel-log.txt.
"""
import os

KINDS = [  # name, what counts, description
    ("kasan", lambda m: "KASAN" in m, "KASAN report"),
    ("ubsan", lambda m: "UBSAN" in m, "UBSAN report"),
    ("oops", lambda m: any(k in m for k in ("BUG:", "Oops", "general protection", "Kernel panic", "kernel BUG",
                                            "list_add corruption")) and "KASAN" not in m, "BUG or oops"),
    ("warning", lambda m: "WARNING:" in m, "WARNING"),
    ("kunit", lambda m: m.lstrip().startswith("not ok "), "failed KUnit test"),
]


def report(work, lines, rep, out):
    msgs = [l.split("\t", 1)[1] for l in lines if l.startswith("KMSG\t")]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "kernel-log.txt"), "w") as f:
        f.writelines(l[5:] + "\n" for l in lines if l.startswith("KLOG\t"))
    head = [l.split("\t") for l in lines if l.startswith("KMSGN\t")]
    part = {"name": "kernel-log", "cases": 0, "agree": 0, "disagree": []}
    if not head:
        part["cases"] = 1
        part["disagree"].append({"line": "DISAGREE kernel-log: the guest printed no kernel log scan (ipetool kmsg)"})
        rep["parts"].append(part)
        return
    n, first = int(head[0][1]), int(head[0][2])
    for name, hit, desc in KINDS:
        part["cases"] += 1
        found = [m for m in msgs if hit(m)]
        if found:
            part["disagree"].append({"line": "DISAGREE kernel-log %s: %d line(s), first: %s" % (name, len(found), found[0]),
                                     "md": ["### %s (%d lines)" % (desc, len(found)), "", "```"] + found[:40] + ["```", ""]})
        else:
            part["agree"] += 1
    part["cases"] += 1
    if n <= 0 or first != 0:
        part["disagree"].append({"line": "DISAGREE kernel-log: the log wrapped or is unreadable (%d records, first "
                                         "sequence number %d): early reports may be lost" % (n, first)})
    else:
        part["agree"] += 1
    suites = [m.strip() for m in msgs if m.startswith("ok ") or m.startswith("not ok ")]
    part["detail"] = ("%d kernel log records scanned from the first; no KASAN, UBSAN, BUG/oops, WARNING or failed "
                      "KUnit test is the pass condition; KUnit suites: %s; the log without its audit records: "
                      "kernel-log.txt beside this report" % (n, ", ".join(suites) or "none ran"))
    rep["parts"].append(part)
