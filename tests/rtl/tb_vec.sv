// tb_vec: the vector unit (npu_vec + npu_requant) against plain loop-nest
// references, on a byte-array model of the scratchpad's port A (windows of
// up to WIN bytes at any address, read data the cycle after a granted
// read and held until the next, bytes past n random), a weight-buffer
// model (PERCH tables) and the sequencer's EW-input RAM (data the cycle
// after a read, random otherwise).  N random instances of each op:
//   RELU, COPY  element counts 0..~600, overlapping both ways, disjoint
//   EW          1..32 inputs, coefficients of both signs, in place too
//   REQUANT     int32 inputs of every magnitude, in place too; PERCH with
//               1..8 channels and tables anywhere in the weight buffer
//   POOL        max and avg, views (cstride, row0) and bands, strides 1..3,
//               padding and cropping, dilation, kernels up to 5x5 and a few
//               larger, outputs wider than a tile
//   GAVG        planes of 1..300 elements
// all at unaligned addresses.  Each run checks: the whole SRAM image (the
// outputs, and every other byte untouched), every access inside its
// operand (reads inside the input rows, weight-buffer rows inside the
// table), n in 1..WIN, o_busy and a one-cycle o_done, and the cycles from
// i_start to o_done against npu_vec's formulas exactly.  Then NREF more of
// each with port A refusing at random: the same checks, the cycles being
// the formula's plus the refused cycles, and every refused access presented
// again unchanged.  Requantization is src/ref.c's, through DPI.
`default_nettype none
`timescale 1ns / 1ps

