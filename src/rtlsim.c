/* rtlsim.c: the bridge to the Verilator simulator.
 *
 * The simulator is built per config by rtl_sim/build.sh into a cache
 * directory named after the config's hardware parameters (build.sh does
 * nothing when the binary there was built from the same RTL sources, by a
 * checksum of their contents), so a sweep builds each SRAM size once.
 * NPU_CHECK=0 in the environment builds (and runs) the NPU with the FPGA
 * build's checker (npu_top's CHECK = 0: encoding and bounds rules only),
 * into a directory of its own (-c0).  The run gets the stream and the DRAM image
 * as files and leaves the final image, the counters (one JSON object) and a
 * per-instruction timeline beside them.
 */
#include "rtlsim.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "cleanup.h"
#include "graphfile.h"
#include "output.h"

#ifndef SERENITY_SOURCE_DIR
#define SERENITY_SOURCE_DIR "."
#endif

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

const char *const rtl_work_files[] = {"stream.bin", "dram.bin", "dram_out.bin", "counters.json",
				     "timeline.csv", NULL};

static int write_bytes(FILE *f, const void *arg)
{
	const NpuProgram *p = arg;
	fwrite(p->dram, 1, p->dram_bytes, f);
	return ferror(f) ? -1 : 0;
}

static int write_stream(FILE *f, const void *arg)
{
	const NpuProgram *p = arg;
	for (size_t i = 0; i < p->nwords; i++) {
		uint32_t w = p->words[i];
		unsigned char b[4] = {w & 0xff, (w >> 8) & 0xff, (w >> 16) & 0xff, w >> 24};
		fwrite(b, 1, 4, f);
	}
	return ferror(f) ? -1 : 0;
}

static int64_t json_int(const char *json, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof pat, "\"%s\"", key);
	const char *p = strstr(json, pat);
	if (!p)
		return -1;
	p = strchr(p + strlen(pat), ':');
	return p ? strtoll(p + 1, NULL, 10) : -1;
}

/* The build's progress on stderr.  build.sh returns at once when the
 * simulator is up to date, so a first tick means a build is under way: on
 * a terminal, a line counting its seconds; otherwise a line when it starts;
 * then a final line either way. */
typedef struct Build {
	const char *config;
	double seconds; /* 0: no tick yet */
} Build;

static void build_tick(void *ctx, double seconds)
{
	Build *b = ctx;
	if (isatty(2))
		fprintf(stderr, "\r\033[Kserenity: building the RTL simulator for %s: %.0f s (about a "
				"minute, once per config)",
			b->config, seconds);
	else if (!b->seconds)
		fprintf(stderr, "serenity: building the RTL simulator for %s (about a minute, once "
				"per config)\n",
			b->config);
	b->seconds = seconds;
}

/* The simulator for c, built if needed; path receives its file name.  The
 * DRAM's latency is the harness's (+latency=), not the NPU's: one
 * simulator serves every latency.  NPU_CHECK (build.sh reads it too) picks
 * the checker: unset, empty or 1 every rule, 0 encoding and bounds only. */
