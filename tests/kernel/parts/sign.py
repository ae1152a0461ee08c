# SPDX-License-Identifier: Apache-2.0
"""Kernel-suite part `sign`: policies signed by `ipec sign` (certificate embedded and not, the
three digests, the 65 535-byte boundary) are written to new_policy, with blobs the kernel must
refuse (tampered content, signature, truncated, trailing byte, too large, untrusted signer) and
two forms ipec does not write (signed attributes, detached content). For every blob, `ipec verify
--cert SIGNER --format=json` predicts the kernel's answer: OK, or the errno.

Called by ../harness.py: prepare(work, stage, ipec, slice_), predict(work, ipec),
report(work, lines, rep). Guest side: `ipetool loadbatch /suite/sign/list` in ../guest/run.sh.
"""
import json
import os
import subprocess
import sys

MIN = "policy_name=sign_%s policy_version=0.0.1\nDEFAULT action=ALLOW\n"
RULES = ("policy_name=sign_%s policy_version=1.2.3\nDEFAULT action=ALLOW\n"
         "DEFAULT op=EXECUTE action=DENY\nop=EXECUTE boot_verified=TRUE action=ALLOW\n"
         "op=KMODULE fsverity_signature=TRUE action=ALLOW\n")


def _die(msg):
    raise SystemExit("kernel-test: INFRASTRUCTURE FAILURE: part sign: " + msg)


def _flip(data, at):
    b = bytearray(data)
    b[at] ^= 0x01
    return bytes(b)


def _openssl(args):
    r = subprocess.run(["openssl"] + args, capture_output=True)
    if r.returncode:
        _die("openssl %s failed: %s" % (args[0], r.stderr.decode(errors="replace")))


def _has_ecdsa():
    """a --kernel kernel without ECDSA answers ENOENT (no such akcipher) before any key is asked"""
    cfg = os.environ.get("KT_KERNEL_CONFIG")
    if not cfg or "CONFIG_CRYPTO_ECDSA=y\n" in open(cfg).read():
        return True
    print("kernel-test: part sign: the two ECDSA cases are skipped: the kernel has no CONFIG_CRYPTO_ECDSA", file=sys.stderr)
    return False


def prepare(work, stage, ipec, slice_, corpus=None):
    W = os.path.join(work, "sign")
    S = os.path.join(stage, "sign")
    os.makedirs(W, exist_ok=True)
    os.makedirs(S, exist_ok=True)
    env = os.environ
    key, pem = env["SIGNER_KEY"], env["SIGNER_PEM"]
    cases = []

    def text(name, body):
        p = os.path.join(W, name + ".pol")
        with open(p, "wb") as f:
            f.write(body if isinstance(body, bytes) else body.encode())
        return p

    def ipec_sign(cid, pol, *flags, k=key, c=pem, desc=""):
        out = os.path.join(S, cid + ".bin")
        r = subprocess.run([ipec, "sign", pol, "--key", k, "--cert", c, "-o", out] + list(flags), capture_output=True)
        if r.returncode != 0:
            _die("ipec sign %s failed (%d): %s" % (cid, r.returncode, r.stderr.decode(errors="replace")[-800:]))
        cases.append({"id": cid, "desc": desc, "blob": out})
        return out

    def derived(cid, data, desc):
        out = os.path.join(S, cid + ".bin")
        with open(out, "wb") as f:
            f.write(data)
        cases.append({"id": cid, "desc": desc, "blob": out})

    base = ipec_sign("sign-certs", text("certs", MIN % "certs"), desc="ipec sign, certificate embedded")
    bare = ipec_sign("sign-nocerts", text("nocerts", MIN % "nocerts"), "--no-certs", desc="ipec sign --no-certs")
    ipec_sign("sign-sha384", text("sha384", RULES % "sha384"), "--digest", "sha384", desc="ipec sign --digest sha384")
    ipec_sign("sign-sha512-nocerts", text("sha512", RULES % "sha512"), "--digest", "sha512", "--no-certs",
              desc="ipec sign --digest sha512 --no-certs")
    if corpus:
        # the boundary: 078 is exactly 65 535 bytes with the suite's 847-byte certificate
        ipec_sign("sign-078", os.path.join(corpus, "078-der-65535.pol"), desc="078: a 65 535-byte blob")
        p079 = os.path.join(corpus, "079-der-65536.pol")
        ipec_sign("sign-079-nocerts", p079, "--no-certs", desc="079 without the certificate: fits")
        ipec_sign("sign-079-forced", p079, "--force", desc="079 with the certificate: 65 536 bytes (--force)")
    ipec_sign("sign-untrusted", text("untrusted", MIN % "untrusted"), k=env["UNTRUSTED_KEY"], c=env["UNTRUSTED_PEM"],
              desc="ipec sign by a signer no keyring trusts")
    # ECDSA: no trusted EC key, but the kernel checks the signature before its keyrings, so an
    # intact blob answers ENOKEY (the P-256 signature verified) and a changed one EKEYREJECTED
    data = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "sign", "data")
    if _has_ecdsa():
        ec = ipec_sign("sign-ec", text("ec", MIN % "ec"), k=os.path.join(data, "ec.key"), c=os.path.join(data, "ec.pem"),
                       desc="ipec sign with an ECDSA P-256 key no keyring holds")
        eb = open(ec, "rb").read()
        derived("sign-ec-tamper", _flip(eb, eb.find(b"sign_ec") + 5), "ECDSA blob, content byte flipped")
    blob = open(base, "rb").read()
    content = (MIN % "certs").encode()
    at = blob.find(content)
    derived("sign-tamper-content", _flip(blob, at + len("policy_name=sign_")), "one content byte flipped")
    derived("sign-tamper-signature", _flip(blob, len(blob) - 17), "one signature byte flipped")
    derived("sign-truncated", blob[:-1], "the last byte cut off")
    derived("sign-trailing", blob + b"\0", "one byte appended")
    nb = open(bare, "rb").read()
    derived("sign-nocerts-tamper", _flip(nb, nb.find(b"nocerts") + 2), "--no-certs blob, content byte flipped")
    # forms ipec does not write, to learn what the kernel does with them
    attrs_pol = text("attrs", MIN % "attrs")
    attrs = os.path.join(S, "sign-attrs.bin")
    _openssl(["smime", "-sign", "-nodetach", "-binary", "-outform", "der", "-in", attrs_pol, "-signer", pem,
              "-inkey", key, "-out", attrs])
    cases.append({"id": "sign-attrs", "desc": "openssl smime with signed attributes (no -noattr)", "blob": attrs})
    attrs2_pol = text("attrs2", MIN % "attrs2")
    attrs2 = os.path.join(S, "sign-attrs-nosmimecap.bin")
    _openssl(["smime", "-sign", "-nodetach", "-binary", "-nosmimecap", "-outform", "der", "-in", attrs2_pol,
              "-signer", pem, "-inkey", key, "-out", attrs2])
    cases.append({"id": "sign-attrs-nosmimecap", "desc": "openssl smime -nosmimecap: contentType, signingTime, "
                  "messageDigest", "blob": attrs2})
    det_pol = text("detached", MIN % "detached")
    det = os.path.join(S, "sign-detached.bin")
    _openssl(["smime", "-sign", "-noattr", "-binary", "-outform", "der", "-in", det_pol, "-signer", pem,
              "-inkey", key, "-out", det])
    cases.append({"id": "sign-detached", "desc": "openssl smime without -nodetach (content detached)", "blob": det})
    # blobs from tests/sign/data (tests/sign/make-data.sh), signed by a key the kernel does not
    # trust: each fails before trust is asked, and ipec verify must name that failure
    for name, desc in (("data", "a PKCS#7 data message, not signedData"),
                       ("econtent", "cms -econtent_type: a version 1 SignerInfo in a version 3 SignedData"),
                       ("econtent-keyid", "cms -keyid -econtent_type: signed content of type SpcIndirectData"),
                       ("version2", "SignedData version 2"),
                       ("no-signer", "a certificate bag: no SignerInfo, no content"),
                       ("no-signer-attached", "attached content, no SignerInfo"),
                       ("notyet", "signing time before the certificate's validity (valid from 2090)"),
                       ("missing-attribute", "signed attributes without contentType"),
                       ("repeated-attribute", "signed attributes with messageDigest twice"),
                       ("by-other", "a valid signature by another (untrusted) signer")):
        derived("sign-data-" + name, open(os.path.join(data, name + ".p7s"), "rb").read(), desc)
    with open(os.path.join(S, "list"), "w") as f:
        for c in cases:
            f.write("%s /suite/sign/%s 0\n" % (c["id"], os.path.basename(c["blob"])))
    with open(os.path.join(W, "cases.json"), "w") as f:
        json.dump(cases, f)
    predict(work, ipec)
    return len(cases)


