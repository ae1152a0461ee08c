#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Golden tests for the ipec command line.

A golden file is a policy followed by the expected output of one ipec command:

    <policy bytes, exactly as the test wants them>
    # ==== ipec check -Wno-bare-cr ====
    # exit: 1
    # stdout: name.pol: Linux 6.12 rejects this policy ...
    # stderr: name.pol:3:12: error: ... [unknown-property]

`{stdin}` in the command feeds the policy on standard input instead of naming it; `{none}` runs
the command without the policy file; `{input:NAME}` copies `inputs/NAME` (beside the golden file)
into the scratch directory and stands for NAME (a second policy for `ipec diff`, an events file);
`{signdata}` is tests/sign/data (test keys and signed blobs), and reads `{signdata}` in the output
too. In the output, the scratch directory's absolute path reads
`{dir}` and the documentation base URI (IPEC_DOCS_URI, which depends on the install prefix)
reads `{docs}/`: SARIF names files by absolute URI. `{table}` compiles the policy first
(`ipec compile -o NAME.tbl NAME`, for the default target) and stands for the table, which takes the
policy's place (so that a golden over a table follows the table format instead of freezing its bytes). `{golden}` in the command is the folder of
the golden files (for inputs beside them, such as `snapshots/*.json`), and reads `{golden}` in
the output. The marker line (with the line feed before it) is not part of the policy, so a golden file can
hold a policy without a final newline. The harness writes the policy to a scratch directory
under the same file name, runs the command there, and compares exit status, stdout and stderr.

    run_golden.py IPEC GOLDEN [--update]     (or IPEC_UPDATE_GOLDENS=1)
"""
import os
import re
import subprocess
import sys
import tempfile

GOLDEN_DIR = os.path.dirname(os.path.abspath(__file__))

SIGNDATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sign", "data")
MARKER = re.compile(rb"\n# ==== ipec (?P<args>[^\n]*?) ====\n")


def split(data):
    m = None
    for m in MARKER.finditer(data):
        pass
    if m is None:
        sys.exit("golden file has no '# ==== ipec <command> ====' marker line")
    return data[: m.start()], m.group("args").decode(), data[m.start():]


INPUT = re.compile(r"\{input:([^}/]+)\}")


def run(ipec, name, policy, args, inputs_dir):
    args = args.replace("{golden}", GOLDEN_DIR)
    with tempfile.TemporaryDirectory(prefix="ipec-golden-") as tmp:
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(policy)
        for extra in INPUT.findall(args):
            with open(os.path.join(inputs_dir, extra), "rb") as src, open(os.path.join(tmp, extra), "wb") as dst:
                dst.write(src.read())
        args = INPUT.sub(lambda m: m.group(1), args)
        args = args.replace("{signdata}", SIGNDATA)
        argv = [ipec] + args.split() + [name]
        if "{table}" in args:
            subprocess.run([ipec, "compile", "-o", name + ".tbl", name, "-Wno-lockout", "-Wno-partial-enforcement"],
                           cwd=tmp, check=True, capture_output=True, timeout=120)
            argv = [ipec] + args.replace("{table}", name + ".tbl").split()
        if "{none}" in args:  # the command takes no policy file
            argv = [ipec] + args.replace("{none}", "").split()
        if "{stdin}" in args:
            argv = [ipec] + args.replace("{stdin}", "-").split()
            stdin = open(path, "rb")
        else:
            stdin = subprocess.DEVNULL
        env = dict(os.environ, NO_COLOR="1", LC_ALL="C")
        p = subprocess.run(argv, cwd=tmp, stdin=stdin, capture_output=True, env=env, timeout=120)
        return p.returncode, normalise(p.stdout, tmp, ipec), normalise(p.stderr, tmp, ipec)


def docs_uri(ipec):
    """IPEC_DOCS_URI as built: from the environment, or the CMake cache beside the binary."""
    if os.environ.get("IPEC_DOCS_URI"):
        return os.environ["IPEC_DOCS_URI"]
    cache = os.path.join(os.path.dirname(ipec), "CMakeCache.txt")
    if os.path.exists(cache):
        for line in open(cache, encoding="utf-8", errors="replace"):
            if line.startswith("IPEC_DOCS_URI:"):
                return line.split("=", 1)[1].rstrip("\n")
    return None


def normalise(out, tmp, ipec):
    out = out.replace(os.path.realpath(tmp).encode(), b"{dir}").replace(tmp.encode(), b"{dir}")
    out = out.replace(GOLDEN_DIR.encode(), b"{golden}")
    out = out.replace(SIGNDATA.encode(), b"{signdata}")
    uri = docs_uri(ipec)
    return out.replace(uri.encode(), b"{docs}/") if uri else out


def render(args, code, out, err):
    lines = [b"", b"# ==== ipec " + args.encode() + b" ===="]
    lines.append(b"# exit: %d" % code)
    for tag, stream in ((b"stdout", out), (b"stderr", err)):
        for line in stream.splitlines():
            lines.append(b"# " + tag + b": " + line if line else b"# " + tag + b":")
    return b"\n".join(lines) + b"\n"


def main():
    ipec, golden = os.path.abspath(sys.argv[1]), sys.argv[2]
    update = "--update" in sys.argv[3:] or os.environ.get("IPEC_UPDATE_GOLDENS") == "1"
    data = open(golden, "rb").read()
    policy, args, expected = split(data)
    code, out, err = run(ipec, os.path.basename(golden), policy, args,
                         os.path.join(os.path.dirname(os.path.abspath(golden)), "inputs"))
    actual = render(args, code, out, err)
    if actual == expected:
        print(f"{os.path.basename(golden)}: ok (exit {code})")
        return 0
    if update:
        with open(golden, "wb") as f:
            f.write(policy + actual)
        print(f"{os.path.basename(golden)}: updated")
        return 0
    sys.stdout.write(f"{golden}: output differs (rerun with IPEC_UPDATE_GOLDENS=1 to accept)\n")
    import difflib
    for line in difflib.unified_diff(expected.decode(errors="replace").splitlines(),
                                     actual.decode(errors="replace").splitlines(),
                                     "expected", "actual", lineterm=""):
        print(line)
    return 1


if __name__ == "__main__":
    sys.exit(main())
