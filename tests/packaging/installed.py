# SPDX-License-Identifier: Apache-2.0
"""Checks of an installed tree, shared by the install and Debian package tests.

Everything runs the installed binary on the installed files: the layout is what is tested,
never the build tree.
"""
import glob
import os
import re
import subprocess

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def run(cmd, **kw):
    res = subprocess.run(cmd, capture_output=True, text=True, **kw)
    print(f"$ {' '.join(cmd)}  -> exit {res.returncode}")
    return res


def check_tree(prefix, version, destdir=""):
    """prefix: the installed bin/ and share/ (DESTDIR/usr for a package); paths that the
    installed files name are looked up under destdir."""
    ipec = os.path.join(prefix, "bin", "ipec")
    doc = os.path.join(prefix, "share", "doc", "ipec")
    examples = sorted(glob.glob(os.path.join(doc, "examples", "*.pol")))
    if not examples:
        fail(f"no examples in {doc}/examples")
    res = run([ipec, "check", *examples])
    if res.returncode != 0:
        fail(f"installed ipec check on the installed examples: exit {res.returncode}\n{res.stderr}")
    hornet = sorted(glob.glob(os.path.join(doc, "examples", "hornet", "*.pol")))
    res = run([ipec, "check", "--target", "hornet-v7", *hornet])
    if not hornet or res.returncode != 0:
        fail(f"installed ipec check --target hornet-v7 on {hornet}: exit {res.returncode}")
    res = run([ipec, "--version"])
    if res.stdout.strip() != f"ipec {version}":
        fail(f"ipec --version says {res.stdout.strip()!r}, the package is {version}")

    subcommands = re.findall(r"^  (\w[\w-]*) ", run([ipec, "--help"]).stdout.split("Subcommands:")[-1], re.M)
    man1 = os.path.join(prefix, "share", "man", "man1")
    for page in ["ipec"] + [f"ipec-{s}" for s in subcommands]:
        path = os.path.join(man1, page + ".1.gz")
        if not os.path.isfile(path):
            fail(f"missing man page {path}")
            continue
        res = run(["man", "-P", "cat", "-l", path], env=dict(os.environ, MANWIDTH="80"))
        if res.returncode != 0 or page.upper() not in res.stdout:
            fail(f"man -l {path}: exit {res.returncode}")
        # the page names this installation's documentation, not the build's
        text = subprocess.run(["zcat", path], capture_output=True, text=True).stdout
        for ref in re.findall(r"^\\%(/\S+)$", text, re.M):
            ref = ref.replace("\\-", "-")
            if not os.path.isfile(destdir + ref):
                fail(f"{page}(1) names {ref}, which is not installed")
    for comp in ("share/bash-completion/completions/ipec", "share/fish/vendor_completions.d/ipec.fish"):
        text = open(os.path.join(prefix, comp), encoding="utf-8").read() if os.path.isfile(os.path.join(prefix, comp)) else ""
        missing = [s for s in subcommands if s not in text]
        if not text or missing:
            fail(f"{comp}: missing, or without {missing}")
    if not glob.glob(os.path.join(prefix, "share", "zsh", "*", "_ipec")):
        fail("no zsh completion under share/zsh")
    for name in ("README.md", "copyright", "changelog.gz", "docs/cli.md"):
        if not os.path.isfile(os.path.join(doc, name)):
            fail(f"missing {doc}/{name}")
    return subcommands
