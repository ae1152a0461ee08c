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
report(work, lines, rep, h), h being the harness module. Guest side: ../guest/tables.sh (run from run.sh).
"""
import concurrent.futures as cf
import json
import os
import re
import struct
import subprocess
import sys

import decision_policies
import lifecycle_scenarios
import table_mutants

HERE = os.path.dirname(os.path.abspath(__file__))
PROBE = "policy_name=ipec_table_probe policy_version=0.0.1\nDEFAULT action=ALLOW\n"
DEC_HEAD = re.compile(r"^policy_name=D(\d+) policy_version=60000\.0\.(\d+)\n")
LIFE_SHIFT = {"T": 1000, "M": 2000}  # above part 3's majors (<= 300), below part 2's 60000
N_MUTANTS = (4000, 300)  # full run, slice


def _die(msg):
    raise SystemExit("kernel-test: INFRASTRUCTURE FAILURE: part tables: " + msg)


def target_flags():
    """the target of the kernel under test: linux-6.12 with its own .config"""
    cfg = os.environ.get("KT_KERNEL_CONFIG")
    return ["--target", "linux-6.12"] + (["--kconfig", cfg] if cfg else [])


def compile_table(ipec, src, dst):
    r = subprocess.run([ipec, "compile", src, "-o", dst] + target_flags(), capture_output=True)
    return r.returncode == 0, r.stderr.decode(errors="replace")


class Signer:
    """`ipec sign` for texts; for tables too once it takes them, else openssl smime (as the
    kernel wants it: DER, attached, no signed attributes). Mutants always go through openssl:
    ipec sign checks what it signs."""

    def __init__(self, ipec):
        self.ipec, self.key, self.pem = ipec, os.environ["SIGNER_KEY"], os.environ["SIGNER_PEM"]
        self.ipec_tables = None

    def openssl(self, src, dst):
        r = subprocess.run(["openssl", "smime", "-sign", "-noattr", "-nodetach", "-binary", "-outform", "der",
                            "-in", src, "-out", dst, "-signer", self.pem, "-inkey", self.key], capture_output=True)
        if r.returncode:
            _die("openssl smime -sign %s: %s" % (src, r.stderr.decode(errors="replace")[-500:]))

    def ipec_sign(self, src, dst, *flags):
        r = subprocess.run([self.ipec, "sign", src, "--key", self.key, "--cert", self.pem, "-o", dst] + list(flags),
                           capture_output=True)
        return r.returncode == 0, r.stderr.decode(errors="replace")

    def table(self, src, dst):
        if self.ipec_tables is None:  # the first table tells
            self.ipec_tables = self.ipec_sign(src, dst)[0]
            if self.ipec_tables:
                return
            print("kernel-test: part tables: `ipec sign` does not sign tables: openssl smime signs them", file=sys.stderr)
        if not (self.ipec_tables and self.ipec_sign(src, dst)[0]):
            self.openssl(src, dst)

    def detached(self, src, own=False):
        """the detached form: "IPECDSG\\0", version 1, the signature's and the table's sizes, the
        table, then a detached PKCS#7 signature of exactly the table"""
        if not own and self.ipec_tables and "--form" in subprocess.run([self.ipec, "sign", "--help"], capture_output=True, text=True).stdout:
            if self.ipec_sign(src, src + ".det", "--form=detached")[0]:
                return open(src + ".det", "rb").read()
        sig = src + ".sig"
        r = subprocess.run(["openssl", "smime", "-sign", "-noattr", "-binary", "-outform", "der", "-in", src,
                            "-out", sig, "-signer", self.pem, "-inkey", self.key], capture_output=True)
        if r.returncode:
            _die("openssl smime -sign (detached) %s: %s" % (src, r.stderr.decode(errors="replace")[-500:]))
        t, s = open(src, "rb").read(), open(sig, "rb").read()
        return b"IPECDSG\0" + struct.pack("<IIQ", 1, len(s), len(t)) + t + s

    def text(self, src, dst):
        ok, err = self.ipec_sign(src, dst)
        if not ok:  # part sign is where ipec sign is judged; here the blob just has to be signed
            print("kernel-test: part tables: ipec sign %s failed, openssl signs it: %s" % (src, err.strip()[-200:]),
                  file=sys.stderr)
            self.openssl(src, dst)

    def job(self, mode, src, dst):
        """harness.sign_all's signer: mode 'table' compiles src first (kept next to it as .tbl)"""
        if mode == "table":
            tbl = src[:-4] + ".tbl"
            ok, err = compile_table(self.ipec, src, tbl)
            if not ok:
                _die("ipec compile %s failed after it compiled once: %s" % (src, err[-300:]))
            self.table(tbl, dst)
        else:
            self.text(src, dst)


