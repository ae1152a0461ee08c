#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Regenerates tests/sign/data: throw-away test keys (made once, then kept) (never trust them anywhere) and blobs made by
# openssl, for the goldens and tests/sign/sign_test.py. The RSA signer's certificate is made like
# the kernel suite's (a 24-character CN, a 20-byte serial): 847 DER bytes, so the size boundary of
# conformance files 078/079 holds for it too. Run from anywhere; needs openssl.
set -eu
D=$(cd "$(dirname "$0")" && pwd)/data
mkdir -p "$D"
cd "$D"
cert() { # NAME CN SERIAL KEYALG...: kept when it exists (the goldens name its serial and SKID)
  n=$1 cn=$2 serial=$3
  shift 3
  [ -f "$n.pem" ] && return 0
  openssl req -x509 -newkey "$@" -sha256 -nodes -days 36500 -subj "/CN=$cn" -set_serial "$serial" \
    -addext "keyUsage=critical,digitalSignature" -addext "extendedKeyUsage=codeSigning" \
    -addext "basicConstraints=critical,CA:FALSE" -keyout "$n.key" -out "$n.pem" 2> /dev/null
}
cert rsa "IPEC sign-test signer 01" 0x495045432d7369676e2d74657374732d30303031 rsa:2048
cert other "IPEC sign-test other  02" 0x495045432d7369676e2d74657374732d30303032 rsa:2048
cert ec "IPEC sign-test EC signer" 0x495045432d7369676e2d74657374732d30303033 ec -pkeyopt ec_paramgen_curve:P-256
openssl x509 -in rsa.pem -outform der -out rsa.der
# valid only from 2090: a signing time of today lies outside it (python3-cryptography sets the date)
[ -f notyet.pem ] || openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out notyet.key 2> /dev/null
[ -f notyet.pem ] || python3 - << 'PY'
import datetime
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
key = serialization.load_pem_private_key(open("notyet.key", "rb").read(), None)
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "IPEC sign-test valid from 2090")])
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(0x4950454332303930).not_valid_before(datetime.datetime(2090, 1, 1))
        .not_valid_after(datetime.datetime(2190, 1, 1)).sign(key, hashes.SHA256()))
open("notyet.pem", "wb").write(cert.public_bytes(serialization.Encoding.PEM))
PY
[ -f encrypted.key ] || openssl pkey -in rsa.key -aes256 -passout pass:test -out encrypted.key
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
openssl smime -sign -in policy.pol -signer notyet.pem -inkey notyet.key -outform der -out notyet.p7s -nodetach -binary -nosmimecap
openssl cms -data_create -in policy.pol -outform der -out data.p7s
openssl cms -sign -in policy.pol -signer rsa.pem -inkey rsa.key -outform der -out econtent.p7s -nodetach -binary \
  -econtent_type 1.3.6.1.4.1.311.2.1.4
openssl cms -sign -in policy.pol -signer rsa.pem -inkey rsa.key -outform der -out econtent-keyid.p7s -nodetach -nosmimecap \
  -binary -keyid -econtent_type 1.3.6.1.4.1.311.2.1.4
openssl crl2pkcs7 -nocrl -certfile rsa.pem -outform der -out no-signer.p7s
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

# Blobs openssl does not write, edited at the DER level: one-byte tags, definite lengths.
def parse(b):
    tag, n, h = b[0], b[1], 2
    if n & 0x80:
        k = n & 0x7f
        n, h = int.from_bytes(b[2:2 + k], "big"), 2 + k
    body = b[h:h + n]
    if not tag & 0x20:
        return [tag, body], b[h + n:]
    kids = []
    while body:
        k, body = parse(body)
        kids.append(k)
    return [tag, kids], b[h + n:]
def enc(node):
    tag, v = node
    body = v if isinstance(v, bytes) else b"".join(enc(k) for k in v)
    n = len(body)
    ln = bytes([n]) if n < 0x80 else bytes([0x80 | ((n.bit_length() + 7) // 8)]) + n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag]) + ln + body
OID_CONTENT_TYPE, OID_MESSAGE_DIGEST = bytes.fromhex("2a864886f70d010903"), bytes.fromhex("2a864886f70d010904")
def signer_info(doc):
    return doc[1][1][1][0][1][-1][1][0]  # ContentInfo / [0] / SignedData / signerInfos / first
def attrs_of(si):
    return next(k for k in si[1] if k[0] == 0xa0)
doc, _ = parse(good)
doc[1][1][1][0][1][-1][1] = []  # no SignerInfo at all
open("no-signer-attached.p7s", "wb").write(enc(doc))
doc, _ = parse(open("attrs-nosmimecap.p7s", "rb").read())
a = attrs_of(signer_info(doc))
a[1] = [x for x in a[1] if x[1][0][1] != OID_CONTENT_TYPE]
open("missing-attribute.p7s", "wb").write(enc(doc))
doc, _ = parse(open("attrs-nosmimecap.p7s", "rb").read())
a = attrs_of(signer_info(doc))
a[1] = a[1] + [x for x in a[1] if x[1][0][1] == OID_MESSAGE_DIGEST]
open("repeated-attribute.p7s", "wb").write(enc(doc))
doc, _ = parse(good)
doc[1][1][1][0][1][0][1] = b"\x02"  # SignedData version 2
open("version2.p7s", "wb").write(enc(doc))
PY
# The detached-signature wrapper (docs/table-format.md): malformed ones, and well-formed ones whose
# content the kernel's loader refuses. short.tbl has the table magic but not its 64-byte header, so
# it stays refused whatever the format version.
printf 'IPECTBL\000\000\000\000\000\000\000\000\000' > short.tbl
openssl smime -sign -in short.tbl -signer rsa.pem -inkey rsa.key -outform der -out short-tbl.p7s -noattr -nodetach -binary
openssl smime -sign -in short.tbl -signer rsa.pem -inkey rsa.key -outform der -out short-tbl.sig -noattr -binary
openssl smime -sign -in policy.pol -signer rsa.pem -inkey rsa.key -outform der -out policy.sig -noattr -binary
python3 - << 'PY'
import struct
def wrapper(table, sig, version=1, t=None, s=None):
    return b"IPECDSG\0" + struct.pack("<IIQ", version, len(sig) if s is None else s,
                                       len(table) if t is None else t) + table + sig
table, sig = open("short.tbl", "rb").read(), open("short-tbl.sig", "rb").read()
open("wrapper-short-table.dsg", "wb").write(wrapper(table, sig))
open("wrapper-text.dsg", "wb").write(wrapper(open("policy.pol", "rb").read(), open("policy.sig", "rb").read()))
open("wrapper-version2.dsg", "wb").write(wrapper(table, sig, version=2))
open("wrapper-sizes.dsg", "wb").write(wrapper(table, sig, t=len(table) + 1))
open("wrapper-header.dsg", "wb").write(b"IPECDSG\0\1\0\0\0")
open("wrapper-attached.dsg", "wb").write(wrapper(table, open("short-tbl.p7s", "rb").read()))
flipped = bytearray(table)
flipped[12] ^= 1
open("wrapper-tampered.dsg", "wb").write(wrapper(bytes(flipped), sig))
PY
rm short-tbl.sig policy.sig
ls -l "$D"