def predict(work, ipec):
    path = os.path.join(work, "sign", "cases.json")
    cases = json.load(open(path))
    pem = os.path.join(work, "signer.pem")
    for c in cases:
        r = subprocess.run([ipec, "verify", c["blob"], "--cert", pem, "--format=json"], capture_output=True)
        try:
            doc = json.loads(r.stdout)
        except ValueError:
            c["ipec"] = "(ipec verify exited %d: %s)" % (r.returncode, r.stderr.decode(errors="replace")[-300:])
            continue
        if doc.get("ok"):
            c["ipec"] = "OK"
        elif doc.get("problem"):
            c["ipec"] = doc["problem"].get("kernel_errno") or doc["problem"]["id"]
            c["ipec_problem"] = doc["problem"]["id"]
        else:
            c["ipec"] = ((doc.get("check") or {}).get("kernel") or {}).get("errno") or "?"
        if (r.returncode == 0) != (c["ipec"] == "OK"):
            c["ipec"] += " (exit %d)" % r.returncode
    with open(path, "w") as f:
        json.dump(cases, f)


def report(work, lines, rep):
    cases = json.load(open(os.path.join(work, "sign", "cases.json")))
    got = {}
    for l in lines:
        f = l.split("\t")
        if f[0] == "CASE" and f[1].startswith("sign-"):
            got[f[1]] = "OK" if f[2] == "OK" else f[4]
    part = {"name": "sign", "cases": 0, "agree": 0, "disagree": [], "missing": 0, "rows": []}
    for c in cases:
        k = got.get(c["id"])
        part["cases"] += 1
        row = {"id": c["id"], "desc": c["desc"], "kernel": k or "(no result)", "ipec": c.get("ipec"),
               "ipec_problem": c.get("ipec_problem")}
        part["rows"].append(row)
        if k is None:
            part["missing"] += 1
        if k is not None and k == c.get("ipec"):
            part["agree"] += 1
        else:
            row["line"] = "DISAGREE sign %s (%s): kernel %s, ipec verify %s" % (c["id"], c["desc"], row["kernel"], row["ipec"])
            part["disagree"].append(row)
    part["detail"] = "the kernel's answers: " + ", ".join("%s %s" % (r["id"][5:], r["kernel"]) for r in part["rows"])
    log = [l[8:] for l in lines if l.startswith("SIGNLOG ")]
    if log:
        part["detail"] += "; kernel log: " + " | ".join(log[:12])
    rep["parts"].append(part)
