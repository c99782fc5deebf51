// sim_main.cpp: the Verilator harness of the NPU (hw/npu_top.sv): the
// host and the DRAM around the chip.
//
//   npu_sim +stream=stream.bin +dram=dram.bin +stream_base=N [+latency=L]
//           [+weight_end=N +act_end=N] [+dram_out=FILE] [+counters=FILE]
//           [+timeline=FILE.csv] [+trace=FILE.fst] [+timeout=CYCLES] [+progress]
//
// The DRAM model: the image (dram.bin) from address 0 and the stream at
// stream_base, byte addressed.  It takes one burst request a cycle, in
// order; a read burst's beats come one a cycle, the first L cycles after its
// request at the earliest, after the previous read's last beat and after
// the data of every write requested before it (reads see earlier writes);
// a write burst's data waits for every read requested before it to the
// same bytes (writes do not overtake earlier reads);
// write beats are taken one a cycle for the oldest write burst, with their
// strobes, and its response comes L cycles after its last beat.
//
// The host: writes STREAM_BASE, STREAM_LEN (slots) and DRAM_BYTES (the
// image's size) through the register port, then 1 to CTRL, clocks until the
// interrupt, and reads STATUS, the error registers and every counter back
// through the port.
//
// The monitor: counts the beats that cross the port, read and written, and
// sorts them by the DRAM region of their address (weights [0, weight_end),
// graph inputs and outputs [weight_end, act_end), spills past it, the stream
// from stream_base): an observer independent of the NPU's own counters,
// which count by the class its DMA instructions carry.
//
// Output: the final image (+dram_out, on success only), the counters and the
// monitor's counts as one JSON object (+counters), one line per instruction
// (+timeline: index,opcode,start,end, then the cycle its counters were read,
// just after its end, and those counters).  Exit status: 0 END retired; 1 a
// hardware check stopped the run (one line on stderr worded as isa.c and
// fsim.c word it); 2 timeout; 3 bad arguments or files, or a port access
// outside the DRAM.
#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include "Vnpu_top.h"
#include "Vnpu_top___024root.h"
#include "verilated.h"
#if VM_TRACE
#include "verilated_fst_c.h"
#endif

#ifndef NPU_SRAM_BYTES
#error "build with -DNPU_SRAM_BYTES=... -DNPU_WBUF_BYTES=... -DNPU_RD_BPC=... -DNPU_WR_BPC=... -DNPU_COLS=... -DNPU_NB=... (rtl_sim/build.sh)"
#endif

namespace {

enum { EXIT_CHECK = 1, EXIT_TIMEOUT = 2, EXIT_USAGE = 3 };
enum { NCNT = 22 };  // hw/npu_top.sv's counters

const char *const counter_names[NCNT] = {
    "cycles",        "mac_busy",      "compute_busy", "dma_busy",     "stall_fetch", "stall_dma",
    "stall_engine",  "stall_bank",    "port_rd_weight", "port_rd_act", "port_rd_spill",
    "port_rd_fetch", "port_wr_act",   "port_wr_spill", "dma_rd",      "dma_wr",      "sram_rd",
    "sram_wr",       "sram_in_use",   "sram_peak",    "sram_hwm",     "insns"};

// The timeline's counter columns: counters (by their index above) read
// through the register port the cycle after a row is recorded: a cycle
// after its end for the sequencer's and the engines' rows, two or more for
// a transfer's (the DMA reports it once its queue lets it).
const int tl_counters[] = {1, 5, 7, 18, 20};  // mac_busy stall_dma stall_bank sram_in_use sram_hwm
const int NTL = sizeof tl_counters / sizeof tl_counters[0];

struct Event {
    uint32_t index;
    int op;
    uint64_t start, end;
    uint64_t at;                // the cycle the counters below were read
    uint64_t port_rd, port_wr;  // the port's bytes, all classes (the counters, summed)
    uint64_t c[NTL];
};

const char *opname(int op)
{
    switch (op) {
    case 0x01: return "end";
    case 0x02: return "load";
    case 0x03: return "store";
    case 0x04: return "sync";
    case 0x05: return "alloc";
    case 0x06: return "free";
    case 0x10: return "conv";
    case 0x11: return "pool";
    case 0x12: return "gavg";
    case 0x13: return "ew";
    case 0x14: return "requant";
    case 0x15: return "copy";
    case 0x16: return "relu";
    case 0x1e: return "view";
    case 0x1f: return "operands";
    default: return "?";
    }
}

const char *flag_name(uint64_t f)
{
    switch (f) {
    case 1: return "RELU";
    case 2: return "OUT32";
    case 4: return "PSUM";
    case 8: return "AVG";
    case 16: return "PERCH";
    case 32: return "SPLIT";
    case 64: return "OSPLIT";
    default: return "unknown";
    }
}

std::string fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char *f, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return buf;
}

