# SPDX-License-Identifier: Apache-2.0
"""`ipec lsp` against a client that gets things wrong: broken frames and JSON, wrong types,
requests out of order, huge documents, bursts of changes, cancellation. Errors are answered
as JSON-RPC 2.0 says (the request's id, the code), nothing crashes or hangs (every read has a
timeout), and the server goes on answering. Usage: robustness_test.py IPEC"""
import json
import time
import unittest

import harness
from harness import Session

POLICY = ("policy_name=robust policy_version=0.0.1\n"
          "DEFAULT action=DENY\n"
          "op=EXECUTE boot_verified=TRUE action=ALLOW\n")
URI = "file:///tmp/ipec-lsp-robust/p.pol"

PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS = -32700, -32600, -32601, -32602
NOT_INITIALIZED, CANCELLED, REQUEST_FAILED = -32002, -32800, -32803


def frame(body):
    if isinstance(body, str):
        body = body.encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def many_rules(n):
    lines = ["policy_name=many policy_version=0.0.1", "DEFAULT action=DENY"]
    lines += ["op=EXECUTE dmverity_roothash=sha256:%064x action=ALLOW" % i for i in range(n)]
    return "\n".join(lines) + "\n"


class Base(unittest.TestCase):
    def session(self, initialize=True):
        s = Session()
        self.addCleanup(s.__exit__, None, None, None)
        if initialize:
            s.start()
        return s

    def assertError(self, message, rid, code):
        self.assertEqual(message.get("jsonrpc"), "2.0", message)
        self.assertEqual(message.get("id"), rid, message)
        self.assertNotIn("result", message)
        self.assertEqual(message["error"]["code"], code, message)
        self.assertIsInstance(message["error"]["message"], str)
        self.assertTrue(message["error"]["message"])

    def assertAliveAndExits(self, s):
        self.assertTrue(s.alive())
        self.assertEqual(s.close(), 0)

    def logged(self, s, text):
        m = s.wait(lambda m: m.get("method") == "window/logMessage")
        self.assertIn(text, m["params"]["message"])


