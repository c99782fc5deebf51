/* test_config.c: accelerator configs, from memory and from a file: every
 * element's forms, bounds and messages, the optional elements (sram/banks,
 * sram/bank-bytes, weight-buffer/size) and their defaults, the checks
 * between fields, the canonical writer and its round trip. */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "graphfile.h"
#include "rng.h"

#define CONFIG_DATA SERENITY_TEST_DATA "/config"
#define CONFIGS SERENITY_TEST_DATA "/../../configs"

/* A valid config: the base every bad value is written into. */
static const char base[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			   "<accelerator name=\"test\">\n"
			   "\t<sram>\n"
			   "\t\t<size>64 KiB</size>\n"
			   "\t\t<alignment>16</alignment>\n"
			   "\t</sram>\n"
			   "\t<dma>\n"
			   "\t\t<read-bytes-per-cycle>8</read-bytes-per-cycle>\n"
			   "\t\t<write-bytes-per-cycle>8</write-bytes-per-cycle>\n"
			   "\t\t<latency-cycles>100</latency-cycles>\n"
			   "\t</dma>\n"
			   "\t<compute>\n"
			   "\t\t<mac-rows>16</mac-rows>\n"
			   "\t\t<mac-cols>16</mac-cols>\n"
			   "\t\t<vector-width>16</vector-width>\n"
			   "\t\t<accumulator-bits>32</accumulator-bits>\n"
			   "\t</compute>\n"
			   "\t<clock-mhz>500</clock-mhz>\n"
			   "</accelerator>\n";

/* The same with every optional element given (the defaults' values). */
static const char base_full[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
				"<accelerator name=\"test\">\n"
				"\t<sram>\n"
				"\t\t<size>64 KiB</size>\n"
				"\t\t<alignment>16</alignment>\n"
				"\t\t<banks>32</banks>\n"
				"\t\t<bank-bytes>1</bank-bytes>\n"
				"\t</sram>\n"
				"\t<dma>\n"
				"\t\t<read-bytes-per-cycle>8</read-bytes-per-cycle>\n"
				"\t\t<write-bytes-per-cycle>8</write-bytes-per-cycle>\n"
				"\t\t<latency-cycles>100</latency-cycles>\n"
				"\t</dma>\n"
				"\t<compute>\n"
				"\t\t<mac-rows>16</mac-rows>\n"
				"\t\t<mac-cols>16</mac-cols>\n"
				"\t\t<vector-width>16</vector-width>\n"
				"\t\t<accumulator-bits>32</accumulator-bits>\n"
				"\t</compute>\n"
				"\t<weight-buffer>\n"
				"\t\t<size>32 KiB</size>\n"
				"\t</weight-buffer>\n"
				"\t<clock-mhz>500</clock-mhz>\n"
				"</accelerator>\n";

/* Parses text[0..len) through a file (via_file) or from memory: parsers are
 * tested both ways through this one helper.  Messages name it "<mem>". */
static int parse(const char *text, size_t len, bool via_file, Config *c, Err *e)
{
	if (!via_file)
		return cfg_parse(text, len, "<mem>", c, e);
	char path[] = "/tmp/serenity-cfg-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	int rc = cfg_read(path, c, e);
	if (rc) {
		char *p = strstr(e->msg, path);
		if (p) {
			char rest[NERRMSG];
			snprintf(rest, sizeof rest, "%s", p + strlen(path));
			snprintf(e->msg, sizeof e->msg, "<mem>%.*s", (int)(sizeof e->msg - 6), rest);
		}
	}
	unlink(path);
	return rc;
}

static int parse_str(const char *text, bool via_file, Config *c, Err *e)
{
	return parse(text, strlen(text), via_file, c, e);
}

/* Expects text to be refused, both ways, with exactly `want`. */
static void expect_error(const char *text, size_t len, const char *want)
{
	for (int via_file = 0; via_file < 2; via_file++) {
		Err e = {{0}};
		Config c;
		memset(&c, 0x5a, sizeof c);
		Config before = c;
		if (parse(text, len, via_file, &c, &e) == 0)
			fail_msg("accepted, want '%s'", want);
		if (strcmp(e.msg, want) != 0)
			fail_msg("got  '%s'\nwant '%s'", e.msg, want);
		/* A failed parse leaves the config alone. */
		assert_memory_equal(&c, &before, sizeof c);
	}
}

/* doc with the text of the first <elem> replaced by value (elem
 * "group/name": the first <name> after <group>); *line is the element's
 * line. */
static char *with_value_in(const char *doc, const char *elem, const char *value, int *line)
{
	char open[64], close[64];
	const char *slash = strchr(elem, '/'), *from = doc;
	if (slash) {
		snprintf(open, sizeof open, "<%.*s>", (int)(slash - elem), elem);
		from = strstr(doc, open);
		assert_non_null(from);
		elem = slash + 1;
	}
	snprintf(open, sizeof open, "<%s>", elem);
	snprintf(close, sizeof close, "</%s>", elem);
	const char *a = strstr(from, open);
	assert_non_null(a);
	a += strlen(open);
	const char *b = strstr(a, close);
	assert_non_null(b);
	size_t n = strlen(doc) + strlen(value) + 1;
	char *out = malloc(n);
	snprintf(out, n, "%.*s%s%s", (int)(a - doc), doc, value, b);
	*line = 1;
	for (const char *p = doc; p < a; p++)
		*line += *p == '\n';
	return out;
}

static char *with_value(const char *elem, const char *value, int *line)
{
	return with_value_in(base, elem, value, line);
}

/* The fields as the messages and the documentation word them (optional:
 * written into base_full). */
static const struct {
	const char *elem, *path;
	long long min, max;
	const char *range;
	bool bytes, optional;
	long long amin, amax; /* the values accepted, when a cross check narrows min..max */
} tfields[] = {
	{"size", "sram/size", 1024, 1 << 30, "1 KiB..1 GiB", true, false, 0, 0},
	{"alignment", "sram/alignment", 1, 4096, "1..4096 bytes, a power of two", false, false, 0, 0},
	/* the NPU fetches 64-byte instructions in at most 16 beats: 4..64 */
	{"read-bytes-per-cycle", "dma/read-bytes-per-cycle", 1, 1024,
	 "1..1024 bytes per cycle, a power of two", false, false, 4, 64},
	{"write-bytes-per-cycle", "dma/write-bytes-per-cycle", 1, 1024,
	 "1..1024 bytes per cycle, a power of two", false, false, 0, 0},
	{"latency-cycles", "dma/latency-cycles", 0, 100000, "0..100000 cycles", false, false, 0, 0},
	{"mac-rows", "compute/mac-rows", 1, 256, "1..256", false, false, 0, 0},
	{"mac-cols", "compute/mac-cols", 1, 256, "1..256", false, false, 0, 0},
	{"vector-width", "compute/vector-width", 1, 256, "1..256 int8 lanes", false, false, 0, 0},
	{"accumulator-bits", "compute/accumulator-bits", 16, 32, "16..32 bits", false, false, 0, 0},
	{"clock-mhz", "clock-mhz", 1, 10000, "1..10000 MHz", false, false, 0, 0},
	{"banks", "sram/banks", 2, 1024, "2..1024, a power of two", false, true, 0, 0},
	{"bank-bytes", "sram/bank-bytes", 1, 64, "1..64 bytes, a power of two", false, true, 0, 0},
	{"weight-buffer/size", "weight-buffer/size", 256, 1 << 30, "256..1 GiB", true, true, 0, 0},
};
enum { NTFIELDS = sizeof tfields / sizeof tfields[0] };

static void test_parse_ok(void **state)
{
	(void)state;
	for (int via_file = 0; via_file < 2; via_file++) {
		Config c;
		Err e;
		if (parse_str(base, via_file, &c, &e))
			fail_msg("%s", e.msg);
		assert_string_equal(c.name, "test");
		assert_int_equal(c.sram_bytes, 64 * 1024);
		assert_int_equal(c.sram_align, 16);
		assert_int_equal(c.dma_read_bpc, 8);
		assert_int_equal(c.dma_write_bpc, 8);
		assert_int_equal(c.dram_latency, 100);
		assert_int_equal(c.mac_rows, 16);
		assert_int_equal(c.mac_cols, 16);
		assert_int_equal(c.vector_width, 16);
		assert_int_equal(c.acc_bits, 32);
		assert_int_equal(c.clock_mhz, 500);
		/* left out: one-byte banks, the fewest (a power of two) whose
		 * window, (banks - 1) x bytes + 1, holds 2 x 16 lanes (twice the
		 * MAC rows or vector lanes, hw/README.md) and each port's width 8:
		 * 32; a weight buffer of 32 KiB */
		assert_int_equal(c.sram_bank_bytes, 1);
		assert_int_equal(c.sram_banks, 32);
		assert_int_equal(cfg_window(&c), 32);
		assert_int_equal(c.wbuf_bytes, 32 * 1024);
		/* written out, the same as base_full */
		Config full;
		if (parse_str(base_full, via_file, &full, &e))
			fail_msg("%s", e.msg);
		assert_true(cfg_equal(&c, &full));
	}
}

/* Every way of writing a size, and the forms XML allows around a value. */
static void test_value_forms(void **state)
{
	(void)state;
	static const struct {
		const char *elem, *text;
		long long want;
	} forms[] = {
		{"size", "65536", 65536},
		{"size", "65536B", 65536},
		{"size", "65536 B", 65536},
		{"size", "64KiB", 65536},
		{"size", "\n\t 64 \t KiB \n", 65536},
		{"size", "3 MiB", 3 << 20},
		{"size", "1 GiB", 1 << 30},
		{"size", "<![CDATA[64 KiB]]>", 65536},
		{"size", "6<!-- a comment -->4 KiB", 65536},
		{"size", "&#54;4 KiB", 65536},
		{"size", "0064 KiB", 65536},
		{"clock-mhz", " 0750 ", 750},
		{"clock-mhz", "<?pi x?>750", 750},
	};
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		int line;
		char *text = with_value(forms[i].elem, forms[i].text, &line);
		for (int via_file = 0; via_file < 2; via_file++) {
			Config c;
			Err e;
			if (parse_str(text, via_file, &c, &e))
				fail_msg("form %zu '%s': %s", i, forms[i].text, e.msg);
			long long got = strcmp(forms[i].elem, "size") == 0 ? c.sram_bytes : c.clock_mhz;
			assert_int_equal(got, forms[i].want);
		}
		free(text);
	}
}

/* Children come in any order; comments, PIs and an XML declaration in
 * another encoding are fine; the XSD location hint is not followed. */
static void test_any_order_and_decorations(void **state)
{
	(void)state;
	const char *text =
		"<?xml version='1.0' encoding='ISO-8859-1'?>\n"
		"<!-- \xe9t\xe9 -->\n"
		"<accelerator xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance'\n"
		"  xsi:noNamespaceSchemaLocation='http://127.0.0.1:9/serenity-config.xsd'\n"
		"  name='x.y_z-1'>\n"
		"<?editor fold?>"
		"<clock-mhz>1</clock-mhz>"
		"<compute><accumulator-bits>16</accumulator-bits><vector-width>1</vector-width>"
		"<mac-cols>2</mac-cols><mac-rows>3</mac-rows></compute>"
		"<weight-buffer><size>258</size></weight-buffer>"
		"<dma><latency-cycles>0</latency-cycles><write-bytes-per-cycle>4</write-bytes-per-cycle>"
		"<read-bytes-per-cycle>4</read-bytes-per-cycle></dma>"
		"<sram><bank-bytes>2</bank-bytes><alignment>1</alignment><size>1032</size></sram>"
		"</accelerator>";
	for (int via_file = 0; via_file < 2; via_file++) {
		Config c;
		Err e;
		if (parse_str(text, via_file, &c, &e))
			fail_msg("%s", e.msg);
		assert_string_equal(c.name, "x.y_z-1");
		assert_int_equal(c.sram_bytes, 1032);
		assert_int_equal(c.dma_read_bpc, 4);
		assert_int_equal(c.dma_write_bpc, 4);
		assert_int_equal(c.wbuf_bytes, 258);
		/* banks of 2 bytes, the fewest whose window holds 2 x 3 MAC rows:
		 * 4 (7 bytes); 1032 is 129 rows of 4 x 2 */
		assert_int_equal(c.sram_bank_bytes, 2);
		assert_int_equal(c.sram_banks, 4);
		assert_int_equal(c.mac_rows, 3);
		assert_int_equal(c.mac_cols, 2);
		assert_int_equal(c.acc_bits, 16);
		assert_int_equal(c.clock_mhz, 1);
	}
}

/* Every bad form of every value, with its line and message. */
static void test_bad_values(void **state)
{
	(void)state;
	for (int i = 0; i < NTFIELDS; i++) {
		const char *p = tfields[i].path, *r = tfields[i].range;
		char hi[32], lo[32];
		snprintf(hi, sizeof hi, "%lld", tfields[i].max + 1);
		snprintf(lo, sizeof lo, "%lld", tfields[i].min - 1);
		struct {
			const char *text;
			char want[256];
		} cases[8];
		int n = 0;
		cases[n].text = "-5";
		snprintf(cases[n++].want, 256, "%s '-5' is negative (expected %s)", p, r);
		cases[n].text = "many";
		snprintf(cases[n++].want, 256, "%s 'many' is not a number (expected %s)", p, r);
		cases[n].text = "99999999999999999999";
		snprintf(cases[n++].want, 256,
			 "%s '99999999999999999999' overflows 64 bits (expected %s)", p, r);
		cases[n].text = "  ";
		snprintf(cases[n++].want, 256, "%s is empty (expected %s)", p, r);
		cases[n].text = hi;
		snprintf(cases[n++].want, 256, "%s '%s' is out of range (expected %s)", p, hi, r);
		if (tfields[i].min > 0) {
			cases[n].text = lo;
			snprintf(cases[n++].want, 256, "%s '%s' is out of range (expected %s)", p, lo,
				 r);
		}
		cases[n].text = "1.5";
		snprintf(cases[n++].want, 256, "%s '1.5' is not a whole number%s (expected %s)", p,
			 tfields[i].bytes ? " of bytes" : "", r);
		if (tfields[i].bytes) {
			cases[n].text = "7 kB";
			snprintf(cases[n++].want, 256,
				 "%s '7 kB': unit kB is ambiguous (write KiB, MiB or GiB for powers "
				 "of 1024, or plain bytes)",
				 p);
		} else {
			cases[n].text = "7 MHz";
			snprintf(cases[n++].want, 256,
				 "%s '7 MHz' takes no unit (expected a plain number, %s)", p, r);
		}
		for (int k = 0; k < n; k++) {
			int line;
			char *text = with_value_in(tfields[i].optional ? base_full : base,
						   tfields[i].elem, cases[k].text, &line);
			char want[NERRMSG];
			snprintf(want, sizeof want, "<mem>:%d: %s", line, cases[k].want);
			expect_error(text, strlen(text), want);
			free(text);
		}
	}
}

/* Each bound accepted, one past it refused: the XSD and the C checks agree. */
static void test_bounds(void **state)
{
	(void)state;
	for (int i = 0; i < NTFIELDS; i++)
		for (int end = 0; end < 2 && !tfields[i].optional; end++) {
			long long v = end ? (tfields[i].amax ? tfields[i].amax : tfields[i].max)
					  : (tfields[i].amin ? tfields[i].amin : tfields[i].min);
			char num[32];
			snprintf(num, sizeof num, "%lld", v);
			int line;
			char *text = with_value(tfields[i].elem, num, &line);
			for (int via_file = 0; via_file < 2; via_file++) {
				Config c;
				Err e;
				if (parse_str(text, via_file, &c, &e))
					fail_msg("%s = %s: %s", tfields[i].path, num, e.msg);
			}
			free(text);
		}
}

static void test_sizes_and_units(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"32 KB", "sram/size '32 KB': unit KB is ambiguous (write KiB, MiB or GiB for "
			  "powers of 1024, or plain bytes)"},
		{"1M", "sram/size '1M': unit M is ambiguous (write KiB, MiB or GiB for powers of "
		       "1024, or plain bytes)"},
		{"32 kib", "sram/size '32 kib': unknown unit 'kib' (expected B, KiB, MiB or GiB)"},
		{"32 KiB KiB",
		 "sram/size '32 KiB KiB': unknown unit 'KiB KiB' (expected B, KiB, MiB or GiB)"},
		{"32 parsecs",
		 "sram/size '32 parsecs': unknown unit 'parsecs' (expected B, KiB, MiB or GiB)"},
		{"KiB", "sram/size 'KiB' is not a number (expected 1 KiB..1 GiB)"},
		{"0x8000", "sram/size '0x8000': unknown unit 'x8000' (expected B, KiB, MiB or GiB)"},
		{"+32 KiB", "sram/size '+32 KiB' is not a number (expected 1 KiB..1 GiB)"},
		{"2 GiB", "sram/size '2 GiB' is out of range (expected 1 KiB..1 GiB)"},
		{"1023 B", "sram/size '1023 B' is out of range (expected 1 KiB..1 GiB)"},
		{"0", "sram/size '0' is out of range (expected 1 KiB..1 GiB)"},
		{"9007199254740992 GiB",
		 "sram/size '9007199254740992 GiB' overflows 64 bits (expected 1 KiB..1 GiB)"},
		{"1048 B", "sram/size 1048 is not a multiple of sram/alignment 16"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int line;
		char *text = with_value("size", cases[i].text, &line);
		char want[NERRMSG];
		snprintf(want, sizeof want, "<mem>:%d: %s", line, cases[i].want);
		expect_error(text, strlen(text), want);
		free(text);
	}
	int line;
	char *text = with_value("alignment", "24", &line);
	expect_error(text, strlen(text),
		     "<mem>:5: sram/alignment '24' is not a power of two (expected 1..4096 bytes, "
		     "a power of two)");
	free(text);
}

