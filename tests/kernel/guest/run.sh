#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Guest side of ipec's kernel suite (PID 1 = /init runs this with its output on the results port).
# Runs the parts whose inputs are in the payload: /suite/load (part 1), /suite/life (part 3),
# /suite/dec (part 2), /suite/lockout (ipec --against-system in the guest). Parts that activate policies come last: an active policy can only be
# replaced by one with a version that is not lower.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin DM_DISABLE_UDEV=1
IPE=/sys/kernel/security/ipe
echo "KERNEL $(uname -r)"
echo "PLATFORM_KEYS $(keyctl rlist %:.platform 2>/dev/null | wc -w)"
echo "IPE enforce=$(cat $IPE/enforce) success_audit=$(cat $IPE/success_audit) policies=$(ls $IPE/policies | wc -l)"
dmesg -c > /dev/null
t() { echo "TIME $1 $(cut -d' ' -f1 /proc/uptime)"; }
t start
if [ -f /suite/load/list ]; then
  echo "=== LOAD"
  ipetool loadbatch /suite/load/list
  t load
fi
if [ -f /suite/sign/list ]; then
  echo "=== SIGN"
  dmesg -c > /dev/null
  ipetool loadbatch /suite/sign/list
  dmesg -c | grep -iE 'pkcs7|x\.?509|asymmetric|rsa|ecdsa|keyring' | sed 's/^/SIGNLOG /'
  t sign
fi
if [ -f /suite/life/list ]; then
  echo "=== LIFECYCLE"
  ipetool lifebatch /suite/life/list
  t lifecycle
fi
if [ -f /suite/dec/list ]; then
  echo "=== DECISIONS"
  fail() { echo "SETUP_ERR $*"; exit 1; }
  O=/suite/dec/obj
  mkdir -p /run/obj && cp $O/hello /run/obj/hello && cp $O/m.ko /run/obj/m.ko && chmod 755 /run/obj/hello || fail "tmpfs copies"
  mkdir -p /mnt/fsv && mount -t ext4 /dev/vda /mnt/fsv || fail "mount fs-verity ext4 (vda)"
  keyctl padd asymmetric '' %:.fs-verity < /suite/signer.der > /dev/null || fail "keyctl padd .fs-verity"
  for f in a b m.ko; do fsverity enable /mnt/fsv/$f || fail "fsverity enable $f"; done
  for f in as ms.ko; do fsverity enable --signature=$O/$f.sig /mnt/fsv/$f || fail "fsverity enable --signature $f"; done
  # dm-verity: vdb = image A (plain root hash), vdc = image A (signed root hash), vdd = image B (signed)
  dmv() { # DEV NAME ROOTHASH HASH_OFFSET [SIG]
    veritysetup open --hash-offset="$4" ${5:+--root-hash-signature=$5} "$1" "$2" "$1" "$3" || fail "veritysetup open $2"
    mkdir -p "/mnt/$2" && mount -t ext4 -o ro "/dev/mapper/$2" "/mnt/$2" || fail "mount $2"
  }
  dmv /dev/vdb dmva "$(cat $O/ra)" "$(cat $O/ra.off)"
  dmv /dev/vdc dmvas "$(cat $O/ra)" "$(cat $O/ra.off)" $O/ra.p7s
  dmv /dev/vdd dmvb "$(cat $O/rb)" "$(cat $O/rb.off)" $O/rb.p7s
  for f in a as b m.ko ms.ko plain mplain.ko; do echo "MEASURE $f $(fsverity measure /mnt/fsv/$f 2>&1 | tr '\n' ' ')"; done
  echo "SETUP_OK"
  t decisions-setup
  [ ! -x /suite/tables/tables.sh ] || /suite/tables/tables.sh
  ipetool decide /suite/dec/list /suite/dec/probes /suite/dec/marker
  t decisions
fi
if [ -f /suite/lockout/lockout.sh ]; then
  echo "=== LOCKOUT"
  sh /suite/lockout/lockout.sh
  t lockout
fi
if [ -x /suite/enforce.sh ]; then
  echo "=== ENFORCE"
  /suite/enforce.sh
  t enforce
fi
echo "=== KMSG"
ipetool kmsg
true