class Messages(Base):
    def test_malformed_json(self):
        s = self.session()
        for body in ('{"jsonrpc": "2.0", "id": 1, "method":', "{]", "", "\xff", '{"a": "\\ud800"}',
                     '{"jsonrpc": "2.0", "id": 7, "method": "shutdown"} trailing'):
            with self.subTest(body=body):
                s.send_raw(frame(body.encode("latin-1")))
                self.assertError(s.read(), None, PARSE_ERROR)
        self.assertAliveAndExits(s)

    def test_invalid_utf8_inside_a_string(self):
        s = self.session()
        s.send_raw(frame(b'{"jsonrpc": "2.0", "id": 3, "method": "x\xff"}'))
        self.assertError(s.read(), None, PARSE_ERROR)
        self.assertAliveAndExits(s)

    def test_body_that_is_not_an_object(self):
        s = self.session()
        for body in ("[1, 2]", "42", '"initialize"', "null", "true", "[]",
                     '[{"jsonrpc": "2.0", "id": 5, "method": "shutdown"}]'):
            with self.subTest(body=body):
                s.send_raw(frame(body))
                self.assertError(s.read(), None, INVALID_REQUEST)
        self.assertAliveAndExits(s)

    def test_ids_of_the_wrong_type(self):
        s = self.session()
        for rid in (1.5, True, {"a": 1}, [1]):
            with self.subTest(id=rid):
                s.send({"jsonrpc": "2.0", "id": rid, "method": "textDocument/documentSymbol",
                        "params": {"textDocument": {"uri": URI}}})
                self.assertError(s.read(), None, INVALID_REQUEST)
        # A string id is as good as a number, and null is an id too (JSON-RPC 2.0 discourages it).
        s.send({"jsonrpc": "2.0", "id": "abc", "method": "no/such"})
        self.assertError(s.read(), "abc", METHOD_NOT_FOUND)
        self.assertAliveAndExits(s)

    def test_method_of_the_wrong_type(self):
        s = self.session()
        for method in (5, None, ["initialize"]):
            s.send({"jsonrpc": "2.0", "id": 11, "method": method})
            self.assertError(s.read(), 11, INVALID_REQUEST)
        s.send({"jsonrpc": "2.0", "id": 12})
        self.assertError(s.read(), 12, INVALID_REQUEST)
        self.assertAliveAndExits(s)

    def test_responses_from_the_client_are_ignored(self):
        s = self.session()
        s.send({"jsonrpc": "2.0", "id": 99, "result": None})
        s.send({"jsonrpc": "2.0", "id": 98, "error": {"code": 1, "message": "no"}})
        self.assertEqual(s.quiet(), [])
        self.assertAliveAndExits(s)

    def test_deep_nesting(self):
        # JSON nested a million deep in every place the server reads: refused, never a stack
        # overflow.
        deep = "[" * 1000000 + "]" * 1000000
        s = self.session()
        s.send_raw(frame('{"jsonrpc": "2.0", "id": ' + deep + ', "method": "x"}'))
        self.assertError(s.read(), None, INVALID_REQUEST)
        s.send_raw(frame('{"jsonrpc": "2.0", "id": 4, "method": "textDocument/hover", "params": ' + deep + "}"))
        self.assertError(s.read(), None, INVALID_REQUEST)
        s.send_raw(frame('{"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": ' + deep + "}}"))
        self.assertError(s.read(), None, INVALID_REQUEST)
        s.send_raw(frame(deep))
        self.assertError(s.read(), None, INVALID_REQUEST)
        # Nesting a client really sends is fine.
        s.send({"jsonrpc": "2.0", "id": 5, "method": "no/such", "params": {"a": [[[[[[[[{"b": [1]}]]]]]]]]}})
        self.assertError(s.read(), 5, METHOD_NOT_FOUND)
        self.assertAliveAndExits(s)


class LargeStrings(Base):
    """A string of 4 KiB or more is unescaped by the server's own loop (lsp/message.cpp): the
    same text as nlohmann's parser gives, the same errors."""

    TEXT = ("policy_name=big policy_version=0.0.1\nDEFAULT action=DENY\n"
            "op=EXECUTE boot_verified=\"q\\/é😀\t\b\f\x7f action=ALLOW\r\n"
            "op=KMODULE boot_verified=ü action=ALLOW\r"
            + "# padding\n" * 500 + "op=FIRMWARE action=DENY\n\x00tail")

    def test_same_text_as_small_messages(self):
        s = self.session()
        self.assertGreater(len(self.TEXT), 4096)
        s.open(URI, self.TEXT)
        big = s.publish(URI)["diagnostics"]
        # The same text built from pieces of at most 1000 characters (each parsed by nlohmann).
        twin = URI + ".twin.pol"
        s.open(twin, "")
        s.publish(twin)
        for n, i in enumerate(range(0, len(self.TEXT), 1000)):
            end = {"line": 10 ** 6, "character": 0}
            s.change(twin, n + 2, [{"range": {"start": end, "end": end}, "text": self.TEXT[i:i + 1000]}])
        last = (len(self.TEXT) + 999) // 1000 + 1
        small = s.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                       and m["params"]["uri"] == twin and m["params"]["version"] == last)["params"]["diagnostics"]
        strip = [{k: v for k, v in d.items() if k != "relatedInformation"} for d in big]
        self.assertEqual(strip, [{k: v for k, v in d.items() if k != "relatedInformation"} for d in small])
        self.assertIn("bad-property-value", [d["code"] for d in big])
        self.assertEqual(s.result("textDocument/documentSymbol", {"textDocument": {"uri": URI}}),
                         s.result("textDocument/documentSymbol", {"textDocument": {"uri": twin}}))
        self.assertAliveAndExits(s)

    def test_invalid_large_strings(self):
        s = self.session()
        pad = b"x" * 5000
        for bad in (b"\\ud800", b"\\udc00\\ud800", b"\\ud800\\u0041", b"\\q", b"\\u12G4", b"\t", b"\x01",
                    b"\xff", b"\xed\xa0\x80", b"\xc0\xaf", b"\\"):
            with self.subTest(bad=bad):
                body = b'{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"' + \
                    URI.encode() + b'","text":"' + pad + bad + pad + b'"}}}'
                s.send_raw(frame(body))
                self.assertError(s.read(), None, PARSE_ERROR)
        # A large key, and a large string in an id: nothing special.
        s.send_raw(frame(b'{"jsonrpc":"2.0","id":"' + pad + b'","method":"no/such","params":{"' + pad * 2 + b'":1}}'))
        self.assertError(s.read(), pad.decode(), METHOD_NOT_FOUND)
        self.assertAliveAndExits(s)


