#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Host side of ipec's kernel suite: builds the guest payload and ipec's predictions, then
compares them with what the kernel answered. Called by tests/kernel/kernel-test:

    harness.py prepare WORK --parts load,decisions,lifecycle,lockout --ipec IPEC [--slice]
    harness.py prepare WORK --parts load,decisions,lifecycle,sign --ipec IPEC [--slice]
    harness.py report WORK --out DIR
    harness.py repredict WORK --ipec IPEC     (ask another ipec about a kept run; no VM)

WORK/stage/suite is the payload (/suite in the guest). Environment from kernel-test: SIGNER_KEY,
SIGNER_PEM, UNTRUSTED_KEY, UNTRUSTED_PEM, CERT_SIZE, IPEC_CORPUS (the load corpus folder).
Part 2 also needs WORK/dec/digests.json (written by kernel-test when it built the objects).
"""
import concurrent.futures as cf
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "gen"))
sys.path.insert(0, os.path.join(HERE, "parts"))
import decision_policies  # noqa: E402
import lifecycle_scenarios  # noqa: E402
import load_cases  # noqa: E402
import audit as audit_part  # noqa: E402
import lockout as part_lockout  # noqa: E402

sys.path.insert(0, os.path.join(HERE, "parts"))
import sign as sign_part  # noqa: E402
import enforce as enforce_part  # noqa: E402
import kmsg as kmsg_part  # noqa: E402
import tables as tables_part  # noqa: E402


def die(msg, code=3):
    print("kernel-test: " + ("INFRASTRUCTURE FAILURE: " if code == 3 else "") + msg, file=sys.stderr)
    sys.exit(code)


def note(msg):
    if not os.environ.get("QUIET"):
        print("kernel-test: " + msg, file=sys.stderr)


# ---------------------------------------------------------------- signing
def sign(mode, src, dst):
    env = os.environ
    key, pem = env["SIGNER_KEY"], env["SIGNER_PEM"]
    smime = ["openssl", "smime", "-sign", "-in", src, "-out", dst, "-noattr", "-nodetach", "-nosmimecap", "-outform", "der"]
    cms = ["openssl", "cms", "-sign", "-in", src, "-out", dst, "-noattr", "-nodetach", "-nosmimecap", "-outform", "der",
           "-binary", "-signer", pem, "-inkey", key]
    cmd = {
        "signer": smime + ["-binary", "-signer", pem, "-inkey", key],
        "untrusted": smime + ["-binary", "-signer", env["UNTRUSTED_PEM"], "-inkey", env["UNTRUSTED_KEY"]],
        "smime-text": smime + ["-signer", pem, "-inkey", key],
        "signer-nocerts": smime + ["-binary", "-nocerts", "-signer", pem, "-inkey", key],
        "sha512": smime + ["-binary", "-md", "sha512", "-signer", pem, "-inkey", key],
        "cms": cms,
        "cms-skid": cms + ["-keyid"],
    }.get(mode)
    if mode == "none":
        with open(src, "rb") as i, open(dst, "wb") as o:
            o.write(i.read())
        return
    if cmd is None:
        die("unknown signing mode " + mode)
    r = subprocess.run(cmd, capture_output=True)
    if r.returncode:
        die("signing %s (%s) failed: %s" % (src, mode, r.stderr.decode(errors="replace")))


def sign_all(jobs, fn=None):
    """jobs: (mode, src, dst); runs a few openssl processes at a time (fn: another signer)"""
    with cf.ThreadPoolExecutor(max_workers=4) as ex:
        list(ex.map(lambda j: (fn or sign)(*j), jobs))


def signed_content(blob, out):
    """the exact bytes inside a PKCS#7 blob (what the kernel parses)"""
    r = subprocess.run(["openssl", "cms", "-verify", "-noverify", "-inform", "der", "-in", blob, "-binary", "-out", out],
                       capture_output=True)
    if r.returncode:
        die("cannot extract the content of %s: %s" % (blob, r.stderr.decode(errors="replace")))


# ---------------------------------------------------------------- ipec
def ipec_has(ipec, sub):
    r = subprocess.run([ipec, sub, "--help"], capture_output=True)
    usage = [l for l in r.stdout.decode(errors="replace").splitlines() if l.startswith("Usage:")]
    return r.returncode == 0 and bool(usage) and (" %s " % sub) in usage[0] + " "


def ipec_check(ipec, files, flags):
    """{file: "OK" | errno name} from `ipec check --format=json`"""
    out = {}
    for i in range(0, len(files), 200):
        chunk = files[i:i + 200]
        r = subprocess.run([ipec, "check", "--format=json", "-q"] + flags + chunk, capture_output=True)
        if r.returncode not in (0, 1):
            die("ipec check failed (status %d): %s" % (r.returncode, r.stderr.decode(errors="replace")[-2000:]), 1)
        try:
            doc = json.loads(r.stdout)
        except ValueError:
            die("ipec check printed no JSON: " + r.stdout.decode(errors="replace")[:500], 1)
        for f in doc["files"]:
            k = f.get("kernel", {})
            out[f["file"]] = "OK" if k.get("accepts") else (k.get("errno") or "?")
    return out


