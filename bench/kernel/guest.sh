#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# /suite/run.sh of scripts/kernel-bench: runs in the guest, prints one line per fact for
# bench/kernel/report.py. /suite/bench holds kbench, params (ITER, REPS, DIGEST), manifest and
# the signed policies; /dev/vda is an ext4 image (verity feature on) holding the bench file f.
B=/suite/bench
IPE=/sys/kernel/security/ipe
F=/mnt/v/f
K=$B/kbench
# shellcheck disable=SC1091  # written by scripts/kernel-bench
. $B/params
echo "UNAME $(uname -r)"
mkdir -p /mnt/v
mount -t ext4 /dev/vda /mnt/v || { echo "FATAL mount /dev/vda"; exit 1; }
V=$($K verity $F)
echo "$V"
[ "$V" = "VERITY sha256:$DIGEST" ] || { echo "FATAL the bench file's fs-verity digest is not sha256:$DIGEST"; exit 1; }

# a few rounds to settle caches first, then the baseline: no policy has been loaded yet
$K mmap "$ITER" $F > /dev/null
r=1
while [ $r -le "$REPS" ]; do echo "RUN base $r $($K mmap "$ITER" $F)"; r=$((r + 1)); done

# load every policy; the memory and time of each write are printed, for the largest table 2 s
# later too (report.py shows that one)
big=$(awk '$2 == "table" { n = $1 } END { print n }' $B/manifest)
while read -r name _ _ _ _ _ file _; do
  settle=""
  [ "$name" = "$big" ] && settle=2
  $K load "$B/$file" $IPE/new_policy $settle | sed "s/^/P $name /"
  [ -d "$IPE/policies/$name" ] && echo "LOADED $name"
done < $B/manifest

activate() { [ -d "$IPE/policies/$1" ] && echo 1 > "$IPE/policies/$1/active"; }
# the file's own rule set to DENY: the mapping fails only if IPE read the file's digest
while read -r name kind _; do
  [ "$kind" = check ] && activate "$name" && echo "CHECK $name $($K mmap 1 $F)"
done < $B/manifest

# the repetitions interleave the policies, so that a slow spell of the host hits all of them
r=1
while [ $r -le "$REPS" ]; do
  while read -r name kind rest; do
    [ "$kind" = check ] && continue
    if activate "$name"; then echo "RUN $name $r $($K mmap "$ITER" $F)"; fi
  done < $B/manifest
  r=$((r + 1))
done
# what deleting the largest table gives back (it is active: activate a text policy first); then
# two more loads of it, each deleted again, for the median load time, and meminfo at the end:
# against the first load's "before", what three loads and deletions left behind
text=$(awk '$2 == "text" { print $1; exit }' $B/manifest)
bigfile=$(awk -v n="$big" '$1 == n { print $7 }' $B/manifest)
if [ -n "$big" ] && [ -d "$IPE/policies/$big" ] && activate "$text"; then
  echo 1 > /tmp/one
  $K load /tmp/one "$IPE/policies/$big/delete" 2 | sed "s/^/D $big /"
  for _ in 2 3; do
    $K load "$B/$bigfile" $IPE/new_policy | grep '^LOAD' | sed "s/^/R $big /"
    echo 1 > "$IPE/policies/$big/delete"
  done
  sleep 2
  echo "R $big MEM end $(awk '/^(MemFree|MemAvailable|VmallocUsed):/ { sub(":", "", $1); printf "%s=%s ", $1, $2 }' /proc/meminfo)"
fi
echo "DMESG_BAD $(dmesg | grep -cE 'BUG:|WARNING:|Oops|UBSAN:|general protection')"
dmesg | grep -E 'BUG:|WARNING:|Oops|UBSAN:|general protection' | head -n 20 | sed 's/^/DMESG /'
true
