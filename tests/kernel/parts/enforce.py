#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The enforcer part of ipec's kernel suite (`scripts/kernel-test --parts enforce`, docs/kernel-suite.md).

The BPF-LSM enforcer (`ipec enforce`, docs/enforcer.md) runs in the guest under the decision
part's objects and policies: every probe's result and the rule its log names must equal
`ipec eval` for the same event. Then an exec loop runs while the policy is swapped 100 times, and
every logged decision must be the old or the new policy's. The guest side is guest/enforce.sh.
"""
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "gen"))
import decision_policies  # noqa: E402
import lockout  # noqa: E402  (its copy of ipec into the payload)

HOOK = decision_policies.HOOK
# The two bodies the update-under-load flips between, and the rule each decides the loop's exec by.
UPDATE_BODIES = [
    ("DEFAULT action=ALLOW\nop=EXECUTE boot_verified=FALSE action=DENY\n", "op=EXECUTE boot_verified=FALSE action=DENY"),
    ("DEFAULT action=ALLOW\nop=EXECUTE boot_verified=FALSE action=ALLOW\n", "op=EXECUTE boot_verified=FALSE action=ALLOW"),
]


def stage_binaries(ipec, stage):
    """ipec (stripped) and its shared libraries (as part lockout stages them), the probe helper."""
    bindir = os.path.join(stage, "enf", "bin")
    os.makedirs(bindir, exist_ok=True)
    lockout.copy_binary(ipec, os.path.dirname(stage))
    subprocess.run(["gcc", "-static", "-O2", "-o", os.path.join(bindir, "enforce_probe"),
                    os.path.join(HERE, "..", "guest", "enforce_probe.c")], check=True)
    shutil.copy(os.path.join(HERE, "..", "guest", "enforce.sh"), os.path.join(stage, "enforce.sh"))
    os.chmod(os.path.join(stage, "enforce.sh"), 0o755)


SCALE_HEAD = "DEFAULT action=ALLOW\nDEFAULT op=EXECUTE action=DENY\nop=EXECUTE boot_verified=TRUE action=ALLOW\n"


def allowlist(name, version, n, last):
    """n fs-verity digests allowed for EXECUTE, `last` (a real file's digest) the last of them."""
    rnd = __import__("random").Random(n)
    lines = ["op=EXECUTE fsverity_digest=sha256:%064x action=ALLOW" % rnd.getrandbits(256) for _ in range(n - 1)]
    return "policy_name=%s policy_version=%s\n%s%s\nop=EXECUTE fsverity_digest=sha256:%s action=ALLOW\n" % (
        name, version, SCALE_HEAD, "\n".join(lines), last)


def sign(src, dst, nocerts=False):
    env = os.environ
    subprocess.run(["openssl", "smime", "-sign", "-in", src, "-out", dst, "-noattr", "-nodetach", "-nosmimecap",
                    "-outform", "der", "-binary", "-signer", env["SIGNER_PEM"], "-inkey", env["SIGNER_KEY"]] +
                   (["-nocerts"] if nocerts else []), check=True)


def prepare_scale(W, S, ipec, d, n):
    """Step 4: an n-digest allowlist as a table for the enforcer, and IPE's largest signed one."""
    os.makedirs(os.path.join(S, "scale"), exist_ok=True)
    big = os.path.join(W, "big.pol")
    with open(big, "w") as f:
        f.write(allowlist("BIG", "1.0.0", n, d["DA"]))
    subprocess.run([ipec, "compile", big, "-o", os.path.join(S, "scale", "big.ipet")], check=True)
    with open(os.path.join(S, "scale", "big.count"), "w") as f:
        f.write("%d\n" % n)
    for k in range(700, 100, -5):  # the most digests a signed policy holds (the kernel's 65,535-byte DER cap)
        pol, der = os.path.join(W, "ipe.pol"), os.path.join(S, "scale", "ipe.p7s")
        with open(pol, "w") as f:
            f.write(allowlist("IPECAP", "65535.0.0", k, d["DA"]))
        sign(pol, der, nocerts=True)
        if os.path.getsize(der) <= 65535:
            with open(os.path.join(S, "scale", "ipe.count"), "w") as f:
                f.write("%d\n" % k)
            break


# Updates that must be refused with the running policy kept: (file, how it is made).
BAD_INPUTS = ["truncated.ipet", "corrupt.ipet", "hornet.ipet", "lower.pol", "other.pol"]


def prepare_bad(W, S, ipec):
    B = os.path.join(S, "bad")
    os.makedirs(B, exist_ok=True)
    good = os.path.join(W, "good.pol")
    with open(good, "w") as f:
        f.write("policy_name=ENF policy_version=3.0.0\n" + UPDATE_BODIES[0][0])
    table = os.path.join(W, "good.ipet")
    subprocess.run([ipec, "compile", good, "-o", table], check=True, capture_output=True)
    data = open(table, "rb").read()
    open(os.path.join(B, "truncated.ipet"), "wb").write(data[: len(data) // 2])
    open(os.path.join(B, "corrupt.ipet"), "wb").write(data[:100] + bytes([data[100] ^ 0x40]) + data[101:])
    subprocess.run([ipec, "compile", good, "--target", "hornet-v7", "-o", os.path.join(B, "hornet.ipet")], check=True,
                   capture_output=True)
    with open(os.path.join(B, "lower.pol"), "w") as f:
        f.write("policy_name=ENF policy_version=0.0.1\n" + UPDATE_BODIES[1][0])
    with open(os.path.join(B, "other.pol"), "w") as f:
        f.write("policy_name=OTHER policy_version=9.0.0\n" + UPDATE_BODIES[1][0])


def named(text, version):
    """The decision policy under the one name the enforcer keeps, with a rising version."""
    body = text.split("\n", 1)[1]
    return "policy_name=ENF policy_version=%s\n%s" % (version, body)


def prepare(work, stage, ipec, slice_):
    W, S = os.path.join(work, "enf"), os.path.join(stage, "enf")
    os.makedirs(W, exist_ok=True)
    os.makedirs(S, exist_ok=True)
    d = json.load(open(os.path.join(work, "dec", "digests.json")))
    probes = decision_policies.probes(d)
    events = os.path.join(W, "events.jsonl")
    with open(events, "w") as f:
        for p in probes:
            f.write(json.dumps(p[3]) + "\n")
    with open(os.path.join(S, "probes"), "w") as f:
        for label, act, path, _ in probes:
            f.write("%s %s %s\n" % (label, act, path))
    pols, skipped = [], []
    for k, (key, text, desc) in enumerate(decision_policies.policies(d, slice_)):
        pkey = "P%03d" % len(pols)
        pol = os.path.join(W, pkey + ".pol")
        with open(pol, "w") as f:
            f.write(named(text, "65000.0.%d" % k))
        # only the policies the enforcer can enforce exactly (loaded from the initramfs)
        r = subprocess.run([ipec, "check", "--enforcer=bpf-lsm-initramfs", "--format=json", pol], capture_output=True)
        if r.returncode != 0:
            skipped.append({"key": key, "desc": desc, "why": r.stdout.decode(errors="replace")[-300:]})
            continue
        r = subprocess.run([ipec, "eval", pol, "--events", events, "--format=json"], capture_output=True)
        pred = [json.loads(l) for l in r.stdout.decode().splitlines() if l.strip()]
        shutil.copy(pol, os.path.join(S, pkey + ".pol"))
        sign(pol, os.path.join(S, pkey + ".p7s"))  # the same text for IPE, side by side
        pols.append({"key": pkey, "source": key, "desc": desc, "text": open(pol).read(), "ipec": pred})
    with open(os.path.join(S, "list"), "w") as f:
        f.write("".join(p["key"] + "\n" for p in pols))
    for v, (body, _) in enumerate(UPDATE_BODIES):  # flipped with --any-version
        with open(os.path.join(S, "U%d.pol" % v), "w") as f:
            f.write("policy_name=ENF policy_version=2.0.%d\n%s" % (v, body))
    prepare_bad(W, S, ipec)
    if os.environ.get("KT_ENFORCE_SCALE"):
        prepare_scale(W, S, ipec, d, int(os.environ["KT_ENFORCE_SCALE"]))
    stage_binaries(ipec, stage)
    with open(os.path.join(W, "policies.json"), "w") as f:
        json.dump({"probes": [{"label": p[0], "action": p[1], "path": p[2], "event": p[3]} for p in probes],
                   "policies": pols, "skipped": skipped}, f)
    print("enforce: %d policies x %d probes = %d cases (%d policies the enforcer cannot enforce exactly)"
          % (len(pols), len(probes), len(pols) * len(probes), len(skipped)), file=sys.stderr)


def field(rec, name):
    if name == "rule":  # the last field; its digests carry quotes of their own
        return rec.split(' rule="', 1)[1][:-1] if ' rule="' in rec else None
    m = re.search(r'\b%s=("[^"]*"|\S+)' % name, rec)
    return m.group(1).strip('"') if m else None


def other(policy, probe, kernel, ipec):
    """A disagreement that is not one probe's decision, in the report's shape."""
    return {"policy": policy, "probe": probe, "kernel": kernel, "kernel_rule": "", "ipec": ipec, "ipec_rule": "",
            "ipec_line": None, "desc": policy, "event": None, "text": ""}


def report(work, lines, rep):
    doc = json.load(open(os.path.join(work, "enf", "policies.json")))
    probes = {p["label"]: (i, p) for i, p in enumerate(doc["probes"])}
    results, logs = {}, {}
    for l in lines:
        parts = l.split(" ", 3)
        if l.startswith("ENF_PROBE "):
            _, key, label, rest = parts
            results[(key, label)] = rest.split()
        elif l.startswith("ENF_LOG "):
            logs.setdefault(parts[1], []).append(l.split(" ", 2)[2])
    ipe = {}
    for l in lines:
        if l.startswith("ENF_IPE "):
            key, rec = l.split(" ", 2)[1:]
            ipe.setdefault(key, []).append(rec[rec.find("ipe_op="):])
    part = {"name": "enforce", "cases": 0, "agree": 0, "disagree": []}
    side = {"name": "enforce-vs-ipe", "cases": 0, "agree": 0, "disagree": []}
    for p in doc["policies"]:
        for label, (i, pb) in probes.items():
            part["cases"] += 1
            got = results.get((p["key"], label))
            want = p["ipec"][i] if i < len(p["ipec"]) else {}
            kernel, krule, syscall_ok = "MISSING", "", True
            if got:
                pid = got[3] if pb["action"] == "exec" else got[2]
                hook = HOOK[pb["action"]]
                # the last record of the probe's process at the hook: loading the probe program
                # itself logs MMAP records for the same pid first
                mine = [r for r in logs.get(p["key"], []) if field(r, "pid") == pid and field(r, "ipe_hook") == hook]
                rec = mine[-1] if mine else None
                krule = field(rec, "rule") if rec else "(no log record)"
                kernel = krule.rsplit("action=", 1)[1] if "action=" in krule else "?"
                # enforcing (the first policy): the system call's result is the logged action
                if rec and field(rec, "enforcing") == "1":
                    syscall_ok = got[0] == kernel
                    kernel = kernel if syscall_ok else "%s (syscall %s)" % (kernel, got[0])
            ok = syscall_ok and kernel == want.get("decision") and krule == want.get("audit_rule", "")
            # IPE with the same policy, permissive, in the same boot; `bpf` comes before `ipe` in
            # the LSM order, so IPE is never asked about what the enforcer denies while enforcing
            if got and not (rec and field(rec, "enforcing") == "1" and kernel == "DENY"):
                side["cases"] += 1
                theirs = [r for r in ipe.get(p["key"], []) if field(r, "pid") == pid and field(r, "ipe_hook") == hook]
                irule = field(theirs[-1], "rule") if theirs else "(no IPE record)"
                if irule == krule:
                    side["agree"] += 1
                else:
                    side["disagree"].append({"policy": p["key"], "probe": label, "kernel": "enforcer", "kernel_rule": krule,
                                             "ipec": "IPE", "ipec_rule": irule, "ipec_line": None, "desc": p["desc"],
                                             "event": pb["event"], "text": p["text"]})
            if ok:
                part["agree"] += 1
            else:
                part["disagree"].append({"policy": p["key"], "probe": label, "kernel": kernel, "kernel_rule": krule,
                                         "ipec": want.get("decision"), "ipec_rule": want.get("audit_rule", ""),
                                         "ipec_line": want.get("line"), "desc": p["desc"], "event": pb["event"],
                                         "text": p["text"]})
    # update under load: every exec of the loop decided by the old or the new policy
    counts = {}
    for l in lines:
        m = re.match(r'ENF_ULOGC (\d+) ENF_ULOG "(.*)"$', l)
        if m:
            counts[m.group(2)] = int(m.group(1))
    updates = next((int(l.split()[1]) for l in lines if l.startswith("ENF_UPDATES ")), 0)
    allowed = {b[1] for b in UPDATE_BODIES}
    part["cases"] += 1
    stray = {r: n for r, n in counts.items() if r not in allowed}
    if updates >= 100 and counts and not stray:
        part["agree"] += 1
    else:
        part["disagree"].append(other("update-under-load", "%d updates" % updates, str(stray or counts), "old or new"))
    # bad input: refused, and the running policy stays
    for name in BAD_INPUTS:
        part["cases"] += 1
        got = next((l.split()[2:] for l in lines if l.startswith("ENF_BAD %s " % name)), None)
        if got == ["refused", "kept"]:
            part["agree"] += 1
        else:
            part["disagree"].append(other("bad input", name, " ".join(got or ["missing"]), "refused kept"))
    statuses = [json.loads(l.split(" ", 1)[1]) for l in lines if l.startswith("ENF_STATUS ")]
    bad = next((int(l.split()[1]) for l in lines if re.match(r"ENF_DMESG_BAD \d+$", l)), -1)
    part["cases"] += 1
    if bad == 0 and any(l == "ENF_UNLOADED" for l in lines):
        part["agree"] += 1
    else:
        part["disagree"].append(other("kernel", "dmesg", "%d BUG/Oops lines" % bad, "0"))
    scale = {l.split()[1]: l.split()[2] for l in lines if l.startswith("ENF_SCALE ") and len(l.split()) == 3}
    part["figures"] = {
        "scale": scale,
        "update_loop_decisions": counts, "updates": updates,
        "verified_insns": {pr["name"]: pr["verified_insns"] for pr in (statuses[0]["programs"] if statuses else [])},
        "counters_after_updates": statuses[-1]["counters"] if statuses else {},
    }
    for l in lines:
        if l.startswith(("ENF_SETUP_ERR", "ENF_LOAD_ERR", "ENF_UPDATE_ERR")):
            part["disagree"].append(other("setup", "", l, ""))
    rep["parts"].append(part)
    if side["cases"] and ipe:
        rep["parts"].append(side)
    f = part["figures"]
    print("enforce: verifier instructions %s; update loop %s after %d updates"
          % (", ".join("%s %d" % kv for kv in f["verified_insns"].items()), f["update_loop_decisions"], f["updates"]))
    if scale:
        print("enforce scale: " + ", ".join("%s %s" % kv for kv in sorted(scale.items())))
        try:
            none = float(scale["exec_ns_none"])
            print("enforce scale: per exec, enforcer at %s digests / none = %.2f; IPE at %s digests / none = %.2f"
                  % (scale.get("digests"), float(scale["exec_ns_enforcer"]) / none, scale.get("ipe_digests"),
                     float(scale["exec_ns_ipe"]) / none))
        except (KeyError, ValueError, ZeroDivisionError):
            pass
