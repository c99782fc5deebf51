/* fsim_image.c: runs a command stream on the functional model (fsim) and
 * writes the final DRAM image and fsim's counters, for the RTL's tests to
 * compare against npu_sim's.
 *
 *   fsim_image CONFIG.xml stream.bin dram.bin OUT.bin [COUNTERS.json [TIMELINE.csv]]
 *
 * The counters JSON uses npu_sim's keys for what both count (instructions,
 * bytes by port class, DMA and scratchpad bytes, SRAM peak and high-water
 * mark, MAC-busy cycles) plus fsim's estimated "cycles"; the timeline, as
 * npu_sim's (+timeline): index,opcode,start,end per instruction, fsim's
 * estimate of when each ran.  Exit status 0, or
 * 1 with fsim's message when it refuses the stream (on stdout as
 * "error: ...", so tests can compare it with the RTL's), 2 on bad
 * arguments or files.  Links build/libserenity_core.a.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cost.h"
#include "err.h"
#include "fsim.h"
#include "pipeline.h"

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

typedef struct Timeline {
	const FsimStats *st;
	FILE *f;
} Timeline;

static void timeline(void *ctx, size_t index, const uint8_t *sram)
{
	const Timeline *t = ctx;
	(void)sram;
	fprintf(t->f, "%zu,insn,%lld,%lld\n", index, (long long)t->st->last_start,
		(long long)t->st->last_end);
}

int main(int argc, char **argv)
{
	if (argc < 5 || argc > 7) {
		fprintf(stderr, "usage: fsim_image CONFIG.xml stream.bin dram.bin OUT.bin "
				"[COUNTERS.json [TIMELINE.csv]]\n");
		return 2;
	}
	Config c;
	Err e;
	memset(&e, 0, sizeof e);
	if (cfg_read(argv[1], &c, &e)) {
		fprintf(stderr, "fsim_image: %s\n", e.msg);
		return 2;
	}
	CostModel m = pipeline_cost_model(&c);
	size_t sbytes, dbytes;
	uint8_t *s = slurp(argv[2], &sbytes);
	uint8_t *d = slurp(argv[3], &dbytes);
	if (!s || !d) {
		fprintf(stderr, "fsim_image: cannot read %s\n", !s ? argv[2] : argv[3]);
		return 2;
	}
	size_t nw = sbytes / 4;
	uint32_t *w = malloc(nw * sizeof *w + 1);
	if (!w)
		abort();
	for (size_t k = 0; k < nw; k++)
		w[k] = (uint32_t)s[4 * k] | (uint32_t)s[4 * k + 1] << 8 | (uint32_t)s[4 * k + 2] << 16 |
		       (uint32_t)s[4 * k + 3] << 24;
	FsimStats st;
	Timeline tl = {&st, NULL};
	if (argc == 7 && !(tl.f = fopen(argv[6], "w"))) {
		fprintf(stderr, "fsim_image: cannot write %s\n", argv[6]);
		return 2;
	}
	if (tl.f)
		fputs("index,opcode,start,end\n", tl.f);
	int rc = fsim_run_hooked(&m, w, nw, d, dbytes, &st, tl.f ? timeline : NULL, &tl, &e);
	if (tl.f && fclose(tl.f)) {
		fprintf(stderr, "fsim_image: cannot write %s\n", argv[6]);
		return 2;
	}
	if (rc)
		printf("error: %s\n", e.msg);
	if (!rc) {
		FILE *f = fopen(argv[4], "wb");
		if (!f || fwrite(d, 1, dbytes, f) != dbytes || fclose(f)) {
			fprintf(stderr, "fsim_image: cannot write %s\n", argv[4]);
			return 2;
		}
	}
	if (argc >= 6) {
		FILE *f = fopen(argv[5], "w");
		if (!f) {
			fprintf(stderr, "fsim_image: cannot write %s\n", argv[5]);
			return 2;
		}
		fprintf(f,
			"{\"cycles\":%lld,\"mac_busy\":%lld,\"insns\":%lld,"
			"\"port_rd_act\":%lld,\"port_rd_spill\":%lld,\"port_rd_weight\":%lld,"
			"\"port_rd_fetch\":%lld,\"port_wr_act\":%lld,\"port_wr_spill\":%lld,"
			"\"dma_rd\":%lld,\"dma_wr\":%lld,\"sram_rd\":%lld,\"sram_wr\":%lld,"
			"\"sram_peak\":%lld,\"sram_hwm\":%lld}\n",
			(long long)st.cycles, (long long)st.mac_busy, (long long)st.insns,
			(long long)st.port_rd[NPU_CLS_ACT], (long long)st.port_rd[NPU_CLS_SPILL],
			(long long)st.port_rd[NPU_CLS_WEIGHT], (long long)st.port_rd[NPU_CLS_FETCH],
			(long long)st.port_wr[NPU_CLS_ACT], (long long)st.port_wr[NPU_CLS_SPILL],
			(long long)st.dma_rd, (long long)st.dma_wr, (long long)st.sram_rd,
			(long long)st.sram_wr, (long long)st.sram_peak, (long long)st.sram_hwm);
		fclose(f);
	}
	free(s);
	free(d);
	free(w);
	return rc ? 1 : 0;
}
