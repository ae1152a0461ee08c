// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * ipet: the loader and interpreter of ipec decision tables (ipec's docs/table-format.md).
 * Freestanding C: no libc, no allocation, no floating point. Records are read through typed
 * pointers into the caller's 8-aligned buffer (build with -fno-strict-aliasing, as the kernel
 * does); fields that may be unaligned go through get_unaligned_le32().
 */
#include "ipet.h"

#define IPET_KINDS_MAX 0x1000000u /* 2^24 */
#define IPET_RANK_MAX 0x80000000u /* 2^31 */
#define IPET_SECTIONS_MAX 64u
#define IPET_SECTION_KINDS (IPET_SEC_AUDIT + 1)
#define IPET_ALG_COUNT 13u
#define IPET_PROP_COUNT 8u

/* ---- hashing (shared with the writer) ---- */
static u64 fmix64(u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

u64 ipet_hash(u32 seed, const u32 words[16], u32 tag)
{
	/*
	 * Two independent lanes over eight 64-bit words: four multiplies on each critical path
	 * (a single 16-round chain measured ~100 ns a decision).
	 */
	u64 a = seed ^ 0x243f6a8885a308d3ULL;
	u64 b = seed ^ 0x13198a2e03707344ULL;
	unsigned int i;

	for (i = 0; i < 16; i += 4) {
		a = (a ^ ((u64)words[i] | (u64)words[i + 1] << 32)) * 0x9e3779b97f4a7c15ULL;
		b = (b ^ ((u64)words[i + 2] | (u64)words[i + 3] << 32)) * 0xc2b2ae3d27d4eb4fULL;
		a ^= a >> 29;
		b ^= b >> 31;
	}
	return fmix64(a ^ ((b << 31) | (b >> 33)) ^ tag);
}

u32 ipet_bucket(u64 h, u32 nbuckets)
{
	return (u32)(((h >> 32) * (u64)nbuckets) >> 32);
}

u32 ipet_slot(u64 h, u32 disp, u32 nslots)
{
	u64 x = (h ^ (((u64)disp + 1) * 0x9e3779b97f4a7c15ULL >> 32)) & 0xffffffffULL;

	return (u32)((x * (u64)nslots) >> 32);
}

u64 ipet_checksum(const u8 *buf, u64 len, u64 skip_at)
{
	u64 h = 0xcbf29ce484222325ULL;
	u64 i;

	for (i = 0; i < len; ++i) {
		u8 c = (i >= skip_at && i < skip_at + 8) ? 0 : buf[i];

		h = (h ^ c) * 0x100000001b3ULL;
	}
	return h;
}

/* ---- loading ---- */
static const u8 digest_lengths[IPET_DIGEST_CLASSES] = {20, 28, 32, 48, 64};

/* An always-empty table: one zero slot of the widest stride, its padding, one bucket. */
static const u8 empty_slots[IPET_MAX_DIGEST + 8 + IPET_TABLE_PAD];
static const u16 empty_disp[1];

/* Property domains in ipec's stdlib/properties.def order; 0 marks a digest property. */
static const u8 prop_domain[IPET_PROP_COUNT] = {2, 0, 2, 0, 2, 8, 3, 2};

static u32 rd32(const u8 *p)
{
	return get_unaligned_le32(p);
}

static void set_empty(struct ipet_dtab *d)
{
	unsigned int i;

	d->slots = empty_slots;
	d->disp = empty_disp;
	d->nslots = 1;
	d->nbuckets = 1;
	d->seed = 0;
	d->stride = IPET_MAX_DIGEST + 8;
	d->length = IPET_MAX_DIGEST;
	d->wide = 1;
	d->alg = 0;
	for (i = 0; i < 16; ++i)
		d->word_mask[i] = 0xFFFFFFFFu;
}

/* Whether [off, off+size) lies inside a buffer of len bytes, without overflow. */
static int inside(u64 off, u64 size, u64 len)
{
	return size <= len && off <= len - size;
}

/* One slot's payload; @t's kinds are loaded, and for the pair table its digest tables. */
static int check_slot(struct ipet_table *t, const struct ipet_table_header *h, const u8 *s,
		      u32 subsystem)
{
	u32 a = rd32(s + h->length);
	u32 b = h->width == 8 ? rd32(s + h->length + 4) : 0;
	u32 base, kind, alg;

	if (subsystem == 2) {
		u32 fref = rd32(s), dref = rd32(s + 4);
		u32 fcls = (b >> 3) & 7, dcls = (b >> 6) & 7;

		base = a;
		kind = b >> 9;
		if (fcls >= IPET_DIGEST_CLASSES || dcls >= IPET_DIGEST_CLASSES)
			return IPET_E_SLOT;
		if (fref > t->dtab[0][fcls].nslots || dref > t->dtab[1][dcls].nslots)
			return IPET_E_SLOT;
		if (!fref != !dref)
			return IPET_E_SLOT;
		if (kind != 0)
			t->has_pair = 1;
	} else if (h->width == 8) {
		base = a;
		alg = (b >> 3) & 31;
		kind = b >> 8;
		/*
		 * 31 marks an empty slot, which must stay empty: the decompiler names the
		 * algorithm of every slot that has a group.
		 */
		if (alg >= IPET_ALG_COUNT && !(alg == IPET_EMPTY_ALG && kind == 0))
			return IPET_E_SLOT;
	} else {
		base = a & 0xFFFFFFu;
		kind = a >> 27;
	}
	if (kind >= t->nkinds || base >= IPET_RANK_MAX)
		return IPET_E_SLOT;
	return IPET_OK;
}

static int check_table_header(const struct ipet_table_header *h, u64 size, u64 count,
			      u32 subsystem, u32 length)
{
	u64 disp_bytes, need;

	if (h->subsystem != subsystem || h->length != length)
		return IPET_E_TABLE;
	if (h->width != 4 && h->width != 8)
		return IPET_E_TABLE;
	if (subsystem == 2 && h->width != 8)
		return IPET_E_TABLE;
	if (h->width == 4 && h->alg >= IPET_ALG_COUNT)
		return IPET_E_TABLE;
	if (h->slots == 0 || h->buckets == 0 || count != h->slots)
		return IPET_E_TABLE;
	disp_bytes = ((u64)h->buckets * 2 + 3) & ~(u64)3;
	need = sizeof(*h) + disp_bytes + (u64)h->slots * (h->length + h->width) + IPET_TABLE_PAD;
	if (need != size)
		return IPET_E_TABLE;
	return IPET_OK;
}

static int load_table(struct ipet_table *t, struct ipet_dtab *d, const u8 *sec, u64 size,
		      u64 count, u32 subsystem, u32 length)
{
	const struct ipet_table_header *h = (const struct ipet_table_header *)sec;
	u32 i, stride;
	u64 slots_off;
	int rc;

	if (size < sizeof(*h))
		return IPET_E_TABLE;
	rc = check_table_header(h, size, count, subsystem, length);
	if (rc != IPET_OK)
		return rc;
	stride = (u32)h->length + h->width;
	slots_off = sizeof(*h) + (((u64)h->buckets * 2 + 3) & ~(u64)3);
	for (i = 0; i < IPET_TABLE_PAD; ++i)
		if (sec[slots_off + (u64)h->slots * stride + i] != 0)
			return IPET_E_TABLE;
	d->slots = sec + slots_off;
	d->disp = (const u16 *)(sec + sizeof(*h));
	d->nslots = h->slots;
	d->nbuckets = h->buckets;
	d->seed = h->seed;
	d->stride = stride;
	d->length = h->length;
	d->wide = h->width == 8;
	d->alg = h->alg;
	for (i = 0; i < 16; ++i)
		d->word_mask[i] = i * 4 < h->length ? 0xFFFFFFFFu : 0;
	for (i = 0; i < h->slots; ++i) {
		rc = check_slot(t, h, d->slots + (u64)i * stride, subsystem);
		if (rc != IPET_OK)
			return rc;
	}
	if (subsystem == 0)
		t->has_fsv = 1;
	if (subsystem == 1)
		t->has_dm = 1;
	return IPET_OK;
}

static int check_name(const u8 *name, u32 len)
{
	u32 i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; ++i) {
		u8 c = name[i];

		if (c == 0 || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '#')
			return 0;
	}
	return 1;
}

