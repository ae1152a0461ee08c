#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Installs the generated man pages, gzipped, naming the documentation directory of this install.

  install_man.py SRC_DIR DEST_DIR BUILD_DOCDIR INSTALL_DOCDIR

The pages are generated with the configured prefix; `cpack` and `cmake --install --prefix`
install under another one, only known at install time.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_cli_docs import gzip_file  # noqa: E402


def main():
    src, dest, build_docdir, docdir = sys.argv[1:5]
    os.makedirs(dest, exist_ok=True)
    for name in sorted(os.listdir(src)):
        if not name.endswith(".1"):
            continue
        with open(os.path.join(src, name), encoding="utf-8") as f:
            text = f.read()
        # manpage.py writes paths with roff minus signs
        text = text.replace(build_docdir.replace("-", "\\-"), docdir.replace("-", "\\-"))
        out = os.path.join(dest, name + ".gz")
        gzip_file(text.encode(), out)
        print(f"-- Installing: {out}")


if __name__ == "__main__":
    main()
