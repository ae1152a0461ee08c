#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Runs every `$ ipec ...` example in README.md and docs/*.md and compares the output shown.

The convention for examples (docs/examples/README.md says it for writers):

- An example is a fenced code block whose first line starts with `$ `. Each `$ ` line is a
  command; the lines after it, up to the next `$ ` line, are what it prints, standard output and
  standard error together as a terminal shows them. `build/ipec` is read as `ipec`.
- The commands of one Markdown file run in order, with /bin/sh, in one scratch copy of
  docs/examples/, the folder that holds every file the examples name (so a `compile -o x.ipet`
  example makes the table a later `dump x.ipet` reads). `$ echo $?` shows the previous status.
- A line `...` alone in the output stands for any number of lines.
- The only normalisation: the scratch folder's path reads `{dir}`, and the documentation URI
  (IPEC_DOCS_URI, which depends on the install prefix) reads `{docs}/`. NO_COLOR=1, LC_ALL=C.
- `<!-- example: not run (REASON) -->` on the line before the fence leaves a block out.

IPEC_UPDATE_DOCS=1 (or --update) rewrites the output shown to what the commands print now; a
block with `...` keeps as many lines before the first `...` and after the last one as it had.

    docs_examples.py IPEC SOURCE_DIR [--update]
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^(\s*)(```+|~~~+)")
SKIP = "<!-- example: not run"
MARK = "@@ipec-docs-example@@"


def blocks(lines):
    """(first line index, last line index exclusive, indent) of each example block."""
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence = m.group(1), m.group(2)
        end = i + 1
        while end < len(lines) and not lines[end].strip().startswith(fence[:3]):
            end += 1
        body = [l[len(indent):] if l.startswith(indent) else l.lstrip() for l in lines[i + 1:end]]
        skipped = i > 0 and lines[i - 1].strip().startswith(SKIP)
        if body and body[0].startswith("$ ") and not skipped:
            yield i + 1, end, indent
        i = end + 1


def parse(body):
    """[(command, [expected lines])]"""
    steps = []
    for line in body:
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
    return steps


def run_all(steps, cwd, ipec_dir, docs_uri):
    script = []
    for cmd, _ in steps:
        cmd = re.sub(r"(^|[\s;|&(])build/ipec\b", r"\1ipec", cmd)
        script.append(f"{cmd} 2>&1\n__s=$?\necho '{MARK}'\n(exit $__s)\n")
    env = dict(os.environ, NO_COLOR="1", LC_ALL="C", PATH=ipec_dir + os.pathsep + os.environ.get("PATH", ""))
    p = subprocess.run(["/bin/sh", "-c", "".join(script)], cwd=cwd, capture_output=True, env=env, timeout=300)
    text = p.stdout.decode("utf-8", errors="replace")
    text = text.replace(os.path.realpath(cwd), "{dir}").replace(cwd, "{dir}")
    if docs_uri:
        text = text.replace(docs_uri, "{docs}/")
    outs = text.split(MARK + "\n")
    return [o.splitlines() for o in outs[: len(steps)]] + [[]] * max(0, len(steps) - len(outs))


def matches(expected, actual):
    """Whether `actual` fits `expected`, where a `...` line matches any number of lines."""
    if not expected:
        return not actual
    if expected[0] == "...":
        return any(matches(expected[1:], actual[k:]) for k in range(len(actual) + 1))
    return bool(actual) and expected[0] == actual[0] and matches(expected[1:], actual[1:])


def updated(expected, actual):
    """The new output to show, keeping the shape of `...` elisions; None when it cannot."""
    if "..." not in expected:
        return actual
    head = expected[: expected.index("...")]
    tail = expected[len(expected) - expected[::-1].index("..."):]
    middle = expected[len(head):len(expected) - len(tail)]
    new = actual[: len(head)] + middle + (actual[len(actual) - len(tail):] if tail else [])
    return new if matches(new, actual) else None


def docs_uri_of(ipec):
    cache = os.path.join(os.path.dirname(ipec), "CMakeCache.txt")
    if os.environ.get("IPEC_DOCS_URI"):
        return os.environ["IPEC_DOCS_URI"]
    if os.path.exists(cache):
        for line in open(cache, encoding="utf-8", errors="replace"):
            if line.startswith("IPEC_DOCS_URI:"):
                return line.split("=", 1)[1].rstrip("\n")
    return None


def main():
    ipec, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    update = "--update" in sys.argv[3:] or os.environ.get("IPEC_UPDATE_DOCS") == "1"
    docs_uri = docs_uri_of(ipec)
    with tempfile.TemporaryDirectory(prefix="ipec-bin-") as bindir:
        os.symlink(ipec, os.path.join(bindir, "ipec"))
        files = [os.path.join(root, "README.md")] + sorted(
            os.path.join(root, "docs", n) for n in os.listdir(os.path.join(root, "docs")) if n.endswith(".md"))
        failures = checked = 0
        for path in files:
            lines = open(path, encoding="utf-8").read().split("\n")
            found = list(blocks(lines))
            if not found:
                continue
            changed = False
            with tempfile.TemporaryDirectory(prefix="ipec-docs-") as tmp:
                work = os.path.join(tmp, "examples")
                shutil.copytree(os.path.join(root, "docs", "examples"), work)
                replacements = []
                for start, end, indent in found:
                    body = [l[len(indent):] if l.startswith(indent) else l.lstrip() for l in lines[start:end]]
                    steps = parse(body)
                    outs = run_all(steps, work, bindir, docs_uri)
                    new_body = []
                    for (cmd, expected), actual in zip(steps, outs):
                        checked += 1
                        new_body.append("$ " + cmd)
                        if matches(expected, actual):
                            new_body.extend(expected)
                            continue
                        where = f"{os.path.relpath(path, root)}:{start + 1 + body.index('$ ' + cmd)}"
                        if update and updated(expected, actual) is not None:
                            new_body.extend(updated(expected, actual))
                            changed = True
                            print(f"updated {where}: $ {cmd}")
                            continue
                        failures += 1
                        new_body.extend(expected)
                        print(f"FAIL {where}: $ {cmd}")
                        import difflib
                        for d in difflib.unified_diff(expected, actual, "shown", "printed", lineterm=""):
                            print("    " + d)
                    replacements.append((start, end, [indent + l if l else l for l in new_body]))
                if changed:
                    for start, end, new in reversed(replacements):
                        lines[start:end] = new
                    with open(path, "w", encoding="utf-8") as f:
                        f.write("\n".join(lines))
    print(f"{checked} example commands checked, {failures} differ")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
