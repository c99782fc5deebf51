/* output.c: output files written whole or not at all (output.h).
 *
 * A temporary's name is its target's plus ".tmp-" and 12 random
 * characters, created with O_CREAT|O_EXCL|O_NOFOLLOW: a name already taken,
 * by a file or by a planted symbolic link, is never opened, only retried
 * with other characters.  Two processes writing one path thus write two
 * temporaries, and each rename() puts one whole file in place.
 */
#define _GNU_SOURCE /* renameat2, RENAME_EXCHANGE */
#include "output.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"

enum { NPATH = 4096, NTRIES = 100 };

/* 12 characters that no other process picks at the same time. */
static void random_suffix(char s[13])
{
	static uint64_t counter;
	static const char digits[] = "abcdefghijklmnopqrstuvwxyz012345";
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t x = (uint64_t)getpid() << 40 ^ (uint64_t)ts.tv_sec << 30 ^ (uint64_t)ts.tv_nsec ^
		     ++counter * 0x9e3779b97f4a7c15u;
	x ^= x >> 30; /* splitmix64's finalizer */
	x *= 0xbf58476d1ce4e5b9u;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebu;
	x ^= x >> 31;
	for (int i = 0; i < 12; i++, x >>= 5)
		s[i] = digits[x & 31];
	s[12] = 0;
}

/* path + tag + random characters, into buf; 0, or -1 when too long. */
static int unique_name(char *buf, size_t n, const char *path, const char *tag)
{
	char r[13];
	random_suffix(r);
	return (size_t)snprintf(buf, n, "%s%s%s", path, tag, r) < n ? 0 : -1;
}

/* A new temporary beside path, open for writing and registered for
 * cleanup; its name into tmp.  Returns the descriptor, or -1. */
static int create_temp(const char *path, char *tmp, size_t n, int *slot, Err *e)
{
	for (int i = 0; i < NTRIES; i++) {
		if (unique_name(tmp, n, path, ".tmp-"))
			return err_set(e, "%.200s...: path too long", path);
		sigset_t old;
		cleanup_block(&old);
		int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		int err = errno;
		if (fd >= 0 && (*slot = cleanup_add(tmp, NULL, e)) < 0) {
			close(fd);
			unlink(tmp);
			cleanup_unblock(&old);
			return -1;
		}
		cleanup_unblock(&old);
		if (fd >= 0)
			return fd;
		if (err != EEXIST)
			return err_set(e, "%s: %s", path, strerror(err));
	}
	return err_set(e, "%s: no free temporary name beside it", path);
}

/* Writes w's output to fd (closed here), on disk before this returns;
 * name is what errors call it. */
static int write_fd(int fd, const char *name, OutWriter w, const void *arg, Err *e)
{
	FILE *f = fdopen(fd, "wb");
	if (!f) {
		close(fd);
		return err_set(e, "%s: %s", name, strerror(errno));
	}
	errno = 0;
	int rc = w(f, arg);
	int err = errno;
	if (fflush(f) != 0 && !err)
		err = errno;
	/* a device or a pipe cannot be synced (EINVAL): nothing to wait for */
	if (!rc && !err && fsync(fileno(f)) != 0 && errno != EINVAL)
		err = errno;
	if (fclose(f) != 0 && !err)
		err = errno;
	if (rc || err)
		return err ? err_set(e, "%s: cannot write: %s", name, strerror(err))
			   : err_set(e, "%s: write failed", name);
	return 0;
}

/* Devices and pipes cannot be replaced, only written. */
static int write_in_place(const char *path, const char *name, OutWriter w, const void *arg,
			  Err *e)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, "%s: %s", name, strerror(errno));
	return write_fd(fd, name, w, arg, e);
}

/* What writing path replaces: the file a symbolic link points at. */
static char *target_of(const char *path)
{
	struct stat st;
	char *real = NULL;
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		real = realpath(path, NULL);
	if (!real && !(real = strdup(path)))
		abort();
	return real;
}