class Params(Base):
    def open_policy(self, s):
        s.open(URI, POLICY)
        self.assertEqual(s.publish(URI)["version"], 1)

    def test_request_params_of_the_wrong_type(self):
        s = self.session()
        self.open_policy(s)
        for params in ("a string", 5, [URI], None, {}, {"textDocument": None}, {"textDocument": {"uri": 7}},
                       {"textDocument": {"uri": None}}, {"textDocument": "file:///x"}):
            for method in ("textDocument/documentSymbol", "textDocument/formatting", "textDocument/hover"):
                with self.subTest(method=method, params=params):
                    r = s.call(method, params)
                    self.assertError(r, r["id"], INVALID_PARAMS)
        self.assertAliveAndExits(s)

    def test_notification_params_of_the_wrong_type(self):
        s = self.session()
        self.open_policy(s)
        bad = [
            ("textDocument/didOpen", "a string"),
            ("textDocument/didOpen", {"textDocument": {"uri": 5, "text": POLICY}}),
            ("textDocument/didOpen", {"textDocument": {"uri": URI + "2", "text": 5}}),
            ("textDocument/didOpen", {"textDocument": {"uri": URI + "3"}}),
            ("textDocument/didChange", {"textDocument": {"uri": URI, "version": 2}, "contentChanges": {"text": "x"}}),
            ("textDocument/didChange", {"textDocument": {"uri": URI, "version": 2}, "contentChanges": "x"}),
            ("textDocument/didChange", {"textDocument": {"uri": URI, "version": 2}, "contentChanges": [5]}),
            ("textDocument/didChange", {"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": 5}]}),
            ("textDocument/didChange", {"textDocument": {"uri": URI, "version": 2}}),
            ("textDocument/didChange", {"textDocument": {"uri": URI, "version": 2}, "contentChanges": [
                {"text": "garbage"},
                {"range": {"start": {"line": -1, "character": 0}, "end": {"line": 0, "character": -4}},
                 "text": "x"}]}),
            ("textDocument/didChange", {"textDocument": {"uri": URI, "version": 2}, "contentChanges": [
                {"text": "garbage"},
                {"range": {"start": {"line": 0.5, "character": 0}, "end": {"line": 0, "character": 0}},
                 "text": "x"}]}),
            ("textDocument/didChange", {"textDocument": {"uri": URI, "version": 2}, "contentChanges": [
                {"range": {"start": {"line": 0}, "end": {"line": 0, "character": 0}}, "text": "x"}]}),
            ("textDocument/didChange", {"textDocument": {"uri": URI, "version": 2}, "contentChanges": [
                {"range": "all", "text": "x"}]}),
            ("textDocument/didClose", {"textDocument": {"uri": []}}),
            ("textDocument/didSave", 3),
            ("workspace/didChangeConfiguration", {}),
            ("$/cancelRequest", {}),
        ]
        for method, params in bad:
            with self.subTest(method=method, params=params):
                s.notify(method, params)
                m = s.read()
                self.assertEqual(m["method"], "window/logMessage", m)
        # None of them touched the document: a change of its version 2 appends to POLICY.
        s.change(URI, 2, [{"range": {"start": {"line": 3, "character": 0}, "end": {"line": 3, "character": 0}},
                           "text": "#"}])
        p = s.publish(URI)
        self.assertEqual(p["version"], 2)
        twin = URI + ".twin.pol"
        s.open(twin, POLICY + "#")
        self.assertEqual(s.result("textDocument/documentSymbol", {"textDocument": {"uri": URI}}),
                         s.result("textDocument/documentSymbol", {"textDocument": {"uri": twin}}))
        self.assertAliveAndExits(s)

    def test_version_of_the_wrong_type_is_taken_as_absent(self):
        s = self.session()
        s.open(URI, POLICY, version="one")
        self.assertEqual(s.publish(URI)["version"], 0)
        s.change(URI, 5, [{"text": POLICY}])
        self.assertEqual(s.publish(URI)["version"], 5)
        s.change(URI, "six", [{"text": POLICY + "#"}])
        self.assertEqual(s.publish(URI)["version"], 5)
        self.assertAliveAndExits(s)

    def test_positions_out_of_range_are_clamped(self):
        s = self.session()
        self.open_policy(s)
        far = {"line": 2 ** 32 + 5, "character": 2 ** 40}
        s.change(URI, 2, [{"range": {"start": far, "end": far}, "text": "op=KMODULE action=DENY\n"}])
        self.assertEqual(s.publish(URI)["version"], 2)
        syms = s.result("textDocument/documentSymbol", {"textDocument": {"uri": URI}})
        self.assertEqual([x["name"] for x in syms], ["robust 0.0.1", "DEFAULT action=DENY", "op=EXECUTE",
                                                      "op=KMODULE"])
        # Every request that takes a position or a range answers (or is not written yet).
        rng = {"start": {"line": 0, "character": 2 ** 31}, "end": far}
        for method, params in (("textDocument/hover", {"position": far}),
                               ("textDocument/completion", {"position": far}),
                               ("textDocument/definition", {"position": far}),
                               ("textDocument/references", {"position": far, "context": {"includeDeclaration": True}}),
                               ("textDocument/codeAction", {"range": rng, "context": {"diagnostics": []}})):
            with self.subTest(method=method):
                r = s.call(method, dict(params, textDocument={"uri": URI}))
                if "error" in r:
                    self.assertEqual((r["error"]["code"], r["error"]["message"]),
                                     (METHOD_NOT_FOUND, "not implemented yet"))
                else:
                    self.assertIn("result", r)
        self.assertAliveAndExits(s)

    def test_bad_position_in_a_request(self):
        s = self.session()
        self.open_policy(s)
        for pos in ({"line": -1, "character": 0}, {"line": 0}, {"line": "0", "character": 0}, None, "absent"):
            for method in ("textDocument/hover", "textDocument/completion", "textDocument/definition"):
                with self.subTest(method=method, position=pos):
                    params = {"textDocument": {"uri": URI}}
                    if pos != "absent":
                        params["position"] = pos
                    r = s.call(method, params)
                    if r["error"]["message"] == "not implemented yet":
                        continue
                    self.assertError(r, r["id"], INVALID_PARAMS)
        self.assertAliveAndExits(s)


