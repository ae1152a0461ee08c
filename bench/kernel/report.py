#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Summarises one scripts/kernel-bench boot: results.txt (bench/kernel/guest.sh's lines) and the
policy manifest (bench/kernel/gen.py) -> a table on stdout and results.json.

usage: report.py RESULTS MANIFEST JSON_OUT [KEY=VALUE...]   (the pairs go into the JSON as "run")
Exit status 1 when the guest's evidence is incomplete: no baseline, a text policy that did not
load or run, a check policy that did not deny, or a bad line in dmesg.
"""
import json
import statistics
import sys


def parse(results):
    runs, loads, mem, loaded, checks, bad, other = {}, {}, {}, set(), {}, None, []
    for line in open(results):
        w = line.split()
        if not w:
            continue
        if w[0] == "RUN" and len(w) >= 4:
            runs.setdefault(w[1], []).append(w[3:])
        elif w[0] == "P" and len(w) >= 7 and w[2] == "LOAD":
            loads[w[1]] = {"rc": int(w[3]), "errno": int(w[4]), "ns": int(w[5]), "bytes": int(w[6]), "all_ns": []}
            if int(w[3]) > 0:
                loads[w[1]]["all_ns"].append(int(w[5]))
        elif w[0] == "R" and len(w) >= 7 and w[2] == "LOAD" and w[1] in loads and int(w[3]) > 0:
            loads[w[1]]["all_ns"].append(int(w[5]))
        elif w[0] in ("P", "D", "R") and len(w) >= 4 and w[2] == "MEM":
            key = {"P": w[1], "D": "delete " + w[1], "R": "cycles " + w[1]}[w[0]]
            mem.setdefault(key, {})[w[3]] = {k: int(v) for k, v in (x.split("=") for x in w[4:])}
        elif w[0] == "LOADED":
            loaded.add(w[1])
        elif w[0] == "CHECK":
            checks[w[1]] = " ".join(w[2:])
        elif w[0] == "DMESG_BAD":
            bad = int(w[1])
        elif w[0] in ("UNAME", "VERITY", "FATAL", "DMESG"):
            other.append(line.rstrip())
    return runs, loads, mem, loaded, checks, bad, other


def medians(samples):
    """(median exec ns, median of exec - read, [(exec, read, exec - read)], [errors]) of one policy's
    repetitions, each already the medians over its runs (kbench.c)."""
    ok = [tuple(int(x) for x in s[1:]) for s in samples if len(s) == 4 and s[0] == "MMAP" and s[1] != "ERR"]
    errs = [" ".join(s) for s in samples if not (len(s) == 4 and s[0] == "MMAP" and s[1] != "ERR")]
    if not ok:
        return None, None, ok, errs
    return statistics.median(e for e, _, _ in ok), statistics.median(d for _, _, d in ok), ok, errs


def iqr(samples):
    """The interquartile range of exec - read: how far apart the repetitions were."""
    d = [x[2] for x in samples]
    if len(d) < 2:
        return 0
    q = statistics.quantiles(d, n=4)
    return q[2] - q[0]


def main():
    results, manifest, out = sys.argv[1:4]
    meta = dict(kv.split("=", 1) for kv in sys.argv[4:])
    runs, loads, mem, loaded, checks, bad, other = parse(results)
    base, base_d, base_s, _ = medians(runs.get("base", []))
    rows, problems = [], []
    for line in open(manifest):
        name, kind, rules, req, cbytes, sbytes, _, form = line.split()
        med, d, samples, errs = medians(runs.get(name, []))
        ld = loads.get(name, {})
        row = {"name": name, "kind": kind, "rules": int(rules), "requested": int(req),
               "content_bytes": int(cbytes), "signed_bytes": int(sbytes), "signed_form": form.replace("_", " "),
               "loaded": name in loaded, "load_errno": ld.get("errno"), "load_ns_each": ld.get("all_ns"),
               "load_ns": statistics.median(ld["all_ns"]) if ld.get("all_ns") else ld.get("ns"),
               "median_ns": med, "samples_exec_read_diff_ns": samples, "errors": errs,
               "minus_baseline_ns": (med - base) if med is not None and base is not None else None,
               "decision_ns": (d - base_d) if d is not None and base_d is not None else None,
               "decision_iqr_ns": iqr(samples)}
        if name in mem and "end" in mem.get("cycles " + name, {}) and "before" in mem[name]:
            b, a = mem[name]["before"], mem["cycles " + name]["end"]
            row["meminfo_delta_3_loads_deleted_kb"] = {k: a[k] - b[k] for k in a if k in b}
        for key, prefix in ((name, "meminfo_delta"), ("delete " + name, "meminfo_delta_delete")):
            for when in ("after", "later"):
                if key in mem and {"before", when} <= mem[key].keys():
                    b, a = mem[key]["before"], mem[key][when]
                    row[f"{prefix}_{when}_kb"] = {k: a[k] - b[k] for k in b if k in a}
        rows.append(row)
        if kind == "text" and med is None:
            problems.append(f"text policy {name} did not load or run")
    if base is None:
        problems.append("no baseline measurement")
    for name in sorted(loaded & {r["name"] for r in rows if r["kind"] == "check"}):
        if not checks.get(name, "").startswith("MMAP ERR 13"):
            problems.append(f"check {name}: not denied with EACCES ({checks.get(name)})")
    if bad:
        problems.append(f"{bad} bad lines in dmesg")
    by = {(r["kind"], r["rules"]): r for r in rows}

    def cost(kind, n):
        r = by.get((kind, n))
        return r["decision_ns"] if r else None

    ratios = {}
    for (kind, n), r in sorted(by.items()):
        if kind == "text" and cost("text", n) is not None and cost("table", n):
            ratios[f"text {n} / table {n}"] = round(cost("text", n) / cost("table", n), 2)
    tables = sorted(n for k, n in by if k == "table" and cost("table", n) is not None)
    if len(tables) > 1 and cost("table", tables[0]):
        ratios[f"table {tables[-1]} / table {tables[0]}"] = round(cost("table", tables[-1]) / cost("table", tables[0]), 2)
    doc = {"run": meta, "baseline_ns": base, "baseline_exec_minus_read_ns": base_d, "baseline_iqr_ns": iqr(base_s),
           "baseline_samples_exec_read_diff_ns": base_s, "policies": rows, "ratios_decision": ratios, "verity_checks": checks, "dmesg_bad_lines": bad,
           "guest": other, "problems": problems}
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
    print_table(doc)
    return 1 if problems else 0


def print_table(doc):
    fmt = "{:<12}{:<7}{:>9}{:>11}{:>11}  {:<20}{:>11}{:>10}{:>12}{:>10}{:>8}"
    print(fmt.format("policy", "kind", "rules", "content", "signed", "form", "load ms", "ns/mmap", "- baseline",
                     "decision", "IQR"))
    print(fmt.format("base", "-", "-", "-", "-", "(no policy)", "-", f"{doc['baseline_ns'] or 0:.0f}", "0", "0",
                     f"{doc['baseline_iqr_ns']:.0f}"))
    for r in doc["policies"]:
        load = f"{r['load_ns'] / 1e6:.2f}" if r["loaded"] and r["load_ns"] is not None else f"errno {r['load_errno']}"
        med = "-" if r["median_ns"] is None else f"{r['median_ns']:.0f}"
        minus = "-" if r["minus_baseline_ns"] is None else f"{r['minus_baseline_ns']:.0f}"
        dec = "-" if r["decision_ns"] is None else f"{r['decision_ns']:.0f}"
        spread = "-" if r["median_ns"] is None else f"{r['decision_iqr_ns']:.0f}"
        print(fmt.format(r["name"], r["kind"], r["rules"], r["content_bytes"], r["signed_bytes"],
                         r["signed_form"], load, med, minus, dec, spread))
    print("ns/mmap: median of mmap(PROT_EXEC)+munmap; decision: median of (that - the same with PROT_READ,"
          " in alternate runs of 10) minus the same without a policy; IQR: of that difference over the repetitions")
    for k, v in doc["ratios_decision"].items():
        print(f"ratio of decision costs, {k}: {v}")
    big = [r for r in doc["policies"] if r["kind"] == "table" and r["loaded"]]
    if big:
        r = max(big, key=lambda r: r["rules"])
        each = ", ".join(f"{x / 1e6:.0f}" for x in r["load_ns_each"])
        print(f"largest table loaded: {r['rules']} rules, {r['content_bytes']} bytes ({r['signed_bytes']} signed), "
              f"load {r['load_ns'] / 1e6:.1f} ms (median of the loads: {each} ms)")
        for key, what in (("meminfo_delta_after", "when write() returned"), ("meminfo_delta_later", "2 s later"),
                          ("meminfo_delta_delete_later", "2 s after deleting it"),
                          ("meminfo_delta_3_loads_deleted", "after 3 loads, each deleted")):
            d = r.get(f"{key}_kb", {})
            print(f"  /proc/meminfo change {what} (kB): " + ", ".join(f"{k} {v:+d}" for k, v in d.items()))
    print("checks (the file's own rule says DENY; EACCES is 13): "
          + (", ".join(f"{k} {v}" for k, v in doc["verity_checks"].items()) or "none loaded")
          + f"; bad dmesg lines: {doc['dmesg_bad_lines']}")
    for p in doc["problems"]:
        print(f"PROBLEM: {p}")


if __name__ == "__main__":
    sys.exit(main())