def jsonl(text):
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            rows.append(json.loads(line))
    return rows


# ---------------------------------------------------------------- part 1: load
def prepare_load(work, stage, ipec, slice_):
    W = os.path.join(work, "load")
    cases_dir = os.path.join(W, "cases")
    S = os.path.join(stage, "load")
    os.makedirs(S, exist_ok=True)
    cert = int(os.environ.get("CERT_SIZE", "847"))
    args = [cases_dir, "--cert-size", str(cert)]
    if os.environ.get("IPEC_CORPUS"):
        args += ["--corpus", os.environ["IPEC_CORPUS"]]
    if slice_:
        args.append("--slice")
    for k in ("random", "seed"):
        if os.environ.get("KT_" + k.upper()):
            args += ["--" + k, os.environ["KT_" + k.upper()]]
    r = subprocess.run([sys.executable, os.path.join(HERE, "gen", "load_cases.py")] + args, capture_output=True, text=True)
    if r.returncode:
        die("load_cases.py failed: " + r.stderr)
    index = read_index(os.path.join(cases_dir, "index.tsv"))
    sign_all([(c["mode"], os.path.join(cases_dir, c["id"] + ".pol"), os.path.join(S, c["id"] + ".bin")) for c in index])
    # what ipec is asked about: the signed bytes (smime-text signs a canonicalised copy)
    canon = os.path.join(W, "canon")
    os.makedirs(canon, exist_ok=True)
    normal, nocerts = [], []
    for c in index:
        src = os.path.join(cases_dir, c["id"] + ".pol")
        if c["mode"] == "smime-text":
            src = os.path.join(canon, c["id"] + ".pol")
            signed_content(os.path.join(S, c["id"] + ".bin"), src)
        c["ipec_file"] = src
        if c["predict"] == "ipec":
            (nocerts if c["mode"] == "signer-nocerts" else normal).append(src)
    with open(os.path.join(W, "cases.json"), "w") as f:
        json.dump(index, f)
    with open(os.path.join(S, "list"), "w") as f:
        for c in index:
            f.write("%s /suite/load/%s.bin %s\n" % (c["id"], c["id"], c["keep"]))
    predict_load(work, ipec)
    note("part 1: %d load cases (%d with ipec check predictions)" % (len(index), sum(c["predict"] == "ipec" for c in index)))


def predict_load(work, ipec):
    W = os.path.join(work, "load")
    index = json.load(open(os.path.join(W, "cases.json")))
    cert = int(os.environ.get("CERT_SIZE", "847"))
    normal = [c["ipec_file"] for c in index if c["predict"] == "ipec" and c["mode"] != "signer-nocerts"]
    nocerts = [c["ipec_file"] for c in index if c["predict"] == "ipec" and c["mode"] == "signer-nocerts"]
    # the signing-size model: the signer's real certificate when ipec can read it, else its size
    h = subprocess.run([ipec, "check", "--help"], capture_output=True, text=True).stdout
    pem = os.path.join(work, "signer.pem")
    signer = ["--signer-cert", pem] if "--signer-cert" in h and os.path.exists(pem) else ["--cert-size", str(cert)]
    pred = {}
    pred.update(ipec_check(ipec, normal, signer))
    pred.update(ipec_check(ipec, nocerts, signer + ["--no-embedded-cert"]))
    for c in index:
        c["ipec"] = pred.get(c["ipec_file"], "-") if c["predict"] == "ipec" else c["predict"].split(":", 1)[1]
    with open(os.path.join(W, "cases.json"), "w") as f:
        json.dump(index, f)


