#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Guest side of part lockout (run.sh runs it when /suite/lockout is in the payload). A program
# runs from tmpfs in the background, and, when part 2 mounted its fs-verity and dm-verity
# volumes, programs from them are held stopped right after their exec. ipec, itself running in
# the guest, predicts each policy's effect on this machine before the policy is written; then the
# policy is written and activated, and a fresh exec of each program shows what the kernel
# decides. Prints
#   LKSNAPJ <ipec system snapshot, on one line>
#   LKPRED LABEL RC <ipec check --against-system --format=json, on one line>
#   LKTEXT LABEL <a line of the text report>
#   LKWRITE LABEL OK|ERR errno ERRNAME                          (ipetool write)
#   LKEXEC LABEL[:PATH] RC                                      (a fresh exec)
# shellcheck disable=SC2086  # $PIDS and $HELD are lists, split on purpose
L=/suite/lockout IPE=/sys/kernel/security/ipe P=/run/lk/spin
if ! { mkdir -p /run/lk && cp $L/spin $P && chmod 755 $P; }; then
  echo "SETUP_ERR lockout: copy to tmpfs"
  exit 1
fi
$P &
PIDS=$!
HELD=""
for f in /mnt/fsv/a /mnt/fsv/plain /mnt/dmva/hello /mnt/dmvas/hello; do
  [ -x $f ] || continue
  $L/spin hold /run/lk/held $f > /dev/null &
  PIDS="$PIDS $!"
  HELD="$HELD $f"
done
n=0
while [ $n -lt 200 ]; do
  missing=""
  for f in $HELD; do grep -q "^$f\$" /run/lk/held 2> /dev/null || missing=1; done
  [ "$(readlink "/proc/${PIDS%% *}/exe")" = $P ] && [ -z "$missing" ] && break
  n=$((n + 1))
done
echo "LKSNAPJ $(ipec system snapshot | tr -d '\n')"
predict() { # [--text] LABEL ARGS...
  text=""
  [ "$1" = --text ] && text=1 && shift
  label=$1
  shift
  out=$(ipec check --against-system --format=json "$@" 2> /dev/null)
  echo "LKPRED $label $? $(printf '%s' "$out" | tr -d '\n')"
  [ -z "$text" ] || ipec check --against-system "$@" 2>&1 | sed "s/^/LKTEXT $label /"
}
write() { echo "LKWRITE $1 $(ipetool write "$2" "$IPE/$3")"; }
fresh_exec() { # LABEL PATH
  $2 once > /dev/null 2>&1
  echo "LKEXEC $1 $?"
}
predict ok $L/ok.pol
write ok-load $L/ok.p7s new_policy
write ok-activate $L/one policies/lockout_ok/active
echo 1 > $IPE/enforce
fresh_exec ok $P
predict --text deny $L/deny.pol
write deny-load $L/deny.p7s new_policy
write deny-activate $L/one policies/lockout_deny/active
fresh_exec deny $P
predict low $L/low.pol
write low-update $L/low.p7s policies/lockout_deny/update
predict collide --via new_policy $L/deny.pol
write collide-load $L/deny.p7s new_policy
if [ -f $L/verity.pol ] && [ -n "$HELD" ]; then
  predict --text verity $L/verity.pol
  write verity-load $L/verity.p7s new_policy
  write verity-activate $L/one policies/lockout_verity/active
  for f in $P $HELD; do fresh_exec "verity:$f" "$f"; done
fi
echo 0 > $IPE/enforce
kill $PIDS
true
