#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Builds the VS Code extension with scripts/vscode-package and checks the .vsix it writes.

  vscode_test.py SOURCE_DIR WORK_DIR PROJECT_VERSION

The package command runs the extension's unit and grammar tests on the way. Exit 77 (a skip
for ctest) when npm or a recent enough node is missing, or when npm cannot reach its registry
and its cache does not hold the locked packages.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

SKIP = 77
NETWORK = re.compile(r"ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|"
                     r"network request to .* failed|request to .* failed|ENOTCACHED")
NODE_MAJOR = 20


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(SKIP)


def check_tools():
    if not shutil.which("npm"):
        skip("npm is not installed (apt-get install npm)")
    if not shutil.which("node"):
        skip("node is not installed")
    version = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    m = re.match(r"v(\d+)\.", version)
    if not m or int(m.group(1)) < NODE_MAJOR:
        skip(f"node {version or '?'} is older than {NODE_MAJOR}")


def package(source, work):
    run = subprocess.run([os.path.join(source, "scripts", "vscode-package"), work],
                         capture_output=True, text=True)
    output = run.stdout + run.stderr
    if run.returncode != 0:
        if NETWORK.search(output):
            print(output[-3000:])
            skip("npm cannot reach its registry and its cache lacks the locked packages")
        print(output)
        sys.exit(f"FAIL: scripts/vscode-package exited {run.returncode}")
    return output


def check_output(output, problems):
    for line in output.splitlines():
        if re.search(r"\bWARN(ING)?\b", line) and "install-scripts" not in line:
            problems.append(f"the build warns: {line.strip()}")
    for name in ("comments", "crlf", "header", "properties", "rules"):
        if f"test/grammar/{name}.pol run successfuly" not in output:
            problems.append(f"the grammar test {name}.pol did not pass")
    if not re.search(r"^# pass [1-9]", output, re.M) or not re.search(r"^# fail 0$", output, re.M):
        problems.append("the unit tests did not all pass")


def check_vsix(work, version, problems):
    built = sorted(glob.glob(os.path.join(work, "ipec-*.vsix")))
    if len(built) != 1:
        problems.append(f"expected one ipec-*.vsix in {work}, found {built}")
        return
    path = built[0]
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        for want in ("extension/package.json", "extension/dist/extension.js",
                     "extension/syntaxes/ipe-policy.tmLanguage.json",
                     "extension/language-configuration.json", "extension/LICENSE.txt"):
            if want not in names:
                problems.append(f"{want} is missing from the .vsix")
        extra = sorted(n for n in names if "node_modules" in n or n.endswith(".ts"))
        if extra:
            problems.append(f"the .vsix carries sources or modules: {extra[:5]}")
        manifest = json.loads(z.read("extension/package.json"))
    if manifest.get("version") != version:
        problems.append(f"the extension is version {manifest.get('version')}, ipec is {version}")
    grammar = manifest["contributes"]["grammars"][0]
    if (grammar["language"], grammar["scopeName"]) != ("ipe-policy", "source.ipe-policy"):
        problems.append(f"unexpected grammar contribution {grammar}")


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    source, work, version = sys.argv[1:]
    check_tools()
    tree = os.path.join(source, "editors", "vscode")
    before = {d for d in ("node_modules", "out", "dist") if os.path.exists(os.path.join(tree, d))}
    shutil.rmtree(work, ignore_errors=True)
    output = package(source, work)
    problems = []
    check_output(output, problems)
    check_vsix(work, version, problems)
    after = {d for d in ("node_modules", "out", "dist") if os.path.exists(os.path.join(tree, d))}
    if after - before:
        problems.append(f"the build wrote {sorted(after - before)} into editors/vscode")
    for p in problems:
        print(f"FAIL: {p}")
    if problems:
        print(output[-4000:])
        return 1
    print(f"ipec-{version}.vsix built; its unit and grammar tests passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