/* "-": standard output, written where it stands and left open. */
static int write_stdout(OutWriter w, const void *arg, Err *e)
{
	if (w(stdout, arg) || fflush(stdout) != 0 || ferror(stdout))
		return err_set(e, "standard output: write error");
	return 0;
}

int out_stage(OutSet *s, const char *path, OutWriter w, const void *arg, Err *e)
{
	if (s->n == NOUTSET)
		abort(); /* a command writes a few files */
	if (!strcmp(path, "-")) {
		int rc = write_stdout(w, arg, e);
		if (rc)
			out_abort(s);
		return rc;
	}
	char *target = target_of(path);
	struct stat st;
	int rc = 0;
	if (stat(target, &st) == 0 && !S_ISREG(st.st_mode)) {
		rc = S_ISDIR(st.st_mode) ? err_set(e, "%s: is a directory", path)
					 : write_in_place(target, path, w, arg, e);
		free(target);
		if (rc)
			out_abort(s);
		return rc;
	}
	char tmp[NPATH];
	int slot = -1;
	int fd = create_temp(target, tmp, sizeof tmp, &slot, e);
	if (fd < 0 || write_fd(fd, path, w, arg, e)) {
		if (fd >= 0)
			cleanup_remove(slot);
		free(target);
		out_abort(s);
		return -1;
	}
	char *t = strdup(tmp);
	if (!t)
		abort();
	s->f[s->n++] = (struct OutFile){target, t, slot};
	return 0;
}

/* A hard link to path under a new name beside it, for putting it back;
 * NULL when path is not a regular file or cannot be linked. */
static char *link_aside(const char *path)
{
	struct stat st;
	char aside[NPATH];
	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return NULL;
	for (int i = 0; i < NTRIES; i++) {
		if (unique_name(aside, sizeof aside, path, ".old-"))
			return NULL;
		if (link(path, aside) == 0) {
			char *a = strdup(aside);
			if (!a)
				abort();
			return a;
		}
		if (errno != EEXIST)
			return NULL;
	}
	return NULL;
}

int out_commit(OutSet *s, Err *e)
{
	sigset_t old;
	cleanup_block(&old); /* no signal between two renames */
	char *aside[NOUTSET] = {0};
	bool had[NOUTSET] = {0};
	struct stat st;
	for (int i = 0; s->n > 1 && i < s->n; i++)
		if (s->f[i].tmp && lstat(s->f[i].path, &st) == 0) {
			had[i] = true;
			aside[i] = link_aside(s->f[i].path);
		}
	int done = 0, rc = 0, err = 0;
	for (; done < s->n; done++)
		if (s->f[done].tmp && rename(s->f[done].tmp, s->f[done].path) != 0) {
			err = errno;
			rc = err_set(e, "%s: %s", s->f[done].path, strerror(err));
			break;
		}
	for (int i = 0; rc && i < done; i++) { /* put back what was replaced */
		const char *p = s->f[i].path;
		if (s->f[i].tmp && (aside[i] ? rename(aside[i], p) : had[i] ? -1 : unlink(p)))
			rc = err_set(e, "%s: %s, and %s was replaced already", s->f[done].path,
				     strerror(err), p);
	}
	for (int i = 0; i < s->n; i++) {
		if (aside[i])
			unlink(aside[i]);
		free(aside[i]);
		if (s->f[i].tmp && i < done && !rc)
			cleanup_drop(s->f[i].slot);
		else if (s->f[i].tmp)
			cleanup_remove(s->f[i].slot);
		free(s->f[i].tmp);
		free(s->f[i].path);
	}
	s->n = 0;
	cleanup_unblock(&old);
	return rc;
}

void out_abort(OutSet *s)
{
	for (int i = 0; i < s->n; i++) {
		if (s->f[i].tmp)
			cleanup_remove(s->f[i].slot);
		free(s->f[i].tmp);
		free(s->f[i].path);
	}
	s->n = 0;
}

int out_write(const char *path, OutWriter w, const void *arg, Err *e)
{
	OutSet s = {0};
	return out_stage(&s, path, w, arg, e) || out_commit(&s, e) ? -1 : 0;
}

/* The directory path would be made in ("." for a bare name) must exist and
 * be writable. */
