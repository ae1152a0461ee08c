#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""textDocument/completion (docs/lsp.md#completion): what is offered at each kind of position,
filtered by the target (its dialect, what it evaluates) and by what the line holds already,
with the textEdit range that replaces the word under the cursor, in UTF-16 and in UTF-8.

    completion_test.py IPEC
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from expectations import Expectations  # noqa: E402
from lsp_client import Client  # noqa: E402

IPEC = sys.argv[1]
URI = "file:///completion/test.pol"
H = "policy_name=complete policy_version=1.0.0\nDEFAULT action=ALLOW\n"  # rules start on line 2
RESULTS = Expectations()
expect = RESULTS.expect
FUNCTION, PROPERTY, KEYWORD, ENUM_MEMBER = 3, 10, 14, 20

OPS = ["EXECUTE", "FIRMWARE", "KMODULE", "KEXEC_IMAGE", "KEXEC_INITRAMFS", "POLICY", "X509_CERT"]
FILE_PROPS = ["boot_verified=FALSE", "boot_verified=TRUE", "dmverity_roothash=", "dmverity_signature=FALSE",
              "dmverity_signature=TRUE", "fsverity_digest=", "fsverity_signature=FALSE", "fsverity_signature=TRUE"]
BPF_PROPS = ["bpf_signature=" + v for v in
             ["NONE", "OK", "UNSIGNED", "PARTIALSIG", "UNKNOWNKEY", "UNEXPECTED", "FAULT", "BADSIG"]] + \
            ["bpf_keyring=BUILTIN", "bpf_keyring=SECONDARY", "bpf_keyring=PLATFORM", "bpf_kernel=FALSE",
             "bpf_kernel=TRUE"]
ACTIONS = ["action=ALLOW", "action=DENY"]


def server(options=None, utf8=False):
    c = Client([IPEC, "lsp"])
    caps = {"general": {"positionEncodings": ["utf-8"]}} if utf8 else {}
    c.initialize(caps, options)
    return c


def complete(c, text, line, character):
    c.open(URI, text)
    r = c.call("textDocument/completion",
               {"textDocument": {"uri": URI}, "position": {"line": line, "character": character}})
    c.notify("textDocument/didClose", {"textDocument": {"uri": URI}})
    assert "error" not in r, r
    assert r["result"]["isIncomplete"] is False, r
    items = r["result"]["items"]
    for it in items:
        assert it["textEdit"]["newText"] == it["label"], it
        assert it["documentation"]["kind"] == "markdown" and it["documentation"]["value"], it
        assert it["detail"], it
    return items



def check(c, name, text, line, character, labels, kind=None, rng=None):
    """The labels in order; each item's kind (a number, or a function of the label) and textEdit range."""
    items = complete(c, text, line, character)
    expect(name, [it["label"] for it in items], labels)
    for it in items:
        r = it["textEdit"]["range"]
        got = (r["start"]["line"], r["start"]["character"], r["end"]["line"], r["end"]["character"])
        expect(f"{name}: range of {it['label']}", got, rng)
        want_kind = kind(it["label"]) if callable(kind) else kind
        expect(f"{name}: kind of {it['label']}", it["kind"], want_kind)
    return {it["label"]: it for it in items}


def rule_word_kind(label):
    if label.startswith("op="):
        return FUNCTION
    return KEYWORD if label.startswith("action=") or label == "DEFAULT" else PROPERTY


