// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The ipec enforcer: IPE's decisions, compiled by ipec into BPF maps, enforced from BPF-LSM
 * hooks on a stock kernel (docs/enforcer.md). The decision itself is enforce/bpf/decide.h, shared
 * with the host build that enforce.differential holds against ipet_eval().
 */
#include "vmlinux_min.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "enforce/bpf/abi.h"

#define IPEC_CTX_T __u32 /* the slot */
#include "enforce/bpf/decide.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define PROT_EXEC 0x4
#define VM_EXEC 0x4
#define EACCES 13
#define FS_VERITY_HASH_ALG_SHA256 1
#define FS_VERITY_HASH_ALG_SHA512 2

/* ---- the policy: two slots of inner maps (atomic update, docs/enforcer.md) ----------------- */
struct inner_ops {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, IPEC_OPS);
	__type(key, __u32);
	__type(value, struct ipec_op_rec);
};
struct inner_kinds {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_INNER_MAP); /* each policy sizes its own */
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ipec_kind);
};
struct inner_digests {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct ipec_dkey);
	__type(value, struct ipec_group);
};
struct inner_pairs {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct ipec_pkey);
	__type(value, struct ipec_group);
};

/* clang-14 emits the inner maps' key and value types as forward declarations unless something
 * uses them by value, and libbpf then cannot size the inner maps. */
const volatile struct {
	struct ipec_op_rec op;
	struct ipec_kind kind;
	struct ipec_group group;
	struct ipec_dkey dkey;
	struct ipec_pkey pkey;
} ipec_btf_anchor;

#define OUTER(name, inner)                                                                         \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);                                          \
		__uint(max_entries, IPEC_SLOTS);                                                   \
		__type(key, __u32);                                                                \
		__array(values, struct inner);                                                     \
	} name SEC(".maps")
OUTER(ipec_ops, inner_ops);
OUTER(ipec_kinds, inner_kinds);
OUTER(ipec_fsv, inner_digests);
OUTER(ipec_dm, inner_digests);
OUTER(ipec_pair, inner_pairs);

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE); /* the loader writes single words */
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ipec_ctl);
} ipec_ctl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, IPEC_SLOTS);
	__type(key, __u32);
	__type(value, struct ipec_meta);
} ipec_meta SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IPEC_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} ipec_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32); /* bd_dev */
	__type(value, struct ipec_dmv);
} ipec_dmv SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_INODE_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct ipec_inode);
} ipec_inode SEC(".maps");

/* The facts, keys and the kfunc's buffer of the decision in progress. Task storage, not a per-CPU
 * array: another task preempting this one on the same CPU would overwrite it. */
struct ipec_task {
	struct ipec_scratch s;
	struct {
		__u16 alg, size;
		__u8 digest[IPEC_MAX_DIGEST];
	} fsv;
};
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct ipec_task);
} ipec_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} ipec_log SEC(".maps");

extern int bpf_get_fsverity_digest(struct file *file, struct bpf_dynptr *digest_ptr) __ksym;

/* ---- the five lookups of decide.h: the slot's inner maps ---------------------------------- */
static const struct ipec_op_rec *ipec_lookup_op(__u32 slot, __u32 op)
{
	void *m = bpf_map_lookup_elem(&ipec_ops, &slot);
	return m ? bpf_map_lookup_elem(m, &op) : NULL;
}

static const struct ipec_kind *ipec_lookup_kind(__u32 slot, __u32 kind)
{
	void *m = bpf_map_lookup_elem(&ipec_kinds, &slot);
	return m ? bpf_map_lookup_elem(m, &kind) : NULL;
}

static const struct ipec_group *ipec_lookup_fsv(__u32 slot, const struct ipec_dkey *key)
{
	void *m = bpf_map_lookup_elem(&ipec_fsv, &slot);
	return m ? bpf_map_lookup_elem(m, key) : NULL;
}

static const struct ipec_group *ipec_lookup_dm(__u32 slot, const struct ipec_dkey *key)
{
	void *m = bpf_map_lookup_elem(&ipec_dm, &slot);
	return m ? bpf_map_lookup_elem(m, key) : NULL;
}

static const struct ipec_group *ipec_lookup_pair(__u32 slot, const struct ipec_pkey *key)
{
	void *m = bpf_map_lookup_elem(&ipec_pair, &slot);
	return m ? bpf_map_lookup_elem(m, key) : NULL;
}