def read_index(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        head = f.readline().rstrip("\n").split("\t")
        for line in f:
            rows.append(dict(zip(head, line.rstrip("\n").split("\t"))))
    return rows


# ---------------------------------------------------------------- part 3: lifecycle
LIFE_TARGET = {"update": "policies/%s/update", "activate": "policies/%s/active", "deactivate-write": "policies/%s/active",
               "delete": "policies/%s/delete", "delete-write0": "policies/%s/delete"}
LIFE_VALUE = {"activate": "one", "deactivate-write": "zero", "delete": "one", "delete-write0": "zero"}


def b(text):
    return text if isinstance(text, bytes) else text.encode("latin-1")


def prepare_life(work, stage, ipec, slice_, sub="life", scenarios=None, mode_of=None, signer=None):
    """sub: the folder in work and stage; part tables passes its scenarios, which blobs are
    tables (mode_of(label, text)) and the signer that makes them"""
    W = os.path.join(work, sub)
    S = os.path.join(stage, sub)
    os.makedirs(S, exist_ok=True)
    with open(os.path.join(S, "one"), "w") as f:
        f.write("1")
    with open(os.path.join(S, "zero"), "w") as f:
        f.write("0")
    scen, jobs, glines = [], [], []
    for key, title, rule, ops in scenarios or lifecycle_scenarios.scenarios():
        d = os.path.join(W, key)
        os.makedirs(d, exist_ok=True)
        script, steps = [], []
        glines.append("RESET\nBEGIN %s\n" % key)
        for i, op in enumerate(ops):
            kind = op[0]
            label = "%s.%02d" % (key, i + 1)
            step = {"label": label, "op": kind}
            if kind in ("new_policy", "update"):
                text = b(op[-1])
                pol = os.path.join(d, "p%02d.pol" % (i + 1))
                with open(pol, "wb") as f:
                    f.write(text)
                blob = "%s-p%02d.bin" % (key, i + 1)
                step["form"] = mode_of(label, text) if mode_of else "signer"
                jobs.append((step["form"], pol, os.path.join(S, blob)))
                src = "/suite/%s/%s" % (sub, blob)
                step["text"] = text.decode("latin-1")
                if kind == "new_policy":
                    target = "new_policy"
                    script.append("new_policy %s" % pol)
                else:
                    step["name"] = op[1]
                    target = LIFE_TARGET[kind] % op[1]
                    script.append("update %s %s" % (op[1], pol))
            else:
                step["name"] = op[1]
                target = LIFE_TARGET[kind] % op[1]
                src = "/suite/%s/%s" % (sub, LIFE_VALUE[kind])
                script.append("%s %s" % (kind, op[1]))
            glines.append("W %s %s %s\n" % (label, b(target).hex(), src))
            steps.append(step)
        spath = os.path.join(d, "script")
        with open(spath, "wb") as f:
            f.write(("\n".join(script) + "\n").encode("latin-1"))
        scen.append({"key": key, "title": title, "rule": rule, "prefix": key + "_", "steps": steps,
                     "script": script, "script_file": spath, "ipec": None})
    sign_all(jobs, signer)
    with open(os.path.join(S, "list"), "w") as f:
        f.write("".join(glines))
    with open(os.path.join(W, "scenarios.json"), "w") as f:
        json.dump(scen, f)
    has = predict_life(work, ipec, sub)
    if sub != "life":
        return scen
    note("part 3: %d lifecycle scenarios, %d operations%s" % (len(scen), sum(len(s["steps"]) for s in scen),
                                                              "" if has else " (ipec has no `lifecycle` command yet)"))


def predict_life(work, ipec, sub="life"):
    path = os.path.join(work, sub, "scenarios.json")
    scen = json.load(open(path))
    has = ipec_has(ipec, "lifecycle")
    for s in scen:
        pred = None
        if has:
            r = subprocess.run([ipec, "lifecycle", s["script_file"], "--format=json",
                                "--cert-size", os.environ.get("CERT_SIZE", "847")], capture_output=True)
            if r.returncode not in (0, 1):
                pred = {"error": "ipec lifecycle exited %d: %s" % (r.returncode, r.stderr.decode(errors="replace")[-500:])}
            else:
                try:
                    pred = jsonl(r.stdout.decode())
                except ValueError:
                    pred = {"error": "ipec lifecycle printed no JSON lines: " + r.stdout.decode(errors="replace")[:300]}
        s["ipec"] = pred
    with open(path, "w") as f:
        json.dump(scen, f)
    return has


# ---------------------------------------------------------------- part 2: decisions
def dec_inputs(work, stage, slice_):
    """part 2's probes (written to the payload, and as ipec eval events) and its policies;
    part tables decides the same probes with the same policies"""
    W = os.path.join(work, "dec")
    S = os.path.join(stage, "dec")
    os.makedirs(os.path.join(W, "policies"), exist_ok=True)
    os.makedirs(S, exist_ok=True)
    d = json.load(open(os.path.join(W, "digests.json")))
    probes = decision_policies.probes(d)
    kw = {}
    if os.environ.get("KT_POLICIES"):
        kw["n_random"] = int(os.environ["KT_POLICIES"])
    if os.environ.get("KT_SEED"):
        kw["seed"] = int(os.environ["KT_SEED"])
    pols = decision_policies.policies(d, slice_, **kw)
    ev = os.path.join(W, "events.jsonl")
    with open(ev, "w") as f:
        for p in probes:
            f.write(json.dumps(p[3]) + "\n")
    with open(os.path.join(S, "probes"), "w") as f:
        for label, act, path, _ in probes:
            f.write("%s %s %s\n" % (label, act, path))
    with open(os.path.join(S, "marker"), "wb") as f:
        f.write(b"\0" * 4096)
    if not os.path.exists(os.path.join(S, "list")):  # part 2's own list, or none
        open(os.path.join(S, "list"), "w").close()
    return probes, pols, ev


def prepare_dec(work, stage, ipec, slice_):
    W = os.path.join(work, "dec")
    S = os.path.join(stage, "dec")
    probes, pols, ev = dec_inputs(work, stage, slice_)
    jobs, out = [], []
    for key, text, desc in pols:
        pol = os.path.join(W, "policies", key + ".pol")
        with open(pol, "w") as f:
            f.write(text)
        jobs.append(("signer", pol, os.path.join(S, key + ".bin")))
        out.append({"key": key, "text": text, "desc": desc, "file": pol, "ipec": None})
    sign_all(jobs)
    with open(os.path.join(S, "list"), "w") as f:
        for p in out:
            f.write("%s /suite/dec/%s.bin\n" % (p["key"], p["key"]))
    with open(os.path.join(W, "policies.json"), "w") as f:
        json.dump({"probes": [{"label": p[0], "action": p[1], "path": p[2], "event": p[3]} for p in probes],
                   "policies": out, "events": ev}, f)
    has = predict_dec(work, ipec)
    note("part 2: %d policies x %d probes = %d decision cases%s" % (len(out), len(probes), len(out) * len(probes),
                                                                   "" if has else " (ipec has no `eval` command yet)"))


def predict_dec(work, ipec):
    path = os.path.join(work, "dec", "policies.json")
    doc = json.load(open(path))
    has = ipec_has(ipec, "eval")
    h = subprocess.run([ipec, "eval", "--help"], capture_output=True, text=True).stdout if has else ""
    # every engine ipec offers is asked; each must agree with the kernel
    m = re.search(r"--engine TEXT:\{([a-z0-9_,-]+)\}", h)
    engines = m.group(1).split(",") if m else [None]
    n = len(doc["probes"])
    for p in doc["policies"]:
        p["ipec"], p["ipec_engines"] = None, {}
        if not has:
            continue
        for eng in engines:
            r = subprocess.run([ipec, "eval", p["file"], "--events", doc["events"], "--format=json"] +
                               (["--engine", eng] if eng else []), capture_output=True)
            if r.returncode not in (0, 1):
                pred = {"error": "ipec eval exited %d: %s" % (r.returncode, r.stderr.decode(errors="replace")[-500:])}
            else:
                try:
                    pred = jsonl(r.stdout.decode())
                except ValueError:
                    pred = {"error": "ipec eval printed no JSON lines: " + r.stdout.decode(errors="replace")[:300]}
                if isinstance(pred, list) and len(pred) != n:
                    pred = {"error": "ipec eval printed %d results for %d events" % (len(pred), n)}
            p["ipec_engines"][eng or "default"] = pred
        p["ipec"] = p["ipec_engines"][engines[0] or "default"]
    doc["engines"] = [e or "default" for e in engines]
    with open(path, "w") as f:
        json.dump(doc, f)
    return has


# ---------------------------------------------------------------- report
def show(text):
    """policy text for the report: printable, with escapes for the bytes that matter"""
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    out = []
    for ch in text:
        o = ord(ch)
        if ch == "\n":
            out.append("\\n\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif o < 0x20 or 0x7f <= o < 0xa0 or o == 0xa0:
            out.append("\\x%02x" % o)
        else:
            out.append(ch)
    s = "".join(out)
    if len(s) > 1500:
        s = s[:700] + "\n[... %d bytes ...]\n" % (len(text) - 1400) + s[-700:]
    return s


def results_lines(work):
    p = os.path.join(work, "vm", "results.txt")
    if not os.path.exists(p):
        die("no guest results (%s)" % p)
    return open(p, encoding="utf-8", errors="replace").read().splitlines()


def report_load(work, lines, rep):
    W = os.path.join(work, "load")
    cases = json.load(open(os.path.join(W, "cases.json")))
    got = {}
    for l in lines:
        if l.startswith("CASE\t"):
            f = l.split("\t")
            got[f[1]] = "OK" if f[2] == "OK" else f[4]
    part = {"name": "load", "cases": 0, "agree": 0, "disagree": [], "missing": 0}
    ipec_n = ipec_ok = other_n = other_ok = 0
    for c in cases:
        k = got.get(c["id"])
        part["cases"] += 1
        if k is None:
            part["missing"] += 1
            part["disagree"].append({"id": c["id"], "desc": c["description"], "group": c["group"], "mode": c["mode"],
                                     "ipec": c["ipec"], "kernel": "(no result)", "file": c["ipec_file"]})
            continue
        ok = k == c["ipec"]
        if c["predict"] == "ipec":
            ipec_n += 1; ipec_ok += ok
        else:
            other_n += 1; other_ok += ok
        if ok:
            part["agree"] += 1
        else:
            part["disagree"].append({"id": c["id"], "desc": c["description"], "group": c["group"], "mode": c["mode"],
                                     "ipec": c["ipec"], "kernel": k, "file": c["ipec_file"],
                                     "text": show(open(c["ipec_file"], "rb").read())})
    part["detail"] = ("%d/%d cases agree with `ipec check`; %d/%d key- or state-dependent corpus cases "
                      "(unsigned, untrusted key, EEXIST) agree with the corpus" % (ipec_ok, ipec_n, other_ok, other_n))
    rep["parts"].append(part)


def report_life(work, lines, rep, sub="life", part_name="lifecycle"):
    W = os.path.join(work, sub)
    scen = json.load(open(os.path.join(W, "scenarios.json")))
    res, state = {}, {}
    for l in lines:
        f = l.split("\t")
        if f[0] == "LOP":
            res[f[1]] = "OK" if f[2] == "OK" else f[4]
        elif f[0] == "LSTATE":
            name = bytes.fromhex(f[2]).decode("latin-1") if f[2] != "-" else "?"
            state.setdefault(f[1], []).append({"name": name, "version": f[3], "active": f[4] == "1"})
    part = {"name": part_name, "cases": 0, "agree": 0, "disagree": [], "missing": 0, "no_prediction": 0,
            "scenarios": []}
    for s in scen:
        pred = s["ipec"]
        perr = pred.get("error") if isinstance(pred, dict) else None
        if isinstance(pred, list) and len(pred) != len(s["steps"]):
            perr = "ipec printed %d results for %d operations" % (len(pred), len(s["steps"]))
        rows, prev_state = [], []
        for i, st in enumerate(s["steps"]):
            k = res.get(st["label"])
            mine = [x for x in state.get(st["label"], []) if x["name"].startswith(s["prefix"]) or
                    x["name"] in (".", "..")]
            p = pred[i] if isinstance(pred, list) and not perr else None
            pr = p.get("result") if p else None
            part["cases"] += 1
            row = {"label": st["label"], "op": st["op"], "name": st.get("name"), "kernel": k or "(no result)",
                   "ipec": pr or ("(no prediction)" if not perr else "(ipec error)"), "state": mine}
            if k is None:
                part["missing"] += 1
                row["agree"] = False
            elif pr is None:
                part["no_prediction"] += 1
                row["agree"] = None
            else:
                row["agree"] = pr == k
                # when ipec also models the state, compare it too
                if row["agree"] and p and isinstance(p.get("state"), list):
                    exp = sorted((x["name"], x["version"], bool(x["active"])) for x in mine)
                    got_s = sorted((x.get("name"), x.get("version"), bool(x.get("active"))) for x in p["state"])
                    if exp != got_s:
                        row["agree"] = False
                        row["state_mismatch"] = {"kernel": exp, "ipec": got_s}
                # the name of a policy that new_policy created: the directory that appeared
                if row["agree"] and p and st["op"] == "new_policy" and k == "OK" and "name" in p:
                    before = {x["name"] for x in prev_state}
                    made = [x["name"] for x in mine if x["name"] not in before]
                    kname = made[0].encode("latin-1").decode("utf-8", "replace") if len(made) == 1 else made
                    if kname != p["name"]:
                        row["agree"] = False
                        row["name_mismatch"] = {"kernel": kname, "ipec": p["name"]}
            if row["agree"]:
                part["agree"] += 1
            rows.append(row)
            prev_state = mine
        sc = {"key": s["key"], "title": s["title"], "rule": s["rule"], "rows": rows, "ipec_error": perr,
              "script": s["script"], "texts": {st["label"] + (" (as a table)" if st.get("form") == "table" else ""): show(st["text"])
                        for st in s["steps"] if "text" in st}}
        part["scenarios"].append(sc)
        for r in rows:
            if r["agree"] is False:
                part["disagree"].append({"scenario": s["key"], "title": s["title"], "label": r["label"], "op": r["op"],
                                         "name": r["name"], "kernel": r["kernel"], "ipec": r["ipec"],
                                         "state_mismatch": r.get("state_mismatch"),
                                         "name_mismatch": r.get("name_mismatch"), "script": s["script"],
                                         "texts": sc["texts"]})
    if part["no_prediction"]:
        part["detail"] = "%d operations have no ipec prediction (ipec has no working `lifecycle` command)" % part["no_prediction"]
    rep["parts"].append(part)


def parse_audit(msg):
    """key fields of an IPE access record; rule is the text inside rule=\"...\" (may hold quotes)"""
    r = {}
    for key in ("ipe_op", "ipe_hook", "enforcing"):
        i = msg.find(" %s=" % key)
        if i >= 0:
            r[key] = msg[i + len(key) + 2:].split(" ", 1)[0]
    i = msg.find(" path=")
    if i >= 0:
        v = msg[i + 6:]
        r["path"] = v[1:v.index('"', 1)] if v.startswith('"') else v.split(" ", 1)[0]
    i = msg.find(' rule="')
    if i >= 0:
        v = msg[i + 7:]
        r["rule"] = v[:-1] if v.endswith('"') else v + "(TRUNCATED)"
    return r


def report_dec(work, lines, rep):
    W = os.path.join(work, "dec")
    doc = json.load(open(os.path.join(W, "policies.json")))
    probes, pols = doc["probes"], doc["policies"]
    marker = "/suite/dec/marker"
    load, act, dec, aud, warn = {}, {}, {}, {}, {}
    for l in lines:
        f = l.split("\t")
        if f[0] == "DLOAD":
            load[f[1]] = f[2] if f[2] == "OK" else f[4]
        elif f[0] == "DACT":
            act[f[1]] = f[2] if f[2] == "OK" else f[4]
        elif f[0] == "DPROBE":
            dec.setdefault(f[1], {})[f[2]] = (f[3], f[5])
        elif f[0] == "DAUDIT":
            aud.setdefault(f[1], []).append(parse_audit(f[2]))
        elif f[0] == "DWARN":
            warn.setdefault(f[1], []).append(f[2])
    part = {"name": "decisions", "cases": 0, "agree": 0, "disagree": [], "missing": 0, "no_prediction": 0,
            "policies": [], "rule_checked": 0}
    for p in pols:
        key = p["key"]
        # split the records per probe: the records before the n-th marker record belong to probe n
        groups, cur = [], []
        for a in aud.get(key, []):
            if a.get("path") == marker:
                groups.append(cur); cur = []
            else:
                cur.append(a)
        pred = p["ipec"]
        perr = pred.get("error") if isinstance(pred, dict) else None
        prow = {"key": key, "desc": p["desc"], "load": load.get(key), "activate": act.get(key),
                "warnings": warn.get(key, []), "ipec_error": perr, "rows": []}
        for i, pb in enumerate(probes):
            part["cases"] += 1
            kd = dec.get(key, {}).get(pb["label"])
            hook = decision_policies.HOOK[pb["action"]]
            want_path = "?" if pb["path"] == "-" or pb["action"] == "initmod" else pb["path"]
            recs = [a for a in (groups[i] if i < len(groups) else []) if a.get("ipe_hook") == hook and a.get("path") == want_path]
            krule = recs[0].get("rule") if recs else None
            kdec = kd[0] if kd else None
            # an errno other than EACCES after IPE allowed (e.g. ENOEXEC): the audit record decides
            if kdec == "ERR" and krule and krule.rsplit("action=", 1)[-1] in ("ALLOW", "DENY"):
                kdec = krule.rsplit("action=", 1)[-1]
            ip = pred[i] if isinstance(pred, list) else None
            row = {"probe": pb["label"], "event": pb["event"], "kernel": kdec or "(no result)", "kernel_rule": krule,
                   "kernel_errno": kd[1] if kd else None,
                   "ipec": ip.get("decision") if ip else None, "ipec_rule": ip.get("audit_rule") if ip else None,
                   "ipec_line": ip.get("line") if ip else None}
            if kd is None:
                part["missing"] += 1
                row["agree"] = False
            elif ip is None:
                part["no_prediction"] += 1
                row["agree"] = None
            else:
                row["agree"] = row["ipec"] == kdec and (krule is None or row["ipec_rule"] == krule)
                if krule is None:
                    row["note"] = "no audit record for this probe"
                    row["agree"] = False
                else:
                    part["rule_checked"] += 1
                for eng, ep in (p.get("ipec_engines") or {}).items():
                    e = ep[i] if isinstance(ep, list) else {}
                    if (e.get("decision"), e.get("audit_rule")) != (row["ipec"], row["ipec_rule"]):
                        row["agree"] = False
                        row["note"] = "engine %s: %s %s" % (eng, e.get("decision"), e.get("audit_rule") or ep)
            if row["agree"]:
                part["agree"] += 1
            prow["rows"].append(row)
            if row["agree"] is False:
                part["disagree"].append({"policy": key, "desc": p["desc"], "probe": pb["label"], "event": pb["event"],
                                         "kernel": row["kernel"], "kernel_rule": krule, "kernel_errno": row["kernel_errno"],
                                         "ipec": row["ipec"], "ipec_rule": row["ipec_rule"], "ipec_line": row["ipec_line"],
                                         "note": row.get("note"), "text": show(p["text"])})
        part["policies"].append(prow)
    part["detail"] = "every decision and audit rule checked against ipec eval's engines: %s" % ", ".join(doc.get("engines", []))
    if part["no_prediction"]:
        part["detail"] = "%d decisions have no ipec prediction (ipec has no working `eval` command)" % part["no_prediction"]
    rep["parts"].append(part)


def write_report(rep, out):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "report.json"), "w") as f:
        json.dump(rep, f, indent=1)
    L = ["# ipec kernel suite report", "", "- kernel: `%s` (%s)" % (rep.get("kernel"), rep.get("accel")),
         "- ipec: `%s`" % rep.get("ipec")]
    if rep.get("kver_note"):
        L.append("- " + rep["kver_note"])
    for sk in filter(None, (rep.get("skipped") or "").split(";")):
        L.append("- skipped: " + sk)
    L += ["- VM time: %s s, wall time: %s s; in the guest: %s" % (
        rep.get("vm_secs"), rep.get("wall_secs"), ", ".join("%s %s s" % kv for kv in rep.get("guest_secs", {}).items())), "",
          "| part | cases | agree | disagree | no prediction |", "|---|---:|---:|---:|---:|"]
    for p in rep["parts"]:
        L.append("| %s | %d | %d | %d | %d |" % (p["name"], p["cases"], p["agree"], len(p["disagree"]), p.get("no_prediction", 0)))
    L.append("")
    for p in rep["parts"]:
        if p.get("detail"):
            L.append("- %s: %s" % (p["name"], p["detail"]))
    for p in rep["parts"]:
        if not p["disagree"]:
            continue
        L += ["", "## Disagreements: %s (%d)" % (p["name"], len(p["disagree"])), ""]
        for d in p["disagree"]:
            if "md" in d:
                L += d["md"]
            elif "line" in d:
                L += ["- " + d["line"]]
            elif p["name"] == "load":
                L += ["### case %s (%s, sign %s): kernel %s, ipec %s" % (d["id"], d["group"], d["mode"], d["kernel"], d["ipec"]),
                      "", d["desc"], "", "```", d.get("text", ""), "```", ""]
            elif p["name"] == "audit":
                L += ["### %s: %s" % (d["policy"], d["problem"]), ""]
            elif p["name"].endswith("lifecycle"):
                L += ["### %s %s %s: kernel %s, ipec %s" % (d["label"], d["op"], d["name"] or "", d["kernel"], d["ipec"]),
                      "", "scenario %s: %s" % (d["scenario"], d["title"]), ""]
                if d.get("state_mismatch"):
                    L += ["state: kernel %s, ipec %s" % (d["state_mismatch"]["kernel"], d["state_mismatch"]["ipec"]), ""]
                if d.get("name_mismatch"):
                    L += ["name: kernel %r, ipec %r" % (d["name_mismatch"]["kernel"], d["name_mismatch"]["ipec"]), ""]
                L += ["```"] + d["script"] + ["```", ""]
                for lab, t in sorted(d["texts"].items()):
                    L += ["%s:" % lab, "```", t, "```"]
                L.append("")
            else:
                L += ["### %s / %s: kernel %s `%s`, ipec %s `%s` (line %s)" % (
                    d["policy"], d["probe"], d["kernel"], d["kernel_rule"], d["ipec"], d["ipec_rule"], d["ipec_line"]),
                    "", "%s; event %s%s" % (d["desc"], json.dumps(d["event"]), "; " + d["note"] if d.get("note") else ""),
                    "", "```", d["text"], "```", ""]
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write("\n".join(L) + "\n")


