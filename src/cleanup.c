/* cleanup.c: temporary files, child processes and the signals that
 * interrupt them.
 *
 * The registry is a fixed table of paths copied in beforehand, so the
 * handler needs no allocation: it calls only kill, waitpid, nanosleep,
 * unlink, rmdir, memcpy, strlen and raise, all async-signal-safe.  A slot
 * is filled before its `used` flag is set, and callers block the signals
 * around creating a file and registering it (and around renaming it and
 * forgetting it), so a signal never finds one without the other.
 *
 * The child runs in a process group of its own: a signal sent to this
 * process alone (kill PID, a job scheduler's SIGTERM) reaches everything
 * the child started too (build.sh runs flock, Verilator, make, the C++
 * compiler), and the handler waits for it, so no file is written into a
 * directory after it was removed.
 */
#include "cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { NSLOTS = 32, NPATH = 4096 };

static struct Slot {
	volatile sig_atomic_t used;
	const char *const *names; /* a directory's files; NULL: a file */
	char path[NPATH];
} slots[NSLOTS];

static volatile sig_atomic_t child; /* the process being waited for, or 0 */

static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
enum { NSIGS = sizeof sigs / sizeof sigs[0] };

static void remove_slot(const struct Slot *s)
{
	if (!s->names) {
		unlink(s->path);
		return;
	}
	char p[NPATH + 256];
	size_t n = strlen(s->path);
	for (const char *const *f = s->names; *f; f++) {
		size_t m = strlen(*f);
		if (n + 1 + m >= sizeof p)
			continue;
		memcpy(p, s->path, n);
		p[n] = '/';
		memcpy(p + n + 1, *f, m + 1);
		unlink(p);
	}
	rmdir(s->path);
}

/* The child's group gets sig and 2 s to end; then SIGKILL. */
static void stop_group(pid_t pid, int sig)
{
	kill(-pid, sig);
	struct timespec tick = {0, 10 * 1000 * 1000};
	int i = 0;
	while (waitpid(pid, NULL, WNOHANG) == 0 && i++ < 200)
		nanosleep(&tick, NULL);
	if (i > 200) {
		kill(-pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	kill(-pid, SIGKILL); /* what it left running */
}

static void on_signal(int sig)
{
	pid_t pid = child;
	if (pid > 0)
		stop_group(pid, sig);
	for (int dirs = 0; dirs < 2; dirs++) /* files first: they may be in the directories */
		for (int i = NSLOTS - 1; i >= 0; i--)
			if (slots[i].used && (slots[i].names != NULL) == dirs)
				remove_slot(&slots[i]);
	/* SA_RESETHAND restored the default action; the signal is blocked
	 * until this returns, and then ends the process */
	raise(sig);
}

void cleanup_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < NSIGS; i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (int i = 0; i < NSIGS; i++) {
		struct sigaction old;
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
	}
}

void cleanup_block(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	for (int i = 0; i < NSIGS; i++)
		sigaddset(&set, sigs[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

void cleanup_unblock(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}

int cleanup_add(const char *path, const char *const *names, Err *e)
{
	if (strlen(path) >= NPATH)
		return err_set(e, "%.200s...: path too long", path);
	sigset_t old;
	cleanup_block(&old);
	int slot = 0;
	while (slot < NSLOTS && slots[slot].used)
		slot++;
	if (slot == NSLOTS)
		abort(); /* a command holds a few temporaries at a time */
	strcpy(slots[slot].path, path);
	slots[slot].names = names;
	slots[slot].used = 1;
	cleanup_unblock(&old);
	return slot;
}

void cleanup_drop(int slot)
{
	if (slot >= 0)
		slots[slot].used = 0;
}

void cleanup_remove(int slot)
{
	if (slot < 0)
		return;
	sigset_t old;
	cleanup_block(&old);
	remove_slot(&slots[slot]);
	slots[slot].used = 0;
	cleanup_unblock(&old);
}

int cleanup_tempdir(const char *prefix, const char *const *names, char *dir, size_t n, Err *e)
{
	const char *base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	if ((size_t)snprintf(dir, n, "%s/%sXXXXXX", base, prefix) >= n)
		return err_set(e, "%.200s: path too long", base);
	sigset_t old;
	cleanup_block(&old);
	int slot = -1;
	if (!mkdtemp(dir))
		err_set(e, "%s: cannot make a temporary directory: %s", base, strerror(errno));
	else if ((slot = cleanup_add(dir, names, e)) < 0)
		rmdir(dir);
	cleanup_unblock(&old);
	return slot;
}

/* In the child, before exec: the defaults back, its own group, the mask
 * the parent had. */
static void child_setup(const sigset_t *mask, bool quiet)
{
	for (int i = 0; i < NSIGS; i++) {
		struct sigaction cur;
		if (sigaction(sigs[i], NULL, &cur) == 0 && cur.sa_handler == on_signal)
			signal(sigs[i], SIG_DFL);
	}
	setpgid(0, 0);
	if (quiet) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 1);
	}
	sigprocmask(SIG_SETMASK, mask, NULL);
}

/* Waits for pid, calling tick (when not NULL) about once a second. */
static pid_t wait_ticking(pid_t pid, int *status, CleanupTick *tick, void *ctx)
{
	struct timespec t0, now, nap = {0, 50 * 1000 * 1000};
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int ticks = 0;
	for (;;) {
		pid_t w = waitpid(pid, status, tick ? WNOHANG : 0);
		if (w < 0 && errno == EINTR)
			continue;
		if (w != 0)
			return w;
		nanosleep(&nap, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
		double t = (double)(now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9;
		if (t >= ticks + 1)
			tick(ctx, (double)++ticks);
	}
}

int cleanup_spawn(char *const argv[], bool quiet, Err *e)
{
	return cleanup_spawn_tick(argv, quiet, NULL, NULL, e);
}

int cleanup_spawn_tick(char *const argv[], bool quiet, CleanupTick *tick, void *ctx, Err *e)
{
	fflush(NULL);
	sigset_t old;
	cleanup_block(&old);
	pid_t pid = fork();
	if (pid == 0) {
		child_setup(&old, quiet);
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0) {
		cleanup_unblock(&old);
		return err_set(e, "%s: %s", argv[0], strerror(errno));
	}
	setpgid(pid, pid); /* here too: whichever runs first */
	child = pid;
	cleanup_unblock(&old);
	int status;
	pid_t w = wait_ticking(pid, &status, tick, ctx);
	child = 0;
	if (w < 0)
		return err_set(e, "%s: %s", argv[0], strerror(errno));
	if (WIFSIGNALED(status))
		return err_set(e, "%s: killed by signal %d", argv[0], WTERMSIG(status));
	if (WEXITSTATUS(status) == 127)
		return err_set(e, "%s: cannot run it", argv[0]);
	return WEXITSTATUS(status);
}
