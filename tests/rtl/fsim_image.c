/* fsim_image.c: runs a command stream on the functional model (fsim) and
 * writes the final DRAM image and fsim's counters, for the RTL's tests to
 * compare against npu_sim's.
 *
 *   fsim_image SRAM RD_BPC WR_BPC LATENCY ROWS COLS VEC_WIDTH stream.bin dram.bin OUT.bin [COUNTERS.json]
 *
 * The counters JSON has npu_sim's keys (stall_cycles is 0: fsim does not
 * count it).  Exit status 0, or 1 with fsim's message when it refuses the
 * stream (the message on stdout as "error: ...", so tests can compare it
 * with the RTL's), 2 on bad arguments or files.  Links build/libserenity_core.a.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "err.h"
#include "fsim.h"

static void *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, len = 0;
	unsigned char *p = malloc(cap);
	for (;;) {
		if (len == cap) {
			cap *= 2;
			p = realloc(p, cap);
		}
		if (!p)
			abort();
		size_t k = fread(p + len, 1, cap - len, f);
		if (!k)
			break;
		len += k;
	}
	fclose(f);
	*n = len;
	return p;
}

int main(int argc, char **argv)
{
	if (argc != 11 && argc != 12) {
		fprintf(stderr, "usage: fsim_image SRAM RD WR LATENCY ROWS COLS VW stream.bin dram.bin "
				"OUT.bin [COUNTERS.json]\n");
		return 2;
	}
	CostModel m = {
		.sram_bytes = atoll(argv[1]),
		.dma_read_bpc = atoi(argv[2]),
		.dma_write_bpc = atoi(argv[3]),
		.dram_latency = atoi(argv[4]),
		.mac_rows = atoi(argv[5]),
		.mac_cols = atoi(argv[6]),
		.vector_width = atoi(argv[7]),
	};
	size_t sbytes, dbytes;
	uint8_t *s = slurp(argv[8], &sbytes);
	uint8_t *d = slurp(argv[9], &dbytes);
	if (!s || !d) {
		fprintf(stderr, "fsim_image: cannot read %s\n", !s ? argv[8] : argv[9]);
		return 2;
	}
	size_t nw = sbytes / 4;
	uint32_t *w = malloc(nw * sizeof *w + 1);
	for (size_t k = 0; k < nw; k++)
		w[k] = (uint32_t)s[4 * k] | (uint32_t)s[4 * k + 1] << 8 | (uint32_t)s[4 * k + 2] << 16 |
		       (uint32_t)s[4 * k + 3] << 24;
	FsimStats st;
	Err e;
	memset(&e, 0, sizeof e);
	int rc = fsim_run(&m, w, nw, d, dbytes, &st, &e);
	if (rc)
		printf("error: %s\n", e.msg);
	if (!rc) {
		FILE *f = fopen(argv[10], "wb");
		if (!f || fwrite(d, 1, dbytes, f) != dbytes || fclose(f)) {
			fprintf(stderr, "fsim_image: cannot write %s\n", argv[10]);
			return 2;
		}
	}
	if (argc == 12) {
		FILE *f = fopen(argv[11], "w");
		if (!f) {
			fprintf(stderr, "fsim_image: cannot write %s\n", argv[11]);
			return 2;
		}
		fprintf(f,
			"{\"cycles\":%lld,\"compute_busy\":%lld,\"dma_busy\":%lld,\"stall_cycles\":0,"
			"\"dram_weight_read\":%lld,\"dram_act_read\":%lld,\"dram_write\":%lld,"
			"\"sram_peak\":%lld,\"instructions\":%lld}\n",
			(long long)st.cycles, (long long)st.compute_busy, (long long)st.dma_busy,
			(long long)st.dram_weight_read, (long long)st.dram_act_read,
			(long long)st.dram_write, (long long)st.sram_peak, (long long)st.insns);
		fclose(f);
	}
	free(s);
	free(d);
	free(w);
	return rc ? 1 : 0;
}
