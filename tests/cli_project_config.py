#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`.ipec.json` on the command line (docs/project-config.md): every command that takes a target
reads the nearest project file above each policy; flags given override it field by field.

    cli_project_config.py IPEC
"""
import json
import os
import subprocess
import sys
import tempfile

IPEC = sys.argv[1]
BPF = "policy_name=b policy_version=1.0.0\nDEFAULT action=ALLOW\nop=BPF_PROG_LOAD bpf_signature=OK action=ALLOW\n"
PLAIN = "policy_name=p policy_version=1.0.0\nDEFAULT action=DENY\nop=EXECUTE boot_verified=TRUE action=ALLOW\n"
failures = []


def run(*args, cwd):
    env = dict(os.environ, NO_COLOR="1", LC_ALL="C")
    p = subprocess.run([IPEC, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=60)
    return p.returncode, p.stdout, p.stderr


def expect(name, got, want):
    if got != want:
        failures.append(f"{name}: got {got!r}, want {want!r}")


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


with tempfile.TemporaryDirectory(prefix="ipec-project-") as tmp:
    write(f"{tmp}/bpf/.ipec.json", '{\n  // Hornet v7 kernels\n  "target": "hornet-v7",\n  "lsm": "capability,hornet,ipe",\n'
          '  "warnings": ["-Wno-partial-enforcement"]\n}\n')
    write(f"{tmp}/bpf/b.pol", BPF)
    write(f"{tmp}/bpf/sub/deeper/b2.pol", BPF)  # the nearest file is two levels up
    write(f"{tmp}/plain/p.pol", PLAIN)

    # The project file's target applies; without it linux-6.12 does not know op=BPF_PROG_LOAD.
    rc, out, err = run("check", "bpf/b.pol", cwd=tmp)
    expect("project target", (rc, out.strip()), (0, "bpf/b.pol: Linux with the Hornet series (v7) accepts this policy (target hornet-v7)"))
    rc, out, err = run("check", "bpf/sub/deeper/b2.pol", cwd=tmp)
    expect("nearest file above", rc, 0)
    rc, out, err = run("check", "--no-config", "bpf/b.pol", cwd=tmp)
    expect("--no-config", (rc, "unsupported-token" in err), (1, True))
    # A flag given overrides the file's field; the others still apply.
    rc, out, err = run("check", "--target", "linux-6.12", "bpf/b.pol", cwd=tmp)
    expect("--target over the file", (rc, "unsupported-token" in err), (1, True))
    # Each file with its own project: one check, two targets.
    rc, out, err = run("check", "bpf/b.pol", "plain/p.pol", cwd=tmp)
    expect("two projects", (rc, "(target hornet-v7)" in out, "(target linux-6.12)" in out), (1 if "error" in err else 0, True, True))
    # The file's -W flags, and a command-line flag after them wins.
    rc, out, err = run("check", "plain/p.pol", cwd=tmp)
    expect("default warnings", "[partial-enforcement]" in err, True)
    write(f"{tmp}/plain/.ipec.json", '{"warnings": ["-Wno-partial-enforcement"]}')
    rc, out, err = run("check", "plain/p.pol", cwd=tmp)
    expect("file -Wno", "[partial-enforcement]" in err, False)
    rc, out, err = run("check", "-Wpartial-enforcement", "plain/p.pol", cwd=tmp)
    expect("flag over file", "[partial-enforcement]" in err, True)
    # --config names the file; relative kconfig paths are relative to it.
    write(f"{tmp}/cfg/kernel.config", "CONFIG_SECURITY_IPE=y\nCONFIG_IPE_PROP_DM_VERITY=y\nCONFIG_LSM=\"capability,landlock\"\n")
    write(f"{tmp}/cfg/project.json", '{"kconfig": "kernel.config"}')
    rc, out, err = run("check", "--config", "cfg/project.json", "plain/p.pol", cwd=tmp)
    expect("--config with kconfig", (rc, "[target-cannot-load]" in err), (1, True))
    # Other commands read it too.
    rc, out, err = run("eval", "bpf/b.pol", "--event", "op=BPF_PROG_LOAD bpf_signature=OK", cwd=tmp)
    expect("eval", (rc, out.startswith("ALLOW")), (0, True))
    rc, out, err = run("compile", "bpf/b.pol", "-o", os.devnull, cwd=tmp)
    expect("compile", rc, 0)
    # Problems with the file are usage errors that name it.
    write(f"{tmp}/bad/.ipec.json", '{"targett": "linux-6.12"}')
    write(f"{tmp}/bad/p.pol", PLAIN)
    rc, out, err = run("check", "bad/p.pol", cwd=tmp)
    expect("unknown key", (rc, "unknown key `targett`" in err and ".ipec.json" in err), (2, True))
    write(f"{tmp}/bad/.ipec.json", '{"target": "linux-9.99"}')
    rc, out, err = run("check", "bad/p.pol", cwd=tmp)
    expect("unknown target", (rc, "unknown target" in err and ".ipec.json" in err), (2, True))
    write(f"{tmp}/bad/.ipec.json", '{"target": ')
    rc, out, err = run("fmt", "bad/p.pol", cwd=tmp)
    expect("invalid JSON", (rc, "not valid JSON" in err), (2, True))

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("project config: all cases agree")