// Names of space checks (status 9), as isa.c's decoder names them.
std::string what_name(uint64_t a)
{
    static const char *names[] = {"source", "destination", "buffer", "weights", "table",
                                  "src",    "dst",         "src2",   "dst2",    "psum"};
    if (a >= 16) return "in" + std::to_string(a - 16);
    return a < 10 ? names[a] : "?";
}

// Roles of operands (status 42-52), as fsim names them.
std::string role_name(uint64_t r)
{
    static const char *names[] = {"src", "dst", "weights", "psum", "table", "src2", "dst2"};
    if (r >= 16) return "in" + std::to_string(r - 16);
    return r < 7 ? names[r] : "?";
}

std::string space_want(uint64_t mask)
{
    switch (mask) {
    case 1: return "an SRAM";
    case 2: return "a WBUF";
    case 4: return "a DRAM";
    default: return "an SRAM or WBUF";
    }
}

char space_letter(uint64_t ref)
{
    return "SWD?"[(ref >> 30) & 3];
}

const char *space_name(uint64_t s)
{
    return s == 0 ? "SRAM" : s == 1 ? "WBUF" : "DRAM";
}

// The status code, worded as isa.c and fsim.c word it.
std::string message(uint32_t code, uint32_t index, int op, uint64_t a, uint64_t b, uint64_t c,
                    uint64_t d, uint64_t dram_bytes)
{
    unsigned ua = (unsigned)a, ub = (unsigned)b, uc = (unsigned)c;
    const char *verb = (d >> 8 & 1) ? "writes" : "reads";
    std::string m;
    switch (code) {
    case 1: m = "operands without an ew before it"; break;
    case 2: m = fmt("unknown opcode 0x%02x", ua); break;
    case 3: m = fmt("non-zero reserved bits in w0 (0x%08x)", ua); break;
    case 4: m = fmt("flag %s (0x%x) not taken by %s", flag_name(a), ub, opname(op)); break;
    case 5: m = fmt("non-zero count field %u", ua); break;
    case 6: m = fmt("non-zero reserved word w%u (0x%08x)", ua, ub); break;
    case 7: m = "zero bytes"; break;
    case 8: m = "zero elements"; break;
    case 9:
        m = fmt("%s must be %s Ref (is %c:0x%x)", what_name(a).c_str(), space_want(c).c_str(),
                space_letter(b), ub & 0x3fffffffu);
        break;
    case 10: m = fmt("zero input dimension %ux%ux%u", ua, ub, uc); break;
    case 11: m = fmt("zero output dimension %ux%ux%u", ua, ub, uc); break;
    case 12: m = fmt("zero kernel %ux%u", ua, ub); break;
    case 13: m = fmt("zero stride %ux%u", ua, ub); break;
    case 14: m = fmt("zero dilation %ux%u", ua, ub); break;
    case 15:
        m = fmt("window %ux%u (dilation %ux%u, padding %d,%d,%d,%d) does not fit the input %ux%u",
                ua & 0xff, ua >> 8 & 0xff, ua >> 16 & 0xff, ua >> 24, (int8_t)(ub & 0xff),
                (int8_t)(ub >> 8 & 0xff), (int8_t)(ub >> 16 & 0xff), (int8_t)(ub >> 24), uc,
                (unsigned)d);
        break;
    case 16: m = fmt("output %ux%u, the window gives %lldx%lld", ua, ub, (long long)c, (long long)d); break;
    case 17: m = "zero groups"; break;
    case 18: m = fmt("groups %u do not divide in_c %u and out_c %u", ua, ub, uc); break;
    case 19: m = "flag RELU with OUT32 (int32 outputs are not clamped)"; break;
    case 21: m = fmt("non-zero reserved bits in w%u (0x%08x)", ua, ub); break;
    case 23: m = fmt("out_c %u differs from in_c %u", ua, ub); break;
    case 24: m = fmt("%d inputs (1 to %d)", (int)a, 32); break;
    case 25: m = fmt("non-zero reserved word w%u (0x%08x) after %u inputs", ua, ub, uc); break;
    case 26: m = fmt("%u inputs need %u operands continuations; the stream ends first", ua, ub); break;
    case 27: m = fmt("continuation %u is %s (0x%02x), not operands", ua, opname((int)b), ub); break;
    case 28: m = fmt("continuation %u: flags 0x%x (operands takes none)", ua, ub); break;
    case 29: m = fmt("continuation %u: non-zero reserved bits in w0 (0x%08x)", ua, ub); break;
    case 30: m = fmt("continuation %u holds %u pairs, expected %u", ua, ub, uc); break;
    case 31: m = fmt("continuation %u: non-zero reserved word w%u (0x%08x)", ua, ub, uc); break;
    case 33: m = "non-zero qmul/qshift (w4, w5) with PERCH"; break;
    case 34: m = fmt("%u channels do not divide %u elements", ua, ub); break;
    case 35: m = fmt("split at input channel %u of %u (SPLIT takes 1 to in_c - 1)", ua, ub); break;
    case 36:
        m = fmt("non-zero reserved word w%u (0x%08x) without %s", ua, ub, c ? "OSPLIT" : "SPLIT");
        break;
    case 37: m = fmt("split at output channel %u of %u (OSPLIT takes 1 to out_c - 1)", ua, ub); break;
    case 40: m = "the stream ends without end"; break;
    case 41: m = fmt("%" PRIu64 " words after it", a); break;
    case 42:
        m = fmt("%s DRAM 0x%" PRIx64 "..0x%" PRIx64 " past the image (0x%" PRIx64 " bytes) (%s)", verb, a,
                b - 1, dram_bytes, role_name(d & 0xff).c_str());
        break;
    case 43:
        m = fmt("%s %s 0x%" PRIx64 "..0x%" PRIx64 " past its end (0x%llx bytes) (%s)", verb,
                space_name(c), a, b - 1,
                (unsigned long long)(c == 0 ? NPU_SRAM_BYTES : NPU_WBUF_BYTES),
                role_name(d & 0xff).c_str());
        break;
    case 44:
        m = fmt("%s SRAM 0x%" PRIx64 "..0x%" PRIx64 " outside any live buffer (at 0x%" PRIx64 ") (%s)", verb,
                a, b - 1, c, role_name(d & 0xff).c_str());
        break;
    case 45:
        m = fmt("buffer 0x%" PRIx64 "..0x%" PRIx64 " past the end of SRAM (0x%llx bytes)", a, b - 1,
                (unsigned long long)NPU_SRAM_BYTES);
        break;
    case 46:
        m = fmt("buffer 0x%" PRIx64 "..0x%" PRIx64 " overlaps the live buffer 0x%" PRIx64 "..0x%" PRIx64, a,
                b - 1, c, d - 1);
        break;
    case 47: m = fmt("frees 0x%" PRIx64 "..0x%" PRIx64 ", which is not an allocated buffer", a, b - 1); break;
    case 48:
        m = fmt("frees 0x%" PRIx64 "..0x%" PRIx64 ", but the buffer there is 0x%" PRIx64 "..0x%" PRIx64, a,
                b - 1, a, d - 1);
        break;
    case 49:
        m = fmt("end with %" PRIu64 " DMA transfer%s outstanding (the first from instruction %" PRIu64
                "; no sync)",
                a, a > 1 ? "s" : "", b);
        break;
    case 50: m = fmt("more than %" PRIu64 " live SRAM buffers (the hardware's table is full)", c); break;
    case 51: m = fmt("more than %" PRIu64 " DMA transfers without a sync (the hardware's table is full)", a); break;
    case 52:
        m = fmt("%s %s 0x%" PRIx64 "..0x%" PRIx64 " (%s) that the %s of instruction %u may still be moving "
                "(no sync)",
                verb, space_name(c >> 33 & 1), a, b - 1, role_name(d & 0xff).c_str(),
                (c >> 32 & 1) ? "load" : "store", (unsigned)(c & 0xffffffffu));
        break;
    case 53:
        m = fmt("frees SRAM 0x%" PRIx64 "..0x%" PRIx64 " that the %s of instruction %u may still be moving (no sync)",
                a, b - 1, (c >> 32 & 1) ? "load" : "store", (unsigned)(c & 0xffffffffu));
        break;
    case 60: m = fmt("class %u (%s takes 0 act, 1 spill%s)", ua, opname(op), b ? ", 2 weight" : ""); break;
    case 61: m = fmt("%u bytes a row (1 to 2^30 - 1)", ua); break;
    case 62: m = "zero rows"; break;
    case 63: m = fmt("non-zero reserved word w%u (0x%08x) with one row", ua, ub); break;
    case 64: m = fmt("destination rows overlap (stride %u, %u bytes a row)", ua, ub); break;
    case 65: m = fmt("band of rows %u..%u outside the output's %u rows", ua, ub, uc); break;
    case 66: m = fmt("non-zero reserved word w4 (0x%08x) without PSUM", ua); break;
    case 67: m = "zero block width cw"; break;
    case 68: m = "needs its view; the stream ends first"; break;
    case 69: m = fmt("the slot after it is %s (0x%02x), not its view", opname((int)a), ua); break;
    case 70: m = fmt("view: non-zero flags or count in w0 (0x%08x)", ua); break;
    case 71: m = fmt("view: non-zero reserved word w%u (0x%08x)", ua, ub); break;
    case 72: {
        static const char *what[] = {"src2 row0 without SPLIT",  "src2 cstride without SPLIT",
                                     "dst2 row0 without OSPLIT", "dst2 cstride without OSPLIT",
                                     "psum cstride without PSUM", "psum row0 without PSUM"};
        m = fmt("view: %s (w%u = 0x%08x)", what[a < 6 ? a : 0], ub, uc);
        break;
    }
    case 73: m = fmt("view: non-zero reserved bits in w8 (0x%08x)", ua); break;
    case 74: {
        static const char *what[] = {"src", "src2", "dst", "dst2", "psum"};
        m = fmt("%s view starts at row %u, the band reads row %d", what[a < 5 ? a : 0], ub, (int)c);
        break;
    }
    case 75: m = fmt("table at 0x%x, not a multiple of 8", ua); break;
    case 76:
        m = fmt("a weight-buffer load must be in whole rows: destination 0x%llx and stride %u multiples of %d",
                (unsigned long long)a, ub, NPU_COLS);
        break;
    case 77: m = fmt("block width cw %u does not divide the array's %d columns", ua, NPU_COLS); break;
    case 78: m = fmt("weights at W:0x%x, not a multiple of cw %u", ua, ub); break;
    case 79: m = "view without a conv before it"; break;
    case 80:
        m = fmt("writes SRAM 0x%llx..0x%llx (%s) %s its reads of 0x%llx..0x%llx (%s)",
                (unsigned long long)a, (unsigned long long)b - 1, role_name(d >> 8 & 0xff).c_str(),
                d >> 16 & 1 ? "over" : "ahead of", (unsigned long long)(c & 0xffffffff),
                (unsigned long long)(c >> 32) - 1, role_name(d & 0xff).c_str());
        break;
    default: m = fmt("hardware status %u", code); break;
    }
    bool named = !(code == 1 || code == 2 || code == 40 || code == 79);
    if (named) return fmt("instruction %u (%s): ", index, opname(op)) + m;
    return fmt("instruction %u: ", index) + m;
}

