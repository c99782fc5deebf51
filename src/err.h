/* err.h: errors are values.
 *
 * Library functions return 0 on success and -1 on failure, filling an Err
 * with a one-line message that starts with its location ("file:line: " for
 * text inputs, "node NAME: " for graph nodes).  Only the CLI prints.
 */
#ifndef SERENITY_ERR_H
#define SERENITY_ERR_H

enum { NERRMSG = 1024 }; /* room for a few node names, whole */

typedef struct Err {
	char msg[NERRMSG];
} Err;

#if defined(__GNUC__)
#define SY_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SY_PRINTF(f, a)
#endif

#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
size_t err_utf8_len(const unsigned char *s, size_t n);

/* Sets e (when not NULL) and returns -1, so callers can `return err_set(...)`.
 * Control characters and bytes that are not UTF-8 in the message are
 * escaped as \xNN, line breaks made spaces: the message is one printable
 * line. */
int err_set(Err *e, const char *fmt, ...) SY_PRINTF(2, 3);

#endif
