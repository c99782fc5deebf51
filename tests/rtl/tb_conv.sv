// tb_conv: the convolution engine (npu_conv + npu_mac + npu_requant) with
// behavioural models of scratchpad port A and the weight buffer, on random
// CONV instructions against a plain loop-nest reference of docs/isa.md's
// formula (requantization through src/ref.c's ref_requant/ref_clamp8, DPI).
//
// Drawn per case: groups (1, several, depthwise), kernels 1..5, strides
// 1..4, dilations 1..3, padding -1..3 on each side (negative crops), a band
// oy0..oy1 inside out_h, views with row0 > 0 and channel strides larger
// than the rows they hold, SPLIT and OSPLIT (each part its own view),
// PSUM, OUT32, RELU, fully connected layers (1x1 over in_c, 1x1 input),
// in_w larger than WIN, cw < COLS, per-channel biases, multipliers and
// shifts (edge values among them).  Checked per case:
//   - the whole scratchpad afterwards: every output byte as the reference
//     computes it, every other byte untouched;
//   - every read lies inside the input or partial-sum views, every write
//     inside the outputs, every weight-buffer read inside the blocks;
//   - the bytes read and written, and the MAC-busy cycles, as the spec
//     says (windows from the first valid lane's byte to the last's);
//   - a refused access is presented again unchanged;
//   - with REFUSE = 0 the cycles from i_start to o_done are exactly the
//     header formula of hw/npu_conv.sv; with REFUSE > 0 port A refuses that
//     percentage of cycles at random (results must not change).
`default_nettype none
`timescale 1ns / 1ps

