// SPDX-License-Identifier: Apache-2.0
/* ipetool: static helper that runs inside the ipec kernel-test guest (adapted from kernel-oracle).
 *
 *   ipetool write FILE TARGET    write FILE's bytes to TARGET in ONE write(2)
 *   ipetool loadbatch LIST       part 1 (load verdicts). LIST lines: "ID BLOB KEEP". Each BLOB is
 *                                written to new_policy in one write(2); the policy that appeared is
 *                                reported and deleted again unless KEEP is 1. Prints
 *                                "CASE\tID\tOK|ERR\terrno\tERRNAME\tNAME_HEX\tVERSION".
 *   ipetool lifebatch LIST       part 3 (lifecycle). LIST lines:
 *                                  "RESET"                       delete every inactive policy (silent)
 *                                  "BEGIN SCENARIO"              prints "LBEGIN\tSCENARIO"
 *                                  "W LABEL TARGET_HEX FILE"     one write(2) of FILE to TARGET
 *                                    (TARGET relative to /sys/kernel/security/ipe, hex-encoded)
 *                                prints "LOP\tLABEL\tOK|ERR\terrno\tERRNAME" and then
 *                                "LSTATE\tLABEL\tNAME_HEX\tVERSION\tACTIVE" for every loaded policy.
 *   ipetool decide LIST PROBES MARKER
 *                                part 2 (decisions). LIST lines: "ID BLOB". Each policy is loaded,
 *                                activated (the previous one is then deleted), and with enforce=1 and
 *                                success_audit=1 every probe of PROBES ("LABEL ACTION PATH", ACTION =
 *                                exec|mmap|mprotect|anonmmap|anonmprotect|finit|initmod) is run,
 *                                each followed by an mmap(PROT_EXEC) of MARKER. The IPE access
 *                                records (type=1420), and the activation record (1421), are then
 *                                read from /dev/kmsg until every
 *                                marker's record has arrived, so records can be split per probe.
 *                                Prints "DLOAD", "DACT", "DPROBE\tID\tLABEL\tALLOW|DENY|ERR\terrno\tERRNAME"
 *                                and "DAUDIT\tID\t<record>" lines; enforce is 0 afterwards.
 *   ipetool kmsg                 the kernel log sanity check: reads /dev/kmsg from its first record
 *                                and prints "KLOG\t<message>" for every record but audit's,
 *                                "KMSG\t<message>" for every KASAN/UBSAN report, BUG,
 *                                oops, WARNING and KUnit result line, then
 *                                "KMSGN\t<records read>\t<sequence number of the first record>".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define IPE "/sys/kernel/security/ipe"
#define MAXPOL 512

static const char *ename(int e) {
  switch (e) {
#define E(x) case x: return #x;
    E(EPERM) E(ENOENT) E(ESRCH) E(EINTR) E(EIO) E(ENXIO) E(E2BIG) E(ENOEXEC)
    E(EBADF) E(ECHILD) E(EAGAIN) E(ENOMEM) E(EACCES) E(EFAULT) E(ENOTBLK)
    E(EBUSY) E(EEXIST) E(EXDEV) E(ENODEV) E(ENOTDIR) E(EISDIR) E(EINVAL)
    E(ENFILE) E(EMFILE) E(ENOTTY) E(ETXTBSY) E(EFBIG) E(ENOSPC) E(ESPIPE)
    E(EROFS) E(EMLINK) E(EPIPE) E(EDOM) E(ERANGE) E(EDEADLK) E(ENAMETOOLONG)
    E(ENOLCK) E(ENOSYS) E(ENOTEMPTY) E(ELOOP) E(ENOMSG) E(EIDRM) E(ENODATA)
    E(ETIME) E(ENOLINK) E(EPROTO) E(EBADMSG) E(EOVERFLOW) E(EILSEQ) E(EUSERS)
    E(EMSGSIZE) E(EOPNOTSUPP) E(ETIMEDOUT) E(ESTALE) E(EDQUOT) E(ECANCELED)
    E(ENOKEY) E(EKEYEXPIRED) E(EKEYREVOKED) E(EKEYREJECTED) E(ENOPKG)
    E(EMEDIUMTYPE) E(ENOTRECOVERABLE) E(EHWPOISON)
#undef E
    default: return "EUNKNOWN";
  }
}

static int readall(const char *p, char **buf, size_t *len) {
  int fd = open(p, O_RDONLY);
  if (fd < 0) return -1;
  struct stat st;
  if (fstat(fd, &st)) { close(fd); return -1; }
  *buf = malloc(st.st_size + 1);
  size_t off = 0;
  while (off < (size_t)st.st_size) {
    ssize_t n = read(fd, *buf + off, st.st_size - off);
    if (n <= 0) break;
    off += n;
  }
  close(fd);
  (*buf)[off] = 0;
  *len = off;
  return 0;
}

/* small text file (securityfs attribute) -> buf, trailing newline removed */
static void readsmall(const char *p, char *buf, size_t bl) {
  int fd = open(p, O_RDONLY);
  buf[0] = 0;
  if (fd < 0) { snprintf(buf, bl, "?"); return; }
  ssize_t n = read(fd, buf, bl - 1);
  close(fd);
  if (n < 0) n = 0;
  buf[n] = 0;
  while (n > 0 && (buf[n - 1] == '\n')) buf[--n] = 0;
}