/* The files in tests/data/config: one per kind of mistake. */
static void test_bad_files(void **state)
{
	(void)state;
	static const struct {
		const char *file, *want; /* want after "<mem>" */
	} cases[] = {
		{"bad-truncated.xml", ":13: malformed XML: Premature end of data in tag mac-rows line 13"},
		{"bad-not-xml.xml", ":1: malformed XML: Start tag expected, '<' not found"},
		{"bad-unknown-element.xml", ":6: unknown element <ports> in <sram> (expected <size>, "
					    "<alignment>, <banks>, <bank-bytes>)"},
		{"bad-misplaced-element.xml",
		 ":11: <size> does not belong in <dma> (expected <read-bytes-per-cycle>, "
		 "<write-bytes-per-cycle>, <latency-cycles>)"},
		{"bad-missing-element.xml", ":12: missing <vector-width> in <compute>"},
		{"bad-negative.xml",
		 ":10: dma/latency-cycles '-100' is negative (expected 0..100000 cycles)"},
		{"bad-not-a-number.xml",
		 ":13: compute/mac-rows 'sixteen' is not a number (expected 1..256)"},
		{"bad-overflow.xml", ":4: sram/size '18446744073709551617 KiB' overflows 64 bits "
				     "(expected 1 KiB..1 GiB)"},
		{"bad-unit.xml", ":4: sram/size '64 KB': unit KB is ambiguous (write KiB, MiB or GiB "
				 "for powers of 1024, or plain bytes)"},
		{"bad-out-of-range.xml", ":18: clock-mhz '20000' is out of range (expected 1..10000 MHz)"},
		{"bad-empty.xml", ":1: empty file (expected an <accelerator> XML document)"},
		{"bad-binary.xml", ":1: binary data (a NUL byte; configs are UTF-8 text)"},
		{"bad-duplicate.xml", ":15: duplicate <mac-cols> in <compute> (first at line 14)"},
		{"bad-doctype.xml", ":2: DOCTYPE not allowed (a config has no DTD and no entities)"},
		{"bad-wrong-root.xml", ":2: root element is <config> (expected <accelerator>)"},
		{"bad-not-power-of-two.xml", ":5: sram/alignment '48' is not a power of two "
					     "(expected 1..4096 bytes, a power of two)"},
		{"bad-not-multiple.xml", ":4: sram/size 1048 is not a multiple of sram/alignment 16"},
		{"bad-name.xml",
		 ":2: accelerator name 'my npu' may hold only letters, digits, '.', '_' and '-'"},
		{"bad-banks-not-power-of-two.xml",
		 ":6: sram/banks '24' is not a power of two (expected 2..1024, a power of two)"},
		{"bad-dma-not-power-of-two.xml", ":8: dma/read-bytes-per-cycle '12' is not a power of two "
						 "(expected 1..1024 bytes per cycle, a power of two)"},
		/* the checks between fields name sram/size's line */
		{"bad-bank-multiple.xml", ":4: sram/size 1040 is not a multiple of sram/banks 32 x "
					  "sram/bank-bytes 1 (every bank holds the same number of words)"},
		{"bad-window.xml", ":4: sram/banks 4 x sram/bank-bytes 2 reach 7 contiguous bytes in "
				   "one access, fewer than compute/mac-rows 16"},
		{"bad-weight-buffer.xml", ":4: weight-buffer/size 1000 is not a multiple of "
					  "compute/mac-cols 16 (its rows are mac-cols bytes)"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char path[512], want[NERRMSG];
		snprintf(path, sizeof path, "%s/%s", CONFIG_DATA, cases[i].file);
		size_t len;
		Err e;
		char *text = gf_slurp(path, 1 << 20, &len, &e);
		if (!text)
			fail_msg("%s", e.msg);
		snprintf(want, sizeof want, "<mem>%s", cases[i].want);
		expect_error(text, len, want);
		free(text);
		/* And as the CLI reads it, naming the file. */
		Config c;
		assert_int_equal(cfg_read(path, &c, &e), -1);
		snprintf(want, sizeof want, "%s%s", path, cases[i].want);
		assert_string_equal(e.msg, want);
	}
}

/* A config in UTF-16 that says so (a byte order mark, or "<?" in UTF-16)
 * is read as such, as any declared encoding is (bad-binary.xml: a stray
 * NUL byte is still binary data). */
static void test_utf16(void **state)
{
	(void)state;
	const char *decl = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n";
	const char *body = strstr(base, "?>") + 3; /* after base's own declaration */
	size_t nd = strlen(decl), nb = strlen(body), n;
	for (int bom = 0; bom < 2; bom++) {
		char *w = malloc(2 * (nd + nb) + 2);
		n = 0;
		if (bom) {
			w[n++] = (char)0xff; /* little-endian */
			w[n++] = (char)0xfe;
		}
		for (size_t i = 0; i < nd + nb; i++) {
			char ch = i < nd ? decl[i] : body[i - nd];
			w[n++] = bom ? ch : 0; /* without a BOM, big-endian */
			w[n++] = bom ? 0 : ch;
		}
		for (int via_file = 0; via_file < 2; via_file++) {
			Config c;
			Err e;
			if (parse(w, n, via_file, &c, &e))
				fail_msg("%s", e.msg);
			assert_string_equal(c.name, "test");
			assert_int_equal(c.sram_bytes, 64 * 1024);
		}
		free(w);
	}
}

/* libxml2's limits, without the hint at its API ("use XML_PARSE_HUGE
 * option") that means nothing to a user. */
static void test_parser_limits(void **state)
{
	(void)state;
	enum { DEPTH = 300 };
	char text[32 + 7 * DEPTH + 16];
	size_t n = (size_t)snprintf(text, sizeof text, "<accelerator name='a'>");
	for (int k = 0; k < DEPTH; k++)
		n += (size_t)snprintf(text + n, sizeof text - n, "<a>");
	for (int k = 0; k < DEPTH; k++)
		n += (size_t)snprintf(text + n, sizeof text - n, "</a>");
	expect_error(text, n, "<mem>:1: malformed XML: Excessive depth in document: 256 (beyond "
			      "the XML parser's limits; a config needs far less)");
}

/* Structure, root, name and XML-level mistakes written inline. */
static void test_bad_structure(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"<accelerator name='a'/>",
		 "<mem>:1: missing <sram>, <dma>, <compute>, <clock-mhz> in <accelerator>"},
		{"<accelerator xmlns='urn:x' name='a'/>",
		 "<mem>:1: root element <accelerator> is in namespace 'urn:x' (expected none)"},
		{"<x:accelerator xmlns:x='urn:x' name='a'/>",
		 "<mem>:1: root element <accelerator> is in namespace 'urn:x' (expected none)"},
		{"<config name='a'/>", "<mem>:1: root element is <config> (expected <accelerator>)"},
		{"<accelerator name='a'><x:sram xmlns:x='urn:x'/></accelerator>",
		 "<mem>:1: unknown element <x:sram> in <accelerator> (expected <sram>, <dma>, "
		 "<compute>, <weight-buffer>, <clock-mhz>)"},
		/* the optional elements: in their places only, once, whole */
		{"<accelerator name='a'><weight-buffer><banks>4</banks></weight-buffer></accelerator>",
		 "<mem>:1: <banks> does not belong in <weight-buffer> (expected <size>)"},
		{"<accelerator name='a'><dma>\n<bank-bytes>4</bank-bytes></dma></accelerator>",
		 "<mem>:2: <bank-bytes> does not belong in <dma> (expected <read-bytes-per-cycle>, "
		 "<write-bytes-per-cycle>, <latency-cycles>)"},
		{"<accelerator name='a'><sram><banks>4</banks>\n<banks>8</banks></sram></accelerator>",
		 "<mem>:2: duplicate <banks> in <sram> (first at line 1)"},
		{"<accelerator name='a'><weight-buffer><size>1 KiB</size></weight-buffer>\n"
		 "<weight-buffer><size>1 KiB</size></weight-buffer></accelerator>",
		 "<mem>:2: duplicate <weight-buffer> in <accelerator> (first at line 1)"},
		{"<accelerator name='a'><sram><banks>4</banks></sram></accelerator>",
		 "<mem>:1: missing <size>, <alignment> in <sram>"},
		{"<accelerator name=''/>",
		 "<mem>:1: accelerator name is empty (expected 1 to 63 letters, digits, '.', '_' "
		 "or '-')"},
		{"<accelerator name='aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'/>",
		 "<mem>:1: accelerator name is longer than 63 characters"},
		{"<accelerator/>",
		 "<mem>:1: Element 'accelerator': The attribute 'name' is required but missing."},
		{"<accelerator name='a' speed='9'/>",
		 "<mem>:1: Element 'accelerator', attribute 'speed': The attribute 'speed' is not "
		 "allowed."},
		{"<accelerator name='a'>\n<sram>text</sram></accelerator>",
		 "<mem>:2: Element 'sram': Character content other than whitespace is not allowed "
		 "because the content type is 'element-only'."},
		{"<accelerator name='a'>\n<clock-mhz>5<b/></clock-mhz></accelerator>",
		 "<mem>:2: Element 'clock-mhz': Element content is not allowed, because the type "
		 "definition is simple."},
		{"<accelerator name='a'></accelerator><accelerator name='b'/>",
		 "<mem>:1: malformed XML: Extra content at the end of the document"},
		{"<accelerator name='a'><x:y/></accelerator>",
		 "<mem>:1: malformed XML: Namespace prefix x on y is not defined"},
		{"<?xml version='1.0' encoding='X-NO-SUCH'?><accelerator/>",
		 "<mem>:1: malformed XML: Unsupported encoding X-NO-SUCH"},
		{"<accelerator name='a'>\n\xff\xfe</accelerator>",
		 "<mem>:2: malformed XML: Input is not proper UTF-8, indicate encoding !"},
		{"\n\n \t\n", "<mem>:1: empty file (expected an <accelerator> XML document)"},
		{"hello", "<mem>:1: malformed XML: Start tag expected, '<' not found"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect_error(cases[i].text, strlen(cases[i].text), cases[i].want);
	/* A NUL byte, at its line, when the length says it is part of the text. */
	static const char nul[] = "<accelerator name='a'>\n\n<x\0/></accelerator>";
	expect_error(nul, sizeof nul - 1, "<mem>:3: binary data (a NUL byte; configs are UTF-8 text)");
	expect_error("", 0, "<mem>:1: empty file (expected an <accelerator> XML document)");
	/* Too large, read whole or not. */
	static const size_t big[] = {(1 << 20) + 1, 3 << 20};
	for (int i = 0; i < 2; i++) {
		char *text = malloc(big[i]);
		memset(text, ' ', big[i]);
		expect_error(text, big[i], "<mem>: larger than 1048576 bytes");
		free(text);
	}
}

/* No DTD, so no entity: nothing read from files, nothing fetched. */
static void test_no_entities(void **state)
{
	(void)state;
	static const char *const cases[] = {
		"<?xml version='1.0'?>\n<!DOCTYPE a [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>\n"
		"<accelerator name='&x;'/>",
		"<!DOCTYPE accelerator SYSTEM 'http://127.0.0.1:9/x.dtd'><accelerator/>",
		"<!DOCTYPE a [<!ENTITY % p SYSTEM 'http://127.0.0.1:9/p'> %p;]><a/>",
		"<!DOCTYPE lolz [<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;&lol;&lol;&lol;'>"
		"<!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;'>]><accelerator name='&lol3;'/>",
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char want[NERRMSG];
		snprintf(want, sizeof want,
			 "<mem>:%d: DOCTYPE not allowed (a config has no DTD and no entities)",
			 i == 0 ? 2 : 1);
		expect_error(cases[i], strlen(cases[i]), want);
	}
	/* An entity that was never declared is an XML error, not a lookup. */
	int line;
	char *text = with_value("clock-mhz", "&x;", &line);
	expect_error(text, strlen(text), "<mem>:18: malformed XML: Entity 'x' not defined");
	free(text);
}

static void test_big_line_numbers(void **state)
{
	(void)state;
	int n = 70000;
	const char *at = strstr(base, "\t<clock-mhz>");
	size_t len = strlen(base) + n + 8;
	char *text = malloc(len);
	snprintf(text, len, "%.*s%*s%s", (int)(at - base), base, n, "", at);
	memset(text + (at - base), '\n', n);
	char *v = strstr(text, ">500<");
	memcpy(v + 1, "-50", 3);
	expect_error(text, strlen(text),
		     "<mem>:70018: clock-mhz '-50' is negative (expected 1..10000 MHz)");
	free(text);
}

static void test_missing_file_and_directory(void **state)
{
	(void)state;
	Err e;
	Config c;
	assert_int_equal(cfg_read("/nonexistent/npu.xml", &c, &e), -1);
	assert_string_equal(e.msg, "/nonexistent/npu.xml: No such file or directory");
	assert_int_equal(cfg_read("/tmp", &c, &e), -1);
	assert_string_equal(e.msg, "/tmp: is a directory");
}

static void read_shipped(const char *name, Config *c)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", CONFIGS, name);
	Err e;
	if (cfg_read(path, c, &e))
		fail_msg("%s", e.msg);
}

