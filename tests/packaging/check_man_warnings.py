#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Every generated man page formats without a warning under `groff -ww` (every warning) and `man --warnings`.

  check_man_warnings.py MAN1_DIR      (exit 77, skipped, when neither groff nor man is installed)
"""
import glob
import os
import shutil
import subprocess
import sys


def main():
    pages = sorted(glob.glob(os.path.join(sys.argv[1], "*.1")))
    if not pages:
        print(f"no man page in {sys.argv[1]}")
        return 1
    tools = []
    if shutil.which("groff"):
        tools.append(["groff", "-ww", "-man", "-Tutf8", "-z"])
    if shutil.which("man"):
        tools.append(["man", "--warnings", "-P", "cat", "-l"])
    if not tools:
        print("neither groff nor man is installed")
        return 77
    env = dict(os.environ, LC_ALL="C.UTF-8", MANWIDTH="80")
    bad = 0
    for page in pages:
        for tool in tools:
            res = subprocess.run(tool + [page], capture_output=True, text=True, env=env)
            if res.returncode or res.stderr.strip():
                bad += 1
                print(f"FAIL: {' '.join(tool)} {page} (exit {res.returncode}):\n{res.stderr}")
    print(f"{len(pages)} pages x {len(tools)} formatters: {bad} with warnings")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
