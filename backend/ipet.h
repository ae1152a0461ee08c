/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * ipet: load and evaluate an ipec decision table (docs/table-format.md).
 *
 * Freestanding C99: no libc, no allocation, kernel-style fixed-width types. ipet_load() checks
 * an untrusted table in O(size) and fills a handle that points into the caller's buffer;
 * ipet_eval() decides an event in constant time with no branch that depends on the event.
 * The reference implementation assumes a little-endian host.
 */
#ifndef IPET_H
#define IPET_H

#ifdef __KERNEL__
#include <linux/types.h>
typedef u8 ipet_u8;
typedef u16 ipet_u16;
typedef u32 ipet_u32;
typedef u64 ipet_u64;
#else
#include <stddef.h> /* freestanding headers */
#include <stdint.h>
typedef uint8_t ipet_u8;
typedef uint16_t ipet_u16;
typedef uint32_t ipet_u32;
typedef uint64_t ipet_u64;
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define IPET_FORMAT_VERSION 2u
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
	ipet_u8 magic[8]; /* "IPECTBL\0" */
	ipet_u16 version;
	ipet_u16 header_size;
	ipet_u32 flags;
	ipet_u64 total_size;
	ipet_u64 checksum; /* FNV-1a 64 of the file with this field read as zero */
	ipet_u32 features;
	ipet_u32 section_count;
	ipet_u64 section_dir;
	ipet_u8 reserved[16];
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
};

struct ipet_section {
	ipet_u32 kind;
	ipet_u32 index;
	ipet_u64 offset;
	ipet_u64 size;
	ipet_u64 count;
};

struct ipet_op_record {
	ipet_u8 evaluated;        /* 1: IPE is asked about this op on the target */
	ipet_u8 default_action;   /* 0 ALLOW, 1 DENY */
	ipet_u8 default_source;   /* 0 none, 1 DEFAULT op=, 2 global DEFAULT */
	ipet_u8 explicit_default; /* 1: the policy has DEFAULT op= for this op */
	ipet_u32 w_base;
	ipet_u32 w_kind;
	ipet_u32 zero;
};

struct ipet_kind {
	ipet_u32 offset[IPET_POINTS]; /* from the group's base rank, or IPET_NO_OFFSET */
	ipet_u64 deny_bits;           /* bit p: the action (1 DENY) at point p */
	ipet_u32 member_begin;
	ipet_u32 member_count;
};

struct ipet_member {
	ipet_u32 offset; /* rank - base rank */
	ipet_u32 tmpl;
};

struct ipet_template {
	ipet_u8 action;
	ipet_u8 zero;
	ipet_u16 nprops;
	ipet_u32 first_prop;
};

struct ipet_tprop {
	ipet_u8 prop;
	ipet_u8 value;
	ipet_u16 zero;
};

struct ipet_table_header {
	ipet_u8 subsystem; /* 0 fs-verity, 1 dm-verity, 2 pair */
	ipet_u8 length;    /* digest bytes; 8 for the pair table */
	ipet_u8 width;     /* payload bytes: 4 or 8 */
	ipet_u8 alg;       /* implied algorithm id of narrow payloads */
	ipet_u32 slots;
	ipet_u32 buckets;
	ipet_u32 seed;
};

/* ---- the loaded handle (points into the caller's buffer) ---------------------------------- */
struct ipet_dtab {
	const ipet_u8 *slots;   /* slot 0 */
	const ipet_u16 *disp;   /* per bucket */
	ipet_u32 nslots;
	ipet_u32 nbuckets;
	ipet_u32 seed;
	ipet_u32 stride;
	ipet_u32 length;        /* digest bytes */
	ipet_u32 wide;          /* 1: two-word payload */
	ipet_u32 alg;           /* implied algorithm of narrow payloads */
	ipet_u32 word_mask[16]; /* 0xFFFFFFFF for the words of the digest, 0 after */
};

struct ipet_table {
	const ipet_u8 *base;
	ipet_u64 size;
	ipet_u32 features;
	ipet_u32 flags;
	const ipet_u8 *name;
	ipet_u32 name_len;
	ipet_u16 version[3];
	const struct ipet_op_record *ops;
	const struct ipet_kind *kinds;
	ipet_u32 nkinds;
	const struct ipet_member *members;
	ipet_u32 nmembers;
	const struct ipet_template *templates;
	ipet_u32 ntemplates;
	const struct ipet_tprop *tprops;
	ipet_u32 ntprops;
	/* [subsystem][class]; class IPET_DIGEST_CLASSES is the always-empty table */
	struct ipet_dtab dtab[2][IPET_DIGEST_CLASSES + 1];
	struct ipet_dtab pair;
	const ipet_u8 *alg_names; /* DIGEST_ALGS section */
	ipet_u32 alg_names_size;
	/* Which lookups the table needs (decided at load time, the same for every event). */
	ipet_u32 has_fsv, has_dm, has_pair;
};

