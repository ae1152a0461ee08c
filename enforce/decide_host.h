/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The enforcer's decision function (enforce/bpf/decide.h) built for the host, with the map
 * lookups supplied as callbacks: what enforce.differential holds against ipet_eval().
 */
#ifndef IPEC_ENFORCE_DECIDE_HOST_H
#define IPEC_ENFORCE_DECIDE_HOST_H

#ifdef __cplusplus
extern "C" {
#endif

struct ipec_host_maps {
	const void *self;
	const struct ipec_op_rec *(*op)(const void *self, __u32 op);
	const struct ipec_kind *(*kind)(const void *self, __u32 kind);
	const struct ipec_group *(*fsv)(const void *self, const struct ipec_dkey *key);
	const struct ipec_group *(*dm)(const void *self, const struct ipec_dkey *key);
	const struct ipec_group *(*pair)(const void *self, const struct ipec_pkey *key);
};

int ipec_decide_host(const struct ipec_host_maps *maps, struct ipec_scratch *s, struct ipec_decision *out);

#ifdef __cplusplus
}
#endif

#endif
