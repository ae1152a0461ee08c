#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Runs the CI recipes of docs/ci.md on a scratch policy repository (ctest ci.recipes).

- GitHub Actions: the `run:` script of the step that calls `ipec check`, as the runner runs it
  (bash -eo pipefail, GITHUB_OUTPUT), on a repository with only good policies and with a
  rejected one: the recorded status, the SARIF file and its locations.
- GitLab CI: the job's `script:` lines as one shell script (CI_PROJECT_DIR): the exit status and
  the code quality report.
- pre-commit: both hooks of .pre-commit-hooks.yaml through `pre-commit try-repo` (when Debian's
  pre-commit is installed and the source is a git checkout; otherwise that part says it is skipped).

    recipes.py IPEC SOURCE_DIR
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

GOOD = "policy_name=good policy_version=1.0.0\nDEFAULT action=DENY\nop=EXECUTE boot_verified=TRUE action=ALLOW\n"
# a rule after which nothing is reachable: a warning, not a rejection
WARNS = ("policy_name=warns policy_version=1.0.0\nDEFAULT action=DENY\nop=EXECUTE action=ALLOW\n"
         "op=EXECUTE boot_verified=TRUE action=ALLOW\n")
BAD = "policy_name=bad policy_version=1.0.0\nDEFAULT action=DENY\nop=EXECUTE boot_verifed=TRUE action=ALLOW\n"
UNFORMATTED = "policy_name=fmt   policy_version=1.0.0\nDEFAULT    action=DENY\n"

failures = []


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what)
    if not cond:
        failures.append(what)


def recipes(doc):
    """{name: parsed YAML} of the blocks marked `<!-- ci: NAME -->` in docs/ci.md"""
    out = {}
    for m in re.finditer(r"<!-- ci: ([a-z-]+) -->\n```yaml\n(.*?)\n```", doc, re.S):
        out[m.group(1)] = yaml.safe_load(m.group(2))
    return out


def scratch_repo(root, policies):
    if os.path.exists(root):
        shutil.rmtree(root)
    os.makedirs(os.path.join(root, "policies"))
    for name, text in policies.items():
        with open(os.path.join(root, "policies", name), "w") as f:
            f.write(text)