static int simulator(const Config *c, char *path, size_t n, Err *e)
{
	const char *cache = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	const char *check = getenv("NPU_CHECK");
	if (check && *check && strcmp(check, "0") != 0 && strcmp(check, "1") != 0)
		return err_set(e, "NPU_CHECK must be 0 or 1 (is '%.32s')", check);
	bool all = !check || strcmp(check, "0") != 0;
	char dir[2048];
	if (cache && *cache)
		snprintf(dir, sizeof dir, "%s/serenity", cache);
	else
		snprintf(dir, sizeof dir, "%s/.cache/serenity", home && *home ? home : "/tmp");
	long long v[] = {c->sram_bytes,   c->sram_banks, c->sram_bank_bytes, c->wbuf_bytes,
			 c->dma_read_bpc, c->dma_write_bpc, c->mac_rows,     c->mac_cols,
			 c->vector_width};
	enum { NV = sizeof v / sizeof v[0] };
	char out[3072], a[NV][32], script[2048];
	snprintf(out, sizeof out, "%s/rtl-s%lld-b%lldx%lld-w%lld-p%lld.%lld-m%lldx%lld-v%lld%s", dir,
		 v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], all ? "" : "-c0");
	snprintf(script, sizeof script, "%s/rtl_sim/build.sh", SERENITY_SOURCE_DIR);
	char *argv[NV + 4] = {"/bin/sh", script, out};
	for (int k = 0; k < NV; k++) {
		snprintf(a[k], sizeof a[k], "%lld", v[k]);
		argv[3 + k] = a[k];
	}
	argv[NV + 3] = NULL;
	Build b = {c->name, 0};
	double t0 = now_s();
	int rc = cleanup_spawn_tick(argv, true, build_tick, &b, e);
	if (b.seconds && isatty(2))
		fputs("\r\033[K", stderr);
	if (b.seconds && rc == 0) /* a failure says so below */
		fprintf(stderr, "serenity: built the RTL simulator for %s in %.0f s\n", c->name,
			now_s() - t0);
	if (rc < 0)
		return -1;
	if (rc != 0)
		return err_set(e, "%s: building the RTL simulator failed (exit %d)", script, rc);
	snprintf(path, n, "%s/npu_sim", out);
	return 0;
}

/* The timeline CSV (index,opcode,start,end) into st->insn_start/end. */
static int read_timeline(const NpuProgram *p, RtlStats *st, Err *e)
{
	size_t len;
	char *csv = gf_slurp(st->timeline, (size_t)1 << 30, &len, e);
	if (!csv)
		return -1;
	size_t n = p->ninsn ? p->ninsn : 1;
	st->insn_start = xmalloc(n * sizeof *st->insn_start);
	st->insn_end = xmalloc(n * sizeof *st->insn_end);
	for (size_t k = 0; k < n; k++)
		st->insn_start[k] = st->insn_end[k] = -1;
	char *line = strchr(csv, '\n'); /* past the header */
	while (line && *++line) {
		unsigned long long idx, a, b;
		char op[16];
		if (sscanf(line, "%llu,%15[a-z],%llu,%llu", &idx, op, &a, &b) == 4 && idx < p->ninsn) {
			st->insn_start[idx] = (int64_t)a;
			st->insn_end[idx] = (int64_t)b;
		}
		line = strchr(line, '\n');
	}
	free(csv);
	return 0;
}

