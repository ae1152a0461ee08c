/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * ipet: load and evaluate an ipec decision table (ipec's docs/table-format.md).
 *
 * Freestanding C, built unchanged in the kernel and in userspace (where ipet_user.h supplies
 * what the kernel's headers do): no libc, no allocation, no floating point. ipet_load() checks
 * an untrusted table in O(size) and fills a handle that points into the caller's buffer;
 * ipet_eval() decides an event in constant time with no branch that depends on the event.
 * Records are little-endian and read in place: the interpreter assumes a little-endian CPU.
 */
#ifndef IPET_H
#define IPET_H

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/nospec.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <linux/unaligned.h>
#else
#include "ipet_user.h"
#endif

/*
 * An index that comes from table data and selects memory: ipet_load() has bounded it, and
 * array_index_nospec() keeps it bounded under speculation too.
 */
#define IPET_INDEX(index, size) array_index_nospec(index, size)

#define IPET_FORMAT_VERSION 3u
#define IPET_HEADER_SIZE 64u
#define IPET_POINTS 64u
#define IPET_OPS 8u
#define IPET_NO_OFFSET 0xFFFFFFFFu
#define IPET_NO_RULE 0xFFFFFFFFu
#define IPET_EMPTY_ALG 31u
#define IPET_DIGEST_CLASSES 5u   /* 20, 28, 32, 48, 64 bytes */
#define IPET_MAX_DIGEST 64u
#define IPET_TABLE_PAD 64u       /* zero bytes after the last slot of a table */

/* ---- on-disk records (all little-endian; see docs/table-format.md) ------------------------ */
struct ipet_header {
	u8 magic[8]; /* "IPECTBL\0" */
	u16 version;
	u16 header_size;
	u32 flags;
	u64 total_size;
	u64 checksum; /* FNV-1a 64 of the file with this field read as zero */
	u32 features;
	u32 section_count;
	u64 section_dir;
	u8 reserved[16];
};

enum ipet_section_kind {
	IPET_SEC_POLICY = 1,
	IPET_SEC_OPS = 2,
	IPET_SEC_KINDS = 3,
	IPET_SEC_MEMBERS = 4,
	IPET_SEC_TEMPLATES = 5,
	IPET_SEC_TEMPLATE_PROPS = 6,
	IPET_SEC_DIGEST_TABLE = 7,
	IPET_SEC_PAIR_TABLE = 8,
	IPET_SEC_DIGEST_ALGS = 9,
	IPET_SEC_AUDIT = 10,
};

/* AUDIT: the byte that stands for a digest value (the event's algorithm, ':' and hex). */
#define IPET_AUDIT_FSV_MARKER 0x01
#define IPET_AUDIT_DM_MARKER 0x02
#define IPET_AUDIT_HEADER_SIZE 16u

struct ipet_section {
	u32 kind;
	u32 index;
	u64 offset;
	u64 size;
	u64 count;
};

struct ipet_op_record {
	u8 evaluated;        /* 1: IPE is asked about this op on the target */
	u8 default_action;   /* 0 ALLOW, 1 DENY */
	u8 default_source;   /* 0 none, 1 DEFAULT op=, 2 global DEFAULT */
	u8 explicit_default; /* 1: the policy has DEFAULT op= for this op */
	u32 w_base;
	u32 w_kind;
	u32 zero;
};

struct ipet_kind {
	u32 offset[IPET_POINTS]; /* from the group's base rank, or IPET_NO_OFFSET */
	u64 deny_bits;           /* bit p: the action (1 DENY) at point p */
	u32 member_begin;
	u32 member_count;
};

struct ipet_member {
	u32 offset; /* rank - base rank */
	u32 tmpl;
};

struct ipet_template {
	u8 action;
	u8 zero;
	u16 nprops;
	u32 first_prop;
};

struct ipet_tprop {
	u8 prop;
	u8 value;
	u16 zero;
};

struct ipet_table_header {
	u8 subsystem; /* 0 fs-verity, 1 dm-verity, 2 pair */
	u8 length;    /* digest bytes; 8 for the pair table */
	u8 width;     /* payload bytes: 4 or 8 */
	u8 alg;       /* implied algorithm id of narrow payloads */
	u32 slots;
	u32 buckets;
	u32 seed;
};

/* ---- the loaded handle (points into the caller's buffer) ---------------------------------- */
struct ipet_dtab {
	const u8 *slots;   /* slot 0 */
	const u16 *disp;   /* per bucket */
	u32 nslots;
	u32 nbuckets;
	u32 seed;
	u32 stride;
	u32 length;        /* digest bytes */
	u32 wide;          /* 1: two-word payload */
	u32 alg;           /* implied algorithm of narrow payloads */
	u32 word_mask[16]; /* 0xFFFFFFFF for the words of the digest, 0 after */
};

struct ipet_table {
	const u8 *base;
	u64 size;
	u32 features;
	u32 flags;
	const u8 *name;
	u32 name_len;
	u16 version[3];
	const struct ipet_op_record *ops;
	const struct ipet_kind *kinds;
	u32 nkinds;
	const struct ipet_member *members;
	u32 nmembers;
	const struct ipet_template *templates;
	u32 ntemplates;
	const struct ipet_tprop *tprops;
	u32 ntprops;
	/* [subsystem][class]; class IPET_DIGEST_CLASSES is the always-empty table */
	struct ipet_dtab dtab[2][IPET_DIGEST_CLASSES + 1];
	struct ipet_dtab pair;
	const u8 *alg_names; /* DIGEST_ALGS section */
	u32 alg_names_size;
	/* Which lookups the table needs (decided at load time, the same for every event). */
	u32 has_fsv, has_dm, has_pair;
	/* AUDIT section */
	u32 global_default;        /* 0 ALLOW, 1 DENY, 2 none */
	u32 audit_rules;           /* R */
	u32 audit_nformats;        /* N */
	const u8 *audit_format_of; /* u32[R] */
	const u8 *audit_formats;   /* {u32 offset, u32 length}[N] */
	const u8 *audit_blob;
};

/* ---- events and decisions ----------------------------------------------------------------- */
struct ipet_event {
	u8 op;          /* enum ipe_op_type order */
	u8 file;        /* 1: the operation has a file */
	u8 initramfs;   /* 1: the file's superblock is the initramfs */
	u8 bdev;        /* 0 none, 1 plain block device, 2 dm-verity */
	u8 dm_signed;   /* dm-verity root hash signature verified */
	u8 fsverity;    /* 1: fs-verity is enabled on the file */
	u8 fsv_signed;  /* a valid fs-verity builtin signature */
	u8 bpf_verdict; /* enum lsm_integrity_verdict */
	u8 bpf_keyring; /* 0 builtin, 1 secondary, 2 platform, other: any other id */
	u8 bpf_kernel;
	u8 fsv_alg; /* algorithm ids as in docs/table-format.md */
	u8 fsv_len;
	u8 dm_alg;
	u8 dm_len;
	u8 pad[2];
	u8 fsv_digest[IPET_MAX_DIGEST]; /* zero after fsv_len bytes */
	u8 dm_digest[IPET_MAX_DIGEST];
};

enum ipet_decision_kind {
	IPET_RULE = 0,
	IPET_OP_DEFAULT = 1,
	IPET_GLOBAL_DEFAULT = 2,
	IPET_NOT_EVALUATED = 3,
	IPET_NO_DEFAULT = 4,
};

struct ipet_decision {
	u32 action; /* 0 ALLOW, 1 DENY */
	u32 kind;   /* enum ipet_decision_kind */
	u32 rule;   /* rank of the deciding rule, or IPET_NO_RULE */
};

enum ipet_status {
	IPET_OK = 0,
	IPET_E_TRUNCATED,      /* shorter than the header */
	IPET_E_MAGIC,
	IPET_E_VERSION,
	IPET_E_HEADER,         /* header size or reserved bytes */
	IPET_E_SIZE,           /* total size differs from the buffer */
	IPET_E_CHECKSUM,
	IPET_E_DIRECTORY,      /* section directory outside the file or misaligned */
	IPET_E_SECTION_BOUNDS, /* a section outside the file, misaligned or overlapping */
	IPET_E_SECTION_KIND,   /* unknown, missing or repeated section */
	IPET_E_SECTION_SIZE,   /* size does not match the record count */
	IPET_E_POLICY,         /* bad name or version record */
	IPET_E_OPS,            /* an op record field out of range */
	IPET_E_KIND,           /* a kind's offsets or member range */
	IPET_E_MEMBER,         /* a member's template index */
	IPET_E_TEMPLATE,       /* a template's action or property range */
	IPET_E_PROPERTY,       /* a template property id or value */
	IPET_E_TABLE,          /* a digest or pair table header */
	IPET_E_SLOT,           /* a slot's op, algorithm, kind or reference */
	IPET_E_ALGS,           /* the algorithm name section */
	IPET_E_ALIGN,          /* the buffer itself is not 8-aligned */
	IPET_E_AUDIT,          /* the AUDIT section */
};

int ipet_load(struct ipet_table *t, const void *buf, u64 len);
void ipet_eval(const struct ipet_table *t, const struct ipet_event *e, struct ipet_decision *out);
const char *ipet_strerror(int status);
/* The audit format of the rule at rank @rule; *len = 0 and *text = NULL when there is none. */
void ipet_rule_audit(const struct ipet_table *t, u32 rule, const u8 **text, u32 *len);
/* FNV-1a 64 of buf with the 8 bytes at skip_at read as zero (the header's checksum field). */
u64 ipet_checksum(const u8 *buf, u64 len, u64 skip_at);
/* The hash of docs/table-format.md, shared by the writer. */
u64 ipet_hash(u32 seed, const u32 words[16], u32 tag);
u32 ipet_bucket(u64 h, u32 nbuckets);
u32 ipet_slot(u64 h, u32 disp, u32 nslots);

/* Compile-time layout checks. */
static_assert(sizeof(struct ipet_header) == 64);
static_assert(sizeof(struct ipet_section) == 32);
static_assert(sizeof(struct ipet_op_record) == 16);
static_assert(sizeof(struct ipet_kind) == 272);
static_assert(sizeof(struct ipet_member) == 8);
static_assert(sizeof(struct ipet_template) == 8);
static_assert(sizeof(struct ipet_tprop) == 4);
static_assert(sizeof(struct ipet_table_header) == 16);
/* Field offsets the format document names. */
static_assert(offsetof(struct ipet_header, version) == 8);
static_assert(offsetof(struct ipet_header, total_size) == 16);
static_assert(offsetof(struct ipet_header, checksum) == 24);
static_assert(offsetof(struct ipet_header, features) == 32);
static_assert(offsetof(struct ipet_header, section_dir) == 40);
static_assert(offsetof(struct ipet_section, offset) == 8);
static_assert(offsetof(struct ipet_op_record, w_base) == 4);
static_assert(offsetof(struct ipet_kind, deny_bits) == 256);
static_assert(offsetof(struct ipet_kind, member_begin) == 264);
static_assert(offsetof(struct ipet_template, first_prop) == 4);
static_assert(offsetof(struct ipet_table_header, slots) == 4);
static_assert(offsetof(struct ipet_table_header, seed) == 12);

#endif /* IPET_H */
