#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""textDocument/hover (docs/lsp.md#hover): the exact Markdown for an op, a property the target
compiled out, values, the header, a shadowed rule (its covering lines) and a redundant rule (its
witness), with positions in UTF-16 and in negotiated UTF-8, and positions past the end.

    hover_test.py IPEC
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from expectations import Expectations  # noqa: E402
from lsp_client import Client  # noqa: E402

IPEC = sys.argv[1]
URI = "file:///hover/test.pol"
HEADER = "policy_name=hover policy_version=1.0.0\n"
RESULTS = Expectations()
expect = RESULTS.expect

FILE_OPS = ("Meaningful for the ops that load a file: `EXECUTE`, `FIRMWARE`, `KMODULE`, `KEXEC_IMAGE`, "
            "`KEXEC_INITRAMFS`, `POLICY` and `X509_CERT`.")


def server(options=None, utf8=False):
    c = Client([IPEC, "lsp"])
    caps = {"general": {"positionEncodings": ["utf-8", "utf-16"]}} if utf8 else {}
    r = c.initialize(caps, options)
    assert r["result"]["capabilities"]["positionEncoding"] == ("utf-8" if utf8 else "utf-16"), r
    return c


def hover(c, line, character):
    """(range as (line, start, line, end), Markdown) or None."""
    r = c.call("textDocument/hover", {"textDocument": {"uri": URI}, "position": {"line": line, "character": character}})
    assert "error" not in r, r
    res = r["result"]
    if res is None:
        return None
    assert res["contents"]["kind"] == "markdown", res
    g = res["range"]
    return (g["start"]["line"], g["start"]["character"], g["end"]["line"], g["end"]["character"]), res["contents"]["value"]



def check(c, name, text, line, character, want_range, *paragraphs):
    c.open(URI, text)
    c.diagnostics(URI)  # the check is done: the request sees this text
    expect(name, hover(c, line, character), (want_range, "\n\n".join(paragraphs)) if want_range else None)
    c.notify("textDocument/didClose", {"textDocument": {"uri": URI}})


