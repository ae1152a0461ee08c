# SPDX-License-Identifier: Apache-2.0
"""`ipec lsp`: the lifecycle (initialize, initialized, shutdown, exit) and document
synchronisation (didOpen, didChange full and incremental, didClose, didSave).
Usage: core_test.py IPEC"""
import os
import subprocess
import unittest

import harness
from harness import Session, TempDir, uri_of

POLICY = ("policy_name=core policy_version=0.0.1\n"
          "DEFAULT action=DENY\n"
          "op=EXECUTE boot_verified=TRUE action=ALLOW\n")

# What `initialize` answers, but for the semantic token legend (its own feature's business).
CAPABILITIES = {
    "textDocumentSync": {"openClose": True, "change": 2, "save": {"includeText": False}},
    "hoverProvider": True,
    "completionProvider": {"triggerCharacters": ["=", " "]},
    "definitionProvider": True,
    "referencesProvider": True,
    "documentFormattingProvider": True,
    "codeActionProvider": {"codeActionKinds": ["quickfix", "source.removeUnused"]},
    "documentSymbolProvider": True,
}

# A request for each advertised provider, at the `op=` of line 3 of POLICY.
AT = {"line": 2, "character": 1}
PROVIDER_REQUESTS = {
    "hoverProvider": ("textDocument/hover", {"position": AT}),
    "completionProvider": ("textDocument/completion", {"position": AT}),
    "definitionProvider": ("textDocument/definition", {"position": AT}),
    "referencesProvider": ("textDocument/references", {"position": AT, "context": {"includeDeclaration": True}}),
    "documentFormattingProvider": ("textDocument/formatting", {"options": {"tabSize": 8, "insertSpaces": True}}),
    "semanticTokensProvider": ("textDocument/semanticTokens/full", {}),
    "codeActionProvider": ("textDocument/codeAction",
                           {"range": {"start": AT, "end": AT}, "context": {"diagnostics": []}}),
    "documentSymbolProvider": ("textDocument/documentSymbol", {}),
}


def version_of_ipec():
    out = subprocess.run([harness.IPEC, "--version"], capture_output=True, text=True, check=True).stdout
    return out.split()[1]


class Lifecycle(unittest.TestCase):
    def test_initialize_result(self):
        with Session() as s:
            r = s.start()
            caps = dict(r["capabilities"])
            legend = caps.pop("semanticTokensProvider")
            self.assertEqual(legend["full"], True)
            self.assertEqual(legend["legend"], {
                "tokenTypes": ["keyword", "function", "property", "enumMember", "string", "number", "comment"],
                "tokenModifiers": ["unknown", "deprecated"]})
            self.assertEqual(caps.pop("positionEncoding"), "utf-16")
            self.assertEqual(caps, CAPABILITIES)
            self.assertEqual(r["serverInfo"], {"name": "ipec", "version": version_of_ipec()})
            self.assertEqual(s.close(), 0)

    def test_every_advertised_provider_answers(self):
        with Session() as s:
            caps = s.start()["capabilities"]
            uri = "file:///tmp/ipec-lsp-core/providers.pol"
            s.open(uri, POLICY)
            s.publish(uri)
            for cap, (method, params) in PROVIDER_REQUESTS.items():
                self.assertIn(cap, caps)
                r = s.call(method, dict(params, textDocument={"uri": uri}))
                if "error" in r and r["error"]["message"] == "not implemented yet":
                    # features/pending.cpp: a feature another branch writes; once merged, it answers.
                    continue
                self.assertIn("result", r, (method, r))
            self.assertEqual(s.close(), 0)

    def test_position_encoding_negotiation(self):
        cases = [(None, "utf-16"), (["utf-16"], "utf-16"), (["utf-8"], "utf-8"), (["utf-16", "utf-8"], "utf-8"),
                 (["utf-32"], "utf-16"), ("utf-8", "utf-16")]
        for offered, agreed in cases:
            with self.subTest(offered=offered), Session() as s:
                caps = {} if offered is None else {"general": {"positionEncodings": offered}}
                self.assertEqual(s.start(caps)["capabilities"]["positionEncoding"], agreed)
                self.assertEqual(s.close(), 0)

    def test_initialized_sends_nothing(self):
        with Session() as s:
            s.start()
            self.assertEqual(s.quiet(), [])
            self.assertEqual(s.close(), 0)

    def test_shutdown_answers_null_then_exit_0(self):
        with Session() as s:
            s.start()
            self.assertEqual(s.call("shutdown", None), {"jsonrpc": "2.0", "id": 2, "result": None})
            s.notify("exit", None)
            self.assertEqual(s.p.wait(timeout=10), 0)

    def test_exit_without_shutdown_is_1(self):
        with Session() as s:
            s.start()
            s.notify("exit", None)
            self.assertEqual(s.p.wait(timeout=10), 1)

    def test_exit_before_initialize_is_1(self):
        with Session() as s:
            s.notify("exit", None)
            self.assertEqual(s.p.wait(timeout=10), 1)

    def test_end_of_input_without_exit_is_1(self):
        for shut in (False, True):
            with self.subTest(shutdown=shut), Session() as s:
                s.start()
                if shut:
                    s.call("shutdown", None)
                s.p.stdin.close()
                self.assertEqual(s.p.wait(timeout=10), 1)

    def test_notifications_after_shutdown_are_dropped(self):
        with Session() as s:
            s.start()
            s.call("shutdown", None)
            s.open("file:///tmp/late.pol", POLICY)
            self.assertEqual(s.quiet(), [])
            s.notify("exit", None)
            self.assertEqual(s.p.wait(timeout=10), 0)


