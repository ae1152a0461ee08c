#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Regenerates tests/sign/data: throw-away test keys (never trust them anywhere) and blobs made by
# openssl, for the goldens and tests/sign/sign_test.py. The RSA signer's certificate is made like
# the kernel suite's (a 24-character CN, a 20-byte serial): 847 DER bytes, so the size boundary of
# conformance files 078/079 holds for it too. Run from anywhere; needs openssl.
set -eu
D=$(cd "$(dirname "$0")" && pwd)/data
mkdir -p "$D"
cd "$D"
cert() { # NAME CN SERIAL KEYALG...
  n=$1 cn=$2 serial=$3
  shift 3
  openssl req -x509 -newkey "$@" -sha256 -nodes -days 36500 -subj "/CN=$cn" -set_serial "$serial" \
    -addext "keyUsage=critical,digitalSignature" -addext "extendedKeyUsage=codeSigning" \
    -addext "basicConstraints=critical,CA:FALSE" -keyout "$n.key" -out "$n.pem" 2> /dev/null
}
cert rsa "IPEC sign-test signer 01" 0x495045432d7369676e2d74657374732d30303031 rsa:2048
cert other "IPEC sign-test other  02" 0x495045432d7369676e2d74657374732d30303032 rsa:2048
cert ec "IPEC sign-test EC signer" 0x495045432d7369676e2d74657374732d30303033 ec -pkeyopt ec_paramgen_curve:P-256
openssl x509 -in rsa.pem -outform der -out rsa.der
openssl pkey -in rsa.key -aes256 -passout pass:test -out encrypted.key
printf 'policy_name=signed policy_version=1.2.3\nDEFAULT action=ALLOW\nDEFAULT op=KMODULE action=DENY\nop=KMODULE boot_verified=TRUE action=ALLOW\n' > policy.pol
sign() { # OUT EXTRA-FLAGS...: the kernel suite's form, unless the flags change it
  out=$1
  shift
  openssl smime -sign -in policy.pol -signer rsa.pem -inkey rsa.key -outform der -out "$out" "$@"
}
sign good.p7s -noattr -nodetach -binary
sign nocerts.p7s -noattr -nodetach -binary -nocerts
sign attrs.p7s -nodetach -binary
sign attrs-nosmimecap.p7s -nodetach -binary -nosmimecap
sign detached.p7s -noattr -binary
openssl smime -sign -in policy.pol -signer other.pem -inkey other.key -outform der -out by-other.p7s -noattr -nodetach -binary
openssl cms -cmsout -inform der -in good.p7s -outform pem -out good.pem.p7s
python3 - << 'PY'
good = open("good.p7s", "rb").read()
text = open("policy.pol", "rb").read()
at = good.find(text)
def flip(i):
    b = bytearray(good); b[i] ^= 1; return bytes(b)
open("tampered-content.p7s", "wb").write(flip(at + 12))
open("tampered-signature.p7s", "wb").write(flip(len(good) - 17))
open("truncated.p7s", "wb").write(good[:-1])
open("trailing.p7s", "wb").write(good + b"\0")
PY
ls -l "$D"
