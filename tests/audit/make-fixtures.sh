#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# How tests/audit/logs/ was made (kept for regenerating; the tests only read the results).
#   make-fixtures.sh RUN     RUN: a run folder of `scripts/kernel-test --parts decisions --keep`
# *.printk      the records the real 6.12 kernel wrote to /dev/kmsg in that run for policies D001
#               and D002 of part 2, as the guest read them: the activation (type 1421), then the
#               access records (type 1420)
# *.audit.log   the same records in auditd's line format: `type=UNKNOWN[1420] msg=audit(T:S): BODY`
#               as auditd 3.0 (Debian 12) writes an unknown type, `type=IPE_ACCESS` as auditd >= 4 does
# *.ausearch-i  `ausearch -i --input *.audit.log` (auditd 3.0.9, Debian 12), TZ=UTC
# *.journal     make_journal_export.py, stored by systemd-journal-remote (252) and re-exported by
#               `journalctl -o export` (252)
set -eu
run=$1
here=$(cd "$(dirname "$0")" && pwd)
out=$here/logs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for k in D001 D002; do
  l=$(echo $k | tr D d)
  cp "$run/dec/policies/$k.pol" "$out/$l.pol"
  grep "^DAUDIT	$k	" "$run/vm/results.txt" | cut -f3 > "$out/$l.printk"
done
sed -E 's/^audit: type=(14[0-9]+) (audit\([^)]*\)): /type=UNKNOWN[\1] msg=\2: /' "$out/d001.printk" > "$out/d001.audit.log"
sed -E -e 's/^audit: type=1420 (audit\([^)]*\)): /type=IPE_ACCESS msg=\1: /' \
  -e 's/^audit: type=1421 (audit\([^)]*\)): /type=IPE_CONFIG_CHANGE msg=\1: /' "$out/d002.printk" > "$out/d002.audit.log"
for l in d001 d002; do TZ=UTC ausearch -i --input "$out/$l.audit.log" > "$out/$l.ausearch-i"; done
python3 "$here/make_journal_export.py" "$out/d001.printk" AUDIT1420 AUDIT1421 > "$tmp/d001.stream"
/lib/systemd/systemd-journal-remote -o "$tmp/d001.journal" "$tmp/d001.stream"
journalctl --file="$tmp/d001.journal" -o export > "$out/d001.journal"
