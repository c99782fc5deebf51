// sim_main.cpp: the Verilator harness of the NPU (hw/npu_top.sv).
//
//   npu_sim +stream=stream.bin +dram=dram.bin [+dram_out=FILE] [+counters=FILE]
//           [+timeline=FILE.csv] [+trace=FILE.fst] [+timeout=CYCLES] [+progress]
//
// Loads the command stream and the DRAM image (little-endian words, as
// `serenity compile -o DIR` writes them) into the model's stream memory and
// DRAM, releases reset and clocks until the NPU retires END or stops on a
// hardware check.  Then writes the DRAM image back (+dram_out, on success
// only), the counters as one JSON object (+counters) and one line per
// instruction, index,opcode,start,end,dram_bytes (+timeline); cycles are
// the NPU's own.  +trace dumps every signal to an FST file; +timeout stops
// after that many cycles; +progress prints the cycle count on stderr now and
// then when stderr is a terminal.
//
// Exit status: 0 END retired; 1 a hardware check stopped the run (one line
// on stderr, "instruction K (name): why", as fsim words it); 2 timeout;
// 3 bad arguments or files.  Everything the NPU counts is counted in the
// RTL (hw/npu_counters.sv); this file only moves bytes and prints.
#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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
#error "build with -DNPU_SRAM_BYTES=..., -DNPU_DRAM_BYTES=..., -DNPU_SLOTS=... (rtl_sim/build.sh)"
#endif

