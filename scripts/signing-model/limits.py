#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Largest signed content (and text) that keeps the DER blob <= 65535 bytes, per cert and mode,
and the constant overhead K (size = content + K) that holds near the limit."""
import measure, model
print('| cert (DER bytes) | mode | sig bytes used | max content | size at max | K = size - content (for content 256..max) |')
print('|---|---|---|---|---|---|')
for cert in measure.CERTS:
    cp = model.cert_params(open('keys/%s.der' % cert, 'rb').read())
    sigs = [cp['sig_len']] if cp['key'] == 'rsa' else [cp['sig_len'] - 2, cp['sig_len'] - 1, cp['sig_len']]
    for mode in ('default', 'nocerts', 'sha512', 'cms', 'cmskid', 'cmsnocerts'):
        for s in sigs:
            m = measure.max_text(cp, mode) if s == cp['sig_len'] else None
            lo, hi = -1, 65535
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if model.predict_for_cert(mid, cp, mode, sig_len=s) <= 65535: lo = mid
                else: hi = mid
            size = model.predict_for_cert(lo, cp, mode, sig_len=s)
            print('| %s (%d) | %s | %d | %d | %d | %d |' % (cert, cp['cert_len'], mode, s, lo, size, size - lo))
