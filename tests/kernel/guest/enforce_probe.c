// SPDX-License-Identifier: Apache-2.0
/* enforce_probe: the enforcer part's static helper in the kernel-test guest.
 *
 *   enforce_probe probe ACTION PATH   one operation; prints "ALLOW|DENY|ERR errno PID CHILD": the
 *                                     process that asked, and for exec the child that called execve
 *                                     (the enforcer's log names them). ACTION: exec | mmap | mprotect |
 *                                     anonmmap | anonmprotect | finit | initmod (PATH unused for anon*).
 *   enforce_probe loop STOPFILE PATH  exec PATH (fork + execve) until STOPFILE exists; prints
 *                                     "LOOP allowed denied other".
 *   enforce_probe bench N PATH        exec PATH N times; prints "BENCH N ns_per_exec".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static pid_t last_child;

/* 0: allowed; else the errno. An exec's child reports its execve errno as its exit status. */
static int run_exec(const char *path)
{
	int st;
	pid_t pid = fork();
	last_child = pid;
	if (pid == 0) {
		char *argv[] = {(char *)path, NULL};
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		execve(path, argv, NULL);
		_exit(errno ? errno : 199);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return errno;
	if (WIFEXITED(st) && WEXITSTATUS(st) != 0 && WEXITSTATUS(st) < 200)
		return WEXITSTATUS(st);
	return 0;
}

static int probe(const char *action, const char *path)
{
	if (!strcmp(action, "exec"))
		return run_exec(path);
	if (!strcmp(action, "anonmmap")) {
		void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		return p == MAP_FAILED ? errno : 0;
	}
	if (!strcmp(action, "anonmprotect")) {
		void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		return mprotect(p, 4096, PROT_READ | PROT_EXEC) ? errno : 0;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = 0;
	if (!strcmp(action, "mmap")) {
		void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
		rc = p == MAP_FAILED ? errno : 0;
	} else if (!strcmp(action, "mprotect")) {
		void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
		rc = p == MAP_FAILED ? -errno : (mprotect(p, 4096, PROT_READ | PROT_EXEC) ? errno : 0);
	} else if (!strcmp(action, "finit")) {
		rc = syscall(SYS_finit_module, fd, "", 0) ? errno : 0;
		if (rc == EEXIST)
			rc = 0; /* read and allowed, then refused as already loaded */
	} else if (!strcmp(action, "initmod")) {
		struct stat st;
		void *buf = NULL;
		if (fstat(fd, &st) == 0 && (buf = malloc(st.st_size)) && read(fd, buf, st.st_size) == st.st_size)
			rc = syscall(SYS_init_module, buf, (unsigned long)st.st_size, "") ? errno : 0;
		else
			rc = -EIO;
		if (rc == EEXIST)
			rc = 0;
		free(buf);
	} else {
		rc = -EINVAL;
	}
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "probe")) {
		int rc = probe(argv[2], argv[3]);
		const char *what = rc == 0 ? "ALLOW" : rc == EACCES ? "DENY" : "ERR";
		printf("%s %d %d %d\n", what, rc, (int)getpid(), (int)last_child);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "loop")) {
		long allowed = 0, denied = 0, other = 0;
		while (access(argv[2], F_OK) != 0) {
			int rc = run_exec(argv[3]);
			if (rc == 0)
				++allowed;
			else if (rc == EACCES)
				++denied;
			else
				++other;
		}
		printf("LOOP %ld %ld %ld\n", allowed, denied, other);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "bench")) {
		long n = atol(argv[2]);
		double t0 = now();
		for (long i = 0; i < n; ++i)
			run_exec(argv[3]);
		printf("BENCH %ld %.0f\n", n, (now() - t0) * 1e9 / (n ? n : 1));
		return 0;
	}
	fprintf(stderr, "usage: enforce_probe probe ACTION PATH | loop SECONDS PATH | bench N PATH\n");
	return 2;
}