def default_target():
    c = server()
    check(c, "op", HEADER + "DEFAULT action=ALLOW\nop=KMODULE action=DENY\n", 2, 4, (2, 0, 2, 10),
          "**`op=KMODULE`**: finit_module, init_module",
          "Kernel: `IPE_OP_KERNEL_MODULE`, asked by the LSM hooks kernel_read_file (READING_MODULE), "
          "kernel_load_data (LOADING_MODULE)",
          "Evaluated on target `linux-6.12`.")
    # Line 5 is covered by lines 3 and 4 together; line 4 is redundant, with a witness.
    shadow = (HEADER + "DEFAULT action=DENY\nop=KMODULE dmverity_signature=TRUE action=ALLOW\n"
              "op=KMODULE dmverity_signature=FALSE action=DENY\n"
              "op=KMODULE dmverity_roothash=sha256:" + "0f" * 32 + " action=ALLOW\n")
    check(c, "shadowed", shadow, 4, 105, (4, 101, 4, 113),
          "**`action=ALLOW`**: the decision when this rule is the first `op=KMODULE` rule that matches.",
          "When none matches, the global `DEFAULT action=DENY` (line 2) decides them.",
          "---",
          "**`shadowed-rule`** (warning): this rule is never reached: the 2 earlier rules noted below together "
          "match every event it matches",
          "Covered by:\n- line 3: `op=KMODULE dmverity_signature=TRUE action=ALLOW`\n"
          "- line 4: `op=KMODULE dmverity_signature=FALSE action=DENY`")
    # A value, and the redundant rule's witness and notes.
    check(c, "redundant", shadow, 3, 20, (3, 11, 3, 35),
          "**`dmverity_signature=FALSE`** holds unless the file is on a dm-verity volume whose root-hash signature "
          "was verified (so also when there is no file).",
          "Kconfig `CONFIG_IPE_PROP_DM_VERITY_SIGNATURE`: built in on target `linux-6.12`.",
          FILE_OPS,
          "---",
          "**`redundant-rule`** (warning): deleting this rule changes no decision once the rule on line 5 is "
          "deleted too: wherever it is the first match, `DEFAULT action=DENY` (line 2) decides DENY as well",
          "Witness, an event on which this rule is the first match: `op=KMODULE` without a file.",
          "Replay it: `ipec eval --event 'op=KMODULE file=absent'`",
          "line 2: `DEFAULT action=DENY`: decides the same (DENY) without it",
          "line 5: `op=KMODULE dmverity_roothash=sha256:" + "0f" * 32 + " action=ALLOW`: flagged as well: if only "
          "the redundant rule is deleted, this rule decides some of its events ALLOW")
    # Anywhere on a flagged rule, between tokens too: the finding alone, over the whole rule.
    check(c, "between tokens", HEADER + "DEFAULT action=ALLOW\nDEFAULT op=EXECUTE action=DENY\n"
          "op=EXECUTE  fsverity_digest=sha256:" + "0a" * 32 + " action=DENY\n", 3, 11, (3, 0, 3, 111),
          "**`redundant-rule`** (warning): deleting this rule changes no decision: wherever it is the first match, "
          "`DEFAULT op=EXECUTE action=DENY` (line 3) decides DENY as well",
          "Witness, an event on which this rule is the first match: `op=EXECUTE` of a file on no block device, with "
          "fs-verity digest `sha256:" + "0a" * 32 + "` (no verified builtin signature).",
          "Replay it: `ipec eval --event 'op=EXECUTE file=present fsverity=sha256:" + "0a" * 32 +
          " fsverity_sig=false'`",
          "line 3: `DEFAULT op=EXECUTE action=DENY`: decides the same (DENY) without it")
    # A long list is cut; the notes naming the same lines are left out.
    many = (HEADER + "DEFAULT action=ALLOW\nDEFAULT op=EXECUTE action=DENY\n" +
            "".join(f"op=EXECUTE fsverity_digest=sha256:{i:02x}{'00' * 31} action=ALLOW\n" for i in range(1, 15)) +
            "op=EXECUTE boot_verified=TRUE action=ALLOW\nop=EXECUTE boot_verified=FALSE action=ALLOW\n")
    check(c, "long list", many, 2, 7, (2, 0, 2, 7),
          "**`DEFAULT op=EXECUTE`**: decides the `op=EXECUTE` events that no `op=EXECUTE` rule matches, in place of "
          "the global `DEFAULT`.",
          "The kernel needs a global `DEFAULT` or one for every op, and rejects a second one for the same op or a "
          "second global one.",
          "---",
          "**`unreachable-default`** (warning): this DEFAULT never decides: the rules on lines 18 and 19 together "
          "match every `op=EXECUTE` event first",
          "Covered by:\n- line 18: `op=EXECUTE boot_verified=TRUE action=ALLOW`\n"
          "- line 19: `op=EXECUTE boot_verified=FALSE action=ALLOW`",
          "---",
          "**`vacuous-op`** (warning): no `op=EXECUTE` event is denied: the 16 rules noted below allow every one, so "
          "this DENY never applies",
          "Decided by:\n" + "".join(f"- line {i + 3}: `op=EXECUTE fsverity_digest=sha256:{i:02x}{'00' * 31} "
                                    "action=ALLOW`\n" for i in range(1, 13)) + "- and 4 more")
    # DEFAULT: what decides the events no rule matches.
    check(c, "default", HEADER + "DEFAULT action=ALLOW\nDEFAULT op=EXECUTE action=DENY\n", 1, 3, (1, 0, 1, 7),
          "**`DEFAULT`** (global): decides the events that no rule of their op matches, for each op without its own "
          "`DEFAULT op=`: here `FIRMWARE`, `KMODULE`, `KEXEC_IMAGE`, `KEXEC_INITRAMFS`, `POLICY` and `X509_CERT`.",
          "The kernel needs a global `DEFAULT` or one for every op, and rejects a second one for the same op or a "
          "second global one.")
    # Non-ASCII before the token: UTF-16 code units (the emoji is two, `é` one).
    name = "policy_name=\U0001F600\u00e9 policy_version=+1.02.3\nDEFAULT action=ALLOW\n"
    version = ("**`policy_version=`** `+1.02.3` (read as `1.2.3`): three numbers from 0 to 65535 (major, minor, "
               "revision), compared in that order. An update must raise it (`ESTALE` for the same or a lower "
               "version); activating a policy needs a version at least that of the active policy (`EINVAL` "
               "otherwise).")
    check(c, "utf-16", name, 0, 16, (0, 16, 0, 38), version)
    check(c, "utf-16 inside the emoji", name, 0, 13, (0, 0, 0, 15),
          "**`policy_name=`** `\U0001F600\u00e9`: the policy's name, its directory under "
          "`/sys/kernel/security/ipe/policies/`. Loading a policy whose name is loaded already fails (`EEXIST`); "
          "an update (`policies/NAME/update`) must keep the name (`EINVAL` otherwise).")
    # Out of range: a character past the line's end is its end (the last token), a line past the
    # document its end (an empty line); neither fails.
    check(c, "past the line", name, 0, 4000, (0, 16, 0, 38), version)
    check(c, "past the document", name, 99, 99, None)
    check(c, "in a comment", HEADER + "DEFAULT action=ALLOW # op=EXECUTE\n", 1, 25, None)
    check(c, "unknown word", HEADER + "DEFAULT action=ALLOW\nfoo\n", 2, 1, None)
    check(c, "DEFAULT of an unknown op", HEADER + "DEFAULT action=ALLOW\nDEFAULT op=BPF_PROG_LOAD action=ALLOW\n",
          2, 1, None)
    check(c, "its action", HEADER + "DEFAULT action=ALLOW\nDEFAULT op=BPF_PROG_LOAD action=ALLOW\n", 2, 30,
          (2, 25, 2, 37), "**`action=ALLOW`**: what this DEFAULT decides.")
    c.open(URI, HEADER)
    for params, want in [({"textDocument": {"uri": URI}}, -32602),
                         ({"textDocument": {"uri": URI}, "position": {"line": -1, "character": 0}}, -32602),
                         ({"textDocument": {"uri": URI}, "position": {"line": 0}}, -32602)]:
        r = c.call("textDocument/hover", params)
        expect(f"bad params {params}", r.get("error", {}).get("code"), want)
    assert c.close() == 0