def write(path, data):
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("latin-1"))
    return path


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
    nm = prepare_hostile(W, S, ipec, slice_, sg)
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


def prepare_hostile(W, S, ipec, slice_, sg):
    d = json.load(open(os.path.join(os.path.dirname(W), "dec", "digests.json")))
    texts = [(k[1:], t) for k, t, _ in decision_policies.policies(d, False, n_random=0)]
    if slice_:
        texts = texts[:6]
    texts.append(("999", big_policy(d, 120)))
    bases, read = [], []
    for num, text in texts + [("998", big_policy(d, 2500))]:
        name = "H" + num
        src = write(os.path.join(W, "hostile", name + ".pol"),
                    "policy_name=%s policy_version=1.0.0\n%s" % (name, text[DEC_HEAD.match(text).end():]))
        tbl = write(os.path.join(S, "read", name + ".tbl"), b"")
        ok, err = compile_table(ipec, src, tbl)
        if not ok:
            _die("ipec compile %s: %s" % (src, err[-500:]))
        data = open(tbl, "rb").read()
        if len(data) < 60000:  # H998 is over the PKCS#7 limit: only the detached form holds it
            bases.append((name, data))
            sg.table(tbl, os.path.join(S, "read", name + ".bin"))
            read.append((name, name, name + ".bin"))
        write(os.path.join(S, "read", name + ".det"), sg.detached(tbl))
        read.append((name + "-det", name, name + ".det"))
    with open(os.path.join(S, "read", "list"), "w") as f:
        for rid, name, blob in read:
            f.write("%s %s /suite/tables/read/%s /suite/tables/read/%s.tbl\n" % (rid, name, blob, name))
    n = int(os.environ.get("KT_MUTANTS") or N_MUTANTS[1 if slice_ else 0])
    rows = []
    for mid, data, desc in table_mutants.corpus(bases, n, int(os.environ.get("KT_SEED") or 20251205)):
        raw = write(os.path.join(W, "hostile", mid + ".tbl"), data)
        rows.append({"id": mid, "desc": desc, "file": raw, "blob": os.path.join(S, "hostile", mid + ".bin")})
    with cf.ThreadPoolExecutor(max_workers=4) as ex:
        list(ex.map(lambda r: sg.openssl(r["file"], r["blob"]), rows))
    predict_hostile(ipec, W, rows)
    rows += detached_rows(S, rows[::8], bases[0], sg)
    with open(os.path.join(S, "hostile", "list"), "w") as f:
        for r in rows:
            f.write("%s /suite/tables/hostile/%s 0\n" % (r["id"], os.path.basename(r["blob"])))
    with open(os.path.join(W, "hostile.json"), "w") as f:
        json.dump({"mutants": rows, "read": [r[0] for r in read]}, f)
    return len(rows)


