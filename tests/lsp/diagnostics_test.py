# SPDX-License-Identifier: Apache-2.0
"""`ipec lsp`: publishDiagnostics, formatting and document symbols against the command line, on
every policy of examples/ and tests/golden/: the same ids, severities, ranges, messages and
notes as `ipec check --format=json`, and the text of `ipec fmt` once the formatting edits are
applied. Usage: diagnostics_test.py IPEC"""
import glob
import os
import subprocess
import unittest

import harness
from harness import Session, uri_of

UNNECESSARY = {"dead-rule", "shadowed-rule", "redundant-rule"}


def policies():
    """(path, text) of every policy the editor can hold: valid UTF-8 (a JSON string cannot carry
    other bytes; those files are the robustness suite's business)."""
    out = []
    for path in sorted(glob.glob(os.path.join(harness.ROOT, "examples", "**", "*.pol"), recursive=True) +
                       glob.glob(os.path.join(harness.ROOT, "tests", "golden", "*.pol"))):
        with open(path, "rb") as f:
            data = f.read()
        try:
            out.append((path, data.decode("utf-8")))
        except UnicodeDecodeError:
            continue
    assert len(out) > 100, len(out)
    return out


def open_all(s, files):
    """Opens every file and returns {uri: publishDiagnostics params}."""
    for n, (path, text) in enumerate(files):
        s.open(uri_of(path), text, version=n + 1)
    return s.publishes([uri_of(path) for path, _ in files], 60)


class Diagnostics(unittest.TestCase):
    def compare_with_cli(self, capabilities, utf16):
        files = policies()
        with Session() as s:
            s.start(capabilities)
            published = open_all(s, files)
            for n, (path, text) in enumerate(files):
                with self.subTest(file=os.path.relpath(path, harness.ROOT)):
                    p = published[uri_of(path)]
                    self.assertEqual(p["version"], n + 1)
                    cli = harness.cli_check(path)
                    want = harness.expected_lsp(cli, text.encode(), utf16)
                    self.assertEqual(harness.comparable(p["diagnostics"]), want)
            self.assertEqual(s.close(), 0)

    def test_same_as_cli_in_utf16(self):
        self.compare_with_cli(None, True)

    def test_same_as_cli_in_utf8(self):
        self.compare_with_cli({"general": {"positionEncodings": ["utf-8"]}}, False)

    def test_fields_of_every_diagnostic(self):
        docs = os.environ.get("IPEC_DOCS_URI")
        files = policies()
        seen = set()
        with Session() as s:
            s.start()
            published = open_all(s, files)
            for path, text in files:
                uri = uri_of(path)
                cli = harness.cli_check(path)
                lines = harness.lines_of(text.encode())
                for d, c in zip(published[uri]["diagnostics"], cli):
                    seen.add(d["code"])
                    self.assertEqual(d["source"], "ipec")
                    if docs:
                        self.assertEqual(d["codeDescription"], {"href": f"{docs}diagnostics.md#{d['code']}"})
                    self.assertTrue(d["codeDescription"]["href"].endswith("diagnostics.md#" + d["code"]))
                    self.assertEqual(d.get("tags"), [1] if d["code"] in UNNECESSARY else None, d["code"])
                    for r in d.get("relatedInformation", []):
                        self.assertEqual(r["location"]["uri"], uri)
                    data = d.get("data", {})
                    fixits = [{"newText": f["replacement"], "range": {
                        "start": harness.lsp_position(lines, f["line"], f["column"], True),
                        "end": harness.lsp_position(lines, f["end_line"], f["end_column"], True, True)}}
                        for f in c.get("fixits", [])]
                    self.assertEqual(data.get("fixits", []), fixits)
                    # Everything of the CLI's diagnostic beyond the common fields is its payload.
                    common = {"id", "severity", "line", "column", "end_line", "end_column", "message", "notes",
                              "fixits", "kernel_errno"}
                    payload = {k: v for k, v in c.items() if k not in common}
                    self.assertEqual(data.get("payload", {}), payload)
            self.assertEqual(s.close(), 0)
        # The corpus covers what the fields are about.
        self.assertTrue(UNNECESSARY <= seen, UNNECESSARY - seen)
        self.assertGreater(len(seen), 30)

    def test_severities_and_ranges(self):
        # The analysis runs on policies the kernel parses: the error comes from a second file.
        warned = ("policy_name=sev policy_version=0.0.1\n"
                  "DEFAULT action=DENY\n"
                  "op=EXECUTE boot_verified=TRUE action=ALLOW\n"
                  "op=EXECUTE boot_verified=TRUE action=ALLOW\n")
        wrong = "policy_name=sev policy_version=0.0.1\nDEFAULT action=DENY\nop=KMODULE action=ALOW\n"

        def rng(line, a, b):
            return {"start": {"line": line, "character": a}, "end": {"line": line, "character": b}}
        with Session() as s:
            s.start()
            uri = "file:///tmp/ipec-lsp-diag/sev.pol"
            s.open(uri, warned)
            got = [(d["code"], d["severity"], d["range"]) for d in s.publish(uri)["diagnostics"]]
            self.assertEqual(got, [("partial-enforcement", 3, rng(1, 0, 19)),
                                   ("shadowed-rule", 2, rng(3, 0, 42))])
            s.change(uri, 2, [{"text": wrong}])
            p = s.publish(uri)
            got = [(d["code"], d["severity"], d["range"]) for d in p["diagnostics"]]
            self.assertEqual((p["version"], got), (2, [("unknown-action", 1, rng(2, 11, 22))]))
            self.assertEqual(s.close(), 0)


    def test_range_that_ends_inside_a_character_covers_it(self):
        # bad-digest points at the first byte of "é" (bytes 36 and 37 of line 3); a position
        # cannot split a character, and the range must not become empty.
        text = ("policy_name=r policy_version=0.0.1\nDEFAULT action=DENY\n"
                "op=EXECUTE dmverity_roothash=sha256:é action=ALLOW\n")
        for caps, end in ((None, 37), ({"general": {"positionEncodings": ["utf-8"]}}, 38)):
            with self.subTest(capabilities=caps), Session() as s:
                s.start(caps)
                uri = "file:///tmp/ipec-lsp-diag/split.pol"
                s.open(uri, text)
                d = s.publish(uri)["diagnostics"][0]
                self.assertEqual((d["code"], d["range"]), ("bad-digest", {"start": {"line": 2, "character": 36},
                                                                          "end": {"line": 2, "character": end}}))
                self.assertEqual(s.close(), 0)


