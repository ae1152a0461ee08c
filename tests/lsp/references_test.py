#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""textDocument/references: the digest under the cursor in every open document, compared as the
kernel compares digests (the algorithm byte for byte, the hex decoded).  references_test.py IPEC"""
import sys

from lsp_client import Client
from lsp_edits import rng

LOWER, UPPER, MIXED = "deadbeef" * 8, "DEADBEEF" * 8, "DeAdBeEf" * 8
A = "file:///refs/a.pol"
B = "file:///refs/b.pol"
TEXT_A = "\n".join([
    "policy_name=refs policy_version=1.0.0",                                           # 0
    "DEFAULT action=ALLOW",                                                            # 1
    f"op=EXECUTE fsverity_digest=sha256:{LOWER} action=DENY",                          # 2
    f"op=KMODULE dmverity_roothash=\U0001F512:00 fsverity_digest=sha256:{UPPER} action=DENY",  # 3
    f"op=EXECUTE fsverity_digest=SHA256:{LOWER} action=DENY",                          # 4 another algorithm
    f"op=EXECUTE fsverity_digest=sha512:{LOWER} action=DENY",                          # 5 another algorithm
    f"op=KMODULE dmverity_roothash=sha256:{MIXED} action=DENY",                        # 6 the same bytes
    f"op=EXECUTE fsverity_digest=sha256:{'0' * 64} action=DENY",                       # 7 other bytes
    ""])
TEXT_B = "\r\n".join([
    "policy_name=refs-b policy_version=1.0.0",
    "DEFAULT action=ALLOW",
    f"op=EXECUTE fsverity_digest=sha256:{UPPER} fsverity_signature=TRUE action=ALLOW",
    ""])

# The digest values (after `=`), in UTF-16 code units; line 3 has a 4-byte character before its
# digest (2 UTF-16 units).
A2, A3, A6, B2 = rng(2, 27, 2, 98), rng(3, 51, 3, 122), rng(6, 29, 6, 100), rng(2, 27, 2, 98)
A3_UTF8 = rng(3, 53, 3, 124)


def refs(c, uri, line, character, include=True):
    r = c.call("textDocument/references", {"textDocument": {"uri": uri}, "position": {"line": line, "character": character},
                                           "context": {"includeDeclaration": include}})
    assert "error" not in r, r
    return r["result"]


def loc(uri, r):
    return {"uri": uri, "range": r}


def main(ipec):
    c = Client([ipec, "lsp"])
    c.initialize()
    c.open(A, TEXT_A)
    c.open(B, TEXT_B)
    c.diagnostics(A)
    c.diagnostics(B)
    every = [loc(A, A2), loc(A, A3), loc(A, A6), loc(B, B2)]
    # From the lower-case digest: the upper-case one after the emoji, the mixed-case root hash,
    # and the other document's; not `SHA256:` nor `sha512:` with the same hex.
    assert refs(c, A, 2, 40) == every, refs(c, A, 2, 40)
    # Anywhere on the token (its key, its end), from any of them.
    assert refs(c, A, 3, 40) == every
    assert refs(c, A, 3, 122) == every
    assert refs(c, B, 2, 60) == every
    # Without the declaration: the token under the cursor is left out, and only it.
    assert refs(c, A, 3, 60, include=False) == [loc(A, A2), loc(A, A6), loc(B, B2)]
    assert refs(c, B, 2, 30, include=False) == [loc(A, A2), loc(A, A3), loc(A, A6)]
    # The other algorithms have only themselves.
    assert refs(c, A, 4, 30) == [loc(A, rng(4, 27, 4, 98))]
    assert refs(c, A, 5, 30, include=False) == []
    # Not on a digest: the op, the action, the space before it, the header, past the end.
    for line, ch in ((2, 3), (2, 100), (3, 123), (0, 5), (40, 0)):
        assert refs(c, A, line, ch) == [], (line, ch)
    # A closed document is not searched.
    c.notify("textDocument/didClose", {"textDocument": {"uri": B}})
    assert refs(c, A, 2, 40) == every[:3]
    assert c.close() == 0

    # In UTF-8 positions, the emoji counts 4.
    c = Client([ipec, "lsp"])
    init = c.initialize({"general": {"positionEncodings": ["utf-8", "utf-16"]}})
    assert init["result"]["capabilities"]["positionEncoding"] == "utf-8"
    c.open(A, TEXT_A)
    c.diagnostics(A)
    assert refs(c, A, 2, 40) == [loc(A, A2), loc(A, A3_UTF8), loc(A, A6)]
    assert refs(c, A, 3, 123) == [loc(A, A2), loc(A, A3_UTF8), loc(A, A6)]
    assert c.close() == 0
    print("references: ok")


if __name__ == "__main__":
    main(sys.argv[1])
