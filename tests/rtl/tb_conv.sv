// tb_conv: the convolution engine (address generation, MAC array,
// requantization) on random shapes against a plain loop-nest reference:
// groups, strides, dilations, padding and cropping (negative padding),
// OUT32, PSUM (partial sums in SRAM or DRAM), PERCH (per-channel bias,
// qmul and qshift from a DRAM table), inputs in SRAM or DRAM, inputs in
// two parts (SPLIT: channels from split on at src2, each part in either
// space, with groups and fully connected layers too), outputs in two parts
// (OSPLIT: channels from osplit on to dst2, likewise), fully connected
// layers; requantization is the reference interpreter's
// (src/ref.c through DPI).  Each convolution must take the cost model's
//     groups * ceil(cout_g / COLS) * ceil(cin_g * kh * kw / ROWS) * out_h * out_w
// cycles from go to done, plus at most 8 to set up and drain.
`default_nettype none
`timescale 1ns / 1ps

module tb_conv #(
    parameter int ROWS = 4,
    parameter int COLS = 4,
    parameter int N    = 300
);
    import "DPI-C" function int ref_requant(input int acc, input int qmul, input int qshift);
    import "DPI-C" function byte ref_clamp8(input int v, input bit relu);

    localparam int SB = 1 << 16, DB = 1 << 18;

    logic clk = 1'b0, rst = 1'b1, start = 1'b0, go = 1'b0, busy, done;
    logic [31:0] src, src2, dst, dst2, weight, aux, qmul;
    logic [15:0] split, osplit, in_c, in_h, in_w, out_c, out_h, out_w, groups;
    logic [7:0] kh, kw, sh, sw, dh, dw, pt, pl, qshift;
    logic relu, out32, psum, perch, q_en;
    logic [COLS-1:0][31:0] q_addr;
    logic [COLS-1:0][39:0] q_d;
    logic [ROWS-1:0] x_en, x_dram;
    logic w_en, a_en, a_dram, y_en, y_wide;
    logic [COLS-1:0] y_dram;
    logic [COLS-1:0] w_cmask, y_mask;
    logic [15:0] w_nrows;
    logic [ROWS-1:0][31:0] x_addr;
    logic [ROWS-1:0][7:0] x_s, x_d;
    logic [COLS-1:0][31:0] w_addr, a_addr, a_s, a_d, y_addr, y_data;
    logic [COLS-1:0][ROWS-1:0][7:0] w_d;
    int fails = 0, nsplit = 0, nosplit = 0;

    always #5 clk = ~clk;

    npu_conv #(.ROWS(ROWS), .COLS(COLS)) u_dut (
        .i_clk(clk), .i_rst(rst), .i_start(start), .i_go(go),
        .i_src(src), .i_dst(dst), .i_weight(weight), .i_aux(aux), .i_src2(src2), .i_split(split),
        .i_dst2(dst2), .i_osplit(osplit),
        .i_in_c(in_c), .i_in_h(in_h), .i_in_w(in_w), .i_out_c(out_c), .i_out_h(out_h), .i_out_w(out_w),
        .i_kh(kh), .i_kw(kw), .i_sh(sh), .i_sw(sw), .i_dh(dh), .i_dw(dw), .i_pt(pt), .i_pl(pl),
        .i_groups(groups), .i_qmul(qmul), .i_qshift(qshift), .i_relu(relu), .i_out32(out32), .i_psum(psum),
        .i_perch(perch),
        .o_busy(busy), .o_done(done),
        .o_x_en(x_en), .o_x_dram(x_dram), .o_x_addr(x_addr), .i_x_s(x_s), .i_x_d(x_d),
        .o_w_en(w_en), .o_w_cmask(w_cmask), .o_w_nrows(w_nrows), .o_w_addr(w_addr), .i_w(w_d),
        .o_a_en(a_en), .o_a_dram(a_dram), .o_a_addr(a_addr), .i_a_s(a_s), .i_a_d(a_d),
        .o_q_en(q_en), .o_q_addr(q_addr), .i_q_d(q_d),
        .o_y_en(y_en), .o_y_dram(y_dram), .o_y_wide(y_wide), .o_y_mask(y_mask), .o_y_addr(y_addr),
        .o_y_data(y_data)
    );

    npu_sram #(.BYTES(SB), .DW(4), .ROWS(ROWS), .COLS(COLS), .VW(2), .PKK(9)) u_sram (
        .i_clk(clk),
        .i_drd_en(1'b0), .i_drd_addr('0), .o_drd_data(),
        .i_dwr_en(1'b0), .i_dwr_addr('0), .i_dwr_n('0), .i_dwr_data('0),
        .i_cx_en(x_en & ~x_dram), .i_cx_addr(x_addr), .o_cx_data(x_s),
        .i_ca_en(a_en && !a_dram), .i_ca_addr(a_addr), .o_ca_data(a_s),
        .i_cy_en(y_en), .i_cy_wide(y_wide), .i_cy_mask(y_mask & ~y_dram), .i_cy_addr(y_addr),
        .i_cy_data(y_data),
        .i_vr_en(1'b0), .i_vr_wide(1'b0), .i_vr_addr('0), .o_vr_data(),
        .i_vg_en(1'b0), .i_vg_base('0), .i_vg_off('0), .i_vg_mask('0), .o_vg_data(),
        .i_vy_en(1'b0), .i_vy_addr('0), .i_vy_n('0), .i_vy_data('0)
    );

    npu_dram #(.BYTES(DB), .DW(4), .ROWS(ROWS), .COLS(COLS), .VW(2), .PKK(9)) u_dram (
        .i_clk(clk),
        .i_drd_en(1'b0), .i_drd_addr('0), .o_drd_data(),
        .i_dwr_en(1'b0), .i_dwr_addr('0), .i_dwr_n('0), .i_dwr_data('0),
        .i_cx_en(x_en & x_dram), .i_cx_addr(x_addr), .o_cx_data(x_d),
        .i_cw_en(w_en), .i_cw_cmask(w_cmask), .i_cw_nrows(w_nrows), .i_cw_addr(w_addr), .o_cw_data(w_d),
        .i_ca_en(a_en && a_dram), .i_ca_addr(a_addr), .o_ca_data(a_d),
        .i_cq_en(q_en), .i_cq_addr(q_addr), .o_cq_data(q_d),
        .i_cy_en(y_en), .i_cy_wide(y_wide), .i_cy_mask(y_mask & y_dram), .i_cy_addr(y_addr),
        .i_cy_data(y_data),
        .i_vr_en(1'b0), .i_vr_wide(1'b0), .i_vr_addr('0), .o_vr_data(),
        .i_vg_en(1'b0), .i_vg_base('0), .i_vg_off('0), .i_vg_mask('0), .o_vg_data(),
        .i_vy_en(1'b0), .i_vy_addr('0), .i_vy_n('0), .i_vy_data('0)
    );

    function automatic int rnd(input int lo, input int hi);
        return lo + int'($urandom % 32'(hi - lo + 1));
    endfunction

    function automatic logic [7:0] mem8(input logic [31:0] ref_);
        return ref_[31] ? u_dram.mem_r[ref_[17:0]] : u_sram.mem_r[ref_[15:0]];
    endfunction

    function automatic int mem32(input logic [31:0] ref_);
        return int'({mem8(ref_ + 3), mem8(ref_ + 2), mem8(ref_ + 1), mem8(ref_)});
    endfunction

    // input element (c, y, x): channels from split on at src2 (SPLIT)
    function automatic logic [31:0] xref(input int c, input int y, input int x);
        if (split != 0 && c >= int'(split))
            return src2 + 32'(((c - int'(split)) * int'(in_h) + y) * int'(in_w) + x);
        return src + 32'((c * int'(in_h) + y) * int'(in_w) + x);
    endfunction

    // output element k of channel oc (bytes of an element: 1, or 4 with OUT32):
    // channels from osplit on at dst2 (OSPLIT)
    function automatic logic [31:0] yref(input int oc, input int k);
        int plane, n;
        plane = int'(out_h) * int'(out_w);
        n     = out32 ? 4 : 1;
        if (osplit != 0 && oc >= int'(osplit)) return dst2 + 32'(n * ((oc - int'(osplit)) * plane + k));
        return dst + 32'(n * (oc * plane + k));
    endfunction

    function automatic int ceil_div(input int a, input int b);
        return (a + b - 1) / b;
    endfunction

    initial begin : main
        repeat (2) @(negedge clk);
        rst = 1'b0;
        for (int t = 0; t < N; t++) begin : one
            int g, cig, cog, oh, ow, nx, ny, nw, steps, t_go, t_done, bad;
            // a shape whose window fits
            g      = rnd(0, 2) == 0 ? rnd(2, 3) : 1;
            groups = 16'(g);
            cig    = rnd(1, g > 1 ? 3 : 2 * ROWS + 1);
            cog    = rnd(1, g > 1 ? 3 : 2 * COLS + 1);
            in_c   = 16'(g * cig);
            out_c  = 16'(g * cog);
            forever begin
                in_h = 16'(rnd(1, 7));
                in_w = 16'(rnd(1, 7));
                kh = 8'(rnd(1, 3));
                kw = 8'(rnd(1, 3));
                sh = 8'(rnd(1, 2));
                sw = 8'(rnd(1, 3));
                dh = 8'(rnd(1, 2));
                dw = 8'(rnd(1, 2));
                pt = 8'(rnd(-1, 2));
                pl = 8'(rnd(-1, 2));
                oh = int'(in_h) + int'(signed'(pt)) + rnd(-1, 2) - (int'(dh) * (int'(kh) - 1) + 1);
                ow = int'(in_w) + int'(signed'(pl)) + rnd(-1, 2) - (int'(dw) * (int'(kw) - 1) + 1);
                if (oh >= 0 && ow >= 0) break;
            end
            out_h = 16'(oh / int'(sh) + 1);
            out_w = 16'(ow / int'(sw) + 1);
            if (rnd(0, 5) == 0) begin  // fully connected
                in_c   = 16'(rnd(1, 3 * ROWS + 2));
                groups = 1;
                g = 1;
                cig = int'(in_c);
                cog = int'(out_c);
                in_h = 1; in_w = 1; out_h = 1; out_w = 1;
                kh = 1; kw = 1; sh = 1; sw = 1; dh = 1; dw = 1; pt = 0; pl = 0;
            end
            nx = int'(in_c) * int'(in_h) * int'(in_w);
            ny = int'(out_c) * int'(out_h) * int'(out_w);
            nw = int'(out_c) * cig * int'(kh) * int'(kw);
            out32 = rnd(0, 2) == 0;
            psum  = rnd(0, 2) == 0;
            perch = !out32 && !psum && rnd(0, 2) == 0;
            relu  = !out32 && rnd(0, 1) == 1;
            qmul  = 32'h4000_0000 | ($urandom >> 2);
            qshift = 8'(rnd(-2, 10));
            src    = rnd(0, 1) ? 32'h8000_0000 | 32'(rnd(0, 999)) : 32'(rnd(0, 999));
            // SPLIT: the input in two parts, the second in either space
            split  = in_c > 1 && rnd(0, 2) == 0 ? 16'(rnd(1, int'(in_c) - 1)) : 16'd0;
            src2   = split == 0 ? 32'h0 : rnd(0, 1) ? 32'h8000_0000 | 32'(10000 + rnd(0, 999)) :
                                                      32'(10000 + rnd(0, 999));
            if (split != 0) nsplit++;
            weight = 32'h8000_0000 | 32'(20000 + rnd(0, 7));
            aux    = psum ? (rnd(0, 1) ? 32'h8000_0000 | 32'(60000 + 4 * rnd(0, 9)) : 32'(20000 + 4 * rnd(0, 9)))
                          : 32'h8000_0000 | 32'(60000 + 4 * rnd(0, 9));
            dst    = rnd(0, 1) ? 32'h8000_0000 | 32'(120000 + rnd(0, 9)) : 32'(40000 + rnd(0, 9));
            // OSPLIT: the output in two parts, the second in either space
            osplit = out_c > 1 && rnd(0, 2) == 0 ? 16'(rnd(1, int'(out_c) - 1)) : 16'd0;
            dst2   = osplit == 0 ? 32'h0 :
                     rnd(0, 1) ? 32'h8000_0000 | 32'(140000 + rnd(0, 999)) :
                                 32'(40000 + (out32 ? 4 : 1) * int'(osplit) * int'(out_h) * int'(out_w) +
                                     1000 + rnd(0, 999));
            if (osplit != 0) nosplit++;
            for (int k = 0; k < nx; k++) begin
                logic [31:0] a;
                a = xref(k / (int'(in_h) * int'(in_w)), 0, k % (int'(in_h) * int'(in_w)));
                if (a[31]) u_dram.mem_r[a[17:0]] = 8'($urandom);
                else u_sram.mem_r[a[15:0]] = 8'($urandom);
            end
            for (int k = 0; k < nw; k++) u_dram.mem_r[weight[17:0] + 18'(k)] = 8'($urandom);
            for (int k = 0; k < (perch ? 12 : 4) * (psum ? ny : int'(out_c)); k++) begin
                logic [31:0] a;
                a = aux + 32'(k);
                if (a[31]) u_dram.mem_r[a[17:0]] = 8'($urandom >> (k % 4 == 3 ? 4 : 0));
                else u_sram.mem_r[a[15:0]] = 8'($urandom >> (k % 4 == 3 ? 4 : 0));
            end
            // each channel's small bias, qmul and qshift (sign-extended): scales
            // that keep most outputs off the clamps, so a wrong pair shows
            if (perch)
                for (int oc = 0; oc < int'(out_c); oc++) begin
                    logic [31:0] bias, q, e;
                    bias = 32'(rnd(-2000, 2000));
                    q = 32'h4000_0000 | ($urandom >> 2);
                    e = 32'(rnd(2, 11));
                    for (int b = 0; b < 4; b++) begin
                        u_dram.mem_r[aux[17:0] + 18'(12 * oc + b)] = bias[8*b+:8];
                        u_dram.mem_r[aux[17:0] + 18'(12 * oc + 4 + b)] = q[8*b+:8];
                        u_dram.mem_r[aux[17:0] + 18'(12 * oc + 8 + b)] = e[8*b+:8];
                    end
                end

            @(negedge clk);
            start = 1'b1;
            @(negedge clk);
            start = 1'b0;
            go = 1'b1;
            t_go = int'($time / 10);
            @(negedge clk);
            go = 1'b0;
            while (!done) @(negedge clk);
            t_done = int'($time / 10);
            steps = g * ceil_div(cog, COLS) * ceil_div(cig * int'(kh) * int'(kw), ROWS) *
                    int'(out_h) * int'(out_w);
            if (t_done - t_go < steps || t_done - t_go > steps + 8) begin
                fails++;
                $display("tb_conv: FAIL %0d cycles for %0d steps", t_done - t_go, steps);
            end

            bad = 0;
            for (int oc = 0; oc < int'(out_c); oc++)
                for (int oy = 0; oy < int'(out_h); oy++)
                    for (int ox = 0; ox < int'(out_w); ox++) begin
                        int p, gi, acc, want, got;
                        p  = (oc * int'(out_h) + oy) * int'(out_w) + ox;
                        gi = oc / cog;
                        acc = psum ? mem32(aux + 32'(4 * p)) :
                              mem32(aux + 32'((perch ? 12 : 4) * oc));
                        for (int ic = 0; ic < cig; ic++)
                            for (int ky = 0; ky < int'(kh); ky++)
                                for (int kx = 0; kx < int'(kw); kx++) begin
                                    int iy, ix;
                                    iy = oy * int'(sh) - int'(signed'(pt)) + ky * int'(dh);
                                    ix = ox * int'(sw) - int'(signed'(pl)) + kx * int'(dw);
                                    if (iy >= 0 && iy < int'(in_h) && ix >= 0 && ix < int'(in_w))
                                        acc += int'(signed'(mem8(xref(gi * cig + ic, iy, ix)))) *
                                               int'(signed'(mem8(weight + 32'(((oc * cig + ic) * int'(kh) + ky) *
                                                                               int'(kw) + kx))));
                                end
                        if (out32) begin
                            want = acc;
                            got  = mem32(yref(oc, oy * int'(out_w) + ox));
                        end else begin
                            int qm, qs;
                            qm = perch ? mem32(aux + 32'(12 * oc + 4)) : int'(qmul);
                            qs = perch ? int'(signed'(mem8(aux + 32'(12 * oc + 8)))) : int'(signed'(qshift));
                            want = int'(ref_clamp8(ref_requant(acc, qm, qs), relu));
                            got  = int'(signed'(mem8(yref(oc, oy * int'(out_w) + ox))));
                        end
                        if (got != want) begin
                            bad++;
                            if (bad <= 3)
                                $display("tb_conv: FAIL test %0d (in %0dx%0dx%0d out %0dx%0dx%0d k %0dx%0d s %0dx%0d d %0dx%0d p %0d,%0d g %0d%s%s%s split %0d src %h src2 %h) at %0d: got %0d, want %0d",
                                         t, in_c, in_h, in_w, out_c, out_h, out_w, kh, kw, sh, sw, dh, dw,
                                         signed'(pt), signed'(pl), g, out32 ? " out32" : "", psum ? " psum" : "",
                                         perch ? " perch" : "", split, src, src2, p, got, want);
                                $display("tb_conv:   osplit %0d dst %h dst2 %h", osplit, dst, dst2);
                        end
                    end
            if (bad) fails++;
        end
        if (fails != 0) $fatal(1, "tb_conv: %0d of %0d convolutions wrong", fails, N);
        if (nsplit == 0 || nosplit == 0) $fatal(1, "tb_conv: no SPLIT or no OSPLIT convolution drawn");
        $display("tb_conv: PASS (%0d convolutions, %0d with SPLIT, %0d with OSPLIT, ROWS=%0d COLS=%0d)", N, nsplit,
                 nosplit, ROWS, COLS);
        $finish;
    end

endmodule

`default_nettype wire
