#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`cmake --install BUILD --prefix SCRATCH`, then the installed ipec on the installed examples.

  install_test.py CMAKE BUILD_DIR SCRATCH_DIR VERSION
"""
import os
import shutil
import sys

import installed


def main():
    cmake, build, scratch, version = sys.argv[1:5]
    shutil.rmtree(scratch, ignore_errors=True)
    prefix = os.path.join(scratch, "prefix")
    res = installed.run([cmake, "--install", build, "--prefix", prefix])
    if res.returncode != 0:
        print(res.stdout, res.stderr)
        return 1
    subcommands = installed.check_tree(prefix, version)
    # the man pages name this prefix's documentation
    res = installed.run(["zcat", os.path.join(prefix, "share/man/man1/ipec.1.gz")])
    if os.path.join(prefix, "share/doc/ipec").replace("-", "\\-") not in res.stdout:
        installed.fail("ipec(1) does not name the documentation under the install prefix")
    print(f"installed under a scratch prefix: {len(subcommands)} subcommands, "
          f"{len(installed.failures)} failures")
    return 1 if installed.failures else 0


if __name__ == "__main__":
    sys.exit(main())
