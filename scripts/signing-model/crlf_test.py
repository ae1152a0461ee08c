#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Edge cases of the CRLF canonicalisation done by `openssl smime -sign` / `cms -sign` without
-binary, compared byte-for-byte with model.crlf_canon()."""
import os, sys
import measure, model
cases = {
    'lf': b'a\nb\n', 'no-final-eol': b'a\nb', 'crlf': b'a\r\nb\r\n', 'cr-only': b'a\rb\r',
    'cr-at-eof': b'abc\r', 'crcrlf': b'a\r\r\nb\n', 'blank-lines': b'\n\n\na\n\n', 'only-lf': b'\n',
    'nul-mid-line': b'ab\0cd\nef\n', 'nul-line-start': b'ab\n\0cd\nef\n', 'nul-first': b'\0abc\n',
    'trailing-space': b'a  \nb \n', 'long-1022': b'x' * 1022 + b'\n' + b'y\n',
    'long-1023': b'x' * 1023 + b'\n' + b'y\n', 'long-1024': b'x' * 1024 + b'\n',
    'cr-at-1023': b'x' * 1022 + b'\r' + b'y\n', 'crlf-split': b'x' * 1022 + b'\r\n' + b'y\n',
    'long-3000': b'z' * 3000 + b'\n', 'vt-ff': b'a\x0b\x0c\n', 'empty': b'',
}
cases['078'] = open('' + os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../tests/conformance/load/') + '078-der-65535.pol', 'rb').read()
cases['004-crlf'] = open('' + os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../tests/conformance/load/') + '004-valid-crlf.pol', 'rb').read()
cases['067-cr-only'] = open('' + os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../tests/conformance/load/') + '067-cr-only.pol', 'rb').read()
cases['059-nul'] = open('' + os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../tests/conformance/load/') + '059-nul-byte.pol', 'rb').read()
bad = 0
for name, data in cases.items():
    for mode in ('text', 'cmstext'):
        blob = measure.sign(mode, 'oracle', data)
        content, _ = measure.der_walk(blob)
        exp = model.crlf_canon(data)
        ok = content == exp
        bad += not ok
        print('%-16s %-8s in=%6d LF=%5d signed=%6d model=%6d %s' % (
            name, mode, len(data), data.count(b'\n'), len(content), len(exp), 'OK' if ok else 'DIFF %r' % content[:80]))
print('mismatches:', bad)
sys.exit(1 if bad else 0)