static int parent_writable(const char *path, Err *e)
{
	const char *slash = strrchr(path, '/');
	char dir[NPATH];
	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + 1 : 1, slash ? path : ".");
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return err_set(e, "%s: no such directory", path);
	return access(dir, W_OK) ? err_set(e, "%s: %s", path, strerror(errno)) : 0;
}

/* path with its directory resolved (it may not exist yet), malloc'd. */
static char *canonical(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[NPATH], *real;
	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + 1 : 1, slash ? path : ".");
	if (!(real = realpath(dir, NULL)))
		return NULL;
	size_t n = strlen(real) + strlen(path) + 2;
	char *c = malloc(n);
	if (!c)
		abort();
	snprintf(c, n, "%s/%s", real, slash ? slash + 1 : path);
	free(real);
	return c;
}

/* Whether a and b name one file: by inode when both exist, else by name. */
static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	int ea = stat(a, &sa), eb = stat(b, &sb);
	if (ea == 0 && eb == 0)
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	if (ea == 0 || eb == 0)
		return false;
	char *ca = canonical(a), *cb = canonical(b);
	bool same = ca && cb && !strcmp(ca, cb);
	free(ca);
	free(cb);
	return same;
}

/* Refuses path when it is one of inputs. */
static int not_an_input(const char *path, const char *const *inputs, Err *e)
{
	for (; inputs && *inputs; inputs++)
		if (same_file(path, *inputs))
			return err_set(e, "%s: is the input %s, not writing over it", path, *inputs);
	return 0;
}

int out_check(const char *path, const char *const *inputs, Err *e)
{
	struct stat st;
	if (!strcmp(path, "-"))
		return 0; /* standard output */
	if (not_an_input(path, inputs, e))
		return -1;
	if (stat(path, &st) != 0) {
		char *t = target_of(path); /* a dangling link: made where it points */
		int rc = parent_writable(t, e);
		free(t);
		return rc;
	}
	if (S_ISDIR(st.st_mode))
		return err_set(e, "%s: is a directory", path);
	if (!S_ISREG(st.st_mode))
		return access(path, W_OK) ? err_set(e, "%s: %s", path, strerror(errno)) : 0;
	char *t = target_of(path); /* replaced by a rename in its directory */
	int rc = parent_writable(t, e);
	free(t);
	return rc;
}

static bool listed(const char *name, const char *const *names)
{
	for (; *names; names++)
		if (!strcmp(name, *names))
			return true;
	return false;
}

int out_check_dir(const char *dir, const char *const *names, const char *const *inputs, Err *e)
{
	struct stat st;
	if (stat(dir, &st) != 0) {
		if (errno != ENOENT)
			return err_set(e, "%s: %s", dir, strerror(errno));
		char d[NPATH]; /* "out/": made in "." */
		snprintf(d, sizeof d, "%s", dir);
		for (size_t n = strlen(d); n > 1 && d[n - 1] == '/'; n--)
			d[n - 1] = 0;
		return parent_writable(d, e);
	}
	if (!S_ISDIR(st.st_mode))
		return err_set(e, "%s: not a directory", dir);
	if (not_an_input(dir, inputs, e))
		return -1;
	DIR *d = opendir(dir);
	if (!d)
		return err_set(e, "%s: %s", dir, strerror(errno));
	int rc = 0;
	struct dirent *de;
	while (!rc && (de = readdir(d))) {
		char path[NPATH];
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (!listed(de->d_name, names))
			rc = err_set(e, "%s: holds %s, which this command does not write; the directory "
					"is replaced whole, name another",
				     dir, de->d_name);
		else
			rc = not_an_input(path, inputs, e);
	}
	closedir(d);
	if (rc)
		return rc;
	char *real = realpath(dir, NULL);
	if (!real)
		return err_set(e, "%s: %s", dir, strerror(errno));
	rc = strcmp(real, "/") ? parent_writable(real, e) : err_set(e, "%s: is the root", dir);
	free(real);
	return rc;
}