class Order(Base):
    def test_requests_before_initialize(self):
        s = self.session(initialize=False)
        for method in ("textDocument/documentSymbol", "shutdown", "no/such"):
            with self.subTest(method=method):
                r = s.call(method, {"textDocument": {"uri": URI}})
                self.assertError(r, r["id"], NOT_INITIALIZED)
        # Notifications are dropped: no diagnostics for a document opened before initialize.
        s.open(URI, POLICY)
        self.assertEqual(s.quiet(), [])
        s.start()
        self.assertAliveAndExits(s)

    def test_second_initialize(self):
        s = self.session()
        r = s.call("initialize", {"capabilities": {"general": {"positionEncodings": ["utf-8"]}}})
        self.assertError(r, r["id"], INVALID_REQUEST)
        # The first answer still holds: UTF-16.
        s.open(URI, "policy_name=é policy_version=0.0.1\nDEFAULT action=ALOW\n")
        d = s.publish(URI)["diagnostics"][0]
        self.assertEqual(d["range"], {"start": {"line": 1, "character": 8}, "end": {"line": 1, "character": 19}})
        self.assertAliveAndExits(s)

    def test_requests_after_shutdown(self):
        s = self.session()
        self.assertEqual(s.call("shutdown", None)["result"], None)
        for method in ("textDocument/documentSymbol", "shutdown", "initialize", "no/such"):
            with self.subTest(method=method):
                r = s.call(method, {"textDocument": {"uri": URI}})
                self.assertError(r, r["id"], INVALID_REQUEST)
        s.notify("exit", None)
        self.assertEqual(s.p.wait(timeout=10), 0)

    def test_unknown_methods(self):
        s = self.session()
        for method in ("textDocument/unknown", "$/unknown", "workspace/symbol", ""):
            with self.subTest(method=method):
                r = s.call(method, {})
                self.assertError(r, r["id"], METHOD_NOT_FOUND)
        for method in ("textDocument/unknown", "$/progress", "$/setTrace", "initialized", "workspace/didRenameFiles"):
            s.notify(method, {"value": 1})
        self.assertEqual(s.quiet(), [])
        self.assertAliveAndExits(s)


