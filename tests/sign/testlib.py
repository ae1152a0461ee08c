# SPDX-License-Identifier: Apache-2.0
"""What tests/sign/*_test.py share: the test data, and expectations that print ok/FAIL lines."""
import os

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
failures = []


def expect(cond, what, r=None):
    print(("ok    " if cond else "FAIL  ") + what)
    if not cond:
        failures.append(what)
        if r is not None:
            print("      exit %d\n      stdout %r\n      stderr %r" % (r.returncode, r.stdout[-600:], r.stderr[-600:]))


def summary():
    print("%d failures" % len(failures))
    return 1 if failures else 0
