/* fuzz_run_onnx.c: libFuzzer target for `run` on ONNX models: import,
 * post-training quantization, schedule, plan, emit, fsim, as pipeline_run
 * does them (without the RTL).  Every input must end in a one-line error
 * or a bit-exact result; never a crash, a leak or undefined behaviour.
 * Seeds: the ONNX corpus of tests/fuzz.sh; models above a few ops and MACs
 * are skipped after import (fuzz_run.h), to keep each run fast. */
#include "fuzz_run.h"
#include "onnx_import.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static const char npu_xml[] =
	"<accelerator name='fuzz'><sram><size>%d KiB</size><alignment>16</alignment></sram>"
	"<dma><read-bytes-per-cycle>8</read-bytes-per-cycle>"
	"<write-bytes-per-cycle>8</write-bytes-per-cycle><latency-cycles>100</latency-cycles>"
	"</dma><compute><mac-rows>16</mac-rows><mac-cols>16</mac-cols>"
	"<vector-width>16</vector-width><accumulator-bits>32</accumulator-bits></compute>"
	"<weight-buffer><size>32 KiB</size></weight-buffer><clock-mhz>500</clock-mhz>"
	"</accelerator>";

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	Err e;
	Graph *g = onnx_import_mem("fuzz", data, size, NULL, &e);
	if (!g) {
		if (strncmp(e.msg, "fuzz", 4) != 0)
			abort();
		fuzz_check_msg(&e);
		return 0;
	}
	if (!fuzz_small(g)) {
		ir_free(g);
		return 0;
	}
	/* 64 KiB of SRAM, or 8 KiB for odd sizes: DRAM spills and staging too */
	char xml[sizeof npu_xml + 16];
	snprintf(xml, sizeof xml, npu_xml, size % 2 ? 8 : 64);
	Config cfg;
	if (cfg_parse(xml, strlen(xml), "fuzz.xml", &cfg, &e))
		abort();
	double db;
	if (pipeline_npu_check(g, "fuzz", false, &e) ||
	    pipeline_quantize(&g, NULL, 1, false, NULL, NULL, &db, &e)) {
		fuzz_check_msg(&e);
		ir_free(g);
		return 0;
	}
	fuzz_run(g, &cfg, size % 3 == 0);
	ir_free(g);
	return 0;
}
