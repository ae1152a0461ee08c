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
# `spin` pauses; `spin once` exits; `spin hold LIST PATH` runs PATH stopped right after its exec
# (a ptrace stop), so that PATH counts as running, and appends PATH to LIST.
SPIN_C = r"""#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv) {
  if (argc == 4 && argv[1][0] == 'h') {
    pid_t c = fork();
    if (c == 0) { ptrace(PTRACE_TRACEME, 0, 0, 0); execl(argv[3], argv[3], (char *)0); _exit(127); }
    int st;
    if (waitpid(c, &st, 0) == c && WIFSTOPPED(st)) { FILE *f = fopen(argv[2], "a"); fprintf(f, "%s\n", argv[3]); fclose(f); }
    for (;;) pause();
  }
  if (argc > 1) return 0;
  for (;;) pause();
}
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


# With part 2's volumes (WORK/dec/digests.json): held programs, and a policy that allows signed
# dm-verity volumes and one fs-verity digest, so that each real property decides one of them.
HELD = {  # path -> (facts ipec must read, the kernel's decision under `verity`)
    "/mnt/fsv/a": ({"fsverity": ("DA", False), "bdev": "plain"}, "ALLOW"),
    "/mnt/fsv/plain": ({"fsverity": None, "bdev": "plain"}, "DENY"),
    "/mnt/dmva/hello": ({"fsverity": None, "bdev": ("RA", False)}, "DENY"),
    "/mnt/dmvas/hello": ({"fsverity": None, "bdev": ("RA", True)}, "ALLOW"),
}


def verity_policy(digests):
    return ("policy_name=lockout_verity policy_version=65102.0.0\n" + HEAD +
            "op=EXECUTE dmverity_signature=TRUE action=ALLOW\n"
            "op=EXECUTE fsverity_digest=sha256:%s action=ALLOW\n" % digests["DA"])


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
    policies = dict(POLICIES)
    digests = os.path.join(work, "dec", "digests.json")
    if os.path.exists(digests):
        policies["verity"] = verity_policy(json.load(open(digests)))
    for name, text in policies.items():
        with open(os.path.join(d, name + ".pol"), "w") as f:
            f.write(text)
        sign("signer", os.path.join(d, name + ".pol"), os.path.join(d, name + ".p7s"))
    os.makedirs(os.path.join(work, "lockout"), exist_ok=True)
    with open(os.path.join(work, "lockout", "policies.json"), "w") as f:
        json.dump(policies, f)


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
            label, _, rc = rest.rpartition(" ")
            execs[label] = "ALLOW" if rc == "0" else "DENY"
        elif tag == "LKSNAPJ":
            try:
                snap = {o["path"]: o for o in json.loads(rest)["objects"] if o["op"] == "EXECUTE"}
            except (ValueError, KeyError):
                snap = {}
    return pred, text, writes, execs, snap


def _decision(p, path):
    """ipec's prediction for a path: (DENY, rule) if a diagnostic names it, else ALLOW"""
    if p is None:
        return None, ""
    for d in p.get("diagnostics", []):
        if d.get("id") in ("system-denies", "system-may-deny") and d.get("object", {}).get("path") == path:
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


def _facts(o):
    """what ipec read of a file, in the terms of HELD"""
    if not o:
        return "not found"
    f, b = o.get("fsverity", {}), o.get("bdev", {})
    fsv = (f.get("digest"), f.get("signature")) if f.get("enabled") else None
    dev = b.get("kind") if b.get("kind") != "dm-verity" else (b.get("roothash"), b.get("signature"))
    return json.dumps({"fsverity": fsv, "bdev": dev, "initramfs": o.get("initramfs")})


def _expected(facts, digests):
    fsv = facts["fsverity"] and ("sha256:" + digests[facts["fsverity"][0]], facts["fsverity"][1])
    dev = facts["bdev"] if isinstance(facts["bdev"], str) else ("sha256:" + digests[facts["bdev"][0]], facts["bdev"][1])
    return json.dumps({"fsverity": fsv and list(fsv), "bdev": dev if isinstance(dev, str) else list(dev),
                       "initramfs": False})


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
                         "", "```"] + text.get(label.split("-")[0].split(":")[0], []) + ["```", ""]
            part["disagree"].append(row)

    seen = snap.get(PROGRAM, {})
    case("snapshot", "the running program is found, off the initramfs",
         "found" if seen.get("initramfs") is False else "missing", "found", json.dumps(seen))
    case("snapshot-ipec", "ipec itself is on the initramfs (the deny policy lets it run)",
         "initramfs" if snap.get("/usr/bin/ipec", {}).get("initramfs") is True else "not initramfs",
         "initramfs" if "low" in pred else "not run")
    for label in ("ok", "deny"):
        rc, p = pred.get(label, (None, None))
        mine, kernel = _load(p, label + "-load", writes, label + "-activate")
        case(label + "-load", "new_policy then active", mine, kernel)
        decision, rule = _decision(p, PROGRAM)
        case(label + "-exec", "a fresh exec of the running program", decision, execs.get(label),
             "ipec exit %s; %s" % (rc, rule))
    for label, what in (("low", "update with a lower version"), ("collide", "new_policy with a loaded name")):
        rc, p = pred.get(label, (None, None))
        mine, kernel = _load(p, label + ("-update" if label == "low" else "-load"), writes)
        case(label, what, mine, kernel, "ipec exit %s" % rc)
    digests = os.path.join(work, "dec", "digests.json")
    if "verity" in json.load(open(os.path.join(work, "lockout", "policies.json"))) and os.path.exists(digests):
        d = json.load(open(digests))
        rc, p = pred.get("verity", (None, None))
        mine, kernel = _load(p, "verity-load", writes, "verity-activate")
        case("verity-load", "new_policy then active", mine, kernel)
        for path, (facts, _) in sorted(HELD.items()):
            case("facts:" + path, "fs-verity, device and initramfs as read in the guest", _facts(snap.get(path)),
                 _expected(facts, d))
        for path in [PROGRAM] + sorted(HELD):
            decision, rule = _decision(p, path)
            case("verity:" + path, "a fresh exec under `verity`", decision, execs.get("verity:" + path), rule)
    rep["parts"].append(part)