bool read_file(const char *path, std::vector<uint8_t> &out)
{
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    uint8_t buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
    bool ok = !ferror(f);
    fclose(f);
    return ok;
}

[[noreturn]] void die(int code, const char *f, ...) __attribute__((format(printf, 2, 3)));
void die(int code, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    fputs("npu_sim: ", stderr);
    vfprintf(stderr, f, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(code);
}

uint64_t parse_u64(const char *key, const char *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (errno || end == v || *end) die(EXIT_USAGE, "%s%s: not a number", key, v);
    return x;
}

// One burst on the DRAM port.
struct Burst {
    bool write;
    uint64_t addr, beats;
    uint64_t ready;   // read: the cycle its first beat may come
    uint64_t done;    // beats moved
    uint64_t after;   // read: write bursts requested before it (their data comes first)
    uint64_t seq;     // its place in the request order
};

}  // namespace

int main(int argc, char **argv)
{
    const char *stream_path = nullptr, *dram_path = nullptr, *dram_out = nullptr;
    const char *counters_path = nullptr, *timeline_path = nullptr, *trace_path = nullptr;
    uint64_t timeout = 0, latency = 0, stream_base = UINT64_MAX, weight_end = 0, act_end = 0;
    bool progress = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        auto val = [&](const char *key) -> const char * {
            size_t n = strlen(key);
            return strncmp(a, key, n) == 0 ? a + n : nullptr;
        };
        const char *v;
        if ((v = val("+stream_base="))) stream_base = parse_u64("+stream_base=", v);
        else if ((v = val("+stream="))) stream_path = v;
        else if ((v = val("+dram_out="))) dram_out = v;
        else if ((v = val("+dram="))) dram_path = v;
        else if ((v = val("+counters="))) counters_path = v;
        else if ((v = val("+timeline="))) timeline_path = v;
        else if ((v = val("+trace="))) trace_path = v;
        else if ((v = val("+latency="))) latency = parse_u64("+latency=", v);
        else if ((v = val("+weight_end="))) weight_end = parse_u64("+weight_end=", v);
        else if ((v = val("+act_end="))) act_end = parse_u64("+act_end=", v);
        else if ((v = val("+timeout="))) timeout = parse_u64("+timeout=", v);
        else if (strcmp(a, "+progress") == 0) progress = true;
        else if (strncmp(a, "+verilator+", 11) == 0) continue;
        else die(EXIT_USAGE, "unknown argument '%s' (usage: npu_sim +stream=FILE +dram=FILE "
                 "+stream_base=N [+latency=L] [+weight_end=N +act_end=N] [+dram_out=FILE] "
                 "[+counters=FILE] [+timeline=FILE] [+trace=FILE.fst] [+timeout=CYCLES] [+progress])", a);
    }
    if (!stream_path || !dram_path) die(EXIT_USAGE, "needs +stream=FILE and +dram=FILE");
    progress = progress && isatty(2);

    std::vector<uint8_t> stream, image;
    if (!read_file(stream_path, stream)) die(EXIT_USAGE, "%s: %s", stream_path, strerror(errno));
    if (!read_file(dram_path, image)) die(EXIT_USAGE, "%s: %s", dram_path, strerror(errno));
    if (stream.size() % 64)
        die(EXIT_USAGE, "%s: %zu bytes, not a whole number of 64-byte slots", stream_path, stream.size());
    if (stream_base == UINT64_MAX) stream_base = (image.size() + 63) / 64 * 64;
    if (stream_base % 64 || stream_base < image.size())
        die(EXIT_USAGE, "+stream_base=%" PRIu64 ": a multiple of 64 past the image's %zu bytes", stream_base,
            image.size());
    if (act_end == 0) act_end = image.size();
    uint64_t dram_bytes = image.size();
    std::vector<uint8_t> dram(stream_base + stream.size() + 4096, 0);
    std::copy(image.begin(), image.end(), dram.begin());
    std::copy(stream.begin(), stream.end(), dram.begin() + stream_base);

    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    auto top = std::make_unique<Vnpu_top>(ctx.get(), "npu");
    Vnpu_top___024root *root = top->rootp;

