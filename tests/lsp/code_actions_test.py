#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""textDocument/codeAction: fix-its, deleting a flagged rule, a missing DEFAULT, `context.only`,
the requested range, stale and foreign diagnostics.  code_actions_test.py IPEC"""
import sys

from lsp_client import Client
from lsp_edits import apply, rng

URI = "file:///actions/p.pol"


def actions(c, uri, diagnostics, r=None, only=None):
    context = {"diagnostics": diagnostics}
    if only is not None:
        context["only"] = only
    r = c.call("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": r or rng(0, 0, 0, 0), "context": context})
    assert "error" not in r, r
    return r["result"]


def diag(diags, code, line=None):
    found = [d for d in diags if d["code"] == code and (line is None or d["range"]["start"]["line"] == line)]
    assert len(found) == 1, (code, line, diags)
    return found[0]


def quickfix(title, d, edits, uri=URI, preferred=False):
    a = {"title": title, "kind": "quickfix", "diagnostics": [d], "edit": {"changes": {uri: edits}}}
    if preferred:
        a["isPreferred"] = True
    return a


def edit(r, text=""):
    return {"range": r, "newText": text}


def session(ipec, text, uri=URI, capabilities=None, options=None):
    c = Client([ipec, "lsp"])
    c.initialize(capabilities, options)
    c.open(uri, text)
    return c, c.diagnostics(uri)["diagnostics"]


FIXITS = "\n".join([
    "\ufeffpolicy_name=fix policy_version=1.0.0",                       # 0 a byte-order mark
    "DEFAULT action=ALLOW",                                              # 1
    "op=EXECUTE dmverity_roothash=\U0001F512:00 boot_verified=true action=ALLOW",  # 2 after a 4-byte character
    "op=execute action=DENY",                                            # 3
    "op=EXECUTE boot_verified = TRUE action=DENY",                       # 4
    ""])


def test_fixits(ipec):
    c, diags = session(ipec, FIXITS)
    value = diag(diags, "bad-property-value")
    # `true` starts after 29 ASCII bytes, the emoji (2 UTF-16 units), `:00 ` and `boot_verified=`.
    assert value["range"] == rng(2, 49, 2, 53), value
    fix = quickfix("Replace `true` with `TRUE`", value, [edit(rng(2, 49, 2, 53), "TRUE")], preferred=True)
    assert actions(c, URI, [value], rng(2, 50, 2, 50)) == [fix]
    bom = diag(diags, "byte-order-mark")
    assert actions(c, URI, [bom]) == [quickfix("Delete `\\u{feff}`", bom, [edit(rng(0, 0, 0, 1))], preferred=True)]
    op = diag(diags, "unknown-op")
    spacing = diag(diags, "space-around-equals")
    both = actions(c, URI, [op, spacing, value], rng(0, 0, 5, 0))
    assert both == [quickfix("Replace `execute` with `EXECUTE`", op, [edit(rng(3, 3, 3, 10), "EXECUTE")], preferred=True),
                    quickfix("Replace `boot_verified = TRUE` with `boot_verified=TRUE`", spacing,
                             [edit(rng(4, 11, 4, 31), "boot_verified=TRUE")], preferred=True),
                    fix], both
    fixed = FIXITS
    for a in reversed(both + actions(c, URI, [bom])):  # from the last line to the first
        fixed = apply(fixed, a["edit"]["changes"][URI])
    assert fixed == "\n".join([
        "policy_name=fix policy_version=1.0.0", "DEFAULT action=ALLOW",
        "op=EXECUTE dmverity_roothash=\U0001F512:00 boot_verified=TRUE action=ALLOW",
        "op=EXECUTE action=DENY", "op=EXECUTE boot_verified=TRUE action=DENY", ""]), fixed

    # Only the diagnostics the client names, in the requested range, and only current ones.
    assert actions(c, URI, [value], rng(3, 0, 4, 0)) == []
    stale = dict(value, range=rng(2, 48, 2, 52))
    assert actions(c, URI, [stale], rng(2, 0, 2, 60)) == []
    foreign = dict(value, source="other")
    assert actions(c, URI, [foreign], rng(2, 0, 2, 60)) == []
    # The edit is the server's, whatever `data` the client sends back.
    forged = dict(value, data={"fixits": [{"range": rng(0, 0, 9, 0), "newText": "rm -rf"}]})
    assert actions(c, URI, [forged], rng(2, 0, 2, 60)) == [dict(fix, diagnostics=[forged])]
    assert actions(c, URI, [{"code": 7, "range": "x"}, {"range": rng(2, 49, 2, 53)}], rng(2, 0, 2, 60)) == []
    # Quick fixes are not source actions.
    assert actions(c, URI, [value], rng(2, 50, 2, 50), only=["source"]) == []
    assert actions(c, URI, [value], rng(2, 50, 2, 50), only=["quickfix"]) == [fix]
    assert c.close() == 0


IS_KERNEL = "policy_name=h policy_version=1.0.0\nDEFAULT action=ALLOW\nop=BPF_PROG_LOAD is_kernel=TRUE action=DENY\n"


def test_is_kernel(ipec):
    # On a Hornet kernel, `is_kernel` (the v4 cover letter's spelling) becomes `bpf_kernel`.
    c, diags = session(ipec, IS_KERNEL, options={"target": "hornet-v7"})
    d = diag(diags, "unknown-property")
    assert d["range"] == rng(2, 17, 2, 31), d
    assert actions(c, URI, [d], rng(2, 20, 2, 20)) == [
        quickfix("Replace `is_kernel` with `bpf_kernel`", d, [edit(rng(2, 17, 2, 26), "bpf_kernel")], preferred=True)]
    assert c.close() == 0
    # Linux 6.12 knows neither spelling: no fix.
    c, diags = session(ipec, IS_KERNEL)
    d = diag(diags, "unknown-property")
    assert "fixits" not in d.get("data", {}), d
    assert actions(c, URI, [d], rng(2, 20, 2, 20)) == []
    assert c.close() == 0


def test_missing_default(ipec):
    text = "policy_name=md policy_version=1.0.0 # é\r\nDEFAULT op=EXECUTE action=DENY\r\n"
    c, diags = session(ipec, text)
    d = diag(diags, "missing-default")
    got = actions(c, URI, [d])
    assert got == [quickfix("Add `DEFAULT action=DENY` after the header", d, [edit(rng(1, 0, 1, 0), "DEFAULT action=DENY\r\n")]),
                   quickfix("Add `DEFAULT action=ALLOW` after the header", d,
                            [edit(rng(1, 0, 1, 0), "DEFAULT action=ALLOW\r\n")])], got
    fixed = apply(text, got[0]["edit"]["changes"][URI])
    c.notify("textDocument/didChange", {"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": fixed}]})
    assert [x["code"] for x in c.diagnostics(URI)["diagnostics"] if x["severity"] == 1] == []
    assert c.close() == 0
    # A header on the last line, without a line feed.
    c, diags = session(ipec, "policy_name=md policy_version=1.0.0")
    d = diag(diags, "missing-default")
    assert actions(c, URI, [d])[1]["edit"]["changes"][URI] == [edit(rng(0, 35, 0, 35), "\nDEFAULT action=ALLOW")]
    assert c.close() == 0


FLAGGED = "\r\n".join([
    "policy_name=del policy_version=1.0.0",                                          # 0
    "DEFAULT action=DENY",                                                           # 1
    "op=EXECUTE fsverity_signature=TRUE boot_verified=TRUE action=ALLOW # « jamais »",  # 2 dead
    "op=EXECUTE boot_verified=TRUE action=ALLOW",                                    # 3
    "op=EXECUTE boot_verified=TRUE action=ALLOW",                                    # 4 shadowed
    "op=KMODULE dmverity_signature=TRUE action=ALLOW",                               # 5
    "op=KMODULE dmverity_signature=FALSE action=DENY",                               # 6 redundant, with 7
    f"op=KMODULE dmverity_roothash=sha256:{'0f' * 32} action=ALLOW",                 # 7 shadowed
    "op=FIRMWARE fsverity_signature=FALSE action=DENY"])                             # 8 redundant, no EOL


def test_delete_rules(ipec):
    c, diags = session(ipec, FLAGGED, options={"warnings": ["-Wno-lockout", "-Wno-partial-enforcement"]})
    dead, shadowed = diag(diags, "dead-rule", 2), diag(diags, "shadowed-rule", 4)
    redundant, last = diag(diags, "redundant-rule", 6), diag(diags, "redundant-rule", 8)
    # Adjacent lines go in one edit.
    all_edits = [edit(rng(2, 0, 3, 0)), edit(rng(4, 0, 5, 0)), edit(rng(6, 0, 8, 48))]
    delete_all = "Delete the 5 rules flagged dead, shadowed or redundant (no decision changes)"
    # The whole line goes, with its comment and its CRLF.
    assert actions(c, URI, [dead], rng(2, 5, 2, 5), only=["quickfix"]) == [
        quickfix("Delete this unreachable rule", dead, [edit(rng(2, 0, 3, 0))]),
        quickfix(delete_all, dead, all_edits)]
    assert actions(c, URI, [shadowed], rng(4, 0, 4, 0), only=["quickfix"])[0] == \
        quickfix("Delete this unreachable rule", shadowed, [edit(rng(4, 0, 5, 0))])
    # Line 6 may go only with line 7: no action deletes it alone.
    assert actions(c, URI, [redundant], rng(6, 0, 6, 0), only=["quickfix"]) == [quickfix(delete_all, redundant, all_edits)]
    # The last line has no terminator: up to the end.
    assert actions(c, URI, [last], rng(8, 0, 8, 0), only=["quickfix"])[0] == \
        quickfix("Delete this redundant rule", last, [edit(rng(8, 0, 8, 48))])

    source = {"title": delete_all, "kind": "source.removeUnused", "edit": {"changes": {URI: all_edits}}}
    # context.only: a parent kind takes its sub-kinds; an unrelated kind gets nothing.
    assert actions(c, URI, [], only=["source"]) == [source]
    assert actions(c, URI, [dead], rng(2, 0, 2, 0), only=["source.removeUnused"]) == [source]
    assert actions(c, URI, [dead], rng(2, 0, 2, 0), only=["refactor", "source.fixAll"]) == []
    assert actions(c, URI, [dead], rng(2, 0, 2, 0)) == [
        quickfix("Delete this unreachable rule", dead, [edit(rng(2, 0, 3, 0))]), quickfix(delete_all, dead, all_edits), source]
    assert apply(FLAGGED, all_edits) == "\r\n".join(FLAGGED.split("\r\n")[i] for i in (0, 1, 3, 5)) + "\r\n"
    assert c.close() == 0


def test_document_changes(ipec):
    # A client that takes versioned edits gets them, with the version the edit applies to.
    c = Client([ipec, "lsp"])
    c.initialize({"workspace": {"workspaceEdit": {"documentChanges": True}}})
    c.open(URI, FIXITS, version=7)
    c.diagnostics(URI)
    text = FIXITS.replace("DEFAULT action=ALLOW", "DEFAULT  action=ALLOW")
    c.notify("textDocument/didChange", {"textDocument": {"uri": URI, "version": 8}, "contentChanges": [{"text": text}]})
    d = diag(c.diagnostics(URI)["diagnostics"], "unknown-op")
    assert actions(c, URI, [d], rng(3, 0, 3, 0)) == [{
        "title": "Replace `execute` with `EXECUTE`", "kind": "quickfix", "diagnostics": [d], "isPreferred": True,
        "edit": {"documentChanges": [{"textDocument": {"uri": URI, "version": 8},
                                      "edits": [edit(rng(3, 3, 3, 10), "EXECUTE")]}]}}]
    assert c.close() == 0


def main(ipec):
    test_fixits(ipec)
    test_is_kernel(ipec)
    test_missing_default(ipec)
    test_delete_rules(ipec)
    test_document_changes(ipec)
    print("code actions: ok")


if __name__ == "__main__":
    main(sys.argv[1])
