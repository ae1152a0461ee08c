# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2034
# ipec kernel-test: shared host functions (sourced by ../kernel-test).
# Adapted from the team's kernel-oracle tool. Nothing is written next to these files: whatever
# is downloaded or built goes under $CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/ipec-kernel-test).

DEFAULT_KVER=${IPEC_KERNEL_PIN:-6.12.115+deb12-amd64}   # the pin (IPEC_KERNEL_PIN only to test the fallback)
OVMF_CODE=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
OVMF_VARS_BLANK=${OVMF_VARS_BLANK:-/usr/share/OVMF/OVMF_VARS_4M.fd}
# modules insmod'ed at boot (dependencies first); EXTRA_MODULES are only copied (KMODULE probes)
BASE_MODULES="crc16 mbcache jbd2 crc32c_generic ext4 loop virtio_blk dm-mod dm-bufio reed_solomon dm-verity efivarfs"
EXTRA_MODULES="crc7 crc8 crc-itu-t"
# host programs copied into the initramfs with their shared libraries
GUEST_TOOLS="fsverity veritysetup keyctl"
KERNEL_PKGS="qemu-system-x86 ovmf busybox-static cpio openssl keyutils fsverity cryptsetup-bin e2fsprogs xz-utils gcc libc6-dev python3"
SIGN_MODES="signer signer-keep untrusted none smime-text signer-nocerts cms cms-skid sha512"
# Fixed certificate serials and a subject of the same length as kernel-oracle's: the signer
# certificate is always 847 DER bytes, so the signed-size boundaries of the corpus stay put.
SIGNER_CN="IPEC kernel-suite signer"
UNTRUSTED_CN="IPEC kernel-suite UNTRUSTED"
SIGNER_SERIAL=0x495045432d6b65726e656c2d74657374732d3031      # "IPEC-kernel-tests-01"
UNTRUSTED_SERIAL=0x495045432d6b65726e656c2d74657374732d3032   # "IPEC-kernel-tests-02"

EX_OK=0 EX_FAIL=1 EX_USAGE=2 EX_INFRA=3

on_err()    { infra "command failed: $BASH_COMMAND"; }
note()      { [ -n "${QUIET:-}" ] || printf 'kernel-test: %s\n' "$*" >&2; }
infra()     { printf 'kernel-test: INFRASTRUCTURE FAILURE: %s\n' "$*" >&2; exit $EX_INFRA; }
usage_err() { printf 'kernel-test: %s (see: scripts/kernel-test --help)\n' "$*" >&2; exit $EX_USAGE; }
now_ms()    { echo $(($(date +%s%N) / 1000000)); }

# step DESCRIPTION COMMAND...: run quietly (output to $LOG); on failure show the log tail and stop.
step() {
  local desc=$1 rc
  shift
  set +e
  trap - ERR
  (set -e; "$@") >> "$LOG" 2>&1
  rc=$?
  trap on_err ERR
  set -e
  if [ $rc -ne 0 ]; then
    tail -n 15 "$LOG" | sed 's/^/  | /' >&2
    infra "$desc failed (full log: $LOG)"
  fi
}

