/* graphfile.h: the plain graph format (DESIGN.md section 4).
 *
 *   node NAME BYTES [INPUT ...]     # one op per line, making tensor NAME
 *
 * Inputs name earlier lines; a node without inputs is a source op; a node
 * nobody reads is a graph output; file order is the definition order.
 */
#ifndef SERENITY_GRAPHFILE_H
#define SERENITY_GRAPHFILE_H

#include <stddef.h>
#include <stdio.h>

#include "ir.h"

/* Parses text[0..len); fname names it in errors ("FILE:LINE: ..."). */
Graph *gf_parse(const char *text, size_t len, const char *fname, Err *e);
Graph *gf_read(const char *path, Err *e);

int gf_write(const Graph *g, FILE *f);
/* Writes through a temporary file renamed into place: no half-written file. */
int gf_save(const Graph *g, const char *path, Err *e);

/* Reads a whole file into malloc'd memory (NUL-terminated); used by every
 * text reader.  Refuses directories and files over max bytes. */
char *gf_slurp(const char *path, size_t max, size_t *len, Err *e);

/* Writes via path.tmp and rename(); write(f, arg) returns 0 on success. */
/* Whether gf_atomic_write could write path: not a directory, and its
 * directory exists and is writable.  For commands that work long before
 * they write, to fail first. */
int gf_check_writable(const char *path, Err *e);
int gf_atomic_write(const char *path, int (*write)(FILE *f, const void *arg), const void *arg,
		    Err *e);

#endif
