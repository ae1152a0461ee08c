#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Fails when a diagnostic id has no golden test or no section in docs/diagnostics.md."""
import json
import os
import subprocess
import sys

ipec, golden_dir, doc = sys.argv[1:4]
ids = [d["id"] for d in json.loads(subprocess.run([ipec, "diagnostics", "--format=json"],
                                                  capture_output=True, check=True).stdout)]
expected = b""
for name in os.listdir(golden_dir):
    if name.endswith(".pol"):
        data = open(os.path.join(golden_dir, name), "rb").read()
        expected += data[data.rfind(b"\n# ==== ipec "):]
docs = open(doc, encoding="utf-8").read()
missing_golden = [i for i in ids if (f"[{i}]".encode() not in expected and
                                     f'"id": "{i}"'.encode() not in expected)]
missing_docs = [i for i in ids if f"\n### `{i}`" not in docs]
for i in missing_golden:
    print(f"diagnostic `{i}` has no golden test in tests/golden")
for i in missing_docs:
    print(f"diagnostic `{i}` has no '### `{i}`' section in docs/diagnostics.md")
print(f"{len(ids)} diagnostic ids; {len(ids) - len(missing_golden)} with golden tests; "
      f"{len(ids) - len(missing_docs)} documented")
sys.exit(1 if missing_golden or missing_docs else 0)
