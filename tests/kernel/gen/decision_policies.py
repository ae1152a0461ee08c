#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Part 2 of ipec's kernel suite: the fixed probe objects and the generated policies.

`probes(d)` lists the probes that the guest runs under every policy: (label, action, guest path,
event), where the event is the `ipec eval` event (one JSON object per line) that describes what
IPE sees. `policies(d, slice)` returns (key, text, description) for the policies. `d` holds the
digests of the objects, lower-case hex:
    DA  fs-verity digest of hello_a  (/mnt/fsv/a unsigned, /mnt/fsv/as with a builtin signature;
        the same bytes also lie in the initramfs, on tmpfs and, without verity, at /mnt/fsv/plain)
    DB  fs-verity digest of hello_b  (/mnt/fsv/b, unsigned)
    DM  fs-verity digest of the module crc7.ko (/mnt/fsv/m.ko unsigned, /mnt/fsv/ms.ko signed)
    RA  dm-verity root hash of image A (hello_d + m.ko), opened unsigned at /mnt/dmva and with a
        root-hash signature at /mnt/dmvas
    RB  dm-verity root hash of image B (hello_e), opened with a root-hash signature at /mnt/dmvb
"""
import random

EXEC_OBJECTS = [  # label, guest path, event fields
    ("ini", "/suite/dec/obj/hello", {"initramfs": True}),
    ("tmp", "/run/obj/hello", {}),
    ("ext", "/mnt/fsv/plain", {}),
    ("fsva", "/mnt/fsv/a", {"fsverity": ("DA", False)}),
    ("fsvas", "/mnt/fsv/as", {"fsverity": ("DA", True)}),
    ("fsvb", "/mnt/fsv/b", {"fsverity": ("DB", False)}),
    ("dmva", "/mnt/dmva/hello", {"dmverity": ("RA", False)}),
    ("dmvas", "/mnt/dmvas/hello", {"dmverity": ("RA", True)}),
    ("dmvb", "/mnt/dmvb/hello", {"dmverity": ("RB", True)}),
]
KMOD_OBJECTS = [
    ("ini", "/suite/dec/obj/m.ko", {"initramfs": True}),
    ("tmp", "/run/obj/m.ko", {}),
    ("ext", "/mnt/fsv/mplain.ko", {}),
    ("fsv", "/mnt/fsv/m.ko", {"fsverity": ("DM", False)}),
    ("fsvs", "/mnt/fsv/ms.ko", {"fsverity": ("DM", True)}),
    ("dmva", "/mnt/dmva/m.ko", {"dmverity": ("RA", False)}),
    ("dmvas", "/mnt/dmvas/m.ko", {"dmverity": ("RA", True)}),
]
HOOK = {"exec": "BPRM_CHECK", "mmap": "MMAP", "mprotect": "MPROTECT", "anonmmap": "MMAP",
        "anonmprotect": "MPROTECT", "finit": "KERNEL_READ", "initmod": "KERNEL_LOAD"}


def event(op, d, fields=None, file=True):
    e = {"op": op, "file": file, "initramfs": False, "dmverity": None, "fsverity": None}
    for k, v in (fields or {}).items():
        if k == "initramfs":
            e["initramfs"] = v
        elif k == "fsverity":
            e["fsverity"] = {"digest": "sha256:" + d[v[0]], "signed": v[1]}
        elif k == "dmverity":
            e["dmverity"] = {"roothash": "sha256:" + d[v[0]], "signed": v[1]}
    return e


def probes(d):
    out = []
    for act in ("exec", "mmap", "mprotect"):
        for label, path, f in EXEC_OBJECTS:
            out.append(("%s-%s" % (act, label), act, path, event("EXECUTE", d, f)))
    out.append(("anonmmap", "anonmmap", "-", event("EXECUTE", d, file=False)))
    out.append(("anonmprotect", "anonmprotect", "-", event("EXECUTE", d, file=False)))
    out.append(("initmod", "initmod", "/suite/dec/obj/m.ko", event("KMODULE", d, file=False)))
    for label, path, f in KMOD_OBJECTS:
        out.append(("finit-" + label, "finit", path, event("KMODULE", d, f)))
    return out


def policies(d, slice_=False, seed=4242, n_random=None):
    DA, DB, DM, RA, RB = d["DA"], d["DB"], d["DM"], d["RA"], d["RB"]
    pols = []

    def add(body, desc):
        k = len(pols)
        pols.append(("D%03d" % k, "policy_name=D%03d policy_version=60000.0.%d\n%s" % (k, k, body), desc))

    EXB = "DEFAULT action=ALLOW\nDEFAULT op=EXECUTE action=DENY\nop=EXECUTE boot_verified=TRUE action=ALLOW\n"
    add(EXB, "EXECUTE only from the initramfs")
    add(EXB + "op=EXECUTE fsverity_digest=sha256:%s action=ALLOW\nop=EXECUTE fsverity_signature=TRUE action=ALLOW\n" % DA,
        "fs-verity digest A or any builtin signature")
    add(EXB + "op=EXECUTE dmverity_roothash=sha256:%s action=ALLOW\n" % RA, "dm-verity root hash A")
    add(EXB + "op=EXECUTE dmverity_signature=TRUE action=ALLOW\n", "signed dm-verity root hash")
    add("DEFAULT action=ALLOW\nop=EXECUTE boot_verified=FALSE action=DENY\nop=EXECUTE boot_verified=FALSE action=ALLOW\n",
        "rule order: DENY first")
    add("DEFAULT action=ALLOW\nop=EXECUTE boot_verified=FALSE action=ALLOW\nop=EXECUTE boot_verified=FALSE action=DENY\n",
        "rule order: ALLOW first")
    add("DEFAULT action=ALLOW\nDEFAULT op=KMODULE action=DENY\nop=KMODULE boot_verified=TRUE action=ALLOW\n",
        "KMODULE only from the initramfs")
    add(EXB + "op=EXECUTE fsverity_digest=sha256:%s fsverity_signature=TRUE action=ALLOW\n" % DA, "AND: digest A and signed")
    add("DEFAULT action=DENY\nop=EXECUTE boot_verified=TRUE action=ALLOW\nop=KMODULE boot_verified=TRUE action=ALLOW\n",
        "global DENY, initramfs allowed")
    add("DEFAULT action=ALLOW\nop=EXECUTE boot_verified=FALSE dmverity_signature=FALSE fsverity_signature=FALSE action=DENY\n"
        "op=KMODULE boot_verified=FALSE dmverity_signature=FALSE fsverity_signature=FALSE action=DENY\n",
        "the FALSE forms (also true without a file)")
    add(EXB + "op=EXECUTE fsverity_digest=sha256:%s action=ALLOW\n" % DA.upper(), "upper-case hex digest (same bytes)")
    add(EXB + "op=EXECUTE fsverity_digest=SHA256:%s action=ALLOW\nop=EXECUTE fsverity_digest=sha512:%s action=ALLOW\n"
        "op=EXECUTE fsverity_digest=sha256:%s action=ALLOW\nop=EXECUTE dmverity_roothash=sha256:%s action=ALLOW\n"
        % (DA, DA, DA[:-2], RA[2:]), "digests that never match (algorithm case, algorithm, length)")
    add("DEFAULT action=ALLOW\nDEFAULT op=KMODULE action=DENY\nop=KMODULE fsverity_digest=sha256:%s action=ALLOW\n"
        "op=KMODULE dmverity_roothash=sha256:%s action=ALLOW\n" % (DM, RA), "KMODULE by fs-verity digest or root hash")
    add("".join("DEFAULT op=%s action=%s\n" % (o, a) for o, a in [
        ("EXECUTE", "DENY"), ("FIRMWARE", "ALLOW"), ("KMODULE", "DENY"), ("KEXEC_IMAGE", "ALLOW"),
        ("KEXEC_INITRAMFS", "ALLOW"), ("POLICY", "ALLOW"), ("X509_CERT", "ALLOW")]) +
        "op=EXECUTE dmverity_signature=TRUE action=ALLOW\nop=KMODULE fsverity_signature=TRUE action=ALLOW\n",
        "only per-op DEFAULTs")
    add("DEFAULT action=ALLOW\nop=EXECUTE action=DENY\nop=EXECUTE boot_verified=TRUE action=ALLOW\n",
        "an unconditional DENY shadows the rest")
    add("DEFAULT action=DENY\nop=FIRMWARE action=ALLOW\nop=KEXEC_IMAGE boot_verified=TRUE action=ALLOW\n"
        "op=POLICY action=ALLOW\n", "rules for other ops only: the global DENY decides")
    add("DEFAULT action=ALLOW\nop=EXECUTE dmverity_roothash=sha256:%s dmverity_signature=FALSE action=DENY\n"
        "op=EXECUTE dmverity_roothash=sha256:%s dmverity_signature=FALSE action=DENY\n" % (RB, RA),
        "root hash AND unsigned")
    add("DEFAULT action=ALLOW\nDEFAULT op=EXECUTE action=ALLOW\nop=EXECUTE fsverity_signature=FALSE action=DENY\n"
        "DEFAULT op=KMODULE action=ALLOW\nop=KMODULE fsverity_signature=FALSE dmverity_signature=FALSE action=DENY\n",
        "deny unsigned")
    add("DEFAULT op=EXECUTE action=DENY\nDEFAULT action=ALLOW\nop=EXECUTE fsverity_digest=sha256:%s action=ALLOW\n"
        "op=EXECUTE fsverity_digest=sha256:%s action=ALLOW\nop=EXECUTE boot_verified=TRUE boot_verified=FALSE action=ALLOW\n"
        % (DB, DA), "two digests, a dead rule")
    add("DEFAULT action=DENY\nDEFAULT op=EXECUTE action=ALLOW\nop=EXECUTE boot_verified=TRUE action=DENY\n"
        "op=KMODULE dmverity_roothash=sha256:%s dmverity_signature=TRUE action=ALLOW\n" % RA,
        "deny the initramfs, KMODULE from the signed volume")
    if n_random is None:
        n_random = 6 if slice_ else 30
    rnd = random.Random(seed)
    props = [
        "boot_verified=TRUE", "boot_verified=FALSE", "fsverity_signature=TRUE", "fsverity_signature=FALSE",
        "dmverity_signature=TRUE", "dmverity_signature=FALSE",
        "fsverity_digest=sha256:" + DA, "fsverity_digest=sha256:" + DB, "fsverity_digest=sha256:" + DM,
        "fsverity_digest=sha256:" + DA.upper(), "fsverity_digest=sha256:" + RA, "fsverity_digest=sha512:" + DA,
        "dmverity_roothash=sha256:" + RA, "dmverity_roothash=sha256:" + RB, "dmverity_roothash=sha256:" + DA,
        "dmverity_roothash=SHA256:" + RA, "dmverity_roothash=sha256:" + RB[:32],
    ]
    def holds(prop, ev):
        """the property on the event, as IPE evaluates it (all Kconfig options on)"""
        k, v = prop.split("=", 1)
        f, dv, fv = ev["file"], ev["dmverity"], ev["fsverity"]
        if k == "boot_verified":
            return (f and ev["initramfs"]) == (v == "TRUE")
        if k == "dmverity_signature":
            return bool(dv and dv["signed"]) == (v == "TRUE")
        if k == "fsverity_signature":
            return bool(fv and fv["signed"]) == (v == "TRUE")
        if k == "dmverity_roothash":
            return bool(dv) and dv["roothash"].lower() == v.lower() and v.split(":")[0] == "sha256"
        if k == "fsverity_digest":
            return bool(fv) and fv["digest"].lower() == v.lower() and v.split(":")[0] == "sha256"
        return False

    evs = [p[3] for p in probes(d)]
    for i in range(n_random):
        lines = []
        if rnd.random() < 0.8:
            lines.append("DEFAULT action=%s" % rnd.choice(["ALLOW", "DENY"]))
            for o in ("EXECUTE", "KMODULE"):
                if rnd.random() < 0.35:
                    lines.append("DEFAULT op=%s action=%s" % (o, rnd.choice(["ALLOW", "DENY"])))
        else:
            for o in ("EXECUTE", "FIRMWARE", "KMODULE", "KEXEC_IMAGE", "KEXEC_INITRAMFS", "POLICY", "X509_CERT"):
                lines.append("DEFAULT op=%s action=%s" % (o, rnd.choice(["ALLOW", "DENY"])))
        for _ in range(rnd.randint(1, 8)):
            if rnd.random() < 0.7:
                # aim at one probe's event: properties that hold for it (so that the rule can decide),
                # sometimes plus one at random
                ev = rnd.choice(evs)
                op = ev["op"]
                true_props = [p for p in props if holds(p, ev)]
                k = min(len(true_props), rnd.choice([0, 1, 1, 2, 2, 3]))
                chosen = rnd.sample(true_props, k)
                if rnd.random() < 0.2:
                    chosen.append(rnd.choice(props))
            else:
                op = rnd.choice(["EXECUTE"] * 6 + ["KMODULE"] * 3 + ["FIRMWARE"])
                chosen = rnd.sample(props, rnd.choice([0, 1, 1, 1, 2, 2, 3]))
            toks = ["op=" + op] + chosen + ["action=" + rnd.choice(["ALLOW", "DENY"])]
            lines.append(" ".join(toks))
        rnd.shuffle(lines)
        add("\n".join(lines) + "\n", "random #%d (seed %d)" % (i, seed))
    return pols
