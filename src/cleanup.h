/* cleanup.h: what an interrupted command must not leave behind.
 *
 * Every temporary file and directory the toolchain makes is registered
 * here while it exists, and the child process being waited for (the RTL
 * simulator, its build) is known.  SIGINT, SIGTERM and SIGHUP then stop
 * that child's whole process group, remove what is registered and end the
 * process by the same signal, so the exit status stays 128 + signal.
 */
#ifndef SERENITY_CLEANUP_H
#define SERENITY_CLEANUP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* Installs the handlers (the CLI, once at start); a signal ignored when
 * the process started (nohup, a background job of sh) stays ignored. */
void cleanup_install(void);

/* Registers path, a file, or when names is not NULL a directory holding at
 * most the files names[] (NULL-terminated, static): on a signal these are
 * unlinked, then the directory removed.  Returns the slot, or -1 (and e)
 * when the path is too long.  Register and create with signals blocked
 * (cleanup_block), so that neither can happen without the other. */
int cleanup_add(const char *path, const char *const *names, Err *e);
/* Forgets slot (-1: nothing), after its path was renamed or removed. */
void cleanup_drop(int slot);
/* Removes slot's file, or its directory's files and then the directory,
 * and forgets it. */
void cleanup_remove(int slot);

/* Blocks SIGINT, SIGTERM and SIGHUP, the old mask into *old; unblock
 * restores it. */
void cleanup_block(sigset_t *old);
void cleanup_unblock(const sigset_t *old);

/* A private directory (mode 0700) named PREFIX + 6 random characters under
 * $TMPDIR (or /tmp), registered with the files names[] it may hold; its
 * path into dir[0..n).  Returns the slot for cleanup_remove, or -1. */
int cleanup_tempdir(const char *prefix, const char *const *names, char *dir, size_t n, Err *e);

/* Runs argv[0] (a path) with argv in a process group of its own, stdout to
 * /dev/null when quiet, and waits for it.  A signal to this process stops
 * that group first.  Returns the exit status, or -1 (and e) when it could
 * not run or was killed. */
int cleanup_spawn(char *const argv[], bool quiet, Err *e);
/* The same, calling tick(ctx, seconds) every second the child runs (a
 * progress line). */
typedef void CleanupTick(void *ctx, double seconds);
int cleanup_spawn_tick(char *const argv[], bool quiet, CleanupTick *tick, void *ctx, Err *e);

#endif
