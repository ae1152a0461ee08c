/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * What the kernel's headers give backend/ipet.[ch], for the freestanding userspace build. This
 * file is not copied into the kernel (scripts/kernel-ipet copies ipet.c and ipet.h only), so the
 * typedefs the kernel forbids in new code live here.
 */
#ifndef IPET_USER_H
#define IPET_USER_H

#include <stddef.h> /* freestanding headers only */
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

/* The names ipec's C++ code uses for the same types. */
typedef u8 ipet_u8;
typedef u16 ipet_u16;
typedef u32 ipet_u32;
typedef u64 ipet_u64;

#ifndef __cplusplus
#define static_assert(expr) _Static_assert(expr, #expr)
#endif

/* A table is little-endian; the userspace build assumes a little-endian host, as ipec does. */
static inline u32 get_unaligned_le32(const void *p)
{
	u32 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static inline u64 get_unaligned_le64(const void *p)
{
	u64 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

/* No speculation barrier is needed outside the kernel. */
#define array_index_nospec(index, size) (index)

#endif /* IPET_USER_H */
