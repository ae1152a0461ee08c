#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The policies of scripts/kernel-bench, signed by the kernel suite's signer.

Every policy has the same shape: a global DEFAULT of ALLOW, DEFAULT op=EXECUTE action=DENY, one
boot_verified rule (the initramfs keeps running its busybox), N fs-verity digest rules with random
digests that match nothing, and last the bench file's own digest with action=ALLOW. So the text
path walks every rule before it reaches the one that allows the file, and fetches the file's
digest once per digest rule; and since each rule changes a decision, no compiler can drop them.

Text policies are signed attached (openssl smime, as the kernel suite signs them), and a text of
N rules whose signed blob does not fit the kernel's 65,535 bytes is cut down to the largest N that
does. Tables come from `ipec compile` and are signed by `ipec sign --form=auto`: attached when the
blob fits, else the detached-signature wrapper (IPECDSG header, table, detached PKCS#7).

Writes OUT/NAME.pol, OUT/NAME.ipet, OUT/NAME.{p7s,signed} and OUT/manifest, one line per policy:
NAME KIND RULES REQUESTED CONTENT_BYTES SIGNED_BYTES SIGNED_FILE FORM (KIND: text, table, or
check: a text and a table whose rule for the bench file says DENY, so its mapping must fail:
proof that the digest is read). RULES counts the digest rules that do not match the file.
"""
import argparse
import os
import random
import subprocess
import sys

LIMIT = 65535  # the kernel's ASN.1 decoder: the largest PKCS#7 blob new_policy takes
VERSION = "0.0.1"  # one version for all: IPE only activates a policy of the same or a higher one


def policy_text(name, n, file_digest, seed, action="ALLOW"):
    rnd = random.Random(seed)
    lines = [f"policy_name={name} policy_version={VERSION}", "DEFAULT action=ALLOW",
             "DEFAULT op=EXECUTE action=DENY", "op=EXECUTE boot_verified=TRUE action=ALLOW"]
    lines += [f"op=EXECUTE fsverity_digest=sha256:{rnd.randbytes(32).hex()} action=ALLOW" for _ in range(n)]
    lines.append(f"op=EXECUTE fsverity_digest=sha256:{file_digest} action={action}")
    return "\n".join(lines) + "\n"


def smime(args, src, dst):
    subprocess.run(["openssl", "smime", "-sign", "-noattr", "-nodetach", "-binary", "-outform", "der", "-in", src,
                    "-out", dst, "-signer", args.cert, "-inkey", args.key], check=True)


def sign_table(args, table, out):
    """ipec sign --form=auto: attached when the blob fits, else the detached-signature wrapper."""
    subprocess.run([args.ipec, "sign", "--form=auto", "--key", args.key, "--cert", args.cert, "-o", out, table],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(out, "rb") as f:
        return "detached (ipec sign)" if f.read(8) == b"IPECDSG\0" else "attached (ipec sign)"


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def text_policy(args, n, seed, name=None, action="ALLOW"):
    """The largest count <= n whose signed text fits: (name, rules, pol, p7s)."""
    while n >= 0:
        nm = name or f"t{n}"
        pol, p7s = os.path.join(args.out, nm + ".pol"), os.path.join(args.out, nm + ".p7s")
        write(pol, policy_text(nm, n, args.digest, seed, action))
        smime(args, pol, p7s)
        over = os.path.getsize(p7s) - LIMIT
        if over <= 0:
            return nm, n, pol, p7s
        os.unlink(pol)
        os.unlink(p7s)
        n -= max(1, over // 112)  # a digest rule is 112 bytes of text: step by the overshoot, then by one
    sys.exit("gen.py: not even an empty policy fits the signing limit")


def table_policy(args, name, n, seed, kind, action="ALLOW"):
    pol, table = os.path.join(args.out, name + ".pol"), os.path.join(args.out, name + ".ipet")
    write(pol, policy_text(name, n, args.digest, seed, action))
    target = ["--target", args.target] + (["--kconfig", args.kconfig] if args.kconfig else [])
    subprocess.run([args.ipec, "compile", *target, "-o", table, pol], check=True, stderr=subprocess.DEVNULL)
    signed = os.path.join(args.out, name + ".signed")
    return name, kind, n, n, table, signed, sign_table(args, table, signed)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--digest", required=True, help="the bench file's fs-verity sha256 digest (hex)")
    ap.add_argument("--text", default="10,100,650", help="text policy sizes")
    ap.add_argument("--tables", default="10,100,650,100000,1000000", help="table sizes")
    ap.add_argument("--ipec", required=True)
    ap.add_argument("--target", default="linux-6.12")
    ap.add_argument("--kconfig", help="the kernel's .config: the table is for exactly that kernel")
    ap.add_argument("--key", default=os.environ.get("SIGNER_KEY"))
    ap.add_argument("--cert", default=os.environ.get("SIGNER_PEM"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rows = []
    nm, n, pol, p7s = text_policy(args, 0, 0, name="check_text", action="DENY")
    rows.append((nm, "check", n, 0, pol, p7s, "attached (openssl)"))
    rows.append(table_policy(args, "check_table", 0, 0, "check", action="DENY"))
    tables = [int(x) for x in args.tables.split(",") if x]
    for req in (int(x) for x in args.text.split(",") if x):
        nm, n, pol, p7s = text_policy(args, req, req)
        rows.append((nm, "text", n, req, pol, p7s, "attached (openssl)"))
        if n != req and n not in tables:
            tables.append(n)  # a table of the same rules as the largest text that fits
    for n in sorted(tables):
        rows.append(table_policy(args, f"b{n}", n, n, "table"))
    with open(os.path.join(args.out, "manifest"), "w") as f:
        for nm, kind, n, req, content, signed, form in rows:
            f.write(f"{nm} {kind} {n} {req} {os.path.getsize(content)} {os.path.getsize(signed)} "
                    f"{os.path.basename(signed)} {form.replace(' ', '_')}\n")


if __name__ == "__main__":
    main()