class Sync(unittest.TestCase):
    """Every edit is checked by comparing the edited document with the expected text opened
    under another URI: same outline, same diagnostics, same formatting edits."""

    def assertSameDocument(self, s, uri, expected, enc_utf16=True):
        twin = uri + ".expected.pol"
        s.open(twin, expected)
        want_diags = s.publish(twin)["diagnostics"]
        got_symbols = s.result("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
        want_symbols = s.result("textDocument/documentSymbol", {"textDocument": {"uri": twin}})
        self.assertEqual(got_symbols, want_symbols)
        fmt = {"options": {"tabSize": 8, "insertSpaces": True}}
        r_got = s.call("textDocument/formatting", dict(fmt, textDocument={"uri": uri}))
        r_want = s.call("textDocument/formatting", dict(fmt, textDocument={"uri": twin}))
        self.assertEqual(r_got.get("result"), r_want.get("result"))
        self.assertEqual(r_got.get("error"), r_want.get("error"))
        if r_got.get("result") is not None:
            formatted = harness.apply_edits(expected, r_got["result"], enc_utf16)
            self.assertEqual(formatted, fmt_of(expected))
        s.notify("textDocument/didClose", {"textDocument": {"uri": twin}})
        s.publish(twin)
        return want_diags

    def edit(self, initial, changes, expected, capabilities=None):
        """Opens `initial`, sends `changes` (a list of contentChanges lists, one notification
        each), and checks the result is `expected` and that the last publication is for the last
        version with the diagnostics of `expected`."""
        with Session() as s:
            caps = s.start(capabilities)["capabilities"]
            uri = "file:///tmp/ipec-lsp-core/edit.pol"
            s.open(uri, initial, version=1)
            s.publish(uri)
            for n, cc in enumerate(changes):
                s.change(uri, 2 + n, cc)
            last = 1 + len(changes)
            p = s.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                       and m["params"]["uri"] == uri and m["params"]["version"] == last)["params"]
            want = self.assertSameDocument(s, uri, expected, caps["positionEncoding"] == "utf-16")
            self.assertEqual(strip_uri(p["diagnostics"]), strip_uri(want))
            self.assertEqual(s.close(), 0)

    def test_full_sync(self):
        self.edit("garbage\n", [[{"text": POLICY}]], POLICY)

    def test_several_changes_in_one_notification_apply_in_order(self):
        r = {"start": {"line": 1, "character": 15}, "end": {"line": 1, "character": 19}}
        self.edit(POLICY, [[{"range": r, "text": "ALLOW"},
                            {"range": {"start": {"line": 1, "character": 15}, "end": {"line": 1, "character": 20}},
                             "text": "DENY"},
                            {"range": {"start": {"line": 3, "character": 0}, "end": {"line": 3, "character": 0}},
                             "text": "op=KMODULE action=DENY\n"}]],
                  POLICY + "op=KMODULE action=DENY\n")

    def test_full_then_incremental_in_one_notification(self):
        self.edit("x", [[{"text": "policy_name=a policy_version=0.0.1\n"},
                         {"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}},
                          "text": "DEFAULT action=ALLOW\n"}]],
                  "policy_name=a policy_version=0.0.1\nDEFAULT action=ALLOW\n")

    def test_edit_spanning_lines(self):
        # Joins line 2's start with line 3's end: "DEFAULT " + "action=ALLOW".
        r = {"start": {"line": 1, "character": 8}, "end": {"line": 2, "character": 30}}
        self.edit(POLICY, [[{"range": r, "text": ""}]],
                  "policy_name=core policy_version=0.0.1\nDEFAULT action=ALLOW\n")

    def test_insert_line_breaks(self):
        r = {"start": {"line": 2, "character": 30}, "end": {"line": 2, "character": 30}}
        self.edit(POLICY, [[{"range": r, "text": "\nop=KMODULE "}]],
                  POLICY.replace("TRUE action", "TRUE \nop=KMODULE action"))

    def test_crlf_document(self):
        crlf = POLICY.replace("\n", "\r\n")
        # Line 2 is "DEFAULT action=DENY": its end is before the CR.
        r = {"start": {"line": 1, "character": 19}, "end": {"line": 2, "character": 0}}
        self.edit(crlf, [[{"range": r, "text": "\r\nop=KMODULE action=DENY\r\n"}]],
                  crlf.replace("DENY\r\n", "DENY\r\nop=KMODULE action=DENY\r\n", 1))

    def test_range_end_past_the_line_is_its_end(self):
        # Character 99 on a CRLF line: the end of the line, before its CR LF.
        crlf = POLICY.replace("\n", "\r\n")
        r = {"start": {"line": 1, "character": 15}, "end": {"line": 1, "character": 99}}
        self.edit(crlf, [[{"range": r, "text": "ALLOW"}]], crlf.replace("DENY", "ALLOW"))

    def test_bare_cr_lines(self):
        cr = POLICY.replace("\n", "\r")
        r = {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 10}}
        self.edit(cr, [[{"range": r, "text": "op=KMODULE"}]], cr.replace("op=EXECUTE", "op=KMODULE"))

    def test_utf16_columns_after_multibyte_characters(self):
        # "é" is 2 bytes and 1 UTF-16 unit, "😀" 4 bytes and 2 units.
        text = "policy_name=dé😀 policy_version=0.0.1\nDEFAULT action=DENY\n"
        r = {"start": {"line": 0, "character": 17}, "end": {"line": 0, "character": 37}}
        self.edit(text, [[{"range": r, "text": "policy_version=1.0.0"}]],
                  "policy_name=dé😀 policy_version=1.0.0\nDEFAULT action=DENY\n")

    def test_utf8_columns_when_agreed(self):
        text = "policy_name=dé😀 policy_version=0.0.1\nDEFAULT action=DENY\n"
        r = {"start": {"line": 0, "character": 20}, "end": {"line": 0, "character": 40}}
        self.edit(text, [[{"range": r, "text": "policy_version=1.0.0"}]],
                  "policy_name=dé😀 policy_version=1.0.0\nDEFAULT action=DENY\n",
                  capabilities={"general": {"positionEncodings": ["utf-8"]}})

    def test_position_inside_a_surrogate_pair_is_the_code_point_start(self):
        # Character 15 is between the two halves of "😀": the edit lands before it.
        text = "policy_name=dé😀 policy_version=0.0.1\nDEFAULT action=DENY\n"
        r = {"start": {"line": 0, "character": 15}, "end": {"line": 0, "character": 15}}
        self.edit(text, [[{"range": r, "text": "x"}]], text.replace("é😀", "éx😀"))

    def test_position_inside_a_utf8_sequence_is_the_code_point_start(self):
        text = "policy_name=dé😀 policy_version=0.0.1\nDEFAULT action=DENY\n"
        caps = {"general": {"positionEncodings": ["utf-8"]}}
        # Byte 14 is inside "é" (bytes 13-14), byte 17 inside "😀" (bytes 15-18).
        self.edit(text, [[{"range": {"start": {"line": 0, "character": 14}, "end": {"line": 0, "character": 17}},
                           "text": "y"}]], text.replace("é😀", "y😀"), capabilities=caps)

    def test_replacing_half_a_surrogate_pair_keeps_the_text_valid(self):
        text = "policy_name=dé😀 policy_version=0.0.1\nDEFAULT action=DENY\n"
        # "😀" is characters 14 and 15. Both ends of a range move to the start of the code point
        # they fall in: [15, 16) replaces all of it, [14, 15) is empty and inserts before it.
        self.edit(text, [[{"range": {"start": {"line": 0, "character": 15}, "end": {"line": 0, "character": 16}},
                           "text": "z"}]], text.replace("é😀", "éz"))
        self.edit(text, [[{"range": {"start": {"line": 0, "character": 14}, "end": {"line": 0, "character": 15}},
                           "text": "z"}]], text.replace("é😀", "éz😀"))

    def test_reversed_range_is_ordered(self):
        r = {"start": {"line": 1, "character": 19}, "end": {"line": 1, "character": 15}}
        self.edit(POLICY, [[{"range": r, "text": "ALLOW"}]], POLICY.replace("DENY", "ALLOW"))

    def test_line_past_the_end_appends(self):
        r = {"start": {"line": 40, "character": 3}, "end": {"line": 41, "character": 0}}
        self.edit(POLICY, [[{"range": r, "text": "op=KMODULE action=DENY\n"}]], POLICY + "op=KMODULE action=DENY\n")

    def test_many_notifications_last_version_wins(self):
        changes = [[{"range": {"start": {"line": 3, "character": 0}, "end": {"line": 3, "character": 0}},
                     "text": "#"}] for _ in range(50)]
        self.edit(POLICY, changes, POLICY + "#" * 50)

    def test_change_of_a_document_not_open_is_reported(self):
        with Session() as s:
            s.start()
            s.change("file:///tmp/not-open.pol", 2, [{"text": POLICY}])
            m = s.read()
            self.assertEqual(m["method"], "window/logMessage")
            self.assertIn("not open", m["params"]["message"])
            self.assertEqual(s.close(), 0)

    def test_reopen_replaces_the_text(self):
        with Session() as s:
            s.start()
            uri = "file:///tmp/ipec-lsp-core/reopen.pol"
            s.open(uri, "junk\n", version=1)
            self.assertEqual(s.publish(uri)["diagnostics"][0]["severity"], 1)
            s.open(uri, POLICY, version=7)
            p = s.publish(uri)
            self.assertEqual((p["version"], [d["code"] for d in p["diagnostics"]]), (7, ["partial-enforcement"]))
            self.assertEqual(s.close(), 0)

    def test_close_clears_the_diagnostics(self):
        with Session() as s:
            s.start()
            uri = "file:///tmp/ipec-lsp-core/close.pol"
            s.open(uri, "junk\n")
            self.assertNotEqual(s.publish(uri)["diagnostics"], [])
            s.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
            self.assertEqual(s.publish(uri), {"uri": uri, "diagnostics": []})
            e = s.error("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
            self.assertEqual(e["code"], -32602)
            self.assertEqual(s.close(), 0)

    def test_save_checks_again_with_the_project_file(self):
        # A save is when a changed `.ipec.json` or Kconfig file next to the policy is noticed.
        with TempDir() as d, Session() as s:
            s.start()
            path = os.path.join(d, "saved.pol")
            text = POLICY + "op=EXECUTE boot_verified=TRUE action=ALLOW\n"
            with open(path, "w") as f:
                f.write(text)
            uri = uri_of(path)
            s.open(uri, text)
            self.assertEqual([x["severity"] for x in s.publish(uri)["diagnostics"]], [3, 2])
            with open(os.path.join(d, ".ipec.json"), "w") as f:
                f.write('{"warnings": ["-Werror"]}')
            s.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
            self.assertEqual([x["severity"] for x in s.publish(uri)["diagnostics"]], [3, 1])
            self.assertEqual(s.close(), 0)


def fmt_of(text):
    return subprocess.run([harness.IPEC, "fmt", "-"], input=text.encode(), capture_output=True,
                          check=False).stdout.decode()


def strip_uri(diags):
    """Diagnostics without the URIs of their related information (the twin has another URI)."""
    out = []
    for d in diags:
        d = dict(d)
        if "relatedInformation" in d:
            d["relatedInformation"] = [{"message": r["message"], "range": r["location"]["range"]}
                                       for r in d["relatedInformation"]]
        out.append(d)
    return out


if __name__ == "__main__":
    harness.main()