class Framing(Base):
    def test_header_without_content_length(self):
        s = self.session()
        s.send_raw(b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n")
        self.logged(s, "no Content-Length")
        self.assertAliveAndExits(s)

    def test_bad_content_length(self):
        s = self.session()
        for value in (b"abc", b"-5", b"99999999999999999999", b"1e3", b"0x10", b""):
            with self.subTest(value=value):
                s.send_raw(b"Content-Length: " + value + b"\r\n\r\n")
                self.logged(s, "Content-Length")
        self.assertAliveAndExits(s)

    def test_header_spellings(self):
        s = self.session()
        body = b'{"jsonrpc":"2.0","id":"h","method":"no/such"}'
        for head in (b"content-length: %d\r\n\r\n", b"Content-Length:%d\r\n\r\n", b"Content-Length:   %d  \r\n\r\n",
                     b"Content-Length: %d\n\n", b"Content-Type: x\r\nContent-Length: %d\r\nX-Other: 1\r\n\r\n"):
            with self.subTest(head=head):
                s.send_raw(head % len(body) + body)
                self.assertError(s.read(), "h", METHOD_NOT_FOUND)
        self.assertAliveAndExits(s)

    def test_zero_length_body(self):
        s = self.session()
        s.send_raw(b"Content-Length: 0\r\n\r\n")
        self.assertError(s.read(), None, PARSE_ERROR)
        self.assertAliveAndExits(s)

    def test_garbage_between_frames(self):
        s = self.session()
        body = b'{"jsonrpc":"2.0","id":"g","method":"no/such"}'
        for garbage in (b"\r\n\r\n", b"hello\r\n", b"\x00\xff\xfe binary\r\n", b"no line break then ",
                        b'{"jsonrpc":"2.0","id":"lost","method":"x"}'):
            with self.subTest(garbage=garbage):
                s.send_raw(garbage + frame(body))
                got = s.until(lambda m: m.get("id") == "g")
                self.assertError(got[-1], "g", METHOD_NOT_FOUND)
                self.assertEqual([m for m in got[:-1] if m.get("method") != "window/logMessage"], [])
        self.assertAliveAndExits(s)

    def test_content_length_larger_than_the_body_at_eof(self):
        s = self.session()
        s.send_raw(b'Content-Length: 1000\r\n\r\n{"jsonrpc":"2.0","id":1,"method":"shutdown"}')
        s.p.stdin.close()
        start = time.time()
        self.assertEqual(s.p.wait(timeout=10), 1)
        self.assertLess(time.time() - start, 5)

    def test_headers_cut_at_eof(self):
        for tail in (b"Content-Len", b"Content-Length: 10\r\n", b"Content-Length: 10\r\n\r"):
            with self.subTest(tail=tail):
                s = self.session()
                s.send_raw(tail)
                s.p.stdin.close()
                self.assertEqual(s.p.wait(timeout=10), 1)

    def test_one_byte_at_a_time(self):
        s = self.session()
        data = frame('{"jsonrpc":"2.0","id":"slow","method":"no/such"}')
        for i in range(len(data)):
            s.send_raw(data[i:i + 1])
        self.assertError(s.read(), "slow", METHOD_NOT_FOUND)
        self.assertAliveAndExits(s)

    def test_many_frames_in_one_write(self):
        s = self.session()
        s.send_raw(b"".join(frame(json.dumps({"jsonrpc": "2.0", "id": i, "method": "no/such"})) for i in range(500)))
        ids = [s.read()["id"] for _ in range(500)]
        self.assertEqual(ids, list(range(500)))
        self.assertAliveAndExits(s)


class Load(Base):
    def test_ten_megabyte_document(self):
        text = many_rules(100000)
        self.assertGreater(len(text), 10 * 1000 * 1000)
        s = self.session()
        start = time.time()
        s.open(URI, text)
        p = s.publish(URI, timeout=60)
        self.assertEqual([d["code"] for d in p["diagnostics"]][:1], ["policy-too-large"])
        last = len(text.splitlines())
        s.change(URI, 2, [{"range": {"start": {"line": last, "character": 0}, "end": {"line": last, "character": 0}},
                           "text": "op=KMODULE action=DENY\n"}])
        self.assertEqual(s.publish(URI, timeout=60)["version"], 2)
        syms = s.result("textDocument/documentSymbol", {"textDocument": {"uri": URI}}, timeout=60)
        self.assertEqual(len(syms[2]["children"]), 100000)
        self.assertEqual(syms[3]["name"], "op=KMODULE")
        self.assertLess(time.time() - start, 60)
        self.assertAliveAndExits(s)

    def test_ten_megabyte_line(self):
        s = self.session()
        text = "policy_name=long policy_version=0.0.1\nDEFAULT action=DENY\n#" + "x" * (10 << 20) + "\n"
        s.open(URI, text)
        self.assertEqual(s.publish(URI, timeout=60)["version"], 1)
        end = {"line": 2, "character": (10 << 20) + 1}
        s.change(URI, 2, [{"range": {"start": end, "end": end}, "text": "y"}])
        self.assertEqual(s.publish(URI, timeout=60)["version"], 2)
        self.assertAliveAndExits(s)

    def test_burst_of_one_character_changes_is_coalesced(self):
        s = self.session()
        s.open(URI, POLICY, version=0)
        s.publish(URI)
        n = 1000
        # Appends "#x#x..." to line 4, one character per notification, in one write.
        batch = []
        for i in range(n):
            at = {"line": 3, "character": i}
            batch.append(frame(json.dumps({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": URI, "version": i + 1},
                "contentChanges": [{"range": {"start": at, "end": at}, "text": "#x"[i % 2]}]}})))
        s.send_raw(b"".join(batch))
        got = s.until(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["version"] == n,
                      timeout=60)
        published = [m["params"] for m in got if m.get("method") == "textDocument/publishDiagnostics"]
        self.assertLess(len(published), n)
        versions = [p["version"] for p in published]
        self.assertEqual(versions, sorted(versions))
        self.assertEqual(s.quiet(0.5), [])
        final = POLICY + "#x" * (n // 2)
        with harness.TempDir() as d:
            path = d + "/final.pol"
            with open(path, "w") as f:
                f.write(final)
            self.assertEqual(harness.comparable(published[-1]["diagnostics"]),
                             harness.expected_lsp(harness.cli_check(path), final.encode()))
        twin = URI + ".twin.pol"
        s.open(twin, final)
        fmt = {"options": {"tabSize": 8, "insertSpaces": True}}
        self.assertEqual(s.result("textDocument/formatting", dict(fmt, textDocument={"uri": URI})),
                         s.result("textDocument/formatting", dict(fmt, textDocument={"uri": twin})))
        print(f"\n{n} changes, {len(published)} publications", flush=True)
        self.assertAliveAndExits(s)


class Cancel(Base):
    def test_cancel_a_queued_request(self):
        s = self.session()
        s.open(URI, many_rules(100000))
        # The first request waits for the check (about a second); the second is queued behind
        # it when it is cancelled.
        fmt = {"textDocument": {"uri": URI}, "options": {"tabSize": 8, "insertSpaces": True}}
        first = s.request("textDocument/formatting", fmt)
        second = s.request("textDocument/formatting", fmt)
        s.notify("$/cancelRequest", {"id": second})
        # The cancelled request is answered at once, before the one that waits for the check.
        got = s.until(lambda m: m.get("id") == first, timeout=60)
        answered = [m for m in got if "id" in m]
        self.assertEqual([m["id"] for m in answered], [second, first])
        self.assertError(answered[0], second, CANCELLED)
        self.assertEqual(answered[1]["result"], [])
        # A second cancel of either is too late: nothing more is sent.
        s.notify("$/cancelRequest", {"id": second})
        s.notify("$/cancelRequest", {"id": first})
        self.assertEqual(s.quiet(), [])
        self.assertAliveAndExits(s)

    def test_cancel_of_unknown_or_answered_ids(self):
        s = self.session()
        for rid in (12345, "nope", 1):
            s.notify("$/cancelRequest", {"id": rid})
        self.assertEqual(s.quiet(), [])
        s.open(URI, POLICY)
        s.publish(URI)
        r = s.call("textDocument/documentSymbol", {"textDocument": {"uri": URI}})
        self.assertIn("result", r)
        self.assertAliveAndExits(s)

    def test_cancelling_answered_requests_keeps_no_memory(self):
        # Editors cancel requests that were already answered (a hover the cursor left): the
        # server must not remember each of those ids for the rest of the session.
        s = self.session()

        def rss_kb():
            with open(f"/proc/{s.p.pid}/status") as f:
                return int(next(line for line in f if line.startswith("VmRSS:")).split()[1])
        s.alive()
        before = rss_kb()
        n = 200000
        s.send_raw(b"".join(frame('{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"%s"}}' % ("x" * 40 + str(i)))
                            for i in range(n)))
        self.assertTrue(s.alive())
        self.assertLess(rss_kb() - before, 4096)
        self.assertAliveAndExits(s)

    def test_string_ids(self):
        s = self.session()
        s.open(URI, many_rules(100000))
        fmt = {"textDocument": {"uri": URI}, "options": {"tabSize": 8, "insertSpaces": True}}
        s.send({"jsonrpc": "2.0", "id": "a", "method": "textDocument/formatting", "params": fmt})
        s.send({"jsonrpc": "2.0", "id": "b", "method": "textDocument/formatting", "params": fmt})
        s.notify("$/cancelRequest", {"id": "b"})
        got = s.until(lambda m: m.get("id") == "b", timeout=60)
        self.assertError(got[-1], "b", CANCELLED)
        self.assertAliveAndExits(s)

    def test_shutdown_while_checking(self):
        s = self.session()
        s.open(URI, many_rules(100000))
        start = time.time()
        self.assertEqual(s.call("shutdown", None)["result"], None)
        self.assertLess(time.time() - start, 0.5)
        s.notify("exit", None)
        self.assertEqual(s.p.wait(timeout=10), 0)


if __name__ == "__main__":
    harness.main()