static void count(__u32 which)
{
	__u64 *c = bpf_map_lookup_elem(&ipec_counters, &which);
	if (c)
		*c += 1;
}

/* ---- facts -------------------------------------------------------------------------------- */
/* The algorithm id of a dm-verity hash name (stdlib/digest_algs.def order), or IPEC_ALG_UNKNOWN. */
static __u8 alg_id(const char name[16])
{
	static const char names[][16] = {
#define IPEC_DIGEST_ALG(e, n, len, fsv, dm) n,
#include "stdlib/digest_algs.def"
	};
	const __u64 *w = (const __u64 *)name;
	__u32 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); ++i) {
		const __u64 *x = (const __u64 *)names[i];
		if (w[0] == x[0] && w[1] == x[1])
			return (__u8)i;
	}
	return IPEC_ALG_UNKNOWN;
}

/* Facts of a file that need no trusted pointer: superblock, block device, dm-verity, signature. */
static void file_facts(struct ipec_facts *f, struct file *file, struct ipec_ctl *ctl)
{
	/* Direct reads (BTF pointers, CO-RE relocated): inode storage wants a BTF pointer, not the
	 * scalar a probe read gives. */
	struct super_block *msb = file->f_path.mnt->mnt_sb;
	struct inode *inode = file->f_inode;
	struct block_device *bdev = inode->i_sb->s_bdev;
	struct ipec_inode *in;
	__u32 dev;

	f->file = 1;
	f->initramfs = ctl->initramfs_known && msb && msb->s_dev == ctl->initramfs_dev;
	f->bdev = bdev ? 1 : 0;
	if (bdev) {
		struct ipec_dmv *v;
		dev = bdev->bd_dev;
		v = bpf_map_lookup_elem(&ipec_dmv, &dev);
		if (v && v->has_roothash) {
			f->bdev = 2;
			f->dm_signed = v->sig_valid;
			f->dm_alg = v->alg;
			f->dm_len = v->len;
			__builtin_memcpy(f->dm_digest, v->digest, IPEC_MAX_DIGEST); /* zero after len */
		}
	}
	in = bpf_inode_storage_get(&ipec_inode, inode, 0, 0);
	f->fsv_signed = in ? in->fsv_signed : 0;
}

/* fs-verity facts through the kfunc (a trusted file only), cached per inode for mprotect. */
static void verity_facts(struct ipec_task *t, struct file *file)
{
	struct ipec_facts *f = &t->s.facts;
	struct bpf_dynptr dp;
	struct ipec_inode *in;

	__builtin_memset(t->fsv.digest, 0, sizeof(t->fsv.digest)); /* the kfunc writes `size` bytes */
	if (bpf_dynptr_from_mem(&t->fsv, sizeof(t->fsv), 0, &dp))
		return;
	if (bpf_get_fsverity_digest(file, &dp) < 0)
		return; /* -ENODATA: not a verity file */
	f->fsverity = 1;
	f->fsv_alg = t->fsv.alg == FS_VERITY_HASH_ALG_SHA256 ? 0 : t->fsv.alg == FS_VERITY_HASH_ALG_SHA512 ? 1 : IPEC_ALG_UNKNOWN;
	f->fsv_len = t->fsv.size > IPEC_MAX_DIGEST ? IPEC_MAX_DIGEST : (__u8)t->fsv.size;
	__builtin_memcpy(f->fsv_digest, t->fsv.digest, IPEC_MAX_DIGEST);
	in = bpf_inode_storage_get(&ipec_inode, file->f_inode, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!in)
		return;
	in->cached = 1;
	in->fsverity = 1;
	in->fsv_alg = f->fsv_alg;
	in->fsv_len = f->fsv_len;
	__builtin_memcpy(in->fsv_digest, f->fsv_digest, IPEC_MAX_DIGEST);
}