static int check_header(const u8 *b, u64 len)
{
	static const u8 magic[8] = {'I', 'P', 'E', 'C', 'T', 'B', 'L', 0};
	const struct ipet_header *h = (const struct ipet_header *)b;
	u32 i;

	if (len < IPET_HEADER_SIZE)
		return IPET_E_TRUNCATED;
	for (i = 0; i < 8; ++i)
		if (h->magic[i] != magic[i])
			return IPET_E_MAGIC;
	if (h->version != IPET_FORMAT_VERSION)
		return IPET_E_VERSION;
	if (h->header_size != IPET_HEADER_SIZE || (h->flags & ~1u) != 0)
		return IPET_E_HEADER;
	for (i = 0; i < sizeof(h->reserved); ++i)
		if (h->reserved[i] != 0)
			return IPET_E_HEADER;
	if (h->total_size != len)
		return IPET_E_SIZE;
	if (ipet_checksum(b, len, 24) != h->checksum)
		return IPET_E_CHECKSUM;
	if (h->section_count == 0 || h->section_count > IPET_SECTIONS_MAX ||
	    (h->section_dir & 7) != 0 || h->section_dir < IPET_HEADER_SIZE)
		return IPET_E_DIRECTORY;
	if (!inside(h->section_dir, (u64)h->section_count * sizeof(struct ipet_section), len))
		return IPET_E_DIRECTORY;
	return IPET_OK;
}

