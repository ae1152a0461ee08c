#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""ipec sign and ipec verify against openssl, end to end:
- ipec's blob equals `openssl smime -sign -noattr -nodetach -binary -outform der` byte for byte
  (RSA PKCS#1 v1.5 signatures are deterministic), with and without the certificate, for every
  digest, and for contents openssl would mangle without -binary (CRLF, NUL, no final newline);
- `openssl cms -verify` accepts ipec's blobs, ipec verify accepts openssl's;
- tampered blobs (a content byte, a signature byte, truncated) are refused by ipec verify;
- the EMSGSIZE boundary: conformance files 078 (65 535 bytes signed) and 079 (65 536) with an
  847-byte certificate, and what ipec sign says instead of writing 079;
- decision tables: attached when they fit, else the detached-signature wrapper, whose PKCS#7
  equals `openssl smime -sign -noattr -binary -outform der` (detached) byte for byte and which
  `openssl cms -verify -content TABLE` and ipec verify accept; tampered and malformed wrappers.

    sign_test.py IPEC CONFORMANCE_DIR
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

from testlib import DATA, expect, summary

KEY, CERT = os.path.join(DATA, "rsa.key"), os.path.join(DATA, "rsa.pem")


def run(argv, **kw):
    if "stdout" not in kw:
        kw["stdout"] = subprocess.PIPE
    return subprocess.run(argv, stderr=subprocess.PIPE, timeout=120, env=dict(os.environ, NO_COLOR="1"), **kw)


def smime(src, out, *flags, key=KEY, cert=CERT):
    r = run(["openssl", "smime", "-sign", "-noattr", "-nodetach", "-binary", "-outform", "der", "-in", src,
             "-signer", cert, "-inkey", key, "-out", out] + list(flags))
    assert r.returncode == 0, r.stderr


def digest_policy(path, n):
    with open(path, "w") as f:
        f.write("policy_name=tbl policy_version=2.0.%d\nDEFAULT action=DENY\n" % n)
        for i in range(n):
            f.write("op=EXECUTE fsverity_digest=sha256:%064x action=ALLOW\n" % (i + 1))


def verify_json(ipec, blob, *extra):
    r = run([ipec, "verify", blob, "--format=json"] + list(extra))
    return r, json.loads(r.stdout or b"{}")


def tables(ipec, d):
    small, large = os.path.join(d, "small.tbl"), os.path.join(d, "large.tbl")
    for tbl, n in ((small, 3), (large, 3000)):
        digest_policy(tbl + ".pol", n)
        r = run([ipec, "compile", "-o", tbl, tbl + ".pol", "-Wno-lockout", "-Wno-partial-enforcement"])
        expect(r.returncode == 0, "ipec compile %d digest rules" % n, r)
    expect(os.path.getsize(large) > 65535, "3000 digest rules make a table over 65 535 bytes")
    # auto: attached when it fits, the wrapper when it does not
    out = os.path.join(d, "t.out")
    for tbl, start, form in ((small, b"\x30", "attached"), (large, b"IPECDSG\0", "detached")):
        r = run([ipec, "sign", tbl, "--key", KEY, "--cert", CERT, "-o", out])
        blob = open(out, "rb").read()
        expect(r.returncode == 0 and blob.startswith(start), "auto signs %s %s" % (os.path.basename(tbl), form), r)
        r, doc = verify_json(ipec, out, "--cert", CERT)
        expect(r.returncode == 0 and doc.get("ok") and doc.get("form") == form and doc.get("content_kind") == "table"
               and doc["policy"]["name"] == "tbl" and doc["content_bytes"] == os.path.getsize(tbl),
               "ipec verify accepts the %s table" % form, r)
    # the wrapper: its header, and its PKCS#7 byte for byte with openssl smime without -nodetach
    table = open(large, "rb").read()
    for form in ([], ["--no-certs"]):
        for digest in ("sha256", "sha384", "sha512"):
            tag = "%s %s" % (digest, form[0] if form else "certs")
            r = run([ipec, "sign", small, "--form=detached", "--key", KEY, "--cert", CERT, "-o", out, "--digest",
                     digest] + form)
            wrapper, mine = open(out, "rb").read(), open(small, "rb").read()
            ref = os.path.join(d, "ref.sig")
            run(["openssl", "smime", "-sign", "-noattr", "-binary", "-outform", "der", "-in", small, "-signer", CERT,
                 "-inkey", KEY, "-out", ref, "-md", digest] + (["-nocerts"] if form else []))
            sig = open(ref, "rb").read()
            head = b"IPECDSG\0" + struct.pack("<IIQ", 1, len(sig), len(mine))
            expect(r.returncode == 0 and wrapper == head + mine + sig,
                   "the wrapper holds the table and openssl smime's detached PKCS#7: " + tag, r)
    r = run([ipec, "sign", large, "--key", KEY, "--cert", CERT, "-o", out])
    wrapper = open(out, "rb").read()
    sig = os.path.join(d, "big.sig")
    open(sig, "wb").write(wrapper[24 + len(table):])
    r = run(["openssl", "cms", "-verify", "-binary", "-inform", "der", "-in", sig, "-content", large, "-CAfile", CERT,
             "-purpose", "any", "-out", os.devnull])
    expect(r.returncode == 0, "openssl cms -verify accepts the wrapper's signature over the table", r)
    # tampered and malformed wrappers
    def flipped(i):
        b = bytearray(wrapper)
        b[i] ^= 1
        return bytes(b)
    for what, data, problem in (("a table byte flipped", flipped(24 + 100), "bad-signature"),
                                ("a signature byte flipped", flipped(len(wrapper) - 17), "undecodable-signature"),
                                ("truncated", wrapper[:-1], "bad-wrapper"),
                                ("a byte more", wrapper + b"\0", "bad-wrapper"),
                                ("the version flipped", flipped(8), "bad-wrapper"),
                                ("the table size flipped", flipped(16), "bad-wrapper"),
                                ("the signature size flipped", flipped(12), "bad-wrapper")):
        t = os.path.join(d, "t.dsg")
        open(t, "wb").write(data)
        r, doc = verify_json(ipec, t, "--cert", CERT)
        expect(r.returncode == 1 and (doc.get("problem") or {}).get("id") == problem,
               "ipec verify refuses the wrapper with %s (%s)" % (what, problem), r)
    # --form=attached for a table that does not fit: EMSGSIZE and the way out; --force writes it
    os.remove(out)
    r = run([ipec, "sign", large, "--form=attached", "--key", KEY, "--cert", CERT, "-o", out])
    err = r.stderr.decode()
    expect(r.returncode == 1 and "bytes of table; the kernel refuses more than 65535 with EMSGSIZE; nothing written"
           in err and "ipec: note: a table this large loads through the detached-signature wrapper: --form=detached"
           in err and not os.path.exists(out), "--form=attached refuses a table over the limit", r)
    r = run([ipec, "sign", large, "--form=attached", "--force", "--key", KEY, "--cert", CERT, "-o", out])
    expect(r.returncode == 0 and os.path.getsize(out) > 65535, "--form=attached --force writes it", r)
    r, doc = verify_json(ipec, out)
    expect(r.returncode == 1 and doc["problem"]["id"] == "too-large", "ipec verify refuses it with too-large", r)


def main():
    ipec, corpus = os.path.abspath(sys.argv[1]), sys.argv[2]
    if not shutil.which("openssl"):
        print("openssl is not installed")
        return 77
    d = tempfile.mkdtemp(prefix="ipec-sign-")
    texts = {
        "plain": b"policy_name=p policy_version=0.0.1\nDEFAULT action=ALLOW\n",
        "crlf-nul": b"policy_name=q policy_version=0.0.2\r\nDEFAULT action=ALLOW\r\n\0tail\r",
        "no-final-newline": b"policy_name=r policy_version=1.0.0\nDEFAULT action=DENY",
        "empty": b"",
    }
    # 1. byte for byte with openssl smime, both forms, every digest
    for name, text in texts.items():
        pol = os.path.join(d, name + ".pol")
        open(pol, "wb").write(text)
        for form in ([], ["--no-certs"]):
            for digest in ("sha256", "sha384", "sha512"):
                tag = "%s %s %s" % (name, digest, form[0] if form else "certs")
                mine, ref = os.path.join(d, "mine.p7s"), os.path.join(d, "ref.p7s")
                r = run([ipec, "sign", pol, "--key", KEY, "--cert", CERT, "-o", mine, "--digest", digest, "--force"] + form)
                expect(r.returncode == 0, "ipec sign " + tag, r)
                smime(pol, ref, "-md", digest, *(["-nocerts"] if form else []))
                expect(open(mine, "rb").read() == open(ref, "rb").read(), "byte-identical to openssl smime: " + tag)
    # the same bytes as the committed blob made by openssl (tests/sign/make-data.sh)
    out = os.path.join(d, "policy.p7s")
    r = run([ipec, "sign", os.path.join(DATA, "policy.pol"), "--key", KEY, "--cert", CERT, "-o", out])
    expect(r.returncode == 0 and open(out, "rb").read() == open(os.path.join(DATA, "good.p7s"), "rb").read(),
           "ipec sign reproduces tests/sign/data/good.p7s", r)

    # keys in every form a file may hold: PEM and DER, PKCS#8 and traditional, RSA and EC
    want = open(os.path.join(DATA, "good.p7s"), "rb").read()
    for form, args in (("DER PKCS#8", ["pkey", "-outform", "der"]), ("DER traditional", ["rsa", "-outform", "der", "-traditional"]),
                       ("PEM traditional", ["rsa", "-traditional"])):
        k = os.path.join(d, "k")
        run(["openssl"] + args + ["-in", KEY, "-out", k])
        kout = os.path.join(d, "k.p7s")
        r = run([ipec, "sign", os.path.join(DATA, "policy.pol"), "--key", k, "--cert", CERT, "-o", kout])
        expect(r.returncode == 0 and open(kout, "rb").read() == want, "an RSA key as " + form, r)
    for form, args in (("DER", ["pkey", "-outform", "der"]), ("PEM traditional", ["ec"])):
        k = os.path.join(d, "k")
        run(["openssl"] + args + ["-in", os.path.join(DATA, "ec.key"), "-out", k])
        r = run([ipec, "sign", os.path.join(d, "plain.pol"), "--key", k, "--cert", os.path.join(DATA, "ec.pem"), "-o",
                 os.path.join(d, "k.p7s")])
        expect(r.returncode == 0, "an EC key as " + form, r)

    # 2. openssl verifies ipec's blobs (RSA and EC, both forms); ipec verifies openssl's
    pol = os.path.join(d, "plain.pol")
    for key, cert in ((KEY, CERT), (os.path.join(DATA, "ec.key"), os.path.join(DATA, "ec.pem"))):
        for form in ([], ["--no-certs"]):
            blob = os.path.join(d, "x.p7s")
            r = run([ipec, "sign", pol, "--key", key, "--cert", cert, "-o", blob] + form)
            expect(r.returncode == 0, "ipec sign %s %s" % (os.path.basename(key), form), r)
            content = os.path.join(d, "content")
            r = run(["openssl", "cms", "-verify", "-binary", "-inform", "der", "-in", blob, "-CAfile", cert,
                     "-purpose", "any", "-out", content] + (["-certfile", cert] if form else []))
            expect(r.returncode == 0 and open(content, "rb").read() == texts["plain"],
                   "openssl cms -verify accepts ipec's blob (%s %s)" % (os.path.basename(key), form), r)
    for form in ([], ["-nocerts"]):
        blob = os.path.join(d, "o.p7s")
        smime(pol, blob, *form)
        r = run([ipec, "verify", blob, "--cert", CERT, "--format=json"])
        doc = json.loads(r.stdout or b"{}")
        expect(r.returncode == 0 and doc.get("ok") and doc["policy"]["name"] == "p",
               "ipec verify accepts openssl smime's blob %s" % form, r)

    # 3. tampered blobs
    blob = open(os.path.join(d, "policy.p7s"), "rb").read()
    text = open(os.path.join(DATA, "policy.pol"), "rb").read()
    at = blob.find(text)

    def flipped(i):
        b = bytearray(blob)
        b[i] ^= 0x01
        return bytes(b)
    for what, data, problem in (("a content byte flipped", flipped(at + 20), "bad-signature"),
                                ("a signature byte flipped", flipped(len(blob) - 17), "undecodable-signature"),
                                ("the last signature byte flipped", flipped(len(blob) - 1), "undecodable-signature"),
                                ("truncated", blob[:-1], "not-der"),
                                ("truncated to half", blob[:len(blob) // 2], "not-der")):
        t = os.path.join(d, "t.p7s")
        open(t, "wb").write(data)
        r = run([ipec, "verify", t, "--cert", CERT, "--format=json"])
        doc = json.loads(r.stdout or b"{}")
        expect(r.returncode == 1 and (doc.get("problem") or {}).get("id") == problem,
               "ipec verify refuses %s (%s)" % (what, problem), r)

    # 4. EMSGSIZE at the boundary: the test certificate is 847 DER bytes, like the kernel suite's
    expect(os.path.getsize(os.path.join(DATA, "rsa.der")) == 847, "the test certificate is 847 bytes")
    p078 = os.path.join(corpus, "078-der-65535.pol")
    p079 = os.path.join(corpus, "079-der-65536.pol")
    o078 = os.path.join(d, "078.p7s")
    r = run([ipec, "sign", p078, "--key", KEY, "--cert", CERT, "-o", o078])
    expect(r.returncode == 0 and os.path.getsize(o078) == 65535, "078 signs to exactly 65 535 bytes", r)
    r = run([ipec, "verify", o078, "--cert", CERT])
    expect(r.returncode == 0, "ipec verify accepts the 65 535-byte blob", r)
    o079 = os.path.join(d, "079.p7s")
    r = run([ipec, "sign", p079, "--key", KEY, "--cert", CERT, "-o", o079])
    expected = ("ipec: error: %s: 65536 bytes of PKCS#7 for 64257 bytes of policy; the kernel refuses more than 65535 "
                "with EMSGSIZE; nothing written\n"
                "ipec: note: without the certificate (--no-certs; the kernel finds it in its keyring) the blob would "
                "be 64685 bytes, which fits\n"
                "ipec: note: with this key and certificate the policy may be at most 64256 bytes; remove rules (1 byte "
                "too many)\n"
                "ipec: note: an ECDSA P-256 key and certificate cost about 650 bytes of PKCS#7 instead of 1279\n") % o079
    expect(r.returncode == 1 and r.stderr.decode() == expected and not os.path.exists(o079),
           "079 is refused with EMSGSIZE, nothing written, and what would fit", r)
    r = run([ipec, "check", p079, "--signer-cert", CERT])
    expect(r.returncode == 1 and b"[policy-too-large]" in r.stderr, "ipec check's model agrees for 079", r)
    r = run([ipec, "sign", p079, "--key", KEY, "--cert", CERT, "-o", o079, "--no-certs"])
    expect(r.returncode == 0 and os.path.getsize(o079) == 64685, "079 --no-certs fits (64 685 bytes)", r)
    r = run([ipec, "sign", p079, "--key", KEY, "--cert", CERT, "-o", o079, "--force"])
    expect(r.returncode == 0 and os.path.getsize(o079) == 65536 and b"written anyway" in r.stderr,
           "079 --force writes the 65 536-byte blob", r)
    r = run([ipec, "verify", o079, "--cert", CERT, "--format=json"])
    doc = json.loads(r.stdout or b"{}")
    expect(r.returncode == 1 and doc["problem"]["id"] == "too-large" and doc["problem"]["kernel_errno"] == "EMSGSIZE",
           "ipec verify refuses the 65 536-byte blob with EMSGSIZE", r)

    tables(ipec, d)

    # 5. output: atomic replacement, standard output, key material never printed
    r = run([ipec, "sign", pol, "--key", KEY, "--cert", CERT, "-o", "-"])
    expect(r.returncode == 0 and r.stdout[:1] == b"\x30" and b"signed" in r.stderr, "-o - writes the blob to stdout", r)
    master, slave = os.openpty()
    r = run([ipec, "sign", pol, "--key", KEY, "--cert", CERT, "-o", "-"], stdout=slave)
    os.close(slave)
    os.set_blocking(master, False)
    try:
        on_terminal = os.read(master, 4096)
    except OSError:  # nothing was written: EAGAIN, or EIO once the slave side is closed
        on_terminal = b""
    os.close(master)
    expect(r.returncode == 2 and b"standard output is a terminal" in r.stderr and not on_terminal,
           "-o - refuses a terminal, writing nothing to it", r)
    key_body = open(KEY).read().split("-----")[2].strip().splitlines()[1].encode()
    for argv in ([ipec, "sign", pol, "--key", KEY, "--cert", os.path.join(DATA, "other.pem"), "-o", "-"],
                 [ipec, "sign", pol, "--key", KEY, "--cert", KEY], [ipec, "verify", KEY]):
        r = run(argv)
        expect(r.returncode != 0 and key_body not in r.stdout + r.stderr, "no key material in: " + " ".join(argv[1:2]), r)
    shutil.rmtree(d)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