/* Caches the fs-verity facts of a verity file not cached yet (a non-executable mapping). */
static void cache_verity(struct file *file)
{
	struct ipec_inode *in;
	struct ipec_task *t;

	if (!(file->f_inode->i_flags & IPEC_S_VERITY))
		return;
	in = bpf_inode_storage_get(&ipec_inode, file->f_inode, 0, 0);
	if (in && in->cached)
		return;
	t = bpf_task_storage_get(&ipec_scratch, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (t)
		verity_facts(t, file);
}

/* ---- deciding ----------------------------------------------------------------------------- */
static struct ipec_task *begin(__u8 op)
{
	struct ipec_task *t = bpf_task_storage_get(&ipec_scratch, bpf_get_current_task_btf(), 0,
						   BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (!t)
		return NULL;
	__builtin_memset(&t->s.facts, 0, sizeof(t->s.facts));
	t->s.facts.op = op;
	return t;
}

static void log_decision(struct ipec_ctl *ctl, __u32 slot, struct ipec_task *t, struct file *file, __u8 hook,
			 const struct ipec_decision *d, __u8 enforcing)
{
	struct ipec_log_rec *r = bpf_ringbuf_reserve(&ipec_log, sizeof(*r), 0);
	struct task_struct *task = bpf_get_current_task_btf();

	if (!r) {
		count(IPEC_C_LOG_LOST);
		return;
	}
	r->table_digest = ctl->digest[slot & 1];
	r->ino = file ? file->f_inode->i_ino : 0;
	r->rule = d->rule;
	r->pid = task->tgid;
	r->op = t->s.facts.op;
	r->hook = hook;
	r->action = (__u8)d->action;
	r->kind = (__u8)d->kind;
	r->enforcing = enforcing;
	r->has_file = file != NULL;
	r->slot = (__u8)slot;
	r->pad = 0;
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	if (file)
		BPF_CORE_READ_STR_INTO(&r->dev, file, f_inode, i_sb, s_id);
	else
		r->dev[0] = 0;
	bpf_ringbuf_submit(r, 0);
}

/* One decision in the active slot; the slot's sequence number says whether a writer touched it
 * meanwhile (docs/enforcer.md, "Atomic update"). */
static __noinline int decide_event(struct ipec_task *t, struct file *file, __u8 hook)
{
	__u32 zero = 0, slot = 0, tries;
	struct ipec_ctl *ctl = bpf_map_lookup_elem(&ipec_ctl, &zero);
	struct ipec_decision d = {};
	int rc = -1;

	if (!ctl)
		return 0;
	for (tries = 0; tries < 3; ++tries) {
		__u64 seq;
		slot = *(volatile __u32 *)&ctl->active & 1;
		seq = *(volatile __u64 *)&ctl->seq[slot];
		if (seq & 1) {
			rc = -2; /* being written: never read as "no policy" */
			continue;
		}
		rc = ipec_decide(slot, &t->s, &d);
		if (*(volatile __u64 *)&ctl->seq[slot] == seq)
			break;
		rc = -2;
	}
	if (rc == -1) {
		count(IPEC_C_NO_POLICY);
		return 0; /* no policy loaded: IPE allows too */
	}
	if (rc == -2) {
		count(IPEC_C_INCONSISTENT);
		d.action = 1;
		d.kind = IPEC_NO_DEFAULT;
		d.rule = IPEC_NO_RULE;
	}
	count(d.action ? IPEC_C_DENY : IPEC_C_ALLOW);
	count(IPEC_C_OP + (t->s.facts.op & 7));
	if (d.action || (ctl->mode & IPEC_MODE_LOG_ALLOW))
		log_decision(ctl, slot, t, file, hook, &d, !(ctl->mode & IPEC_MODE_PERMISSIVE));
	if (!d.action)
		return 0;
	if (ctl->mode & IPEC_MODE_PERMISSIVE) {
		count(IPEC_C_PERMISSIVE);
		return 0;
	}
	return -EACCES;
}

/* A decision for `file` (trusted, or NULL for none). */
static int decide_file(__u8 op, struct file *file, __u8 hook)
{
	__u32 zero = 0;
	struct ipec_ctl *ctl = bpf_map_lookup_elem(&ipec_ctl, &zero);
	struct ipec_task *t = begin(op);

	if (!ctl)
		return 0;
	if (!t) {
		count(IPEC_C_ERROR);
		return (ctl->mode & IPEC_MODE_PERMISSIVE) ? 0 : -EACCES;
	}
	if (file) {
		file_facts(&t->s.facts, file, ctl);
		verity_facts(t, file);
	}
	return decide_event(t, file, hook);
}

/* ---- hooks (ipe-language.md §2.2) --------------------------------------------------------- */
SEC("lsm/bprm_check_security")
int BPF_PROG(ipec_bprm_check, struct linux_binprm *bprm)
{
	return decide_file(IPEC_OP_EXECUTE, bprm->file, IPEC_HOOK_BPRM_CHECK);
}

SEC("lsm/mmap_file")
int BPF_PROG(ipec_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot, unsigned long flags)
{
	__u64 raw = 0;

	/* `file` is typed trusted and non-NULL, so the verifier deletes `if (!file)`; an anonymous
	 * mapping would reach the kfunc with NULL and oops (docs/enforcer.md). Test the raw value. */
	bpf_get_func_arg(ctx, 0, &raw);
	if (!(prot & PROT_EXEC)) {
		if (raw)
			cache_verity(file); /* for a later mprotect(PROT_EXEC), which cannot use the kfunc */
		return 0;
	}
	if (!raw)
		return decide_file(IPEC_OP_EXECUTE, NULL, IPEC_HOOK_MMAP);
	return decide_file(IPEC_OP_EXECUTE, file, IPEC_HOOK_MMAP);
}

SEC("lsm/file_mprotect")
int BPF_PROG(ipec_file_mprotect, struct vm_area_struct *vma, unsigned long reqprot, unsigned long prot)
{
	__u32 zero = 0;
	struct ipec_ctl *ctl;
	struct ipec_task *t;
	struct ipec_inode *in;
	struct file *file;

	if ((vma->vm_flags & VM_EXEC) || !(prot & PROT_EXEC))
		return 0;
	ctl = bpf_map_lookup_elem(&ipec_ctl, &zero);
	t = begin(IPEC_OP_EXECUTE);
	if (!ctl)
		return 0;
	if (!t) {
		count(IPEC_C_ERROR);
		return (ctl->mode & IPEC_MODE_PERMISSIVE) ? 0 : -EACCES;
	}
	file = vma->vm_file;
	if (!file)
		return decide_event(t, NULL, IPEC_HOOK_MPROTECT);
	file_facts(&t->s.facts, file, ctl);
	/* vm_file is not a trusted pointer, so the kfunc is refused: use what exec or mmap cached. */
	in = bpf_inode_storage_get(&ipec_inode, file->f_inode, 0, 0);
	if (in && in->fsverity) {
		t->s.facts.fsverity = 1;
		t->s.facts.fsv_alg = in->fsv_alg;
		t->s.facts.fsv_len = in->fsv_len;
		__builtin_memcpy(t->s.facts.fsv_digest, in->fsv_digest, IPEC_MAX_DIGEST);
	} else if (!in || !in->cached) {
		if (file->f_inode->i_flags & IPEC_S_VERITY)
			count(IPEC_C_UNCACHED); /* mapped before attach: decided as without fs-verity */
	}
	return decide_event(t, file, IPEC_HOOK_MPROTECT);
}

static __u8 read_op(enum kernel_read_file_id id)
{
	if (id == bpf_core_enum_value(enum kernel_read_file_id, READING_FIRMWARE))
		return IPEC_OP_FIRMWARE;
	if (id == bpf_core_enum_value(enum kernel_read_file_id, READING_MODULE))
		return IPEC_OP_KMODULE;
	if (id == bpf_core_enum_value(enum kernel_read_file_id, READING_KEXEC_IMAGE))
		return IPEC_OP_KEXEC_IMAGE;
	if (id == bpf_core_enum_value(enum kernel_read_file_id, READING_KEXEC_INITRAMFS))
		return IPEC_OP_KEXEC_INITRAMFS;
	if (id == bpf_core_enum_value(enum kernel_read_file_id, READING_POLICY))
		return IPEC_OP_POLICY;
	if (id == bpf_core_enum_value(enum kernel_read_file_id, READING_X509_CERTIFICATE))
		return IPEC_OP_X509_CERT;
	return IPEC_OP_INVALID;
}

static __u8 load_op(enum kernel_load_data_id id)
{
	if (id == bpf_core_enum_value(enum kernel_load_data_id, LOADING_FIRMWARE))
		return IPEC_OP_FIRMWARE;
	if (id == bpf_core_enum_value(enum kernel_load_data_id, LOADING_MODULE))
		return IPEC_OP_KMODULE;
	if (id == bpf_core_enum_value(enum kernel_load_data_id, LOADING_KEXEC_IMAGE))
		return IPEC_OP_KEXEC_IMAGE;
	if (id == bpf_core_enum_value(enum kernel_load_data_id, LOADING_KEXEC_INITRAMFS))
		return IPEC_OP_KEXEC_INITRAMFS;
	if (id == bpf_core_enum_value(enum kernel_load_data_id, LOADING_POLICY))
		return IPEC_OP_POLICY;
	if (id == bpf_core_enum_value(enum kernel_load_data_id, LOADING_X509_CERTIFICATE))
		return IPEC_OP_X509_CERT;
	return IPEC_OP_INVALID;
}

SEC("lsm/kernel_read_file")
int BPF_PROG(ipec_kernel_read_file, struct file *file, enum kernel_read_file_id id, bool contents)
{
	__u8 op = read_op(id);

	if (op == IPEC_OP_INVALID) {
		count(IPEC_C_UNKNOWN_ID); /* IPE takes the global DEFAULT; not modelled (docs/enforcer.md) */
		return 0;
	}
	return decide_file(op, file, IPEC_HOOK_KERNEL_READ);
}

SEC("lsm/kernel_load_data")
int BPF_PROG(ipec_kernel_load_data, enum kernel_load_data_id id, bool contents)
{
	__u8 op = load_op(id);

	if (op == IPEC_OP_INVALID) {
		count(IPEC_C_UNKNOWN_ID);
		return 0;
	}
	return decide_file(op, NULL, IPEC_HOOK_KERNEL_LOAD);
}

/* ---- facts recorded, never denied --------------------------------------------------------- */
SEC("lsm/bdev_setintegrity")
int BPF_PROG(ipec_bdev_setintegrity, struct block_device *bdev, enum lsm_integrity_type type)
{
	__u64 value = 0, size = 0;
	__u32 dev = bdev->bd_dev;
	struct ipec_dmv zero = {}, *v;

	/* `const void *value` cannot be read from the context: fetch it as a raw argument. */
	bpf_get_func_arg(ctx, 2, &value);
	bpf_get_func_arg(ctx, 3, &size);
	v = bpf_map_lookup_elem(&ipec_dmv, &dev);
	if (!v) {
		bpf_map_update_elem(&ipec_dmv, &dev, &zero, BPF_ANY);
		v = bpf_map_lookup_elem(&ipec_dmv, &dev);
		if (!v)
			return 0;
	}
	if (type == bpf_core_enum_value(enum lsm_integrity_type, LSM_INT_DMVERITY_SIG_VALID)) {
		v->sig_valid = value != 0 && size > 0;
	} else if (type == bpf_core_enum_value(enum lsm_integrity_type, LSM_INT_DMVERITY_ROOTHASH)) {
		struct dm_verity_digest dg;
		char name[16] = {};
		__u64 len;

		if (!value) {
			v->has_roothash = 0;
			return 0;
		}
		if (bpf_probe_read_kernel(&dg, sizeof(dg), (void *)value))
			return 0;
		len = dg.digest_len;
		if (len > IPEC_MAX_DIGEST)
			len = IPEC_MAX_DIGEST;
		__builtin_memset(v->digest, 0, sizeof(v->digest));
		if (bpf_probe_read_kernel(v->digest, len & (IPEC_MAX_DIGEST * 2 - 1), dg.digest))
			return 0;
		bpf_probe_read_kernel_str(name, sizeof(name), dg.alg);
		v->alg = alg_id(name);
		v->len = (__u8)len;
		v->has_roothash = 1;
	}
	return 0;
}

SEC("lsm/bdev_free_security")
void BPF_PROG(ipec_bdev_free_security, struct block_device *bdev)
{
	__u32 dev = bdev->bd_dev;

	bpf_map_delete_elem(&ipec_dmv, &dev);
}

SEC("lsm/inode_setintegrity")
int BPF_PROG(ipec_inode_setintegrity, struct inode *inode, enum lsm_integrity_type type)
{
	__u64 value = 0, size = 0;
	struct ipec_inode *in;

	if (type != bpf_core_enum_value(enum lsm_integrity_type, LSM_INT_FSVERITY_BUILTINSIG_VALID))
		return 0;
	bpf_get_func_arg(ctx, 2, &value);
	bpf_get_func_arg(ctx, 3, &size);
	in = bpf_inode_storage_get(&ipec_inode, inode, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (in)
		in->fsv_signed = value != 0 && size > 0; /* IPE: "signed" means a value of size > 0 */
	return 0;
}