/* Bounds, alignment, no overlap with each other, the header or the directory; kinds. */
static int check_directory(const struct ipet_header *h, const struct ipet_section *dir, u64 len,
			   const struct ipet_section **sec_of)
{
	u64 dir_bytes = (u64)h->section_count * sizeof(struct ipet_section);
	u32 seen_tables = 0;
	u32 i, j;

	for (i = 0; i < h->section_count; ++i) {
		const struct ipet_section *x = &dir[i];

		if ((x->offset & 7) != 0 || x->offset < IPET_HEADER_SIZE ||
		    !inside(x->offset, x->size, len))
			return IPET_E_SECTION_BOUNDS;
		if (x->offset < h->section_dir + dir_bytes && h->section_dir < x->offset + x->size)
			return IPET_E_SECTION_BOUNDS;
		for (j = 0; j < i; ++j) {
			const struct ipet_section *y = &dir[j];

			if (x->offset < y->offset + y->size && y->offset < x->offset + x->size)
				return IPET_E_SECTION_BOUNDS;
		}
		if (x->kind < IPET_SEC_POLICY || x->kind > IPET_SEC_AUDIT)
			return IPET_E_SECTION_KIND;
		if (x->kind == IPET_SEC_DIGEST_TABLE) {
			u32 sub = x->index / 8, cls = x->index % 8;

			if (sub > 1 || cls >= IPET_DIGEST_CLASSES || (seen_tables >> x->index & 1))
				return IPET_E_SECTION_KIND;
			seen_tables |= 1u << x->index;
		} else {
			if (x->index != 0 || sec_of[x->kind])
				return IPET_E_SECTION_KIND;
			sec_of[x->kind] = x;
		}
	}
	for (i = IPET_SEC_POLICY; i <= IPET_SEC_AUDIT; ++i)
		if (i != IPET_SEC_DIGEST_TABLE && !sec_of[i])
			return IPET_E_SECTION_KIND;
	return IPET_OK;
}

static int records_fit(const struct ipet_section *x, u64 record_size, u64 max)
{
	return x->count <= max && x->size == x->count * record_size;
}

static int check_sizes(const struct ipet_section **sec_of)
{
	const struct ipet_section *ops = sec_of[IPET_SEC_OPS];
	const struct ipet_section *kinds = sec_of[IPET_SEC_KINDS];

	if (ops->count != IPET_OPS || !records_fit(ops, sizeof(struct ipet_op_record), IPET_OPS))
		return IPET_E_SECTION_SIZE;
	if (kinds->count == 0 ||
	    !records_fit(kinds, sizeof(struct ipet_kind), IPET_KINDS_MAX))
		return IPET_E_SECTION_SIZE;
	if (!records_fit(sec_of[IPET_SEC_MEMBERS], sizeof(struct ipet_member), 0xFFFFFFFFu) ||
	    !records_fit(sec_of[IPET_SEC_TEMPLATES], sizeof(struct ipet_template), 0xFFFFFFFFu) ||
	    !records_fit(sec_of[IPET_SEC_TEMPLATE_PROPS], sizeof(struct ipet_tprop), 0xFFFFFFFFu))
		return IPET_E_SECTION_SIZE;
	return IPET_OK;
}

static int load_policy(struct ipet_table *t, const struct ipet_section *x)
{
	const u8 *p = t->base + x->offset;
	u32 n;

	if (x->size < 8 || x->count != 1)
		return IPET_E_POLICY;
	n = (u32)p[6] | (u32)p[7] << 8;
	if (n > x->size - 8 || !check_name(p + 8, n))
		return IPET_E_POLICY;
	t->version[0] = (u16)(p[0] | p[1] << 8);
	t->version[1] = (u16)(p[2] | p[3] << 8);
	t->version[2] = (u16)(p[4] | p[5] << 8);
	t->name = p + 8;
	t->name_len = n;
	return IPET_OK;
}

