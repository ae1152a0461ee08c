#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The code action that deletes every rule flagged dead, shadowed or redundant at once: the edited
document, checked again by the server, has no such rule left, and `ipec eval` decides every
event as before. Also when the warnings are hidden (-Wno-...): the action still deletes the whole
set, which alone is safe.  code_actions_fix_all_test.py IPEC"""
import itertools
import json
import os
import subprocess
import sys
import tempfile

from lsp_client import Client
from lsp_edits import apply, rng

URI = "file:///fixall/p.pol"
D11, D0F, D22, D33, D44 = ("11" * 32), ("0f" * 32), ("22" * 32), ("33" * 32), ("44" * 32)
POLICY = "\n".join([
    "policy_name=fixall policy_version=1.0.0",                                        # 0
    "DEFAULT action=DENY",                                                             # 1
    "# règles d'exécution",                                                            # 2
    "op=EXECUTE boot_verified=TRUE action=ALLOW",                                      # 3
    "op=EXECUTE boot_verified=TRUE dmverity_signature=TRUE action=ALLOW",              # 4 dead
    "op=EXECUTE fsverity_signature=TRUE boot_verified=TRUE action=ALLOW",              # 5 dead
    "op=EXECUTE dmverity_signature=TRUE action=ALLOW",                                 # 6
    f"op=EXECUTE dmverity_roothash=sha256:{D11} action=DENY # révoqué",                # 7 redundant
    "op=KMODULE dmverity_signature=TRUE action=ALLOW",                                 # 8
    "op=KMODULE dmverity_signature=FALSE action=DENY",                                 # 9 redundant with 10
    f"op=KMODULE dmverity_roothash=sha256:{D0F} action=ALLOW",                         # 10 shadowed
    f"op=FIRMWARE fsverity_digest=sha256:{D22} action=ALLOW",                          # 11
    f"op=FIRMWARE fsverity_digest=sha256:{D22} action=ALLOW",                          # 12 shadowed
    "op=FIRMWARE fsverity_signature=FALSE action=DENY",                                # 13 redundant
    "op=FIRMWARE fsverity_signature=TRUE action=ALLOW",                                # 14
    ""])
KEPT = (0, 1, 2, 3, 6, 8, 11, 14, 15)
EDITS = [{"range": rng(4, 0, 6, 0), "newText": ""}, {"range": rng(7, 0, 8, 0), "newText": ""},
         {"range": rng(9, 0, 11, 0), "newText": ""}, {"range": rng(12, 0, 14, 0), "newText": ""}]
TITLE = "Delete the 7 rules flagged dead, shadowed or redundant (no decision changes)"
FLAGGED = {"dead-rule", "shadowed-rule", "redundant-rule"}
QUIET = ["-Wno-lockout", "-Wno-partial-enforcement"]


def source_action(c):
    r = c.call("textDocument/codeAction", {"textDocument": {"uri": URI}, "range": rng(0, 0, 0, 0),
                                            "context": {"diagnostics": [], "only": ["source.removeUnused"]}})
    assert "error" not in r, r
    return r["result"]


def code_actions(c, diagnostics, trigger):
    r = c.call("textDocument/codeAction", {"textDocument": {"uri": URI}, "range": rng(7, 0, 7, 0),
                                            "context": {"diagnostics": diagnostics, "triggerKind": trigger}})
    assert "error" not in r, r
    return r["result"]


def events():
    """Events of the three ops over the digests of the policy and others."""
    files = ["file=absent", "initramfs=true", "bdev=plain", ""]
    files += [f"dmverity=sha256:{d} dmverity_sig={s}" for d in (D11, D0F, D44) for s in ("true", "false")]
    verity = ["", *(f"fsverity=sha256:{d} fsverity_sig={s}" for d in (D22, D33) for s in ("true", "false"))]
    out = []
    for op, f, v in itertools.product(("EXECUTE", "KMODULE", "FIRMWARE"), files, verity):
        if v and f in ("file=absent", "initramfs=true"):
            continue
        out.append(" ".join(x for x in (f"op={op}", f, v) if x))
    return out


def decisions(ipec, text, evs):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "p.pol")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        args = [ipec, "eval", "--format=json", path]
        for e in evs:
            args += ["--event", e]
        r = subprocess.run(args, capture_output=True, text=True, check=True)
    return [json.loads(l)["decision"] for l in r.stdout.splitlines()]


def main(ipec):
    c = Client([ipec, "lsp"])
    c.initialize(None, {"warnings": QUIET})
    c.open(URI, POLICY)
    before = c.diagnostics(URI)["diagnostics"]
    flagged = sorted((d["range"]["start"]["line"], d["code"]) for d in before if d["code"] in FLAGGED)
    assert flagged == [(4, "dead-rule"), (5, "dead-rule"), (7, "redundant-rule"), (9, "redundant-rule"),
                       (10, "shadowed-rule"), (12, "shadowed-rule"), (13, "redundant-rule")], flagged
    assert source_action(c) == [{"title": TITLE, "kind": "source.removeUnused", "edit": {"changes": {URI: EDITS}}}]
    after = apply(POLICY, EDITS)
    assert after == "\n".join(POLICY.split("\n")[i] for i in KEPT), after

    # Checked again: none of the three warnings is left, and nothing is left to delete.
    c.notify("textDocument/didChange", {"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": after}]})
    rechecked = c.diagnostics(URI)["diagnostics"]
    assert [d["code"] for d in rechecked if d["code"] in FLAGGED] == [], rechecked
    assert [d["severity"] for d in rechecked if d["severity"] == 1] == []
    assert source_action(c) == []
    assert c.close() == 0

    # Every decision stays.
    evs = events()
    old, new = decisions(ipec, POLICY, evs), decisions(ipec, after, evs)
    assert len(old) == len(evs) == 126 and set(old) == {"ALLOW", "DENY"}, (len(old), set(old))
    changed = [e for e, a, b in zip(evs, old, new) if a != b]
    assert changed == [], changed
    # Deleting only the redundant rule on line 9 (what a per-rule action must never offer)
    # would change decisions: the joint deletion is what keeps them.
    alone = "\n".join(l for i, l in enumerate(POLICY.split("\n")) if i != 9)
    assert decisions(ipec, alone, evs) != old

    # With the dead and shadowed warnings hidden, the action still deletes all seven rules.
    c = Client([ipec, "lsp"])
    c.initialize(None, {"warnings": QUIET + ["-Wno-dead-rule", "-Wno-shadowed-rule"]})
    c.open(URI, POLICY)
    shown = [d for d in c.diagnostics(URI)["diagnostics"] if d["code"] in FLAGGED]
    assert [d["code"] for d in shown] == ["redundant-rule"] * 3, shown
    assert source_action(c) == [{"title": TITLE, "kind": "source.removeUnused", "edit": {"changes": {URI: EDITS}}}]
    # That reruns the analysis: an editor following the cursor (triggerKind Automatic) is not
    # offered it, a user who asks (Invoked) is.
    line7 = shown[0]
    assert line7["range"]["start"]["line"] == 7, line7
    alone = {"title": "Delete this redundant rule", "kind": "quickfix", "diagnostics": [line7],
             "edit": {"changes": {URI: [{"range": rng(7, 0, 8, 0), "newText": ""}]}}}
    every = {"title": TITLE, "kind": "quickfix", "diagnostics": [line7], "edit": {"changes": {URI: EDITS}}}
    source = {"title": TITLE, "kind": "source.removeUnused", "edit": {"changes": {URI: EDITS}}}
    assert code_actions(c, [line7], 2) == [alone]
    assert code_actions(c, [line7], 1) == [alone, every, source]
    assert c.close() == 0
    print(f"fix all: ok ({len(evs)} events decided alike)")


if __name__ == "__main__":
    main(sys.argv[1])
