// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* The BPF program's decision function, compiled for the host (see decide_host.h). */
struct ipec_host_maps;
#define IPEC_CTX_T const struct ipec_host_maps *
#define IPEC_INLINE static inline
#include "enforce/bpf/decide.h"
#include "enforce/decide_host.h"

static const struct ipec_op_rec *ipec_lookup_op(IPEC_CTX_T m, __u32 op) { return m->op(m->self, op); }
static const struct ipec_kind *ipec_lookup_kind(IPEC_CTX_T m, __u32 kind) { return m->kind(m->self, kind); }
static const struct ipec_group *ipec_lookup_fsv(IPEC_CTX_T m, const struct ipec_dkey *k) { return m->fsv(m->self, k); }
static const struct ipec_group *ipec_lookup_dm(IPEC_CTX_T m, const struct ipec_dkey *k) { return m->dm(m->self, k); }
static const struct ipec_group *ipec_lookup_pair(IPEC_CTX_T m, const struct ipec_pkey *k) { return m->pair(m->self, k); }

int ipec_decide_host(const struct ipec_host_maps *maps, struct ipec_scratch *s, struct ipec_decision *out)
{
	return ipec_decide(maps, s, out);
}