static int check_kind(const struct ipet_table *t, const struct ipet_kind *k, int empty)
{
	u32 j;

	if (k->member_begin > t->nmembers || k->member_count > t->nmembers - k->member_begin)
		return IPET_E_KIND;
	for (j = 0; j < IPET_POINTS; ++j)
		if (k->offset[j] != IPET_NO_OFFSET && k->offset[j] >= IPET_RANK_MAX)
			return IPET_E_KIND;
	if (!empty)
		return IPET_OK;
	if (k->member_count != 0 || k->deny_bits != 0)
		return IPET_E_KIND;
	for (j = 0; j < IPET_POINTS; ++j)
		if (k->offset[j] != IPET_NO_OFFSET)
			return IPET_E_KIND;
	return IPET_OK;
}

static int check_records(const struct ipet_table *t)
{
	u32 i;
	int rc;

	for (i = 0; i < t->ntprops; ++i) {
		const struct ipet_tprop *p = &t->tprops[i];

		if (p->prop >= IPET_PROP_COUNT || prop_domain[p->prop] == 0 ||
		    p->value >= prop_domain[p->prop] || p->zero != 0)
			return IPET_E_PROPERTY;
	}
	for (i = 0; i < t->ntemplates; ++i) {
		const struct ipet_template *x = &t->templates[i];

		if (x->action > 1 || x->zero != 0 || x->first_prop > t->ntprops ||
		    x->nprops > t->ntprops - x->first_prop)
			return IPET_E_TEMPLATE;
	}
	for (i = 0; i < t->nmembers; ++i)
		if (t->members[i].tmpl >= t->ntemplates || t->members[i].offset >= IPET_RANK_MAX)
			return IPET_E_MEMBER;
	for (i = 0; i < t->nkinds; ++i) {
		rc = check_kind(t, &t->kinds[i], i == 0);
		if (rc != IPET_OK)
			return rc;
	}
	for (i = 0; i < IPET_OPS; ++i) {
		const struct ipet_op_record *o = &t->ops[i];

		if (o->evaluated > 1 || o->default_action > 1 || o->default_source > 2 ||
		    o->explicit_default > 1 || o->zero != 0 || o->w_kind >= t->nkinds ||
		    o->w_base >= IPET_RANK_MAX)
			return IPET_E_OPS;
	}
	return IPET_OK;
}

/* DIGEST_ALGS: IPET_ALG_COUNT length-prefixed names. */
static int load_algs(struct ipet_table *t, const struct ipet_section *x)
{
	const u8 *p = t->base + x->offset;
	u64 off = 0;
	u32 i;

	if (x->count != IPET_ALG_COUNT)
		return IPET_E_ALGS;
	for (i = 0; i < IPET_ALG_COUNT; ++i) {
		if (off >= x->size || p[off] == 0 || p[off] > x->size - off - 1)
			return IPET_E_ALGS;
		off += 1 + p[off];
	}
	t->alg_names = p;
	t->alg_names_size = (u32)x->size;
	return IPET_OK;
}

/* A byte of an audit format: a digest marker, or printable ASCII other than the quote. */
static int audit_byte_ok(u8 c)
{
	return c == IPET_AUDIT_FSV_MARKER || c == IPET_AUDIT_DM_MARKER ||
	       (c >= 0x20 && c <= 0x7e && c != '"');
}

/* The global DEFAULT must be the default of every op that takes it. */
static int check_global_default(const struct ipet_table *t)
{
	u32 i;

	if (t->global_default > 2)
		return IPET_E_AUDIT;
	for (i = 0; i < IPET_OPS; ++i)
		if (t->ops[i].default_source == 2 &&
		    t->ops[i].default_action != t->global_default)
			return IPET_E_AUDIT;
	return IPET_OK;
}

