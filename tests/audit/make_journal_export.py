#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes a journal export stream (systemd's "Journal Export Format") holding the IPE access
records of a kernel printk log as journald stores audit records: the fields that
journald-audit.c's process_audit_string() sets (_TRANSPORT=audit, _AUDIT_TYPE, _AUDIT_ID,
_AUDIT_TYPE_NAME, _SOURCE_REALTIME_TIMESTAMP, SYSLOG_*, MESSAGE="TYPE_NAME body"), plus a few
entries of other kinds (a kernel-transport copy of a record, a syslog line, a binary field).
make-fixtures.sh feeds the stream through systemd-journal-remote and re-exports it with
`journalctl -o export`, so the checked-in fixture is what the real tools write.

    make_journal_export.py PRINTK_LOG NAME_OF_1420 NAME_OF_1421 > stream.export
"""
import re
import struct
import sys

BOOT = "5e1fa1c0de5e4a0b9c1d2e3f40516273"
MACHINE = "0a1b2c3d4e5f40718293a4b5c6d7e8f9"


def entry(fields, usec, mono):
    out = [b"__REALTIME_TIMESTAMP=%d" % usec, b"__MONOTONIC_TIMESTAMP=%d" % mono, b"_BOOT_ID=" + BOOT.encode(),
           b"_MACHINE_ID=" + MACHINE.encode(), b"_HOSTNAME=ipec-guest"]
    for k, v in fields:
        v = v if isinstance(v, bytes) else v.encode()
        if b"\n" in v or any(c < 0x20 and c != 9 for c in v):
            out.append(k.encode() + b"\n" + struct.pack("<Q", len(v)) + v)
        else:
            out.append(k.encode() + b"=" + v)
    return b"\n".join(out) + b"\n\n"


def main():
    src, type_names = sys.argv[1], {"1420": sys.argv[2], "1421": sys.argv[3]}
    rx = re.compile(r"^audit: type=(\d+) audit\((\d+)\.(\d+):(\d+)\): (.*)$")
    out = sys.stdout.buffer
    mono, kernel_copy = 5_000_000, False
    out.write(entry([("_TRANSPORT", "syslog"), ("PRIORITY", "6"), ("SYSLOG_IDENTIFIER", "ipetool"),
                     ("MESSAGE", "probes start")], 1796420662000000, mono))
    for n, line in enumerate(open(src, encoding="utf-8")):
        m = rx.match(line.rstrip("\n"))
        if not m:
            continue
        typ, sec, ms, serial, body = m.groups()
        type_name = type_names[typ]
        usec = int(sec) * 1_000_000 + int(ms) * 1000
        mono += 1000
        fields = [("_TRANSPORT", "audit"), ("_SOURCE_REALTIME_TIMESTAMP", str(usec)), ("_AUDIT_TYPE", typ),
                  ("_AUDIT_ID", serial), ("SYSLOG_FACILITY", "4"), ("SYSLOG_IDENTIFIER", "audit"),
                  ("_AUDIT_TYPE_NAME", type_name), ("MESSAGE", type_name + " " + body), ("PRIORITY", "5")]
        out.write(entry(fields, usec + 7, mono))
        if typ == "1420" and not kernel_copy:  # the same record as the kernel transport carries it when journald reads kmsg
            out.write(entry([("_TRANSPORT", "kernel"), ("PRIORITY", "5"), ("SYSLOG_FACILITY", "0"),
                             ("SYSLOG_IDENTIFIER", "kernel"), ("MESSAGE", line.rstrip("\n"))], usec + 9, mono + 1))
            kernel_copy = True
    out.write(entry([("_TRANSPORT", "stdout"), ("PRIORITY", "6"), ("SYSLOG_IDENTIFIER", "ipetool"),
                     ("MESSAGE", "two\nlines")], 1796420699000000, mono + 5))


if __name__ == "__main__":
    main()