def cmd_report(work, out):
    lines = results_lines(work)
    rep = {"parts": [], "kernel": next((l.split(" ", 1)[1] for l in lines if l.startswith("KERNEL ")), "?")}
    meta = {}
    if os.path.exists(os.path.join(work, "meta.json")):
        meta = json.load(open(os.path.join(work, "meta.json")))
    for k in ("accel", "vm_secs", "wall_secs", "ipec", "kver_note", "skipped"):
        rep[k] = os.environ.get("REPORT_" + k.upper()) or meta.get(k, "")
    # guest uptime at the start and after each part -> seconds per part
    times, prev = {}, None
    for l in lines:
        if l.startswith("TIME "):
            _, what, up = l.split()
            if prev is not None:
                times[what] = round(float(up) - prev, 1)
            prev = float(up)
    rep["guest_secs"] = times
    errs = [l for l in lines if l.startswith("SETUP_ERR")]
    if errs:
        die("guest setup failed: " + errs[0])
    if os.path.exists(os.path.join(work, "load", "cases.json")):
        report_load(work, lines, rep)
    if os.path.exists(os.path.join(work, "dec", "policies.json")):
        report_dec(work, lines, rep)
    if os.path.exists(os.path.join(work, "dec", "audit-part")):
        audit_part.report_audit(work, lines, rep, rep["ipec"], decision_policies.HOOK)
    if os.path.exists(os.path.join(work, "life", "scenarios.json")):
        report_life(work, lines, rep)
    if os.path.exists(os.path.join(work, "lockout", "policies.json")):
        part_lockout.report(work, lines, rep)
    if os.path.exists(os.path.join(work, "sign", "cases.json")):
        sign_part.report(work, lines, rep)
    if os.path.exists(os.path.join(work, "enf", "policies.json")):
        enforce_part.report(work, lines, rep)
    if os.path.exists(os.path.join(work, "tables", "dec.json")):
        tables_part.report(work, lines, rep, sys.modules[__name__])
    if "=== KMSG" in lines:
        kmsg_part.report(work, lines, rep, out)
    write_report(rep, out)
    bad = 0
    tot_ok = tot = 0
    for p in rep["parts"]:
        nd = len(p["disagree"])
        bad += nd + p.get("no_prediction", 0)
        tot += p["cases"]; tot_ok += p["agree"]
        extra = ", %d without a prediction" % p["no_prediction"] if p.get("no_prediction") else ""
        print("%-10s %4d cases, %4d agree, %d disagree%s" % (p["name"], p["cases"], p["agree"], nd, extra))
        for d in p["disagree"][:15]:
            if "line" in d:  # parts that say it themselves (parts/*.py)
                print("    " + d["line"])
            elif "md" in d:
                print("    DISAGREE %s %s: kernel %s, ipec %s" % (p["name"], d["label"], d["kernel"], d["ipec"]))
            elif p["name"] == "load":
                print("    DISAGREE load %s [%s] %s: kernel %s, ipec %s" % (d["id"], d["group"], d["desc"], d["kernel"], d["ipec"]))
            elif p["name"] == "audit":
                print("    DISAGREE audit %s: %s" % (d["policy"], d["problem"]))
            elif p["name"].endswith("lifecycle"):
                print("    DISAGREE %s %s %s: kernel %s, ipec %s%s" % (d["label"], d["op"], d["name"] or "", d["kernel"], d["ipec"],
                                                                     " (state differs)" if d.get("state_mismatch") else
                                                                     " (name differs)" if d.get("name_mismatch") else ""))
            else:
                print("    DISAGREE %s/%s: kernel %s %s, ipec %s %s" % (d["policy"], d["probe"], d["kernel"], d["kernel_rule"],
                                                                     d["ipec"], d["ipec_rule"]))
        if nd > 15:
            print("    ... %d more in the report" % (nd - 15))
    for sk in filter(None, (rep.get("skipped") or "").split(";")):
        print("skipped: " + sk)
    if rep.get("guest_secs"):
        print("guest time: " + ", ".join("%s %s s" % kv for kv in rep["guest_secs"].items()))
    print("report: %s" % os.path.join(out, "report.md"))
    print("%d passed, %d failed" % (tot_ok, tot - tot_ok))
    return 1 if bad else 0