/* AUDIT: R, N, B, the global default, u32[R] format indices, {offset, length}[N], the blob. */
static int load_audit(struct ipet_table *t, const struct ipet_section *x)
{
	const u8 *p = t->base + x->offset;
	u32 r, n, blob, i;

	if (x->size < IPET_AUDIT_HEADER_SIZE)
		return IPET_E_AUDIT;
	r = rd32(p);
	n = rd32(p + 4);
	blob = rd32(p + 8);
	t->global_default = p[12];
	if (p[13] != 0 || p[14] != 0 || p[15] != 0 || x->count != r)
		return IPET_E_AUDIT;
	if (x->size != IPET_AUDIT_HEADER_SIZE + 4 * (u64)r + 8 * (u64)n + blob)
		return IPET_E_AUDIT;
	t->audit_rules = r;
	t->audit_nformats = n;
	t->audit_format_of = p + IPET_AUDIT_HEADER_SIZE;
	t->audit_formats = t->audit_format_of + 4 * (u64)r;
	t->audit_blob = t->audit_formats + 8 * (u64)n;
	for (i = 0; i < r; ++i)
		if (rd32(t->audit_format_of + 4 * (u64)i) >= n)
			return IPET_E_AUDIT;
	for (i = 0; i < n; ++i) {
		u32 off = rd32(t->audit_formats + 8 * (u64)i);
		u32 flen = rd32(t->audit_formats + 8 * (u64)i + 4);

		if (off > blob || flen > blob - off)
			return IPET_E_AUDIT;
	}
	for (i = 0; i < blob; ++i)
		if (!audit_byte_ok(t->audit_blob[i]))
			return IPET_E_AUDIT;
	return check_global_default(t);
}

static void reset(struct ipet_table *t)
{
	u32 s, c;

	*t = (struct ipet_table){ 0 };
	for (s = 0; s < 2; ++s)
		for (c = 0; c <= IPET_DIGEST_CLASSES; ++c)
			set_empty(&t->dtab[s][c]);
	set_empty(&t->pair);
	t->global_default = 2;
}

static void point_at_records(struct ipet_table *t, const struct ipet_section **sec_of)
{
	const u8 *b = t->base;

	t->ops = (const struct ipet_op_record *)(b + sec_of[IPET_SEC_OPS]->offset);
	t->kinds = (const struct ipet_kind *)(b + sec_of[IPET_SEC_KINDS]->offset);
	t->nkinds = (u32)sec_of[IPET_SEC_KINDS]->count;
	t->members = (const struct ipet_member *)(b + sec_of[IPET_SEC_MEMBERS]->offset);
	t->nmembers = (u32)sec_of[IPET_SEC_MEMBERS]->count;
	t->templates = (const struct ipet_template *)(b + sec_of[IPET_SEC_TEMPLATES]->offset);
	t->ntemplates = (u32)sec_of[IPET_SEC_TEMPLATES]->count;
	t->tprops = (const struct ipet_tprop *)(b + sec_of[IPET_SEC_TEMPLATE_PROPS]->offset);
	t->ntprops = (u32)sec_of[IPET_SEC_TEMPLATE_PROPS]->count;
}

/* Digest tables, then the pair table (its slots refer to theirs). */
static int load_tables(struct ipet_table *t, const struct ipet_header *h,
		       const struct ipet_section *dir, const struct ipet_section *pair)
{
	u32 i;
	int rc;

	for (i = 0; i < h->section_count; ++i) {
		const struct ipet_section *x = &dir[i];
		u32 sub = x->index / 8, cls = x->index % 8;

		if (x->kind != IPET_SEC_DIGEST_TABLE)
			continue;
		rc = load_table(t, &t->dtab[sub][cls], t->base + x->offset, x->size, x->count, sub,
				digest_lengths[cls]);
		if (rc != IPET_OK)
			return rc;
	}
	return load_table(t, &t->pair, t->base + pair->offset, pair->size, pair->count, 2, 8);
}

/**
 * ipet_load - validate a decision table and fill a handle that points into it
 * @t: the handle to fill
 * @buf: the table, 8-aligned; it must outlive @t
 * @len: its size in bytes
 *
 * Every offset, count, enum value and reference is checked, in O(@len).
 *
 * Return: IPET_OK, or the enum ipet_status of the first check that failed.
 */
int ipet_load(struct ipet_table *t, const void *buf, u64 len)
{
	const struct ipet_section *sec_of[IPET_SECTION_KINDS] = { NULL };
	const u8 *b = buf;
	const struct ipet_header *h = buf;
	const struct ipet_section *dir;
	int rc;

	reset(t);
	if (((unsigned long)buf & 7) != 0)
		return IPET_E_ALIGN;
	rc = check_header(b, len);
	if (rc != IPET_OK)
		return rc;
	dir = (const struct ipet_section *)(b + h->section_dir);
	rc = check_directory(h, dir, len, sec_of);
	if (rc != IPET_OK)
		return rc;
	rc = check_sizes(sec_of);
	if (rc != IPET_OK)
		return rc;
	t->base = b;
	t->size = len;
	t->features = h->features;
	t->flags = h->flags;
	rc = load_policy(t, sec_of[IPET_SEC_POLICY]);
	if (rc != IPET_OK)
		return rc;
	point_at_records(t, sec_of);
	rc = check_records(t);
	if (rc != IPET_OK)
		return rc;
	rc = load_tables(t, h, dir, sec_of[IPET_SEC_PAIR_TABLE]);
	if (rc != IPET_OK)
		return rc;
	rc = load_algs(t, sec_of[IPET_SEC_DIGEST_ALGS]);
	if (rc != IPET_OK)
		return rc;
	return load_audit(t, sec_of[IPET_SEC_AUDIT]);
}