#if VM_TRACE
    std::unique_ptr<VerilatedFstC> tfp;
    if (trace_path) {
        ctx->traceEverOn(true);
        tfp = std::make_unique<VerilatedFstC>();
        top->trace(tfp.get(), 99);
        tfp->open(trace_path);
    }
#else
    if (trace_path) die(EXIT_USAGE, "+trace: this npu_sim was built without --trace-fst");
#endif
    uint64_t t = 0;  // half cycles, the trace's time
    auto half = [&](int clk) {
        top->i_clk = clk;
        top->eval();
#if VM_TRACE
        if (tfp) tfp->dump(t);
#endif
        t++;
    };

    // ---- the host: the register port ----
    auto reg_write = [&](unsigned addr, uint32_t v) {
        top->i_reg_we = 1;
        top->i_reg_addr = addr;
        top->i_reg_wdata = v;
        half(0);
        half(1);
        top->i_reg_we = 0;
    };
    auto reg_read = [&](unsigned addr) -> uint32_t {
        top->i_reg_addr = addr;
        top->eval();
        return top->o_reg_rdata;
    };
    auto reg_read64 = [&](unsigned addr) -> uint64_t {
        return (uint64_t)reg_read(addr) | (uint64_t)reg_read(addr + 1) << 32;
    };

    top->i_rst = 1;
    top->i_m_aready = 1;
    top->i_m_rvalid = 0;
    top->i_m_wready = 0;
    top->i_m_bvalid = 0;
    for (int i = 0; i < 2; i++) {
        half(0);
        half(1);
    }
    top->i_rst = 0;
    reg_write(2, (uint32_t)stream_base);
    reg_write(3, (uint32_t)(stream.size() / 64));
    reg_write(4, (uint32_t)dram_bytes);
    reg_write(0, 1);

    // ---- the DRAM, and the monitor ----
    std::deque<Burst> reads, writes;
    std::deque<uint64_t> resp;     // cycles write responses are due
    uint64_t cycles = 0, rd_free = 0, wreq = 0, wdone = 0;
    uint64_t obs_rd[4] = {0, 0, 0, 0}, obs_wr[2] = {0, 0};  // act, spill, weight, fetch
    const uint64_t rbpc = NPU_RD_BPC, wbpc = NPU_WR_BPC;
    auto region = [&](uint64_t a) -> int {
        if (a >= stream_base) return 3;
        if (a < weight_end) return 2;
        if (a < act_end) return 0;
        return 1;
    };
    auto present_read = [&]() {
        if (!reads.empty() && reads.front().ready <= cycles && rd_free <= cycles &&
            wdone >= reads.front().after) {
            const Burst &b = reads.front();
            uint64_t a = b.addr + b.done * rbpc;
            if (a + rbpc > dram.size()) die(EXIT_USAGE, "read beat at 0x%" PRIx64 " outside the DRAM", a);
            top->i_m_rvalid = 1;
            uint8_t *p = &dram[a];
            for (uint64_t k = 0; k < rbpc; k += 4) {
                uint32_t w = (uint32_t)p[k] | (uint32_t)p[k + 1] << 8 | (uint32_t)p[k + 2] << 16 |
                             (uint32_t)p[k + 3] << 24;
#if NPU_RD_BPC <= 4
                top->i_m_rdata = w;
#elif NPU_RD_BPC == 8
                top->i_m_rdata = (top->i_m_rdata & ~(0xffffffffull << (8 * k))) | (uint64_t)w << (8 * k);
#else
                top->i_m_rdata[k / 4] = w;
#endif
            }
        } else {
            top->i_m_rvalid = 0;
        }
    };

    // The oldest write burst may take its data unless a read burst requested
    // before it, to some of the same bytes, still has beats to return: the
    // DRAM keeps both orders between overlapping requests (a read sees
    // earlier writes, a write waits for earlier reads of its bytes).
    uint64_t nreq = 0;
    auto writable = [&]() {
        if (writes.empty()) return false;
        const Burst &w = writes.front();
        uint64_t wlo = w.addr, whi = w.addr + w.beats * wbpc;
        for (const Burst &r : reads)
            if (r.seq < w.seq && r.addr < whi && wlo < r.addr + r.beats * rbpc) return false;
        return true;
    };

    std::vector<Event> events, pending;
    auto snapshot = [&]() {  // pending rows get the counters as they are now
        uint64_t at = reg_read64(32), rd = 0, wr = 0, c[NTL];        // the chip's cycle counter
        for (int k = 8; k <= 11; k++) rd += reg_read64(32 + 2 * k);   // port_rd_*
        for (int k = 12; k <= 13; k++) wr += reg_read64(32 + 2 * k);  // port_wr_*
        for (int k = 0; k < NTL; k++) c[k] = reg_read64(32 + 2 * tl_counters[k]);
        for (Event &ev : pending) {
            ev.at = at, ev.port_rd = rd, ev.port_wr = wr;
            std::copy(c, c + NTL, ev.c);
            events.push_back(ev);
        }
        pending.clear();
    };
    int rc = 0;
    uint32_t status = 0;
    for (;;) {
        // the DRAM's outputs for this cycle
        present_read();
        top->i_m_wready = writable() ? 1 : 0;
        top->i_m_bvalid = !resp.empty() && resp.front() <= cycles;
        half(0);  // the outputs settle on this cycle's inputs: the handshakes at the rising edge
        bool aval = top->o_m_avalid && top->i_m_aready;
        bool rbeat = top->i_m_rvalid && top->o_m_rready;
        bool wbeat = top->o_m_wvalid && top->i_m_wready;
        bool bresp = top->i_m_bvalid;
        Burst req{(bool)top->o_m_awrite, (uint64_t)top->o_m_aaddr, (uint64_t)top->o_m_alen + 1, 0, 0, 0};
        uint64_t wstrb = top->o_m_wstrb;
        std::vector<uint8_t> wdata(wbpc);
        for (uint64_t k = 0; k < wbpc; k++) {
#if NPU_WR_BPC <= 8
            wdata[k] = (uint8_t)((uint64_t)top->o_m_wdata >> (8 * k));
#else
            wdata[k] = (uint8_t)(top->o_m_wdata[k / 4] >> (8 * (k % 4)));
#endif
        }
        half(1);
        cycles++;
        if (rbeat) {
            Burst &b = reads.front();
            uint64_t a = b.addr + b.done * rbpc;
            obs_rd[region(a)] += rbpc;
            if (++b.done == b.beats) {
                rd_free = cycles;  // the next read's beats follow this one's
                reads.pop_front();
            }
        }
        if (wbeat) {
            Burst &b = writes.front();
            uint64_t a = b.addr + b.done * wbpc;
            if (a + wbpc > dram.size()) die(EXIT_USAGE, "write beat at 0x%" PRIx64 " outside the DRAM", a);
            obs_wr[region(a) == 0 ? 0 : 1] += wbpc;
            for (uint64_t k = 0; k < wbpc; k++)
                if (wstrb >> k & 1) dram[a + k] = wdata[k];
            if (++b.done == b.beats) {
                resp.push_back(cycles + latency);
                writes.pop_front();
                wdone++;
            }
        }
        if (bresp) resp.pop_front();
        if (aval) {
            req.seq = nreq++;
            if (req.write) {
                writes.push_back(req);
                wreq++;
            } else {
                req.ready = cycles + latency;
                req.after = wreq;  // reads see every write requested before them
                reads.push_back(req);
            }
        }

        // the timeline: the sequencer's, the engines', the DMA's events, each
        // with the counters as they stand once its own updates have landed
        // (an ALLOC's, a FREE's a cycle after its row is recorded)
        if (timeline_path) {
            if (!pending.empty()) snapshot();
            if (root->npu_top__DOT__u_seq__DOT__ts_r)
                pending.push_back({root->npu_top__DOT__u_seq__DOT__ts_index_r,
                                   root->npu_top__DOT__u_seq__DOT__ts_op_r,
                                   root->npu_top__DOT__u_seq__DOT__ts_start_r,
                                   root->npu_top__DOT__u_seq__DOT__ts_end_r});
            if (root->npu_top__DOT__u_seq__DOT__tc_r)
                pending.push_back({root->npu_top__DOT__u_seq__DOT__tc_index_r,
                                   root->npu_top__DOT__u_seq__DOT__tc_op_r,
                                   root->npu_top__DOT__u_seq__DOT__tc_start_r,
                                   root->npu_top__DOT__u_seq__DOT__tc_end_r});
            if (root->npu_top__DOT__xdone)
                pending.push_back({root->npu_top__DOT__xdone_index, 0, root->npu_top__DOT__xdone_start,
                                   root->npu_top__DOT__xdone_end});
        }

        if (top->o_irq) {
            status = reg_read(1);
            break;
        }
        if (timeout && cycles >= timeout) {
            fprintf(stderr,
                    "%snpu_sim: timeout after %" PRIu64 " cycles at instruction %u (sequencer state %u, "
                    "checker phase %u step %u)\n",
                    progress ? "\n" : "", cycles, root->npu_top__DOT__u_seq__DOT__index_r,
                    root->npu_top__DOT__u_seq__DOT__st_r, root->npu_top__DOT__u_check__DOT__ph_r,
                    root->npu_top__DOT__u_check__DOT__st_r);
            rc = EXIT_TIMEOUT;
            break;
        }
        if (progress && (cycles & 0xfffff) == 0)
            fprintf(stderr, "\rnpu_sim: %" PRIu64 " cycles, instruction %u", cycles,
                    root->npu_top__DOT__u_seq__DOT__index_r);
    }
    if (!pending.empty()) snapshot();  // END's row (END changes no counter of the timeline)
    uint64_t cnt[NCNT];
    for (int k = 0; k < NCNT; k++) cnt[k] = reg_read64(32 + 2 * k);
    if (rc == 0 && (status >> 2 & 1)) {
        unsigned code = status >> 8 & 0xff;
        fprintf(stderr, "%snpu_sim: %s\n", progress ? "\n" : "",
                message(code, reg_read(5), (int)reg_read(6), reg_read64(8), reg_read64(10), reg_read64(12),
                        reg_read64(14), dram_bytes)
                    .c_str());
        rc = EXIT_CHECK;
    }
    if (progress && rc == 0)
        fprintf(stderr, "\rnpu_sim: %" PRIu64 " cycles, %" PRIu64 " instructions\n", cnt[0], cnt[21]);