module tb_conv #(
    parameter int ROWS   = 4,
    parameter int COLS   = 4,
    parameter int WIN    = 8,
    parameter int WRW    = 12,
    parameter int N      = 400,
    parameter int SEED   = 1,
    parameter int REFUSE = 0
);
    import "DPI-C" function int ref_requant(input int acc, input int qmul, input int qshift);
    import "DPI-C" function byte ref_clamp8(input int v, input bit relu);

    localparam int SB    = 1 << 16;          // scratchpad bytes (model)
    localparam int WROWS = 1 << WRW;
    localparam int CH    = WIN >= 4 ? 4 * (WIN / 4) : WIN;

    // ---- the DUT ----
    logic clk = 1'b0, rst = 1'b1, start = 1'b0;
    logic [31:0] src, src2, dst, dst2, psum, weight, src_cs, src2_cs, dst_cs, dst2_cs, psum_cs;
    logic [15:0] src_row0, src2_row0, dst_row0, dst2_row0, psum_row0;
    logic [15:0] in_c, in_h, in_w, out_c, out_h, out_w, groups, split, osplit, oy0, oy1, cw;
    logic  [7:0] kh, kw, sh, sw, dh, dw, pt, pl;
    logic        relu, out32, psum_en;
    logic        busy, done, a_req, a_we, a_gnt, w_re, mac;
    logic [31:0] a_addr;
    logic [15:0] a_n;
    logic [8*WIN-1:0] a_wdata, a_rdata;
    logic [WRW-1:0] w_row;
    logic [8*COLS-1:0] w_rdata;

    npu_conv #(
        .ROWS(ROWS),
        .COLS(COLS),
        .WIN (WIN),
        .WRW (WRW)
    ) u_dut (
        .i_clk      (clk),
        .i_rst      (rst),
        .i_start    (start),
        .i_src      (src),
        .i_src2     (src2),
        .i_dst      (dst),
        .i_dst2     (dst2),
        .i_psum     (psum),
        .i_weight   (weight),
        .i_src_cs   (src_cs),
        .i_src2_cs  (src2_cs),
        .i_dst_cs   (dst_cs),
        .i_dst2_cs  (dst2_cs),
        .i_psum_cs  (psum_cs),
        .i_src_row0 (src_row0),
        .i_src2_row0(src2_row0),
        .i_dst_row0 (dst_row0),
        .i_dst2_row0(dst2_row0),
        .i_psum_row0(psum_row0),
        .i_in_c     (in_c),
        .i_in_h     (in_h),
        .i_in_w     (in_w),
        .i_out_c    (out_c),
        .i_out_h    (out_h),
        .i_out_w    (out_w),
        .i_groups   (groups),
        .i_split    (split),
        .i_osplit   (osplit),
        .i_oy0      (oy0),
        .i_oy1      (oy1),
        .i_cw       (cw),
        .i_kh       (kh),
        .i_kw       (kw),
        .i_sh       (sh),
        .i_sw       (sw),
        .i_dh       (dh),
        .i_dw       (dw),
        .i_pt       (pt),
        .i_pl       (pl),
        .i_relu     (relu),
        .i_out32    (out32),
        .i_psum_en  (psum_en),
        .o_busy     (busy),
        .o_done     (done),
        .o_a_req    (a_req),
        .o_a_we     (a_we),
        .o_a_addr   (a_addr),
        .o_a_n      (a_n),
        .o_a_wdata  (a_wdata),
        .i_a_gnt    (a_gnt),
        .i_a_rdata  (a_rdata),
        .o_w_re     (w_re),
        .o_w_row    (w_row),
        .i_w_rdata  (w_rdata),
        .o_mac      (mac)
    );

    always #5 clk = ~clk;

    // ---- memory models ----
    logic [7:0]        spad [0:SB-1];
    logic [7:0]        want [0:SB-1];      // the expected image
    bit                rd_ok [0:SB-1];     // bytes a read may touch
    bit                wr_ok [0:SB-1];     // bytes a write may touch
    logic [8*COLS-1:0] wbuf [0:WROWS-1];
    bit                wb_ok [0:WROWS-1];  // rows in the blocks
    logic              gnt_r = 1'b1;
    int                n_rd, n_wr, n_mac, n_refused, proto_err;
    logic              pend_v = 1'b0;      // an access was refused: it must come again
    logic              pend_we;
    logic [31:0]       pend_addr;
    logic [15:0]       pend_n;
    logic [8*WIN-1:0]  pend_wdata;

    assign a_gnt = gnt_r;

    always @(posedge clk) begin
        if (a_req) begin
            bit same;
            same = a_we == pend_we && a_addr == pend_addr && a_n == pend_n;
            for (int j = 0; j < WIN; j++)
                if (a_we && j < int'(a_n) && a_wdata[8*j +: 8] != pend_wdata[8*j +: 8]) same = 1'b0;
            if (pend_v && !same) begin
                proto_err++;
                if (proto_err <= 5)
                    $display("tb_conv: FAIL a refused access changed: we %0d addr %0d n %0d, was we %0d addr %0d n %0d",
                             a_we, a_addr, a_n, pend_we, pend_addr, pend_n);
            end
            if (a_n == 0 || int'(a_n) > WIN || int'(a_addr) + int'(a_n) > SB || a_addr[31]) begin
                proto_err++;
                if (proto_err <= 5) $display("tb_conv: FAIL access addr %0d n %0d", a_addr, a_n);
            end else if (a_gnt) begin
                for (int j = 0; j < int'(a_n); j++) begin
                    if (a_we ? !wr_ok[int'(a_addr) + j] : !rd_ok[int'(a_addr) + j]) begin
                        proto_err++;
                        if (proto_err <= 5)
                            $display("tb_conv: FAIL %s of byte %0d outside its operands", a_we ? "write" : "read",
                                     int'(a_addr) + j);
                    end
                end
                if (a_we) begin
                    for (int j = 0; j < int'(a_n); j++) spad[int'(a_addr) + j] = a_wdata[8*j +: 8];
                    n_wr += int'(a_n);
                end else begin
                    for (int j = 0; j < WIN; j++)
                        a_rdata[8*j +: 8] <= j < int'(a_n) ? spad[int'(a_addr) + j] : 8'($urandom);
                    n_rd += int'(a_n);
                end
            end
            pend_v     <= !a_gnt;
            pend_we    <= a_we;
            pend_addr  <= a_addr;
            pend_n     <= a_n;
            pend_wdata <= a_wdata;
            if (!a_gnt) n_refused++;
        end else begin
            if (pend_v) begin
                proto_err++;
                if (proto_err <= 5) $display("tb_conv: FAIL a refused access was withdrawn");
            end
            pend_v <= 1'b0;
        end
        if (w_re) begin
            if (!wb_ok[w_row]) begin
                proto_err++;
                if (proto_err <= 5) $display("tb_conv: FAIL weight-buffer read of row %0d outside the blocks", w_row);
            end
            w_rdata <= wbuf[w_row];
        end
        if (mac) n_mac++;
    end

    always @(negedge clk) gnt_r <= REFUSE == 0 ? 1'b1 : 1'(($urandom % 100) >= REFUSE);

    // ---- helpers ----
    function automatic int rnd(input int lo, input int hi);
        rnd = lo + int'($urandom % 32'(hi - lo + 1));
    endfunction

    function automatic int cdiv(input int a, input int b);
        cdiv = (a + b - 1) / b;
    endfunction

    function automatic int imax(input int a, input int b);
        imax = a > b ? a : b;
    endfunction

    function automatic int imin(input int a, input int b);
        imin = a < b ? a : b;
    endfunction

    function automatic int rd32(input int a);
        rd32 = int'({spad[a + 3], spad[a + 2], spad[a + 1], spad[a]});
    endfunction

    // the shape of one case (ints for the reference)
    int G, CIG, COG, IC, IH, IW, OC, OH, OW, KH, KW, SH, SW, DH, DW, PT, PL, OY0, OY1, CWD, SPL, OSPL, E;
    int SRC, SRC2, DST, DST2, PSM, WGT, SCS, S2CS, DCS, D2CS, PCS, SR0, S2R0, DR0, D2R0, PR0;
    bit RELU, OUT32, PSUM, FC;

    // element addresses through the views
    function automatic int xaddr(input int c, input int y, input int x);
        if (SPL != 0 && c >= SPL) xaddr = SRC2 + (c - SPL) * S2CS + (y - S2R0) * IW + x;
        else xaddr = SRC + c * SCS + (y - SR0) * IW + x;
    endfunction

    function automatic int yaddr(input int c, input int y, input int x);
        if (OSPL != 0 && c >= OSPL) yaddr = DST2 + (c - OSPL) * D2CS + ((y - D2R0) * OW + x) * E;
        else yaddr = DST + c * DCS + ((y - DR0) * OW + x) * E;
    endfunction

    function automatic int paddr(input int c, input int y, input int x);
        paddr = PSM + c * PCS + ((y - PR0) * OW + x) * 4;
    endfunction

    // the block of tile t of group g, and a channel's parameters in it
    function automatic int wbyte(input int blk, input int row, input int k);
        wbyte = WGT + blk * (9 + CIG * KH * KW) * CWD + row * CWD + k;
    endfunction

    function automatic logic [7:0] wb_get(input int a);
        logic [8*COLS-1:0] r;
        r = wbuf[a / COLS];
        wb_get = r[8*(a % COLS) +: 8];
    endfunction

    task automatic wb_put(input int a, input logic [7:0] v);
        logic [8*COLS-1:0] r;
        r = wbuf[a / COLS];
        r[8*(a % COLS) +: 8] = v;
        wbuf[a / COLS] = r;
        wb_ok[a / COLS] = 1'b1;
    endtask

    function automatic int param32(input int oc, input int row0);
        int g, t, k;
        logic [31:0] v;
        g = oc / COG;
        t = (oc % COG) / CWD;
        k = (oc % COG) % CWD;
        for (int b = 0; b < 4; b++) v[8*b +: 8] = wb_get(wbyte(g * cdiv(COG, CWD) + t, row0 + b, k));
        param32 = int'(v);
    endfunction

    function automatic int qshift_of(input int oc);
        int g, t, k;
        g = oc / COG;
        t = (oc % COG) / CWD;
        k = (oc % COG) % CWD;
        qshift_of = int'(signed'(wb_get(wbyte(g * cdiv(COG, CWD) + t, 8, k))));
    endfunction

    function automatic int wterm(input int oc, input int r);
        int g, t, k;
        g = oc / COG;
        t = (oc % COG) / CWD;
        k = (oc % COG) % CWD;
        wterm = int'(signed'(wb_get(wbyte(g * cdiv(COG, CWD) + t, 9 + r, k))));
    endfunction

    // the input rows the band reads (rlo > rhi: none)
    function automatic void rows_read(output int rlo, output int rhi);
        rlo = 1 << 30;
        rhi = -1;
        for (int oy = OY0; oy < OY1; oy++)
            for (int ky = 0; ky < KH; ky++) begin
                int iy;
                iy = oy * SH - PT + ky * DH;
                if (iy >= 0 && iy < IH) begin
                    rlo = imin(rlo, iy);
                    rhi = imax(rhi, iy);
                end
            end
    endfunction

    // ---- one case: draw, lay out, run, check ----
    int fails = 0, cases = 0;
    int cnt_split, cnt_osplit, cnt_psum, cnt_out32, cnt_relu, cnt_dw, cnt_grp, cnt_fc, cnt_wide, cnt_cw, cnt_neg,
        cnt_row0, cnt_refused;

    task automatic draw();
        int tries;
        for (tries = 0; ; tries++) begin
            int kind, pb, pr, need_w;
            kind = rnd(0, 9);
            FC   = kind == 0;
            if (kind <= 2 && !FC) begin  // depthwise
                G   = rnd(1, 2 * COLS + 3);
                CIG = 1;
                COG = rnd(0, 3) == 0 ? 2 : 1;
            end else if (kind <= 4 && !FC) begin
                G   = rnd(2, 4);
                CIG = rnd(1, 4);
                COG = rnd(1, COLS + 2);
            end else begin
                G   = 1;
                CIG = rnd(1, FC ? 40 : 6);
                COG = rnd(1, 2 * COLS + 2);
            end
            IC = G * CIG;
            OC = G * COG;
            if (FC) begin
                IH = 1; IW = 1; KH = 1; KW = 1; SH = 1; SW = 1; DH = 1; DW = 1; PT = 0; PL = 0; pb = 0; pr = 0;
            end else begin
                KH = rnd(0, 3) == 0 ? rnd(1, 5) : rnd(1, 3);
                KW = rnd(0, 3) == 0 ? rnd(1, 5) : rnd(1, 3);
                SH = rnd(0, 2) == 0 ? rnd(1, 4) : 1;
                SW = rnd(0, 2) == 0 ? rnd(1, 4) : 1;
                DH = rnd(0, 3) == 0 ? rnd(1, 3) : 1;
                DW = rnd(0, 3) == 0 ? rnd(1, 3) : 1;
                PT = rnd(-1, 3);
                PL = rnd(-1, 3);
                pb = rnd(-1, 3);
                pr = rnd(-1, 3);
                IH = rnd(1, 9);
                IW = rnd(0, 2) == 0 ? rnd(WIN, 3 * WIN + 5) : rnd(1, 12);
            end
            if (IH + PT + pb < DH * (KH - 1) + 1 || IW + PL + pr < DW * (KW - 1) + 1) continue;
            OH = (IH + PT + pb - DH * (KH - 1) - 1) / SH + 1;
            OW = (IW + PL + pr - DW * (KW - 1) - 1) / SW + 1;
            OY0 = rnd(0, 2) == 0 ? rnd(0, OH - 1) : 0;
            OY1 = rnd(0, 2) == 0 ? rnd(OY0 + 1, OH) : OH;
            // cw: a divisor of COLS
            do CWD = rnd(1, COLS); while (COLS % CWD != 0 || (rnd(0, 1) == 0 && CWD != COLS));
            OUT32 = rnd(0, 3) == 0;
            PSUM  = rnd(0, 2) == 0;
            RELU  = !OUT32 && rnd(0, 1) == 1;
            SPL   = IC > 1 && rnd(0, 2) == 0 ? rnd(1, IC - 1) : 0;
            OSPL  = OC > 1 && rnd(0, 2) == 0 ? rnd(1, OC - 1) : 0;
            E     = OUT32 ? 4 : 1;
            // weights must fit the weight buffer
            need_w = G * cdiv(COG, CWD) * (9 + CIG * KH * KW) * CWD + 4 * COLS;
            if (need_w > WROWS * COLS) continue;
            // and the run must not be too long
            if (OC * (OY1 - OY0) * OW * CIG * KH * KW > 60000) continue;
            break;
        end
    endtask

    // SPAD layout: views at increasing addresses with random gaps; 0: it does not fit
    function automatic bit layout();
        int cur, rlo, rhi, nrow;
        cur = rnd(0, 40);
        rows_read(rlo, rhi);
        // src (and src2)
        if (rhi < 0) begin
            SR0 = 0; S2R0 = 0; nrow = 1;
        end else begin
            SR0  = rnd(0, 1) == 0 ? rnd(0, rlo) : 0;
            S2R0 = rnd(0, 1) == 0 ? rnd(0, rlo) : 0;
        end
        nrow = rhi < 0 ? 1 : rhi - SR0 + 1;
        SCS  = nrow * IW + (rnd(0, 1) == 0 ? rnd(1, 9) : 0);
        SRC  = cur;
        cur  = SRC + (SPL != 0 ? SPL : IC) * SCS + rnd(0, 17);
        nrow = rhi < 0 ? 1 : rhi - S2R0 + 1;
        S2CS = SPL != 0 ? nrow * IW + (rnd(0, 1) == 0 ? rnd(1, 9) : 0) : 0;
        SRC2 = SPL != 0 ? cur : 0;
        if (SPL != 0) cur = SRC2 + (IC - SPL) * S2CS + rnd(0, 17);
        if (SPL == 0) S2R0 = 0;
        // dst (and dst2)
        DR0  = rnd(0, 1) == 0 ? rnd(0, OY0) : OY0;
        D2R0 = rnd(0, 1) == 0 ? rnd(0, OY0) : OY0;
        DCS  = (OY1 - DR0) * OW * E + (rnd(0, 1) == 0 ? rnd(1, 9) : 0);
        DST  = cur;
        cur  = DST + (OSPL != 0 ? OSPL : OC) * DCS + rnd(0, 17);
        D2CS = OSPL != 0 ? (OY1 - D2R0) * OW * E + (rnd(0, 1) == 0 ? rnd(1, 9) : 0) : 0;
        DST2 = OSPL != 0 ? cur : 0;
        if (OSPL != 0) cur = DST2 + (OC - OSPL) * D2CS + rnd(0, 17);
        if (OSPL == 0) D2R0 = 0;
        // psum
        PR0 = PSUM ? (rnd(0, 1) == 0 ? rnd(0, OY0) : OY0) : 0;
        PCS = PSUM ? (OY1 - PR0) * OW * 4 + (rnd(0, 1) == 0 ? rnd(1, 9) : 0) : 0;
        PSM = PSUM ? cur : 0;
        if (PSUM) cur = PSM + OC * PCS + rnd(0, 17);
        layout = cur + 64 <= SB;
    endfunction

    task automatic run_case(input int t);
        int rlo, rhi, span, blocks, ntile, red, L, lat, want_cycles, want_rd, want_wr, want_mac, got_cycles, bad;
        int t0;
        bit timeout;
        // draw until it fits
        forever begin
            draw();
            if (layout()) break;
        end
        ntile  = cdiv(COG, CWD);
        blocks = G * ntile;
        red    = CIG * KH * KW;
        WGT    = CWD * rnd(0, 3 * COLS / CWD);
        if (WGT + blocks * (9 + red) * CWD > WROWS * COLS) WGT = 0;
        rows_read(rlo, rhi);

        // scratchpad: random, psums of moderate size; masks of what may be touched
        span = (PSUM ? PSM + OC * PCS : (OSPL != 0 ? DST2 + (OC - OSPL) * D2CS : DST + OC * DCS)) + 64;
        for (int a = 0; a < SB; a++) begin
            rd_ok[a] = 1'b0;
            wr_ok[a] = 1'b0;
        end
        for (int a = 0; a < span; a++) spad[a] = 8'($urandom);
        if (rhi >= 0)
            for (int c = 0; c < IC; c++)
                for (int y = rlo; y <= rhi; y++)
                    for (int x = 0; x < IW; x++) rd_ok[xaddr(c, y, x)] = 1'b1;
        if (PSUM)
            for (int c = 0; c < OC; c++)
                for (int y = OY0; y < OY1; y++)
                    for (int x = 0; x < OW; x++) begin
                        logic [31:0] v;
                        v = rnd(0, 7) == 0 ? $urandom : 32'(rnd(-(1 << 20), 1 << 20));
                        for (int b = 0; b < 4; b++) begin
                            spad[paddr(c, y, x) + b] = v[8*b +: 8];
                            rd_ok[paddr(c, y, x) + b] = 1'b1;
                        end
                    end
        for (int c = 0; c < OC; c++)
            for (int y = OY0; y < OY1; y++)
                for (int x = 0; x < OW; x++)
                    for (int b = 0; b < E; b++) wr_ok[yaddr(c, y, x) + b] = 1'b1;

        // weight buffer: random, then the blocks (bytes past a tile stay random)
        for (int r = 0; r < WROWS; r++) begin
            for (int b = 0; b < COLS; b++) wbuf[r][8*b +: 8] = 8'($urandom);
            wb_ok[r] = 1'b0;
        end
        for (int g = 0; g < G; g++)
            for (int tt = 0; tt < ntile; tt++)
                for (int k = 0; k < CWD; k++) begin
                    int blk, oc, qs, base;
                    logic [31:0] bias, qm;
                    blk  = g * ntile + tt;
                    oc   = g * COG + tt * CWD + k;
                    base = 7 + $clog2(red + 1) / 2;
                    bias = 32'(rnd(-(1 << 14), 1 << 14));
                    qm   = 32'h4000_0000 | ($urandom >> 2);
                    qs   = rnd(base - 4, base + 3);
                    case (rnd(0, 24))
                        0: qm = 32'h8000_0000;
                        1: qm = 32'h7fff_ffff;
                        2: qs = rnd(-3, -1);
                        3: qs = rnd(25, 40);
                        4: bias = $urandom;
                        default: ;
                    endcase
                    for (int b = 0; b < 4; b++) begin
                        wb_put(wbyte(blk, b, k), bias[8*b +: 8]);
                        wb_put(wbyte(blk, 4 + b, k), qm[8*b +: 8]);
                    end
                    wb_put(wbyte(blk, 8, k), 8'(qs));
                    for (int r = 0; r < red; r++) wb_put(wbyte(blk, 9 + r, k), 8'($urandom));
                end

        // the reference
        for (int a = 0; a < span; a++) want[a] = spad[a];
        for (int c = 0; c < OC; c++)
            for (int y = OY0; y < OY1; y++)
                for (int x = 0; x < OW; x++) begin
                    int acc, g;
                    g   = c / COG;
                    acc = PSUM ? rd32(paddr(c, y, x)) : param32(c, 0);
                    for (int ic = 0; ic < CIG; ic++)
                        for (int ky = 0; ky < KH; ky++)
                            for (int kx = 0; kx < KW; kx++) begin
                                int iy, ix;
                                iy = y * SH - PT + ky * DH;
                                ix = x * SW - PL + kx * DW;
                                if (iy >= 0 && iy < IH && ix >= 0 && ix < IW)
                                    acc += int'(signed'(spad[xaddr(g * CIG + ic, iy, ix)])) *
                                           wterm(c, (ic * KH + ky) * KW + kx);
                            end
                    if (OUT32) begin
                        for (int b = 0; b < 4; b++) want[yaddr(c, y, x) + b] = 8'(acc >> (8 * b));
                    end else begin
                        want[yaddr(c, y, x)] = 8'(ref_clamp8(ref_requant(acc, param32(c, 4), qshift_of(c)), RELU));
                    end
                end

        // the spec's accesses and cycles
        L = imin(ROWS, (WIN - 1) / SW + 1);
        lat = OUT32 ? 3 : 5;
        want_cycles = 8 + lat;
        want_rd = 0;
        want_wr = OC * (OY1 - OY0) * OW * E;
        want_mac = 0;
        for (int g = 0; g < G; g++)
            for (int tt = 0; tt < ntile; tt++) begin
                int ncols;
                ncols = imin(CWD, COG - tt * CWD);
                for (int y = OY0; y < OY1; y++)
                    for (int ox0 = 0; ox0 < OW; ox0 += L) begin
                        int nl, nch, n, w;
                        nl  = imin(L, OW - ox0);
                        nch = cdiv(4 * nl, CH);
                        n   = (y == OY0 && ox0 == 0 ? 9 : 0) + (PSUM ? ncols * nch : 0) + red;
                        w   = OUT32 ? ncols * nch : ncols;
                        want_cycles += imax(n, lat) + w;
                        want_mac += red;
                        if (PSUM) want_rd += ncols * 4 * nl;
                        for (int ky = 0; ky < KH; ky++)
                            for (int kx = 0; kx < KW; kx++) begin
                                int iy, first, last;
                                iy    = y * SH - PT + ky * DH;
                                first = -1;
                                last  = -1;
                                for (int p = 0; p < nl; p++) begin
                                    int ix;
                                    ix = (ox0 + p) * SW - PL + kx * DW;
                                    if (ix >= 0 && ix < IW) begin
                                        if (first < 0) first = ix;
                                        last = ix;
                                    end
                                end
                                if (iy >= 0 && iy < IH && first >= 0) want_rd += CIG * (last - first + 1);
                            end
                    end
            end

        // run
        src = 32'(SRC); src2 = 32'(SRC2); dst = 32'(DST); dst2 = 32'(DST2); psum = 32'(PSM); weight = 32'(WGT);
        src_cs = 32'(SCS); src2_cs = 32'(S2CS); dst_cs = 32'(DCS); dst2_cs = 32'(D2CS); psum_cs = 32'(PCS);
        src_row0 = 16'(SR0); src2_row0 = 16'(S2R0); dst_row0 = 16'(DR0); dst2_row0 = 16'(D2R0);
        psum_row0 = 16'(PR0);
        in_c = 16'(IC); in_h = 16'(IH); in_w = 16'(IW); out_c = 16'(OC); out_h = 16'(OH); out_w = 16'(OW);
        groups = 16'(G); split = 16'(SPL); osplit = 16'(OSPL); oy0 = 16'(OY0); oy1 = 16'(OY1); cw = 16'(CWD);
        kh = 8'(KH); kw = 8'(KW); sh = 8'(SH); sw = 8'(SW); dh = 8'(DH); dw = 8'(DW); pt = 8'(PT); pl = 8'(PL);
        relu = RELU; out32 = OUT32; psum_en = PSUM;
        n_rd = 0; n_wr = 0; n_mac = 0; n_refused = 0; proto_err = 0;
        start = 1'b1;
        t0 = int'($time / 10);
        @(negedge clk);
        start = 1'b0;
        // scramble the fields: the engine must have latched them
        src = $urandom; dst = $urandom; in_w = 16'($urandom); kh = 8'($urandom); cw = 16'($urandom);
        timeout = 1'b0;
        while (!done) begin
            @(negedge clk);
            if (int'($time / 10) - t0 > 20 * want_cycles + 2000) begin
                timeout = 1'b1;
                break;
            end
        end
        got_cycles = int'($time / 10) - t0;
        @(negedge clk);
        if (busy) begin
            proto_err++;
            $display("tb_conv: FAIL busy after done");
        end

        bad = 0;
        for (int a = 0; a < SB; a++)
            if (spad[a] !== (a < span ? want[a] : spad[a])) begin
                bad++;
                if (bad <= 4)
                    $display("tb_conv: FAIL case %0d byte %0d (%s): got %0d, want %0d", t, a,
                             wr_ok[a] ? "output" : "not an output", signed'(spad[a]), signed'(want[a]));
            end
        if (timeout) $display("tb_conv: FAIL case %0d timed out", t);
        if (REFUSE == 0 && got_cycles != want_cycles) begin
            bad++;
            $display("tb_conv: FAIL case %0d: %0d cycles, the formula says %0d", t, got_cycles, want_cycles);
        end
        if (n_rd != want_rd || n_wr != want_wr || n_mac != want_mac) begin
            bad++;
            $display("tb_conv: FAIL case %0d: read %0d written %0d mac %0d, want %0d %0d %0d", t, n_rd, n_wr,
                     n_mac, want_rd, want_wr, want_mac);
        end
        if (bad != 0 || proto_err != 0 || timeout) begin
            fails++;
            $display("tb_conv:   case %0d: in %0dx%0dx%0d out %0dx%0dx%0d band %0d..%0d k %0dx%0d s %0dx%0d d %0dx%0d p %0d,%0d g %0d cw %0d%s%s%s%s split %0d osplit %0d L %0d",
                     t, IC, IH, IW, OC, OH, OW, OY0, OY1, KH, KW, SH, SW, DH, DW, PT, PL, G, CWD,
                     OUT32 ? " out32" : "", PSUM ? " psum" : "", RELU ? " relu" : "", FC ? " fc" : "", SPL, OSPL, L);
        end
        cases++;
        cnt_split  += SPL != 0;
        cnt_osplit += OSPL != 0;
        cnt_psum   += PSUM;
        cnt_out32  += OUT32;
        cnt_relu   += RELU;
        cnt_dw     += G > 1 && CIG == 1 && COG == 1;
        cnt_grp    += G > 1;
        cnt_fc     += FC;
        cnt_wide   += IW > WIN;
        cnt_cw     += CWD < COLS;
        cnt_neg    += PT < 0 || PL < 0;
        cnt_row0   += SR0 > 0 || DR0 > 0;
        cnt_refused += n_refused;
    endtask

    initial begin : main
        void'($urandom(SEED));
        repeat (3) @(negedge clk);
        rst = 1'b0;
        @(negedge clk);
        for (int t = 0; t < N; t++) begin
            run_case(t);
            if (fails >= 10) break;
        end
        if (fails != 0) begin
            $display("tb_conv: FAIL %0d of %0d cases wrong (ROWS=%0d COLS=%0d WIN=%0d REFUSE=%0d)", fails, cases, ROWS,
                     COLS, WIN, REFUSE);
        end else begin
            $display("tb_conv: PASS %0d cases, ROWS=%0d COLS=%0d WIN=%0d WRW=%0d REFUSE=%0d%% (split %0d osplit %0d psum %0d out32 %0d relu %0d groups %0d depthwise %0d fc %0d in_w>WIN %0d cw<COLS %0d cropped %0d row0>0 %0d; %0d refusals)",
                     cases, ROWS, COLS, WIN, WRW, REFUSE, cnt_split, cnt_osplit, cnt_psum, cnt_out32, cnt_relu,
                     cnt_grp, cnt_dw, cnt_fc, cnt_wide, cnt_cw, cnt_neg, cnt_row0, cnt_refused);
        end
        $finish;
    end

endmodule

`default_nettype wire
