/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The kernel types the enforcer reads, written by hand so that the build never depends on the
 * build machine's kernel. Only the fields read are declared; preserve_access_index makes every
 * access a CO-RE relocation that libbpf resolves against the running kernel's BTF at load time.
 */
#ifndef IPEC_VMLINUX_MIN_H
#define IPEC_VMLINUX_MIN_H

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed char __s8;
typedef short __s16;
typedef int __s32;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef __u32 u32;
typedef __u64 u64;
typedef __u32 dev_t;
typedef _Bool bool;
enum { false = 0, true = 1 };

/* UAPI constants (stable ABI). */
enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_ARRAY_OF_MAPS = 12,
	BPF_MAP_TYPE_INODE_STORAGE = 28,
	BPF_MAP_TYPE_TASK_STORAGE = 29,
	BPF_MAP_TYPE_RINGBUF = 27,
};
enum {
	BPF_F_NO_PREALLOC = 1U << 0,
	BPF_F_MMAPABLE = 1U << 10,
	BPF_F_INNER_MAP = 1U << 12,
};
enum { BPF_LOCAL_STORAGE_GET_F_CREATE = 1ULL << 0 };
enum { BPF_ANY = 0 };
struct bpf_dynptr {
	__u64 __opaque[2];
} __attribute__((aligned(8)));

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct block_device {
	dev_t bd_dev;
};

struct super_block {
	dev_t s_dev;
	struct block_device *s_bdev;
	char s_id[32];
};

struct inode {
	unsigned int i_flags;
	struct super_block *i_sb;
	unsigned long i_ino;
};

struct vfsmount {
	struct super_block *mnt_sb;
};

struct path {
	struct vfsmount *mnt;
};

struct file {
	struct path f_path;
	struct inode *f_inode;
};

struct linux_binprm {
	struct file *file;
};

struct vm_area_struct {
	unsigned long vm_flags;
	struct file *vm_file;
};

struct task_struct {
	int pid;
	int tgid;
	char comm[16];
};

struct dm_verity_digest {
	const char *alg;
	const __u8 *digest;
	unsigned long digest_len;
};

#pragma clang attribute pop

/* Enums whose values libbpf relocates (bpf_core_enum_value) against the running kernel. */
enum kernel_read_file_id {
	READING_UNKNOWN,
	READING_FIRMWARE,
	READING_MODULE,
	READING_KEXEC_IMAGE,
	READING_KEXEC_INITRAMFS,
	READING_POLICY,
	READING_X509_CERTIFICATE,
	READING_MAX_ID,
};

enum kernel_load_data_id {
	LOADING_UNKNOWN,
	LOADING_FIRMWARE,
	LOADING_MODULE,
	LOADING_KEXEC_IMAGE,
	LOADING_KEXEC_INITRAMFS,
	LOADING_POLICY,
	LOADING_X509_CERTIFICATE,
	LOADING_MAX_ID,
};

enum lsm_integrity_type {
	LSM_INT_DMVERITY_SIG_VALID,
	LSM_INT_DMVERITY_ROOTHASH,
	LSM_INT_FSVERITY_BUILTINSIG_VALID,
};

#endif