int rtl_run(const Config *c, const NpuProgram *p, const char *work, const char *trace,
	    uint8_t *dram, RtlStats *st, Err *e)
{
	memset(st, 0, sizeof *st);
	char sim[4096], stream[4096], image[4096], out[4096], counters[4096];
	if (simulator(c, sim, sizeof sim, e)) /* first: a refused NPU_CHECK writes nothing */
		return -1;
	if (mkdir(work, 0777) != 0 && errno != EEXIST)
		return err_set(e, "%s: %s", work, strerror(errno));
	snprintf(stream, sizeof stream, "%s/stream.bin", work);
	snprintf(image, sizeof image, "%s/dram.bin", work);
	snprintf(out, sizeof out, "%s/dram_out.bin", work);
	snprintf(counters, sizeof counters, "%s/counters.json", work);
	snprintf(st->timeline, sizeof st->timeline, "%s/timeline.csv", work);
	if (out_write(stream, write_stream, p, e) || out_write(image, write_bytes, p, e))
		return -1;
	char a_stream[4200], a_dram[4200], a_out[4200], a_cnt[4200], a_tl[4200], a_tr[4200];
	char a_base[64], a_lat[64], a_wend[64], a_aend[64];
	snprintf(a_stream, sizeof a_stream, "+stream=%s", stream);
	snprintf(a_dram, sizeof a_dram, "+dram=%s", image);
	snprintf(a_out, sizeof a_out, "+dram_out=%s", out);
	snprintf(a_cnt, sizeof a_cnt, "+counters=%s", counters);
	snprintf(a_tl, sizeof a_tl, "+timeline=%s", st->timeline);
	snprintf(a_base, sizeof a_base, "+stream_base=%lld", (long long)npu_stream_base(p));
	snprintf(a_lat, sizeof a_lat, "+latency=%d", c->dram_latency);
	snprintf(a_wend, sizeof a_wend, "+weight_end=%lld", (long long)p->weight_end);
	snprintf(a_aend, sizeof a_aend, "+act_end=%lld", (long long)p->act_end);
	char *argv[16] = {sim, a_stream, a_dram, a_out, a_cnt, a_tl, a_base, a_lat, a_wend, a_aend};
	int k = 10;
	if (isatty(2))
		argv[k++] = "+progress";
	if (trace) {
		snprintf(a_tr, sizeof a_tr, "+trace=%s", trace);
		argv[k++] = a_tr;
	}
	argv[k] = NULL;
	double t0 = now_s();
	int rc = cleanup_spawn(argv, false, e);
	st->seconds = now_s() - t0;
	if (rc < 0)
		return -1;
	if (rc != 0)
		return err_set(e, "RTL simulation stopped (exit %d): see the message above", rc);
	size_t len;
	char *json = gf_slurp(counters, 1 << 20, &len, e);
	if (!json)
		return -1;
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
#define K(name, field) {name, offsetof(RtlStats, field)}
		K("cycles", cycles),          K("mac_busy", mac_busy),
		K("compute_busy", compute_busy), K("dma_busy", dma_busy),
		K("stall_fetch", stall_fetch), K("stall_dma", stall_dma),
		K("stall_engine", stall_engine), K("stall_bank", stall_bank),
		K("port_rd_act", port_rd[NPU_CLS_ACT]), K("port_rd_spill", port_rd[NPU_CLS_SPILL]),
		K("port_rd_weight", port_rd[NPU_CLS_WEIGHT]), K("port_rd_fetch", port_rd[NPU_CLS_FETCH]),
		K("port_wr_act", port_wr[NPU_CLS_ACT]), K("port_wr_spill", port_wr[NPU_CLS_SPILL]),
		K("dma_rd", dma_rd),          K("dma_wr", dma_wr),
		K("sram_rd", sram_rd),        K("sram_wr", sram_wr),
		K("sram_peak", sram_peak),    K("sram_hwm", sram_hwm),
		K("insns", insns),
		K("obs_rd_act", obs_rd[NPU_CLS_ACT]), K("obs_rd_spill", obs_rd[NPU_CLS_SPILL]),
		K("obs_rd_weight", obs_rd[NPU_CLS_WEIGHT]), K("obs_rd_fetch", obs_rd[NPU_CLS_FETCH]),
		K("obs_wr_act", obs_wr[NPU_CLS_ACT]), K("obs_wr_spill", obs_wr[NPU_CLS_SPILL]),
#undef K
	};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		int64_t v = json_int(json, keys[i].key);
		memcpy((char *)st + keys[i].off, &v, sizeof v);
	}
	free(json);
	if (st->cycles < 0)
		return err_set(e, "%s: no cycle count", counters);
	char *img = gf_slurp(out, (size_t)1 << 31, &len, e);
	if (!img)
		return -1;
	if (len != p->dram_bytes) {
		free(img);
		return err_set(e, "%s: %zu bytes, the image has %zu", out, len, p->dram_bytes);
	}
	memcpy(dram, img, len);
	free(img);
	return read_timeline(p, st, e);
}

void rtl_stats_free(RtlStats *st)
{
	free(st->insn_start);
	free(st->insn_end);
	st->insn_start = st->insn_end = NULL;
}