/**
 * ipet_strerror - describe a status of ipet_load()
 * @status: an enum ipet_status
 *
 * Return: a static string.
 */
const char *ipet_strerror(int status)
{
	switch (status) {
	case IPET_OK:
		return "ok";
	case IPET_E_TRUNCATED:
		return "shorter than the 64-byte header";
	case IPET_E_MAGIC:
		return "not an ipec decision table (bad magic)";
	case IPET_E_VERSION:
		return "unsupported format version";
	case IPET_E_HEADER:
		return "bad header size, flags or reserved bytes";
	case IPET_E_SIZE:
		return "the header's total size differs from the file size";
	case IPET_E_CHECKSUM:
		return "checksum mismatch";
	case IPET_E_DIRECTORY:
		return "the section directory is outside the file or misaligned";
	case IPET_E_SECTION_BOUNDS:
		return "a section is outside the file, misaligned or overlapping";
	case IPET_E_SECTION_KIND:
		return "an unknown, missing or repeated section";
	case IPET_E_SECTION_SIZE:
		return "a section's size does not match its record count";
	case IPET_E_POLICY:
		return "bad policy name or version record";
	case IPET_E_OPS:
		return "an op record field is out of range";
	case IPET_E_KIND:
		return "a kind's offsets or member range are out of range";
	case IPET_E_MEMBER:
		return "a member refers to a missing template";
	case IPET_E_TEMPLATE:
		return "a template's action or property range is out of range";
	case IPET_E_PROPERTY:
		return "a template property id or value is out of range";
	case IPET_E_TABLE:
		return "a digest or pair table header is inconsistent";
	case IPET_E_SLOT:
		return "a table slot's op, algorithm, kind or reference is out of range";
	case IPET_E_ALGS:
		return "the digest algorithm name section is malformed";
	case IPET_E_ALIGN:
		return "the buffer is not 8-byte aligned";
	case IPET_E_AUDIT:
		return "the audit section's sizes, formats or global default are invalid";
	}
	return "unknown error";
}

/**
 * ipet_rule_audit - the audit format of a rule
 * @t: a loaded table
 * @rule: the rule's rank (struct ipet_decision's rule)
 * @text: set to the format's bytes, or NULL
 * @len: set to the format's length, or 0
 *
 * The format is the text IPE prints between rule=" and the closing quote, with each digest
 * value replaced by the byte IPET_AUDIT_FSV_MARKER or IPET_AUDIT_DM_MARKER.
 */
void ipet_rule_audit(const struct ipet_table *t, u32 rule, const u8 **text, u32 *len)
{
	u32 f;
	const u8 *entry;

	*text = NULL;
	*len = 0;
	if (rule >= t->audit_rules)
		return;
	rule = IPET_INDEX(rule, t->audit_rules);
	f = rd32(t->audit_format_of + 4 * (u64)rule);
	f = IPET_INDEX(f, t->audit_nformats);
	entry = t->audit_formats + 8 * (u64)f;
	*text = t->audit_blob + rd32(entry);
	*len = rd32(entry + 4);
}

/* ---- evaluation: no branch depends on the event ---- */

/* All ones when x is nonzero; computed without a branch. */
static u64 nonzero_mask(u64 x)
{
	return (u64)0 - ((x | ((u64)0 - x)) >> 63);
}

static u64 min64(u64 a, u64 b)
{
	u64 lt = (u64)0 - (u64)(a < b); /* setcc, not a branch */

	return b ^ ((a ^ b) & lt);
}

struct ipet_hit {
	u64 candidate; /* rank << 1 | deny, or all ones */
	u32 slot1;     /* matching slot + 1, or 0 */
};

