#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Part 1 of ipec's kernel suite: write the policy-load cases.

Usage: load_cases.py OUTDIR [--corpus DIR] [--cert-size N] [--slice] [--random N] [--seed S]

Writes OUTDIR/NNNN.pol (the exact bytes that get signed) and OUTDIR/index.tsv with the columns
    id  mode  keep  predict  group  description
mode is a signing mode of tests/kernel/kernel-test (signer, signer-nocerts, smime-text, ...),
keep=1 keeps an accepted policy loaded for the following cases, and predict is `ipec` (compare
with `ipec check`) or `corpus:ERRNO` (the verdict depends on the key or on kernel state, which
`ipec check` does not model: compared with the corpus' recorded value instead).

The generated cases cover every parser rule of ipe-language.md section 1 (line splitting,
comments, NUL, trailing isspace, token separators, case, header and version rules, errno
ordering, op first / action last, DEFAULT rules, default validation, digests, names, sizes), then
the conformance corpus (tests/conformance/load), then seeded random mutations of valid policies.
Everything is deterministic.
"""
import os
import random
import sys

OPS = ["EXECUTE", "FIRMWARE", "KMODULE", "KEXEC_IMAGE", "KEXEC_INITRAMFS", "POLICY", "X509_CERT"]
BOOLPROPS = ["boot_verified", "dmverity_signature", "fsverity_signature"]
DIGPROPS = ["dmverity_roothash", "fsverity_digest"]
H64 = "0123456789abcdef" * 4
D = "DEFAULT action=ALLOW\n"


class Gen:
    def __init__(self):
        self.cases = []  # (bytes, mode, keep, predict, group, desc)
        self.n = 0

    def name(self):
        return "G%04d" % (len(self.cases) + 1)

    def add(self, text, group, desc, mode="signer", keep=0, predict="ipec"):
        if isinstance(text, str):
            # str literals stand for bytes: "\xa0" is the byte 0xA0 (latin-1), except for the few
            # cases that hold real non-latin-1 characters, which are written as UTF-8
            try:
                text = text.encode("latin-1")
            except UnicodeEncodeError:
                text = text.encode("utf-8")
        self.cases.append((text, mode, keep, predict, group, desc))

    # a valid policy around a body/header variation
    def hdr(self, ver="1.0.0", name=None):
        return "policy_name=%s policy_version=%s\n" % (name or self.name(), ver)

    def body(self, rules, group, desc, defaults=D, **kw):
        self.add(self.hdr() + defaults + rules, group, desc, **kw)


def generated(g: Gen, cert_size: int):
    # ---------------------------------------------------------------- 1.1 input buffer
    G = "1.1-input"
    g.add("", G, "empty text")
    g.add("\n", G, "a single LF")
    g.add("   \t \n\n", G, "only blanks")
    g.add(g.hdr() + D + "\0op=EXECUTE foo=bar action=ALLOW\n", G, "NUL hides an invalid rule")
    g.add(g.hdr() + "\0" + D, G, "NUL before the only DEFAULT")
    g.add("policy_name=%s\0 policy_version=1.0.0\n" % g.name() + D, G, "NUL inside the header")
    g.add(g.hdr() + "DEFAULT action=ALLOW\0garbage\n", G, "NUL right after the action")
    g.add(g.hdr() + "DEFAULT action=AL\0LOW\n", G, "NUL splits the action value")
    g.add(g.hdr() + D + "op=EXECUTE\0 action=ALLOW\n", G, "NUL leaves a one-token rule")
    g.add("\0" + g.hdr() + D, G, "NUL as the first byte")
    g.add(b"\xef\xbb\xbf" + (g.hdr() + D).encode(), G, "UTF-8 BOM before the header")
    g.add((g.hdr() + D).encode("utf-16-le"), G, "UTF-16LE text")
    g.add(b"policy_name=" + b"\xff\xfe\x80" + b" policy_version=1.0.0\n" + D.encode(), G, "bytes >= 0x80 in the name")
    g.add(g.hdr() + D + "op=EXECUTE fsverity_digest=sha256:\xe9e9 action=ALLOW\n", G, "UTF-8 inside a digest")
    g.add(g.hdr() + D + "\x01\n", G, "a control byte alone on a line")
    # ---------------------------------------------------------------- 1.2 line splitting
    G = "1.2-lines"
    base = lambda: g.hdr() + D + "op=EXECUTE boot_verified=TRUE action=ALLOW\n"
    g.add(base().replace("\n", "\r\n"), G, "CRLF")
    g.add(base().replace("\n", "\r"), G, "CR only")
    g.add(base().replace("\n", "\n\r"), G, "LF CR")
    g.add(base().replace("\n", "\r\r\n\n"), G, "CR CR LF LF")
    g.add(base().rstrip("\n"), G, "no final line break")
    g.add(g.hdr() + D + "op=EXECUTE\raction=ALLOW\n", G, "CR splits a rule in two")
    g.add(g.hdr() + D + "# note\rop=EXECUTE action=ALLOW\n", G, "CR after a comment starts a live rule")
    g.add(g.hdr() + D + "# note\rop=EXECUTE foo=1 action=ALLOW\n", G, "CR after a comment starts an invalid rule")
    g.add(g.hdr() + "# comment\rDEFAULT action=DENY\n", G, "the only DEFAULT hides behind comment+CR")
    g.add("policy_name=%s\rpolicy_version=1.0.0\n" % g.name() + D, G, "CR splits the header")
    g.add(g.hdr().replace("\n", "\r") + D, G, "header ends with CR, the rest with LF")
    g.add("\r\n\r\n" + g.hdr() + D, G, "empty CRLF lines before the header")
    # comments
    G = "1.2-comments"
    g.add("# leading comment\n" + g.hdr() + D, G, "comment before the header")
    g.add("#" + g.hdr() + D, G, "commented-out header")
    g.add(g.hdr().rstrip("\n") + "# trailing\n" + D, G, "comment glued to the version")
    g.add("policy_name=%s policy_version=1.0#.0\n" % g.name() + D, G, "# cuts the version to two parts")
    g.add("policy_name=%s policy_version=1.0.0#.5\n" % g.name() + D, G, "# after a complete version")
    g.add("policy_name=a#b policy_version=1.0.0\n" + D, G, "# inside the name cuts the header")
    g.add("policy_name=%s #policy_version=1.0.0\n" % g.name() + D, G, "# before the version token")
    g.add(g.hdr() + "DEFAULT action=ALLOW#DENY\n", G, "# glued to the action")
    g.add(g.hdr() + "DEFAULT action=#ALLOW\n", G, "# empties the action value")
    g.add(g.hdr() + D + "op=EXECUTE fsverity_digest=sha256:ab#cd action=ALLOW\n", G, "# inside a digest (cuts the action too)")
    g.add(g.hdr() + D + "op=EXECUTE fsverity_digest=sha256:ab #cd\n", G, "comment after a digest, no action")
    g.add(g.hdr() + D + "op=EXECUTE action=ALLOW # fsverity_digest=sha256:zz\n", G, "invalid text inside a comment")
    g.add(g.hdr() + "#DEFAULT action=ALLOW\n", G, "the only DEFAULT is commented out")
    g.add(g.hdr() + D + "   # indented comment\n\t#tab comment\n", G, "indented comments")
    g.add(g.hdr() + D + "##\n#\n", G, "hash-only lines")
    g.add(g.hdr() + "DEFAULT #action=ALLOW\n", G, "# leaves DEFAULT alone")
    # trailing isspace
    G = "1.2-trailing-space"
    for ch, nm in [(" ", "space"), ("\t", "tab"), ("\v", "VT"), ("\f", "FF"), ("\xa0", "0xA0")]:
        g.add(g.hdr() + "DEFAULT action=ALLOW" + ch + "\n", G, "trailing %s after the action" % nm)
        g.add(g.hdr().rstrip("\n") + ch + "\n" + D, G, "trailing %s after the version" % nm)
    for ch, nm in [("\v", "VT"), ("\f", "FF"), ("\xa0", "0xA0"), ("\x1c", "0x1C"), ("\x85", "0x85"),
                   ("\x00", None), ("\x7f", "DEL"), ("\x1f", "0x1F"), ("\xa0\v\t \f", "mixed isspace")]:
        if nm is None:
            continue
        g.add(g.hdr() + D + "op=EXECUTE action=DENY" + ch + ch + "\n", G, "two trailing %s after a rule" % nm)
    g.add(g.hdr() + "DEFAULT action=ALLOW\x85\n", G, "trailing 0x85 (not isspace in the kernel)")
    g.add(g.hdr() + "DEFAULT action=ALLOW\x1c\n", G, "trailing 0x1C (not isspace in the kernel)")
    g.add(g.hdr() + "DEFAULT action=ALLOW\xa0\xa0 \xa0\n", G, "trailing 0xA0 and space mix")
    g.add("policy_name=%s\xa0 policy_version=1.0.0\n" % g.name() + D, G, "0xA0 at the end of the name (not trailing)")
    g.add("policy_name=%s\xa0\n" % g.name() + D, G, "name only, trailing 0xA0 stripped")
    g.add(g.hdr() + " \v \n" + D, G, "line of VT and spaces (empty after strip)")
    g.add(g.hdr() + "\xa0\n" + D, G, "line with only 0xA0")
    g.add(g.hdr() + "\f\n" + D, G, "line with only FF")
    # ---------------------------------------------------------------- 1.3 tokens
    G = "1.3-tokens"
    g.add(g.hdr() + "DEFAULT\taction=ALLOW\n", G, "tab separator")
    g.add(g.hdr() + "DEFAULT \t \t action=ALLOW\n", G, "mixed runs of spaces and tabs")
    g.add(g.hdr() + "\t  DEFAULT action=ALLOW\n", G, "leading spaces and tabs")
    for ch, nm in [("\v", "VT"), ("\f", "FF"), ("\xa0", "0xA0"), ("\x1c", "0x1C"), ("\r", "CR")]:
        g.add(g.hdr() + "DEFAULT" + ch + "action=ALLOW\n", G, "%s as a separator" % nm)
        g.add(g.hdr() + ch + "DEFAULT action=ALLOW\n", G, "leading %s" % nm)
    g.add("policy_name=%s\vpolicy_version=1.0.0\n" % g.name() + D, G, "VT between the header tokens")
    g.add("policy_name=%s\t\tpolicy_version=1.0.0\n" % g.name() + D, G, "tabs between the header tokens")
    g.add("\t policy_name=%s policy_version=1.0.0\n" % g.name() + D, G, "indented header")
    g.add("\vpolicy_name=%s policy_version=1.0.0\n" % g.name() + D, G, "header with a leading VT")
    # case sensitivity
    G = "1.3-case"
    for bad, desc in [("default action=ALLOW", "lower-case default"), ("Default action=ALLOW", "Default"),
                      ("DEFAULT action=allow", "action=allow"), ("DEFAULT Action=ALLOW", "Action="),
                      ("DEFAULT ACTION=ALLOW", "ACTION="), ("DEFAULT action=Deny", "action=Deny"),
                      ("DEFAULT op=Execute action=ALLOW", "op=Execute"), ("DEFAULT OP=EXECUTE action=ALLOW", "OP=")]:
        g.add(g.hdr() + D + bad + "\n", G, desc)
    for bad, desc in [("op=execute action=ALLOW", "op=execute"), ("op=EXECUTE Boot_verified=TRUE action=ALLOW", "Boot_verified"),
                      ("op=EXECUTE boot_verified=True action=ALLOW", "boot_verified=True"),
                      ("op=EXECUTE dmverity_signature=false action=ALLOW", "dmverity_signature=false"),
                      ("op=EXECUTE fsverity_signature=1 action=ALLOW", "fsverity_signature=1"),
                      ("op=EXECUTE FSVERITY_DIGEST=sha256:00 action=ALLOW", "FSVERITY_DIGEST"),
                      ("op=kmodule action=ALLOW", "op=kmodule"), ("op=EXECUTE action=DENy", "DENy")]:
        g.add(g.hdr() + D + bad + "\n", G, desc)
    g.add("POLICY_NAME=%s policy_version=1.0.0\n" % g.name() + D, G, "POLICY_NAME")
    g.add("policy_name=%s Policy_Version=1.0.0\n" % g.name() + D, G, "Policy_Version")
    g.add(g.hdr() + D + "op=EXECUTE fsverity_digest=SHA256:%s action=ALLOW\n" % H64, G, "upper-case digest algorithm (loads, never matches)")
    # empty values (prefix=%s needs one character)
    G = "1.3-empty-value"
    g.add(g.hdr() + "DEFAULT action=\n", G, "action=")
    g.add(g.hdr() + D + "op= action=ALLOW\n", G, "op=")
    g.add(g.hdr() + D + "op=EXECUTE dmverity_roothash= action=ALLOW\n", G, "dmverity_roothash=")
    g.add(g.hdr() + D + "op=EXECUTE fsverity_digest= action=ALLOW\n", G, "fsverity_digest=")
    g.add(g.hdr() + D + "op=EXECUTE boot_verified= action=ALLOW\n", G, "boot_verified=")
    g.add("policy_name=%s policy_version=\n" % g.name() + D, G, "policy_version=")
    g.add("policy_name= policy_version=1.0.0\n" + D, G, "policy_name=")
    g.add("policy_name policy_version=1.0.0\n" + D, G, "policy_name without =")
    # ---------------------------------------------------------------- 1.4 header
    G = "1.4-header"
    g.add(D, G, "no header")
    g.add(g.hdr(), G, "header only")
    g.add("policy_version=1.0.0 policy_name=%s\n" % g.name() + D, G, "swapped header tokens")
    g.add("policy_name=%s policy_name=%s\n" % (g.name(), g.name()) + D, G, "policy_name twice")
    g.add("policy_name=%s policy_version=1.0.0 policy_version=1.0.0\n" % g.name() + D, G, "policy_version twice")
    g.add("policy_name=%s policy_version=1.0.0 x\n" % g.name() + D, G, "third header token")
    g.add("policy_name=%s\n" % g.name() + D, G, "name only")
    g.add("policy_version=1.0.0\n" + D, G, "version only")
    g.add("policy_name=%spolicy_version=1.0.0\n" % g.name() + D, G, "no separator: one token")
    g.add(g.hdr() + g.hdr() + D, G, "header twice")
    g.add(D + g.hdr(), G, "DEFAULT before the header")
    g.add("op=EXECUTE action=ALLOW\n" + g.hdr() + D, G, "rule before the header")
    g.add("\n\n# x\n\n" + g.hdr() + D, G, "blank and comment lines before the header")
    g.add("policy_name=\"%s policy\" policy_version=1.0.0\n" % g.name() + D, G, "quoted name with a space")
    g.add("policy_name=%s policy_version=1.0.0 DEFAULT action=ALLOW\n" % g.name(), G, "DEFAULT on the header line")
    # versions
    G = "1.4-version"
    versions = [
        ("0.0.0", "zero"), ("65535.65535.65535", "max"), ("+1.+2.+3", "plus signs"), ("007.0.0", "leading zeros"),
        ("00000000000000000001.0.0", "many leading zeros"), ("+007.+000.+1", "plus and zeros"),
        ("++1.0.0", "double plus"), ("+.0.0", "plus alone"), ("-0.0.0", "minus zero"), ("-1.0.0", "negative"),
        ("0x1.0.0", "hex prefix"), ("1e3.0.0", "exponent"), (" 1.0.0", None), ("1.0.0 ", None),
        ("65536.0.0", "65536"), ("0.65536.0", "65536 in the middle"), ("0.0.65536", "65536 last"),
        ("99999999999999999999.0.0", "u64 overflow"), ("18446744073709551615.0.0", "u64 max"),
        ("18446744073709551616.0.0", "u64 max + 1"),
        ("1.x", "1.x: EINVAL before the count"), ("1.2", "two parts"), ("1", "one part"),
        ("1.2.3.4", "four parts"), ("1.2.3.", "trailing dot"), ("1.2.3.x", "bad fourth part"),
        ("99999.1.2.3", "overflow, then four parts"), ("1.2.3.65536", "four parts, the fourth overflows"),
        ("1.2.x.4", "bad third, then four parts"), ("65536.0", "overflow in two parts"), ("x.65536.0", "EINVAL before ERANGE"),
        ("65536.x.0", "ERANGE before EINVAL"), (".0.0", "empty first part"), ("0..0", "empty middle part"),
        ("0.0.", "empty last part"), ("..", "two dots"), (".", "one dot"), ("...", "three dots"),
        ("1.2.3.4.5", "five parts"), ("1,2,3", "commas"), ("1_0.0.0", "underscore"), ("١.0.0", "Arabic-Indic digit"),
        ("0.0.0\v", "trailing VT (stripped)"), ("0.0.0\xa0", "trailing 0xA0 (stripped)"), ("0.0.0\x85", "trailing 0x85"),
        ("1.0.0\x01", "trailing control byte"), ("+", "only a plus"), ("1.+.0", "plus alone in the middle"),
        ("65535.65535.65536", "last part overflows"), ("1.-0.0", "minus in the middle"),
    ]
    for v, desc in versions:
        if desc is None:
            continue
        g.add("policy_name=%s policy_version=%s\n" % (g.name(), v) + D, G, "version " + desc + ": " + repr(v))
    # errno ordering
    G = "1.6-errno-order"
    g.add("policy_name=%s policy_version=a.0.0\n" % g.name() + "DEFAULT action=FOO\n", G, "EINVAL version, then a bad action")
    g.add("policy_name=%s policy_version=70000.0.0\n" % g.name(), G, "ERANGE version and no DEFAULT")
    g.add("policy_name=. policy_version=1.x\n" + D, G, "name '.' and an EINVAL version")
    g.add("policy_name=. policy_version=1.0.0\n", G, "name '.' and no DEFAULT")
    g.add("policy_name=a/b policy_version=1.0.0\n" + D + "op=EXECUTE fsverity_digest=sha256:abc action=ALLOW\n", G, "name with / and an odd digest")
    g.add(g.hdr() + D + "op=EXECUTE fsverity_digest=sha256:abc action=ALLOW\nop=FOO action=ALLOW\n", G, "EINVAL digest before an EBADMSG line")
    g.add(g.hdr() + D + "op=FOO action=ALLOW\nop=EXECUTE fsverity_digest=sha256:abc action=ALLOW\n", G, "EBADMSG line before an EINVAL digest")
    g.add(g.hdr() + "op=EXECUTE fsverity_digest=sha256:zz action=ALLOW\n", G, "EINVAL digest and no DEFAULT")
    g.add(g.hdr() + "op=EXECUTE fsverity_digest=sha256:zz foo=bar action=ALLOW\n" + D, G, "EINVAL digest before an unknown property on the same line")
    g.add(g.hdr() + "op=EXECUTE foo=bar fsverity_digest=sha256:zz action=ALLOW\n" + D, G, "unknown property before an EINVAL digest on the same line")
    g.add(g.hdr() + "op=EXECUTE fsverity_digest=sha256:zz action=FOO\n" + D, G, "EINVAL digest, bad action on the same line")
    g.add(g.hdr() + "op=EXECUTE fsverity_digest=sha256:zz\n" + D, G, "EINVAL digest that is the last token (no action)")
    g.add(g.hdr() + "op=FOO fsverity_digest=sha256:zz action=ALLOW\n" + D, G, "bad op, then an EINVAL digest")
    g.add(g.hdr() + "DEFAULT fsverity_digest=sha256:zz action=ALLOW\n" + D, G, "digest (EINVAL) on a DEFAULT line")
    g.add(g.hdr() + "DEFAULT fsverity_digest=sha256:00 action=ALLOW\n" + D, G, "valid digest on a DEFAULT line")
    g.add(g.hdr() + "DEFAULT op=EXECUTE fsverity_digest=sha256:zz action=ALLOW\n" + D, G, "EINVAL digest on an op DEFAULT line")
    g.add(g.hdr() + D + D + "op=EXECUTE fsverity_digest=sha256:zz action=ALLOW\n", G, "duplicate DEFAULT before an EINVAL digest")
    g.add(g.hdr() + "op=EXECUTE fsverity_digest=sha256:zz action=ALLOW\n" + D + D, G, "EINVAL digest before a duplicate DEFAULT")
    g.add("policy_name=%s policy_version=1.0.0\n" % ("x" * 300) + "DEFAULT action=ALLOW\nop=BAD action=ALLOW\n", G, "long name and a bad line")
    g.add("policy_name=%s policy_version=1.0.0\n" % ("x" * 300), G, "long name and no DEFAULT")
    # ---------------------------------------------------------------- 1.5 rules
    G = "1.5-rules"
    rules = [
        ("op=EXECUTE action=ALLOW", "rule without properties"),
        ("op=EXECUTE boot_verified=TRUE action=ALLOW", "boot_verified=TRUE"),
        ("op=EXECUTE boot_verified=FALSE action=DENY", "boot_verified=FALSE"),
        ("op=EXECUTE dmverity_signature=TRUE dmverity_signature=FALSE action=ALLOW", "contradictory properties"),
        ("op=EXECUTE boot_verified=TRUE boot_verified=TRUE action=ALLOW", "duplicate property"),
        ("op=KMODULE fsverity_digest=sha256:00 action=ALLOW", "digest with KMODULE"),
        ("op=FIRMWARE dmverity_roothash=sha256:%s action=ALLOW" % H64, "roothash with FIRMWARE"),
        ("op=EXECUTE action=ALLOW boot_verified=TRUE", "action not last"),
        ("op=EXECUTE op=KMODULE action=ALLOW", "two ops"),
        ("op=EXECUTE op=EXECUTE action=ALLOW", "the same op twice"),
        ("boot_verified=TRUE op=EXECUTE action=ALLOW", "property before op"),
        ("boot_verified=TRUE action=ALLOW", "no op"),
        ("action=ALLOW op=EXECUTE", "action first"),
        ("op=EXECUTE boot_verified=TRUE", "no action"),
        ("op=EXECUTE", "op alone"),
        ("action=ALLOW", "action alone"),
        ("op=EXECUTE action=ALLOW action=ALLOW", "action twice"),
        ("op=EXECUTE action=ALLOW action=DENY", "two different actions"),
        ("op=EXECUTE DEFAULT action=ALLOW", "DEFAULT after op"),
        ("op=EXECUTE foo=bar action=ALLOW", "unknown property"),
        ("op=EXECUTE boot_verified action=ALLOW", "property without ="),
        ("op=EXECUTE boot_verified=TRUE=TRUE action=ALLOW", "value TRUE=TRUE"),
        ("op=EXECUTE =TRUE action=ALLOW", "=TRUE"),
        ("op=FOO action=ALLOW", "unknown op"),
        ("op=BPF_PROG_LOAD action=ALLOW", "op=BPF_PROG_LOAD (Hornet only)"),
        ("op=EXECUTE bpf_signature=NONE action=ALLOW", "bpf_signature (Hornet only)"),
        ("op=EXECUTE bpf_kernel=FALSE action=ALLOW", "bpf_kernel (Hornet only)"),
        ("op=EXECUTE bpf_keyring=BUILTIN action=ALLOW", "bpf_keyring (Hornet only)"),
        ("op=EXECUTE is_kernel=TRUE action=ALLOW", "is_kernel"),
        ("op=EXECUTE action=AUDIT", "action=AUDIT"),
        ("op=EXECUTE action=DEN", "action=DEN"),
        ("op=EXECUTE action", "bare action token"),
        ("op=EXECUTE action=ALLOWX", "action=ALLOWX"),
        ("UNKNOWN value=true", "unrecognised statement"),
        ("op=EXECUTE policy_name=x action=ALLOW", "header token as a property"),
        ("policy_name=x policy_version=1.0.0", "a second header line"),
        ("op=EXECUTE boot_verified=TRUE dmverity_signature=FALSE fsverity_signature=FALSE dmverity_roothash=sha256:00 fsverity_digest=sha256:00 action=DENY", "five properties"),
    ]
    for r, desc in rules:
        g.body(r + "\n", G, desc)
    for op in OPS:
        g.body("op=%s action=DENY\nop=%s boot_verified=TRUE action=ALLOW\n" % (op, op), G, "rules for op=%s" % op)
    for p in BOOLPROPS:
        for v in ["TRUE", "FALSE", "true", "1", "YES", "TRUE "]:
            g.body("op=EXECUTE %s=%s action=ALLOW\n" % (p, v), G, "%s=%s" % (p, v.strip()) + (" plus a space" if v.endswith(" ") else ""))
    g.body("op=EXECUTE boot_verified=TRUE action=ALLOW\n" * 200, G, "200 identical rules")
    # ---------------------------------------------------------------- DEFAULT lines and validation
    G = "1.5-default"
    g.add(g.hdr() + "DEFAULT action=DENY\n", G, "global DENY")
    g.add(g.hdr() + "DEFAULT action=ALLOW\nDEFAULT action=ALLOW\n", G, "global default twice, same action")
    g.add(g.hdr() + "DEFAULT action=ALLOW\nDEFAULT action=DENY\n", G, "global default twice, different actions")
    g.add(g.hdr() + "DEFAULT\n", G, "bare DEFAULT")
    g.add(g.hdr() + D + "DEFAULT op=EXECUTE\n", G, "op DEFAULT without action")
    g.add(g.hdr() + D + "DEFAULT DEFAULT action=ALLOW\n", G, "DEFAULT DEFAULT")
    g.add(g.hdr() + D + "DEFAULT op=EXECUTE op=EXECUTE action=ALLOW\n", G, "DEFAULT with two ops")
    g.add(g.hdr() + D + "DEFAULT op=EXECUTE boot_verified=TRUE action=ALLOW\n", G, "op DEFAULT with a property")
    g.add(g.hdr() + "DEFAULT boot_verified=TRUE action=ALLOW\n", G, "global DEFAULT with a property")
    g.add(g.hdr() + "DEFAULT action=ALLOW op=EXECUTE\n", G, "op after the action")
    g.add(g.hdr() + D + "DEFAULT op=EXECUTE action=DENY\nDEFAULT op=EXECUTE action=DENY\n", G, "op DEFAULT twice")
    g.add(g.hdr() + "DEFAULT op=EXECUTE action=DENY\n" + D, G, "op DEFAULT before the global one")
    g.add(g.hdr() + "op=EXECUTE action=ALLOW\n" + D, G, "rule before the DEFAULT")
    g.add(g.hdr() + "op=EXECUTE action=ALLOW\n", G, "rules only, no DEFAULT")
    g.add(g.hdr() + "DEFAULT op=FOO action=ALLOW\n" + D, G, "op DEFAULT with an unknown op")
    g.add(g.hdr() + "DEFAULT op=BPF_PROG_LOAD action=ALLOW\n" + D, G, "op DEFAULT for BPF_PROG_LOAD")
    g.add(g.hdr() + "".join("DEFAULT op=%s action=ALLOW\n" % o for o in OPS), G, "all seven op DEFAULTs")
    g.add(g.hdr() + "".join("DEFAULT op=%s action=DENY\n" % o for o in reversed(OPS)), G, "all seven op DEFAULTs, reversed")
    for miss in OPS:
        g.add(g.hdr() + "".join("DEFAULT op=%s action=ALLOW\n" % o for o in OPS if o != miss), G, "op DEFAULTs without %s" % miss)
    g.add(g.hdr() + "".join("DEFAULT op=%s action=ALLOW\n" % o for o in OPS) + D, G, "all op DEFAULTs and the global one")
    g.add(g.hdr() + "DEFAULT op=EXECUTE action=DENY\nDEFAULT op=KMODULE action=DENY\n" + D, G, "two op DEFAULTs and the global one")
    g.add(g.hdr() + "".join("DEFAULT op=%s action=ALLOW\n" % o for o in OPS[:-1]) + "DEFAULT op=X509_CERT action=ALLOW\nDEFAULT op=X509_CERT action=DENY\n", G, "all op DEFAULTs, one twice")
    g.add(g.hdr() + "".join("DEFAULT op=%s action=ALLOW\nop=%s boot_verified=TRUE action=DENY\n" % (o, o) for o in OPS), G, "op DEFAULTs interleaved with rules")
    g.add(g.hdr() + "".join("DEFAULT op=%s action=ALLOW\n" % o for o in OPS[:-1]) + "DEFAULT op=X509_CERT\n", G, "the seventh op DEFAULT has no action")
    g.add(g.hdr() + "".join("DEFAULT op=%s action=ALLOW\n" % o for o in OPS[:-1]) + "DEFAULT op=x509_CERT action=ALLOW\n", G, "the seventh op DEFAULT is mis-cased")
    # ---------------------------------------------------------------- digests
    G = "3.2-digest"
    digs = [
        ("sha256:" + H64, "sha256, 64 hex"), ("sha256:" + H64.upper(), "upper-case hex"), ("sha256:AbCd", "mixed-case hex"),
        ("sha256:", "empty hex"), (":00", "empty algorithm"), (":", "only a colon"), ("md5:00ff", "unknown algorithm"),
        ("sha256:00", "short digest"), ("sha512:" + H64 * 2, "sha512"), ("sha256:" + "ab" * 200, "400 hex digits"),
        ("sha256:abc", "odd length"), ("sha256:zz", "non-hex"), ("sha256:00:11", "second colon"),
        ("sha256:0x00", "0x prefix"), ("sha256:-0", "minus"), ("sha256:" + H64[:-1] + "g", "one bad digit at the end"),
        (H64, "no colon (old style)"), ("sha256" + H64, "no colon, algorithm glued on"), ("a:b", "odd non-hex"),
        ("sha256: ", None), ("sha256:\xa0", "0xA0 in the hex"), ("sha256:0\xa0", "hex then 0xA0"),
        ("=:00", "algorithm '='"), ("sha256=00", "= instead of :"), ("SHA256:00", "upper-case algorithm"),
        ("sha-256:00", "algorithm with a dash"), ("sha256:00\v", "trailing VT inside a rule"),
    ]
    for prop in DIGPROPS:
        for v, desc in digs:
            if desc is None:
                continue
            g.body("op=EXECUTE %s=%s action=ALLOW\n" % (prop, v), G, "%s: %s" % (prop, desc))
    g.body("op=EXECUTE fsverity_digest=sha256:00 action=ALLOW\n", G, "digest at the end of a line with trailing VT", defaults=D)
    g.body("op=EXECUTE fsverity_digest=sha256:00\v\n", G, "digest followed by VT as the last token")
    # ---------------------------------------------------------------- names (securityfs limits, 5.2)
    G = "5.2-names"
    names = [
        (".", "."), ("..", ".."), ("...", "..."), ("a/b", "a/b"), ("/", "/"), ("a/", "trailing slash"),
        ("a=b", "="), ("a:b", ":"), ("a\"b", "quote"), ("a\\b", "backslash"), ("%s%%d", "printf chars"),
        ("\xc3\xa9t\xc3\xa9", "UTF-8"), ("-", "dash"), (".hidden", "leading dot"), ("a.", "trailing dot"),
        ("a" * 255, "255 bytes"), ("a" * 256, "256 bytes"), ("\xc3\xa9" * 127 + "a", "255 bytes of UTF-8"),
        ("\xc3\xa9" * 128, "256 bytes of UTF-8"), ("a" * 4000, "4000 bytes"), ("\x01", "control byte"),
        ("a\vb", "VT inside"), ("a\x7f", "DEL"), ("$@!*&^%%\\:;{}()", "KUnit special characters"),
        ("\xff\xef", "KUnit expanded ascii"), ("a\xa0b", "0xA0 inside"),
    ]
    for nm, desc in names:
        g.add(("policy_name=" + nm + " policy_version=1.0.0\n" + D).encode("latin-1"), G, "name " + desc)
    # ---------------------------------------------------------------- sizes (EMSGSIZE)
    G = "size"
    # with the embedded certificate (`signer`): the largest text that fits is 65535 - 1279 - (cert - 847)
    limit = 65535 - 1279 - (cert_size - 847)
    for delta, mode in [(-1, "signer"), (0, "signer"), (1, "signer"), (2, "signer")]:
        n = g.name()
        head = g.hdr(name=n) + D
        g.add(head + "#" * (limit + delta - len(head) - 1) + "\n", G, "text of limit%+d bytes (cert %d)" % (delta, cert_size), mode)
    lim_nc = 65535 - 428
    for delta in (-1, 0, 1):
        n = g.name()
        head = g.hdr(name=n) + D
        g.add(head + "#" * (lim_nc + delta - len(head) - 1) + "\n", G, "-nocerts, text of limit%+d bytes" % delta, "signer-nocerts")
    n = g.name()
    head = g.hdr(name=n) + D
    g.add(head + "#" * (limit - len(head) - 1) + "\n", G, "text at the -binary limit, signed as sha512", "sha512")
    n = g.name()
    head = g.hdr(name=n) + D
    g.add(head + "#" * (70000 - len(head)), G, "70000 bytes, no LF at the end")
    n = g.name()
    body = "op=EXECUTE boot_verified=TRUE action=ALLOW\n"
    head = g.hdr(name=n) + D
    g.add(head + body * ((limit - len(head)) // len(body)), G, "as many rules as fit")
    # ---------------------------------------------------------------- signing modes (ipec predicts from the signed text)
    G = "sign-modes"
    for mode in ["smime-text", "signer-nocerts", "cms", "cms-skid", "sha512"]:
        g.add(g.hdr() + D + "op=EXECUTE boot_verified=TRUE action=ALLOW\n", G, "valid policy, mode " + mode, mode)
        g.add(g.hdr() + "op=EXECUTE boot_verified=TRUE action=ALLOW\n", G, "no DEFAULT, mode " + mode, mode)
    g.add(g.hdr() + "# x\rDEFAULT action=ALLOW\n", G, "CR after a comment, signed as text (openssl rewrites the line ends)", "smime-text")
    g.add(g.hdr() + D + "op=EXECUTE action=ALLOW\r", G, "trailing CR, signed as text", "smime-text")
    g.add(g.hdr() + D + "\0garbage\n", G, "NUL, signed as text", "smime-text")


def corpus(g: Gen, d: str):
    def rows(path):
        for line in open(path, encoding="utf-8"):
            line = line.rstrip("\n")
            if not line or line.startswith("#") or line.startswith("case\t"):
                continue
            yield line.split("\t")
    for r in rows(os.path.join(d, "expected.tsv")):
        g.add(open(os.path.join(d, r[0]), "rb").read(), "corpus", "%s: %s" % (r[0], r[2] if len(r) > 2 else ""))
    for r in rows(os.path.join(d, "expected-lifecycle.tsv")):
        case, mode, exp = r[0], r[1], r[2]
        text = open(os.path.join(d, case), "rb").read()
        keep = 1 if mode == "signer-keep" else 0
        if mode == "signer-keep":
            mode = "signer"
        # these depend on the key (none/untrusted) or on an earlier case (EEXIST): not `ipec check`
        predict = "corpus:" + exp if mode in ("none", "untrusted") or exp == "EEXIST" else "ipec"
        g.add(text, "corpus", "%s: %s" % (case, r[3] if len(r) > 3 else ""), mode, keep, predict)


def mutations(g: Gen, count: int, seed: int):
    """Random token- and byte-level mutations of valid policies (seeded, deterministic)."""
    rnd = random.Random(seed)
    props = ["boot_verified=TRUE", "boot_verified=FALSE", "dmverity_signature=TRUE", "dmverity_signature=FALSE",
             "fsverity_signature=TRUE", "fsverity_signature=FALSE", "dmverity_roothash=sha256:" + H64,
             "fsverity_digest=sha256:" + H64, "fsverity_digest=sha256:00ff", "dmverity_roothash=sha512:abcd"]
    junk = ["op=", "action=", "DEFAULT", "op=EXECUTE", "action=ALLOW", "action=DENY", "foo=bar", "#", "\r", "\v", "\xa0",
            "\0", "\t", "  ", "TRUE", "=", ":", "sha256:zz", "fsverity_digest=sha256:abc", "policy_version=1.0.0",
            "op=KMODULE", "\f", "\x85", "\n"]

    def valid():
        lines = []
        if rnd.random() < 0.7:
            lines.append("DEFAULT action=%s" % rnd.choice(["ALLOW", "DENY"]))
        for o in OPS:
            if rnd.random() < (0.25 if lines else 1.0):
                lines.append("DEFAULT op=%s action=%s" % (o, rnd.choice(["ALLOW", "DENY"])))
        for _ in range(rnd.randint(0, 6)):
            toks = ["op=" + rnd.choice(OPS)] + rnd.sample(props, rnd.randint(0, 3)) + ["action=" + rnd.choice(["ALLOW", "DENY"])]
            lines.append(" ".join(toks))
        rnd.shuffle(lines)
        return lines

    for i in range(count):
        name = g.name()
        ver = "%d.%d.%d" % (rnd.randint(0, 3), rnd.randint(0, 70000 if rnd.random() < 0.1 else 9), rnd.randint(0, 9))
        lines = ["policy_name=%s policy_version=%s" % (name, ver)] + valid()
        what = []
        for _ in range(rnd.randint(1, 3)):
            k = rnd.randrange(len(lines))
            toks = lines[k].split(" ")
            m = rnd.randrange(7)
            if m == 0:  # drop a token
                j = rnd.randrange(len(toks)); what.append("drop token %r" % toks[j]); del toks[j]
            elif m == 1:  # swap two tokens
                a, b = rnd.randrange(len(toks)), rnd.randrange(len(toks)); toks[a], toks[b] = toks[b], toks[a]; what.append("swap tokens")
            elif m == 2:  # insert junk
                j = rnd.randrange(len(toks) + 1); s = rnd.choice(junk); toks.insert(j, s); what.append("insert %r" % s)
            elif m == 3:  # flip the case of one character
                j = rnd.randrange(len(toks)); t = toks[j]
                if t:
                    c = rnd.randrange(len(t)); toks[j] = t[:c] + t[c].swapcase() + t[c + 1:]; what.append("case flip in %r" % t)
            elif m == 4:  # glue a junk string into a token
                j = rnd.randrange(len(toks)); t = toks[j]; c = rnd.randrange(len(t) + 1); s = rnd.choice(junk)
                toks[j] = t[:c] + s + t[c:]; what.append("inject %r" % s)
            elif m == 5:  # delete a line
                if k > 0:
                    lines[k] = ""; what.append("delete line %d" % (k + 1)); continue
            else:  # duplicate a line
                lines.insert(k, lines[k]); what.append("duplicate line %d" % (k + 1)); continue
            lines[k] = " ".join(toks)
        sep = rnd.choice(["\n"] * 6 + ["\r\n", "\r"])
        text = sep.join(lines) + (sep if rnd.random() < 0.8 else "")
        g.add(text.encode("latin-1"), "random", "seed %d #%d: %s" % (seed, i, "; ".join(what)))


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        sys.exit(__doc__)
    out = args[0]
    corpus_dir = None
    cert = 847
    sl = False
    count = 160
    seed = 20250101
    i = 1
    while i < len(args):
        if args[i] == "--corpus":
            corpus_dir = args[i + 1]; i += 2
        elif args[i] == "--cert-size":
            cert = int(args[i + 1]); i += 2
        elif args[i] == "--random":
            count = int(args[i + 1]); i += 2
        elif args[i] == "--seed":
            seed = int(args[i + 1]); i += 2
        elif args[i] == "--slice":
            sl = True; i += 1
        else:
            sys.exit("load_cases.py: unknown argument " + args[i])
    g = Gen()
    generated(g, cert)
    if corpus_dir:
        corpus(g, corpus_dir)
    mutations(g, 40 if sl and count == 160 else count, seed)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "index.tsv"), "w", encoding="utf-8") as idx:
        idx.write("id\tmode\tkeep\tpredict\tgroup\tdescription\n")
        for k, (text, mode, keep, predict, group, desc) in enumerate(g.cases, 1):
            cid = "%04d" % k
            with open(os.path.join(out, cid + ".pol"), "wb") as f:
                f.write(text)
            desc = desc.replace("\t", "\\t").replace("\n", "\\n")
            desc = "".join(c if c.isprintable() else "\\x%02x" % ord(c) for c in desc)
            idx.write("%s\t%s\t%d\t%s\t%s\t%s\n" % (cid, mode, keep, predict, group, desc))
    print(len(g.cases))


if __name__ == "__main__":
    main()
