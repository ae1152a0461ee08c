# SPDX-License-Identifier: Apache-2.0
"""Part `audit` of the kernel suite (host side only): the type=1420 records the kernel wrote
during part 2 (success_audit=1, one policy at a time) are fed, per policy, to
`ipec audit --policy P --format=json -v`. Every record must parse (none cut short, no other line),
every probe's records must map to the line `ipec eval` names as the deciding rule of that
probe, which part 2 has checked against the kernel's own rule= text, and the activation record
(type 1421) must name that policy."""
import json
import os
import subprocess


def report_audit(work, lines, rep, ipec, hook_of):
    W = os.path.join(work, "dec")
    doc = json.load(open(os.path.join(W, "policies.json")))
    probes, pols = doc["probes"], doc["policies"]
    out_dir = os.path.join(W, "audit")
    os.makedirs(out_dir, exist_ok=True)
    recs = {}
    for l in lines:
        f = l.split("\t")
        if f[0] == "DAUDIT":
            recs.setdefault(f[1], []).append(f[2])
    part = {"name": "audit", "cases": 0, "agree": 0, "disagree": [], "no_prediction": 0}
    totals = {"records": 0, "parsed": 0, "mapped": 0, "unmapped": 0, "checked": 0, "activations": 0}
    for p in pols:
        key, mine = p["key"], recs.get(p["key"], [])
        if not mine or not isinstance(p.get("ipec"), list):
            continue
        log = os.path.join(out_dir, key + ".printk")
        with open(log, "w", encoding="utf-8") as f:
            f.write("\n".join(mine) + "\n")
        r = subprocess.run([ipec, "audit", "--policy", p["file"], "--format=json", "-v", log], capture_output=True)
        try:
            got = json.loads(r.stdout)
        except ValueError:
            part["disagree"].append({"policy": key, "problem": "ipec audit exited %d: %s" % (
                r.returncode, r.stderr.decode(errors="replace")[-300:])})
            continue
        lg = got["logs"][0]
        access = sum(" type=1420 " in t for t in mine)
        totals["records"] += access
        totals["activations"] += len(got.get("activations", []))
        totals["parsed"] += lg["records"]
        totals["mapped"] += got["mapped"]
        totals["unmapped"] += got["unmapped"]
        problems = []
        if lg["records"] != access or lg["malformed"] or lg["unparsed"]:
            problems.append("%d records, %d parsed, %d cut short, %d lines not understood" % (
                access, lg["records"], len(lg["malformed"]), lg["unparsed"]))
        # the activation record (1421) names the policy: the one loaded, and every record is under it
        name, version = [w.split("=", 1)[1] for w in p["text"].splitlines()[0].split()]
        acts = [(a["name"], a["version"]) for a in got.get("activations", [])]
        if acts != [(name, version)] or got.get("other_policy_records"):
            problems.append("activations %s, %s records under another policy; expected %s %s" % (
                acts, got.get("other_policy_records"), name, version))
        rule_line = {m["line"]: m["rule_line"] for m in got.get("mapping", [])}
        # the records between two marker records belong to one probe (as in part 2)
        probe, n = 0, 0
        for i, text in enumerate(mine):
            if ' path="/suite/dec/marker" ' in text:
                probe += 1
                continue
            if probe >= len(probes):
                continue
            pb, want = probes[probe], p["ipec"][probe]
            wpath = "?" if pb["path"] == "-" or pb["action"] == "initmod" else '"%s"' % pb["path"]
            if " ipe_hook=%s " % hook_of[pb["action"]] not in text or " path=%s " % wpath not in text:
                continue
            n += 1
            part["cases"] += 1
            if rule_line.get(i + 1) == want.get("line"):
                part["agree"] += 1
            else:
                problems.append("probe %s: record line %d maps to line %s, ipec eval decides by line %s" % (
                    pb["label"], i + 1, rule_line.get(i + 1), want.get("line")))
        totals["checked"] += n
        if problems:
            part["disagree"].append({"policy": key, "problem": "; ".join(problems[:5])})
    part["detail"] = ("%(records)d access records from the kernel, %(parsed)d parsed, %(mapped)d mapped to a rule of "
                      "their policy, %(unmapped)d unmapped; %(checked)d probe records compared with the rule ipec eval names; "
                      "%(activations)d activation records read (each must name the policy loaded)" % totals)
    rep["parts"].append(part)
