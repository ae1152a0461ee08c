#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Guest side of the enforcer part (tests/kernel/parts/enforce.py, docs/kernel-suite.md): the
# BPF-LSM enforcer of `ipec enforce`, loaded from this initramfs, under the decision part's
# objects and policies. Prints ENF* lines for the host.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin:/suite/enf/bin  # ipec in /usr/bin
E=/suite/enf
O=/suite/dec/obj
fail() { echo "ENF_SETUP_ERR $*"; exit 1; }
t() { echo "TIME enforce-$1 $(cut -d' ' -f1 /proc/uptime)"; }
mount -t bpf bpf /sys/fs/bpf 2> /dev/null
[ -d /sys/fs/bpf ] || fail "no bpffs"
dmesg -c > /dev/null

# Load first (from the initramfs: boot_verified is exact), then set up the volumes and verity
# files, or activate them again if the decision part already did: the enforcer learns dm-verity
# facts when a volume is resumed, and fs-verity signatures when an inode's verity data loads.
ipec enforce load "$E/P000.pol" --initramfs --log-allow > /dev/null 2> "$E/load.err" ||
  { sed 's/^/ENF_LOAD_ERR /' "$E/load.err"; fail "ipec enforce load"; }
mkdir -p /run/obj && cp $O/hello /run/obj/hello && cp $O/m.ko /run/obj/m.ko && chmod 755 /run/obj/hello ||
  fail "tmpfs copies"
if ! grep -q ' /mnt/fsv ' /proc/mounts; then
  mkdir -p /mnt/fsv && mount -t ext4 /dev/vda /mnt/fsv || fail "mount vda"
  keyctl padd asymmetric '' %:.fs-verity < /suite/signer.der > /dev/null || fail "keyctl"
  for f in a b m.ko; do fsverity enable /mnt/fsv/$f || fail "fsverity enable $f"; done
  for f in as ms.ko; do fsverity enable --signature=$O/$f.sig /mnt/fsv/$f || fail "fsverity enable --signature $f"; done
else
  umount /mnt/fsv && mount -t ext4 /dev/vda /mnt/fsv || fail "remount vda"
fi
dmv() { # DEV NAME ROOTHASH HASH_OFFSET [SIG]
  if grep -q " /mnt/$2 " /proc/mounts; then umount "/mnt/$2" && veritysetup close "$2" || fail "close $2"; fi
  veritysetup open --hash-offset="$4" ${5:+--root-hash-signature=$5} "$1" "$2" "$1" "$3" || fail "veritysetup open $2"
  mkdir -p "/mnt/$2" && mount -t ext4 -o ro "/dev/mapper/$2" "/mnt/$2" || fail "mount $2"
}
dmv /dev/vdb dmva "$(cat $O/ra)" "$(cat $O/ra.off)"
dmv /dev/vdc dmvas "$(cat $O/ra)" "$(cat $O/ra.off)" $O/ra.p7s
dmv /dev/vdd dmvb "$(cat $O/rb)" "$(cat $O/rb.off)" $O/rb.p7s
echo 2 > /proc/sys/vm/drop_caches
ipec enforce status --format json | sed 's/^/ENF_STATUS /'
t setup

# IPE, permissive and logging allows, gets the same policies as signed text (side by side).
IPE=/sys/kernel/security/ipe
echo 0 > $IPE/enforce && echo 1 > $IPE/success_audit || echo "ENF_NOTE no IPE"

# 1. Decisions: every policy, every probe; the log read after each policy. The first policy runs
# enforcing (it allows the initramfs, where every tool lives); the others permissive, because many
# deny the tools themselves: the decision is then the action of the rule the log names.
first=1
while read -r key; do
  if [ $first = 1 ]; then first=0; else
    ipec enforce update "$E/$key.pol" > /dev/null 2> "$E/up.err" || { sed "s/^/ENF_UPDATE_ERR $key /" "$E/up.err"; continue; }
  fi
  if [ -d $IPE/policies/ENF ]; then ipetool write "$E/$key.p7s" $IPE/policies/ENF/update > /dev/null
  else ipetool write "$E/$key.p7s" $IPE/new_policy > /dev/null && echo 1 > $IPE/policies/ENF/active; fi ||
    echo "ENF_NOTE IPE refused $key"
  ipec enforce log > /dev/null # what setup and the update logged
  dmesg -c > /dev/null
  while read -r label act path; do
    echo "ENF_PROBE $key $label $(enforce_probe probe "$act" "$path")"
  done < "$E/probes"
  ipec enforce log | sed "s/^/ENF_LOG $key /"
  dmesg -c | grep 'type=1420' | sed "s/^/ENF_IPE $key /"
  ipec enforce mode --permissive --log-allow