/* The candidate a group (base rank, kind) offers at @point: rank << 1 | deny, or all ones. */
static u64 candidate_at(const struct ipet_table *t, u32 base, u32 kind, u32 point)
{
	const struct ipet_kind *k = &t->kinds[IPET_INDEX(kind, t->nkinds)];
	u32 off = k->offset[point];
	u64 none = ~nonzero_mask((u64)(off ^ IPET_NO_OFFSET));

	return (((u64)(base + off) << 1) | ((k->deny_bits >> point) & 1)) | none;
}

/* The slot of @d that @words and @tag hash to. */
static const u8 *slot_of(const struct ipet_dtab *d, const u32 words[16], u32 tag, u32 *slot)
{
	u64 h = ipet_hash(d->seed, words, tag);
	u32 bucket = IPET_INDEX(ipet_bucket(h, d->nbuckets), d->nbuckets);

	*slot = IPET_INDEX(ipet_slot(h, d->disp[bucket], d->nslots), d->nslots);
	return d->slots + (u64)*slot * d->stride;
}

/* Probes @d for (words, op, alg); @valid (0 or all ones) says whether the event has the key. */
static struct ipet_hit probe(const struct ipet_table *t, const struct ipet_dtab *d,
			     const u32 words[16], u32 tag, u32 op, u32 alg, u32 point, u64 valid)
{
	struct ipet_hit r;
	u32 slot;
	const u8 *s = slot_of(d, words, tag, &slot);
	const u8 *pl = s + d->length;
	u32 a = rd32(pl), b = rd32(pl + 4), diff = 0, wide = (u32)0 - d->wide;
	u32 sop, salg, kind, base, i;
	u64 match;

	for (i = 0; i < 16; ++i)
		diff |= (rd32(s + 4 * i) ^ words[i]) & d->word_mask[i];
	/* Narrow: a = base:24 | op:3 | kind:5. Wide: a = base, b = op:3 | alg:5 | kind:24. */
	base = (a & ~wide) & 0xFFFFFFu;
	base |= a & wide;
	sop = (((a >> 24) & 7) & ~wide) | ((b & 7) & wide);
	salg = (d->alg & ~wide) | (((b >> 3) & 31) & wide);
	kind = ((a >> 27) & ~wide) | ((b >> 8) & wide);
	match = ~nonzero_mask((u64)diff | (u64)(sop ^ op) | (u64)(salg ^ alg)) & valid;
	kind &= (u32)match; /* kind 0 (empty) when nothing matched */
	r.candidate = candidate_at(t, base, kind, point);
	r.slot1 = (slot + 1) & (u32)match;
	return r;
}

/*
 * The pair table: key words (F slot + 1, D slot + 1, F class), tag op | D class << 8; a slot is
 * the two references, the base rank and op:3 | F class:3 | D class:3 | kind:23.
 */
static struct ipet_hit probe_pair(const struct ipet_table *t, const u32 words[16], u32 tag,
				  u32 op, u32 fcls, u32 dcls, u32 point, u64 valid)
{
	struct ipet_hit r;
	u32 slot;
	const u8 *s = slot_of(&t->pair, words, tag, &slot);
	u32 base = rd32(s + 8), b = rd32(s + 12), kind;
	u64 diff = (u64)(rd32(s) ^ words[0]) | (u64)(rd32(s + 4) ^ words[1]) | (u64)((b & 7) ^ op) |
		   (u64)(((b >> 3) & 7) ^ fcls) | (u64)(((b >> 6) & 7) ^ dcls);
	u64 match = ~nonzero_mask(diff) & valid;

	kind = (b >> 9) & (u32)match;
	r.candidate = candidate_at(t, base, kind, point);
	r.slot1 = (slot + 1) & (u32)match;
	return r;
}

/*
 * 20, 28, 32, 48, 64 -> 0..4; anything else -> IPET_DIGEST_CLASSES (the empty table). Stored
 * as class ^ 5, so that the entries not named are 5: one load, no branch.
 */
static const u8 class_x5[256] = {
	[20] = 0 ^ 5, [28] = 1 ^ 5, [32] = 2 ^ 5, [48] = 3 ^ 5, [64] = 4 ^ 5,
};

static u32 class_of(u32 len)
{
	return (u32)class_x5[len & 255] ^ 5u;
}

static void key_words(const u8 *digest, u32 len, u32 words[16])
{
	u32 i;

	for (i = 0; i < 16; ++i)
		words[i] = rd32(digest + 4 * i) & (u32)((u64)0 - (u64)(i * 4 < len));
}