def detached_rows(S, some, base, sg):
    """every 8th mutant again in the detached form, and wrappers with a bad header
    around a valid table and its valid detached signature"""
    out = []
    for r in some:
        blob = write(os.path.join(S, "hostile", r["id"] + "-det.bin"), sg.detached(r["file"], own=True))
        out.append(dict(r, id=r["id"] + "-det", blob=blob, desc=r["desc"] + ", detached signature"))
    name, data = base
    good = sg.detached(write(os.path.join(S, "hostile", name + "-w.tbl"), data), own=True)
    t, s = len(data), len(good) - 24 - len(data)
    bad = {"magic": b"IPECDSH\0" + good[8:], "version0": table_mutants.put(good, 8, "<I", 0),
           "version2": table_mutants.put(good, 8, "<I", 2), "sig-size+1": table_mutants.put(good, 12, "<I", s + 1),
           "sig-size-1": table_mutants.put(good, 12, "<I", s - 1), "sig-size0": table_mutants.put(good, 12, "<I", 0),
           "table-size+8": table_mutants.put(good, 16, "<Q", t + 8), "table-size-8": table_mutants.put(good, 16, "<Q", t - 8),
           "table-size-huge": table_mutants.put(good, 16, "<Q", 1 << 63), "sizes-swapped": table_mutants.put(
               table_mutants.put(good, 12, "<I", t), 16, "<Q", s), "truncated": good[:-1], "trailing": good + b"\0",
           "header-only": good[:24], "short": good[:20], "sig-at-table": good[:24] + good[24 + t:] + good[24:24 + t]}
    for k, v in bad.items():
        blob = write(os.path.join(S, "hostile", "%s-wrapper-%s.bin" % (name, k)), v)
        out.append({"id": "%s-wrapper-%s" % (name, k), "desc": "detached wrapper: " + k, "blob": blob, "file": None,
                    "dump": "-", "predict": "refused"})
    return out


def big_policy(d, n):
    """a table with every section: digest tables of both subsystems, pairs, templates"""
    L = ["DEFAULT action=ALLOW", "DEFAULT op=EXECUTE action=DENY", "op=EXECUTE boot_verified=TRUE action=ALLOW"]
    for i in range(n):
        L.append("op=EXECUTE fsverity_digest=sha256:%064x action=ALLOW" % (i * 7919 + 1))
    for i in range(40):
        L.append("op=KMODULE dmverity_roothash=sha256:%064x dmverity_signature=TRUE action=DENY" % (i * 104729 + 3))
    for i in range(12):
        L.append("op=EXECUTE fsverity_digest=sha256:%064x dmverity_roothash=sha256:%064x action=DENY" % (i + 5, i + 9))
    L.append("op=EXECUTE fsverity_digest=sha512:%0128x action=ALLOW" % 77)
    L.append("op=EXECUTE fsverity_digest=sha256:%s fsverity_signature=TRUE action=ALLOW" % d["DA"])
    return "policy_name=D999 policy_version=60000.0.999\n" + "\n".join(L) + "\n"


def predict_hostile(ipec, W, rows):
    """userspace's verdict: `ipec dump` (ipet_load, then decompiling); for what it accepts,
    `ipec check` of the decompiled text says whether the kernel takes that policy"""
    def dump(r):
        p = subprocess.run([ipec, "dump", r["file"]], capture_output=True)
        r["dump"] = "OK" if p.returncode == 0 else (p.stderr.decode(errors="replace").strip().splitlines() or ["?"])[-1][:200]
        if p.returncode == 0:
            r["decompiled"] = write(r["file"][:-4] + ".dump.pol", p.stdout)
    with cf.ThreadPoolExecutor(max_workers=2) as ex:
        list(ex.map(dump, rows))
    acc = [r for r in rows if r["dump"] == "OK"]
    verdict = {}
    for i in range(0, len(acc), 200):
        files = [r["decompiled"] for r in acc[i:i + 200]]
        p = subprocess.run([ipec, "check", "--format=json", "-q"] + target_flags() + files, capture_output=True)
        try:
            for f in json.loads(p.stdout)["files"]:
                k = f.get("kernel", {})
                verdict[f["file"]] = "OK" if k.get("accepts") else (k.get("errno") or "?")
        except (ValueError, KeyError):
            _die("ipec check of decompiled mutants printed no JSON: " + p.stderr.decode(errors="replace")[-300:])
    for r in rows:
        r["predict"] = verdict.get(r.get("decompiled"), "?") if r["dump"] == "OK" else "refused"


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
    predict_hostile(ipec, W, [r for r in hd["mutants"] if r.get("file")])
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
    report_hostile(W, lines, rep)


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


