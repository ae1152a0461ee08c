// SPDX-License-Identifier: Apache-2.0
/* Loads a decision table and evaluates one event, for measuring ipet_eval under callgrind.
 *   eval_once TABLE OP FILE INITRAMFS BDEV DM_SIGNED FSVERITY FSV_SIGNED VERDICT KEYRING KERNEL
 *             FSV_ALG FSV_HEX DM_ALG DM_HEX          (hex "-" for none)
 * Prints "action kind rule". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/ipet.h"

static unsigned hexval(char c) { return c <= '9' ? (unsigned)(c - '0') : (unsigned)((c | 32) - 'a' + 10); }

static unsigned parse_hex(const char *s, ipet_u8 *out) {
  unsigned n = 0;
  if (strcmp(s, "-") == 0) return 0;
  while (s[0] && s[1] && n < IPET_MAX_DIGEST) {
    out[n++] = (ipet_u8)(hexval(s[0]) << 4 | hexval(s[1]));
    s += 2;
  }
  return n;
}

int main(int argc, char **argv) {
  static struct ipet_table t;
  struct ipet_event e;
  struct ipet_decision d;
  FILE *f;
  long size;
  ipet_u64 *buf;
  int rc;
  if (argc != 16) {
    fprintf(stderr, "usage: see the comment in eval_once.c\n");
    return 2;
  }
  f = fopen(argv[1], "rb");
  if (!f) return 2;
  fseek(f, 0, SEEK_END);
  size = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = calloc((size_t)size / 8 + 1, 8);
  if (fread(buf, 1, (size_t)size, f) != (size_t)size) return 2;
  fclose(f);
  rc = ipet_load(&t, buf, (ipet_u64)size);
  if (rc != IPET_OK) {
    fprintf(stderr, "ipet_load: %s\n", ipet_strerror(rc));
    return 1;
  }
  memset(&e, 0, sizeof e);
  e.op = (ipet_u8)atoi(argv[2]);
  e.file = (ipet_u8)atoi(argv[3]);
  e.initramfs = (ipet_u8)atoi(argv[4]);
  e.bdev = (ipet_u8)atoi(argv[5]);
  e.dm_signed = (ipet_u8)atoi(argv[6]);
  e.fsverity = (ipet_u8)atoi(argv[7]);
  e.fsv_signed = (ipet_u8)atoi(argv[8]);
  e.bpf_verdict = (ipet_u8)atoi(argv[9]);
  e.bpf_keyring = (ipet_u8)atoi(argv[10]);
  e.bpf_kernel = (ipet_u8)atoi(argv[11]);
  e.fsv_alg = (ipet_u8)atoi(argv[12]);
  e.fsv_len = (ipet_u8)parse_hex(argv[13], e.fsv_digest);
  e.dm_alg = (ipet_u8)atoi(argv[14]);
  e.dm_len = (ipet_u8)parse_hex(argv[15], e.dm_digest);
  ipet_eval(&t, &e, &d);
  printf("%u %u %u\n", d.action, d.kind, d.rule);
  free(buf);
  return 0;
}
