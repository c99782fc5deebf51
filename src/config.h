/* config.h: accelerator configs, XML checked against
 * configs/serenity-config.xsd (built into the binary), then for meaning.
 *
 *   <accelerator name="npu-32k">
 *     <sram> <size>32 KiB</size> <alignment>16</alignment>
 *            <banks>32</banks> <bank-bytes>1</bank-bytes> </sram>
 *     <dma> <read-bytes-per-cycle>8</read-bytes-per-cycle>
 *           <write-bytes-per-cycle>8</write-bytes-per-cycle>
 *           <latency-cycles>100</latency-cycles> </dma>
 *     <compute> <mac-rows>16</mac-rows> <mac-cols>16</mac-cols>
 *               <vector-width>16</vector-width>
 *               <accumulator-bits>32</accumulator-bits> </compute>
 *     <weight-buffer> <size>64 KiB</size> </weight-buffer>
 *     <clock-mhz>500</clock-mhz>
 *   </accelerator>
 *
 * docs/config.md describes every element, its unit and range, and the
 * messages.  Every error is one line "FILE:LINE: what".
 */
#ifndef SERENITY_CONFIG_H
#define SERENITY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

enum { NCFGNAME = 64 };

typedef struct Config {
	char name[NCFGNAME]; /* [A-Za-z0-9._-], 1..63 characters */
	int64_t sram_bytes;  /* on-chip scratchpad, 1 KiB..1 GiB, a multiple of sram_align */
	int sram_align;      /* bytes every buffer offset is a multiple of: power of two <= 4096 */
	int sram_banks;      /* single-port RAM banks of the scratchpad, a power of two, 2..1024 */
	int sram_bank_bytes; /* bytes a bank word, a power of two, 1..64 */
	int64_t wbuf_bytes;  /* weight buffer, 256 B..1 GiB, a multiple of mac_cols */
	int dma_read_bpc;    /* DRAM port read data width, bytes: a power of two, 1..1024 */
	int dma_write_bpc;   /* DRAM port write data width, bytes: a power of two, 1..1024 */
	int dram_latency;    /* cycles from a DMA request to its first byte, 0..100000 */
	int mac_rows;        /* MAC array: mac_rows x mac_cols int8 MACs per cycle, 1..256 each */
	int mac_cols;
	int vector_width;    /* vector unit: int8 elements per cycle, 1..256 */
	int acc_bits;        /* accumulator and stored partial-sum width, 16..32 */
	int clock_mhz;       /* 1..10000 */
} Config;

/* Parses text[0..len) into *c; fname names it in errors.  On failure *c is
 * left as it was.  libxml2 prints nothing, fetches nothing, expands no
 * entity: a DOCTYPE is refused. */
int cfg_parse(const char *text, size_t len, const char *fname, Config *c, Err *e);
int cfg_read(const char *path, Config *c, Err *e);

/* Every range and the checks between fields, for a config changed in code
 * (a sweep over SRAM sizes): messages name the element, "sram/size: ...". */
int cfg_check(const Config *c, Err *e);

/* Fills in the optional fields left 0 (sram/banks, sram/bank-bytes,
 * weight-buffer/size) with their defaults (docs/config.md). */
void cfg_defaults(Config *c);
/* Bytes one access of the scratchpad reaches at any address: (banks - 1) x
 * bank-bytes + 1. */
int cfg_window(const Config *c);

/* Parses text as the value of the element at path ("sram/size",
 * "clock-mhz") in the form the XML takes, range included: the one syntax of
 * values, the command line's too.  Sizes are digits with an optional unit
 * B, KiB, MiB or GiB; K, KB, M, MB, G and GB are refused as ambiguous.
 * Messages name label (an option, "--sram") instead of the path when it is
 * not NULL.  Returns 0, or -1 with e set (no location: the caller's). */
int cfg_parse_value(const char *path, const char *label, const char *text, int64_t *out, Err *e);

/* One JSON object: "name", then every element by its path ("sram/size")
 * with its value (sizes in bytes).  Returns 0, or -1 when f failed. */
int cfg_json(FILE *f, const Config *c);

/* Canonical XML (sizes in the largest exact binary unit); what it writes
 * parses back to an equal config.  Returns 0, or -1 when f failed. */
int cfg_write(FILE *f, const Config *c);
bool cfg_equal(const Config *a, const Config *b);

/* The schema as built in (configs/serenity-config.xsd), NUL-terminated. */
extern const char cfg_xsd[];
extern const size_t cfg_xsd_len;

#endif
