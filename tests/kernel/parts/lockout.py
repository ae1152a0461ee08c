# SPDX-License-Identifier: Apache-2.0
"""Part lockout: `ipec check --against-system` runs inside the guest, before each policy is
written, and its predictions are held to what the kernel then does (docs/kernel-suite.md).

prepare() puts the stripped ipec binary and the shared libraries ldd lists into the payload
(same paths as on the host), a static program for the guest to run from tmpfs, the policies and
their signed blobs. report() compares the guest's LK* lines (tests/kernel/guest/lockout.sh).
"""
import json
import os
import shutil
import subprocess

PROGRAM = "/run/lk/spin"
SPIN_C = r"""#include <unistd.h>
int main(int argc, char **argv) { (void)argv; if (argc > 1) return 0; for (;;) pause(); }
"""
# DEFAULT op=EXECUTE denies; boot_verified lets the initramfs (busybox, ipetool, ipec) run. The
# program on tmpfs has no fs-verity: `ok` allows it, `deny` does not. The versions are above
# every version the other parts activate.
HEAD = "DEFAULT op=EXECUTE action=DENY\nDEFAULT action=ALLOW\nop=EXECUTE boot_verified=TRUE action=ALLOW\n"
POLICIES = {
    "ok": "policy_name=lockout_ok policy_version=65100.0.0\n" + HEAD + "op=EXECUTE fsverity_signature=FALSE action=ALLOW\n",
    "deny": "policy_name=lockout_deny policy_version=65101.0.0\n" + HEAD + "op=EXECUTE fsverity_signature=TRUE action=ALLOW\n",
    "low": "policy_name=lockout_deny policy_version=65100.5.0\n" + HEAD + "op=EXECUTE fsverity_signature=TRUE action=ALLOW\n",
}


def copy_binary(ipec, stage_root):
    """ipec (stripped) at /usr/bin/ipec and its shared libraries at their own paths"""
    os.makedirs(os.path.join(stage_root, "usr/bin"), exist_ok=True)
    subprocess.run(["strip", "--strip-unneeded", "-o", os.path.join(stage_root, "usr/bin/ipec"), ipec], check=True)
    out = subprocess.run(["ldd", ipec], capture_output=True, text=True, check=True).stdout
    for word in out.split():
        if word.startswith("/"):
            dst = os.path.join(stage_root, word.lstrip("/"))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy(os.path.realpath(word), dst)


def prepare(work, stage, ipec, sign, kt):
    """stage: WORK/stage/suite; sign(mode, src, dst) signs a policy as the harness does"""
    d = os.path.join(stage, "lockout")
    os.makedirs(d, exist_ok=True)
    copy_binary(ipec, os.path.dirname(stage))
    shutil.copy(os.path.join(kt, "guest", "lockout.sh"), os.path.join(d, "lockout.sh"))
    with open(os.path.join(work, "spin.c"), "w") as f:
        f.write(SPIN_C)
    subprocess.run(["gcc", "-static", "-O2", "-o", os.path.join(d, "spin"), os.path.join(work, "spin.c")], check=True)
    with open(os.path.join(d, "one"), "w") as f:
        f.write("1")
    for name, text in POLICIES.items():
        with open(os.path.join(d, name + ".pol"), "w") as f:
            f.write(text)
        sign("signer", os.path.join(d, name + ".pol"), os.path.join(d, name + ".p7s"))
    os.makedirs(os.path.join(work, "lockout"), exist_ok=True)
    with open(os.path.join(work, "lockout", "policies.json"), "w") as f:
        json.dump(POLICIES, f)


def _parse(lines):
    pred, text, writes, execs, snap = {}, {}, {}, {}, {}
    for l in lines:
        tag, _, rest = l.partition(" ")
        if tag == "LKPRED":
            label, rc, doc = (rest.split(" ", 2) + ["", ""])[:3]
            try:
                pred[label] = (int(rc), json.loads(doc)["files"][0])
            except (ValueError, KeyError, IndexError):
                pred[label] = (int(rc) if rc.isdigit() else -1, None)
        elif tag == "LKTEXT":
            label, _, line = rest.partition(" ")
            text.setdefault(label, []).append(line)
        elif tag == "LKWRITE":
            label, _, answer = rest.partition(" ")
            f = answer.split()
            writes[label] = "OK" if f[:1] == ["OK"] else (f[2] if len(f) > 2 else answer)
        elif tag == "LKEXEC":
            label, _, rc = rest.partition(" ")
            execs[label] = "ALLOW" if rc == "0" else "DENY"
        elif tag == "LKSNAP":
            f = rest.split()
            if len(f) > 1:
                snap[f[1]] = rest
    return pred, text, writes, execs, snap


def _denial(p):
    """ipec's prediction for the program: (DENY, rule) if a diagnostic names it, else ALLOW"""
    for d in p.get("diagnostics", []):
        if d.get("id") in ("system-denies", "system-may-deny") and d.get("object", {}).get("path") == PROGRAM:
            return "DENY", "%s line %s" % (d.get("decided_by"), d.get("line"))
    return "ALLOW", ""


def _load(p, write_label, writes, act_label=None):
    if p is None:
        return None, None
    load = p.get("system", {}).get("load", {})
    mine = load.get("result")
    if act_label and mine == "OK":
        mine = (load.get("activation") or {}).get("result", "OK")
    kernel = writes.get(write_label)
    if act_label and kernel == "OK":
        kernel = writes.get(act_label)
    return mine, kernel


def report(work, lines, rep):
    pred, text, writes, execs, snap = _parse(lines)
    part = {"name": "lockout", "cases": 0, "agree": 0, "disagree": [], "rows": [], "text": text}

    def case(label, what, ipec, kernel, detail=""):
        ok = ipec is not None and ipec == kernel
        row = {"label": label, "what": what, "ipec": ipec or "(no prediction)", "kernel": kernel or "(no result)",
               "agree": ok, "detail": detail}
        part["cases"] += 1
        part["rows"].append(row)
        if ok:
            part["agree"] += 1
        else:
            row["md"] = ["### %s: %s: kernel %s, ipec %s" % (label, what, row["kernel"], row["ipec"]), "", detail,
                         "", "```"] + text.get(label.split("-")[0], []) + ["```", ""]
            part["disagree"].append(row)

    seen = snap.get(PROGRAM, "")
    case("snapshot", "the running program is found, off the initramfs",
         "found" if "initramfs=no" in seen else "missing", "found", seen)
    case("snapshot-ipec", "ipec itself is on the initramfs (the deny policy lets it run)",
         "initramfs" if "initramfs=yes" in snap.get("/usr/bin/ipec", "") else "not initramfs",
         "initramfs" if "low" in pred else "not run", snap.get("/usr/bin/ipec", ""))
    for label in ("ok", "deny"):
        rc, p = pred.get(label, (None, None))
        mine, kernel = _load(p, label + "-load", writes, label + "-activate")
        case(label + "-load", "new_policy then active", mine, kernel)
        decision, rule = _denial(p) if p else (None, "")
        case(label + "-exec", "a fresh exec of the running program", decision, execs.get(label),
             "ipec exit %s; %s" % (rc, rule))
    for label, what in (("low", "update with a lower version"), ("collide", "new_policy with a loaded name")):
        rc, p = pred.get(label, (None, None))
        mine, kernel = _load(p, label + ("-update" if label == "low" else "-load"), writes)
        case(label, what, mine, kernel, "ipec exit %s" % rc)
    rep["parts"].append(part)