/* one write(2) of the whole buffer; returns 0 or an errno */
static int write_once(const char *target, const char *buf, size_t len, ssize_t *written) {
  int fd = open(target, O_WRONLY);
  if (fd < 0) return errno;
  ssize_t n = write(fd, buf, len);
  if (n < 0) { int e = errno; close(fd); return e; }
  if (close(fd) < 0) return errno;
  if (written) *written = n;
  return 0;
}
static int write_str(const char *target, const char *s) { return write_once(target, s, strlen(s), NULL); }
static int write_file(const char *target, const char *file) {
  char *buf; size_t len;
  if (readall(file, &buf, &len)) return errno;
  int e = write_once(target, buf, len, NULL);
  free(buf);
  return e;
}

static void hexstr(const char *s, char *out) {
  static const char *h = "0123456789abcdef";
  for (; *s; s++) { *out++ = h[(unsigned char)*s >> 4]; *out++ = h[(unsigned char)*s & 15]; }
  *out = 0;
}
static int unhex(const char *s, char *out, size_t ol) {
  size_t n = strlen(s);
  if (n % 2 || n / 2 >= ol) return -1;
  for (size_t i = 0; i < n; i += 2) {
    unsigned v;
    if (sscanf(s + i, "%2x", &v) != 1) return -1;
    out[i / 2] = (char)v;
  }
  out[n / 2] = 0;
  return 0;
}

/* ---- the set of loaded policies (names under policies/) */
struct pset { int n; char *name[MAXPOL]; };
static void pset_free(struct pset *s) { for (int i = 0; i < s->n; i++) free(s->name[i]); s->n = 0; }
static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static void pset_read(struct pset *s) {
  s->n = 0;
  DIR *d = opendir(IPE "/policies");
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d)) && s->n < MAXPOL) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    s->name[s->n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(s->name, s->n, sizeof s->name[0], cmpstr);
}
static int pset_has(const struct pset *s, const char *n) {
  for (int i = 0; i < s->n; i++) if (!strcmp(s->name[i], n)) return 1;
  return 0;
}
static void pol_attr(const char *name, const char *attr, char *buf, size_t bl) {
  char p[1024];
  snprintf(p, sizeof p, IPE "/policies/%s/%s", name, attr);
  readsmall(p, buf, bl);
}
static int pol_write(const char *name, const char *attr, const char *val) {
  char p[1024];
  snprintf(p, sizeof p, IPE "/policies/%s/%s", name, attr);
  return write_str(p, val);
}
static void delete_inactive(void) {
  struct pset s;
  pset_read(&s);
  for (int i = 0; i < s.n; i++) {
    char a[16];
    pol_attr(s.name[i], "active", a, sizeof a);
    if (strcmp(a, "1")) pol_write(s.name[i], "delete", "1");
  }
  pset_free(&s);
}

