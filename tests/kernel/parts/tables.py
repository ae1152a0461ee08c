# SPDX-License-Identifier: Apache-2.0
"""Part `tables` (--kernel only): IPE loading ipec decision tables, on a kernel with the
kernel/patches series (docs/kernel-suite.md). The guest first writes a signed probe table to
new_policy; a kernel that refuses it has no table support and the part is skipped. Otherwise:

  a. decisions: each policy of part 2 loaded as text and as a table (both compiled for the
     test kernel's config), every probe decided under both; decisions and the AUDIT_IPE_ACCESS
     records (after the audit header, the pid masked) must be identical, and equal `ipec eval`
     of the text and of the table;
  b. lifecycle: part 3's scenarios twice more, once with every loadable policy as a table and
     once alternating text and table (text v1 -> table v2 -> text v3), held to `ipec lifecycle`
     of the texts the tables were compiled from;
  c. hostile tables: the mutants of table_mutants.py, each validly signed, written to
     new_policy: the kernel must refuse every mutant that `ipec dump` (ipet_load in userspace)
     refuses, and accept the ones it accepts, unless `ipec check` of the decompiled text predicts
     a refusal (then either answer passes; an acceptance is listed as a NOTE); the valid tables
     must load, and read back through policies/NAME/pkcs7 and policies/NAME/policy exactly as
     written.

Called by ../harness.py: prepare(work, stage, ipec, slice_, h), repredict(work, ipec, h) and
report(work, lines, rep, h), h being the harness module. c is tables_hostile.py; tables_lib.py
holds what they share (compiling for the kernel's target, signing). Guest side: ../guest/tables.sh (run from run.sh).
"""
import concurrent.futures as cf
import json
import os
import re
import subprocess

import decision_policies
import lifecycle_scenarios
import tables_hostile
from tables_lib import DEC_HEAD, Signer, _die, compile_table, target_flags, write

HERE = os.path.dirname(os.path.abspath(__file__))
PROBE = "policy_name=ipec_table_probe policy_version=0.0.1\nDEFAULT action=ALLOW\n"
LIFE_SHIFT = {"T": 1000, "M": 2000}  # above part 3's majors (<= 300), below part 2's 60000


# ---------------------------------------------------------------- prepare
def prepare(work, stage, ipec, slice_, h):
    W, S = os.path.join(work, "tables"), os.path.join(stage, "tables")
    for d in ("dec", "hostile", "read"):
        os.makedirs(os.path.join(W, d), exist_ok=True)
        os.makedirs(os.path.join(S, d), exist_ok=True)
    sg = Signer(ipec)
    if os.environ.get("KT_KERNEL_CONFIG"):  # for --recheck
        with open(os.environ["KT_KERNEL_CONFIG"], "rb") as i:
            write(os.path.join(W, "kernel.config"), i.read())
    ok, err = compile_table(ipec, write(os.path.join(W, "probe.pol"), PROBE), os.path.join(W, "probe.tbl"))
    if not ok:
        _die("ipec compile of the probe policy failed: " + err[-500:])
    sg.table(os.path.join(W, "probe.tbl"), os.path.join(S, "probe.bin"))
    write(os.path.join(S, "probe.name"), "ipec_table_probe\n")
    if os.environ.get("KT_TABLES_FORCE"):  # development: run the part on a kernel that fails the probe
        write(os.path.join(S, "force"), "1\n")
    with open(os.path.join(HERE, "..", "guest", "tables.sh"), "rb") as i:
        write(os.path.join(S, "tables.sh"), i.read())
    os.chmod(os.path.join(S, "tables.sh"), 0o755)
    nd = prepare_dec(work, W, S, ipec, slice_, h, sg)
    scen = h.prepare_life(work, stage, ipec, slice_, sub="tables/life", scenarios=life_scenarios(),
                          mode_of=life_form(ipec, W), signer=sg.job)
    nt = sum(1 for s in scen for st in s["steps"] if st.get("form") == "table")
    nm = tables_hostile.prepare(W, S, ipec, slice_, sg)
    h.note("part tables: %d policies x 2 forms; %d lifecycle scenarios (%d blobs are tables); %d hostile tables"
           % (nd, len(scen), nt, nm))


