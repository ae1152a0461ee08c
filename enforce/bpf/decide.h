/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The enforcer's decision function, shared by the BPF program (enforce/bpf/ipec_enforce.bpf.c)
 * and the host build (enforce/decide_host.c) that enforce.differential holds against ipet_eval().
 * It reads the BPF-map encoding of docs/table-format.md; docs/enforcer.md says why.
 *
 * The types alone are available to any includer. With IPEC_CTX_T defined (the type of the
 * lookups' context), the decision functions are compiled too, and the includer defines the five
 * lookups declared below, each returning NULL for a miss. Freestanding: no libc, no allocation, no loop that depends on
 * the policy (the verifier's work stays the same whatever the policy's size).
 */
#ifndef IPEC_ENFORCE_DECIDE_H
#define IPEC_ENFORCE_DECIDE_H

#ifndef __bpf__
#include <linux/types.h> /* the BPF side has them from vmlinux.h */
#endif

#ifndef IPEC_INLINE
#define IPEC_INLINE static inline __attribute__((always_inline))
#endif

#define IPEC_POINTS 64u
#define IPEC_OPS 8u
#define IPEC_OP_BPF 7u
#define IPEC_NO_OFFSET 0xFFFFFFFFu
#define IPEC_NO_RULE 0xFFFFFFFFu
#define IPEC_MAX_DIGEST 64u

/* The map layouts of docs/table-format.md, "The BPF-map encoding". */
struct ipec_op_rec {
	__u8 evaluated;
	__u8 default_action;   /* 0 ALLOW, 1 DENY */
	__u8 default_source;   /* 0 none, 1 DEFAULT op=, 2 global DEFAULT */
	__u8 explicit_default;
	__u32 w_base;
	__u32 w_kind;
	__u32 zero;
};

struct ipec_kind {
	__u32 offset[IPEC_POINTS]; /* from the group's base rank, or IPEC_NO_OFFSET */
	__u64 deny_bits;
};

struct ipec_dkey {
	__u8 op, alg, len, zero;
	__u8 digest[IPEC_MAX_DIGEST]; /* zero after len bytes */
};

struct ipec_pkey {
	__u8 op, fsv_alg, fsv_len, dm_alg, dm_len, zero[3];
	__u8 fsv[IPEC_MAX_DIGEST];
	__u8 dm[IPEC_MAX_DIGEST];
};

struct ipec_group {
	__u32 base;
	__u32 kind;
};

/* What the hooks establish about one event: struct ipet_event's layout and meaning, so that the
 * host test copies one into the other (it checks the layout). The BPF side cannot include
 * backend/ipet.h, whose types come from libc or the kernel's headers, not from vmlinux.h. */
struct ipec_facts {
	__u8 op, file, initramfs, bdev, dm_signed, fsverity, fsv_signed;
	__u8 bpf_verdict, bpf_keyring, bpf_kernel;
	__u8 fsv_alg, fsv_len, dm_alg, dm_len, pad[2];
	__u8 fsv_digest[IPEC_MAX_DIGEST]; /* zero after fsv_len bytes (the keys rely on it) */
	__u8 dm_digest[IPEC_MAX_DIGEST];
};

enum ipec_decision_kind {
	IPEC_RULE = 0,
	IPEC_OP_DEFAULT = 1,
	IPEC_GLOBAL_DEFAULT = 2,
	IPEC_NOT_EVALUATED = 3,
	IPEC_NO_DEFAULT = 4,
};

struct ipec_decision {
	__u32 action; /* 0 ALLOW, 1 DENY */
	__u32 kind;   /* enum ipec_decision_kind */
	__u32 rule;   /* rank of the deciding rule, or IPEC_NO_RULE */
};

/* Keys are built in caller memory: 204 bytes do not fit the BPF stack beside the facts. */
struct ipec_scratch {
	struct ipec_facts facts;
	struct ipec_dkey dkey;
	struct ipec_pkey pkey;
};

#define IPEC_ASSERT(name, cond) typedef char ipec_assert_##name[(cond) ? 1 : -1]
IPEC_ASSERT(op_rec, sizeof(struct ipec_op_rec) == 16);
IPEC_ASSERT(kind, sizeof(struct ipec_kind) == 264);
IPEC_ASSERT(dkey, sizeof(struct ipec_dkey) == 68);
IPEC_ASSERT(pkey, sizeof(struct ipec_pkey) == 136);
IPEC_ASSERT(group, sizeof(struct ipec_group) == 8);

#ifdef IPEC_CTX_T
static const struct ipec_op_rec *ipec_lookup_op(IPEC_CTX_T ctx, __u32 op);
static const struct ipec_kind *ipec_lookup_kind(IPEC_CTX_T ctx, __u32 kind);
static const struct ipec_group *ipec_lookup_fsv(IPEC_CTX_T ctx, const struct ipec_dkey *key);
static const struct ipec_group *ipec_lookup_dm(IPEC_CTX_T ctx, const struct ipec_dkey *key);
static const struct ipec_group *ipec_lookup_pair(IPEC_CTX_T ctx, const struct ipec_pkey *key);

/* The point of docs/table-format.md, "Points". */
IPEC_INLINE __u32 ipec_point(const struct ipec_facts *f)
{
	__u32 bdev = f->bdev < 3 ? f->bdev : 0;
	__u32 bdevk = bdev + ((bdev >> 1) & (f->dm_signed & 1));
	__u32 fsvk = (f->fsverity & 1) * (1 + (f->fsv_signed & 1));
	__u32 kr = f->bpf_keyring > 3 ? 3 : f->bpf_keyring;

	if ((f->op & 7) == IPEC_OP_BPF)
		return (f->bpf_verdict & 7) * 8 + kr * 2 + (f->bpf_kernel & 1);
	if (!(f->file & 1))
		return 0;
	if (f->initramfs & 1)
		return 1;
	return 2 + bdevk * 3 + fsvk;
}

/* A group's candidate at `point`: rank << 1 | deny, or all ones for none. */
IPEC_INLINE __u64 ipec_candidate(const struct ipec_kind *k, __u32 base, __u32 point)
{
	__u32 off;

	if (!k)
		return ~(__u64)0;
	off = k->offset[point & (IPEC_POINTS - 1)];
	if (off == IPEC_NO_OFFSET)
		return ~(__u64)0;
	return ((__u64)(base + off) << 1) | ((k->deny_bits >> (point & (IPEC_POINTS - 1))) & 1);
}

IPEC_INLINE __u64 ipec_group_candidate(IPEC_CTX_T ctx, const struct ipec_group *g, __u32 point)
{
	if (!g || g->kind == 0)
		return ~(__u64)0;
	return ipec_candidate(ipec_lookup_kind(ctx, g->kind), g->base, point);
}

IPEC_INLINE __u64 ipec_min(__u64 a, __u64 b)
{
	return a < b ? a : b;
}

/* A digest map key. The facts' digests are zero after their length (the hooks zero them, and so
 * does toIpetEvent), so a key copies all 64 bytes: no loop and no branch per byte, which the
 * verifier would otherwise explore state by state. */
IPEC_INLINE void ipec_fill_dkey(struct ipec_dkey *k, __u32 op, __u8 alg, __u8 len, const __u8 *digest)
{
	k->op = (__u8)op;
	k->alg = alg;
	k->len = len;
	k->zero = 0;
	__builtin_memcpy(k->digest, digest, IPEC_MAX_DIGEST);
}

/* The decision for s->facts; s->dkey and s->pkey are overwritten. Returns 0, or -1 when the op
 * record is missing (maps not filled). */
IPEC_INLINE int ipec_decide(IPEC_CTX_T ctx, struct ipec_scratch *s, struct ipec_decision *out)
{
	const struct ipec_facts *f = &s->facts;
	const __u32 op = f->op & 7;
	const struct ipec_op_rec *o = ipec_lookup_op(ctx, op);
	const __u32 point = ipec_point(f);
	const int digests = (f->file & 1) && op != IPEC_OP_BPF;
	const int has_fsv = digests && (f->fsverity & 1);
	const int has_dm = digests && f->bdev == 2;
	__u64 best;

	if (!o)
		return -1;
	best = ipec_candidate(ipec_lookup_kind(ctx, o->w_kind), o->w_base, point);
	if (has_fsv) {
		ipec_fill_dkey(&s->dkey, op, f->fsv_alg, f->fsv_len, f->fsv_digest);
		best = ipec_min(best, ipec_group_candidate(ctx, ipec_lookup_fsv(ctx, &s->dkey), point));
	}
	if (has_dm) {
		ipec_fill_dkey(&s->dkey, op, f->dm_alg, f->dm_len, f->dm_digest);
		best = ipec_min(best, ipec_group_candidate(ctx, ipec_lookup_dm(ctx, &s->dkey), point));
	}
	if (has_fsv && has_dm) {
		s->pkey.op = (__u8)op;
		s->pkey.fsv_alg = f->fsv_alg;
		s->pkey.fsv_len = f->fsv_len;
		s->pkey.dm_alg = f->dm_alg;
		s->pkey.dm_len = f->dm_len;
		s->pkey.zero[0] = s->pkey.zero[1] = s->pkey.zero[2] = 0;
		__builtin_memcpy(s->pkey.fsv, f->fsv_digest, IPEC_MAX_DIGEST);
		__builtin_memcpy(s->pkey.dm, f->dm_digest, IPEC_MAX_DIGEST);
		best = ipec_min(best, ipec_group_candidate(ctx, ipec_lookup_pair(ctx, &s->pkey), point));
	}

	if (!(o->evaluated & 1)) {
		out->action = 0;
		out->kind = IPEC_NOT_EVALUATED;
		out->rule = IPEC_NO_RULE;
		return 0;
	}
	if (best != ~(__u64)0) {
		out->action = (__u32)(best & 1);
		out->kind = IPEC_RULE;
		out->rule = (__u32)(best >> 1);
		return 0;
	}
	out->action = o->default_action & 1;
	out->kind = o->default_source == 0 ? IPEC_NO_DEFAULT : o->default_source;
	out->rule = IPEC_NO_RULE;
	return 0;
}

#endif /* IPEC_CTX_T */
#endif /* IPEC_ENFORCE_DECIDE_H */
