#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Builds the .deb with cpack, runs lintian on it, extracts it and runs the extracted ipec.

  deb_test.py CPACK BUILD_DIR SCRATCH_DIR CHANGELOG
Exit 77 (skipped) when dpkg-deb or lintian is missing (scripts/setup installs both).
"""
import glob
import os
import re
import shutil
import subprocess
import sys

import installed
from installed import fail, run


def control(deb, field):
    return run(["dpkg-deb", "-f", deb, field]).stdout.strip()


def check_binary(path):
    dyn = run(["readelf", "-d", path]).stdout
    if re.search(r"\((RPATH|RUNPATH)\)", dyn):
        fail(f"{path} has an RPATH or RUNPATH")
    sections = run(["readelf", "-S", "-W", path]).stdout
    if re.search(r"\.(symtab|debug_\w+)\b", sections):
        fail(f"{path} is not stripped")


def check_lintian(deb):
    res = run(["lintian", "--fail-on", "error", "--display-info", deb])
    tags = [l for l in res.stdout.splitlines() if re.match(r"[EWIPX]: ", l)]
    print("lintian:\n  " + "\n  ".join(tags or ["(no tags)"]))
    if res.returncode != 0 or any(t.startswith("E: ") for t in tags):
        fail(f"lintian reports errors (exit {res.returncode})\n{res.stderr}")


def main():
    cpack, build, scratch, changelog = sys.argv[1:5]
    for tool in ("dpkg-deb", "lintian", "readelf"):
        if not shutil.which(tool):
            print(f"{tool} is not installed (scripts/setup installs it)")
            return 77
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    res = run([cpack, "-G", "DEB", "--config", os.path.join(build, "CPackConfig.cmake"), "-B", scratch])
    debs = glob.glob(os.path.join(scratch, "*.deb"))
    if res.returncode != 0 or len(debs) != 1:
        print(res.stdout, res.stderr)
        fail("cpack -G DEB made no package")
        return 1
    deb = debs[0]
    version = control(deb, "Version")
    top = open(changelog, encoding="utf-8").readline()
    if f"({version})" not in top:
        fail(f"the package is {version}, the newest changelog entry is {top.strip()}")
    depends = control(deb, "Depends")
    print(f"{os.path.basename(deb)}: Depends: {depends}")
    if "libc6" not in depends:
        fail("Depends does not come from the linked libraries (no libc6)")
    if control(deb, "Homepage"):
        fail("the control file names a homepage; ipec has none")
    for field in ("Maintainer", "Description", "Section", "Priority"):
        if not control(deb, field):
            fail(f"the control file has no {field}")
    check_lintian(deb)

    root = os.path.join(scratch, "root")
    run(["dpkg-deb", "-x", deb, root])
    check_binary(os.path.join(root, "usr/bin/ipec"))
    uncompressed = [p for p in glob.glob(os.path.join(root, "usr/share/man/man*/*")) if not p.endswith(".gz")]
    if uncompressed:
        fail(f"man pages not compressed: {uncompressed}")
    copyright = open(os.path.join(root, "usr/share/doc/ipec/copyright"), encoding="utf-8").read()
    if not copyright.startswith("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"):
        fail("usr/share/doc/ipec/copyright is not in the machine-readable format")
    subcommands = installed.check_tree(os.path.join(root, "usr"), version, destdir=root)
    print(f"{os.path.basename(deb)}: {len(subcommands)} subcommands, {len(installed.failures)} failures")
    return 1 if installed.failures else 0


if __name__ == "__main__":
    sys.exit(main())