/* A new, registered directory named path + ".tmp-" + random characters. */
static int make_temp_dir(const char *path, const char *const *names, char *tmp, size_t n,
			 int *slot, Err *e)
{
	for (int i = 0; i < NTRIES; i++) {
		if (unique_name(tmp, n, path, ".tmp-"))
			return err_set(e, "%.200s...: path too long", path);
		sigset_t old;
		cleanup_block(&old);
		int rc = mkdir(tmp, 0777);
		int err = errno;
		if (rc == 0 && (*slot = cleanup_add(tmp, names, e)) < 0) {
			rmdir(tmp);
			cleanup_unblock(&old);
			return -1;
		}
		cleanup_unblock(&old);
		if (rc == 0)
			return 0;
		if (err != EEXIST)
			return err_set(e, "%s: %s", path, strerror(err));
	}
	return err_set(e, "%s: no free temporary name beside it", path);
}

/* Puts directory tmp in target's place; what was there is left at tmp.
 * Called with the signals blocked. */
static int swap_in(const char *tmp, const char *target, Err *e)
{
	for (int i = 0; i < NTRIES; i++) {
		if (rename(tmp, target) == 0) /* no target, or an empty one */
			return 0;
		if (errno != EEXIST && errno != ENOTEMPTY)
			return err_set(e, "%s: %s", target, strerror(errno));
#ifdef RENAME_EXCHANGE
		if (renameat2(AT_FDCWD, tmp, AT_FDCWD, target, RENAME_EXCHANGE) == 0)
			return 0;
		if (errno == ENOENT) /* removed meanwhile */
			continue;
		if (errno != EINVAL && errno != ENOSYS)
			return err_set(e, "%s: %s", target, strerror(errno));
#endif
		/* no exchange on this file system: the old one aside for a moment */
		char aside[NPATH];
		if (unique_name(aside, sizeof aside, target, ".old-"))
			return err_set(e, "%.200s...: path too long", target);
		if (rename(target, aside) != 0) {
			if (errno == ENOENT)
				continue;
			return err_set(e, "%s: %s", target, strerror(errno));
		}
		if (rename(tmp, target) != 0) {
			int err = errno;
			rename(aside, target);
			return err_set(e, "%s: %s", target, strerror(err));
		}
		rename(aside, tmp);
		return 0;
	}
	return err_set(e, "%s: keeps changing while it is replaced", target);
}

int out_write_dir(const char *dir, const char *const *names, const OutWriter *w,
		  const void *const *args, Err *e)
{
	char target[NPATH];
	if (access(dir, F_OK) == 0) {
		char *real = realpath(dir, NULL); /* ".", "a/..", a link: the directory itself */
		if (!real)
			return err_set(e, "%s: %s", dir, strerror(errno));
		snprintf(target, sizeof target, "%s", real);
		free(real);
	} else {
		snprintf(target, sizeof target, "%s", dir);
		for (size_t n = strlen(target); n > 1 && target[n - 1] == '/'; n--)
			target[n - 1] = 0;
	}
	char tmp[NPATH];
	int slot = -1;
	if (make_temp_dir(target, names, tmp, sizeof tmp, &slot, e))
		return -1;
	for (int i = 0; names[i]; i++) {
		char path[NPATH], name[NPATH];
		int fd = -1;
		snprintf(name, sizeof name, "%s/%s", dir, names[i]);
		if ((size_t)snprintf(path, sizeof path, "%s/%s", tmp, names[i]) < sizeof path)
			fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		else
			errno = ENAMETOOLONG;
		if (fd < 0 ? err_set(e, "%s: %s", name, strerror(errno))
			   : write_fd(fd, name, w[i], args[i], e)) {
			cleanup_remove(slot);
			return -1;
		}
	}
	/* checked again: the directory may have changed while the set was made */
	if (out_check_dir(target, names, NULL, e)) {
		cleanup_remove(slot);
		return -1;
	}
	sigset_t old;
	cleanup_block(&old);
	int rc = swap_in(tmp, target, e);
	cleanup_remove(slot); /* the old set, or the new one on a failure */
	cleanup_unblock(&old);
	return rc;
}