def fmt_cli(path):
    out = subprocess.run([harness.IPEC, "fmt", path], capture_output=True, timeout=60)
    return out.stdout.decode("utf-8")


class Formatting(unittest.TestCase):
    def test_edits_give_ipec_fmt_output(self):
        files = policies()
        params = {"options": {"tabSize": 4, "insertSpaces": True}}
        changed = 0
        with Session() as s:
            s.start()
            open_all(s, files)
            for path, text in files:
                with self.subTest(file=os.path.relpath(path, harness.ROOT)):
                    r = s.call("textDocument/formatting", dict(params, textDocument={"uri": uri_of(path)}))
                    if "\0" in text:
                        # As `ipec fmt -i`: the text after a NUL would be lost.
                        self.assertEqual(r["error"]["code"], -32803)
                        continue
                    edits = r["result"]
                    self.assertLessEqual(len(edits), 1)
                    changed += bool(edits)
                    self.assertEqual(harness.apply_edits(text, edits), fmt_cli(path))
            self.assertEqual(s.close(), 0)
        self.assertGreater(changed, 10)

    def test_edits_in_utf8_columns(self):
        text = "policy_name=dé😀   policy_version=0.0.1\nDEFAULT    action=DENY\n"
        with Session() as s:
            s.start({"general": {"positionEncodings": ["utf-8"]}})
            uri = "file:///tmp/ipec-lsp-diag/fmt8.pol"
            s.open(uri, text)
            edits = s.result("textDocument/formatting", {"textDocument": {"uri": uri}, "options": {}})
            self.assertEqual(harness.apply_edits(text, edits, utf16=False),
                             "policy_name=dé😀 policy_version=0.0.1\nDEFAULT action=DENY\n")
            self.assertEqual(s.close(), 0)

    def test_only_changed_lines_are_replaced(self):
        text = ("policy_name=f policy_version=0.0.1\n"
                "DEFAULT action=DENY\n"
                "op=EXECUTE   boot_verified=TRUE action=ALLOW\n"
                "op=KMODULE action=DENY\n")
        with Session() as s:
            s.start()
            uri = "file:///tmp/ipec-lsp-diag/lines.pol"
            s.open(uri, text)
            edits = s.result("textDocument/formatting", {"textDocument": {"uri": uri}, "options": {}})
            self.assertEqual(edits, [{"range": {"start": {"line": 2, "character": 0},
                                                "end": {"line": 3, "character": 0}},
                                      "newText": "op=EXECUTE boot_verified=TRUE action=ALLOW\n"}])
            s.change(uri, 2, [{"text": "policy_name=f policy_version=0.0.1\nDEFAULT action=DENY\n"}])
            s.publish(uri)
            self.assertEqual(s.result("textDocument/formatting", {"textDocument": {"uri": uri}, "options": {}}), [])
            self.assertEqual(s.close(), 0)


