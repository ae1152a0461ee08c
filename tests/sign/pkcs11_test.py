#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""ipec sign with a key in a PKCS#11 token: SoftHSM 2 through OpenSSL's pkcs11 engine (libp11).
The blob equals the one signed with the same key from a file. A wrong PIN, a missing object and a
missing module fail with status 2 and never show the PIN. Skipped (77) without softhsm2 or
libengine-pkcs11-openssl (scripts/setup installs both).

    pkcs11_test.py IPEC
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

from testlib import DATA, expect, summary

MODULES = ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"]


def main():
    ipec = os.path.abspath(sys.argv[1])
    module = next((m for m in MODULES if os.path.exists(m)), None)
    engine = glob.glob("/usr/lib/*/engines-3/pkcs11.so") + glob.glob("/usr/lib/engines-3/pkcs11.so")
    if not (module and engine and shutil.which("softhsm2-util") and shutil.which("openssl")):
        print("softhsm2 or libengine-pkcs11-openssl is missing (scripts/setup installs them): skipped")
        return 77
    d = tempfile.mkdtemp(prefix="ipec-p11-")
    conf = os.path.join(d, "softhsm2.conf")
    os.makedirs(os.path.join(d, "tokens"))
    with open(conf, "w") as f:
        f.write("directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n" % d)
    env = dict(os.environ, SOFTHSM2_CONF=conf, NO_COLOR="1")
    env.pop("IPEC_PKCS11_PIN", None)
    env.pop("IPEC_PKCS11_MODULE", None)

    def run(argv, **extra):
        return subprocess.run(argv, capture_output=True, timeout=120, env=dict(env, **extra))

    pin = "48151623"
    r = run(["softhsm2-util", "--init-token", "--free", "--label", "ipec-test", "--pin", pin, "--so-pin", "87654321"])
    expect(r.returncode == 0, "softhsm2: a token", r)
    p8 = os.path.join(d, "key.p8")
    run(["openssl", "pkcs8", "-topk8", "-nocrypt", "-in", os.path.join(DATA, "rsa.key"), "-out", p8])
    r = run(["softhsm2-util", "--import", p8, "--token", "ipec-test", "--label", "signer", "--id", "01", "--pin", pin])
    expect(r.returncode == 0, "softhsm2: the test key imported", r)
    pol, cert = os.path.join(DATA, "policy.pol"), os.path.join(DATA, "rsa.pem")
    want = open(os.path.join(DATA, "good.p7s"), "rb").read()
    base = "pkcs11:token=ipec-test;object=signer;type=private"
    out = os.path.join(d, "p11.p7s")
    r = run([ipec, "sign", pol, "--key", "%s?module-path=%s&pin-value=%s" % (base, module, pin), "--cert", cert,
             "-o", out])
    expect(r.returncode == 0 and open(out, "rb").read() == want,
           "module-path and pin-value in the URI: the same blob as with the key file", r)
    os.remove(out)
    r = run([ipec, "sign", pol, "--key", base, "--cert", cert, "-o", out], IPEC_PKCS11_MODULE=module,
            IPEC_PKCS11_PIN=pin)
    expect(r.returncode == 0 and open(out, "rb").read() == want, "IPEC_PKCS11_MODULE and IPEC_PKCS11_PIN", r)
    r = run([ipec, "verify", out, "--cert", cert])
    expect(r.returncode == 0, "ipec verify accepts the token-signed blob", r)
    for what, uri, extra in (("a wrong PIN", "%s;pin-value=00000000" % base, {"IPEC_PKCS11_MODULE": module}),
                             ("a wrong PIN as the first attribute", "pkcs11:pin-value=00000000;token=ipec-test;object=signer",
                              {"IPEC_PKCS11_MODULE": module}),
                             ("a missing object", "pkcs11:token=ipec-test;object=nope", {"IPEC_PKCS11_MODULE": module,
                                                                                         "IPEC_PKCS11_PIN": pin}),
                             ("a missing module", "%s?module-path=%s/none.so" % (base, d), {"IPEC_PKCS11_PIN": pin})):
        r = run([ipec, "sign", pol, "--key", uri, "--cert", cert, "-o", os.path.join(d, "no.p7s")], **extra)
        expect(r.returncode == 2 and b"ipec: error: --key:" in r.stderr and pin.encode() not in r.stderr + r.stdout
               and b"00000000" not in r.stderr and not os.path.exists(os.path.join(d, "no.p7s")),
               "%s fails with status 2, no PIN shown" % what, r)
    shutil.rmtree(d)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