/* Every config in configs/ is accepted, both ways; the four design points
 * differ only in their SRAM size. */
static void test_shipped_configs(void **state)
{
	(void)state;
	DIR *d = opendir(CONFIGS);
	assert_non_null(d);
	int n = 0;
	for (struct dirent *de; (de = readdir(d));) {
		size_t k = strlen(de->d_name);
		if (k < 4 || strcmp(de->d_name + k - 4, ".xml") != 0)
			continue;
		char path[512];
		snprintf(path, sizeof path, "%s/%s", CONFIGS, de->d_name);
		size_t len;
		Err e;
		char *text = gf_slurp(path, 1 << 20, &len, &e);
		assert_non_null(text);
		for (int via_file = 0; via_file < 2; via_file++) {
			Config c;
			if (parse(text, len, via_file, &c, &e))
				fail_msg("%s: %s", de->d_name, e.msg);
			if (cfg_check(&c, &e))
				fail_msg("%s: %s", de->d_name, e.msg);
			/* The name is the file's. */
			assert_int_equal(strlen(c.name) + 4, k);
			assert_memory_equal(c.name, de->d_name, k - 4);
		}
		free(text);
		n++;
	}
	closedir(d);
	assert_true(n >= 5);

	Config ref, c;
	read_shipped("npu-32k.xml", &ref);
	assert_int_equal(ref.sram_bytes, 32 * 1024);
	assert_int_equal(ref.sram_align, 16);
	assert_int_equal(ref.dma_read_bpc, 8);
	assert_int_equal(ref.dma_write_bpc, 8);
	assert_int_equal(ref.dram_latency, 100);
	assert_int_equal(ref.mac_rows, 16);
	assert_int_equal(ref.mac_cols, 16);
	assert_int_equal(ref.vector_width, 16);
	assert_int_equal(ref.acc_bits, 32);
	assert_int_equal(ref.clock_mhz, 500);
	/* the defaults (test_parse_ok): 32 one-byte banks, 32 KiB of weights */
	assert_int_equal(ref.sram_banks, 32);
	assert_int_equal(ref.sram_bank_bytes, 1);
	assert_int_equal(ref.wbuf_bytes, 32 * 1024);
	static const int kib[] = {64, 128, 256};
	for (int i = 0; i < 3; i++) {
		char name[32];
		snprintf(name, sizeof name, "npu-%dk.xml", kib[i]);
		read_shipped(name, &c);
		assert_int_equal(c.sram_bytes, kib[i] * 1024);
		c.sram_bytes = ref.sram_bytes;
		memcpy(c.name, ref.name, sizeof c.name);
		assert_true(cfg_equal(&c, &ref));
	}
	read_shipped("npu-tiny.xml", &c);
	assert_int_equal(c.sram_bytes, 8 * 1024);
	assert_int_equal(c.mac_rows, 4);
	assert_int_equal(c.mac_cols, 4);
	/* 2 x 4 lanes: 8 one-byte banks */
	assert_int_equal(c.sram_banks, 8);
	assert_int_equal(c.sram_bank_bytes, 1);
	assert_int_equal(cfg_window(&c), 8);
	assert_int_equal(c.wbuf_bytes, 8 * 1024);
}