#if VM_TRACE
    if (tfp) tfp->close();
#endif
    top->final();

    if (rc == 0 && dram_out) {
        FILE *f = fopen(dram_out, "wb");
        if (!f || fwrite(dram.data(), 1, image.size(), f) != image.size() || fclose(f) != 0)
            die(EXIT_USAGE, "%s: %s", dram_out, strerror(errno));
    }
    if (counters_path) {
        FILE *f = strcmp(counters_path, "-") == 0 ? stdout : fopen(counters_path, "w");
        if (!f) die(EXIT_USAGE, "%s: %s", counters_path, strerror(errno));
        fputc('{', f);
        for (int k = 0; k < NCNT; k++) fprintf(f, "\"%s\":%" PRIu64 ",", counter_names[k], cnt[k]);
        for (int b = 0; b < NPU_NB; b++)
            fprintf(f, "\"bank%d_rd\":%" PRIu64 ",\"bank%d_wr\":%" PRIu64 ",", b,
                    reg_read64(32 + 2 * (NCNT + 2 * b)), b, reg_read64(32 + 2 * (NCNT + 2 * b + 1)));
        fprintf(f,
                "\"obs_rd_act\":%" PRIu64 ",\"obs_rd_spill\":%" PRIu64 ",\"obs_rd_weight\":%" PRIu64
                ",\"obs_rd_fetch\":%" PRIu64 ",\"obs_wr_act\":%" PRIu64 ",\"obs_wr_spill\":%" PRIu64
                ",\"cycles_harness\":%" PRIu64 "}\n",
                obs_rd[0], obs_rd[1], obs_rd[2], obs_rd[3], obs_wr[0], obs_wr[1], cycles);
        if (f != stdout && fclose(f) != 0) die(EXIT_USAGE, "%s: %s", counters_path, strerror(errno));
    }
    if (timeline_path) {
        std::stable_sort(events.begin(), events.end(),
                         [](const Event &x, const Event &y) { return x.index < y.index; });
        FILE *f = fopen(timeline_path, "w");
        if (!f) die(EXIT_USAGE, "%s: %s", timeline_path, strerror(errno));
        fputs("index,opcode,start,end,at,port_rd_bytes,port_wr_bytes", f);
        for (int k = 0; k < NTL; k++) fprintf(f, ",%s", counter_names[tl_counters[k]]);
        fputc('\n', f);
        for (const Event &e : events) {
            fprintf(f, "%u,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64, e.index,
                    e.op ? opname(e.op) : "dma", e.start, e.end, e.at, e.port_rd, e.port_wr);
            for (int k = 0; k < NTL; k++) fprintf(f, ",%" PRIu64, e.c[k]);
            fputc('\n', f);
        }
        if (fclose(f) != 0) die(EXIT_USAGE, "%s: %s", timeline_path, strerror(errno));
    }
    return rc;
}