/* ---- probes */
/* fork + execv; returns 0 (exec happened) or the execve errno */
static int do_exec(const char *path) {
  int pfd[2];
  if (pipe(pfd)) return errno;
  fcntl(pfd[1], F_SETFD, FD_CLOEXEC);
  pid_t pid = fork();
  if (pid < 0) return errno;
  if (pid == 0) {
    close(pfd[0]);
    int nul = open("/dev/null", O_RDWR);
    dup2(nul, 0); dup2(nul, 1); dup2(nul, 2);
    char *argv[] = {(char *)path, NULL};
    execv(path, argv);
    int e = errno;
    if (write(pfd[1], &e, sizeof e) < 0) _exit(126);
    _exit(127);
  }
  close(pfd[1]);
  int e = 0;
  ssize_t n = read(pfd[0], &e, sizeof e);
  close(pfd[0]);
  int st = 0, waited = 0;
  for (int i = 0; i < 1000; i++) {           /* 10 s */
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) { waited = 1; break; }
    if (r < 0 && errno != EINTR) break;
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  if (!waited) { kill(pid, SIGKILL); waitpid(pid, &st, 0); }
  return n == sizeof e ? e : 0;
}
static int do_mmap(const char *path, int via_mprotect) {
  int fd = -1, flags = MAP_PRIVATE;
  if (path) {
    fd = open(path, O_RDONLY);
    if (fd < 0) return errno;
  } else {
    flags |= MAP_ANONYMOUS;
  }
  void *p = mmap(NULL, 4096, PROT_READ | (via_mprotect ? 0 : PROT_EXEC), flags, fd, 0);
  int e = p == MAP_FAILED ? errno : 0;
  if (!e && via_mprotect && mprotect(p, 4096, PROT_READ | PROT_EXEC)) e = errno;
  if (p != MAP_FAILED) munmap(p, 4096);
  if (fd >= 0) close(fd);
  return e;
}
static int do_module(const char *path, int from_file) {
  long r;
  if (from_file) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return errno;
    r = syscall(SYS_finit_module, fd, "", 0);
    int e = r ? errno : 0;
    close(fd);
    return e;
  }
  char *buf; size_t len;
  if (readall(path, &buf, &len)) return errno;
  r = syscall(SYS_init_module, buf, (unsigned long)len, "");
  int e = r ? errno : 0;
  free(buf);
  return e;
}

/* ---- part 1 */
static int loadbatch(const char *list) {
  FILE *f = fopen(list, "r");
  if (!f) { perror(list); return 1; }
  char line[4096], id[256], blob[2048];
  int keep;
  while (fgets(line, sizeof line, f)) {
    if (sscanf(line, "%255s %2047s %d", id, blob, &keep) != 3) continue;
    struct pset before, after;
    pset_read(&before);
    int e = write_file(IPE "/new_policy", blob);
    pset_read(&after);
    char nh[2048] = "-", ver[64] = "-";
    for (int i = 0; i < after.n; i++) {
      if (pset_has(&before, after.name[i])) continue;
      if (strlen(after.name[i]) < 1000) hexstr(after.name[i], nh);
      pol_attr(after.name[i], "version", ver, sizeof ver);
      if (!keep) pol_write(after.name[i], "delete", "1");
      break;
    }
    if (e) printf("CASE\t%s\tERR\t%d\t%s\t%s\t%s\n", id, e, ename(e), nh, ver);
    else printf("CASE\t%s\tOK\t0\t-\t%s\t%s\n", id, nh, ver);
    fflush(stdout);
    pset_free(&before);
    pset_free(&after);
  }
  fclose(f);
  delete_inactive();
  return 0;
}

/* ---- part 3 */
static int lifebatch(const char *list) {
  FILE *f = fopen(list, "r");
  if (!f) { perror(list); return 1; }
  char line[8192], label[256], thex[4096], target[2048], file[2048], path[4096];
  while (fgets(line, sizeof line, f)) {
    if (!strncmp(line, "RESET", 5)) { delete_inactive(); continue; }
    if (!strncmp(line, "BEGIN ", 6)) {
      line[strcspn(line, "\n")] = 0;
      printf("LBEGIN\t%s\n", line + 6);
      continue;
    }
    if (sscanf(line, "W %255s %4095s %2047s", label, thex, file) != 3) continue;
    if (unhex(thex, target, sizeof target)) { printf("LOP\t%s\tBADTARGET\t0\t-\n", label); continue; }
    snprintf(path, sizeof path, IPE "/%s", target);
    int e = write_file(path, file);
    if (e) printf("LOP\t%s\tERR\t%d\t%s\n", label, e, ename(e));
    else printf("LOP\t%s\tOK\t0\t-\n", label);
    struct pset s;
    pset_read(&s);
    for (int i = 0; i < s.n; i++) {
      char nh[2048] = "-", ver[64], act[16];
      if (strlen(s.name[i]) < 1000) hexstr(s.name[i], nh);
      pol_attr(s.name[i], "version", ver, sizeof ver);
      pol_attr(s.name[i], "active", act, sizeof act);
      printf("LSTATE\t%s\t%s\t%s\t%s\n", label, nh, ver, act);
    }
    pset_free(&s);
    fflush(stdout);
  }
  fclose(f);
  return 0;
}

