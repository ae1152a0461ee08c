#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Guest side of part lockout (run.sh sources nothing; it runs this with /suite/lockout present).
# A program runs from tmpfs in the background; ipec, itself running in the guest, predicts each
# policy's effect on this machine before the policy is written; then the policy is written and
# activated and a fresh exec of the program shows what the kernel decides. Prints
#   LKSNAP <line of `ipec system snapshot --format=text`>      for the program and for ipec
#   LKPRED LABEL RC <ipec check --against-system --format=json, on one line>
#   LKTEXT LABEL <a line of the text report>
#   LKWRITE LABEL OK|ERR errno ERRNAME                          (ipetool write)
#   LKEXEC LABEL RC                                             (a fresh exec of the program)
L=/suite/lockout IPE=/sys/kernel/security/ipe P=/run/lk/spin
mkdir -p /run/lk && cp $L/spin $P && chmod 755 $P || { echo "SETUP_ERR lockout: copy to tmpfs"; exit 1; }
$P &
SPIN=$!
n=0
while [ "$(readlink /proc/$SPIN/exe)" != "$P" ] && [ $n -lt 100 ]; do n=$((n + 1)); done
ipec system snapshot --format=text | grep -E "^EXECUTE ($P|/usr/bin/ipec) " | sed 's/^/LKSNAP /'
predict() { # LABEL ARGS...
  label=$1
  shift
  out=$(ipec check --against-system --format=json "$@" 2> /dev/null)
  echo "LKPRED $label $? $(printf '%s' "$out" | tr -d '\n')"
  ipec check --against-system "$@" 2>&1 | sed "s/^/LKTEXT $label /"
}
write() { echo "LKWRITE $1 $(ipetool write "$2" "$IPE/$3")"; }
fresh_exec() {
  $P once 2> /dev/null
  echo "LKEXEC $1 $?"
}
predict ok $L/ok.pol
write ok-load $L/ok.p7s new_policy
write ok-activate $L/one policies/lockout_ok/active
echo 1 > $IPE/enforce
fresh_exec ok
predict deny $L/deny.pol
write deny-load $L/deny.p7s new_policy
write deny-activate $L/one policies/lockout_deny/active
fresh_exec deny
predict low $L/low.pol
write low-update $L/low.p7s policies/lockout_deny/update
predict collide --via new_policy $L/deny.pol
write collide-load $L/deny.p7s new_policy
echo 0 > $IPE/enforce
kill $SPIN
true