def main():
    a = sys.argv[1:]
    if len(a) < 2:
        sys.exit(__doc__)
    cmd, work = a[0], a[1]
    opts = {}
    i = 2
    while i < len(a):
        if a[i] == "--slice":
            opts["slice"] = True; i += 1
        else:
            opts[a[i].lstrip("-")] = a[i + 1]; i += 2
    if cmd == "prepare":
        stage = os.path.join(work, "stage", "suite")
        with open(os.environ["SIGNER_PEM"], "rb") as i, open(os.path.join(work, "signer.pem"), "wb") as o:
            o.write(i.read())
        parts = opts.get("parts", "load,decisions,lifecycle,audit,sign,lockout").split(",")
        ipec = opts["ipec"]
        if "load" in parts:
            prepare_load(work, stage, ipec, opts.get("slice", False))
        if "lifecycle" in parts:
            prepare_life(work, stage, ipec, opts.get("slice", False))
        if "decisions" in parts or "audit" in parts:
            prepare_dec(work, stage, ipec, opts.get("slice", False))
        if "audit" in parts:  # host side only: reads part 2's records
            open(os.path.join(work, "dec", "audit-part"), "w").close()
        if "lockout" in parts:
            part_lockout.prepare(work, stage, ipec, sign, HERE)
        if "sign" in parts:
            note("part sign: %d signed blobs" % sign_part.prepare(work, stage, ipec, opts.get("slice", False),
                                                                  os.environ.get("IPEC_CORPUS")))
        if "tables" in parts:  # decision tables on a patched kernel: tests/kernel/parts/tables.py
            tables_part.prepare(work, stage, ipec, opts.get("slice", False), sys.modules[__name__])
        if "enforce" in parts:  # the BPF-LSM enforcer: tests/kernel/parts/enforce.py
            enforce_part.prepare(work, stage, ipec, opts.get("slice", False))
    elif cmd == "repredict":  # ask another ipec about a kept run (no VM)
        ipec = os.path.abspath(opts["ipec"])
        if os.path.exists(os.path.join(work, "load", "cases.json")):
            predict_load(work, ipec)
        if os.path.exists(os.path.join(work, "life", "scenarios.json")):
            predict_life(work, ipec)
        if os.path.exists(os.path.join(work, "dec", "policies.json")):
            predict_dec(work, ipec)
        if os.path.exists(os.path.join(work, "sign", "cases.json")):
            sign_part.predict(work, ipec)
        if os.path.exists(os.path.join(work, "tables", "dec.json")):
            tables_part.repredict(work, ipec, sys.modules[__name__])
    elif cmd == "report":
        sys.exit(cmd_report(work, opts["out"]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