def prepare_dec(work, W, S, ipec, slice_, h, sg):
    probes, pols, ev = h.dec_inputs(work, os.path.dirname(S), slice_)
    out, jobs = [], []
    for key, text, desc in pols:
        m = DEC_HEAD.match(text)
        if not m:
            _die("unexpected header in decision policy %s" % key)
        body = text[m.end():]
        row = {"key": key, "desc": desc, "source": text}
        for form, pre in (("text", "TX"), ("table", "TT")):
            k = pre + m.group(1)
            src = write(os.path.join(W, "dec", k + ".pol"),
                        "policy_name=%s policy_version=50000.0.%s\n%s" % (k, m.group(2), body))
            row[form] = {"key": k, "file": src}
            if form == "table":
                tbl = os.path.join(W, "dec", k + ".tbl")
                ok, err = compile_table(ipec, src, tbl)
                row["compile_error"] = None if ok else err[-800:]
                row[form]["file"] = tbl
                if ok:
                    jobs.append((sg.table, tbl, os.path.join(S, "dec", k + ".bin")))
            else:
                jobs.append((sg.text, src, os.path.join(S, "dec", k + ".bin")))
        out.append(row)
    with cf.ThreadPoolExecutor(max_workers=4) as ex:
        list(ex.map(lambda j: j[0](j[1], j[2]), jobs))
    with open(os.path.join(S, "dec", "list"), "w") as f:
        for r in out:
            for form in ("text", "table"):
                if os.path.exists(os.path.join(S, "dec", r[form]["key"] + ".bin")):
                    f.write("%s /suite/tables/dec/%s.bin\n" % (r[form]["key"], r[form]["key"]))
    doc = {"probes": [{"label": p[0], "action": p[1], "path": p[2], "event": p[3]} for p in probes],
           "policies": out, "events": ev}
    predict_dec(ipec, doc)
    with open(os.path.join(W, "dec.json"), "w") as f:
        json.dump(doc, f)
    return len(out)


def predict_dec(ipec, doc):
    n = len(doc["probes"])
    for r in doc["policies"]:
        for form in ("text", "table"):
            f = r[form]["file"]
            if not os.path.exists(f):
                r[form]["ipec"] = {"error": "no table (ipec compile failed)"}
                continue
            p = subprocess.run([ipec, "eval", f, "--events", doc["events"], "--format=json"] + target_flags(),
                               capture_output=True)
            try:
                rows = [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]
                r[form]["ipec"] = rows if len(rows) == n else {"error": "%d results for %d events" % (len(rows), n)}
            except ValueError:
                r[form]["ipec"] = {"error": "ipec eval exited %d: %s" % (p.returncode, p.stderr.decode(errors="replace")[-300:])}


def rename(text, old, new, shift):
    """a scenario's policy text for another prefix, its majors shifted (plain decimal ones only)"""
    def ver(m):
        major = m.group(2)
        if re.fullmatch(r"[1-9][0-9]{0,3}", major) and int(major) + shift <= 65535:
            major = str(int(major) + shift)
        return m.group(1) + major
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    return re.sub(r"(policy_version=)([0-9]+)", ver, text.replace(old, new))


def life_scenarios():
    """part 3's scenarios, prefixes L<k>_ -> T<k>_ (tables) and M<k>_ (mixed): same lengths"""
    out = []
    for kind, shift in LIFE_SHIFT.items():
        for key, title, rule, ops in lifecycle_scenarios.scenarios():
            old, new = key + "_", kind + key[1:] + "_"
            ops2 = []
            for op in ops:
                op = list(op)
                if op[0] != "new_policy" and isinstance(op[1], str):
                    op[1] = op[1].replace(old, new)
                if op[0] in ("new_policy", "update"):
                    op[-1] = rename(op[-1], old, new, shift)
                ops2.append(tuple(op))
            out.append((kind + key[1:], "%s: %s" % ("tables" if kind == "T" else "text/table mixed", title), rule, ops2))
    return out


