// npu_conv: the convolution engine (CONV of docs/isa.md).
//
// It touches only on-chip memories: the scratchpad through port A (input
// windows, partial sums, outputs) and the weight buffer through its read
// port (weights and per-channel parameters, in the blocks of docs/isa.md).
//
// Dataflow: outer product, output-stationary.  The MAC array (npu_mac) is
// ROWS pixel lanes x COLS channel columns.  A *pixel tile* is nl <= L
// consecutive output pixels ox0 .. ox0+nl-1 of one output row oy times the
// ncols <= cw output channels of one weight tile, where
//     L = min(ROWS, (WIN - 1) / sw + 1)
// so that the lanes' input bytes of one reduction term always fit one
// window.  Loop order:
//     for g < groups, for tile t of group g (cw channels, the last narrower):
//       9 parameter rows (bias, qmul, qshift of the tile's channels)
//       for oy in [oy0, oy1), for ox0 = 0, L, 2L, ... < out_w:
//         with PSUM: the partial sums, per channel in chunks
//         red = cig*kh*kw reduction steps r = (ic, ky, kx)
//         then the pixel tile drains: per channel one write (int8,
//         requantized) or its chunks (OUT32)
// A step reads one window (the lanes' bytes x(ic, iy, ox*sw - pl + kx*dw),
// from the first valid lane's byte to the last's; no access when the row
// iy is outside the input or no lane is valid) and one WBUF row (the
// tile's cw weights of term r, at weight + block + (9 + r)*cw), and the
// array accumulates acc[p][k] += x[p] * w[k].  A chunk is CH bytes: CH =
// 4*floor(WIN/4) (whole int32 lanes), or WIN when WIN < 4.
//
// Pipeline.  Issue side, one *item* (parameter row, partial-sum chunk or
// step) a cycle:
//     G  generator: loop counters and incremental address walkers (no
//        multiplier: every product is set up once, in SETUP)
//     R  request register: the item's port-A access (address, bytes) and
//        WBUF row, presented from registers
//     M  the access's data arrive: the MAC accumulates (o_mac), or a
//        partial-sum chunk loads into the accumulators, or a parameter row
//        lands in the tile's parameter registers
// Drain side: when a pixel tile's last step has accumulated, the
// accumulators move (one cycle later, "handoff") to the drained copy D
// with the tile's qmul/qshift, read out a channel at a time (the head
// channel, by a counter and a COLS:1 multiplexer); the next pixel
// tile's items meanwhile keep the array busy.  int8: D's head channel ->
// npu_requant (2 stages) -> one write of nl bytes per channel.  OUT32:
// D's head channel is written directly, in chunks.  The drain's writes
// have priority over R on port A; an item issues only in a cycle without
// a drain write, and a pixel tile's last step only once the previous
// pixel tile has been written completely (so one drained copy suffices).
//
// Cycles, from the i_start cycle to the o_done cycle, when i_a_gnt is
// always 1 (tb_conv checks this on every case):
//     T = 8 + LAT + sum over pixel tiles i of ( max(n_i, LAT) + w_i )
//     LAT = 5 (int8) or 3 (OUT32): from a last step's issue to its
//           pixel tile's first write
//     n_i = 9*[i is its tile's first pixel tile] + ps_i + red   (items)
//     w_i = ncols_i (int8) or ncols_i * ceil(4*nl_i / CH) (OUT32)  (writes)
//     ps_i = PSUM ? ncols_i * ceil(4*nl_i / CH) : 0   (partial-sum reads)
// with the pixel tiles of the loop order above: per group, ceil(cog/cw)
// tiles of ncols = min(cw, cog - t*cw); per tile, (oy1 - oy0) rows of
// ceil(out_w / L) pixel tiles, nl = min(L, out_w - ox0).  (8 cycles set up:
// 6 of multiplications and divisions, one to initialize the loops, one to
// fill R.)  o_mac is high red cycles per pixel tile.  With refusals
// (i_a_gnt low) every refused cycle stalls what depends on it; results do
// not change.
//
// Port A protocol: a refused access is presented again unchanged: a drain
// write stalls the drain; a refused read holds R, and the drain may not
// take port A over until it is granted.  o_busy is high from the cycle
// after i_start through the o_done cycle.
`default_nettype none

module npu_conv #(
    parameter int ROWS = 4,   // pixel lanes
    parameter int COLS = 4,   // output-channel columns; the weight buffer's row is COLS bytes
    parameter int WIN  = 8,   // scratchpad window: bytes one port-A access reaches at any address
    parameter int WRW  = 10   // weight-buffer row address bits
) (
    input  wire logic                i_clk,
    input  wire logic                i_rst,
    input  wire logic                i_start,    // one cycle; the fields are valid in that cycle only
    input  wire logic         [31:0] i_src,      // SRAM byte addresses (no space bits)
    input  wire logic         [31:0] i_src2,
    input  wire logic         [31:0] i_dst,
    input  wire logic         [31:0] i_dst2,
    input  wire logic         [31:0] i_psum,
    input  wire logic         [31:0] i_weight,   // WBUF byte address of the first block
    input  wire logic         [31:0] i_src_cs,   // channel strides (bytes)
    input  wire logic         [31:0] i_src2_cs,
    input  wire logic         [31:0] i_dst_cs,
    input  wire logic         [31:0] i_dst2_cs,
    input  wire logic         [31:0] i_psum_cs,
    input  wire logic         [15:0] i_src_row0,
    input  wire logic         [15:0] i_src2_row0,
    input  wire logic         [15:0] i_dst_row0,
    input  wire logic         [15:0] i_dst2_row0,
    input  wire logic         [15:0] i_psum_row0,
    input  wire logic         [15:0] i_in_c,
    input  wire logic         [15:0] i_in_h,
    input  wire logic         [15:0] i_in_w,
    input  wire logic         [15:0] i_out_c,
    input  wire logic         [15:0] i_out_h,
    input  wire logic         [15:0] i_out_w,
    input  wire logic         [15:0] i_groups,
    input  wire logic         [15:0] i_split,    // 0: no SPLIT
    input  wire logic         [15:0] i_osplit,   // 0: no OSPLIT
    input  wire logic         [15:0] i_oy0,
    input  wire logic         [15:0] i_oy1,
    input  wire logic         [15:0] i_cw,
    input  wire logic          [7:0] i_kh,
    input  wire logic          [7:0] i_kw,
    input  wire logic          [7:0] i_sh,
    input  wire logic          [7:0] i_sw,
    input  wire logic          [7:0] i_dh,
    input  wire logic          [7:0] i_dw,
    input  wire logic          [7:0] i_pt,       // signed
    input  wire logic          [7:0] i_pl,       // signed
    input  wire logic                i_relu,
    input  wire logic                i_out32,
    input  wire logic                i_psum_en,
    output logic                     o_busy,     // from i_start until done
    output logic                     o_done,     // one cycle, when the last output has been written
    // scratchpad port A (hw/README.md "Port A")
    output logic                     o_a_req,
    output logic                     o_a_we,
    output logic              [31:0] o_a_addr,
    output logic              [15:0] o_a_n,
    output logic         [8*WIN-1:0] o_a_wdata,
    input  wire logic                i_a_gnt,
    input  wire logic    [8*WIN-1:0] i_a_rdata,
    // weight buffer read port: row -> data the next cycle, held
    output logic                     o_w_re,
    output logic           [WRW-1:0] o_w_row,
    input  wire logic   [8*COLS-1:0] i_w_rdata,
    output logic                     o_mac       // this cycle the array accumulates a reduction step
);

    localparam int IW  = WIN > 1 ? $clog2(WIN) : 1;        // a byte's index in a window
    localparam int CH  = WIN >= 4 ? 4 * (WIN / 4) : WIN;   // bytes of a chunk (OUT32, PSUM)
    localparam int NCH = (4 * ROWS + CH - 1) / CH;         // chunks of a whole channel
    localparam int CJW = NCH > 1 ? $clog2(NCH) : 1;        // a chunk's index
    localparam int KB  = COLS > 1 ? $clog2(COLS) : 1;      // a column's index, a byte offset in a WBUF row
    localparam int LW  = $clog2(ROWS + 1);                 // a lane count
    localparam int NB  = KB + 1;                           // a column count
    localparam int AW  = WRW + KB;                         // WBUF byte address bits
    localparam int NQ  = WIN < ROWS ? WIN : ROWS;          // lanes an int8 write can hold

    localparam logic [1:0] S_IDLE  = 2'd0;
    localparam logic [1:0] S_SETUP = 2'd1;
    localparam logic [1:0] S_INIT  = 2'd2;
    localparam logic [1:0] S_RUN   = 2'd3;

    localparam logic [1:0] T_PRM = 2'd0;   // a parameter row of the tile's block
    localparam logic [1:0] T_PS  = 2'd1;   // a chunk of one channel's partial sums
    localparam logic [1:0] T_ST  = 2'd2;   // a reduction step

    // ------------------------------------------------------------------
    // helpers
    // ------------------------------------------------------------------

    // acc + a * d * 2^s for a 4-bit digit d: one step of a shift-add multiply
    function automatic logic [31:0] madd(input logic [31:0] acc, input logic [31:0] a, input logic [3:0] d,
                                         input logic [4:0] s);
        logic [31:0] m;
        m = '0;
        for (int b = 0; b < 4; b++)
            if (d[b]) m = m + (a << b);
        madd = acc + (m << s);
    endfunction

    // a WBUF byte address -> {row, byte offset in the row}: a / COLS and
    // a % COLS by restoring division (COLS is a constant: each step compares
    // a KB+1-bit remainder with it)
    function automatic logic [AW-1:0] wsplit(input logic [31:0] a);
        logic  [KB:0]   t;
        logic  [KB-1:0] rem;
        logic [WRW-1:0] q;
        rem = '0;
        q   = '0;
        for (int b = 31; b >= 0; b--) begin
            t = {rem, a[b]};
            if (32'(t) >= 32'(COLS)) begin
                t = t - (KB+1)'(COLS);
                if (b < WRW) q[b] = 1'b1;
            end
            rem = t[KB-1:0];
        end
        wsplit = {q, rem};
    endfunction

    // ------------------------------------------------------------------
    // the instruction's fields (latched on i_start) and setup
    // ------------------------------------------------------------------
    logic  [1:0] st_r;
    logic  [2:0] su_r;                     // SETUP cycle
    logic [31:0] f_src, f_src2, f_dst, f_dst2, f_psum, f_weight;
    logic [31:0] f_scs, f_s2cs, f_dcs, f_d2cs, f_pcs;
    logic [15:0] f_srow0, f_s2row0, f_drow0, f_d2row0, f_prow0;
    logic [15:0] f_in_h, f_in_w, f_out_w, f_groups, f_split, f_osplit;
    logic [15:0] f_oy0, f_oy1, f_cw;
    logic  [7:0] f_kh, f_kw, f_sh, f_sw, f_dh, f_dw, f_pt, f_pl;
    logic        f_relu, f_out32, f_psum_en;

    // setup results (constant while the instruction runs)
    logic [16:0] dv_ri, dv_ro;             // divisions: remainders
    logic [15:0] dv_qi, dv_qo;             // and dividends becoming quotients (cig, cog)
    logic [31:0] c_oysh;                   // oy0 * sh
    logic [31:0] c_dhw, c_shw;             // dh * in_w, sh * in_w
    logic [31:0] c_ro1, c_ro2;             // (oy0*sh - pt - row0) * in_w of src, src2
    logic [31:0] c_or1, c_or2, c_pr;       // (oy0 - row0) * out_w of dst, dst2, psum
    logic [16*(ROWS+1)-1:0] c_lo;          // lane p's offset p*sw, p = 0..ROWS
    logic [32*ROWS-1:0] c_lmin, c_lmax;    // lane p valid iff lmin <= ixb < lmax
    logic     [LW-1:0] c_l;                // L: lanes a pixel tile
    logic     [15:0]   c_lsw;              // L * sw
    logic [31:0] c_iy0;                    // oy0*sh - pt

    wire  [1:0] e2 = f_out32 ? 2'd2 : 2'd0;          // log2 of an output element's bytes

    always_ff @(posedge i_clk) begin
        case (st_r)
            S_IDLE: if (i_start) begin
                f_src    <= i_src;
                f_src2   <= i_src2;
                f_dst    <= i_dst;
                f_dst2   <= i_dst2;
                f_psum   <= i_psum;
                f_weight <= i_weight;
                f_scs    <= i_src_cs;
                f_s2cs   <= i_src2_cs;
                f_dcs    <= i_dst_cs;
                f_d2cs   <= i_dst2_cs;
                f_pcs    <= i_psum_cs;
                f_srow0  <= i_src_row0;
                f_s2row0 <= i_src2_row0;
                f_drow0  <= i_dst_row0;
                f_d2row0 <= i_dst2_row0;
                f_prow0  <= i_psum_row0;
                f_in_h   <= i_in_h;
                f_in_w   <= i_in_w;
                f_out_w  <= i_out_w;
                f_groups <= i_groups;
                f_split  <= i_split;
                f_osplit <= i_osplit;
                f_oy0    <= i_oy0;
                f_oy1    <= i_oy1 < i_out_h ? i_oy1 : i_out_h;  // the band never passes out_h
                f_cw     <= i_cw;
                f_kh     <= i_kh;
                f_kw     <= i_kw;
                f_sh     <= i_sh;
                f_sw     <= i_sw;
                f_dh     <= i_dh;
                f_dw     <= i_dw;
                f_pt     <= i_pt;
                f_pl     <= i_pl;
                f_relu   <= i_relu && !i_out32;
                f_out32  <= i_out32;
                f_psum_en <= i_psum_en;
            end
            S_SETUP: begin : setup
                logic [3:0] dg;
                // cig = in_c / groups, cog = out_c / groups: 4 quotient bits a cycle
                if (su_r < 3'd4) begin : div
                    logic [16:0] ri, ro;
                    logic [15:0] qi, qo;
                    ri = dv_ri;
                    ro = dv_ro;
                    qi = dv_qi;
                    qo = dv_qo;
                    for (int b = 0; b < 4; b++) begin
                        ri = {ri[15:0], qi[15]};
                        qi = {qi[14:0], 1'b0};
                        if (ri >= {1'b0, f_groups}) begin
                            ri    = ri - {1'b0, f_groups};
                            qi[0] = 1'b1;
                        end
                        ro = {ro[15:0], qo[15]};
                        qo = {qo[14:0], 1'b0};
                        if (ro >= {1'b0, f_groups}) begin
                            ro    = ro - {1'b0, f_groups};
                            qo[0] = 1'b1;
                        end
                    end
                    dv_ri <= ri;
                    dv_ro <= ro;
                    dv_qi <= qi;
                    dv_qo <= qo;
                end
                if (su_r < 3'd2) begin
                    // oy0 * sh, 4 bits of sh a cycle
                    dg = su_r[0] ? f_sh[7:4] : f_sh[3:0];
                    c_oysh <= madd(c_oysh, 32'(f_oy0), dg, su_r[0] ? 5'd4 : 5'd0);
                end else begin : mul
                    logic [1:0] i;
                    logic [3:0] dw4, do4;
                    i   = 2'(su_r - 3'd2);
                    dw4 = f_in_w[4*i +: 4];
                    do4 = f_out_w[4*i +: 4];
                    c_dhw <= madd(c_dhw, 32'(f_dh), dw4, {1'b0, i, 2'b00});
                    c_shw <= madd(c_shw, 32'(f_sh), dw4, {1'b0, i, 2'b00});
                    c_ro1 <= madd(c_ro1, c_oysh - 32'(signed'(f_pt)) - 32'(f_srow0), dw4, {1'b0, i, 2'b00});
                    c_ro2 <= madd(c_ro2, c_oysh - 32'(signed'(f_pt)) - 32'(f_s2row0), dw4, {1'b0, i, 2'b00});
                    c_or1 <= madd(c_or1, 32'(f_oy0) - 32'(f_drow0), do4, {1'b0, i, 2'b00});
                    c_or2 <= madd(c_or2, 32'(f_oy0) - 32'(f_d2row0), do4, {1'b0, i, 2'b00});
                    c_pr  <= madd(c_pr, 32'(f_oy0) - 32'(f_prow0), do4, {1'b0, i, 2'b00});
                end
                if (su_r == 3'd0) begin : lanes
                    // lane offsets p*sw (constant p: shifts and adds)
                    for (int p = 0; p <= ROWS; p++) begin : lo
                        logic [15:0] v;
                        v = '0;
                        for (int b = 0; b < LW; b++)
                            if (((p >> b) & 1) != 0) v = v + (16'(f_sw) << b);
                        c_lo[16*p +: 16] <= v;
                    end
                end
                if (su_r == 3'd1) begin : lanes2
                    logic [LW-1:0] l;
                    l = '0;
                    for (int p = 0; p < ROWS; p++) begin
                        if (32'(c_lo[16*p +: 16]) <= 32'(WIN - 1)) l = LW'(p + 1);
                        c_lmin[32*p +: 32] <= 32'd0 - 32'(c_lo[16*p +: 16]);
                        c_lmax[32*p +: 32] <= 32'(f_in_w) - 32'(c_lo[16*p +: 16]);
                    end
                    c_l <= l;
                end
                if (su_r == 3'd2) begin : lsw
                    logic [15:0] v;
                    c_iy0 <= c_oysh - 32'(signed'(f_pt));
                    v = '0;
                    for (int p = 0; p <= ROWS; p++)
                        if (LW'(p) == c_l) v = c_lo[16*p +: 16];
                    c_lsw <= v;
                end
            end
            default: ;
        endcase
        if (st_r == S_IDLE && i_start) begin
            su_r   <= '0;
            dv_ri  <= '0;
            dv_ro  <= '0;
            dv_qi  <= i_in_c;
            dv_qo  <= i_out_c;
            c_oysh <= '0;
            c_dhw  <= '0;
            c_shw  <= '0;
            c_ro1  <= '0;
            c_ro2  <= '0;
            c_or1  <= '0;
            c_or2  <= '0;
            c_pr   <= '0;
        end else if (st_r == S_SETUP) begin
            su_r <= su_r + 3'd1;
        end
    end

    wire [15:0] c_cig = dv_qi;
    wire [15:0] c_cog = dv_qo;

    // ------------------------------------------------------------------
    // G: the item generator
    // ------------------------------------------------------------------
    logic                g_v;              // G holds the next item
    logic          [1:0] g_type;
    logic          [3:0] g_j;              // parameter row
    logic         [KB-1:0] g_k;            // partial sums: column
    logic        [CJW-1:0] g_cj;           // and chunk
    logic         [15:0] g_cpos;           // chunk's first byte in the channel's lanes
    logic          [7:0] g_kx, g_ky;
    logic         [15:0] g_ic;
    logic         [31:0] g_ixo;            // ox0*sw - pl (signed)
    logic         [31:0] g_ixb;            // ixo + kx*dw: lane 0's input column
    logic         [31:0] g_iy0;            // oy*sh - pt (signed)
    logic         [31:0] g_iy;             // iy0 + ky*dh: the step's input row
    logic         [31:0] g_xrow;           // address of (channel, row iy, column 0)
    logic         [15:0] g_xch;            // input-channel walker: channel,
    logic         [31:0] g_xptr;           // its view's base + channel offset,
    logic                g_xpart;          // in src2's part
    logic         [15:0] g_xs_ch;          // the walker at the group's first channel
    logic         [31:0] g_xs_ptr;
    logic                g_xs_part;
    logic         [31:0] g_rowoff1;        // (oy*sh - pt - row0) * in_w, src and src2
    logic         [31:0] g_rowoff2;
    logic      [WRW-1:0] g_wrow;           // WBUF byte address of the item: row,
    logic       [KB-1:0] g_woff;           // offset
    logic      [WRW-1:0] g_ws_row;         // the tile's term 0
    logic       [KB-1:0] g_ws_off;
    logic         [31:0] g_pptr;           // psum channel walker (no parts)
    logic         [31:0] g_ps_ptr;         // the tile's first channel
    logic         [31:0] g_prow;           // (oy - psum_row0) * 4*out_w
    logic         [31:0] g_orow1, g_orow2; // (oy - row0) * out_w * e of dst, dst2
    logic         [15:0] g_oy, g_ox0;
    logic         [15:0] g_rem;            // out_w - ox0
    logic       [LW-1:0] g_nl;             // lanes of the pixel tile
    logic     [ROWS-1:0] g_lmask;          // lanes < nl
    logic         [15:0] g_g;              // group
    logic         [15:0] g_crem;           // cog - the tile's first channel in the group
    logic         [NB-1:0] g_ncols;        // channels of the tile
    logic                g_newtile;        // first pixel tile of its tile

    // R: the request register
    logic                r_v;
    logic          [1:0] r_type;
    logic                r_acc;            // the item accesses port A
    logic         [31:0] r_addr;
    logic         [15:0] r_n;
    logic      [WRW-1:0] r_wrow;
    logic       [KB-1:0] r_woff;
    logic          [3:0] r_j;
    logic       [KB-1:0] r_k;
    logic      [CJW-1:0] r_cj;
    logic     [ROWS-1:0] r_lv;             // valid lanes of a step
    logic  [IW*ROWS-1:0] r_idx;            // lane p's byte in the window
    logic                r_first, r_last, r_final;
    logic         [31:0] r_orow1, r_orow2, r_ox0e;   // the pixel tile, for its drain
    logic       [LW-1:0] r_nl;
    logic       [NB-1:0] r_ncols;
    logic                r_newtile;

    // the item G holds, as R will present it
    logic         [31:0] it_addr;
    logic         [15:0] it_n;
    logic                it_acc;
    logic     [ROWS-1:0] it_lv;
    logic  [IW*ROWS-1:0] it_idx;
    logic                it_first, it_last, it_final;
    logic                g_rowend, g_tileend, g_grpend;

    always_comb begin : item
        logic              iyok;
        logic [ROWS-1:0]   fa, lb;
        logic [15:0]       offa, offb, cn;
        iyok = !g_iy[31] && g_iy < 32'(f_in_h);
        for (int p = 0; p < ROWS; p++)
            it_lv[p] = iyok && g_lmask[p] && signed'(g_ixb) >= signed'(c_lmin[32*p +: 32]) &&
                       signed'(g_ixb) < signed'(c_lmax[32*p +: 32]);
        fa   = it_lv & ~(it_lv << 1);
        lb   = it_lv & ~(it_lv >> 1);
        offa = '0;
        offb = '0;
        for (int p = 0; p < ROWS; p++) begin
            if (fa[p]) offa = offa | c_lo[16*p +: 16];
            if (lb[p]) offb = offb | c_lo[16*p +: 16];
        end
        for (int p = 0; p < ROWS; p++)
            it_idx[IW*p +: IW] = IW'(c_lo[16*p +: 16] - offa);
        cn = 16'({g_nl, 2'b00}) - g_cpos;
        if (g_type == T_PS) begin
            it_acc  = 1'b1;
            it_addr = g_pptr + g_prow + {14'h0, g_ox0, 2'b00} + 32'(g_cpos);
            it_n    = cn < 16'(CH) ? cn : 16'(CH);
        end else begin
            it_acc  = g_type == T_ST && it_lv != '0;
            it_addr = g_xrow + g_ixb + 32'(offa);
            it_n    = offb - offa + 16'd1;
        end
        it_first  = g_ic == 16'd0 && g_ky == 8'd0 && g_kx == 8'd0;
        it_last   = g_type == T_ST && g_ic == c_cig - 16'd1 && g_ky == f_kh - 8'd1 && g_kx == f_kw - 8'd1;
        g_rowend  = g_rem <= 16'(c_l);
        g_tileend = g_rowend && g_oy + 16'd1 == f_oy1;
        g_grpend  = g_tileend && g_crem <= f_cw;
        it_final  = it_last && g_grpend && g_g + 16'd1 == f_groups;
    end

    // issue, drain and their arbitration (below)
    logic r_issue, r_ok, drain_wv, drain_req, drain_idle, rhold_r;
    wire  g_adv = g_v && (!r_v || r_issue);

    always_ff @(posedge i_clk) begin
        if (st_r == S_INIT) begin : init
            logic [AW-1:0] wa;
            logic [LW-1:0] nl;
            wa        = wsplit(f_weight);
            nl        = f_out_w < 16'(c_l) ? LW'(f_out_w) : c_l;
            g_type    <= T_PRM;
            g_j       <= '0;
            g_k       <= '0;
            g_cj      <= '0;
            g_cpos    <= '0;
            g_kx      <= '0;
            g_ky      <= '0;
            g_ic      <= '0;
            g_ixo     <= 32'd0 - 32'(signed'(f_pl));
            g_ixb     <= 32'd0 - 32'(signed'(f_pl));
            g_iy0     <= c_iy0;
            g_iy      <= c_iy0;
            g_xrow    <= f_src + c_ro1;
            g_xch     <= '0;
            g_xptr    <= f_src;
            g_xpart   <= 1'b0;
            g_xs_ch   <= '0;
            g_xs_ptr  <= f_src;
            g_xs_part <= 1'b0;
            g_rowoff1 <= c_ro1;
            g_rowoff2 <= c_ro2;
            g_wrow    <= wa[AW-1:KB];
            g_woff    <= wa[KB-1:0];
            g_ws_row  <= wa[AW-1:KB];
            g_ws_off  <= wa[KB-1:0];
            g_pptr    <= f_psum;
            g_ps_ptr  <= f_psum;
            g_prow    <= c_pr << 2;
            g_orow1   <= c_or1 << e2;
            g_orow2   <= c_or2 << e2;
            g_oy      <= f_oy0;
            g_ox0     <= '0;
            g_rem     <= f_out_w;
            g_nl      <= nl;
            for (int p = 0; p < ROWS; p++) g_lmask[p] <= LW'(p) < nl;
            g_g       <= '0;
            g_crem    <= c_cog;
            g_ncols   <= c_cog < f_cw ? NB'(c_cog) : NB'(f_cw);
            g_newtile <= 1'b1;
        end else if (g_adv) begin : next
            // the successor of the item G holds
            logic [WRW-1:0] wrow;
            logic  [KB-1:0] woff;
            logic    [15:0] xch;
            logic    [31:0] xptr;
            logic           xpart;
            // the WBUF address one cw further (cw divides COLS: a row ends exactly)
            if (32'(g_woff) + 32'(f_cw) >= 32'(COLS)) begin
                wrow = g_wrow + WRW'(1);
                woff = '0;
            end else begin
                wrow = g_wrow;
                woff = g_woff + KB'(f_cw);
            end
            // the input-channel walker one channel further
            xch = g_xch + 16'd1;
            if (f_split != 16'd0 && xch == f_split) begin
                xptr  = f_src2;
                xpart = 1'b1;
            end else begin
                xptr  = g_xptr + (g_xpart ? f_s2cs : f_scs);
                xpart = g_xpart;
            end
            case (g_type)
                T_PRM: begin
                    g_wrow <= wrow;
                    g_woff <= woff;
                    if (g_j != 4'd8) begin
                        g_j <= g_j + 4'd1;
                    end else begin
                        g_ws_row <= wrow;
                        g_ws_off <= woff;
                        g_type   <= f_psum_en ? T_PS : T_ST;
                    end
                end
                T_PS: begin
                    if (g_cpos + 16'(CH) < 16'({g_nl, 2'b00})) begin
                        g_cj   <= g_cj + CJW'(1);
                        g_cpos <= g_cpos + 16'(CH);
                    end else begin
                        g_cj   <= '0;
                        g_cpos <= '0;
                        g_pptr <= g_pptr + f_pcs;
                        if (NB'(g_k) + NB'(1) < g_ncols) g_k <= g_k + KB'(1);
                        else begin
                            g_k    <= '0;
                            g_type <= T_ST;
                        end
                    end
                end
                default: begin  // T_ST
                    g_wrow <= wrow;
                    g_woff <= woff;
                    if (g_kx != f_kw - 8'd1) begin
                        g_kx  <= g_kx + 8'd1;
                        g_ixb <= g_ixb + 32'(f_dw);
                    end else begin
                        g_kx  <= '0;
                        g_ixb <= g_ixo;
                        if (g_ky != f_kh - 8'd1) begin
                            g_ky   <= g_ky + 8'd1;
                            g_iy   <= g_iy + 32'(f_dh);
                            g_xrow <= g_xrow + c_dhw;
                        end else begin
                            g_ky    <= '0;
                            g_iy    <= g_iy0;
                            g_xch   <= xch;
                            g_xptr  <= xptr;
                            g_xpart <= xpart;
                            g_xrow  <= xptr + (xpart ? g_rowoff2 : g_rowoff1);
                            if (g_ic != c_cig - 16'd1) begin
                                g_ic <= g_ic + 16'd1;
                            end else begin : ptile
                                // the pixel tile is complete: the next one
                                logic    [31:0] ixo, iy0, ro1, ro2;
                                logic    [15:0] rem, crem;
                                logic [LW-1:0]  nl;
                                logic           newgrp;
                                g_ic   <= '0;
                                newgrp = 1'b0;
                                crem   = g_crem;
                                ro1    = g_rowoff1;
                                ro2    = g_rowoff2;
                                iy0    = g_iy0;
                                if (!g_rowend) begin
                                    g_ox0 <= g_ox0 + 16'(c_l);
                                    rem   = g_rem - 16'(c_l);
                                    ixo   = g_ixo + 32'(c_lsw);
                                end else begin
                                    g_ox0 <= '0;
                                    rem   = f_out_w;
                                    ixo   = 32'd0 - 32'(signed'(f_pl));
                                    if (!g_tileend) begin
                                        g_oy    <= g_oy + 16'd1;
                                        iy0     = g_iy0 + 32'(f_sh);
                                        ro1     = g_rowoff1 + c_shw;
                                        ro2     = g_rowoff2 + c_shw;
                                        g_orow1 <= g_orow1 + (32'(f_out_w) << e2);
                                        g_orow2 <= g_orow2 + (32'(f_out_w) << e2);
                                        g_prow  <= g_prow + (32'(f_out_w) << 2);
                                    end else begin
                                        g_oy    <= f_oy0;
                                        iy0     = c_iy0;
                                        ro1     = c_ro1;
                                        ro2     = c_ro2;
                                        g_orow1 <= c_or1 << e2;
                                        g_orow2 <= c_or2 << e2;
                                        g_prow  <= c_pr << 2;
                                        if (!g_grpend) begin
                                            crem = g_crem - f_cw;
                                        end else begin
                                            newgrp = 1'b1;
                                            crem   = c_cog;
                                            g_g    <= g_g + 16'd1;
                                        end
                                    end
                                end
                                nl = rem < 16'(c_l) ? LW'(rem) : c_l;
                                g_rem     <= rem;
                                g_nl      <= nl;
                                for (int p = 0; p < ROWS; p++) g_lmask[p] <= LW'(p) < nl;
                                g_ixo     <= ixo;
                                g_ixb     <= ixo;
                                g_iy0     <= iy0;
                                g_iy      <= iy0;
                                g_rowoff1 <= ro1;
                                g_rowoff2 <= ro2;
                                g_crem    <= crem;
                                g_ncols   <= crem < f_cw ? NB'(crem) : NB'(f_cw);
                                g_newtile <= g_tileend;
                                // a new group starts at the walker's channel; else back to the group's first
                                if (newgrp) begin
                                    g_xs_ch   <= xch;
                                    g_xs_ptr  <= xptr;
                                    g_xs_part <= xpart;
                                    g_xrow    <= xptr + (xpart ? ro2 : ro1);
                                end else begin
                                    g_xch   <= g_xs_ch;
                                    g_xptr  <= g_xs_ptr;
                                    g_xpart <= g_xs_part;
                                    g_xrow  <= g_xs_ptr + (g_xs_part ? ro2 : ro1);
                                end
                                // a new tile: parameters first, weights and psum channels go on;
                                // else back to the tile's term 0 and first psum channel
                                if (g_tileend) begin
                                    g_type   <= T_PRM;
                                    g_j      <= '0;
                                    g_ps_ptr <= g_pptr;
                                end else begin
                                    g_type <= f_psum_en ? T_PS : T_ST;
                                    g_wrow <= g_ws_row;
                                    g_woff <= g_ws_off;
                                    g_pptr <= g_ps_ptr;
                                end
                            end
                        end
                    end
                end
            endcase
        end
        if (st_r == S_INIT) g_v <= 1'b1;
        else if (g_adv && it_final) g_v <= 1'b0;
        if (i_rst) g_v <= 1'b0;
    end

    // ------------------------------------------------------------------
    // R: present the item; M: its data arrive
    // ------------------------------------------------------------------
    logic                m_v;
    logic          [1:0] m_type;
    logic     [ROWS-1:0] m_lv;
    logic  [IW*ROWS-1:0] m_idx;
    logic                m_first, m_last;
    logic       [KB-1:0] m_woff;
    logic          [3:0] m_j;
    logic       [KB-1:0] m_k;
    logic      [CJW-1:0] m_cj;
    logic                all_issued_r;     // the last item has issued

    always_ff @(posedge i_clk) begin
        if (g_adv) begin
            r_type    <= g_type;
            r_acc     <= it_acc;
            r_addr    <= it_addr;
            r_n       <= it_n;
            r_wrow    <= g_wrow;
            r_woff    <= g_woff;
            r_j       <= g_j;
            r_k       <= g_k;
            r_cj      <= g_cj;
            r_lv      <= it_lv;
            r_idx     <= it_idx;
            r_first   <= it_first;
            r_last    <= it_last;
            r_final   <= it_final;
            r_orow1   <= g_orow1;
            r_orow2   <= g_orow2;
            r_ox0e    <= 32'(g_ox0) << e2;
            r_nl      <= g_nl;
            r_ncols   <= g_ncols;
            r_newtile <= g_newtile;
        end
        if (g_adv) r_v <= 1'b1;
        else if (r_issue) r_v <= 1'b0;
        // M
        m_v     <= r_issue;
        m_type  <= r_type;
        m_lv    <= r_lv;
        m_idx   <= r_idx;
        m_first <= r_first;
        m_last  <= r_last;
        m_woff  <= r_woff;
        m_j     <= r_j;
        m_k     <= r_k;
        m_cj    <= r_cj;
        if (r_issue && r_final) all_issued_r <= 1'b1;
        if (st_r == S_INIT) all_issued_r <= 1'b0;
        if (i_rst) begin
            r_v          <= 1'b0;
            m_v          <= 1'b0;
            all_issued_r <= 1'b0;
        end
    end

    // the WBUF row of the item in R, read every cycle R holds one (so the
    // data the cycle after its issue are its own)
    assign o_w_re  = r_v && r_type != T_PS;
    assign o_w_row = r_wrow;

    // M: the WBUF row's tile bytes, the lanes' input bytes, a partial-sum chunk
    logic [8*COLS-1:0]  wsh;
    logic [8*ROWS-1:0]  mx;
    logic [32*ROWS-1:0] ld_data;
    logic [4*ROWS-1:0]  ld_be;
    logic [COLS-1:0]    ld_col;

    always_comb begin
        wsh = i_w_rdata >> {m_woff, 3'b000};
        for (int p = 0; p < ROWS; p++)
            mx[8*p +: 8] = m_lv[p] ? i_a_rdata[{m_idx[IW*p +: IW], 3'b000} +: 8] : 8'h00;
        ld_data = '0;
        ld_be   = '0;
        for (int j = 0; j < NCH; j++)
            if (m_cj == CJW'(j))
                for (int b = 0; b < CH; b++)
                    if (j * CH + b < 4 * ROWS) begin
                        ld_data[8*(j*CH + b) +: 8] = i_a_rdata[8*b +: 8];
                        ld_be[j*CH + b]            = 1'b1;
                    end
        for (int k = 0; k < COLS; k++) ld_col[k] = m_k == KB'(k);
    end

    // the tile's parameters, as its parameter rows arrive
    logic [32*COLS-1:0] p_bias, p_qmul;
    logic  [8*COLS-1:0] p_qsh;

    always_ff @(posedge i_clk)
        if (m_v && m_type == T_PRM)
            for (int k = 0; k < COLS; k++)
                for (int b = 0; b < 4; b++)
                    if (m_j[1:0] == 2'(b)) begin
                        if (m_j[3:2] == 2'd0) p_bias[32*k + 8*b +: 8] <= wsh[8*k +: 8];
                        if (m_j[3:2] == 2'd1) p_qmul[32*k + 8*b +: 8] <= wsh[8*k +: 8];
                        if (m_j[3] && b == 0) p_qsh[8*k +: 8] <= wsh[8*k +: 8];
                    end

    logic [32*ROWS*COLS-1:0] acc;

    npu_mac #(
        .ROWS(ROWS),
        .COLS(COLS)
    ) u_mac (
        .i_clk    (i_clk),
        .i_en     (m_v && m_type == T_ST),
        .i_first  (m_first && !f_psum_en),
        .i_x      (mx),
        .i_w      (wsh),
        .i_bias   (p_bias),
        .i_ld     (m_v && m_type == T_PS),
        .i_ld_col (ld_col),
        .i_ld_be  (ld_be),
        .i_ld_data(ld_data),
        .o_acc    (acc)
    );

    assign o_mac = m_v && m_type == T_ST;

    // ------------------------------------------------------------------
    // the drain
    // ------------------------------------------------------------------
    logic                    h_r;          // handoff this cycle: the accumulators are final
    logic [32*ROWS*COLS-1:0] d_acc;        // the drained copy: channel k at [32*ROWS*k +: 32*ROWS]
    logic      [40*COLS-1:0] d_q;          // its channels' {qshift, qmul}
    logic           [NB-1:0] d_k;          // the head channel: the next to leave D
    logic      [32*ROWS-1:0] d_head;       // its accumulators
    logic             [39:0] d_qhead;      // and {qshift, qmul}
    logic                    d_busy;       // D holds channels not yet read out
    logic           [NB-1:0] d_cnt;        // channels left in D
    logic          [CJW-1:0] d_cj;         // OUT32: the chunk being written,
    logic             [15:0] d_cpos;       // its first byte
    logic           [LW-1:0] d_nl;
    logic             [31:0] d_orow1, d_orow2, d_ox0e;
    logic             [15:0] d_ch;         // output-channel walker: channel,
    logic             [31:0] d_ptr;        // its view's base + channel offset,
    logic                    d_part;       // in dst2's part
    logic             [15:0] d_s_ch;       // the walker at the tile's first channel
    logic             [31:0] d_s_ptr;
    logic                    d_s_part;
    logic             [31:0] pd_orow1, pd_orow2, pd_ox0e;   // the pending handoff's pixel tile
    logic           [LW-1:0] pd_nl;
    logic           [NB-1:0] pd_ncols;
    logic                    pd_newtile;
    logic                    s1v, s2v;     // int8: requantization stages hold a channel
    logic             [31:0] s1_addr, s2_addr;
    logic                    d_adv;        // int8: the requantization pipeline advances
    logic             [31:0] d_addr;       // the head channel's output address
    logic      [8*ROWS-1:0]  q;
    logic      [8*WIN-1:0]   d_wdata32;    // OUT32: the head channel's chunk
    logic             [15:0] d_cn;

    assign d_addr  = d_ptr + (d_part ? d_orow2 : d_orow1) + d_ox0e;
    assign d_head  = d_acc[32*ROWS*32'(d_k) +: 32*ROWS];  // a COLS:1 multiplexer
    assign d_qhead = d_q[40*32'(d_k) +: 40];
    assign d_cn   = 16'({d_nl, 2'b00}) - d_cpos;
    assign d_adv  = !(s2v && !i_a_gnt) && !(s2v && rhold_r);

    always_comb begin
        d_wdata32 = '0;
        for (int j = 0; j < NCH; j++)
            if (d_cj == CJW'(j))
                for (int b = 0; b < CH; b++)
                    if (j * CH + b < 4 * ROWS) d_wdata32[8*b +: 8] = d_head[8*(j*CH + b) +: 8];
    end

    always_ff @(posedge i_clk) begin : drain
        logic    [15:0] ch;
        logic    [31:0] ptr;
        logic           part, pop;
        // the walker one channel further
        ch = d_ch + 16'd1;
        if (f_osplit != 16'd0 && ch == f_osplit) begin
            ptr  = f_dst2;
            part = 1'b1;
        end else begin
            ptr  = d_ptr + (d_part ? f_d2cs : f_dcs);
            part = d_part;
        end
        if (r_issue && r_last) begin
            pd_orow1   <= r_orow1;
            pd_orow2   <= r_orow2;
            pd_ox0e    <= r_ox0e;
            pd_nl      <= r_nl;
            pd_ncols   <= r_ncols;
            pd_newtile <= r_newtile;
        end
        h_r <= m_v && m_type == T_ST && m_last;
        // the head channel leaves D: int8 into requantization, OUT32 with its last chunk's write
        pop = 1'b0;
        if (h_r) begin
            d_acc   <= acc;
            for (int k = 0; k < COLS; k++) d_q[40*k +: 40] <= {p_qsh[8*k +: 8], p_qmul[32*k +: 32]};
            d_k     <= '0;
            d_cnt   <= pd_ncols;
            d_cj    <= '0;
            d_cpos  <= '0;
            d_nl    <= pd_nl;
            d_orow1 <= pd_orow1;
            d_orow2 <= pd_orow2;
            d_ox0e  <= pd_ox0e;
            if (pd_newtile) begin
                d_s_ch   <= d_ch;
                d_s_ptr  <= d_ptr;
                d_s_part <= d_part;
            end else begin
                d_ch   <= d_s_ch;
                d_ptr  <= d_s_ptr;
                d_part <= d_s_part;
            end
        end else if (d_busy) begin
            if (!f_out32) begin
                pop = d_adv;
            end else if (drain_req && i_a_gnt) begin
                if (d_cpos + 16'(CH) < 16'({d_nl, 2'b00})) begin
                    d_cj   <= d_cj + CJW'(1);
                    d_cpos <= d_cpos + 16'(CH);
                end else begin
                    d_cj   <= '0;
                    d_cpos <= '0;
                    pop   = 1'b1;
                end
            end
            if (pop) begin
                d_k   <= d_k + NB'(1);
                d_cnt <= d_cnt - NB'(1);
                d_ch   <= ch;
                d_ptr  <= ptr;
                d_part <= part;
            end
        end
        if (h_r) d_busy <= 1'b1;
        else if (pop && d_cnt == NB'(1)) d_busy <= 1'b0;
        // int8: the requantization pipeline's valid bits and addresses
        if (d_adv) begin
            s1v     <= d_busy && !f_out32;
            s1_addr <= d_addr;
            s2v     <= s1v;
            s2_addr <= s1_addr;
        end
        if (st_r == S_INIT) begin
            d_ch     <= '0;
            d_ptr    <= f_dst;
            d_part   <= 1'b0;
        end
        if (i_rst) begin
            h_r    <= 1'b0;
            d_busy <= 1'b0;
            s1v    <= 1'b0;
            s2v    <= 1'b0;
        end
    end

    npu_requant #(
        .LANES(ROWS)
    ) u_requant (
        .i_clk   (i_clk),
        .i_en    (d_adv && (d_busy || s1v)),  // idle stages hold (and cost nothing)
        .i_acc   (d_head),
        .i_qmul  (d_qhead[31:0]),
        .i_qshift(d_qhead[39:32]),
        .i_relu  (f_relu),
        .o_q     (q)
    );

    // ------------------------------------------------------------------
    // port A: the drain's write, else R's item
    // ------------------------------------------------------------------
    assign drain_wv   = f_out32 ? d_busy : s2v;
    assign drain_req  = drain_wv && !rhold_r;
    assign drain_idle = !(m_v && m_type == T_ST && m_last) && !h_r && !d_busy && !s1v && !s2v;
    assign r_ok       = r_v && !drain_req && (!r_last || drain_idle);
    assign r_issue    = r_ok && (!r_acc || i_a_gnt);

    always_ff @(posedge i_clk) begin
        rhold_r <= r_ok && r_acc && !i_a_gnt;
        if (i_rst) rhold_r <= 1'b0;
    end

    always_comb begin
        o_a_req = drain_req || (r_ok && r_acc);
        o_a_we  = drain_req;
        if (drain_req) begin
            o_a_addr = f_out32 ? d_addr + 32'(d_cpos) : s2_addr;
            o_a_n    = f_out32 ? (d_cn < 16'(CH) ? d_cn : 16'(CH)) : 16'(d_nl);
        end else begin
            o_a_addr = r_addr;
            o_a_n    = r_n;
        end
        if (f_out32) begin
            o_a_wdata = d_wdata32;
        end else begin
            o_a_wdata = '0;
            for (int b = 0; b < NQ; b++) o_a_wdata[8*b +: 8] = q[8*b +: 8];
        end
    end

    // ------------------------------------------------------------------
    // control
    // ------------------------------------------------------------------
    assign o_busy = st_r != S_IDLE;
    assign o_done = st_r == S_RUN && all_issued_r && drain_idle;

    always_ff @(posedge i_clk) begin
        case (st_r)
            S_IDLE:  if (i_start) st_r <= S_SETUP;
            S_SETUP: if (su_r == 3'd5) st_r <= S_INIT;
            S_INIT:  st_r <= S_RUN;
            default: if (o_done) st_r <= S_IDLE;
        endcase
        if (i_rst) st_r <= S_IDLE;
    end

endmodule

`default_nettype wire