done < "$E/list"
ipec enforce update "$E/U1.pol" --any-version > /dev/null # allows the initramfs: enforcing again is safe
echo 0 > $IPE/success_audit
ipec enforce mode --log-allow
t decisions

# 2. Update under load: an exec loop while the policy flips between two versions 100 times.
ipec enforce log > /dev/null
rm -f /run/enf-stop
enforce_probe loop /run/enf-stop /run/obj/hello > /run/enf-loop.out &
loop=$!
n=0
for v in $(seq 1 100); do
  ipec enforce update "$E/U$((v % 2)).pol" --any-version > /dev/null 2>&1 && n=$((n + 1))
done
touch /run/enf-stop
wait $loop
echo "ENF_UPDATES $n"
sed 's/^/ENF_/' /run/enf-loop.out
ipec enforce log | grep 'ipe_hook=BPRM_CHECK' | grep ' comm="enforce_probe"' | sed 's/.* rule="/ENF_ULOG "/' | sort | uniq -c |
  sed 's/^ */ENF_ULOGC /'
ipec enforce status --format json | sed 's/^/ENF_STATUS /'
t update

# Bad input (a truncated or corrupt table, a table for another target, a lower version, another
# name) is refused, and the running policy stays.
for f in truncated.ipet corrupt.ipet hornet.ipet lower.pol other.pol; do
  before=$(ipec enforce status --format json | sed 's/.*"table_digest":"\([0-9a-f]*\)".*/\1/')
  if ipec enforce update "$E/bad/$f" > /dev/null 2>&1; then r=accepted; else r=refused; fi
  after=$(ipec enforce status --format json | sed 's/.*"table_digest":"\([0-9a-f]*\)".*/\1/')
  [ "$before" = "$after" ] && k=kept || k=changed
  echo "ENF_BAD $f $r $k"
done

# 3. No input crashed the kernel: the anonymous mappings ran under every policy above.
ipec enforce unload && echo "ENF_UNLOADED"

# 4. Scale (KT_ENFORCE_SCALE=N on the host): an N-digest allowlist, its load time and map memory,
# and the cost of an exec of a listed fs-verity file with no enforcer, with it, and with IPE at
# the largest allowlist a signed policy holds; all in this boot.
if [ -f "$E/scale/big.ipet" ]; then
  B=2000
  echo "ENF_SCALE exec_ns_none $(enforce_probe bench $B /mnt/fsv/a | cut -d' ' -f3)"
  t0=$(cut -d' ' -f1 /proc/uptime)
  ipec enforce load "$E/scale/big.ipet" --initramfs 2> "$E/big.err" || sed 's/^/ENF_SETUP_ERR big /' "$E/big.err"
  t1=$(cut -d' ' -f1 /proc/uptime)
  echo "ENF_SCALE load_s $(echo "$t0 $t1" | awk '{print $2 - $1}')"
  ipec enforce status --format json | sed 's/.*"policy_map_bytes":\([0-9]*\).*/ENF_SCALE map_bytes \1/'
  echo "ENF_SCALE digests $(cat "$E/scale/big.count")"
  echo "ENF_SCALE exec_ns_enforcer $(enforce_probe bench $B /mnt/fsv/a | cut -d' ' -f3)"
  echo "ENF_SCALE exec_result_enforcer $(enforce_probe probe exec /mnt/fsv/a | cut -d' ' -f1)"
  ipec enforce unload
  IPE=/sys/kernel/security/ipe
  ipetool write "$E/scale/ipe.p7s" $IPE/new_policy > /dev/null && echo 1 > $IPE/policies/IPECAP/active &&
    echo 1 > $IPE/enforce || echo "ENF_SETUP_ERR IPE allowlist not loaded"
  echo "ENF_SCALE ipe_digests $(cat "$E/scale/ipe.count")"
  echo "ENF_SCALE exec_ns_ipe $(enforce_probe bench $B /mnt/fsv/a | cut -d' ' -f3)"
  echo "ENF_SCALE exec_result_ipe $(enforce_probe probe exec /mnt/fsv/a | cut -d' ' -f1)"
fi
echo "ENF_DMESG_BAD $(dmesg | grep -ciE 'BUG:|Oops|general protection|Call Trace')"
true