def life_form(ipec, W):
    """which lifecycle blobs are tables: every text ipec compiles (T), or every second one (M)"""
    os.makedirs(os.path.join(W, "life-try"), exist_ok=True)
    count = {}

    def mode_of(label, text):
        src = write(os.path.join(W, "life-try", label + ".pol"), text)
        # a text near the 65,535-byte PKCS#7 limit stays text: its table is far smaller and loads
        # where the text gets EMSGSIZE, so the text's prediction would not hold for it
        if len(text) > 60000 or not compile_table(ipec, src, src[:-4] + ".tbl")[0]:
            return "signer"
        if label.startswith("T"):
            return "table"
        sc = label.split(".")[0]
        count[sc] = count.get(sc, 0) + 1
        return "table" if count[sc] % 2 == 0 else "signer"
    return mode_of


def repredict(work, ipec, h):
    """--recheck: ask another ipec about a kept run (the same target: the kept kernel config)"""
    W = os.path.join(work, "tables")
    if os.path.exists(os.path.join(W, "kernel.config")):
        os.environ["KT_KERNEL_CONFIG"] = os.path.join(W, "kernel.config")
    doc = json.load(open(os.path.join(W, "dec.json")))
    predict_dec(ipec, doc)
    with open(os.path.join(W, "dec.json"), "w") as f:
        json.dump(doc, f)
    h.predict_life(work, ipec, "tables/life")
    hd = json.load(open(os.path.join(W, "hostile.json")))
    tables_hostile.predict(ipec, W, [r for r in hd["mutants"] if r.get("file")])
    with open(os.path.join(W, "hostile.json"), "w") as f:
        json.dump(hd, f)


# ---------------------------------------------------------------- report
def report(work, lines, rep, h):
    W = os.path.join(work, "tables")
    probe = [l.split(" ", 1)[1] for l in lines if l.startswith("TPROBE ")]
    skip = any(l == "TSKIP" for l in lines)
    if skip or not probe:
        why = ("tables: the kernel refused a valid signed table (%s): no table support" % (probe[0] if probe else
               "no answer")) if skip or probe else "tables: the guest did not run tables.sh"
        if os.environ.get("KT_TABLES_REQUIRED"):  # tests/kernel/tables-slice: the series is there
            rep["parts"].append({"name": "tables", "cases": 1, "agree": 0, "disagree": [{"line": "DISAGREE " + why}]})
        else:
            rep["skipped"] = (rep.get("skipped") or "") + why + ";"
        return
    report_dec(W, lines, rep, h)
    h.report_life(work, lines, rep, sub="tables/life", part_name="tables-lifecycle")
    tables_hostile.report(W, lines, rep)


def records(recs, marker):
    """type=1420 records split per probe (at each marker record); audit header cut, pid masked"""
    groups, cur = [], []
    for msg in recs:
        if "type=1420" not in msg:
            continue
        body = re.sub(r" pid=[0-9]+ ", " pid=* ", msg.split("): ", 1)[-1])
        if ' path="%s" ' % marker in body:
            groups.append(cur)
            cur = []
        else:
            cur.append(body)
    return groups


def probe_rules(recs, pb, parse):
    """the rule="..." of the probe's own records: its hook, its path (as part 2 reads them)"""
    hook = decision_policies.HOOK[pb["action"]]
    path = "?" if pb["path"] == "-" or pb["action"] == "initmod" else pb["path"]
    return [a.get("rule") for a in map(parse, recs or []) if a.get("ipe_hook") == hook and a.get("path") == path]