/* ---- part 2 */
struct probe { char label[128], action[32], path[1024]; };

static int run_probe(const struct probe *p) {
  const char *a = p->action;
  if (!strcmp(a, "exec")) return do_exec(p->path);
  if (!strcmp(a, "mmap")) return do_mmap(p->path, 0);
  if (!strcmp(a, "mprotect")) return do_mmap(p->path, 1);
  if (!strcmp(a, "anonmmap")) return do_mmap(NULL, 0);
  if (!strcmp(a, "anonmprotect")) return do_mmap(NULL, 1);
  if (!strcmp(a, "finit")) return do_module(p->path, 1);
  if (!strcmp(a, "initmod")) return do_module(p->path, 0);
  return ENOSYS;
}

/* read /dev/kmsg records (fd opened before the probes) until `want` marker records were seen
 * or nothing new arrives for 5 s; prints the type=1420 and 1421 records */
static void drain_audit(int kfd, const char *id, const char *marker, int want) {
  char rec[8192], mpat[1100];
  snprintf(mpat, sizeof mpat, " path=\"%s\" ", marker);
  int seen = 0;
  while (seen < want) {
    struct pollfd pf = {kfd, POLLIN, 0};
    int r = poll(&pf, 1, 5000);
    if (r <= 0) { printf("DWARN\t%s\taudit timeout: %d of %d marker records\n", id, seen, want); break; }
    ssize_t n = read(kfd, rec, sizeof rec - 1);
    if (n < 0) {
      if (errno == EPIPE) { printf("DWARN\t%s\tkmsg overrun\n", id); continue; }
      if (errno == EAGAIN || errno == EINTR) continue;
      break;
    }
    rec[n] = 0;
    char *msg = strchr(rec, ';');
    if (!msg) continue;
    msg++;
    msg[strcspn(msg, "\n")] = 0;
    if (!strstr(msg, "type=1420") && !strstr(msg, "type=1421")) continue;
    printf("DAUDIT\t%s\t%s\n", id, msg);
    if (strstr(msg, mpat)) seen++;
  }
}