def linux_6_12():
    c = server()
    # The header: on the first line, in its order, and nothing once complete.
    check(c, "empty document", "", 0, 0, ["policy_name="], KEYWORD, (0, 0, 0, 0))
    check(c, "after the name", "policy_name=a ", 0, 14, ["policy_version="], KEYWORD, (0, 14, 0, 14))
    check(c, "header complete", "policy_name=a policy_version=1.0.0 ", 0, 35, [])
    check(c, "header after comments", "# a policy\n\n", 2, 0, ["policy_name="], KEYWORD, (2, 0, 2, 0))
    check(c, "before the header", "\npolicy_name=a policy_version=1.0.0\n", 0, 0, [])
    # Start of a line: DEFAULT and every op of the dialect (no BPF_PROG_LOAD on linux-6.12).
    check(c, "start of line", H, 2, 0, ["DEFAULT"] + ["op=" + o for o in OPS], rule_word_kind, (2, 0, 2, 0))
    check(c, "partial word", H + "op=EX", 2, 5, OPS, FUNCTION, (2, 3, 2, 5))
    check(c, "after op=", H + "op=", 2, 3, OPS, FUNCTION, (2, 3, 2, 3))
    check(c, "after an op", H + "op=EXECUTE ", 2, 11, FILE_PROPS + ACTIONS, rule_word_kind, (2, 11, 2, 11))
    check(c, "property present", H + "op=EXECUTE boot_verified=TRUE ", 2, 30, FILE_PROPS[2:] + ACTIONS,
          rule_word_kind, (2, 30, 2, 30))
    check(c, "property after the cursor", H + "op=EXECUTE  fsverity_digest=sha256:00 action=DENY", 2, 11,
          [p for p in FILE_PROPS if p != "fsverity_digest="], PROPERTY, (2, 11, 2, 11))
    check(c, "inside a key", H + "op=EXECUTE boot_ver", 2, 19, FILE_PROPS + ACTIONS, rule_word_kind, (2, 11, 2, 19))
    check(c, "after key=", H + "op=EXECUTE boot_verified=", 2, 25, ["FALSE", "TRUE"], ENUM_MEMBER, (2, 25, 2, 25))
    check(c, "value replaced whole", H + "op=EXECUTE boot_verified=TR action=ALLOW", 2, 26, ["FALSE", "TRUE"],
          ENUM_MEMBER, (2, 25, 2, 27))
    check(c, "digest algorithms", H + "op=EXECUTE fsverity_digest=", 2, 27, ["sha256:", "sha512:"], ENUM_MEMBER,
          (2, 27, 2, 27))
    check(c, "after action=", H + "op=EXECUTE action=", 2, 18, ["ALLOW", "DENY"], ENUM_MEMBER, (2, 18, 2, 18))
    check(c, "after the action", H + "op=EXECUTE action=ALLOW ", 2, 24, [])
    check(c, "second op", H + "op=EXECUTE op=", 2, 14, [])
    check(c, "after DEFAULT", H + "DEFAULT ", 2, 8, ["op=" + o for o in OPS] + ACTIONS, rule_word_kind, (2, 8, 2, 8))
    check(c, "after DEFAULT op=", H + "DEFAULT op=EXECUTE ", 2, 19, ACTIONS, KEYWORD, (2, 19, 2, 19))
    check(c, "no property on DEFAULT", H + "DEFAULT op=EXECUTE boot_verified=", 2, 33, [])
    check(c, "DEFAULT only first", H + "op=EXECUTE DEF", 2, 14, FILE_PROPS + ACTIONS, rule_word_kind, (2, 11, 2, 14))
    check(c, "in a comment", H + "op=EXECUTE # boot", 2, 17, [])
    # Out of range: the character clamps to the line's end, the line to the document's end.
    check(c, "past the line", H + "op=EXECUTE ", 2, 500, FILE_PROPS + ACTIONS, rule_word_kind, (2, 11, 2, 11))
    check(c, "past the document", H + "op=EXECUTE action=DENY\n", 70, 9, ["DEFAULT"] + ["op=" + o for o in OPS],
          rule_word_kind, (3, 0, 3, 0))
    # UTF-16: the emoji counts two, `é` one.
    check(c, "utf-16", "policy_name=\U0001F600\u00e9 ", 0, 16, ["policy_version="], KEYWORD, (0, 16, 0, 16))
    # detail and documentation come from the same text as hover.
    items = check(c, "detail", H + "op=EXECUTE action=", 2, 18, ["ALLOW", "DENY"], ENUM_MEMBER, (2, 18, 2, 18))
    expect("detail of ALLOW", items["ALLOW"]["detail"], "the decision when this rule matches first")
    items = check(c, "docs", H, 2, 0, ["DEFAULT"] + ["op=" + o for o in OPS], rule_word_kind, (2, 0, 2, 0))
    expect("detail of op=EXECUTE", items["op=EXECUTE"]["detail"], "execve, mmap/mprotect with PROT_EXEC")
    c.open(URI, H + "op=EXECUTE action=ALLOW\n")
    hover = c.call("textDocument/hover", {"textDocument": {"uri": URI}, "position": {"line": 2, "character": 1}})
    expect("documentation is the hover", items["op=EXECUTE"]["documentation"]["value"],
           hover["result"]["contents"]["value"].split("\n\n---\n\n")[0])
    assert c.close() == 0