def kernel_decision(kd, rules):
    """the probe's decision; an errno after IPE allowed (ENOEXEC, EEXIST) reads the record's action"""
    if not kd:
        return None
    if kd[0] == "ERR" and rules and rules[0]:
        a = rules[0].rsplit("action=", 1)[-1]
        if a in ("ALLOW", "DENY"):
            return a
    return kd[0]


def report_dec(W, lines, rep, h):
    doc = json.load(open(os.path.join(W, "dec.json")))
    probes = doc["probes"]
    load, dec, aud = {}, {}, {}
    for l in lines:
        f = l.split("\t")
        if f[0] in ("DLOAD", "DACT") and f[1][:2] in ("TX", "TT"):
            load.setdefault(f[1], []).append(f[2] if f[2] == "OK" else "%s %s" % (f[0], f[4]))
        elif f[0] == "DPROBE" and f[1][:2] in ("TX", "TT"):
            dec.setdefault(f[1], {})[f[2]] = (f[3], f[5])
        elif f[0] == "DAUDIT" and f[1][:2] in ("TX", "TT"):
            aud.setdefault(f[1], []).append(f[2])
    part = {"name": "tables-decisions", "cases": 0, "agree": 0, "disagree": [], "records_identical": 0}
    for r in doc["policies"]:
        kx, kt = r["text"]["key"], r["table"]["key"]
        gx, gt = records(aud.get(kx, []), "/suite/dec/marker"), records(aud.get(kt, []), "/suite/dec/marker")
        px, pt = r["text"].get("ipec"), r["table"].get("ipec")
        for i, pb in enumerate(probes):
            part["cases"] += 1
            rx, rt = (gx[i] if i < len(gx) else None), (gt[i] if i < len(gt) else None)
            rule = probe_rules(rx, pb, h.parse_audit)
            dx = kernel_decision(dec.get(kx, {}).get(pb["label"]), rule)
            dt = kernel_decision(dec.get(kt, {}).get(pb["label"]), probe_rules(rt, pb, h.parse_audit))
            ex = px[i] if isinstance(px, list) else {}
            et = pt[i] if isinstance(pt, list) else {}
            problems = []
            if r.get("compile_error"):
                problems.append("ipec compile failed: " + r["compile_error"][-200:])
            if dx is None or dt is None:
                problems.append("no kernel result (text: %s, table: %s)" % (load.get(kx), load.get(kt)))
            elif dx != dt:
                problems.append("kernel text %s, kernel table %s" % (dx, dt))
            if rx != rt:
                problems.append("audit records differ: text %s, table %s" % (rx, rt))
            elif rx is not None:
                part["records_identical"] += 1
            if (ex.get("decision"), et.get("decision")) != (dx, dx):
                problems.append("ipec eval: text %s, table %s; kernel %s" % (ex.get("decision") or px, et.get("decision") or pt, dx))
            if not rule or ex.get("audit_rule") != rule[0] or et.get("audit_rule") != rule[0]:
                problems.append("audit rule: kernel %s, ipec eval text %s, table %s" % (rule[:1], ex.get("audit_rule"), et.get("audit_rule")))
            if problems:
                part["disagree"].append({"line": "DISAGREE tables %s/%s (%s): %s" % (kt, pb["label"], r["desc"], "; ".join(problems)),
                                         "md": ["### %s / %s: %s" % (kt, pb["label"], r["desc"]), ""] +
                                               ["- " + p for p in problems] + ["", "```", h.show(r["source"]), "```", ""]})
            else:
                part["agree"] += 1
    part["detail"] = ("%d policies, each as text and as a table in one boot, x %d probes: decisions equal between "
                      "text, table and ipec eval (of both); %d probes with byte-identical AUDIT_IPE_ACCESS records "
                      "(header cut, pid masked)" % (len(doc["policies"]), len(probes), part["records_identical"]))
    rep["parts"].append(part)