static int decide(const char *list, const char *probes, const char *marker) {
  struct probe *pr = NULL;
  int np = 0;
  FILE *f = fopen(probes, "r");
  if (!f) { perror(probes); return 1; }
  char line[4096];
  while (fgets(line, sizeof line, f)) {
    pr = realloc(pr, sizeof *pr * (np + 1));
    if (sscanf(line, "%127s %31s %1023s", pr[np].label, pr[np].action, pr[np].path) == 3) np++;
  }
  fclose(f);
  f = fopen(list, "r");
  if (!f) { perror(list); return 1; }
  char id[256], blob[2048], prev[1024] = "";
  while (fgets(line, sizeof line, f)) {
    if (sscanf(line, "%255s %2047s", id, blob) != 2) continue;
    struct pset before, after;
    pset_read(&before);
    int e = write_file(IPE "/new_policy", blob);
    pset_read(&after);
    char name[1024] = "";
    for (int i = 0; i < after.n; i++)
      if (!pset_has(&before, after.name[i])) { snprintf(name, sizeof name, "%s", after.name[i]); break; }
    pset_free(&before);
    pset_free(&after);
    if (e || !*name) { printf("DLOAD\t%s\tERR\t%d\t%s\n", id, e, ename(e)); fflush(stdout); continue; }
    printf("DLOAD\t%s\tOK\n", id);
    /* opened before the activation: its IPE_CONFIG_CHANGE record (1421) names the policy */
    int kfd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
    if (kfd >= 0) lseek(kfd, 0, SEEK_END);
    e = pol_write(name, "active", "1");
    if (e) {
      printf("DACT\t%s\tERR\t%d\t%s\n", id, e, ename(e));
      pol_write(name, "delete", "1");
      fflush(stdout);
      if (kfd >= 0) close(kfd);
      continue;
    }
    printf("DACT\t%s\tOK\n", id);
    if (*prev) pol_write(prev, "delete", "1");
    snprintf(prev, sizeof prev, "%s", name);
    fflush(stdout);
    write_str(IPE "/success_audit", "1");
    write_str(IPE "/enforce", "1");
    for (int i = 0; i < np; i++) {
      int r = run_probe(&pr[i]);
      int kmod = !strcmp(pr[i].action, "finit") || !strcmp(pr[i].action, "initmod");
      /* an allowed module load of a module that is already loaded fails later with EEXIST */
      const char *dec = r == 0 ? "ALLOW" : r == EACCES ? "DENY" : (kmod && r == EEXIST) ? "ALLOW" : "ERR";
      printf("DPROBE\t%s\t%s\t%s\t%d\t%s\n", id, pr[i].label, dec, r, r ? ename(r) : "-");
      do_mmap(marker, 0);
    }
    write_str(IPE "/enforce", "0");
    write_str(IPE "/success_audit", "0");
    fflush(stdout);
    if (kfd >= 0) { drain_audit(kfd, id, marker, np); close(kfd); }
    else printf("DWARN\t%s\tcannot open /dev/kmsg\n", id);
    fflush(stdout);
  }
  fclose(f);
  return 0;
}

/* ---- the kernel log check: what --kernel runs fail on (KASAN, UBSAN, oops, WARN, KUnit) */
static int kmsg_scan(void) {
  static const char *const pat[] = {"KASAN", "UBSAN", "BUG:", "WARNING:", "Oops", "general protection",
                                    "Kernel panic", "kernel BUG", "list_add corruption", "not ok ",
                                    "# Subtest:", "ok ", NULL};
  int kfd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
  if (kfd < 0) { printf("KMSGN\t-1\t-1\n"); return 1; }
  char rec[8192];
  long n = 0, first = -1;
  for (;;) {
    ssize_t r = read(kfd, rec, sizeof rec - 1);
    if (r < 0) {
      if (errno == EPIPE) { printf("KMSG\t(ipetool: kmsg overrun while reading)\n"); continue; }
      if (errno == EINTR) continue;
      break; /* EAGAIN: the end */
    }
    rec[r] = 0;
    char *msg = strchr(rec, ';');
    if (!msg) continue;
    if (first < 0) { char *c = strchr(rec, ','); first = c ? strtol(c + 1, NULL, 10) : -1; }
    n++;
    msg++;
    msg[strcspn(msg, "\n")] = 0;
    /* audit records quote user bytes (not the kernel's voice), and there are many */
    if (!strncmp(msg, "audit:", 6) || strstr(msg, "type=14")) continue;
    printf("KLOG\t%s\n", msg);
    const char *m = msg + strspn(msg, " \t");
    for (int i = 0; pat[i]; i++) {
      if (i == 11 ? !strncmp(m, pat[i], 3) : !!strstr(msg, pat[i])) { printf("KMSG\t%s\n", msg); break; }
    }
  }
  close(kfd);
  printf("KMSGN\t%ld\t%ld\n", n, first);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 2 && !strcmp(argv[1], "kmsg")) return kmsg_scan();
  if (argc < 3) { fprintf(stderr, "usage: see the comment at the top of ipetool.c\n"); return 2; }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "write") && argc == 4) {
    int e = write_file(argv[3], argv[2]);
    if (e) { printf("ERR %d %s\n", e, ename(e)); return 1; }
    printf("OK\n");
    return 0;
  }
  if (!strcmp(cmd, "loadbatch") && argc == 3) return loadbatch(argv[2]);
  if (!strcmp(cmd, "lifebatch") && argc == 3) return lifebatch(argv[2]);
  if (!strcmp(cmd, "decide") && argc == 5) return decide(argv[2], argv[3], argv[4]);
  fprintf(stderr, "ipetool: bad arguments\n");
  return 2;
}
