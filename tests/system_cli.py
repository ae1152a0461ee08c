#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`ipec system snapshot` and `ipec check --against-system` end to end: the collector on a
prepared tree (--root / --system-root), on the live machine (it must find ipec itself), the
snapshot read back, unknown facts, and the usage errors.

    system_cli.py IPEC
"""
import json
import os
import subprocess
import sys
import tempfile

REL = "6.12.115+deb12-amd64"
FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print("FAIL: " + what)


def run(ipec, *args, cwd=None):
    p = subprocess.run([ipec, *args], capture_output=True, text=True, cwd=cwd,
                       env=dict(os.environ, NO_COLOR="1", LC_ALL="C"))
    return p.returncode, p.stdout, p.stderr


def write(root, path, text):
    full = os.path.join(root, path.lstrip("/"))
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as f:
        f.write(text)


def make_tree(root):
    write(root, "/proc/sys/kernel/osrelease", REL + "\n")
    write(root, "/usr/bin/prog", "#!/bin/sh\n")
    write(root, "/usr/lib/libx.so", "\x7fELF")
    os.makedirs(os.path.join(root, "proc/123"))
    os.symlink("/usr/bin/prog", os.path.join(root, "proc/123/exe"))
    write(root, "/proc/123/comm", "prog\n")
    write(root, "/proc/123/maps",
          "00400000-00401000 r-xp 00000000 08:01 12 /usr/bin/prog\n"
          "7f0000000000-7f0000001000 r-xp 00000000 08:01 13 /usr/lib/libx.so\n"
          "7f0000002000-7f0000003000 rw-p 00000000 08:01 14 /usr/lib/data.so\n"
          "7ffd00000000-7ffd00001000 rw-p 00000000 00:00 0 [stack]\n")
    os.makedirs(os.path.join(root, "proc/2"))  # a kernel thread: no exe
    write(root, "/proc/modules", "ext4 1000 1 - Live 0x0\ncrc7 100 0 - Live 0x0\nghost 1 0 - Live 0x0\n")
    write(root, "/lib/modules/%s/modules.dep" % REL, "kernel/fs/ext4/ext4.ko:\nkernel/lib/crc7.ko.xz:\n")
    write(root, "/lib/modules/%s/kernel/fs/ext4/ext4.ko" % REL, "ko")
    write(root, "/lib/modules/%s/kernel/lib/crc7.ko.xz" % REL, "xz")
    write(root, "/lib/firmware/a.bin", "a")
    write(root, "/lib/firmware/vendor/b.bin", "b")
    write(root, "/boot/vmlinuz-" + REL, "k")
    ipe = "/sys/kernel/security/ipe"
    write(root, ipe + "/enforce", "1\n")
    write(root, ipe + "/policies/prod/name", "prod\n")
    write(root, ipe + "/policies/prod/version", "1.2.0\n")
    write(root, ipe + "/policies/prod/active", "1\n")


def objects(snapshot):
    return {(o["op"], o["path"]): o for o in snapshot["objects"]}


def test_tree(ipec, tmp):
    root = os.path.join(tmp, "root")
    make_tree(root)
    rc, out, err = run(ipec, "system", "snapshot", "--root", root)
    check(rc == 0, "snapshot --root: status %d (%s)" % (rc, err))
    snap = json.loads(out)
    check(snap["kernel_release"] == REL, "kernel release from proc/sys/kernel/osrelease")
    check(snap["ipe"]["present"] is True and snap["ipe"]["enforce"] is True, "IPE present, enforcing")
    check(snap["ipe"]["policies"] == [{"name": "prod", "version": "1.2.0", "active": True}], "the loaded policy")
    o = objects(snap)
    want = {("EXECUTE", "/usr/bin/prog"), ("EXECUTE", "/usr/lib/libx.so"),
            ("KMODULE", "/lib/modules/%s/kernel/fs/ext4/ext4.ko" % REL),
            ("KMODULE", "/lib/modules/%s/kernel/lib/crc7.ko.xz" % REL), ("KMODULE", "(module ghost)"),
            ("FIRMWARE", "/lib/firmware/a.bin"), ("FIRMWARE", "/lib/firmware/vendor/b.bin"),
            ("KEXEC_IMAGE", "/boot/vmlinuz-" + REL)}
    check(set(o) == want, "objects found: %s" % sorted(set(o) ^ want))
    prog = o.get(("EXECUTE", "/usr/bin/prog"), {})
    check(prog.get("sources") == ["pid 123 (prog)"], "the process is named: %s" % prog.get("sources"))
    check(prog.get("fsverity", {}).get("enabled") is False, "a plain file has no fs-verity")
    lib = o.get(("EXECUTE", "/usr/lib/libx.so"), {})
    check(lib.get("sources") == ["pid 123 (prog) maps"], "the executable mapping is named")
    # no /sys/module/compression: kmod decompresses, init_module has no file
    crc7 = o.get(("KMODULE", "/lib/modules/%s/kernel/lib/crc7.ko.xz" % REL), {})
    check(crc7.get("file") is False, "a compressed module the kernel cannot decompress has no file")
    check(crc7.get("error") is None, "loaded from memory is a fact, not a read error")
    ghost = o.get(("KMODULE", "(module ghost)"), {})
    check(ghost.get("file") is None and ghost.get("error"), "a module without a file: unknown, with why")

    # the same facts through the snapshot file and through --system-root
    snap_file = os.path.join(tmp, "snap.json")
    with open(snap_file, "w") as f:
        f.write(out)
    pol = os.path.join(tmp, "p.pol")
    with open(pol, "w") as f:
        f.write("policy_name=prod policy_version=1.3.0\nDEFAULT action=ALLOW\n"
                "op=KMODULE action=DENY\nDEFAULT op=EXECUTE action=DENY\n")
    rc1, out1, err1 = run(ipec, "check", "--format=json", "--against-snapshot", snap_file, pol)
    rc2, out2, err2 = run(ipec, "check", "--format=json", "--against-system", "--system-root", root, pol)
    check(rc1 == 1 and rc2 == 1, "denials give status 1 (%d, %d)" % (rc1, rc2))
    d1, d2 = json.loads(out1)["files"][0], json.loads(out2)["files"][0]
    paths = sorted((d["id"], d["object"]["path"], d["line"]) for d in d1["diagnostics"] if "object" in d)
    check(paths == sorted(
        [("system-denies", "/usr/bin/prog", 4), ("system-denies", "/usr/lib/libx.so", 4),
         ("system-denies", "/lib/modules/%s/kernel/fs/ext4/ext4.ko" % REL, 3),
         ("system-denies", "/lib/modules/%s/kernel/lib/crc7.ko.xz" % REL, 3),
         ("system-denies", "(module ghost)", 3)]), "denials and their rules: %s" % paths)
    check(d1["diagnostics"] == d2["diagnostics"], "snapshot and --system-root agree")
    check(d1["system"]["load"]["result"] == "OK" and d1["system"]["load"]["write"] == "policies/prod/update",
          "an update of the loaded name")
    check(d1["system"]["examined"] == {"EXECUTE": 2, "FIRMWARE": 2, "KEXEC_IMAGE": 1, "KMODULE": 3},
          "examined: %s" % d1["system"]["examined"])


def test_unknown_but_certain(ipec, tmp):
    """an unknown fact that no value of saves the file is a certain denial, not a possible one"""
    snap = {"ipec_system_snapshot": 1, "kernel_release": REL,
            "ipe": {"present": None, "why": "not root", "enforce": None, "policies": None},
            "objects": [{"op": "EXECUTE", "path": "/x", "file": True, "initramfs": None,
                         "bdev": {"kind": "unknown"}, "fsverity": {"enabled": None}, "error": "not root"}]}
    f = os.path.join(tmp, "u.json")
    with open(f, "w") as fh:
        json.dump(snap, fh)
    pol = os.path.join(tmp, "u.pol")
    with open(pol, "w") as fh:
        fh.write("policy_name=u policy_version=1.0.0\nDEFAULT action=ALLOW\nDEFAULT op=EXECUTE action=DENY\n")
    rc, out, _ = run(ipec, "check", "--format=json", "--against-snapshot", f, pol)
    ids = [d["id"] for d in json.loads(out)["files"][0]["diagnostics"]]
    check(rc == 1 and "system-denies" in ids and "system-may-deny" not in ids, "certain despite unknowns: %s" % ids)
    with open(pol, "w") as fh:
        fh.write("policy_name=u policy_version=1.0.0\nDEFAULT action=ALLOW\nop=EXECUTE boot_verified=FALSE action=DENY\n")
    rc, out, _ = run(ipec, "check", "--format=json", "--against-snapshot", f, pol)
    doc = json.loads(out)["files"][0]
    ids = [d["id"] for d in doc["diagnostics"]]
    check(rc == 1 and "system-may-deny" in ids and "system-denies" not in ids, "possible only: %s" % ids)
    check(doc["system"]["load"]["known"] is False, "unknown IPE state: the write is not predicted")
    # a digest fs-verity never reports: said, not silently allowed
    snap["objects"][0]["fsverity"] = {"enabled": True, "digest": "md5:00112233445566778899aabbccddeeff", "signature": False}
    snap["objects"][0]["initramfs"] = False
    with open(f, "w") as fh:
        json.dump(snap, fh)
    rc, out, _ = run(ipec, "check", "--format=json", "--against-snapshot", f, pol)
    diags = json.loads(out)["files"][0]["diagnostics"]
    bad = [d for d in diags if d["id"] == "system-facts-unknown" and "could not be evaluated" in d["message"]]
    check(len(bad) == 1 and "fs-verity never reports" in json.dumps(bad), "an impossible digest is reported: %s" % diags)


def test_live(ipec):
    rc, out, err = run(ipec, "system", "snapshot")
    check(rc == 0, "live snapshot: status %d (%s)" % (rc, err))
    snap = json.loads(out)
    me = os.path.realpath(ipec)
    mine = [o for o in snap["objects"] if o["op"] == "EXECUTE" and o["path"] == me]
    check(len(mine) == 1, "the live snapshot lists ipec itself (%s)" % me)
    if mine:
        check(mine[0]["initramfs"] is False or mine[0]["initramfs"] is None, "ipec is not on an initramfs here")
    rc, out, err = run(ipec, "system", "snapshot", "--format=text")
    check(rc == 0 and ("EXECUTE %s " % me) in out, "the text snapshot has a line for ipec")


def test_usage(ipec, tmp):
    pol = os.path.join(tmp, "p.pol")
    for args, why in (((["check", "--via", "update", pol]), "--via without a machine"),
                      ((["check", "--system-root", tmp, pol]), "--system-root without --against-system"),
                      ((["check", "--against-system", "--against-snapshot", pol, pol]), "both sources"),
                      ((["check", "--against-snapshot", os.path.join(tmp, "none.json"), pol]), "no snapshot file"),
                      ((["system"]), "system without snapshot")):
        rc, _, err = run(ipec, *args)
        check(rc == 2 and "error" in err, "%s: status %d" % (why, rc))


def main():
    ipec = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="ipec-system-") as tmp:
        test_tree(ipec, tmp)
        test_unknown_but_certain(ipec, tmp)
        test_live(ipec)
        test_usage(ipec, tmp)
    print("%d failures" % len(FAILS))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