def utf8():
    c = server(utf8=True)
    check(c, "utf-8", "policy_name=\U0001F600\u00e9 ", 0, 19, ["policy_version="], KEYWORD, (0, 19, 0, 19))
    check(c, "utf-8 value", H + "op=EXECUTE boot_verified=T", 2, 26, ["FALSE", "TRUE"], ENUM_MEMBER, (2, 25, 2, 26))
    assert c.close() == 0


def adjusted_target():
    c = server({"target": "linux-6.12", "set": ["CONFIG_IPE_PROP_FS_VERITY=n", "CONFIG_MODULES=n"]})
    items = check(c, "not evaluated", H, 2, 0, ["DEFAULT"] + ["op=" + o for o in OPS], rule_word_kind, (2, 0, 2, 0))
    expect("detail of op=KMODULE", items["op=KMODULE"]["detail"],
           "not evaluated on linux-6.12: CONFIG_MODULES is off: no module can be loaded")
    expect("op=KMODULE sorts last", sorted(items, key=lambda k: items[k]["sortText"])[-1], "op=KMODULE")
    items = check(c, "compiled out", H + "op=EXECUTE ", 2, 11, FILE_PROPS + ACTIONS, rule_word_kind, (2, 11, 2, 11))
    expect("detail of fsverity_digest=", items["fsverity_digest="]["detail"],
           "compiled out on linux-6.12 (CONFIG_IPE_PROP_FS_VERITY=n): never true")
    expect("fsverity_digest= sorts last", sorted(items, key=lambda k: items[k]["sortText"])[-1], "fsverity_digest=")
    expect("detail of boot_verified=FALSE", items["boot_verified=FALSE"]["detail"],
           "unless the file comes from the initramfs: its mount's superblock is the rootfs populated at boot")
    assert c.close() == 0


def hornet():
    c = server({"target": "hornet-v7"})
    check(c, "hornet ops", H, 2, 0, ["DEFAULT"] + ["op=" + o for o in OPS + ["BPF_PROG_LOAD"]], rule_word_kind,
          (2, 0, 2, 0))
    check(c, "hornet properties", H + "op=BPF_PROG_LOAD bpf_kernel=TRUE ", 2, 33,
          FILE_PROPS + [p for p in BPF_PROPS if not p.startswith("bpf_kernel=")] + ACTIONS, rule_word_kind,
          (2, 33, 2, 33))
    items = check(c, "hornet verdicts", H + "op=BPF_PROG_LOAD bpf_signature=", 2, 31,
                  [p.split("=")[1] for p in BPF_PROPS[:8]], ENUM_MEMBER, (2, 31, 2, 31))
    expect("detail of OK", items["OK"]["detail"], "the signature is valid and every listed map hash was verified")
    assert c.close() == 0


linux_6_12()
utf8()
adjusted_target()
hornet()
RESULTS.finish("completion")