def run(script, cwd, env, shell):
    r = subprocess.run(shell + [script], cwd=cwd, env=env, capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def sarif_results(path):
    with open(path) as f:
        log = json.load(f)
    assert log["version"] == "2.1.0"
    return [r for run_ in log["runs"] for r in run_["results"]]


def github(workflow, work, env):
    steps = workflow["jobs"]["ipec"]["steps"]
    script = next(s["run"] for s in steps if "ipec check" in s.get("run", ""))
    check(workflow["permissions"].get("security-events") == "write", "github: the workflow may write code scanning alerts")
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    check(upload.get("if") == "always()" and upload["with"]["sarif_file"] == "ipec.sarif",
          "github: the SARIF is uploaded even when the check fails")
    for label, pols, want in (("good", {"good.pol": GOOD, "warns.pol": WARNS}, "0"),
                              ("rejected", {"good.pol": GOOD, "bad.pol": BAD}, "1")):
        repo = os.path.join(work, "gh-" + label)
        scratch_repo(repo, pols)
        out = os.path.join(work, "gh-output-" + label)
        open(out, "w").close()
        rc, log = run(script, repo, dict(env, GITHUB_OUTPUT=out), ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"])
        check(rc == 0, f"github/{label}: the check step itself succeeds (rc {rc})")
        with open(out) as f:
            check(f.read().strip() == "status=" + want, f"github/{label}: it records status={want}")
        results = sarif_results(os.path.join(repo, "ipec.sarif"))
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
        check(bool(results), f"github/{label}: the SARIF has results ({len(results)})")
        check(all(u.startswith("file://" + repo + "/policies/") for u in uris),
              f"github/{label}: every location is an absolute file URI under the checkout")
        if label == "rejected":
            check(any(r["level"] == "error" and r["ruleId"] == "unknown-property" for r in results),
                  "github/rejected: the misspelt property is an error in the SARIF")
            check("boot_verifed" in log, "github/rejected: the job log shows the diagnostic")


def gitlab(job, work, env):
    script = "\n".join(job["script"])
    check(job["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json",
          "gitlab: the job declares the code quality report")
    for label, pols, want in (("good", {"good.pol": GOOD, "warns.pol": WARNS}, 0),
                              ("rejected", {"good.pol": GOOD, "bad.pol": BAD}, 1)):
        repo = os.path.join(work, "gl-" + label)
        scratch_repo(repo, pols)
        rc, log = run(script, repo, dict(env, CI_PROJECT_DIR=repo), ["bash", "-eo", "pipefail", "-c"])
        check(rc == want, f"gitlab/{label}: the job exits {want} (got {rc})")
        with open(os.path.join(repo, "gl-code-quality-report.json")) as f:
            report = json.load(f)
        check(isinstance(report, list) and report, f"gitlab/{label}: the code quality report has entries ({len(report)})")
        keys = {"description", "check_name", "fingerprint", "severity", "location"}
        check(all(keys <= set(e) and e["severity"] in ("info", "minor", "major") for e in report),
              f"gitlab/{label}: every entry has the fields GitLab reads")
        check(all(e["location"]["path"].startswith("policies/") and isinstance(e["location"]["lines"]["begin"], int)
                  for e in report), f"gitlab/{label}: paths are relative to the project")
        check(len({e["fingerprint"] for e in report}) == len(report), f"gitlab/{label}: fingerprints are unique")
        if label == "rejected":
            check(any(e["severity"] == "major" and e["location"]["path"] == "policies/bad.pol" for e in report),
                  "gitlab/rejected: the rejected policy is a major finding")


def pre_commit(hooks, source, work, env):
    ids = {h["id"]: h for h in hooks}
    check(set(ids) == {"ipec-check", "ipec-fmt"}, "pre-commit: .pre-commit-hooks.yaml defines ipec-check and ipec-fmt")
    if not shutil.which("pre-commit", path=env["PATH"]):
        print("skip  pre-commit: Debian's pre-commit is not installed (scripts/setup installs it)")
        return
    if subprocess.run(["git", "-C", source, "rev-parse", "--git-dir"], capture_output=True).returncode != 0:
        print("skip  pre-commit: the source is not a git checkout (try-repo needs one)")
        return
    repo = os.path.join(work, "pc")
    scratch_repo(repo, {"good.pol": GOOD, "bad.pol": BAD, "fmt.pol": UNFORMATTED})
    env = dict(env, PRE_COMMIT_HOME=os.path.join(work, "pc-home"), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "add", "."], cwd=repo, check=True, env=env)

    def hook(hid, *files):
        r = subprocess.run(["pre-commit", "try-repo", source, hid, "--files", *files], cwd=repo, env=env,
                           capture_output=True, text=True)
        return r.returncode, r.stdout + r.stderr

    rc, log = hook("ipec-check", "policies/good.pol")
    check(rc == 0, f"pre-commit: ipec-check passes a good policy (rc {rc})")
    rc, log = hook("ipec-check", "policies/bad.pol")
    check(rc != 0 and "boot_verifed" in log, f"pre-commit: ipec-check stops a rejected policy (rc {rc})")
    rc, log = hook("ipec-fmt", "policies/fmt.pol")
    with open(os.path.join(repo, "policies", "fmt.pol")) as f:
        text = f.read()
    check(rc != 0 and "files were modified" in log, f"pre-commit: ipec-fmt stops the commit when it rewrote a file (rc {rc})")
    check(text == "policy_name=fmt policy_version=1.0.0\nDEFAULT action=DENY\n", "pre-commit: ipec-fmt wrote the canonical layout")
    rc, log = hook("ipec-fmt", "policies/fmt.pol")
    check(rc == 0, f"pre-commit: ipec-fmt passes once formatted (rc {rc})")


def main():
    ipec, source = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    with open(os.path.join(source, "docs", "ci.md")) as f:
        found = recipes(f.read())
    check(set(found) == {"github", "gitlab", "pre-commit"}, f"docs/ci.md has the three recipes ({sorted(found)})")
    with open(os.path.join(source, ".pre-commit-hooks.yaml")) as f:
        hooks = yaml.safe_load(f)
    bindir = tempfile.mkdtemp(prefix="ipec-ci-bin-")
    work = tempfile.mkdtemp(prefix="ipec-ci-")
    try:
        os.symlink(ipec, os.path.join(bindir, "ipec"))
        env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""), NO_COLOR="1", LC_ALL="C.UTF-8")
        env.pop("IPEC_DOCS_URI", None)
        github(found["github"], work, env)
        gitlab(found["gitlab"]["ipec"], work, env)
        pre_commit(hooks, source, work, env)
    finally:
        shutil.rmtree(bindir, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(failures)} failed" if failures else "all CI recipes hold")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
