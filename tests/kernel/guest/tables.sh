#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Guest side of part tables (tests/kernel/parts/tables.py); run.sh runs it once part 2's probe
# objects are mounted, before part 2 activates its policies (their versions are higher). Prints
#   TPROBE OK|ERR errno ERRNAME      a valid signed table written to new_policy
#   TSKIP                            the kernel refused it: no table support, nothing else runs
#   TREAD NAME OK|ERR... same|differs same|differs
#                                    a valid table loaded; pkcs7 and policy read back against the
#                                    blob written and the table inside
# then the LOP/LSTATE lines of ipetool lifebatch (b), DLOAD/DPROBE/DAUDIT of ipetool decide (a)
# and CASE lines of ipetool loadbatch (c).
T=/suite/tables IPE=/sys/kernel/security/ipe
t() { echo "TIME $1 $(cut -d' ' -f1 /proc/uptime)"; }
echo "=== TABLES"
r=$(ipetool write $T/probe.bin $IPE/new_policy)
echo "TPROBE $r"
if [ "$r" = OK ]; then
  echo 1 > "$IPE/policies/$(cat $T/probe.name)/delete"
elif [ ! -f $T/force ]; then
  echo "TSKIP"
  exit 0
fi
while read -r id name blob raw; do
  r=$(ipetool write "$blob" $IPE/new_policy)
  pk=differs po=differs
  cmp -s "$IPE/policies/$name/pkcs7" "$blob" && pk=same
  cmp -s "$IPE/policies/$name/policy" "$raw" && po=same
  echo "TREAD $id $r $pk $po"
  [ "$r" != OK ] || echo 1 > "$IPE/policies/$name/delete"
done < $T/read/list
t tables-read
ipetool lifebatch $T/life/list
t tables-lifecycle
ipetool decide $T/dec/list /suite/dec/probes /suite/dec/marker
t tables-decisions
ipetool loadbatch $T/hostile/list
t tables-hostile
