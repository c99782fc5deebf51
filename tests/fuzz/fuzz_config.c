/* fuzz_config.c: libFuzzer target for the accelerator config reader.
 * Every input must give a config that checks and writes back to itself, or
 * a one-line error that names the file; never a crash, a leak or undefined
 * behaviour. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	Err e;
	Config c;
	if (cfg_parse((const char *)data, size, "fuzz", &c, &e)) {
		if (strncmp(e.msg, "fuzz:", 5) != 0 || strchr(e.msg, '\n'))
			abort();
		return 0;
	}
	if (cfg_check(&c, &e))
		abort();
	/* What was read writes back to the same config. */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f || cfg_write(f, &c) != 0)
		abort();
	fclose(f);
	Config d;
	if (cfg_parse(buf, len, "rt", &d, &e) || !cfg_equal(&c, &d))
		abort();
	free(buf);
	return 0;
}