module tb_vec #(
    parameter int VW   = 4,
    parameter int WIN  = 8,
    parameter int COLS = 4,
    parameter int WRW  = 10,
    parameter int N    = 300,   // random instances of each op
    parameter int NREF = 60,    // and again with port-A refusals
    parameter int SEED = 1
);
    import "DPI-C" function int ref_requant(input int acc, input int qmul, input int qshift);
    import "DPI-C" function byte ref_clamp8(input int v, input bit relu);

    localparam int MB    = 16384;          // SRAM model bytes
    localparam int WROWS = 1 << WRW;
    localparam int WB    = WROWS * COLS;   // WBUF bytes
    localparam int NIV   = 512;            // allowed read intervals
    localparam logic [7:0] OP_POOL = 8'h11, OP_GAVG = 8'h12, OP_EW = 8'h13;
    localparam logic [7:0] OP_REQUANT = 8'h14, OP_COPY = 8'h15, OP_RELU = 8'h16;

    logic clk = 1'b0, rst = 1'b1, start = 1'b0;
    logic [7:0] op;
    logic relu, avg, perch;
    logic [31:0] src, dst, elems, src_cs, dst_cs, qmul, table_a;
    logic [15:0] src_row0, dst_row0, oy0, oy1, in_c, in_h, in_w, out_h, out_w, chans;
    logic [7:0] kh, kw, sh, sw, dh, dw, pt, pl, qshift;
    logic [5:0] nin;
    logic ew_re;
    logic [4:0] ew_idx;
    logic [31:0] ew_ref, ew_coef;
    logic busy, done;
    logic a_req, a_we, a_gnt;
    logic [31:0] a_addr;
    logic [15:0] a_n;
    logic [8*WIN-1:0] a_wdata, a_rdata;
    logic w_re;
    logic [WRW-1:0] w_row;
    logic [8*COLS-1:0] w_rdata;

    npu_vec #(.VW(VW), .WIN(WIN), .COLS(COLS), .WRW(WRW)) u_dut (
        .i_clk(clk), .i_rst(rst), .i_start(start), .i_op(op), .i_relu(relu), .i_avg(avg),
        .i_perch(perch), .i_src(src), .i_dst(dst), .i_elems(elems), .i_src_cs(src_cs),
        .i_dst_cs(dst_cs), .i_src_row0(src_row0), .i_dst_row0(dst_row0), .i_oy0(oy0), .i_oy1(oy1),
        .i_in_c(in_c), .i_in_h(in_h), .i_in_w(in_w), .i_out_h(out_h), .i_out_w(out_w),
        .i_kh(kh), .i_kw(kw), .i_sh(sh), .i_sw(sw), .i_dh(dh), .i_dw(dw), .i_pt(pt), .i_pl(pl),
        .i_qmul(qmul), .i_qshift(qshift), .i_table(table_a), .i_chans(chans), .i_nin(nin),
        .o_ew_re(ew_re), .o_ew_idx(ew_idx), .i_ew_ref(ew_ref), .i_ew_coef(ew_coef),
        .o_busy(busy), .o_done(done),
        .o_a_req(a_req), .o_a_we(a_we), .o_a_addr(a_addr), .o_a_n(a_n), .o_a_wdata(a_wdata),
        .i_a_gnt(a_gnt), .i_a_rdata(a_rdata),
        .o_w_re(w_re), .o_w_row(w_row), .i_w_rdata(w_rdata)
    );

    always #5 clk = ~clk;

    // ---- the memories ----
    logic [7:0] mem [MB];
    logic [7:0] expm [MB];
    logic [8*COLS-1:0] wbuf [WROWS];
    logic [31:0] refs [32];
    logic [31:0] coefs [32];

    // what the running instruction may touch
    int rlo [NIV];
    int rhi [NIV];
    int nriv;
    int wlo, whi;             // write hull
    int wrow_lo, wrow_hi;     // WBUF rows
    int fails = 0, errs = 0, nrefused = 0, checks = 0;
    bit refuse = 1'b0;
    int cur_nin = 32;
    string what;

    task automatic fail(input string msg);
        fails++;
        if (fails <= 20) $display("tb_vec: FAIL %s: %s", what, msg);
    endtask

    // port A: grants (random when refusing), accesses, the unchanged-retry rule
    logic            pend_v = 1'b0, pend_we;
    logic     [31:0] pend_addr;
    logic     [15:0] pend_n;
    logic [8*WIN-1:0] pend_wdata;

    always @(negedge clk) a_gnt = !refuse || ($urandom % 3 != 0);

    always @(posedge clk) begin
        if (pend_v) begin
            bit same;
            same = a_req && a_we == pend_we && a_addr == pend_addr && a_n == pend_n;
            if (same && a_we)
                for (int j = 0; j < int'(a_n) && j < WIN; j++)
                    if (a_wdata[8*j +: 8] != pend_wdata[8*j +: 8]) same = 1'b0;
            if (!same) fail($sformatf("refused access not presented again unchanged"));
        end
        pend_v <= 1'b0;
        if (a_req) begin
            int a, n;
            a = int'(a_addr);
            n = int'(a_n);
            if (n < 1 || n > WIN || a < 0 || a + n > MB) begin
                fail($sformatf("access addr %0d n %0d out of range", a, n));
            end else if (a_we) begin
                if (a < wlo || a + n > whi) fail($sformatf("write [%0d, %0d) outside the output [%0d, %0d)", a, a + n, wlo, whi));
            end else begin
                bit ok;
                ok = 1'b0;
                for (int i = 0; i < nriv; i++) if (a >= rlo[i] && a + n <= rhi[i]) ok = 1'b1;
                if (!ok) fail($sformatf("read [%0d, %0d) outside the inputs", a, a + n));
            end
            if (!a_gnt) begin
                nrefused++;
                pend_v     <= 1'b1;
                pend_we    <= a_we;
                pend_addr  <= a_addr;
                pend_n     <= a_n;
                pend_wdata <= a_wdata;
            end else if (n >= 1 && n <= WIN && a >= 0 && a + n <= MB) begin
                if (a_we) begin
                    for (int j = 0; j < n; j++) mem[a + j] = a_wdata[8*j +: 8];
                end else begin
                    for (int j = 0; j < WIN; j++)
                        a_rdata[8*j +: 8] <= j < n ? mem[a + j] : 8'($urandom);
                end
            end
        end
    end

    always @(posedge clk) begin
        if (w_re) begin
            if (int'(w_row) < wrow_lo || int'(w_row) > wrow_hi)
                fail($sformatf("WBUF row %0d outside the table's rows [%0d, %0d]", w_row, wrow_lo, wrow_hi));
            w_rdata <= wbuf[w_row];
        end
        if (ew_re) begin
            if (int'(ew_idx) >= cur_nin) fail($sformatf("EW input %0d of %0d", ew_idx, cur_nin));
            ew_ref  <= refs[ew_idx];
            ew_coef <= coefs[ew_idx];
        end else begin
            ew_ref  <= $urandom;
            ew_coef <= $urandom;
        end
    end

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

    function automatic logic [31:0] rnd_acc();
        logic [31:0] v;
        v = $urandom >> ($urandom % 32);
        rnd_acc = $urandom % 2 ? -v : v;
    endfunction

    function automatic logic [31:0] rnd_qmul();
        case ($urandom % 8)
            0: rnd_qmul = $urandom;
            1: rnd_qmul = 32'h7fff_ffff;
            default: rnd_qmul = 32'h4000_0000 | ($urandom >> 2);
        endcase
    endfunction

    function automatic logic [7:0] rnd_qshift(input int lo, input int hi);
        rnd_qshift = $urandom % 10 == 0 ? 8'(rnd(-40, 70)) : 8'(rnd(lo, hi));
    endfunction

    task automatic fill_mem();
        for (int i = 0; i < MB; i++) mem[i] = 8'($urandom);
    endtask

    task automatic allow_read(input int lo, input int hi);
        if (nriv < NIV) begin
            rlo[nriv] = lo;
            rhi[nriv] = hi;
            nriv++;
        end
    endtask

    // a random place for `bytes` bytes not meeting [alo, ahi) (empty: anywhere)
    function automatic int place(input int bytes, input int alo, input int ahi);
        int p;
        for (int tries = 0; tries < 1000; tries++) begin
            p = rnd(0, MB - bytes);
            if (p + bytes <= alo || p >= ahi) break;
        end
        place = p;
    endfunction

    // scramble the fields: the DUT must have latched them at i_start
    task automatic scramble();
        op = 8'($urandom); relu = 1'($urandom); avg = 1'($urandom); perch = 1'($urandom);
        src = $urandom; dst = $urandom; elems = $urandom; src_cs = $urandom; dst_cs = $urandom;
        qmul = $urandom; table_a = $urandom; src_row0 = 16'($urandom); dst_row0 = 16'($urandom);
        oy0 = 16'($urandom); oy1 = 16'($urandom); in_c = 16'($urandom); in_h = 16'($urandom);
        in_w = 16'($urandom); out_h = 16'($urandom); out_w = 16'($urandom); chans = 16'($urandom);
        kh = 8'($urandom); kw = 8'($urandom); sh = 8'($urandom); sw = 8'($urandom);
        dh = 8'($urandom); dw = 8'($urandom); pt = 8'($urandom); pl = 8'($urandom);
        qshift = 8'($urandom); nin = 6'($urandom);
    endtask

    // runs the instruction set up in the fields; checks the memory and the cycles
    task automatic run(input int want);
        int cyc, r0;
        r0 = nrefused;
        @(negedge clk);
        start = 1'b1;
        @(negedge clk);
        start = 1'b0;
        scramble();
        cyc = 1;
        while (!done && cyc < 2000000) begin
            if (!busy) fail($sformatf("o_busy low at cycle %0d", cyc));
            @(negedge clk);
            cyc++;
        end
        if (busy) fail("o_busy high with o_done");
        @(negedge clk);
        if (done) fail("o_done longer than a cycle");
        checks++;
        if (cyc != want + (nrefused - r0))
            fail($sformatf("%0d cycles, want %0d (+ %0d refused)", cyc, want, nrefused - r0));
        errs = 0;
        for (int i = 0; i < MB; i++)
            if (mem[i] !== expm[i]) begin
                errs++;
                if (errs <= 4) fail($sformatf("byte %0d = %0d, want %0d", i, signed'(mem[i]), signed'(expm[i])));
            end
    endtask

    task automatic clear_fields();
        scramble();
        relu = 1'b0; avg = 1'b0; perch = 1'b0;
        nriv = 0;
        wrow_lo = 0;
        wrow_hi = -1;
    endtask

    // ---- RELU and COPY ----
    task automatic t_copy(input bit is_relu, input int k);
        int n, s, d, ch, u;
        logic [7:0] tmp [];
        clear_fields();
        fill_mem();
        case (k % 8)
            0: n = rnd(0, 3);
            1, 2: n = rnd(1, 3 * WIN);
            3: n = rnd(1, 600);
            default: n = rnd(1, 120);
        endcase
        s = rnd(0, MB - n);
        case (k % 5)
            0: d = place(n, s, s + n);                        // disjoint
            1: d = imin(MB - n, s + rnd(1, imax(1, n)));      // overlapping, dst above
            2: d = imax(0, s - rnd(1, imax(1, n)));           // overlapping, dst below
            3: d = s;                                         // in place
            default: d = imax(0, imin(MB - n, s + rnd(-2 * WIN, 2 * WIN)));
        endcase
        tmp = new[n];
        for (int i = 0; i < n; i++) tmp[i] = mem[s + i];
        expm = mem;
        for (int i = 0; i < n; i++)
            expm[d + i] = is_relu && tmp[i][7] ? 8'd0 : tmp[i];
        op = is_relu ? OP_RELU : OP_COPY;
        src = 32'(s);
        dst = 32'(d);
        elems = 32'(n);
        allow_read(s, s + n);
        wlo = d;
        whi = d + n;
        what = $sformatf("%s n=%0d src=%0d dst=%0d", is_relu ? "RELU" : "COPY", n, s, d);
        ch = is_relu ? VW : WIN;
        u = cdiv(n, ch);
        run(2 * u + 3);
    endtask

    // ---- EW ----
    task automatic t_ew(input int k);
        int n, ni, d, u, inplace;
        logic [31:0] qm;
        logic [7:0] qs;
        bit rl;
        clear_fields();
        fill_mem();
        ni = k % 4 == 0 ? 32 : k % 4 == 1 ? rnd(1, 3) : rnd(1, 32);
        n = k % 6 == 0 ? rnd(1, 3 * VW) : rnd(1, 150);
        d = rnd(0, MB - n);
        inplace = k % 5 == 0;
        for (int i = 0; i < ni; i++) begin
            refs[i] = inplace && i == ni - 1 ? 32'(d) : 32'(place(n, d, d + n));
            case ($urandom % 4)
                0: coefs[i] = 32'(rnd(-3, 3));
                1: coefs[i] = 32'(rnd(-40000, 40000));
                2: coefs[i] = $urandom;
                default: coefs[i] = $urandom % 2 ? 32'd1 : 32'hffff_ffff;
            endcase
            allow_read(int'(refs[i]), int'(refs[i]) + n);
        end
        qm = rnd_qmul();
        qs = rnd_qshift(-4, 24);
        rl = 1'($urandom);
        expm = mem;
        for (int j = 0; j < n; j++) begin
            logic [31:0] acc;
            acc = 32'd0;
            for (int i = 0; i < ni; i++)
                acc = acc + coefs[i] * 32'(signed'(mem[int'(refs[i]) + j]));
            expm[d + j] = 8'(ref_clamp8(ref_requant(int'(acc), int'(qm), int'(signed'(qs))), rl));
        end
        op = OP_EW;
        dst = 32'(d);
        elems = 32'(n);
        nin = 6'(ni);
        cur_nin = ni;
        qmul = qm;
        qshift = qs;
        relu = rl;
        wlo = d;
        whi = d + n;
        what = $sformatf("EW n=%0d nin=%0d dst=%0d%s", n, ni, d, inplace ? " in place" : "");
        u = cdiv(n, VW);
        run(u * (imax(ni, 2) + 1) + 6);
    endtask

    // ---- REQUANT ----
    function automatic int bpa();
        bpa = WIN >= 4 ? 4 * imin(VW, WIN / 4) : WIN;
    endfunction

    task automatic t_requant(input bit pc, input int k);
        int n, s, d, nc, plane, tb, want;
        logic [31:0] qm [8];
        logic [7:0] qs [8];
        logic [31:0] acc;
        bit rl;
        clear_fields();
        fill_mem();
        for (int r = 0; r < WROWS; r++)
            for (int b = 0; b < COLS; b++) wbuf[r][8*b +: 8] = 8'($urandom);
        nc = pc ? rnd(1, 8) : 1;
        plane = k % 7 == 0 ? rnd(1, 3) : pc ? rnd(1, 40) : rnd(1, 200);
        n = nc * plane;
        s = rnd(0, MB - 4 * n);
        d = k % 5 == 0 ? s : place(n, s, s + 4 * n);
        for (int i = 0; i < n; i++) begin
            acc = rnd_acc();
            for (int b = 0; b < 4; b++) mem[s + 4 * i + b] = acc[8*b +: 8];
        end
        for (int c = 0; c < nc; c++) begin
            qm[c] = rnd_qmul();
            qs[c] = rnd_qshift(-6, 31);
        end
        tb = 8 * rnd(0, WB / 8 - nc);
        if (pc)
            for (int c = 0; c < nc; c++)
                for (int b = 0; b < 8; b++) begin
                    int a;
                    logic [7:0] v;
                    a = tb + 8 * c + b;
                    v = b < 4 ? qm[c][8*b +: 8] : b == 4 ? qs[c] : 8'd0;
                    wbuf[a / COLS][8*(a % COLS) +: 8] = v;
                end
        rl = 1'($urandom);
        expm = mem;
        for (int i = 0; i < n; i++) begin
            int c;
            c = i / plane;
            for (int b = 0; b < 4; b++) acc[8*b +: 8] = mem[s + 4 * i + b];
            expm[d + i] = 8'(ref_clamp8(ref_requant(int'(acc), int'(pc ? qm[c] : qm[0]),
                                                    int'(signed'(pc ? qs[c] : qs[0]))), rl));
        end
        op = OP_REQUANT;
        src = 32'(s);
        dst = 32'(d);
        elems = 32'(n);
        relu = rl;
        perch = pc;
        if (pc) begin
            table_a = 32'(tb);
            chans = 16'(nc);
            qmul = $urandom;      // ignored with PERCH
            qshift = 8'($urandom);
            wrow_lo = tb / COLS;
            wrow_hi = (tb + 8 * (nc - 1) + 4) / COLS;
        end else begin
            qmul = qm[0];
            qshift = qs[0];
        end
        allow_read(s, s + 4 * n);
        wlo = d;
        whi = d + n;
        what = $sformatf("REQUANT%s n=%0d chans=%0d src=%0d dst=%0d table=%0d", pc ? " PERCH" : "",
                         n, nc, s, d, tb);
        // cycles: units of VW elements (not across planes with PERCH)
        want = pc ? 34 + 3 : 2 + 3;
        for (int c = 0; c < (pc ? nc : 1); c++) begin
            int left, first;
            left = pc ? plane : n;
            first = 1;
            while (left > 0) begin
                int nl, p;
                nl = imin(VW, left);
                p = imax(cdiv(4 * nl, bpa()), 2);
                if (pc && first) p = imax(p, (((tb + 8 * c) % COLS) + 4) / COLS + 1 + 1);
                want += p + 1;
                left -= nl;
                first = 0;
            end
        end
        run(want);
    endtask

    // ---- POOL ----
    task automatic t_pool(input int k);
        int ic, ih, iw, oh, ow, kkh, kkw, ssh, ssw, ddh, ddw, ppt, ppl, ppb, ppr, y0, y1;
        int rmin, rmax, r0, nrows, scs, dr0, dcs, s, d, ssz, dsz, lv, tiles, lat;
        bit av;
        clear_fields();
        fill_mem();
        forever begin
            ic = rnd(1, 3);
            ssh = rnd(1, 3);
            ssw = rnd(1, 3);
            ddh = $urandom % 4 == 0 ? rnd(2, 3) : 1;
            ddw = $urandom % 4 == 0 ? rnd(2, 3) : 1;
            if (k % 10 == 9) begin    // a few larger kernels
                kkh = rnd(6, 11);
                kkw = rnd(6, 11);
                ddh = 1;
                ddw = 1;
            end else begin
                kkh = rnd(1, 5);
                kkw = rnd(1, 5);
            end
            ih = rnd(1, 14);
            iw = k % 3 == 0 ? rnd(10, 40) : rnd(1, 14);
            // padding mostly up to half the window (as networks pad), sometimes all of it
            ppt = rnd(-1, $urandom % 4 == 0 ? (kkh - 1) * ddh : ((kkh - 1) * ddh + 1) / 2);
            ppb = rnd(-1, $urandom % 4 == 0 ? (kkh - 1) * ddh : ((kkh - 1) * ddh + 1) / 2);
            ppl = rnd(-1, $urandom % 4 == 0 ? (kkw - 1) * ddw : ((kkw - 1) * ddw + 1) / 2);
            ppr = rnd(-1, $urandom % 4 == 0 ? (kkw - 1) * ddw : ((kkw - 1) * ddw + 1) / 2);
            if (ppt > 127 || ppl > 127) continue;
            if (ih + ppt + ppb < (kkh - 1) * ddh + 1 || iw + ppl + ppr < (kkw - 1) * ddw + 1) continue;
            oh = (ih + ppt + ppb - (kkh - 1) * ddh - 1) / ssh + 1;
            ow = (iw + ppl + ppr - (kkw - 1) * ddw - 1) / ssw + 1;
            break;
        end
        av = k % 2 == 1;
        y0 = rnd(0, oh - 1);
        y1 = k % 4 == 0 ? oh : rnd(y0 + 1, oh);
        // the rows the band reads, and views holding just those (and a gap)
        rmin = ih;
        rmax = -1;
        for (int oy = y0; oy < y1; oy++)
            for (int ky = 0; ky < kkh; ky++) begin
                int iy;
                iy = oy * ssh - ppt + ky * ddh;
                if (iy >= 0 && iy < ih) begin
                    rmin = imin(rmin, iy);
                    rmax = imax(rmax, iy);
                end
            end
        if (rmax < 0) begin
            rmin = 0;
            rmax = 0;
        end
        r0 = rmin - rnd(0, imin(rmin, 2));
        nrows = rmax - r0 + 1;
        scs = nrows * iw + rnd(0, 7);
        dr0 = y0 - rnd(0, imin(y0, 2));
        dcs = (y1 - dr0) * ow + rnd(0, 7);
        ssz = (ic - 1) * scs + nrows * iw;
        dsz = (ic - 1) * dcs + (y1 - dr0) * ow;
        s = rnd(0, MB - ssz);
        d = place(dsz, s, s + ssz);
        for (int c = 0; c < ic; c++)
            for (int r = 0; r < nrows; r++) allow_read(s + c * scs + r * iw, s + c * scs + (r + 1) * iw);
        expm = mem;
        for (int c = 0; c < ic; c++)
            for (int oy = y0; oy < y1; oy++)
                for (int ox = 0; ox < ow; ox++) begin
                    int best, sum, cnt, o;
                    best = -128;
                    sum = 0;
                    cnt = 0;
                    for (int ky = 0; ky < kkh; ky++) begin
                        int iy;
                        iy = oy * ssh - ppt + ky * ddh;
                        if (iy < 0 || iy >= ih) continue;
                        for (int kx = 0; kx < kkw; kx++) begin
                            int ix, v;
                            ix = ox * ssw - ppl + kx * ddw;
                            if (ix < 0 || ix >= iw) continue;
                            v = int'(signed'(mem[s + c * scs + (iy - r0) * iw + ix]));
                            best = imax(best, v);
                            sum += v;
                            cnt++;
                        end
                    end
                    o = best;
                    if (av) o = cnt == 0 ? 0 : sum >= 0 ? (sum + cnt / 2) / cnt : -((-sum + cnt / 2) / cnt);
                    expm[d + c * dcs + (oy - dr0) * ow + ox] = 8'(o);
                end
        op = OP_POOL;
        avg = av;
        src = 32'(s);
        dst = 32'(d);
        src_cs = 32'(scs);
        dst_cs = 32'(dcs);
        src_row0 = 16'(r0);
        dst_row0 = 16'(dr0);
        oy0 = 16'(y0);
        oy1 = 16'(y1);
        in_c = 16'(ic);
        in_h = 16'(ih);
        in_w = 16'(iw);
        out_h = 16'(oh);
        out_w = 16'(ow);
        kh = 8'(kkh); kw = 8'(kkw); sh = 8'(ssh); sw = 8'(ssw); dh = 8'(ddh); dw = 8'(ddw);
        pt = 8'(ppt); pl = 8'(ppl);
        wlo = d;
        whi = d + dsz;
        what = $sformatf("POOL %s c=%0d in=%0dx%0d k=%0dx%0d s=%0d,%0d d=%0d,%0d pad=%0d,%0d out=%0dx%0d band=[%0d,%0d) row0=%0d,%0d",
                         av ? "avg" : "max", ic, ih, iw, kkh, kkw, ssh, ssw, ddh, ddw, ppt, ppl, oh, ow,
                         y0, y1, r0, dr0);
        lv = imin(VW, (WIN - 1) / ssw + 1);
        tiles = ic * (y1 - y0) * cdiv(ow, lv);
        lat = av ? 9 : 1;
        run(8 + tiles * (imax(kkh * kkw, lat) + 1) + lat + 1);
    endtask

    // ---- GAVG ----
    task automatic t_gavg(input int k);
        int ic, ih, iw, hw, s, d, r;
        clear_fields();
        fill_mem();
        ic = rnd(1, 6);
        case (k % 4)
            0: begin ih = 1; iw = rnd(1, 300); end
            1: begin ih = rnd(1, 3); iw = rnd(1, 3); end
            default: begin ih = rnd(1, 17); iw = rnd(1, 300 / ih); end
        endcase
        hw = ih * iw;
        s = rnd(0, MB - ic * hw);
        d = place(ic, s, s + ic * hw);
        r = k % 7;
        if (r == 1 || r == 2)   // extremes: every byte -128 or 127
            for (int i = 0; i < ic * hw; i++) mem[s + i] = r == 1 ? 8'h80 : 8'h7f;
        expm = mem;
        for (int c = 0; c < ic; c++) begin
            longint sum;
            sum = 0;
            for (int j = 0; j < hw; j++) sum += longint'(signed'(mem[s + c * hw + j]));
            expm[d + c] = 8'(sum >= 0 ? (sum + hw / 2) / hw : -((-sum + hw / 2) / hw));
        end
        op = OP_GAVG;
        src = 32'(s);
        dst = 32'(d);
        in_c = 16'(ic);
        in_h = 16'(ih);
        in_w = 16'(iw);
        allow_read(s, s + ic * hw);
        wlo = d;
        whi = d + ic;
        what = $sformatf("GAVG c=%0d %0dx%0d src=%0d dst=%0d", ic, ih, iw, s, d);
        run(13 + ic * (imax(cdiv(hw, VW), 9) + 1));
    endtask

    task automatic all_ops(input int n, input int base);
        for (int k = 0; k < n; k++) begin
            t_copy(1'b0, base + k);
            t_copy(1'b1, base + k);
            t_ew(base + k);
            t_requant(1'b0, base + k);
            t_requant(1'b1, base + k);
            t_pool(base + k);
            t_gavg(base + k);
        end
    endtask

    initial begin
        void'($urandom(SEED));
        for (int r = 0; r < WROWS; r++) wbuf[r] = '0;
        clear_fields();
        wlo = 0;
        whi = 0;
        @(negedge clk);
        @(negedge clk);
        rst = 1'b0;
        all_ops(N, 0);
        refuse = 1'b1;
        all_ops(NREF, N);
        if (fails != 0) begin
            $display("tb_vec: FAIL VW=%0d WIN=%0d COLS=%0d: %0d failures in %0d runs", VW, WIN, COLS, fails, checks);
        end else begin
            $display("tb_vec: PASS VW=%0d WIN=%0d COLS=%0d: %0d runs (%0d of each op, %0d more with %0d refused accesses), outputs, untouched bytes and cycle counts",
                     VW, WIN, COLS, checks, N, NREF, nrefused);
        end
        $finish;
    end

endmodule

`default_nettype wire
