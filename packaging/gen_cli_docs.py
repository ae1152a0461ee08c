#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generates the man pages and the shell completions from the built binary's --help.

  gen_cli_docs.py --ipec BUILD/ipec --out DIR --docdir /usr/share/doc/ipec
                  [--data packaging/manpages.toml] [--changelog packaging/changelog]

Writes DIR/man1/*.1 (install_man.py installs them), DIR/completions/{ipec,_ipec,ipec.fish}
and DIR/changelog.gz. Everything in those folders is
rewritten, so a removed command leaves no stale page.
"""
import argparse
import email.utils
import gzip
import os
import re
import shutil
import subprocess
import sys
import tomllib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_help  # noqa: E402
import completions  # noqa: E402
import manpage  # noqa: E402


def gzip_file(data, path):
    """gzip -9n: no name and no timestamp, so the bytes are reproducible."""
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                                                 compresslevel=9, mtime=0) as gz:
        gz.write(data)


def changelog_entry(path):
    """(version, maintainer, date) of the newest entry of a Debian-format changelog."""
    text = open(path, encoding="utf-8").read()
    version = re.match(r"^\S+ \(([^)]+)\)", text).group(1)
    trailer = re.search(r"^ -- (.+?)  (.+)$", text, re.M)
    date = email.utils.parsedate_to_datetime(trailer.group(2))
    return version, trailer.group(1), date.strftime("%Y-%m-%d")


def fresh_dir(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--ipec", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--docdir", required=True)
    ap.add_argument("--data", default=os.path.join(here, "manpages.toml"))
    ap.add_argument("--changelog", default=os.path.join(here, "changelog"))
    args = ap.parse_args()

    root = cli_help.load(args.ipec)
    version = subprocess.run([args.ipec, "--version"], capture_output=True, text=True,
                             check=True).stdout.strip()
    with open(args.data, "rb") as f:
        extra = tomllib.load(f)
    _, _, date = changelog_entry(args.changelog)
    source = os.path.dirname(here)
    for cmd in root.walk():
        for doc in manpage.see_also_docs(cmd, extra):
            if not os.path.isfile(os.path.join(source, doc)):
                sys.exit(f"{args.data}: {doc} (SEE ALSO of {cmd.name}) does not exist")

    man = fresh_dir(os.path.join(args.out, "man1"))
    for cmd in [root] + root.subcommands:   # nested commands live in their parent's page
        text = manpage.render(cmd, root, extra, version, date, args.docdir)
        name = manpage.page_name(cmd) + ".1"
        with open(os.path.join(man, name), "w", encoding="utf-8") as f:
            f.write(text)

    comp = fresh_dir(os.path.join(args.out, "completions"))
    for name, render in (("ipec", completions.bash), ("_ipec", completions.zsh),
                         ("ipec.fish", completions.fish)):
        with open(os.path.join(comp, name), "w", encoding="utf-8") as f:
            f.write(render(root))

    with open(args.changelog, "rb") as f:
        gzip_file(f.read(), os.path.join(args.out, "changelog.gz"))


if __name__ == "__main__":
    main()
