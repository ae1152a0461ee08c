#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Exact size model of the PKCS#7 / CMS SignedData DER blob produced by
`openssl smime -sign -nodetach -noattr -nosmimecap -outform der` and
`openssl cms -sign -nodetach -noattr -nosmimecap -outform der` (OpenSSL 3.0.x).

All encodings are DER (definite length).  Every tag used is a single byte.
"""

# ---------------------------------------------------------------- DER primitives

def len_octets(n):
    """Number of octets of a DER length field for a content of n bytes."""
    if n < 0x80:
        return 1
    k = 0
    while n:
        k += 1
        n >>= 8
    return 1 + k          # 0x80|k followed by k bytes


def tlv(n):
    """Size of a complete TLV with a one-byte tag and n content bytes."""
    return 1 + len_octets(n) + n


def int_der_len(v):
    """Size of the DER INTEGER encoding of a non-negative integer v."""
    nbytes = max(1, (v.bit_length() + 8) // 8)   # +1 bit for the sign
    return tlv(nbytes)


def ecdsa_sig_len(r_bytes, s_bytes):
    """Size of Ecdsa-Sig-Value = SEQUENCE { INTEGER r, INTEGER s } given the
    INTEGER content lengths (including a 0x00 pad byte when the top bit is set)."""
    return tlv(tlv(r_bytes) + tlv(s_bytes))


def ecdsa_sig_max(field_bits):
    """Largest possible ECDSA signature for a curve whose order has field_bits bits."""
    nb = (field_bits + 7) // 8
    pad = 1 if field_bits % 8 == 0 else 0  # top bit may be set -> 0x00 pad
    return ecdsa_sig_len(nb + pad, nb + pad)


# ---------------------------------------------------------------- constants (TLV sizes)
OID_SIGNED_DATA = 11   # 06 09 2a864886f70d010702
OID_DATA = 11          # 06 09 2a864886f70d010701
VERSION = 3            # 02 01 0v  (v = 1 or 3)

DIGEST_OID = {          # full TLV size of the digest OBJECT IDENTIFIER
    'sha1': 7, 'sha224': 11, 'sha256': 11, 'sha384': 11, 'sha512': 11,
}
# signatureAlgorithm in SignerInfo (full AlgorithmIdentifier TLV)
SIGALG_RSA = 15        # SEQ { rsaEncryption OID (11), NULL (2) }     (smime and cms)
SIGALG_ECDSA = 12      # SEQ { ecdsa-with-SHA224/256/384/512 OID (10) }  no parameters
SIGALG_ECDSA_SHA1 = 11 # SEQ { ecdsa-with-SHA1 OID (9) }  (1.2.840.10045.4.1 is one arc shorter)


def digest_algid(digest, tool):
    """AlgorithmIdentifier for the digest.  `openssl smime` (PKCS7 code) writes
    NULL parameters; `openssl cms` omits them for SHA-1/SHA-2."""
    oid = DIGEST_OID[digest]
    return tlv(oid + (2 if tool == 'smime' else 0))


# ---------------------------------------------------------------- the model

def signed_der_size(content_len, *, cert_lens, sig_len, sigalg_len,
                    issuer_len, serial_len, digest='sha256', tool='smime',
                    sid='issuer_serial', ski_len=20):
    """Exact DER size.

    content_len : bytes inside the eContent OCTET STRING (the text as signed;
                  for non -binary mode, the CRLF-canonicalised text)
    cert_lens   : list of DER sizes of embedded certificates ([] for -nocerts)
    sig_len     : signature bytes (RSA: modulus bytes; ECDSA: DER Ecdsa-Sig-Value size)
    sigalg_len  : SIGALG_RSA or SIGALG_ECDSA
    issuer_len  : DER size of the signer certificate's issuer Name (whole TLV)
    serial_len  : DER size of the signer certificate's serialNumber INTEGER (whole TLV)
    tool        : 'smime' or 'cms'
    sid         : 'issuer_serial' or 'ski' (cms -keyid)
    ski_len     : subjectKeyIdentifier octets (content of the extension's inner OCTET STRING)
    """
    algid = digest_algid(digest, tool)
    # EncapsulatedContentInfo ::= SEQ { OID data, [0] EXPLICIT OCTET STRING }
    encap = tlv(OID_DATA + tlv(tlv(content_len)))
    # digestAlgorithms SET OF AlgorithmIdentifier
    digest_set = tlv(algid)
    # certificates [0] IMPLICIT SET OF Certificate (absent when empty)
    certs = tlv(sum(cert_lens)) if cert_lens else 0
    # SignerInfo
    if sid == 'ski':
        sid_size = tlv(ski_len)                    # [0] IMPLICIT OCTET STRING
    else:
        sid_size = tlv(issuer_len + serial_len)    # SEQ { Name, INTEGER }
    signer_info = tlv(VERSION + sid_size + algid + sigalg_len + tlv(sig_len))
    signer_infos = tlv(signer_info)                # SET OF SignerInfo (one signer)
    signed_data = tlv(VERSION + digest_set + encap + certs + signer_infos)
    return tlv(OID_SIGNED_DATA + tlv(signed_data))  # ContentInfo


def max_content(limit=65535, **kw):
    """Largest content_len with signed_der_size <= limit (size is monotone in content_len)."""
    lo, hi = -1, limit
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if signed_der_size(mid, **kw) <= limit:
            lo = mid
        else:
            hi = mid
    return lo


# ---------------------------------------------------------------- CRLF canonicalisation
# Mirrors OpenSSL 3.0 SMIME_crlf_copy() (crypto/asn1/asn1_mime.c) without
# SMIME_BINARY / SMIME_TEXT / SMIME_ASCIICRLF, reading through a file BIO:
# BIO_gets(linebuf, 1024) == fgets(buf, 1024) then strlen(buf).
MAX_SMLEN = 1024


def crlf_canon(data: bytes) -> bytes:
    out = bytearray()
    pos = 0
    n = len(data)
    while pos < n:
        # fgets: up to MAX_SMLEN-1 bytes, stops after '\n'
        end = min(n, pos + MAX_SMLEN - 1)
        nl = data.find(b'\n', pos, end)
        if nl >= 0:
            end = nl + 1
        chunk = data[pos:end]
        pos = end
        # file_gets returns strlen(buf): a NUL cuts the chunk; 0 => treated as EOF
        z = chunk.find(b'\0')
        if z >= 0:
            chunk = chunk[:z]
        if len(chunk) == 0:
            break
        # strip_eol: drop trailing '\n' and '\r' characters
        L = len(chunk)
        is_eol = False
        while L > 0:
            c = chunk[L - 1]
            if c == 0x0A:
                is_eol = True
            elif c != 0x0D:
                break
            L -= 1
        if L > 0:
            out += chunk[:L]
            if is_eol:
                out += b'\r\n'
        elif is_eol:
            out += b'\r\n'
    return bytes(out)


# ---------------------------------------------------------------- certificate parameters

def _hdr(b, i):
    """-> (tag, header_len, content_len) of the TLV at b[i]."""
    tag = b[i]
    l = b[i + 1]
    if l < 0x80:
        return tag, 2, l
    k = l & 0x7F
    return tag, 2 + k, int.from_bytes(b[i + 2:i + 2 + k], 'big')


def _children(b, i):
    tag, h, n = _hdr(b, i)
    j, end = i + h, i + h + n
    out = []
    while j < end:
        t, hh, nn = _hdr(b, j)
        out.append((t, j, hh + nn))
        j += hh + nn
    return out


def cert_params(der: bytes):
    """Return the parameters the model needs from a signer certificate DER."""
    cert = _children(der, 0)
    tbs = _children(der, cert[0][1])
    k = 1 if tbs[0][0] == 0xA0 else 0     # optional [0] version
    serial = tbs[k]
    issuer = tbs[k + 2]
    spki = tbs[k + 5]
    p = dict(cert_len=len(der), serial_len=serial[2], issuer_len=issuer[2])
    # key type from SubjectPublicKeyInfo.algorithm OID
    alg = _children(der, spki[1])[0]
    oid = _children(der, alg[1])[0]
    oid_bytes = der[oid[1] + 2: oid[1] + oid[2]]
    bitstr = _children(der, spki[1])[1]
    if oid_bytes == bytes.fromhex('2a864886f70d010101'):   # rsaEncryption
        p['key'] = 'rsa'
        rsapub = bitstr[1] + _hdr(der, bitstr[1])[1] + 1   # skip unused-bits octet
        mod = _children(der, rsapub)[0]
        t, h, n = _hdr(der, mod[1])
        m = int.from_bytes(der[mod[1] + h: mod[1] + h + n], 'big')
        p['sig_len'] = (m.bit_length() + 7) // 8
        p['sigalg_len'] = SIGALG_RSA
    else:
        p['key'] = 'ec'
        curve = _children(der, alg[1])[1]
        cb = der[curve[1] + 2: curve[1] + curve[2]]
        bits = {bytes.fromhex('2a8648ce3d030107'): 256, bytes.fromhex('2b81040022'): 384,
                bytes.fromhex('2b81040023'): 521}[cb]
        p['curve_bits'] = bits
        p['sig_len'] = ecdsa_sig_max(bits)       # conservative (maximum)
        p['sigalg_len'] = SIGALG_ECDSA
    # subjectKeyIdentifier
    p['ski_len'] = None
    if len(tbs) > k + 6 and tbs[-1][0] == 0xA3:
        exts = _children(der, _children(der, tbs[-1][1])[0][1])
        for e in exts:
            parts = _children(der, e[1])
            o = der[parts[0][1] + 2: parts[0][1] + parts[0][2]]
            if o == bytes.fromhex('551d0e'):
                val = parts[-1]                        # OCTET STRING wrapping OCTET STRING
                inner = val[1] + _hdr(der, val[1])[1]
                p['ski_len'] = _hdr(der, inner)[2]
    return p


def predict_for_cert(content_len, cp, mode, sig_len=None):
    """Convenience: mode in default|nocerts|text|sha512|cms|cmskid|... (see measure.py)."""
    tool = 'cms' if mode.startswith('cms') else 'smime'
    digest = 'sha256'
    for d in ('sha512', 'sha384', 'sha1', 'sha224'):
        if d in mode:
            digest = d
    return signed_der_size(
        content_len,
        cert_lens=[] if 'nocerts' in mode else [cp['cert_len']],
        sig_len=cp['sig_len'] if sig_len is None else sig_len,
        sigalg_len=(SIGALG_ECDSA_SHA1 if cp['key'] == 'ec' and digest == 'sha1' else cp['sigalg_len']),
        issuer_len=cp['issuer_len'],
        serial_len=cp['serial_len'], digest=digest, tool=tool,
        sid='ski' if 'kid' in mode else 'issuer_serial',
        ski_len=cp['ski_len'] or 20)


# ---------------------------------------------------------------- -stream / -indef (BER), informational
STREAM_CHUNK = 4096    # BIO_f_buffer default size in SMIME_crlf_copy(): each flush -> one OCTET STRING


def streamed_ber_size(content_len, *, cert_lens, sig_len, sigalg_len, issuer_len, serial_len,
                      digest='sha256', tool='smime', sid='issuer_serial', ski_len=20):
    """Size with `-stream`/`-indef` (NOT used by kernel-oracle): ContentInfo, [0], SignedData,
    encapContentInfo, its [0] and the eContent OCTET STRING are indefinite-length (80 ... 00 00);
    the eContent is a constructed OCTET STRING of 4096-byte primitive chunks (last one shorter).
    content_len == 0 makes openssl fail (no output)."""
    algid = digest_algid(digest, tool)
    full, rest = divmod(content_len, STREAM_CHUNK)
    chunks = full * tlv(STREAM_CHUNK) + (tlv(rest) if rest else 0)
    indef = 2 + 2            # 0x80 header byte pair + end-of-contents 00 00, per indefinite TLV
    certs = tlv(sum(cert_lens)) if cert_lens else 0
    sid_size = tlv(ski_len) if sid == 'ski' else tlv(issuer_len + serial_len)
    signer_infos = tlv(tlv(VERSION + sid_size + algid + sigalg_len + tlv(sig_len)))
    return (6 * indef + OID_SIGNED_DATA + VERSION + tlv(algid) + OID_DATA + chunks
            + certs + signer_infos)
