# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2034  # KVER, KDIR, BASE are read by common.sh's boot()
# Boots the kernel scripts/kernel-build made, the way scripts/kernel-test boots Debian's: sourced
# by scripts/kernel-smoke and scripts/kernel-bench (with ROOT set) after tests/kernel/lib/common.sh
# (keys, OVMF variables, pack_cpio, boot, mk_ext4).
KT=$ROOT/tests/kernel
# shellcheck source=SCRIPTDIR/../../tests/kernel/lib/common.sh
. "$KT/lib/common.sh"

# test_kernel_setup NAME OUTDIR: keys and OVMF variables of the kernel-test cache; WORK, a new run
# folder <cache>/runs/NAME.XXXXXX; KDIR/vmlinuz, OUTDIR's bzImage; BASE, an initramfs of busybox
# and the suite's init (everything else is built into this kernel: no modules to load).
test_kernel_setup() {
  local name=$1 out=$2 r
  [ -f "$out/bzImage" ] || { echo "$name: no bzImage in $out" >&2; exit 2; }
  init_cache
  ensure_keys
  ensure_vars
  KVER="ipec-test ($(cut -d, -f1 "$out/inputs" 2> /dev/null))"
  mkdir -p "$CACHE/runs"
  WORK=$(mktemp -d "$CACHE/runs/$name.XXXXXX")
  KDIR=$WORK/kernel
  mkdir -p "$KDIR"
  cp "$out/bzImage" "$KDIR/vmlinuz"
  r=$WORK/base-root
  mkdir -p "$r"/{bin,proc,sys,dev,tmp,mnt,run}
  cp /bin/busybox "$r/bin/busybox"
  cp "$KT/guest/init" "$r/init"
  chmod 755 "$r/init"
  BASE=$WORK/base.cpio.gz
  pack_cpio "$r" "$BASE"
  rm -rf "$r"
}
