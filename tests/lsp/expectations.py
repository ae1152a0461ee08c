# SPDX-License-Identifier: Apache-2.0
"""Collects the mismatches of a conversation test, so that one run shows all of them."""
import sys


class Expectations:
    def __init__(self):
        self.failures = []

    def expect(self, name, got, want):
        if got != want:
            self.failures.append(f"{name}:\n  got:  {got!r}\n  want: {want!r}")

    def fail(self, text):
        self.failures.append(text)

    def finish(self, what):
        """Prints the mismatches and exits 1, or says that all went as expected."""
        if self.failures:
            print("\n".join(self.failures))
            sys.exit(1)
        print(f"{what}: all cases as expected")
