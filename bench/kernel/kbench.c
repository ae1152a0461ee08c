// SPDX-License-Identifier: Apache-2.0
/* kbench: the guest helper of scripts/kernel-bench (built static on the host).
 *
 *   kbench verity FILE        enable fs-verity on FILE (sha256, 4 KiB blocks) unless it is on;
 *                             prints "VERITY sha256:HEX"
 *   kbench mmap N FILE        N times mmap(PROT_READ|PROT_EXEC) one page of FILE and munmap it
 *                             (IPE's mmap hook decides each one), and N times the same with
 *                             PROT_READ only (no decision), alternating in runs of 10; prints
 *                             "MMAP EXEC READ DIFF": the medians over the runs of the ns per
 *                             iteration of each and of their difference, or "MMAP ERR errno"
 *                             when an executable mapping fails
 *   kbench load FILE DEST [SECONDS]
 *                             reads FILE, then writes it to DEST in one write() (securityfs takes
 *                             a policy only whole, at offset 0); prints "LOAD rc errno ns bytes"
 *                             and the /proc/meminfo fields of MEMINFO_KEYS just before and after
 *                             the write, and SECONDS later when given (FILE already in memory,
 *                             so its pages are not counted)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fsverity.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const MEMINFO_KEYS[] = {"MemAvailable", "MemFree", "Slab", "SUnreclaim", "VmallocUsed"};
#define NKEYS (sizeof(MEMINFO_KEYS) / sizeof(MEMINFO_KEYS[0]))

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int measure(int fd)
{
	struct {
		struct fsverity_digest d;
		unsigned char buf[64];
	} m;

	m.d.digest_size = sizeof(m.buf);
	if (ioctl(fd, FS_IOC_MEASURE_VERITY, &m.d) != 0)
		return errno;
	printf("VERITY %s:", m.d.digest_algorithm == FS_VERITY_HASH_ALG_SHA256 ? "sha256" : "other");
	for (unsigned i = 0; i < m.d.digest_size; i++)
		printf("%02x", m.d.digest[i]);
	printf("\n");
	return 0;
}

static int verity(const char *path)
{
	struct fsverity_enable_arg arg = {
		.version = 1, .hash_algorithm = FS_VERITY_HASH_ALG_SHA256, .block_size = 4096,
	};
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return errno;
	if (measure(fd) == 0)
		return 0;
	if (ioctl(fd, FS_IOC_ENABLE_VERITY, &arg) != 0)
		return errno;
	return measure(fd);
}

/* @n maps with @prot; 0 or the errno of the first that failed */
static int map_loop(int fd, long n, int prot)
{
	for (long i = 0; i < n; i++) {
		void *p = mmap(NULL, 4096, prot, MAP_PRIVATE, fd, 0);

		if (p == MAP_FAILED)
			return errno;
		munmap(p, 4096);
	}
	return 0;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static long long median(long long *v, long n)
{
	qsort(v, n, sizeof(*v), cmp_ll);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * Executable and read-only maps alternate in runs of RUN: IPE's mmap hook returns at once for a
 * mapping without PROT_EXEC, so the read-only time is the same path less IPE's decision, taken
 * at the same moments. Medians over the runs: a run during which the host preempted the VM
 * (TCG on a shared machine) is an outlier that a sum would keep.
 */
static int bench_mmap(long n, const char *path)
{
	enum { RUN = 10 };
	long runs = (n + RUN - 1) / RUN, r = 0;
	long long *ex = calloc(runs, sizeof(*ex)), *rd = calloc(runs, sizeof(*rd)), *df = calloc(runs, sizeof(*df));
	int fd = open(path, O_RDONLY);

	if (fd < 0 || !ex || !rd || !df)
		return fd < 0 ? errno : ENOMEM;
	for (; r < runs; r++) {
		long long t0 = now_ns();
		int err = map_loop(fd, RUN, PROT_READ | PROT_EXEC);
		long long t1 = now_ns();

		if (err) {
			printf("MMAP ERR %d\n", err);
			return 0;
		}
		map_loop(fd, RUN, PROT_READ);
		ex[r] = (t1 - t0) / RUN;
		rd[r] = (now_ns() - t1) / RUN;
		df[r] = ex[r] - rd[r];
	}
	printf("MMAP %lld %lld %lld\n", median(ex, runs), median(rd, runs), median(df, runs));
	free(ex);
	free(rd);
	free(df);
	close(fd);
	return 0;
}

static void meminfo(const char *when)
{
	char line[256];
	FILE *f = fopen("/proc/meminfo", "r");

	printf("MEM %s", when);
	while (f && fgets(line, sizeof(line), f)) {
		for (unsigned k = 0; k < NKEYS; k++) {
			size_t l = strlen(MEMINFO_KEYS[k]);
			long long kb;

			if (!strncmp(line, MEMINFO_KEYS[k], l) && line[l] == ':' &&
			    sscanf(line + l + 1, "%lld", &kb) == 1)
				printf(" %s=%lld", MEMINFO_KEYS[k], kb);
		}
	}
	printf("\n");
	if (f)
		fclose(f);
}

static int load(const char *path, const char *dest, unsigned settle)
{
	struct stat st;
	int in = open(path, O_RDONLY);

	if (in < 0 || fstat(in, &st) != 0)
		return errno;
	char *buf = malloc(st.st_size ? st.st_size : 1);
	ssize_t got = 0;

	while (buf && got < st.st_size) {
		ssize_t r = read(in, buf + got, st.st_size - got);

		if (r <= 0)
			return r < 0 ? errno : EIO;
		got += r;
	}
	if (!buf)
		return ENOMEM;
	close(in);
	int out = open(dest, O_WRONLY);

	if (out < 0)
		return errno;
	meminfo("before");
	long long t0 = now_ns();
	ssize_t w = write(out, buf, st.st_size);
	int err = w < 0 ? errno : 0;
	long long t1 = now_ns();

	meminfo("after");
	/* memory the kernel frees lazily (vfree, KASAN shadow) shows in a later look */
	if (settle) {
		sleep(settle);
		meminfo("later");
	}
	printf("LOAD %zd %d %lld %lld\n", w, err, t1 - t0, (long long)st.st_size);
	close(out);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int err = EINVAL;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "verity"))
		err = verity(argv[2]);
	else if (argc == 4 && !strcmp(argv[1], "mmap") && atol(argv[2]) > 0)
		err = bench_mmap(atol(argv[2]), argv[3]);
	else if ((argc == 4 || argc == 5) && !strcmp(argv[1], "load"))
		err = load(argv[2], argv[3], argc == 5 ? atoi(argv[4]) : 0);
	else
		fprintf(stderr, "usage: kbench verity FILE | mmap N FILE | load FILE DEST [SECONDS]\n");
	if (err)
		printf("ERR %d %s\n", err, strerror(err));
	return err ? 1 : 0;
}
