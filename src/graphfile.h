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
/* Writes whole or not at all (output.h). */
int gf_save(const Graph *g, const char *path, Err *e);

/* Reads a whole file into malloc'd memory (NUL-terminated); used by every
 * text reader.  Refuses directories and files over max bytes. */
char *gf_slurp(const char *path, size_t max, size_t *len, Err *e);

#endif
