/* output.h: output files written whole or not at all.
 *
 * Every file the toolchain writes goes through here.  A file is written to
 * a temporary of a unique name beside it (created with O_EXCL|O_NOFOLLOW,
 * so nothing planted there is followed), flushed to disk (fsync) and
 * renamed over its target: readers, and other processes writing the same
 * path, see the old file or a whole new one, never a mix.  A temporary is
 * removed on every error, and on SIGINT/SIGTERM/SIGHUP (cleanup.h).
 *
 * A path that is a symbolic link is written through: its target is
 * replaced.  A device or a pipe (/dev/null, /dev/stdout) cannot be
 * replaced, only written in place.  The path "-" is standard output, for
 * every command's -o: written in place too, and left open.
 */
#ifndef SERENITY_OUTPUT_H
#define SERENITY_OUTPUT_H

#include <stdio.h>

#include "err.h"

/* Writes the file's contents to f; 0 on success. */
typedef int (*OutWriter)(FILE *f, const void *arg);

/* Whether path can be written: not a directory, its directory exists and
 * is writable, and it is none of the files inputs[] (NULL-terminated; an
 * entry that names no file, such as "zoo:NAME", is skipped): writing an
 * output over an input is refused.  For commands to call before they work. */
int out_check(const char *path, const char *const *inputs, Err *e);

/* Writes one file. */
int out_write(const char *path, OutWriter w, const void *arg, Err *e);

/* Files that are replaced together or not at all (a CSV and its plot):
 * each is written to its temporary by out_stage, then out_commit renames
 * them all; if a rename fails, those renamed before it are put back (a
 * hard link of each old file is kept until then).  A failing out_stage or
 * out_commit removes every temporary of the set; out_abort does it without
 * a failure.  A device is written in place at out_stage. */
enum { NOUTSET = 8 };
typedef struct OutSet {
	int n;
	struct OutFile {
		char *path; /* the target (a symbolic link resolved) */
		char *tmp;  /* its temporary; NULL: written in place */
		int slot;   /* the temporary's cleanup slot */
	} f[NOUTSET];
} OutSet;

int out_stage(OutSet *s, const char *path, OutWriter w, const void *arg, Err *e);
int out_commit(OutSet *s, Err *e);
void out_abort(OutSet *s);

/* A directory of n files names[] (NULL-terminated, static), replaced as a
 * whole: the files are written into a new directory beside dir, which is
 * then swapped with dir (renameat2 RENAME_EXCHANGE; where the file system
 * cannot, the old dir is renamed aside first) and the old one removed.  A
 * failure before the swap leaves dir as it was.  An existing dir may hold
 * only files named in names[] (a previous output): anything else is refused,
 * so `-o .` never removes a user's files.  out_check_dir checks that, and
 * inputs[] as out_check does, for commands to call before they work. */
int out_check_dir(const char *dir, const char *const *names, const char *const *inputs, Err *e);
int out_write_dir(const char *dir, const char *const *names, const OutWriter *w,
		  const void *const *args, Err *e);

#endif
