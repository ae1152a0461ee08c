#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Sign texts of many lengths with every key and mode, compare the DER size with model.py.

Writes results.tsv (one row per signature) and prints a summary.
Usage: ./measure.py [--quick]
"""
import os, random, zlib, subprocess, sys, tempfile
import model

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = os.path.join(HERE, 'keys')
TMP = tempfile.mkdtemp(prefix='pkcs7-', dir=os.path.join(HERE, 't'))

COMMON = ['-noattr', '-nodetach', '-nosmimecap', '-outform', 'der']
MODES = {
    # name: argv after `openssl`
    'default':     ['smime', '-sign', *COMMON, '-binary'],
    'nocerts':     ['smime', '-sign', *COMMON, '-binary', '-nocerts'],
    'text':        ['smime', '-sign', *COMMON],                       # CRLF canonicalisation
    'sha512':      ['smime', '-sign', *COMMON, '-binary', '-md', 'sha512'],
    'sha384':      ['smime', '-sign', *COMMON, '-binary', '-md', 'sha384'],
    'sha1':        ['smime', '-sign', *COMMON, '-binary', '-md', 'sha1'],
    'cms':         ['cms', '-sign', *COMMON, '-binary'],
    'cmskid':      ['cms', '-sign', *COMMON, '-binary', '-keyid'],
    'cmsnocerts':  ['cms', '-sign', *COMMON, '-binary', '-nocerts'],
    'cmskidnocerts': ['cms', '-sign', *COMMON, '-binary', '-keyid', '-nocerts'],
    'cmssha512':   ['cms', '-sign', *COMMON, '-binary', '-md', 'sha512'],
    'cmstext':     ['cms', '-sign', *COMMON],                         # CRLF canonicalisation
}
CERTS = ['oracle', 'untrust', 'noext', 'shortcn', 'longcn', 'rsa2048multi', 'rsa3072', 'rsa4096',
         'ec256', 'ec256x', 'ec256multi', 'ec384']

FIXED = [0, 1, 2, 55, 56, 100, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122,
         123, 124, 125, 126, 127, 128, 129, 200, 239, 240, 241, 242, 243, 244, 245, 250, 253, 254,
         255, 256, 257, 1000, 4096, 10000, 32768, 64000, 64200, 64256, 64257, 64300, 64500, 65000,
         65400, 65500, 65530, 65531, 65532, 65533, 65534, 65535, 65536, 65537, 70000, 100000]


def policy_text(n, seed, crlf_mix=False):
    """Deterministic policy-like text of exactly n bytes."""
    rnd = random.Random(seed)
    parts = [b'policy_name=size-test policy_version=0.0.1\n', b'DEFAULT action=ALLOW\n']
    while sum(map(len, parts)) < n:
        h = '%064x' % rnd.getrandbits(256)
        line = 'op=EXECUTE dmverity_roothash=sha256:%s action=ALLOW' % h
        eol = '\n'
        if crlf_mix:
            eol = rnd.choice(['\n', '\n', '\r\n', '\r', '\r\r\n', ' \n', '\n\n'])
            if rnd.random() < 0.05:
                line = line * rnd.randint(20, 40)   # lines longer than 1023 bytes
            if rnd.random() < 0.02:
                line = line[:10] + '\r' * rnd.randint(1, 3)   # chunk/line ending in CR
        parts.append((line + eol).encode())
    return b''.join(parts)[:n]


def der_walk(b):
    """-> (definite, content_bytes, sig_len).  Asserts the blob is pure DER."""
    def hdr(i):
        t, l = b[i], b[i + 1]
        if l == 0x80:
            raise ValueError('indefinite length at %d' % i)
        if l < 0x80:
            return t, 2, l
        k = l & 0x7F
        return t, 2 + k, int.from_bytes(b[i + 2:i + 2 + k], 'big')

    def kids(i):
        t, h, n = hdr(i)
        j, e, out = i + h, i + h + n, []
        while j < e:
            tt, hh, nn = hdr(j)
            out.append((tt, j, hh, nn))
            j += hh + nn
        assert j == e
        return out
    t, h, n = hdr(0)
    assert h + n == len(b), 'outer length mismatch'
    ci = kids(0)
    sd = kids(kids(ci[1][1])[0][1])
    encap = kids(sd[2][1])
    octet = kids(encap[1][1])[0]
    content = b[octet[1] + octet[2]: octet[1] + octet[2] + octet[3]]
    si = kids(kids(sd[-1][1])[0][1])
    sig = si[-1]
    return content, sig[3]


def sign(mode, cert, data):
    inp = os.path.join(TMP, 'in')
    out = os.path.join(TMP, 'out')
    with open(inp, 'wb') as f:
        f.write(data)
    argv = ['openssl', *MODES[mode], '-in', inp, '-out', out,
            '-signer', os.path.join(KEYS, cert + '.pem'), '-inkey', os.path.join(KEYS, cert + '.key')]
    subprocess.run(argv, check=True, stderr=subprocess.DEVNULL)
    with open(out, 'rb') as f:
        return f.read()


def transitions(cp, mode, limit=110000):
    """Content lengths c where size(c+1) - size(c) != 1 (a length field grows)."""
    pts, prev = [], model.predict_for_cert(0, cp, mode)
    for c in range(1, limit):
        s = model.predict_for_cert(c, cp, mode)
        if s - prev != 1:
            pts.append(c)
        prev = s
    return pts


def max_text(cp, mode, limit=65535):
    lo, hi = -1, limit
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if model.predict_for_cert(mid, cp, mode) <= limit:
            lo = mid
        else:
            hi = mid
    return lo


def main():
    quick = '--quick' in sys.argv
    rows, bad = [], 0
    params = {c: model.cert_params(open(os.path.join(KEYS, c + '.der'), 'rb').read()) for c in CERTS}
    for cert in CERTS:
        cp = params[cert]
        for mode in MODES:
            if quick and mode not in ('default', 'nocerts', 'text'):
                continue
            lens = set(FIXED)
            for t in transitions(cp, mode):
                lens.update(x for x in (t - 2, t - 1, t, t + 1) if x >= 0)
            # the exact 65535/65536 boundary for this cert/mode
            lo = max_text(cp, mode)
            lens.update((lo - 1, lo, lo + 1))
            for n in sorted(lens):
                seed = zlib.crc32(('%s/%s/%d' % (cert, mode, n)).encode())
                text = policy_text(n, seed, crlf_mix=mode.endswith('text'))
                blob = sign(mode, cert, text)
                content, sig_len = der_walk(blob)
                expect_content = model.crlf_canon(text) if mode.endswith('text') else text
                content_ok = content == expect_content
                pred = model.predict_for_cert(len(expect_content), cp, mode, sig_len=sig_len)
                pred_cons = model.predict_for_cert(len(expect_content), cp, mode)  # max ECDSA sig
                ok = pred == len(blob) and content_ok and pred_cons >= len(blob)
                bad += not ok
                rows.append((cert, cp['cert_len'], mode, n, len(content), sig_len, len(blob), pred,
                             pred_cons, 'OK' if ok else 'MISMATCH'))
                if not ok:
                    print('MISMATCH', rows[-1], 'content_ok=%s' % content_ok, flush=True)
        print('done', cert, flush=True)
    with open(os.path.join(HERE, 'results.tsv'), 'w') as f:
        f.write('cert\tcert_der\tmode\ttext_len\tcontent_len\tsig_len\tmeasured\tpredicted\tpredicted_conservative\tstatus\n')
        for r in rows:
            f.write('\t'.join(map(str, r)) + '\n')
    print('%d signatures, %d mismatches' % (len(rows), bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