init_cache() {
  CACHE=${CACHE:-${IPEC_KERNEL_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/ipec-kernel-test}}
  case $CACHE in /*) ;; *) CACHE=$PWD/$CACHE ;; esac
  mkdir -p "$CACHE" 2> /dev/null || infra "cannot create the cache folder $CACHE"
  [ -w "$CACHE" ] || infra "the cache folder $CACHE is not writable"
  [ -f "$CACHE/.ipec-kernel-test" ] || echo "ipec kernel-test cache" > "$CACHE/.ipec-kernel-test"
  LOG=$CACHE/build.log
}

need_cmds() {
  local c missing=""
  for c in "$@"; do command -v "$c" > /dev/null 2>&1 || missing="$missing $c"; done
  [ -z "$missing" ] || infra "missing on this machine:$missing (run: scripts/setup --kernel, as root)"
}

# ---------------------------------------------------------------- kernel
apt_refresh() {
  [ -z "${_APT_REFRESHED:-}" ] || return 0
  _APT_REFRESHED=1
  if [ "$(id -u)" -ne 0 ]; then note "not root: cannot run apt-get update"; return 0; fi
  note "apt-get update"
  apt-get update -q >> "$LOG" 2>&1 || note "apt-get update failed (see $LOG)"
}
pkg_known()   { apt-cache show "linux-image-$1-unsigned" > /dev/null 2>&1; }
newest_kver() {
  apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb[0-9]+-amd64-unsigned$' 2> /dev/null |
    awk '{print $1}' | sed -e 's/^linux-image-//' -e 's/-unsigned$//' | sort -V | tail -n 1
}

# Decide KVER: KIMG_DEB's package > --kver/KVER > the pinned default (cached or in apt) > the
# newest linux-image-6.12*-amd64-unsigned that apt knows (with a NOTE on stderr and in the report).
resolve_kver() {
  KVER_NOTE=""
  if [ -n "${KIMG_DEB:-}" ]; then
    [ -f "$KIMG_DEB" ] || usage_err "KIMG_DEB=$KIMG_DEB does not exist"
    KVER=$(dpkg-deb -f "$KIMG_DEB" Package | sed -e 's/^linux-image-//' -e 's/-unsigned$//')
    KVER_NOTE="kernel $KVER from KIMG_DEB=$KIMG_DEB"
    return 0
  fi
  if [ -n "${KVER:-}" ]; then
    [ "$KVER" = "$DEFAULT_KVER" ] || KVER_NOTE="kernel $KVER chosen with --kver/KVER (pinned: $DEFAULT_KVER)"
    return 0
  fi
  if [ -f "$CACHE/kernel/$DEFAULT_KVER/.complete" ]; then KVER=$DEFAULT_KVER; return 0; fi
  local k
  k=$(cat "$CACHE/kernel/auto-kver" 2> /dev/null || true)
  if [ -n "$k" ] && [ -f "$CACHE/kernel/$k/.complete" ]; then
    KVER=$k
    KVER_NOTE="NOTE: using kernel $KVER: the pinned linux-image-$DEFAULT_KVER-unsigned was not in apt when this cache was filled"
    note "$KVER_NOTE"
    return 0
  fi
  pkg_known "$DEFAULT_KVER" || apt_refresh
  if pkg_known "$DEFAULT_KVER"; then KVER=$DEFAULT_KVER; return 0; fi
  KVER=$(newest_kver)
  [ -n "$KVER" ] || infra "apt knows no linux-image-6.12*-amd64-unsigned package (Debian 12 needs bookworm-security in its apt sources)"
  KVER_NOTE="NOTE: the pinned linux-image-$DEFAULT_KVER-unsigned is no longer in apt; using the newest 6.12 kernel there: $KVER"
  note "$KVER_NOTE"
  mkdir -p "$CACHE/kernel"
  echo "$KVER" > "$CACHE/kernel/auto-kver"
}

find_deb() {
  local d
  for d in "$CACHE/debs/linux-image-$KVER-unsigned_"*.deb; do [ -f "$d" ] && { echo "$d"; return 0; }; done
  return 0
}
download_deb() { (cd "$CACHE/debs" && apt-get download -q -o APT::Sandbox::User=root "linux-image-$KVER-unsigned") >> "$LOG" 2>&1; }

# $CACHE/kernel/$KVER/{vmlinuz,config,modules/*.ko} from the Debian package (apt-get download)
ensure_kernel() {
  KDIR=$CACHE/kernel/$KVER
  [ -f "$KDIR/.complete" ] && return 0
  local deb=${KIMG_DEB:-}
  if [ -z "$deb" ]; then
    mkdir -p "$CACHE/debs"
    deb=$(find_deb)
    if [ -z "$deb" ]; then
      note "downloading linux-image-$KVER-unsigned (about 110 MB) with apt-get download"
      download_deb || { apt_refresh; download_deb; } || infra "apt-get download linux-image-$KVER-unsigned failed (log: $LOG)"
      deb=$(find_deb)
      [ -n "$deb" ] || infra "apt-get download did not leave linux-image-$KVER-unsigned_*.deb in $CACHE/debs"
    fi
  fi
  note "unpacking $(basename "$deb")"
  mkdir -p "$CACHE/kernel"
  local x kmod m f
  x=$(mktemp -d "$CACHE/kernel/.unpack.XXXXXX")
  step "dpkg-deb -x $deb" dpkg-deb -x "$deb" "$x"
  kmod=$x/lib/modules/$KVER
  [ -d "$kmod" ] || kmod=$x/usr/lib/modules/$KVER
  [ -f "$x/boot/vmlinuz-$KVER" ] && [ -d "$kmod" ] || infra "$deb has no boot/vmlinuz-$KVER with modules"
  rm -rf "$KDIR"
  mkdir -p "$KDIR/modules"
  cp "$x/boot/vmlinuz-$KVER" "$KDIR/vmlinuz"
  cp "$x/boot/config-$KVER" "$KDIR/config"
  for m in $BASE_MODULES $EXTRA_MODULES; do
    f=$(find "$kmod/kernel" \( -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" \) -print -quit)
    [ -n "$f" ] || infra "module $m is missing from kernel $KVER"
    case $f in
      *.xz) xz -dc "$f" ;;
      *.zst) zstd -dcq "$f" ;;
      *) cat "$f" ;;
    esac > "$KDIR/modules/$m.ko"
  done
  rm -rf "$x"
  grep -q '^CONFIG_SECURITY_IPE=y' "$KDIR/config" || infra "kernel $KVER is built without IPE (CONFIG_SECURITY_IPE)"
  touch "$KDIR/.complete"
}

# ---------------------------------------------------------------- keys and firmware variables
gen_key() { # NAME CN SERIAL
  openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 36500 -subj "/CN=$2" -set_serial "$3" \
    -addext "keyUsage=critical,digitalSignature" -addext "extendedKeyUsage=codeSigning" \
    -addext "basicConstraints=critical,CA:FALSE" -keyout "$KEYS/$1.key.tmp" -out "$KEYS/$1.pem.tmp" &&
    openssl x509 -in "$KEYS/$1.pem.tmp" -outform der -out "$KEYS/$1.der" &&
    mv "$KEYS/$1.key.tmp" "$KEYS/$1.key" && mv "$KEYS/$1.pem.tmp" "$KEYS/$1.pem"
}
ensure_keys() {
  KEYS=$CACHE/keys
  mkdir -p "$KEYS"
  chmod 700 "$KEYS"
  [ -f "$KEYS/signer.pem" ] || step "generating the signer key" gen_key signer "$SIGNER_CN" "$SIGNER_SERIAL"
  [ -f "$KEYS/untrusted.pem" ] || step "generating the untrusted key" gen_key untrusted "$UNTRUSTED_CN" "$UNTRUSTED_SERIAL"
  UNTRUSTED_KEY=$KEYS/untrusted.key UNTRUSTED_PEM=$KEYS/untrusted.pem
  SIGNER_KEY=$KEYS/signer.key SIGNER_PEM=$KEYS/signer.pem SIGNER_DER=$KEYS/signer.der
  CERT_SIZE=$(stat -c %s "$SIGNER_DER")
  export SIGNER_KEY SIGNER_PEM SIGNER_DER UNTRUSTED_KEY UNTRUSTED_PEM CERT_SIZE
}
# a copy of the blank OVMF_VARS_4M.fd with the signer certificate in db (PK stays empty, so
# Secure Boot stays off); Linux loads db certificates into its .platform keyring
ensure_vars() {
  VARS_FD=$CACHE/vars/OVMF_VARS-db-$(sha256sum < "$SIGNER_DER" | cut -c1-16).fd
  [ -f "$VARS_FD" ] && return 0
  [ -f "$OVMF_VARS_BLANK" ] || infra "$OVMF_VARS_BLANK is missing (run: scripts/setup --kernel)"
  mkdir -p "$CACHE/vars"
  step "enrolling the signer certificate in the OVMF db variable" \
    python3 "$KT/lib/mkvars.py" "$OVMF_VARS_BLANK" "$VARS_FD.tmp" "$SIGNER_DER"
  mv "$VARS_FD.tmp" "$VARS_FD"
}

# ---------------------------------------------------------------- base initramfs
copy_bin() { # ROOT PROGRAM: the program and its shared libraries (same paths as on the host)
  local b l libs
  b=$(command -v "$2") || return 0
  mkdir -p "$1$(dirname "$b")" && cp -L "$b" "$1$b"
  libs=$(ldd "$b" 2> /dev/null | grep -o '/[^ ]*' || true)
  for l in $libs; do mkdir -p "$1$(dirname "$l")" && cp -L "$l" "$1$l"; done
}
build_base() { # ROOT OUT
  local R=$1 m t
  mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,lib/modules/extra,proc,sys,dev,tmp,mnt,run,etc,suite}
  cp /bin/busybox "$R/bin/busybox"
  cp "$KT/guest/init" "$R/init" && chmod 755 "$R/init"
  gcc -static -O2 -Wall -Wextra -o "$R/bin/ipetool" "$KT/guest/ipetool.c"
  : > "$R/lib/modules/load.list"
  for m in $BASE_MODULES; do cp "$KDIR/modules/$m.ko" "$R/lib/modules/"; echo "$m" >> "$R/lib/modules/load.list"; done
  for m in $EXTRA_MODULES; do cp "$KDIR/modules/$m.ko" "$R/lib/modules/extra/"; done
  for t in $GUEST_TOOLS; do copy_bin "$R" "$t"; done
  chmod -R u+w "$R"
  pack_cpio "$R" "$2"
}
ensure_base() {
  local tools="" t stamp
  for t in $GUEST_TOOLS; do t=$(command -v "$t" || true); [ -z "$t" ] || tools="$tools $t"; done
  case $(ldd /bin/busybox 2>&1 || true) in
    *"not a dynamic executable"*) ;;
    *) infra "/bin/busybox is not the static build (install busybox-static)" ;;
  esac
  stamp=$({ cat "$KT/guest/init" "$KT/guest/ipetool.c" "$KT/lib/common.sh"
            echo "$KVER $tools $BASE_MODULES"; sha256sum /bin/busybox $tools; } | sha256sum | cut -c1-16)
  # one base per kernel (a Debian and a --kernel run may share the cache)
  BASE=$CACHE/base/base-$KVER-$stamp.cpio.gz
  [ -f "$BASE" ] && return 0
  note "building the base initramfs"
  mkdir -p "$CACHE/base"
  local R
  R=$(mktemp -d "$CACHE/base/.root.XXXXXX")
  step "building the base initramfs" build_base "$R" "$BASE.tmp"
  rm -rf "$R"
  find "$CACHE/base" -maxdepth 1 -name "base-$KVER-*.cpio.gz" ! -name "base-$KVER-$stamp.cpio.gz" -delete
  mv "$BASE.tmp" "$BASE"
}

# --kernel DIR: a kernel that scripts/kernel-build made (bzImage, config, modules/*.ko), copied to
# $CACHE/kernel/custom-HASH. Everything the guest insmods at boot is built in there, so
# BASE_MODULES is empty; the probe modules (EXTRA_MODULES) come from DIR/modules.
ensure_custom_kernel() {
  local d=$KERNEL_DIR id m
  [ -f "$d/bzImage" ] && [ -f "$d/config" ] || usage_err "--kernel $d: no bzImage and config there (a scripts/kernel-build output folder)"
  id=$(cat "$d/bzImage" "$d/config" | sha256sum | cut -c1-16)
  KVER="ipec-test-$id" KDIR=$CACHE/kernel/custom-$id BASE_MODULES=""
  KVER_NOTE="kernel: $d ($(cut -d, -f1-2 "$d/inputs" 2> /dev/null || echo 'no inputs file'))"
  [ -f "$KDIR/.complete" ] && return 0
  grep -q '^CONFIG_SECURITY_IPE=y' "$d/config" || infra "the kernel in $d is built without IPE (CONFIG_SECURITY_IPE)"
  rm -rf "$KDIR"
  mkdir -p "$KDIR/modules"
  cp "$d/bzImage" "$KDIR/vmlinuz"
  cp "$d/config" "$KDIR/config"
  for m in $EXTRA_MODULES; do
    [ -f "$d/modules/$m.ko" ] || infra "module $m.ko is missing from $d/modules (the probes need it)"
    cp "$d/modules/$m.ko" "$KDIR/modules/"
  done
  touch "$KDIR/.complete"
}

# skip_parts CONFIG: drop from PARTS what a --kernel kernel cannot run; SKIPPED says why
skip_parts() {
  local p keep="" why
  for p in ${PARTS//,/ }; do
    why=""
    case $p in
      enforce) grep -q '^CONFIG_BPF_LSM=y' "$1" || why="enforce: the kernel has no BPF LSM (CONFIG_BPF_LSM, CONFIG_BPF_SYSCALL)" ;;
      sign) grep -q '^CONFIG_CRYPTO_ECDSA=y' "$1" ||
        SKIPPED="${SKIPPED}sign: its two ECDSA cases (the kernel has no CONFIG_CRYPTO_ECDSA);" ;;
    esac
    if [ -n "$why" ]; then SKIPPED="$SKIPPED$why;"; note "skipped part $why"; else keep="$keep,$p"; fi
  done
  PARTS=${keep#,}
}

# everything shared by all runs, built once per cache (serialised with a lock)
prepare() {
  need_cmds qemu-system-x86_64 openssl cpio gzip xz gcc python3 dpkg-deb apt-get flock timeout ldd \
    mkfs.ext4 debugfs fsverity veritysetup keyctl
  [ -f "$OVMF_CODE" ] || infra "$OVMF_CODE is missing (run: scripts/setup --kernel)"
  exec 9> "$CACHE/.lock"
  flock 9
  if [ -n "${KERNEL_DIR:-}" ]; then ensure_custom_kernel; else resolve_kver; ensure_kernel; fi
  ensure_keys
  ensure_vars
  ensure_base
  flock -u 9
  exec 9>&-
}

valid_mode() { case " $SIGN_MODES " in *" $1 "*) ;; *) usage_err "unknown signing mode '$1' (one of: $SIGN_MODES)" ;; esac; }
sign_policy() { # MODE IN OUT
  local m=$1 in=$2 out=$3
  local smime=(openssl smime -sign -in "$in" -out "$out" -noattr -nodetach -nosmimecap -outform der)
  local cms=(openssl cms -sign -in "$in" -out "$out" -noattr -nodetach -nosmimecap -outform der -binary
             -signer "$SIGNER_PEM" -inkey "$SIGNER_KEY")
  case $m in
    signer | signer-keep) "${smime[@]}" -binary -signer "$SIGNER_PEM" -inkey "$SIGNER_KEY" ;;
    untrusted) "${smime[@]}" -binary -signer "$UNTRUSTED_PEM" -inkey "$UNTRUSTED_KEY" ;;
    smime-text) "${smime[@]}" -signer "$SIGNER_PEM" -inkey "$SIGNER_KEY" ;;
    signer-nocerts) "${smime[@]}" -binary -nocerts -signer "$SIGNER_PEM" -inkey "$SIGNER_KEY" ;;
    sha512) "${smime[@]}" -binary -md sha512 -signer "$SIGNER_PEM" -inkey "$SIGNER_KEY" ;;
    cms) "${cms[@]}" ;;
    cms-skid) "${cms[@]}" -keyid ;;
    none) cp "$in" "$out" ;;
    *) return 2 ;;
  esac
}

pack_cpio() { (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --owner 0:0 --quiet) | gzip -1 > "$2"; }

# ---------------------------------------------------------------- one VM boot
# boot NAME STAGE [DISK...]: base initramfs + STAGE (the /suite payload) -> VM; the output of the
# guest's /suite/run.sh ends up in $WORK/NAME/results.txt. Sets BOOT_SECS.
boot() {
  local name=$1 stage=$2 accel=${ACCEL:-} d rc=0 t0 ms
  shift 2
  local R=$WORK/$name
  mkdir -p "$R"
  # TCG by default: it needs nothing from the host, and a /dev/kvm that exists can still fail
  # (nested virtualisation); --accel kvm opts in
  accel=${accel:-tcg}
  cp "$SIGNER_DER" "$stage/suite/signer.der"
  chmod -R u+w "$stage"
  pack_cpio "$stage" "$R/payload.cpio.gz"
  cat "$BASE" "$R/payload.cpio.gz" > "$R/initrd.img"
  cp "$VARS_FD" "$R/vars.fd"
  local cpu=max
  [ "$accel" = tcg ] || cpu=host
  local args=(-machine "q35,accel=$accel" -cpu "$cpu" -smp "${SMP:-1}" -m "${MEM:-1024}"
    -nodefaults -display none -monitor none -no-reboot
    -drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE"
    -drive "if=pflash,format=raw,unit=1,file=$R/vars.fd"
    -kernel "$KDIR/vmlinuz" -initrd "$R/initrd.img"
    -append "console=ttyS0 panic=-1 quiet audit=1 audit_backlog_limit=8192 log_buf_len=64M ${KARGS:-}"
    -serial "file:$R/console.log" -serial "file:$R/results.raw")
  for d; do args+=(-drive "file=$d,if=virtio,format=raw"); done
  t0=$(now_ms)
  timeout -k 10 "${TIMEOUT:-600}" qemu-system-x86_64 "${args[@]}" < /dev/null > "$R/qemu.log" 2>&1 || rc=$?
  ms=$(($(now_ms) - t0))
  BOOT_SECS=$(printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)))
  tr -d '\r' < "$R/results.raw" 2> /dev/null |
    awk 'done { next } /SUITE-BEGIN/ { on = 1; sub(/.*SUITE-BEGIN/, "SUITE-BEGIN") } on { print } /^SUITE-END/ { done = 1 }' > "$R/results.txt"
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then boot_fail "$R" "the VM did not finish within ${TIMEOUT:-600} s (raise --timeout)"; fi
  [ $rc -eq 0 ] || boot_fail "$R" "qemu failed (exit status $rc): $(tail -n 2 "$R/qemu.log" | tr '\n' ' ')"
  grep -q '^SUITE-BEGIN' "$R/results.txt" || boot_fail "$R" "the guest never reached the suite script (kernel or initramfs problem)"
  grep -q '^SUITE-END' "$R/results.txt" || boot_fail "$R" "the suite script in the guest did not finish"
  note "VM '$name' ran ${BOOT_SECS} s ($accel, kernel $KVER)"
  echo "$accel" > "$R/accel"
  echo "$BOOT_SECS" > "$R/boot-secs"
}
boot_fail() {
  echo "kernel-test: last lines of the guest console ($1/console.log):" >&2
  tail -n 15 "$1/console.log" 2> /dev/null | tr -d '\r' | sed 's/^/  | /' >&2
  KEEP=1
  infra "$2"
}

# ---------------------------------------------------------------- probe objects (decisions)
# mk_ext4 DIR IMG [FEATURES]: a small ext4 image holding the files of DIR. Reproducible (fixed
# UUID and hash seed, files added by debugfs in sorted order, all times 1), so that the dm-verity
# root hash only depends on the files.
mk_ext4() {
  local kb f t
  kb=$(du -sk "$1" | cut -f1)
  kb=$(((kb * 3 / 2 + 4096 + 4095) / 4096 * 4096))
  E2FSPROGS_FAKE_TIME=1 mkfs.ext4 -q -b 4096 ${3:+-O "$3"} -U 69706563-6b74-4000-8000-000000000001 \
    -E hash_seed=69706563-6b74-4000-8000-000000000002,root_owner=0:0 "$2" "${kb}K"
  (cd "$1" && for f in *; do
    echo "write $f $f"
    echo "sif $f mode 0100755"
    for t in atime mtime ctime crtime; do echo "sif $f $t 1"; echo "sif $f ${t}_extra 0"; done
  done > "$2.debugfs")
  for t in atime mtime ctime crtime; do echo "sif / $t 1"; echo "sif / ${t}_extra 0"; done >> "$2.debugfs"
  (cd "$1" && E2FSPROGS_FAKE_TIME=1 debugfs -w -f "$2.debugfs" "$2")
  debugfs -R "ls -l /" "$2" > "$2.ls" 2>&1
  for f in "$1"/*; do f=${f##*/}; grep -q " $f\$" "$2.ls" || { echo "debugfs did not add $f" >&2; return 1; }; done
  rm -f "$2.debugfs" "$2.ls"
}
# verity_format IMG OUT: hash tree appended to the data, fixed salt (reproducible root hash);
# prints nothing, writes veritysetup's report to OUT
verity_format() {
  local off
  off=$(stat -c %s "$1")
  veritysetup format --hash-offset="$off" --data-blocks=$((off / 4096)) --salt=6970656320766572697479 "$1" "$1" > "$2"
  echo "$off" >> "$2"
}
