/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * What the enforcer's BPF program and its loader (`ipec enforce`) share besides the policy maps
 * of decide.h: the control word, the per-device and per-inode facts, the counters and the log
 * record. Changing a layout here changes both sides at once.
 */
#ifndef IPEC_ENFORCE_ABI_H
#define IPEC_ENFORCE_ABI_H

#ifndef __bpf__
#include <linux/types.h>
#endif

#define IPEC_SLOTS 2u
#define IPEC_ALG_UNKNOWN 31u /* a digest algorithm no policy names: never matches */
#define IPEC_S_VERITY (1u << 16) /* include/linux/fs.h, 6.12 */

/* enum ipe_op_type order (the op field of the maps' keys). */
enum ipec_op {
	IPEC_OP_EXECUTE = 0,
	IPEC_OP_FIRMWARE = 1,
	IPEC_OP_KMODULE = 2,
	IPEC_OP_KEXEC_IMAGE = 3,
	IPEC_OP_KEXEC_INITRAMFS = 4,
	IPEC_OP_POLICY = 5,
	IPEC_OP_X509_CERT = 6,
	IPEC_OP_INVALID = 255,
};

/* IPE's audit `ipe_hook=` values. */
enum ipec_hook {
	IPEC_HOOK_BPRM_CHECK = 0,
	IPEC_HOOK_MMAP = 1,
	IPEC_HOOK_MPROTECT = 2,
	IPEC_HOOK_KERNEL_READ = 3,
	IPEC_HOOK_KERNEL_LOAD = 4,
};

enum ipec_mode {
	IPEC_MODE_PERMISSIVE = 1u << 0, /* decide, log, allow: IPE's enforce=0 */
	IPEC_MODE_LOG_ALLOW = 1u << 1,  /* log allows too: IPE's success_audit=1 */
};

/* The single element of the mmapable `ipec_ctl` map. The loader writes each field with one
 * aligned store; `active` is switched last (docs/enforcer.md, "Atomic update"). */
struct ipec_ctl {
	__u32 active;          /* the slot decisions read */
	__u32 mode;            /* enum ipec_mode */
	__u64 seq[IPEC_SLOTS]; /* odd while the loader writes that slot */
	__u64 digest[IPEC_SLOTS]; /* the slot's table checksum (the log names the policy by it) */
	__u32 initramfs_dev;   /* kernel dev_t of the initramfs superblock */
	__u32 initramfs_known; /* 1: loaded from the initramfs, boot_verified is exact */
};

/* Per slot, written by the loader only: what `ipec enforce status` shows. */
struct ipec_meta {
	__u16 version[3];
	__u16 name_len;
	__u32 rules;
	__u64 digest;     /* the table's checksum */
	__u64 loaded_ns;  /* CLOCK_REALTIME of the load or update */
	char name[256];
};

enum ipec_counter {
	IPEC_C_ALLOW = 0,
	IPEC_C_DENY = 1,
	IPEC_C_PERMISSIVE = 2,   /* denies allowed because permissive */
	IPEC_C_NO_POLICY = 3,    /* no policy in the active slot: allowed */
	IPEC_C_INCONSISTENT = 4, /* the slot changed under three tries: denied */
	IPEC_C_ERROR = 5,        /* no scratch memory: denied unless permissive */
	IPEC_C_LOG_LOST = 6,     /* the ring buffer was full */
	IPEC_C_UNCACHED = 7,     /* mprotect of a verity file mapped before attach */
	IPEC_C_UNKNOWN_ID = 8,   /* a kernel read/load id IPE does not know */
	IPEC_C_OP = 16,          /* + op: decisions per op */
	IPEC_COUNTERS = 24,
};

/* dm-verity facts of a block device, recorded at bdev_setintegrity. */
struct ipec_dmv {
	__u8 has_roothash, sig_valid, alg, len;
	__u8 digest[64];
};

/* Per inode: the fs-verity builtin signature (inode_setintegrity) and the digest cached at exec
 * or mmap for file_mprotect. */
struct ipec_inode {
	__u8 fsv_signed, cached, fsverity, fsv_alg, fsv_len, pad[3];
	__u8 fsv_digest[64];
};

struct ipec_log_rec {
	__u64 table_digest;
	__u64 ino;
	__u32 rule; /* rank, or 0xFFFFFFFF */
	__u32 pid;
	__u8 op, hook, action, kind, enforcing, has_file, slot, pad;
	char comm[16];
	char dev[32]; /* the superblock's s_id, as IPE's dev= */
};

#endif
