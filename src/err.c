#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
size_t err_utf8_len(const unsigned char *s, size_t n)
{
	size_t k;
	unsigned min;
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		k = 2, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		k = 3, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 4, min = 0x10000;
	else
		return 0;
	if (k > n)
		return 0;
	unsigned v = c & (0x7f >> k);
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	return k;
}

int err_set(Err *e, const char *fmt, ...)
{
	if (!e)
		return -1;
	char raw[NERRMSG];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	/* One printable line whatever was formatted into it (names from a
	 * corrupted file): line breaks become spaces, other control bytes and
	 * bytes that are not UTF-8 become \xNN. */
	size_t n = strlen(raw), o = 0;
	for (size_t i = 0; i < n && o < sizeof e->msg - 1;) {
		unsigned char c = (unsigned char)raw[i];
		size_t k = err_utf8_len((const unsigned char *)raw + i, n - i);
		if (c == '\n' || c == '\r') {
			e->msg[o++] = ' ';
		} else if (k && c >= 0x20 && c != 0x7f) {
			if (o + k > sizeof e->msg - 1)
				break;
			memcpy(e->msg + o, raw + i, k);
			o += k;
			i += k;
			continue;
		} else if (o + 4 <= sizeof e->msg - 1) {
			o += (size_t)snprintf(e->msg + o, 5, "\\x%02x", c);
		} else {
			break;
		}
		i++;
	}
	e->msg[o] = 0;
	return -1;
}