/* ---- events and decisions ----------------------------------------------------------------- */
struct ipet_event {
	ipet_u8 op;          /* enum ipe_op_type order */
	ipet_u8 file;        /* 1: the operation has a file */
	ipet_u8 initramfs;   /* 1: the file's superblock is the initramfs */
	ipet_u8 bdev;        /* 0 none, 1 plain block device, 2 dm-verity */
	ipet_u8 dm_signed;   /* dm-verity root hash signature verified */
	ipet_u8 fsverity;    /* 1: fs-verity is enabled on the file */
	ipet_u8 fsv_signed;  /* a valid fs-verity builtin signature */
	ipet_u8 bpf_verdict; /* enum lsm_integrity_verdict */
	ipet_u8 bpf_keyring; /* 0 builtin, 1 secondary, 2 platform, other: any other id */
	ipet_u8 bpf_kernel;
	ipet_u8 fsv_alg; /* algorithm ids as in docs/table-format.md */
	ipet_u8 fsv_len;
	ipet_u8 dm_alg;
	ipet_u8 dm_len;
	ipet_u8 pad[2];
	ipet_u8 fsv_digest[IPET_MAX_DIGEST]; /* zero after fsv_len bytes */
	ipet_u8 dm_digest[IPET_MAX_DIGEST];
};

enum ipet_decision_kind {
	IPET_RULE = 0,
	IPET_OP_DEFAULT = 1,
	IPET_GLOBAL_DEFAULT = 2,
	IPET_NOT_EVALUATED = 3,
	IPET_NO_DEFAULT = 4,
};

struct ipet_decision {
	ipet_u32 action; /* 0 ALLOW, 1 DENY */
	ipet_u32 kind;   /* enum ipet_decision_kind */
	ipet_u32 rule;   /* rank of the deciding rule, or IPET_NO_RULE */
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
};

int ipet_load(struct ipet_table *t, const void *buf, ipet_u64 len);
void ipet_eval(const struct ipet_table *t, const struct ipet_event *e, struct ipet_decision *out);
const char *ipet_strerror(int status);
/* FNV-1a 64 of buf with the 8 bytes at skip_at read as zero (the header's checksum field). */
ipet_u64 ipet_checksum(const ipet_u8 *buf, ipet_u64 len, ipet_u64 skip_at);
/* The hash of docs/table-format.md, shared by the writer. */
ipet_u64 ipet_hash(ipet_u32 seed, const ipet_u32 words[16], ipet_u32 tag);
ipet_u32 ipet_bucket(ipet_u64 h, ipet_u32 nbuckets);
ipet_u32 ipet_slot(ipet_u64 h, ipet_u32 disp, ipet_u32 nslots);

/* Compile-time layout checks (C99: a negative array size fails). */
#define IPET_ASSERT(name, cond) typedef char ipet_assert_##name[(cond) ? 1 : -1]
IPET_ASSERT(header_size, sizeof(struct ipet_header) == 64);
IPET_ASSERT(section_size, sizeof(struct ipet_section) == 32);
IPET_ASSERT(op_record_size, sizeof(struct ipet_op_record) == 16);
IPET_ASSERT(kind_size, sizeof(struct ipet_kind) == 272);
IPET_ASSERT(member_size, sizeof(struct ipet_member) == 8);
IPET_ASSERT(template_size, sizeof(struct ipet_template) == 8);
IPET_ASSERT(tprop_size, sizeof(struct ipet_tprop) == 4);
IPET_ASSERT(table_header_size, sizeof(struct ipet_table_header) == 16);
/* Field offsets the format document names. */
IPET_ASSERT(header_version, offsetof(struct ipet_header, version) == 8);
IPET_ASSERT(header_total, offsetof(struct ipet_header, total_size) == 16);
IPET_ASSERT(header_checksum, offsetof(struct ipet_header, checksum) == 24);
IPET_ASSERT(header_features, offsetof(struct ipet_header, features) == 32);
IPET_ASSERT(header_dir, offsetof(struct ipet_header, section_dir) == 40);
IPET_ASSERT(section_offset, offsetof(struct ipet_section, offset) == 8);
IPET_ASSERT(op_w_base, offsetof(struct ipet_op_record, w_base) == 4);
IPET_ASSERT(kind_deny, offsetof(struct ipet_kind, deny_bits) == 256);
IPET_ASSERT(kind_members, offsetof(struct ipet_kind, member_begin) == 264);
IPET_ASSERT(template_first, offsetof(struct ipet_template, first_prop) == 4);
IPET_ASSERT(table_slots, offsetof(struct ipet_table_header, slots) == 4);
IPET_ASSERT(table_seed, offsetof(struct ipet_table_header, seed) == 12);

#ifdef __cplusplus
}
#endif

#endif /* IPET_H */