/* The point of an event (ipec's docs/table-format.md, "Points"), with arithmetic only. */
static u32 point_of(const struct ipet_event *e, u32 is_bpf)
{
	const u32 file = e->file & 1, initramfs = e->initramfs & 1;
	/* out of range -> none */
	const u32 bdev = e->bdev & (u32)((u64)0 - (u64)(e->bdev < 3));
	const u32 bdevk = bdev + ((bdev >> 1) & (e->dm_signed & 1));
	const u32 fsvk = (e->fsverity & 1) * (1 + (e->fsv_signed & 1));
	const u32 pf = file * (1 + (1 - initramfs) * (1 + bdevk * 3 + fsvk));
	const u32 kr = e->bpf_keyring;
	const u32 krk = kr ^ ((kr ^ 3) & (u32)((u64)0 - (u64)(kr > 3)));
	const u32 pb = (e->bpf_verdict & 7) * 8 + krk * 2 + (e->bpf_kernel & 1);

	return (pf & ((u32)is_bpf - 1)) | (pb & (0u - is_bpf));
}

/* The decision from the least candidate @best and the op record @o. */
static void decide(const struct ipet_op_record *o, u64 best, struct ipet_decision *out)
{
	const u64 has_rule = nonzero_mask(~best);
	const u64 evaluated = (u64)0 - (u64)(o->evaluated & 1);
	const u32 rule_mask = (u32)has_rule & (u32)evaluated;
	u32 deny, kind;

	deny = ((u32)best & 1 & (u32)has_rule) | (o->default_action & ~(u32)has_rule);
	/*
	 * kind: rule (0) or the op's default source (1 op, 2 global, 0 none -> 4), or 3 when the
	 * op is not evaluated.
	 */
	kind = ((u32)o->default_source + 4 * (u32)(o->default_source == 0)) & ~(u32)has_rule;
	kind = (kind & (u32)evaluated) | (IPET_NOT_EVALUATED & ~(u32)evaluated);
	out->action = deny & (u32)evaluated;
	out->kind = kind;
	out->rule = ((u32)(best >> 1) & rule_mask) | (IPET_NO_RULE & ~rule_mask);
}

/**
 * ipet_eval - decide an event
 * @t: a table ipet_load() accepted
 * @e: the event's facts
 * @out: the decision
 *
 * Runs the same instructions for every event of one table: the only branches test the table.
 */
void ipet_eval(const struct ipet_table *t, const struct ipet_event *e, struct ipet_decision *out)
{
	const u32 op = e->op & 7;
	const u32 is_bpf = (u32)(op == 7);
	const u32 file = e->file & 1;
	const u32 point = point_of(e, is_bpf);
	const u64 has_fsv = (u64)0 - (u64)(file & (e->fsverity & 1) & (1 - is_bpf));
	const u64 has_dm = (u64)0 - (u64)(file & (u32)(e->bdev == 2) & (1 - is_bpf));
	const u32 fcls = class_of(e->fsv_len), dcls = class_of(e->dm_len);
	const struct ipet_hit none = {~(u64)0, 0};
	struct ipet_hit fh = none, dh = none, ph = none;
	u32 w[16], tag, i;
	u64 wcand, best;

	/*
	 * These branches test the table, never the event: a table without dm-verity digests (say)
	 * skips that lookup for every event alike, so the instruction count stays constant.
	 */
	if (t->has_fsv) {
		key_words(e->fsv_digest, e->fsv_len, w);
		tag = op | (u32)e->fsv_alg << 8 | (u32)e->fsv_len << 16;
		fh = probe(t, &t->dtab[0][fcls], w, tag, op, e->fsv_alg, point, has_fsv);
	}
	if (t->has_dm) {
		key_words(e->dm_digest, e->dm_len, w);
		tag = op | (u32)e->dm_alg << 8 | (u32)e->dm_len << 16;
		dh = probe(t, &t->dtab[1][dcls], w, tag, op, e->dm_alg, point, has_dm);
	}
	if (t->has_pair) {
		for (i = 0; i < 16; ++i)
			w[i] = 0;
		w[0] = fh.slot1;
		w[1] = dh.slot1;
		w[2] = fcls;
		/* The pair candidate needs both digests; a pair slot never has a zero reference. */
		ph = probe_pair(t, w, op | dcls << 8, op, fcls, dcls, point, has_fsv & has_dm);
	}
	wcand = candidate_at(t, t->ops[op].w_base, t->ops[op].w_kind, point);
	best = min64(min64(wcand, fh.candidate), min64(dh.candidate, ph.candidate));
	decide(&t->ops[op], best, out);
}
