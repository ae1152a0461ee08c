#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""textDocument/definition: from a shadowed or redundant rule, or an unreachable DEFAULT, to the
statements the analysis names; nothing elsewhere.  definition_test.py IPEC"""
import sys

from lsp_client import Client
from lsp_edits import rng

DIGEST_A = "0a" * 32
DIGEST_F = "0f" * 32
POLICY = "\n".join([
    "policy_name=défs policy_version=1.0.0",                                          # 0
    "DEFAULT action=ALLOW",                                                           # 1
    "DEFAULT op=EXECUTE action=DENY",                                                 # 2
    "op=EXECUTE boot_verified=TRUE action=ALLOW",                                     # 3
    f"op=EXECUTE fsverity_digest=sha256:{DIGEST_A} action=DENY",                      # 4 redundant
    "op=KMODULE dmverity_signature=TRUE action=ALLOW",                                # 5 redundant
    "op=KMODULE dmverity_signature=FALSE action=DENY",                                # 6
    f"op=KMODULE dmverity_roothash=sha256:{DIGEST_F} action=ALLOW # old root",        # 7 shadowed
    "op=FIRMWARE boot_verified=TRUE action=ALLOW",                                    # 8
    "op=FIRMWARE boot_verified=TRUE action=ALLOW",                                    # 9 duplicate of 8
    "DEFAULT op=FIRMWARE action=DENY",                                                # 10 unreachable
    "op=FIRMWARE boot_verified=FALSE action=DENY",                                    # 11 redundant
    ""])
URI = "file:///definition/a.pol"
# The statements' ranges, by 0-based line.
STATEMENT = {1: rng(1, 0, 1, 20), 2: rng(2, 0, 2, 30), 5: rng(5, 0, 5, 47), 6: rng(6, 0, 6, 47),
             7: rng(7, 0, 7, 113), 8: rng(8, 0, 8, 43), 9: rng(9, 0, 9, 43), 10: rng(10, 0, 10, 31),
             11: rng(11, 0, 11, 43)}


def definition(c, line, character):
    r = c.call("textDocument/definition", {"textDocument": {"uri": URI}, "position": {"line": line, "character": character}})
    assert "error" not in r, r
    return r["result"]


def locations(*lines):
    return [{"uri": URI, "range": STATEMENT[l]} for l in lines]


def main(ipec):
    c = Client([ipec, "lsp"])
    c.initialize()
    c.open(URI, POLICY)
    codes = [(d["code"], d["range"]["start"]["line"]) for d in c.diagnostics(URI)["diagnostics"]]
    assert ("shadowed-rule", 7) in codes and ("redundant-rule", 4) in codes, codes

    # A shadowed rule: the rules that cover it, from anywhere on its line (its comment too).
    for ch in (0, 20, 113, 118, 500):
        assert definition(c, 7, ch) == locations(5, 6), (ch, definition(c, 7, ch))
    # A repeated rule: its first copy.
    assert definition(c, 9, 5) == locations(8)
    # A redundant rule: what decides in its place once the flagged rules are gone.
    assert definition(c, 4, 40) == locations(2)
    assert definition(c, 5, 0) == locations(1)
    # An unreachable DEFAULT: the rules that match every event of its op first.
    assert definition(c, 10, 3) == locations(8, 11)
    # The global DEFAULT never decides an op=KMODULE event.
    assert definition(c, 1, 0) == locations(5, 6)

    # Nothing to go to: a rule that is not flagged, the header, a line past the end, an empty line.
    for line in (0, 3, 6, 8, 12, 99):
        assert definition(c, line, 2) == [], (line, definition(c, line, 2))
    # A malformed position is an error, not a crash.
    r = c.call("textDocument/definition", {"textDocument": {"uri": URI}, "position": {"line": -1, "character": 0}})
    assert r["error"]["code"] == -32602, r
    assert c.close() == 0

    # A client that takes links gets LocationLinks, with the rule as the origin.
    c = Client([ipec, "lsp"])
    c.initialize({"textDocument": {"definition": {"linkSupport": True}}})
    c.open(URI, POLICY)
    c.diagnostics(URI)
    assert definition(c, 7, 4) == [
        {"originSelectionRange": STATEMENT[7], "targetUri": URI, "targetRange": STATEMENT[l],
         "targetSelectionRange": STATEMENT[l]} for l in (5, 6)]
    assert definition(c, 3, 4) == []
    assert c.close() == 0
    print("definition: ok")


if __name__ == "__main__":
    main(sys.argv[1])
