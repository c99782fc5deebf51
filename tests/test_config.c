/* test_config.c: accelerator configs, from memory and from a file. */
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

/* base with the text of the first <elem> replaced by value; *line is the
 * element's line. */
static char *with_value(const char *elem, const char *value, int *line)
{
	char open[64], close[64];
	snprintf(open, sizeof open, "<%s>", elem);
	snprintf(close, sizeof close, "</%s>", elem);
	const char *a = strstr(base, open);
	assert_non_null(a);
	a += strlen(open);
	const char *b = strstr(a, close);
	assert_non_null(b);
	size_t n = strlen(base) + strlen(value) + 1;
	char *out = malloc(n);
	snprintf(out, n, "%.*s%s%s", (int)(a - base), base, value, b);
	*line = 1;
	for (const char *p = base; p < a; p++)
		*line += *p == '\n';
	return out;
}

/* The fields as the messages and the documentation word them. */
static const struct {
	const char *elem, *path;
	long long min, max;
	const char *range;
	bool bytes;
} tfields[] = {
	{"size", "sram/size", 1024, 1 << 30, "1 KiB..1 GiB", true},
	{"alignment", "sram/alignment", 1, 4096, "1..4096 bytes, a power of two", false},
	{"read-bytes-per-cycle", "dma/read-bytes-per-cycle", 1, 1024, "1..1024 bytes per cycle",
	 false},
	{"write-bytes-per-cycle", "dma/write-bytes-per-cycle", 1, 1024, "1..1024 bytes per cycle",
	 false},
	{"latency-cycles", "dma/latency-cycles", 0, 100000, "0..100000 cycles", false},
	{"mac-rows", "compute/mac-rows", 1, 256, "1..256", false},
	{"mac-cols", "compute/mac-cols", 1, 256, "1..256", false},
	{"vector-width", "compute/vector-width", 1, 256, "1..256 int8 lanes", false},
	{"accumulator-bits", "compute/accumulator-bits", 16, 32, "16..32 bits", false},
	{"clock-mhz", "clock-mhz", 1, 10000, "1..10000 MHz", false},
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
		"<dma><latency-cycles>0</latency-cycles><write-bytes-per-cycle>5</write-bytes-per-cycle>"
		"<read-bytes-per-cycle>4</read-bytes-per-cycle></dma>"
		"<sram><alignment>1</alignment><size>1025</size></sram>"
		"</accelerator>";
	for (int via_file = 0; via_file < 2; via_file++) {
		Config c;
		Err e;
		if (parse_str(text, via_file, &c, &e))
			fail_msg("%s", e.msg);
		assert_string_equal(c.name, "x.y_z-1");
		assert_int_equal(c.sram_bytes, 1025);
		assert_int_equal(c.dma_read_bpc, 4);
		assert_int_equal(c.dma_write_bpc, 5);
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
			char *text = with_value(tfields[i].elem, cases[k].text, &line);
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
		for (int end = 0; end < 2; end++) {
			long long v = end ? tfields[i].max : tfields[i].min;
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
		{"bad-unknown-element.xml",
		 ":6: unknown element <banks> in <sram> (expected <size>, <alignment>)"},
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
		 "<compute>, <clock-mhz>)"},
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
	if (cfg_read(CONFIG_DATA "/good-maximal.xml", &c, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(strlen(c.name), NCFGNAME - 1);
	assert_int_equal(c.sram_bytes, 1 << 30);
	assert_int_equal(c.sram_align, 4096);
	assert_int_equal(c.clock_mhz, 10000);
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
				  "</accelerator>\n");
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
		/* sizes in every unit: multiples of 1, 1 KiB, 1 MiB */
		int64_t unit = (int64_t)1 << (10 * pick(&s, 0, 2));
		if (unit < c.sram_align)
			unit = c.sram_align;
		int64_t lo = (1024 + unit - 1) / unit, hi = ((int64_t)1 << 30) / unit;
		c.sram_bytes = unit * pick(&s, lo, hi);
		if (iter == 0)
			c.sram_bytes = 1 << 30;
		c.dma_read_bpc = (int)pick(&s, 1, 1024);
		c.dma_write_bpc = (int)pick(&s, 1, 1024);
		c.dram_latency = (int)pick(&s, 0, 100000);
		c.mac_rows = (int)pick(&s, 1, 256);
		c.mac_cols = (int)pick(&s, 1, 256);
		c.vector_width = (int)pick(&s, 1, 256);
		c.acc_bits = (int)pick(&s, 16, 32);
		c.clock_mhz = (int)pick(&s, 1, 10000);
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
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		Config c = ok;
		if (cases[i].off == offsetof(Config, sram_bytes))
			c.sram_bytes = cases[i].v;
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
	char buf[sizeof base + 16], bad[NERRMSG + 32] = "";
	int accepted = 0;
	for (int iter = 0; iter < 3000; iter++) {
		size_t len = sizeof base - 1;
		memcpy(buf, base, len);
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
		cmocka_unit_test(test_no_entities),
		cmocka_unit_test(test_big_line_numbers),
		cmocka_unit_test(test_missing_file_and_directory),
		cmocka_unit_test(test_shipped_configs),
		cmocka_unit_test(test_good_files),
		cmocka_unit_test(test_write_canonical),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_schema_built_in),
		cmocka_unit_test(test_mutations_silent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
