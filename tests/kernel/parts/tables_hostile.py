# SPDX-License-Identifier: Apache-2.0
"""Part tables, c: hostile tables (docs/kernel-suite.md). Valid tables of part 2's hand-written
policies and of a large one are mutated (table_mutants.py), signed validly, and written to
new_policy; `ipec dump` (ipet_load in userspace) and `ipec check` of its decompiled text predict
the kernel's answer. The valid tables also load, attached and detached, and read back.

prepare(W, S, ipec, slice_, sg), predict(ipec, W, rows), report(W, lines, rep); W and S are part
tables' host and payload folders, sg its tables_lib.Signer.
"""
import concurrent.futures as cf
import json
import os
import subprocess

import decision_policies
import table_mutants
from tables_lib import DEC_HEAD, _die, compile_table, target_flags, write

N_MUTANTS = (4000, 300)  # full run, slice


def prepare(W, S, ipec, slice_, sg):
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
    predict(ipec, W, rows)
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


def predict(ipec, W, rows):
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


def report(W, lines, rep):
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
