#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Every subcommand and option that `ipec --help` lists has a man page and shell completions.

  check_cli_docs.py IPEC GENERATED_DIR

GENERATED_DIR is what the build generated (man1/, completions/). The lists are read here with
a parser of our own, not the generator's, so a generator bug cannot hide itself. bash and, when
installed, fish completions are also run; zsh's is syntax-checked.
"""
import os
import re
import shutil
import subprocess
import sys

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def help_of(ipec, path):
    return subprocess.run([ipec, *path, "--help"], capture_output=True, text=True, check=True).stdout


def listed(text, section):
    """Entry names of a '<section>:' block of --help."""
    m = re.search(rf"^{section}:\n((?:  .*\n?)*)", text, re.M)
    return [] if not m else [l.split()[0] for l in m.group(1).splitlines() if re.match(r"  \S", l)]


def long_options(text):
    return sorted(set(re.findall(r"^  (?:-\w,)?(--[\w-]+)", text, re.M)))


def commands(ipec, path=()):
    """(path, --help text) of every command, depth first."""
    text = help_of(ipec, list(path))
    yield list(path), text
    for sub in listed(text, "Subcommands"):
        yield from commands(ipec, (*path, sub))


def bash_complete(bash_file, words):
    script = (f'source "{bash_file}"; COMP_WORDS=({" ".join(repr(w) for w in words)}); '
              'COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _ipec; printf "%s\\n" "${COMPREPLY[@]}"')
    res = subprocess.run(["bash", "-c", script], capture_output=True, text=True)
    return res.stdout.split()


def fish_complete(fish_file, line):
    res = subprocess.run(["fish", "-c", f"source {fish_file}; complete -C{line!r}"],
                         capture_output=True, text=True)
    return [l.split("\t")[0] for l in res.stdout.splitlines()]


def main():
    ipec, gen = sys.argv[1:3]
    comp = os.path.join(gen, "completions")
    files = {n: open(os.path.join(comp, n), encoding="utf-8").read() for n in ("ipec", "_ipec", "ipec.fish")}
    tree = list(commands(ipec))
    top = listed(tree[0][1], "Subcommands")
    if not top:
        fail("ipec --help lists no subcommand")
    for name in top:
        page = os.path.join(gen, "man1", f"ipec-{name}.1")
        if not os.path.isfile(page):
            fail(f"no man page for `ipec {name}` ({page})")
        if name not in bash_complete(os.path.join(comp, "ipec"), ["ipec", ""]):
            fail(f"bash does not complete `ipec {name}`")
        if not re.search(rf"^\s+'{re.escape(name)}:", files["_ipec"], re.M):
            fail(f"zsh does not list `ipec {name}`")
        if f"-a '{name}'" not in files["ipec.fish"]:
            fail(f"fish does not list `ipec {name}`")
    for path, text in tree:
        page = os.path.join(gen, "man1", "-".join(["ipec"] + path[:1]) + ".1")
        man = open(page, encoding="utf-8").read() if os.path.isfile(page) else ""
        for opt in long_options(text):
            where = " ".join(["ipec"] + path)
            if opt.replace("-", "\\-") not in man:
                fail(f"`{where} {opt}` is not in {os.path.basename(page)}")
            if opt not in bash_complete(os.path.join(comp, "ipec"), ["ipec", *path, opt]):
                fail(f"bash does not complete `{where} {opt}`")
            if f"{opt}=[" not in files["_ipec"] and f"{opt}[" not in files["_ipec"]:
                fail(f"zsh does not complete `{where} {opt}`")
            if f"-l {opt[2:]}" not in files["ipec.fish"]:
                fail(f"fish does not complete `{where} {opt}`")
        # values that --help lists ({a,b}) are completed
        for opt, values in re.findall(r"^  (?:-\w,)?(--[\w-]+) \w+:\{([^}]*)\}", text, re.M):
            got = bash_complete(os.path.join(comp, "ipec"), ["ipec", *path, opt, ""])
            if sorted(got) != sorted(values.split(",")):
                fail(f"bash completes `{' '.join(path)} {opt}` with {got}, --help lists {values}")
    if shutil.which("fish"):
        got = fish_complete(os.path.join(comp, "ipec.fish"), "ipec ")
        if sorted(got) != sorted(top):
            fail(f"fish completes `ipec ` with {got}, --help lists {top}")
    if shutil.which("zsh"):
        res = subprocess.run(["zsh", "-n", os.path.join(comp, "_ipec")], capture_output=True, text=True)
        if res.returncode:
            fail(f"zsh -n _ipec: {res.stderr}")
    print(f"{len(tree)} commands, {len(top)} subcommands: man pages and completions checked "
          f"(bash run{', fish run' if shutil.which('fish') else ''}"
          f"{', zsh parsed' if shutil.which('zsh') else ''})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