namespace {

enum { EXIT_CHECK = 1, EXIT_TIMEOUT = 2, EXIT_USAGE = 3 };

struct Event {
    uint32_t index;
    int op;
    uint64_t start, end, bytes;
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

std::string role_name(uint64_t role)
{
    static const char *names[] = {"src", "dst", "weights", "bias", "psum"};
    if (role == 64) return "table";
    if (role == 65) return "src2";
    if (role == 66) return "dst2";
    if (role >= 5) return "in" + std::to_string(role - 5);
    return names[role];
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

// The hardware's status code, worded as isa.c and fsim.c word it.
std::string message(const Vnpu_top *t, uint64_t dram_bytes)
{
    uint64_t a = t->o_err_a, b = t->o_err_b, c = t->o_err_c, d = t->o_err_d;
    unsigned ua = (unsigned)a, ub = (unsigned)b, uc = (unsigned)c;
    const char *what[] = {"source", "destination", "buffer", "weights", "bias", "table"};
    const char *verb = (d >> 8 & 1) ? "writes" : "reads";
    std::string m;
    switch (t->o_err) {
    case 1: m = "operands without an ew before it"; break;
    case 2: m = fmt("unknown opcode 0x%02x", ua); break;
    case 3: m = fmt("non-zero reserved bits in w0 (0x%08x)", ua); break;
    case 4: m = fmt("flag %s (0x%x) not taken by %s", flag_name(a), ub, opname(t->o_err_op)); break;
    case 5: m = fmt("non-zero count field %u", ua); break;
    case 6: m = fmt("non-zero reserved word w%u (0x%08x)", ua, ub); break;
    case 7: m = "zero bytes"; break;
    case 8: m = "zero elements"; break;
    case 9:
        m = fmt("%s must be %s Ref (is %c:0x%x)", what[a < 6 ? a : 0], c ? "a DRAM" : "an SRAM",
                (b >> 31) ? 'D' : 'S', ub & 0x7fffffffu);
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
    case 16:
        m = fmt("output %ux%u, the window gives %lldx%lld", ua, ub, (long long)c, (long long)d);
        break;
    case 17: m = "zero groups"; break;
    case 18: m = fmt("groups %u do not divide in_c %u and out_c %u", ua, ub, uc); break;
    case 19: m = "flag RELU with OUT32 (int32 outputs are not clamped)"; break;
    case 20: m = "non-zero qmul/qshift (w11, w12) with OUT32"; break;
    case 21: m = fmt("non-zero reserved bits in w%u (0x%08x)", ua, ub); break;
    case 22: m = fmt("groups %u (pooling takes 0 or 1)", ua); break;
    case 23: m = fmt("out_c %u differs from in_c %u", ua, ub); break;
    case 24: m = fmt("%d inputs (1 to %d)", (int)a, 32); break;
    case 25: m = fmt("non-zero reserved word w%u (0x%08x) after %u inputs", ua, ub, uc); break;
    case 26:
        m = fmt("%u inputs need %u operands continuations; the stream ends first", ua, ub);
        break;
    case 27: m = fmt("continuation %u is %s (0x%02x), not operands", ua, opname((int)b), ub); break;
    case 28: m = fmt("continuation %u: flags 0x%x (operands takes none)", ua, ub); break;
    case 29: m = fmt("continuation %u: non-zero reserved bits in w0 (0x%08x)", ua, ub); break;
    case 30: m = fmt("continuation %u holds %u pairs, expected %u", ua, ub, uc); break;
    case 31: m = fmt("continuation %u: non-zero reserved word w%u (0x%08x)", ua, ub, uc); break;
    case 32:
        m = fmt("flag PERCH with %s (the table takes aux; int32 outputs are not requantized)",
                a == 2 ? "OUT32" : "PSUM");
        break;
    case 33: m = fmt("non-zero qmul/qshift (w%u, w%u) with PERCH", ua, ua + 1); break;
    case 34: m = fmt("%u channels do not divide %u elements", ua, ub); break;
    case 35: m = fmt("split at input channel %u of %u (SPLIT takes 1 to in_c - 1)", ua, ub); break;
    case 36:
        m = fmt("non-zero reserved word w%u (0x%08x) without %s", ua, ub, c ? "OSPLIT" : "SPLIT");
        break;
    case 37: m = fmt("split at output channel %u of %u (OSPLIT takes 1 to out_c - 1)", ua, ub); break;
    case 40: m = "the stream ends without end"; break;
    case 41: m = fmt("%" PRIu64 " words after it", a); break;
    case 42:
        m = fmt("%s DRAM 0x%" PRIx64 "..0x%" PRIx64 " past the image (0x%" PRIx64 " bytes) (%s)", verb,
                a, b - 1, dram_bytes, role_name(d & 0xff).c_str());
        break;
    case 43:
        m = fmt("%s SRAM 0x%" PRIx64 "..0x%" PRIx64 " past its end (0x%llx bytes) (%s)", verb, a, b - 1,
                (unsigned long long)NPU_SRAM_BYTES, role_name(d & 0xff).c_str());
        break;
    case 44:
        m = fmt("%s SRAM 0x%" PRIx64 "..0x%" PRIx64 " outside any live buffer (at 0x%" PRIx64 ") (%s)",
                verb, a, b - 1, c, role_name(d & 0xff).c_str());
        break;
    case 45:
        m = fmt("buffer 0x%" PRIx64 "..0x%" PRIx64 " past the end of SRAM (0x%llx bytes)", a, b - 1,
                (unsigned long long)NPU_SRAM_BYTES);
        break;
    case 46:
        m = fmt("buffer 0x%" PRIx64 "..0x%" PRIx64 " overlaps the live buffer 0x%" PRIx64
                "..0x%" PRIx64, a, b - 1, c, d - 1);
        break;
    case 47: m = fmt("frees 0x%" PRIx64 "..0x%" PRIx64 ", which is not an allocated buffer", a, b - 1); break;
    case 48:
        m = fmt("frees 0x%" PRIx64 "..0x%" PRIx64 ", but the buffer there is 0x%" PRIx64 "..0x%" PRIx64,
                a, b - 1, a, d - 1);
        break;
    case 49:
        m = fmt("end with %" PRIu64 " DMA transfer%s outstanding (the first from instruction %" PRIu64
                "; no sync)", a, a > 1 ? "s" : "", b);
        break;
    case 50: m = fmt("more than %" PRIu64 " live SRAM buffers (the hardware's table is full)", c); break;
    case 51: m = fmt("more than %" PRIu64 " DMA transfers without a sync (the hardware's table is full)", a); break;
    case 52:
        m = fmt("%s SRAM 0x%" PRIx64 "..0x%" PRIx64 " (%s) that the %s of instruction %u may still be moving "
                "(no sync)", verb, a, b - 1, role_name(d & 0xff).c_str(), (c >> 32 & 1) ? "load" : "store",
                (unsigned)(c & 0xffffffffu));
        break;
    case 53:
        m = fmt("frees SRAM 0x%" PRIx64 "..0x%" PRIx64 " that the %s of instruction %u may still be moving (no sync)",
                a, b - 1, (c >> 32 & 1) ? "load" : "store", (unsigned)(c & 0xffffffffu));
        break;
    default: m = fmt("hardware status %u", (unsigned)t->o_err); break;
    }
    bool named = !(t->o_err == 1 || t->o_err == 2 || t->o_err == 40);
    if (named) return fmt("instruction %u (%s): ", t->o_err_index, opname(t->o_err_op)) + m;
    return fmt("instruction %u: ", t->o_err_index) + m;
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

}  // namespace

int main(int argc, char **argv)
{
    const char *stream_path = nullptr, *dram_path = nullptr, *dram_out = nullptr;
    const char *counters_path = nullptr, *timeline_path = nullptr, *trace_path = nullptr;
    uint64_t timeout = 0;
    bool progress = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        auto val = [&](const char *key) -> const char * {
            size_t n = strlen(key);
            return strncmp(a, key, n) == 0 ? a + n : nullptr;
        };
        const char *v;
        if ((v = val("+stream="))) stream_path = v;
        else if ((v = val("+dram_out="))) dram_out = v;
        else if ((v = val("+dram="))) dram_path = v;
        else if ((v = val("+counters="))) counters_path = v;
        else if ((v = val("+timeline="))) timeline_path = v;
        else if ((v = val("+trace="))) trace_path = v;
        else if ((v = val("+timeout="))) {
            char *end;
            errno = 0;
            timeout = strtoull(v, &end, 10);
            if (errno || end == v || *end) die(EXIT_USAGE, "+timeout=%s: not a cycle count", v);
        } else if (strcmp(a, "+progress") == 0) progress = true;
        else if (strncmp(a, "+verilator+", 11) == 0) continue;
        else die(EXIT_USAGE, "unknown argument '%s' (usage: npu_sim +stream=FILE +dram=FILE "
                 "[+dram_out=FILE] [+counters=FILE] [+timeline=FILE] [+trace=FILE.fst] "
                 "[+timeout=CYCLES] [+progress])", a);
    }
    if (!stream_path || !dram_path) die(EXIT_USAGE, "needs +stream=FILE and +dram=FILE");
    progress = progress && isatty(2);

    std::vector<uint8_t> stream, dram;
    if (!read_file(stream_path, stream)) die(EXIT_USAGE, "%s: %s", stream_path, strerror(errno));
    if (!read_file(dram_path, dram)) die(EXIT_USAGE, "%s: %s", dram_path, strerror(errno));
    if (stream.size() % 64)
        die(EXIT_USAGE, "%s: %zu bytes, not a whole number of 64-byte instructions", stream_path,
            stream.size());
    size_t nslots = stream.size() / 64;
    if (nslots > NPU_SLOTS)
        die(EXIT_USAGE, "%s: %zu instructions, the stream memory holds %d (NPU_SLOTS)", stream_path,
            nslots, NPU_SLOTS);
    if (dram.size() > (size_t)NPU_DRAM_BYTES)
        die(EXIT_USAGE, "%s: %zu bytes, the DRAM model holds %lld (rebuild with NPU_DRAM_BYTES)",
            dram_path, dram.size(), (long long)NPU_DRAM_BYTES);

    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    auto top = std::make_unique<Vnpu_top>(ctx.get(), "npu");
    Vnpu_top___024root *root = top->rootp;
    for (size_t s = 0; s < nslots; s++)
        for (int k = 0; k < 16; k++) {
            const uint8_t *p = &stream[64 * s + 4 * k];
            root->npu_top__DOT__u_imem__DOT__mem_r[s][k] =
                (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        }
    std::memcpy(&root->npu_top__DOT__u_dram__DOT__mem_r[0], dram.data(), dram.size());

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
    auto tick = [&](int clk) {
        top->i_clk = clk;
        top->eval();
#if VM_TRACE
        if (tfp) tfp->dump(t);
#endif
        t++;
    };

    top->i_dram_bytes = dram.size();
    top->i_nslots = (uint32_t)nslots;
    top->i_rst = 1;
    for (int i = 0; i < 2; i++) {
        tick(0);
        tick(1);
    }
    top->i_rst = 0;

    std::vector<Event> events;
    uint64_t cycles = 0;
    int rc = 0;
    for (;;) {
        tick(0);
        tick(1);
        cycles++;
        if (top->o_ts)
            events.push_back({top->o_ts_index, top->o_ts_op, top->o_ts_start, top->o_ts_end, 0});
        if (top->o_tc)
            events.push_back({top->o_tc_index, top->o_tc_op, top->o_tc_start, top->o_tc_end, top->o_tc_bytes});
        if (top->o_td)
            events.push_back({top->o_td_index, top->o_td_load ? 0x02 : 0x03, top->o_td_start,
                              top->o_td_end, top->o_td_bytes});
        if (top->o_done) break;
        if (top->o_err) {
            fprintf(stderr, "%snpu_sim: %s\n", progress ? "\n" : "",
                    message(top.get(), dram.size()).c_str());
            rc = EXIT_CHECK;
            break;
        }
        if (timeout && cycles >= timeout) {
            fprintf(stderr, "%snpu_sim: timeout after %" PRIu64 " cycles at instruction %u (%s)\n",
                    progress ? "\n" : "", cycles, top->o_index, opname(top->o_op));
            rc = EXIT_TIMEOUT;
            break;
        }
        if (progress && (cycles & 0xfffff) == 0)
            fprintf(stderr, "\rnpu_sim: %" PRIu64 " cycles, instruction %u", cycles, top->o_index);
    }
    if (progress && rc == 0) fprintf(stderr, "\rnpu_sim: %" PRIu64 " cycles, %" PRIu64 " instructions\n",
                                     (uint64_t)top->o_cycles, (uint64_t)top->o_insns);
#if VM_TRACE
    if (tfp) tfp->close();
#endif
    top->final();

    if (rc == 0 && dram_out) {
        FILE *f = fopen(dram_out, "wb");
        if (!f || fwrite(&root->npu_top__DOT__u_dram__DOT__mem_r[0], 1, dram.size(), f) != dram.size() ||
            fclose(f) != 0)
            die(EXIT_USAGE, "%s: %s", dram_out, strerror(errno));
    }
    if (counters_path) {
        FILE *f = strcmp(counters_path, "-") == 0 ? stdout : fopen(counters_path, "w");
        if (!f) die(EXIT_USAGE, "%s: %s", counters_path, strerror(errno));
        fprintf(f,
                "{\"cycles\":%" PRIu64 ",\"compute_busy\":%" PRIu64 ",\"dma_busy\":%" PRIu64
                ",\"stall_cycles\":%" PRIu64 ",\"dram_weight_read\":%" PRIu64 ",\"dram_act_read\":%" PRIu64
                ",\"dram_write\":%" PRIu64 ",\"sram_peak\":%" PRIu64 ",\"instructions\":%" PRIu64 "}\n",
                (uint64_t)top->o_cycles, (uint64_t)top->o_compute_busy, (uint64_t)top->o_dma_busy,
                (uint64_t)top->o_stall, (uint64_t)top->o_weight_read, (uint64_t)top->o_act_read,
                (uint64_t)top->o_write, (uint64_t)top->o_sram_peak, (uint64_t)top->o_insns);
        if (f != stdout && fclose(f) != 0) die(EXIT_USAGE, "%s: %s", counters_path, strerror(errno));
    }
    if (timeline_path) {
        std::vector<const Event *> byindex(events.size());
        for (size_t i = 0; i < events.size(); i++) byindex[i] = &events[i];
        std::stable_sort(byindex.begin(), byindex.end(),
                         [](const Event *x, const Event *y) { return x->index < y->index; });
        FILE *f = fopen(timeline_path, "w");
        if (!f) die(EXIT_USAGE, "%s: %s", timeline_path, strerror(errno));
        fputs("index,opcode,start,end,dram_bytes\n", f);
        for (const Event *e : byindex)
            fprintf(f, "%u,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n", e->index, opname(e->op), e->start,
                    e->end, e->bytes);
        if (fclose(f) != 0) die(EXIT_USAGE, "%s: %s", timeline_path, strerror(errno));
    }
    return rc;
}