class Symbols(unittest.TestCase):
    def test_outline(self):
        text = ("policy_name=outline policy_version=1.2.3\n"
                "DEFAULT action=DENY\n"
                "op=EXECUTE boot_verified=TRUE action=ALLOW\n"
                "op=KMODULE action=DENY\n"
                "op=EXECUTE dmverity_signature=TRUE action=ALLOW\n")
        with Session() as s:
            s.start()
            uri = "file:///tmp/ipec-lsp-diag/outline.pol"
            s.open(uri, text)
            got = s.result("textDocument/documentSymbol", {"textDocument": {"uri": uri}})

            def r(l1, c1, l2, c2):
                return {"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}}

            def sym(name, kind, rng, sel, children=None):
                out = {"name": name, "kind": kind, "range": rng, "selectionRange": sel}
                if children is not None:
                    out["children"] = children
                return out
            rule3 = "op=EXECUTE boot_verified=TRUE action=ALLOW"
            rule5 = "op=EXECUTE dmverity_signature=TRUE action=ALLOW"
            self.assertEqual(got, [
                sym("outline 1.2.3", 2, r(0, 0, 0, 40), r(0, 12, 0, 19)),
                sym("DEFAULT action=DENY", 14, r(1, 0, 1, 19), r(1, 0, 1, 19)),
                sym("op=EXECUTE", 3, r(2, 0, 4, 47), r(2, 0, 2, 10), [
                    sym(rule3, 24, r(2, 0, 2, 42), r(2, 0, 2, 42)),
                    sym(rule5, 24, r(4, 0, 4, 47), r(4, 0, 4, 47))]),
                sym("op=KMODULE", 3, r(3, 0, 3, 22), r(3, 0, 3, 10), [
                    sym("op=KMODULE action=DENY", 24, r(3, 0, 3, 22), r(3, 0, 3, 22))]),
            ])
            self.assertEqual(s.close(), 0)

    def test_unparsable_document_has_an_outline_of_what_parsed(self):
        with Session() as s:
            s.start()
            uri = "file:///tmp/ipec-lsp-diag/broken.pol"
            s.open(uri, "policy_name=b\nop=KMODULE action=DENY\n\x00junk")
            self.assertEqual([d["code"] for d in s.publish(uri)["diagnostics"]], ["bad-header", "text-after-nul"])
            got = s.result("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
            rule = {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 22}}
            self.assertEqual(got, [{"name": "op=KMODULE", "kind": 3, "range": rule,
                                    "selectionRange": {"start": rule["start"], "end": {"line": 1, "character": 10}},
                                    "children": [{"name": "op=KMODULE action=DENY", "kind": 24, "range": rule,
                                                  "selectionRange": rule}]}])
            self.assertEqual(s.close(), 0)


if __name__ == "__main__":
    harness.main()
