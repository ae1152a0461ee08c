#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""textDocument/semanticTokens/full (docs/lsp.md#semantic-tokens): the tokens decoded back to
(line, character, length, type, modifiers) and compared with what the kernel reads: comments,
CRLF and bare CR line ends, a TAB, a `#` cutting a token, unknown words, the header only on the
first line with tokens, nothing after a NUL, and multi-byte characters in UTF-16 and UTF-8.

    semantic_tokens_test.py IPEC
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from expectations import Expectations  # noqa: E402
from lsp_client import Client  # noqa: E402

IPEC = sys.argv[1]
URI = "file:///semantic/test.pol"
RESULTS = Expectations()
TYPES = ["keyword", "function", "property", "enumMember", "string", "number", "comment"]
MODIFIERS = ["unknown", "deprecated"]

POLICY = ("# h\u00e9ader\r\n"
          "policy_name=pol policy_version=1.0.0\r\n"
          "DEFAULT\taction=ALLOW # ok\r\n"
          "op=EXECUTE boot_verified=TRUE#cut action=DENY\n"
          "frob op=KMODULE dmverity_roothash=\u00e9\U0001F600:00 action=ALOW # \u00fc\n"
          "op=EXECUTE bpf_signature=OK policy_name=x action=DENY\n"
          "\tDEFAULT op=KMODULE action=ALLOW\0 op=EXECUTE\n")


def common(line4):
    """The expected tokens; only lines 0 and 4 hold multi-byte characters."""
    comment0 = line4["comment0"]
    return [
        (0, 0, comment0, "comment", []),
        (1, 0, 12, "keyword", []), (1, 12, 3, "string", []), (1, 16, 15, "keyword", []), (1, 31, 5, "number", []),
        (2, 0, 7, "keyword", []), (2, 8, 7, "keyword", []), (2, 15, 5, "enumMember", []), (2, 21, 4, "comment", []),
        # The `#` cuts `boot_verified=TRUE#cut`: the rest of the line is a comment.
        (3, 0, 3, "keyword", []), (3, 3, 7, "function", []), (3, 11, 14, "property", []),
        (3, 25, 4, "enumMember", []), (3, 29, 16, "comment", []),
    ] + line4["tokens"] + [
        # A Hornet property on linux-6.12, and a header token on a rule line: unknown.
        (5, 0, 3, "keyword", []), (5, 3, 7, "function", []), (5, 11, 14, "property", ["unknown"]),
        (5, 25, 2, "string", ["unknown"]), (5, 28, 12, "keyword", ["unknown"]), (5, 40, 1, "string", ["unknown"]),
        (5, 42, 7, "keyword", []), (5, 49, 4, "enumMember", []),
        # After a TAB; nothing after the NUL.
        (6, 1, 7, "keyword", []), (6, 9, 3, "keyword", []), (6, 12, 7, "function", []), (6, 20, 7, "keyword", []),
        (6, 27, 5, "enumMember", []),
    ]


UTF16 = common({"comment0": 8, "tokens": [
    (4, 0, 4, "keyword", ["unknown"]), (4, 5, 3, "keyword", []), (4, 8, 7, "function", []),
    (4, 16, 18, "property", []), (4, 34, 6, "string", []),  # é is one unit, the emoji two
    (4, 41, 7, "keyword", []), (4, 48, 4, "enumMember", ["unknown"]), (4, 53, 3, "comment", [])]})
UTF8 = common({"comment0": 9, "tokens": [
    (4, 0, 4, "keyword", ["unknown"]), (4, 5, 3, "keyword", []), (4, 8, 7, "function", []),
    (4, 16, 18, "property", []), (4, 34, 9, "string", []),  # é is two bytes, the emoji four
    (4, 44, 7, "keyword", []), (4, 51, 4, "enumMember", ["unknown"]), (4, 56, 4, "comment", [])]})


def tokens(options=None, utf8=False, text=POLICY):
    c = Client([IPEC, "lsp"])
    r = c.initialize({"general": {"positionEncodings": ["utf-8"]}} if utf8 else {}, options)
    provider = r["result"]["capabilities"]["semanticTokensProvider"]
    assert provider["full"] is True, provider
    legend = provider["legend"]
    assert legend == {"tokenTypes": TYPES, "tokenModifiers": MODIFIERS}, legend
    c.open(URI, text)
    data = c.call("textDocument/semanticTokens/full", {"textDocument": {"uri": URI}})["result"]["data"]
    assert c.close() == 0
    assert len(data) % 5 == 0, data
    out, line, col = [], 0, 0
    for i in range(0, len(data), 5):
        dl, dc, length, ty, mods = data[i:i + 5]
        line, col = line + dl, (col + dc if dl == 0 else dc)
        out.append((line, col, length, TYPES[ty], [m for b, m in enumerate(MODIFIERS) if mods >> b & 1]))
    return out


def expect(name, got, want):
    if got == want:
        return
    lines = [f"{name}: {len(got)} tokens, {len(want)} expected"]
    for k in range(max(len(got), len(want))):
        g = got[k] if k < len(got) else None
        w = want[k] if k < len(want) else None
        lines.append(f"  {'  ' if g == w else '!='} got {g}  want {w}")
    RESULTS.fail("\n".join(lines))


expect("utf-16", tokens(), UTF16)
expect("utf-8", tokens(utf8=True), UTF8)
# What the target does not evaluate is `deprecated`: an op it never asks about, a property it
# compiled out (key and value).
expect("adjusted target", tokens({"target": "linux-6.12", "set": ["CONFIG_MODULES=n", "CONFIG_IPE_PROP_FS_VERITY=n"]},
                                 text="policy_name=a policy_version=1.0.0\rDEFAULT action=ALLOW\r"
                                      "op=KMODULE fsverity_digest=sha256:00 boot_verified=TRUE action=DENY"), [
    # A bare CR ends a line, for the kernel and for LSP alike.
    (0, 0, 12, "keyword", []), (0, 12, 1, "string", []), (0, 14, 15, "keyword", []), (0, 29, 5, "number", []),
    (1, 0, 7, "keyword", []), (1, 8, 7, "keyword", []), (1, 15, 5, "enumMember", []),
    (2, 0, 3, "keyword", []), (2, 3, 7, "function", ["deprecated"]),
    (2, 11, 16, "property", ["deprecated"]), (2, 27, 9, "string", ["deprecated"]),
    (2, 37, 14, "property", []), (2, 51, 4, "enumMember", []),
    (2, 56, 7, "keyword", []), (2, 63, 4, "enumMember", []),
])
# Hornet tokens on a Hornet target; a missing header makes the first rule the header (unknown).
expect("hornet", tokens({"target": "hornet-v7"}, text="op=BPF_PROG_LOAD action=DENY\n"
                                                       "op=BPF_PROG_LOAD bpf_keyring=PLATFORM bpf_kernel=maybe"), [
    (0, 0, 3, "keyword", ["unknown"]), (0, 3, 13, "string", ["unknown"]),
    (0, 17, 7, "keyword", ["unknown"]), (0, 24, 4, "string", ["unknown"]),
    (1, 0, 3, "keyword", []), (1, 3, 13, "function", []), (1, 17, 12, "property", []),
    (1, 29, 8, "enumMember", []), (1, 38, 11, "property", []), (1, 49, 5, "enumMember", ["unknown"]),
])
expect("empty document", tokens(text=""), [])
RESULTS.finish("semantic tokens")