def utf8_negotiated():
    c = server(utf8=True)
    name = "policy_name=\U0001F600\u00e9 policy_version=1.0.0\nDEFAULT action=ALLOW\n"
    check(c, "utf-8", name, 0, 19, (0, 19, 0, 39),
          "**`policy_version=`** `1.0.0`: three numbers from 0 to 65535 (major, minor, revision), compared in that "
          "order. An update must raise it (`ESTALE` for the same or a lower version); activating a policy needs a "
          "version at least that of the active policy (`EINVAL` otherwise).")
    assert c.close() == 0


def compiled_out():
    c = server({"target": "linux-6.12", "set": ["CONFIG_IPE_PROP_FS_VERITY=n"]})
    digest = "sha256:" + "0a" * 32
    check(c, "compiled out", HEADER + "DEFAULT action=ALLOW\nop=EXECUTE fsverity_digest=" + digest + " action=DENY\n",
          2, 20, (2, 11, 2, 98),
          f"**`fsverity_digest={digest}`** holds when the fs-verity digest of the file is this digest.",
          "Algorithm `sha256`, 64 hex digits (32 bytes): fs-verity can report it.",
          "Kconfig `CONFIG_IPE_PROP_FS_VERITY`: **compiled out** on target `linux-6.12`, so `fsverity_digest=` "
          "never matches.",
          FILE_OPS,
          "---",
          "**`dead-rule`** (warning): this rule never matches: `fsverity_digest=sha256:0a0a0a0a0...0a0a0a0a0a0a0a0a` "
          "is compiled out of target `linux-6.12` (CONFIG_IPE_PROP_FS_VERITY is off), and then both its TRUE and "
          "FALSE forms are false",
          "---",
          "**`vacuous-op`** (warning): no `op=EXECUTE` event is denied: `DEFAULT action=ALLOW` (line 2) allows every "
          "one, so this DENY never applies",
          "Decided by:\n- line 2: `DEFAULT action=ALLOW`")
    check(c, "digest fs-verity never reports", HEADER + "DEFAULT action=ALLOW\nop=EXECUTE fsverity_digest=sha384:00 "
          "action=DENY\n", 2, 20, (2, 11, 2, 36),
          "**`fsverity_digest=sha384:00`** holds when the fs-verity digest of the file is this digest.",
          "Algorithm `sha384`, 2 hex digits (1 byte): fs-verity reports only sha256 (32 bytes) and sha512 (64 bytes), "
          "so this never matches.",
          "Kconfig `CONFIG_IPE_PROP_FS_VERITY`: **compiled out** on target `linux-6.12`, so `fsverity_digest=` "
          "never matches.",
          FILE_OPS,
          "---",
          "**`vacuous-op`** (warning): no `op=EXECUTE` event is denied: `DEFAULT action=ALLOW` (line 2) allows every "
          "one, so this DENY never applies",
          "Decided by:\n- line 2: `DEFAULT action=ALLOW`")
    check(c, "op evaluated", HEADER + "DEFAULT action=ALLOW\nop=KMODULE action=DENY\n", 2, 0, (2, 0, 2, 10),
          "**`op=KMODULE`**: finit_module, init_module",
          "Kernel: `IPE_OP_KERNEL_MODULE`, asked by the LSM hooks kernel_read_file (READING_MODULE), "
          "kernel_load_data (LOADING_MODULE)",
          "Evaluated on target `linux-6.12`.")
    assert c.close() == 0
    c = server({"target": "linux-6.12", "set": ["CONFIG_MODULES=n"]})
    check(c, "op not evaluated", HEADER + "DEFAULT action=ALLOW\nop=KMODULE action=DENY\n", 2, 0, (2, 0, 2, 10),
          "**`op=KMODULE`**: finit_module, init_module",
          "Kernel: `IPE_OP_KERNEL_MODULE`, asked by the LSM hooks kernel_read_file (READING_MODULE), "
          "kernel_load_data (LOADING_MODULE)",
          "**Not evaluated** on target `linux-6.12`: CONFIG_MODULES is off: no module can be loaded. IPE is never "
          "asked, so its rules and DEFAULT decide nothing.",
          "---",
          "**`unenforceable-op`** (warning): `op=KMODULE` is never evaluated on target `linux-6.12`: CONFIG_MODULES "
          "is off: no module can be loaded; its rules have no effect and every such operation is allowed")
    assert c.close() == 0