static void test_good_files(void **state)
{
	(void)state;
	Config c;
	Err e;
	if (cfg_read(CONFIG_DATA "/good-minimal.xml", &c, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(c.sram_bytes, 1024);
	assert_int_equal(c.dram_latency, 0);
	assert_int_equal(c.acc_bits, 16);
	/* one lane, but the DMA reads 4 bytes a cycle: the window must hold 4
	 * bytes, 4 banks of one byte */
	assert_int_equal(c.sram_banks, 4);
	assert_int_equal(c.sram_bank_bytes, 1);
	assert_int_equal(c.wbuf_bytes, 32 * 1024);
	if (cfg_read(CONFIG_DATA "/good-maximal.xml", &c, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(strlen(c.name), NCFGNAME - 1);
	assert_int_equal(c.sram_bytes, 1 << 30);
	assert_int_equal(c.sram_align, 4096);
	assert_int_equal(c.clock_mhz, 10000);
	assert_int_equal(c.sram_banks, 1024);
	assert_int_equal(c.sram_bank_bytes, 64);
	assert_int_equal(cfg_window(&c), 1023 * 64 + 1);
	assert_int_equal(c.wbuf_bytes, 1 << 30);
	assert_int_equal(c.dma_read_bpc, 64);
}

static char *write_str(const Config *c, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	assert_non_null(f);
	assert_int_equal(cfg_write(f, c), 0);
	fclose(f);
	return buf;
}

static void test_write_canonical(void **state)
{
	(void)state;
	Config c;
	read_shipped("npu-64k.xml", &c);
	size_t len;
	char *text = write_str(&c, &len);
	assert_string_equal(text, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
				  "<accelerator name=\"npu-64k\">\n"
				  "\t<sram>\n"
				  "\t\t<size>64 KiB</size>\n"
				  "\t\t<alignment>16</alignment>\n"
				  "\t\t<banks>32</banks>\n"
				  "\t\t<bank-bytes>1</bank-bytes>\n"
				  "\t</sram>\n"
				  "\t<dma>\n"
				  "\t\t<read-bytes-per-cycle>8</read-bytes-per-cycle>\n"
				  "\t\t<write-bytes-per-cycle>8</write-bytes-per-cycle>\n"
				  "\t\t<latency-cycles>100</latency-cycles>\n"
				  "\t</dma>\n"
				  "\t<compute>\n"
				  "\t\t<mac-rows>16</mac-rows>\n"
				  "\t\t<mac-cols>16</mac-cols>\n"
				  "\t\t<vector-width>16</vector-width>\n"
				  "\t\t<accumulator-bits>32</accumulator-bits>\n"
				  "\t</compute>\n"
				  "\t<weight-buffer>\n"
				  "\t\t<size>32 KiB</size>\n"
				  "\t</weight-buffer>\n"
				  "\t<clock-mhz>500</clock-mhz>\n"
				  "</accelerator>\n");
	free(text);
	/* every value in the largest exact unit, plain bytes otherwise */
	c.wbuf_bytes = 3 << 20, c.sram_bytes = (64 << 10) + 32, c.sram_banks = 16;
	c.sram_bank_bytes = 2;
	text = write_str(&c, &len);
	assert_non_null(strstr(text, "\t\t<size>65568</size>\n\t\t<alignment>16</alignment>\n"
				     "\t\t<banks>16</banks>\n\t\t<bank-bytes>2</bank-bytes>\n"));
	assert_non_null(strstr(text, "\t<weight-buffer>\n\t\t<size>3 MiB</size>\n"));
	free(text);
}

static long long pick(uint64_t *s, long long lo, long long hi)
{
	return lo + (long long)rng_below(s, (uint64_t)(hi - lo + 1));
}

/* write -> parse gives the same config, for random valid configs. */
static void test_round_trip(void **state)
{
	(void)state;
	uint64_t s = 7;
	for (int iter = 0; iter < 200; iter++) {
		Config c;
		memset(&c, 0, sizeof c);
		int nlen = (int)pick(&s, 1, NCFGNAME - 1);
		for (int i = 0; i < nlen; i++)
			c.name[i] = "abcXYZ019._-"[rng_below(&s, 12)];
		c.sram_align = 1 << pick(&s, 0, 12);
		c.dma_read_bpc = 1 << pick(&s, 2, 6); /* 4..64: the instruction fetch */
		c.dma_write_bpc = 1 << pick(&s, 0, 10);
		c.dram_latency = (int)pick(&s, 0, 100000);
		c.mac_rows = (int)pick(&s, 1, 256);
		c.mac_cols = (int)pick(&s, 1, 256);
		c.vector_width = (int)pick(&s, 1, 256);
		c.acc_bits = (int)pick(&s, 16, 32);
		c.clock_mhz = (int)pick(&s, 1, 10000);
		/* banks whose window reaches the widest of the lanes and ports,
		 * sometimes more of them */
		int need = c.mac_rows;
		need = c.vector_width > need ? c.vector_width : need;
		need = c.dma_read_bpc > need ? c.dma_read_bpc : need;
		need = c.dma_write_bpc > need ? c.dma_write_bpc : need;
		c.sram_bank_bytes = 1 << pick(&s, 0, 6);
		c.sram_banks = 2;
		while ((c.sram_banks - 1) * c.sram_bank_bytes + 1 < need)
			c.sram_banks *= 2;
		c.sram_banks <<= pick(&s, 0, 2);
		if (c.sram_banks > 1024)
			c.sram_banks = 1024;
		/* sizes in every unit: multiples of 1, 1 KiB, 1 MiB, of the
		 * alignment and of a row of banks */
		int64_t unit = (int64_t)1 << (10 * pick(&s, 0, 2));
		if (unit < c.sram_align)
			unit = c.sram_align;
		if (unit < (int64_t)c.sram_banks * c.sram_bank_bytes)
			unit = (int64_t)c.sram_banks * c.sram_bank_bytes;
		int64_t lo = (1024 + unit - 1) / unit, hi = ((int64_t)1 << 30) / unit;
		c.sram_bytes = unit * pick(&s, lo, hi);
		if (iter == 0)
			c.sram_bytes = 1 << 30;
		/* weight buffers of whole rows of mac-cols bytes */
		int64_t wunit = (int64_t)c.mac_cols << (10 * pick(&s, 0, 1));
		c.wbuf_bytes = wunit * pick(&s, (256 + wunit - 1) / wunit, ((int64_t)1 << 30) / wunit);
		Err e;
		if (cfg_check(&c, &e))
			fail_msg("iteration %d: %s", iter, e.msg);
		size_t len;
		char *text = write_str(&c, &len);
		Config d;
		if (cfg_parse(text, len, "rt", &d, &e))
			fail_msg("iteration %d: %s\n%s", iter, e.msg, text);
		assert_true(cfg_equal(&c, &d));
		free(text);
	}
}

static void test_check(void **state)
{
	(void)state;
	Config ok;
	read_shipped("npu-32k.xml", &ok);
	Err e;
	assert_int_equal(cfg_check(&ok, &e), 0);
	static const struct {
		size_t off;
		int64_t v;
		const char *want;
	} cases[] = {
		{offsetof(Config, sram_bytes), 2048LL << 20,
		 "sram/size 2 GiB is out of range (expected 1 KiB..1 GiB)"},
		{offsetof(Config, sram_bytes), 1000,
		 "sram/size 1000 is out of range (expected 1 KiB..1 GiB)"},
		{offsetof(Config, sram_bytes), 40004,
		 "sram/size 40004 is not a multiple of sram/alignment 16"},
		{offsetof(Config, sram_align), 12,
		 "sram/alignment 12 is not a power of two (expected 1..4096 bytes, a power of two)"},
		{offsetof(Config, dram_latency), -1,
		 "dma/latency-cycles -1 is out of range (expected 0..100000 cycles)"},
		{offsetof(Config, acc_bits), 8,
		 "compute/accumulator-bits 8 is out of range (expected 16..32 bits)"},
		{offsetof(Config, clock_mhz), 0, "clock-mhz 0 is out of range (expected 1..10000 MHz)"},
		{offsetof(Config, dma_read_bpc), 12, "dma/read-bytes-per-cycle 12 is not a power of two "
						      "(expected 1..1024 bytes per cycle, a power of two)"},
		{offsetof(Config, dma_write_bpc), 0, "dma/write-bytes-per-cycle 0 is out of range "
						      "(expected 1..1024 bytes per cycle, a power of two)"},
		/* cfg_check fills in nothing: the optional fields must be set */
		{offsetof(Config, sram_banks), 0,
		 "sram/banks 0 is out of range (expected 2..1024, a power of two)"},
		{offsetof(Config, sram_banks), 48,
		 "sram/banks 48 is not a power of two (expected 2..1024, a power of two)"},
		{offsetof(Config, sram_banks), 2048,
		 "sram/banks 2048 is out of range (expected 2..1024, a power of two)"},
		{offsetof(Config, sram_bank_bytes), 0,
		 "sram/bank-bytes 0 is out of range (expected 1..64 bytes, a power of two)"},
		{offsetof(Config, sram_bank_bytes), 6,
		 "sram/bank-bytes 6 is not a power of two (expected 1..64 bytes, a power of two)"},
		{offsetof(Config, wbuf_bytes), 0,
		 "weight-buffer/size 0 is out of range (expected 256..1 GiB)"},
		{offsetof(Config, wbuf_bytes), (1LL << 30) + 16,
		 "weight-buffer/size 1073741840 is out of range (expected 256..1 GiB)"},
		/* the checks between fields, in their order */
		{offsetof(Config, sram_bytes), 32 * 1024 + 16,
		 "sram/size 32784 is not a multiple of sram/banks 32 x sram/bank-bytes 1 (every bank "
		 "holds the same number of words)"},
		{offsetof(Config, sram_banks), 16,
		 "sram/banks 16 x sram/bank-bytes 1 reach 16 contiguous bytes in one access, fewer "
		 "than compute/vector-width 17"},
		{offsetof(Config, mac_rows), 33,
		 "sram/banks 32 x sram/bank-bytes 1 reach 32 contiguous bytes in one access, fewer "
		 "than compute/mac-rows 33"},
		{offsetof(Config, dma_read_bpc), 64,
		 "sram/banks 32 x sram/bank-bytes 1 reach 32 contiguous bytes in one access, fewer "
		 "than dma/read-bytes-per-cycle 64"},
		{offsetof(Config, dma_write_bpc), 1024,
		 "sram/banks 32 x sram/bank-bytes 1 reach 32 contiguous bytes in one access, fewer "
		 "than dma/write-bytes-per-cycle 1024"},
		{offsetof(Config, wbuf_bytes), 1000,
		 "weight-buffer/size 1000 is not a multiple of compute/mac-cols 16 (its rows are "
		 "mac-cols bytes)"},
		{offsetof(Config, mac_cols), 24,
		 "weight-buffer/size 32 KiB is not a multiple of compute/mac-cols 24 (its rows are "
		 "mac-cols bytes)"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		Config c = ok;
		if (cases[i].off == offsetof(Config, sram_banks) && cases[i].v == 16)
			c.vector_width = 17; /* 16 banks reach 16 bytes: one lane short */
		if (cases[i].off == offsetof(Config, sram_bytes))
			c.sram_bytes = cases[i].v;
		else if (cases[i].off == offsetof(Config, wbuf_bytes))
			c.wbuf_bytes = cases[i].v;
		else {
			int v = (int)cases[i].v;
			memcpy((char *)&c + cases[i].off, &v, sizeof v);
		}
		assert_int_equal(cfg_check(&c, &e), -1);
		assert_string_equal(e.msg, cases[i].want);
	}
	Config c = ok;
	memset(c.name, 'a', sizeof c.name); /* no terminator */
	assert_int_equal(cfg_check(&c, &e), -1);
	assert_string_equal(e.msg, "accelerator name is longer than 63 characters");
	strcpy(c.name, "a/b");
	assert_int_equal(cfg_check(&c, &e), -1);
	assert_string_equal(e.msg,
			    "accelerator name 'a/b' may hold only letters, digits, '.', '_' and '-'");
}

/* cfg_defaults fills in what is 0: banks of one byte; the fewest banks, a
 * power of two, whose window ((banks - 1) x bank-bytes + 1 contiguous
 * bytes, hw/README.md) holds twice the lanes of the MAC rows or the vector
 * unit (a stride-2 window still fills them) and either port's width; a
 * weight buffer of 32 KiB.  What is set stays. */
static void test_defaults(void **state)
{
	(void)state;
	static const struct {
		int rows, vw, rd, wr, bb, banks;
		int64_t wbuf;
		int want_bb, want_banks;
		int64_t want_wbuf;
	} cases[] = {
		{16, 16, 8, 8, 0, 0, 0, 1, 32, 32 << 10},      /* 32 bytes */
		{4, 4, 4, 4, 0, 0, 0, 1, 8, 32 << 10},         /* 8 */
		{1, 1, 1, 1, 0, 0, 4096, 1, 2, 4096},          /* 2: the fewest banks */
		{3, 1, 2, 4, 0, 0, 0, 1, 8, 32 << 10},         /* 6: 8 */
		{256, 8, 8, 8, 0, 0, 0, 1, 512, 32 << 10},     /* 512 */
		{16, 8, 1024, 8, 0, 0, 0, 1, 1024, 32 << 10},  /* the read port's 1024 */
		{16, 16, 8, 64, 0, 0, 0, 1, 64, 32 << 10},     /* the write port's 64 */
		{16, 16, 8, 8, 4, 0, 0, 4, 16, 32 << 10},      /* 32 in 4-byte words: 9, so 16 */
		{16, 16, 8, 8, 64, 0, 0, 64, 2, 32 << 10},     /* a word and the next: 65 */
		{3, 1, 2, 4, 2, 0, 1 << 30, 2, 4, 1 << 30},    /* 6 in 2-byte words: 4 */
		{16, 16, 8, 8, 0, 4, 0, 1, 4, 32 << 10},       /* given: kept, too few or not */
		{16, 16, 8, 8, 2, 512, 256, 2, 512, 256},
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		Config c;
		read_shipped("npu-32k.xml", &c);
		c.mac_rows = cases[k].rows, c.vector_width = cases[k].vw;
		c.dma_read_bpc = cases[k].rd, c.dma_write_bpc = cases[k].wr;
		c.sram_bank_bytes = cases[k].bb, c.sram_banks = cases[k].banks;
		c.wbuf_bytes = cases[k].wbuf;
		cfg_defaults(&c);
		if (c.sram_bank_bytes != cases[k].want_bb || c.sram_banks != cases[k].want_banks ||
		    c.wbuf_bytes != cases[k].want_wbuf)
			fail_msg("case %zu: %d banks of %d bytes, %lld bytes of weights", k,
				 c.sram_banks, c.sram_bank_bytes, (long long)c.wbuf_bytes);
		assert_int_equal(cfg_window(&c), (c.sram_banks - 1) * c.sram_bank_bytes + 1);
		Config again = c;
		cfg_defaults(&again); /* nothing left to fill */
		assert_memory_equal(&again, &c, sizeof c);
	}
}

/* base_full with several values replaced. */
static char *with_values(const char *const *elems, const char *const *values, int n)
{
	char *text = NULL;
	for (int k = 0; k < n; k++) {
		int line;
		char *next = with_value_in(text ? text : base_full, elems[k], values[k], &line);
		free(text);
		text = next;
	}
	return text;
}

/* The optional elements: their bounds accepted (with what the checks
 * between fields then need), powers of two, and the checks between
 * fields, at the line of sram/size. */
static void test_optional_elements(void **state)
{
	(void)state;
	static const struct {
		const char *elems[2], *values[2];
		int64_t banks, bb, wbuf;
	} ok[] = {
		{{"banks", "bank-bytes"}, {"2", "16"}, 2, 16, 32 << 10}, /* a window of 17 */
		{{"banks", "bank-bytes"}, {"1024", "1"}, 1024, 1, 32 << 10},
		{{"banks", "bank-bytes"}, {"32", "64"}, 32, 64, 32 << 10},
		{{"banks", "weight-buffer/size"}, {"64", "256"}, 64, 1, 256},
		{{"banks", "weight-buffer/size"}, {"32", "1 GiB"}, 32, 1, 1 << 30},
	};
	for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++) {
		char *text = with_values(ok[k].elems, ok[k].values, 2);
		for (int via_file = 0; via_file < 2; via_file++) {
			Config c;
			Err e;
			if (parse_str(text, via_file, &c, &e))
				fail_msg("case %zu: %s", k, e.msg);
			assert_int_equal(c.sram_banks, ok[k].banks);
			assert_int_equal(c.sram_bank_bytes, ok[k].bb);
			assert_int_equal(c.wbuf_bytes, ok[k].wbuf);
		}
		free(text);
	}
	/* bank-bytes given, banks left out: the default from that width */
	int line;
	char *text = with_value_in(base, "alignment", "16</alignment><bank-bytes>8</bank-bytes><x>",
				   &line);
	char *x = strstr(text, "<x></alignment>");
	assert_non_null(x);
	memmove(x, x + strlen("<x></alignment>"), strlen(x + strlen("<x></alignment>")) + 1);
	Config c;
	Err e;
	if (parse_str(text, false, &c, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(c.sram_bank_bytes, 8);
	assert_int_equal(c.sram_banks, 8); /* 32 bytes in 8-byte words: 5, so 8 */
	free(text);

	static const struct {
		const char *elems[2], *values[2];
		const char *want;
	} bad[] = {
		{{"banks", "banks"}, {"3", "3"},
		 "<mem>:6: sram/banks '3' is not a power of two (expected 2..1024, a power of two)"},
		{{"bank-bytes", "bank-bytes"}, {"12", "12"},
		 "<mem>:7: sram/bank-bytes '12' is not a power of two (expected 1..64 bytes, a power "
		 "of two)"},
		{{"write-bytes-per-cycle", "write-bytes-per-cycle"}, {"6", "6"},
		 "<mem>:11: dma/write-bytes-per-cycle '6' is not a power of two (expected 1..1024 "
		 "bytes per cycle, a power of two)"},
		{{"size", "banks"}, {"65552", "32"},
		 "<mem>:4: sram/size 65552 is not a multiple of sram/banks 32 x sram/bank-bytes 1 "
		 "(every bank holds the same number of words)"},
		{{"size", "bank-bytes"}, {"65552", "2"},
		 "<mem>:4: sram/size 65552 is not a multiple of sram/banks 32 x sram/bank-bytes 2 "
		 "(every bank holds the same number of words)"},
		{{"banks", "bank-bytes"}, {"4", "1"},
		 "<mem>:4: sram/banks 4 x sram/bank-bytes 1 reach 4 contiguous bytes in one access, "
		 "fewer than compute/mac-rows 16"},
		{{"vector-width", "vector-width"}, {"64", "64"},
		 "<mem>:4: sram/banks 32 x sram/bank-bytes 1 reach 32 contiguous bytes in one "
		 "access, fewer than compute/vector-width 64"},
		{{"read-bytes-per-cycle", "read-bytes-per-cycle"}, {"64", "64"},
		 "<mem>:4: sram/banks 32 x sram/bank-bytes 1 reach 32 contiguous bytes in one "
		 "access, fewer than dma/read-bytes-per-cycle 64"},
		{{"write-bytes-per-cycle", "banks"}, {"128", "64"},
		 "<mem>:4: sram/banks 64 x sram/bank-bytes 1 reach 64 contiguous bytes in one "
		 "access, fewer than dma/write-bytes-per-cycle 128"},
		{{"weight-buffer/size", "mac-cols"}, {"264", "16"},
		 "<mem>:4: weight-buffer/size 264 is not a multiple of compute/mac-cols 16 (its rows "
		 "are mac-cols bytes)"},
		{{"mac-cols", "mac-cols"}, {"3", "3"},
		 "<mem>:4: weight-buffer/size 32 KiB is not a multiple of compute/mac-cols 3 (its "
		 "rows are mac-cols bytes)"},
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		text = with_values(bad[k].elems, bad[k].values, 2);
		expect_error(text, strlen(text), bad[k].want);
		free(text);
	}
}

/* An empty <weight-buffer> is reported as docs/config.md says, like
 * <compute> without <vector-width>: the group may be left out whole, but
 * once there it must hold its <size>. */
static void test_empty_weight_buffer(void **state)
{
	(void)state;
	static const char size[] = "\t\t<size>32 KiB</size>\n";
	const char *at = strstr(base_full, "\t<weight-buffer>\n");
	assert_non_null(at);
	at += strlen("\t<weight-buffer>\n");
	assert_memory_equal(at, size, strlen(size));
	char text[sizeof base_full];
	snprintf(text, sizeof text, "%.*s%s", (int)(at - base_full), base_full, at + strlen(size));
	expect_error(text, strlen(text), "<mem>:20: missing <size> in <weight-buffer>");
}

/* The schema in the binary is configs/serenity-config.xsd as it is now. */
static void test_schema_built_in(void **state)
{
	(void)state;
	size_t len;
	Err e;
	char *text = gf_slurp(CONFIGS "/serenity-config.xsd", 1 << 20, &len, &e);
	assert_non_null(text);
	assert_int_equal(cfg_xsd_len, len);
	assert_memory_equal(cfg_xsd, text, len);
	assert_int_equal(cfg_xsd[cfg_xsd_len], 0);
	free(text);
}

/* One value as the XML has it, the command line's syntax too: the forms,
 * the refusals, and the label in place of the path. */
static void test_parse_value(void **state)
{
	(void)state;
	Err e;
	int64_t v = 0;
	assert_int_equal(cfg_parse_value("sram/size", NULL, "64 KiB", &v, &e), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(cfg_parse_value("sram/size", "--sram", "1MiB", &v, &e), 0);
	assert_int_equal(v, 1 << 20);
	assert_int_equal(cfg_parse_value("clock-mhz", NULL, "500", &v, &e), 0);
	assert_int_equal(v, 500);
	assert_int_equal(cfg_parse_value("sram/size", NULL, "64k", &v, &e), -1);
	assert_string_equal(e.msg, "sram/size '64k': unit k is ambiguous (write KiB, MiB or GiB for "
				   "powers of 1024, or plain bytes)");
	assert_int_equal(cfg_parse_value("sram/size", "--sram", "64k", &v, &e), -1);
	assert_string_equal(e.msg, "--sram '64k': unit k is ambiguous (write KiB, MiB or GiB for "
				   "powers of 1024, or plain bytes)");
	assert_int_equal(cfg_parse_value("sram/size", "--sram", "2 GiB", &v, &e), -1);
	assert_string_equal(e.msg, "--sram '2 GiB' is out of range (expected 1 KiB..1 GiB)");
	assert_int_equal(cfg_parse_value("clock-mhz", "--clock", "5 MHz", &v, &e), -1);
	assert_string_equal(e.msg, "--clock '5 MHz' takes no unit (expected a plain number, "
				   "1..10000 MHz)");
	assert_int_equal(cfg_parse_value("sram/colour", NULL, "1", &v, &e), -1);
	assert_string_equal(e.msg, "sram/colour: no such config element");
	assert_int_equal(v, 500); /* untouched by the failures */
}

/* The JSON form: every element by its path, in the table's order. */
static void test_json(void **state)
{
	(void)state;
	Config c;
	Err e;
	assert_int_equal(cfg_parse(base, strlen(base), "b.xml", &c, &e), 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(cfg_json(f, &c), 0);
	fclose(f);
	assert_string_equal(buf, "{\"name\":\"test\",\"sram/size\":65536,\"sram/alignment\":16,"
				 "\"sram/banks\":32,\"sram/bank-bytes\":1,"
				 "\"dma/read-bytes-per-cycle\":8,\"dma/write-bytes-per-cycle\":8,"
				 "\"dma/latency-cycles\":100,\"compute/mac-rows\":16,"
				 "\"compute/mac-cols\":16,\"compute/vector-width\":16,"
				 "\"compute/accumulator-bits\":32,\"weight-buffer/size\":32768,"
				 "\"clock-mhz\":500}");
	free(buf);
}

/* Random mutations of a valid config: never a crash, always a config that
 * checks or a one-line message naming the file.  And libxml2 prints nothing. */
static void test_mutations_silent(void **state)
{
	(void)state;
	fflush(stderr);
	int saved = dup(2);
	char path[] = "/tmp/serenity-cfg-stderr-XXXXXX";
	int fd = mkstemp(path);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 2);

	uint64_t s = 42;
	char buf[sizeof base_full + 16], bad[NERRMSG + 32] = "";
	int accepted = 0;
	for (int iter = 0; iter < 4000; iter++) {
		const char *doc = iter % 2 ? base_full : base;
		size_t len = strlen(doc);
		memcpy(buf, doc, len);
		int edits = 1 + (int)rng_below(&s, 3);
		for (int k = 0; k < edits; k++) {
			size_t at = rng_below(&s, len);
			switch (rng_below(&s, 4)) {
			case 0:
				buf[at] = (char)rng_below(&s, 256);
				break;
			case 1:
				memmove(buf + at, buf + at + 1, len - at - 1);
				len--;
				break;
			case 2:
				buf[at] = "<>/&;!-' \n\"0123456789KMGiB"[rng_below(&s, 26)];
				break;
			default:
				if (len < sizeof buf) {
					memmove(buf + at + 1, buf + at, len - at);
					buf[at] = "<>/&;0123456789-"[rng_below(&s, 16)];
					len++;
				}
			}
		}
		Err e = {{0}};
		Config c;
		if (cfg_parse(buf, len, "m", &c, &e) == 0) {
			accepted++;
			if (cfg_check(&c, &e) && !bad[0])
				snprintf(bad, sizeof bad, "accepted, then: %s", e.msg);
		} else if ((strncmp(e.msg, "m:", 2) != 0 || strchr(e.msg, '\n')) && !bad[0]) {
			snprintf(bad, sizeof bad, "bad message: %s", e.msg);
		}
	}
	/* Files of every other test's kind, too. */
	Config c;
	Err e;
	cfg_read(CONFIG_DATA "/bad-doctype.xml", &c, &e);
	cfg_read(CONFIG_DATA "/bad-truncated.xml", &c, &e);

	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	FILE *f = fdopen(fd, "rb");
	fseek(f, 0, SEEK_END);
	long printed = ftell(f);
	fclose(f);
	unlink(path);
	if (bad[0])
		fail_msg("%s", bad);
	assert_int_equal(printed, 0);
	assert_true(accepted > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_value_forms),
		cmocka_unit_test(test_any_order_and_decorations),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_sizes_and_units),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_bad_structure),
		cmocka_unit_test(test_parser_limits),
		cmocka_unit_test(test_utf16),
		cmocka_unit_test(test_no_entities),
		cmocka_unit_test(test_big_line_numbers),
		cmocka_unit_test(test_missing_file_and_directory),
		cmocka_unit_test(test_shipped_configs),
		cmocka_unit_test(test_good_files),
		cmocka_unit_test(test_write_canonical),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_optional_elements),
		cmocka_unit_test(test_empty_weight_buffer),
		cmocka_unit_test(test_schema_built_in),
		cmocka_unit_test(test_mutations_silent),
		cmocka_unit_test(test_parse_value),
		cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