def report_hostile(W, lines, rep):
    doc = json.load(open(os.path.join(W, "hostile.json")))
    got = {}
    for l in lines:
        f = l.split("\t")
        if f[0] == "CASE":
            got[f[1]] = "OK" if f[2] == "OK" else f[4]
    part = {"name": "tables-hostile", "cases": 0, "agree": 0, "disagree": []}
    errnos, kinds, notes = {}, {}, []
    for r in doc["mutants"]:
        part["cases"] += 1
        k = got.get(r["id"])
        want = r["predict"]
        if k is not None and k != "OK":
            errnos[k] = errnos.get(k, 0) + 1
        if r["dump"] != "-" and not r["id"].endswith("-det"):
            kinds[r["dump"] == "OK"] = kinds.get(r["dump"] == "OK", 0) + 1
        if k is None:
            bad = "no kernel answer"
        elif want == "refused":
            bad = None if k != "OK" else "the kernel accepted a table ipec dump refuses (%s)" % r["dump"]
        elif want == "OK":
            bad = None if k == "OK" else "the kernel refused (%s) a table ipec dump and check accept" % k
        else:  # ipec dump accepts, ipec check refuses the decompiled text: the kernel may do either
            bad = None
            if k == "OK":
                notes.append("%s: the kernel accepted a table whose decompiled text ipec check refuses (%s) [%s]"
                             % (r["id"], want, r["desc"]))
        if bad:
            part["disagree"].append({"line": "DISAGREE tables-hostile %s: %s [%s]" % (r["id"], bad, r["desc"])})
        else:
            part["agree"] += 1
    reads = {l.split()[1]: l.split()[2:] for l in lines if l.startswith("TREAD ")}
    for n in doc["read"]:
        part["cases"] += 1
        v = reads.get(n)
        if v == ["OK", "same", "same"]:
            part["agree"] += 1
        else:
            part["disagree"].append({"line": "DISAGREE tables-hostile read-back %s: load, pkcs7, policy = %s" % (n, v)})
    ndet = sum(r["id"].endswith("-det") for r in doc["mutants"])
    nwrap = sum(r["dump"] == "-" for r in doc["mutants"])
    part["detail"] = ("%d hostile blobs: %d mutated tables (%d refused by ipec dump, %d accepted), each validly "
                      "signed, %d of them also with a detached signature, and %d detached wrappers with a bad "
                      "header; the kernel accepted %d and refused the others: %s; "
                      "%d valid tables loaded and read back (pkcs7 and policy "
                      "byte-identical), %d of them in the detached form"
                      % (len(doc["mutants"]), len(doc["mutants"]) - ndet - nwrap, kinds.get(False, 0),
                         kinds.get(True, 0), ndet, nwrap, sum(got.get(r["id"]) == "OK" for r in doc["mutants"]),
                         ", ".join("%s %d" % kv for kv in sorted(errnos.items())),
                         len(doc["read"]), sum(x.endswith("-det") for x in doc["read"])))
    if notes:  # not failures: ipet_load accepts them, and so does the kernel (what the part requires)
        part["detail"] += "; NOTE %d: %s" % (len(notes), "; ".join(notes[:10]))
        for n in notes[:10]:
            print("kernel-test: tables-hostile NOTE " + n)
    rep["parts"].append(part)