def hornet():
    c = server({"target": "hornet-v7"})
    text = HEADER + "DEFAULT action=ALLOW\nop=BPF_PROG_LOAD bpf_signature=OK bpf_keyring=SECONDARY action=DENY\n"
    bpf = "Meaningful for `op=BPF_PROG_LOAD` only: the other ops leave the BPF fields zero, so for them {} always holds."
    check(c, "verdict", text, 2, 20, (2, 17, 2, 33),
          "**`bpf_signature=OK`** holds when the verdict the integrity provider (Hornet) recorded for the program is "
          "`OK`: the signature is valid and every listed map hash was verified.",
          "Kconfig `CONFIG_IPE_PROP_BPF_SIGNATURE`: built in on target `hornet-v7`.",
          bpf.format("`bpf_signature=NONE`"))
    check(c, "keyring", text, 2, 54, (2, 34, 2, 55),
          "**`bpf_keyring=SECONDARY`** holds when the keyring the loader asked the signature to be checked against "
          "(`keyring_id`) is `SECONDARY`: the secondary trusted keyring (keyring_id 1).",
          "Kconfig `CONFIG_IPE_PROP_BPF_SIGNATURE`: built in on target `hornet-v7`.",
          bpf.format("`bpf_keyring=BUILTIN`"))
    assert c.close() == 0


default_target()
utf8_negotiated()
compiled_out()
hornet()
RESULTS.finish("hover")
