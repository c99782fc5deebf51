// npu_vec: the vector unit: POOL, GAVG, EW, REQUANT (with PERCH), COPY and
// RELU of docs/isa.md, on VW int8 lanes.  It touches only on-chip memories:
// port A of the scratchpad (one access a cycle, a window of at most WIN
// contiguous bytes at any address), the weight buffer's read port (REQUANT
// PERCH tables) and the sequencer's RAM of EW inputs.
//
// Units.  Every instruction is cut into units, run one after the other:
//   RELU     VW elements;  COPY  WIN bytes: one read each.  When dst > src
//            and the ranges overlap, the units run from the last to the
//            first (the first unit is then the short one), so the result is
//            a copy through a temporary's
//   EW       VW elements: one read per input (input k at ref_k + offset)
//   REQUANT  VW elements (with PERCH never across a plane of elems/chans):
//            their 4*nl bytes in reads of BPA bytes, BPA = 4*min(VW, WIN/4),
//            whole int32s (a tiny WIN < 4 reads WIN bytes, BPA = WIN)
//   POOL     a tile: Lv = min(VW, (WIN-1)/sw + 1) consecutive outputs
//            ox0.. of one row oy of channel c, nl = min(Lv, out_w - ox0) of
//            them; one slot per window tap (ky, kx), reading the bytes of
//            the lanes whose input is inside (from the first to the last
//            such lane; no access when there is none); tiles in (c, oy,
//            ox0) order over the band [oy0, oy1)
//   GAVG     a channel: its plane in reads of VW bytes
// and each unit ends with one write of its nl (COPY: n, GAVG: 1) results.
//
// Schedule (one port-A access a cycle).  Unit u takes P_u slots: its R_u
// read slots, then idle slots until slot M_u, then one write slot that
// writes unit u-1's results (nothing in unit 0):
//     P_u = max(R_u, M_u) + 1,   M_u = L, the op's latency below
// so the reads of unit u overlap the computing and the write of u-1.  A
// last, empty unit (R = 0, P = L + 1) writes the last results.  Unit u's
// results are final in slot 0 of unit u+1, where the post-processing
// starts (L slots until they can be written):
//   L = 0  RELU, COPY    (the data register, loaded when the read returns)
//   L = 2  EW, REQUANT   (npu_requant: 2 enabled cycles, RQ_LAT)
//   L = 1  POOL max      (the maxima copied to the result register)
//   L = 9  POOL avg, GAVG (load, 8 restoring-divider steps, 1 bit a cycle)
// REQUANT with PERCH: a plane's first unit fetches the plane's table entry
// (NR rows of the weight buffer, NR = floor((a mod COLS + 4) / COLS) + 1,
// a = table + 8c, from its slot 1 on, its data the cycle after): there
// M_u = max(2, NR + 1).
//
// Cycles from i_start to o_done (o_done is the cycle after the last
// write), when port A never refuses (each refused cycle adds one):
//     T = S + sum over units of P_u + L + 1
// with S the setup (i_start's cycle and the setup cycles) and U units:
//   RELU     2*ceil(elems/VW)  + 3                    (S = 2)
//   COPY     2*ceil(bytes/WIN) + 3                    (S = 2)
//   EW       ceil(elems/VW) * (max(nin, 2) + 1) + 6   (S = 3)
//   REQUANT  5 + sum_u (max(ceil(4*nl_u/BPA), 2) + 1) (S = 2), nl_u = VW
//            but the last; with PERCH: 37 + the same sum over the units of
//            every plane (ceil(plane/VW) units each), a plane's first unit
//            taking max(ceil(4*nl/BPA), 2, NR_c + 1) + 1  (S = 34: two
//            32-step divisions, elems/chans and table/COLS)
//   POOL     8 + tiles * (max(kh*kw, L) + 1) + L + 1  (S = 8: the setup's
//            products through one multiplier), tiles = in_c * (oy1 - oy0)
//            * ceil(out_w / Lv); L = 1 (max) or 9 (avg)
//   GAVG     13 + in_c * (max(ceil(in_h*in_w/VW), 9) + 1)   (S = 3)
//
// Port A refusals (i_a_gnt low): the whole unit freezes (every register of
// the run but the weight-buffer fetch and the EW-input prefetch holds, and
// the requantization pipeline is not enabled), so the access is presented
// again unchanged; read data stays valid since the port holds it until the
// next granted read.
//
// EW inputs come from the sequencer's RAM (index -> ref, coef the next
// cycle) through a 3-entry prefetch queue, so no RAM address depends on
// port A's grant in the same cycle.
//
// Arithmetic: EW accumulates coef_k * x in int32 lanes (wrapping), EW and
// REQUANT requantize through npu_requant (src/ref.c's ref_requant and
// ref_clamp8), POOL and GAVG round the mean half away from zero (ref_pool):
// (|sum| + cnt/2) / cnt, negated for a negative sum, by an 8-step
// restoring divider (the quotient is at most 128).
//
// EW, REQUANT and RELU run forwards: correct in place and whenever dst <=
// src (RELU also backwards, as COPY); an output partly overlapping an
// input from above is not supported for EW and REQUANT.
`default_nettype none

module npu_vec #(
    parameter int VW   = 4,   // lanes
    parameter int WIN  = 8,   // scratchpad window: bytes one port-A access reaches (>= VW)
    parameter int COLS = 4,   // weight-buffer row bytes
    parameter int WRW  = 10   // weight-buffer row address bits
) (
    input  wire logic        i_clk,
    input  wire logic        i_rst,
    input  wire logic        i_start,    // one cycle; fields valid in that cycle only: latch them
    input  wire logic  [7:0] i_op,       // 0x11 POOL, 0x12 GAVG, 0x13 EW, 0x14 REQUANT, 0x15 COPY, 0x16 RELU
    input  wire logic        i_relu,     // EW, REQUANT: clamp at 0
    input  wire logic        i_avg,      // POOL: average (else max)
    input  wire logic        i_perch,    // REQUANT: per-channel table
    input  wire logic [31:0] i_src,      // SRAM byte addresses (no space bits)
    input  wire logic [31:0] i_dst,
    input  wire logic [31:0] i_elems,    // EW, REQUANT, RELU: elements; COPY: bytes
    input  wire logic [31:0] i_src_cs,   // POOL views
    input  wire logic [31:0] i_dst_cs,
    input  wire logic [15:0] i_src_row0,
    input  wire logic [15:0] i_dst_row0,
    input  wire logic [15:0] i_oy0, i_oy1,   // POOL band
    input  wire logic [15:0] i_in_c, i_in_h, i_in_w, i_out_h, i_out_w,   // POOL, GAVG
    input  wire logic  [7:0] i_kh, i_kw, i_sh, i_sw, i_dh, i_dw,
    input  wire logic  [7:0] i_pt, i_pl, // signed
    input  wire logic [31:0] i_qmul,     // EW, REQUANT without PERCH
    input  wire logic  [7:0] i_qshift,
    input  wire logic [31:0] i_table,    // REQUANT PERCH: WBUF byte address of entry 0
    input  wire logic [15:0] i_chans,    // REQUANT PERCH: channels (planes)
    input  wire logic  [5:0] i_nin,      // EW inputs, 1..32
    // EW inputs: a small RAM in the sequencer, read by index, data the next cycle
    output logic             o_ew_re,
    output logic       [4:0] o_ew_idx,
    input  wire logic [31:0] i_ew_ref,   // SRAM byte address of input idx
    input  wire logic [31:0] i_ew_coef,  // its signed coefficient
    output logic             o_busy,
    output logic             o_done,     // one cycle, when the last output has been written
    // scratchpad port A (hw/README.md "Port A")
    output logic             o_a_req,
    output logic             o_a_we,
    output logic      [31:0] o_a_addr,
    output logic      [15:0] o_a_n,
    output logic [8*WIN-1:0] o_a_wdata,
    input  wire logic        i_a_gnt,
    input  wire logic [8*WIN-1:0] i_a_rdata,
    // weight buffer read port (PERCH tables): row -> data the next cycle, held
    output logic             o_w_re,
    output logic   [WRW-1:0] o_w_row,
    input  wire logic [8*COLS-1:0] i_w_rdata
);

    localparam logic [7:0] OP_POOL = 8'h11, OP_GAVG = 8'h12, OP_EW = 8'h13;
    localparam logic [7:0] OP_REQUANT = 8'h14, OP_COPY = 8'h15, OP_RELU = 8'h16;
    localparam logic [1:0] S_IDLE = 2'd0, S_SETUP = 2'd1, S_RUN = 2'd2;

    localparam int RQ_LAT = 2;     // npu_requant: o_q RQ_LAT enabled cycles after its inputs
    localparam int BPA    = WIN >= 4 ? 4 * (WIN / 4 < VW ? WIN / 4 : VW) : WIN;
    localparam int RMAX   = (4 * VW + BPA - 1) / BPA;   // REQUANT reads a unit
    localparam int RKW    = $clog2(RMAX + 1);
    localparam int LW     = $clog2(VW + 1);             // lane counts 0..VW

    // ------------------------------------------------------------------ the instruction
    logic  [7:0] op_r;
    logic        relu_r, avg_r, perch_r;
    logic        back_r;                     // RELU, COPY: last unit first (dst overlaps src from above)
    logic [31:0] src_r, dst_r, n_r, src_cs_r, dst_cs_r, qmul_r;
    logic [15:0] src_row0_r, dst_row0_r, oy0_r, oy1_r, in_c_r, in_h_r, in_w_r, out_w_r, chans_r;
    logic  [7:0] kh_r, kw_r, sh_r, sw_r, dh_r, dw_r, pt_r, pl_r, qshift_r;
    logic  [5:0] nin_r;

    logic is_pool, is_gavg, is_ew, is_rq, is_copy, is_relu;
    assign is_pool = op_r == OP_POOL;
    assign is_gavg = op_r == OP_GAVG;
    assign is_ew   = op_r == OP_EW;
    assign is_rq   = op_r == OP_REQUANT;
    assign is_copy = op_r == OP_COPY;
    assign is_relu = op_r == OP_RELU;

    logic [3:0] lat;        // L: slots from a unit's start until its predecessor's results can be written
    logic [5:0] stp_last;   // the last setup step (S = stp_last + 2)
    always_comb begin
        lat      = 4'd0;
        stp_last = 6'd0;
        if (is_ew || is_rq) lat = 4'(RQ_LAT);
        if (is_pool) lat = avg_r ? 4'd9 : 4'd1;
        if (is_gavg) lat = 4'd9;
        if (is_ew || is_gavg) stp_last = 6'd1;
        if (is_pool) stp_last = 6'd6;
        if (perch_r) stp_last = 6'd32;
    end

    // ------------------------------------------------------------------ control
    logic  [1:0] st_r;
    logic  [5:0] stp_r;
    logic        done_r;
    logic        ph_r;                       // the last, empty unit: it writes the last results
    logic        pf_r;                       // REQUANT PERCH: a plane's first unit (fetches its entry)
    logic        pw_v_r;                     // unit u-1 has results to write in this unit's write slot
    logic [31:0] rdl_r;                      // read work left in the unit (slots; REQUANT, GAVG: bytes)
    logic  [3:0] sl_r;                       // slots since the unit began, saturating
    logic  [3:0] m_r;                        // M_u: the first slot that may be the write slot
    logic [31:0] pw_addr_r, cw_addr_r;       // unit u-1's (pending) and unit u's write
    logic [15:0] pw_n_r, cw_n_r;

    logic run, rd_slot, w_slot, adv, setup_end, begin_u;
    assign run       = st_r == S_RUN;
    assign rd_slot   = run && rdl_r != 32'd0;
    assign w_slot    = run && rdl_r == 32'd0 && sl_r >= m_r;
    assign adv       = !o_a_req || i_a_gnt;  // the run advances unless port A refuses
    assign setup_end = st_r == S_SETUP && stp_r == stp_last;
    assign begin_u   = setup_end || (w_slot && adv && !ph_r);

    // ------------------------------------------------------------------ cursors
    logic [31:0] left_r;      // RELU, COPY, EW, REQUANT: elements (bytes) not yet in a unit; GAVG: channels
    logic [31:0] off_r;       // EW: the unit's element offset
    logic [31:0] rp_r;        // read pointer: RELU, COPY (the unit's), REQUANT, GAVG (running)
    logic [31:0] wp_r;        // write pointer: REQUANT, GAVG (running)
    logic [31:0] pleft_r;     // REQUANT: elements left in the plane
    logic [31:0] hw_r;        // GAVG: in_h * in_w
    logic [RKW-1:0] rk_r;     // REQUANT: the unit's read index
    // setup divisions (REQUANT PERCH), one quotient bit a cycle
    logic [31:0] pq_r;        // elems / chans: the plane
    logic [32:0] pr_r;
    logic [31:0] tq_r;        // table / COLS, then the next plane's entry: row
    logic [32:0] tr_r;        //   and column
    logic [WRW-1:0] frow_r;   // the entry being fetched: first row, column of byte 0
    logic [15:0] fcol_r;
    // POOL: per instruction
    logic [LW-1:0] lv_r;      // Lv
    logic [31:0] lvsw_r;      // Lv * sw
    logic [31:0] iyb_r;       // oy0 * sh - pt
    logic [31:0] rowb_r;      // src + (oy0 * sh - pt - src_row0) * in_w
    logic [31:0] shw_r, dhw_r;// sh * in_w, dh * in_w
    logic [15:0] kk_r;        // kh * kw
    // POOL: the tile
    logic [15:0] c_r, oy_r, ox0_r;
    logic [LW-1:0] nl_r;
    logic [31:0] ix0_r;       // ox0 * sw - pl
    logic [31:0] iyt_r;       // oy * sh - pt
    logic [31:0] rowc_r;      // row iyb's address in channel c; rowt_r: row iyt's
    logic [31:0] rowt_r;
    logic [31:0] dstc_r;      // output row oy0's address in channel c; dsty_r: row oy's
    logic [31:0] dsty_r;
    // POOL: the tap
    logic  [7:0] kx_r;
    logic [31:0] iy_r, row_r; // input row of the tap, its address
    logic [31:0] ixk_r;       // lane 0's input column of the tap

    function automatic logic [31:0] min32(input logic [31:0] a, input logic [31:0] b);
        min32 = a < b ? a : b;
    endfunction

    // floor(t / COLS) for t < 9 * COLS (columns of the weight buffer)
    function automatic logic [3:0] divc(input logic [15:0] t);
        divc = 4'd0;
        for (int m = 1; m <= 8; m++)
            if (32'(t) >= 32'(m * COLS)) divc = divc + 4'd1;
    endfunction

    // NR: weight-buffer rows holding the 5 bytes of an entry at column col
    function automatic logic [3:0] nrows(input logic [15:0] col);
        nrows = divc(col + 16'd4) + 4'd1;
    endfunction

    // ------------------------------------------------------------------ the setup's products
    logic [31:0] mul_a, mul_p;
    logic [15:0] mul_b;
    logic [LW-1:0] lv_calc;
    logic [16*VW-1:0] lofs;   // lane l's input offset from lane 0: l * sw
    always_comb begin
        for (int l = 0; l < VW; l++) lofs[16*l +: 16] = 16'(l) * 16'(sw_r);
        lv_calc = '0;
        for (int l = 0; l < VW; l++)
            if (lofs[16*l +: 16] <= 16'(WIN - 1)) lv_calc = lv_calc + LW'(1);
        mul_a = 32'(in_h_r);
        mul_b = in_w_r;
        if (is_pool) begin
            case (stp_r[2:0])
                3'd0: begin mul_a = 32'(oy0_r);                               mul_b = 16'(sh_r);  end
                3'd1: begin mul_a = 32'(kh_r);                                mul_b = 16'(kw_r);  end
                3'd2: begin mul_a = iyb_r - 32'(src_row0_r);                  mul_b = in_w_r;     end
                3'd3: begin mul_a = 32'(sh_r);                                mul_b = in_w_r;     end
                3'd4: begin mul_a = 32'(dh_r);                                mul_b = in_w_r;     end
                3'd5: begin mul_a = 32'(oy0_r) - 32'(dst_row0_r);             mul_b = out_w_r;    end
                default: begin mul_a = 32'(lv_r);                             mul_b = 16'(sw_r);  end
            endcase
        end
        mul_p = mul_a * 32'(mul_b);
    end

    // ------------------------------------------------------------------ the next unit
    logic        nx_ph, nx_pf;
    logic  [3:0] nx_m;
    logic [31:0] nx_rdl, nx_left, nx_off, nx_rp, nx_wp, nx_pleft, nx_cw_addr;
    logic [15:0] nx_cw_n;
    logic [31:0] nx_tq;
    logic [32:0] nx_tr;
    logic [WRW-1:0] nx_frow;
    logic [15:0] nx_fcol;
    logic [15:0] nx_c, nx_oy, nx_ox0;
    logic [LW-1:0] nx_nl;
    logic [31:0] nx_ix0, nx_iyt, nx_rowc, nx_rowt, nx_dstc, nx_dsty;

    always_comb begin : next_unit
        logic [31:0] n, off, pl;
        logic [15:0] t, rest;
        logic  [3:0] k, nr;
        logic        newpl;
        nx_ph      = 1'b0;
        nx_pf      = 1'b0;
        nx_m       = lat;
        nx_rdl     = 32'd0;
        nx_left    = left_r;
        nx_off     = off_r;
        nx_rp      = rp_r;
        nx_wp      = wp_r;
        nx_pleft   = pleft_r;
        nx_cw_addr = cw_addr_r;
        nx_cw_n    = cw_n_r;
        nx_tq      = tq_r;
        nx_tr      = tr_r;
        nx_frow    = frow_r;
        nx_fcol    = fcol_r;
        nx_c       = c_r;
        nx_oy      = oy_r;
        nx_ox0     = ox0_r;
        nx_nl      = nl_r;
        nx_ix0     = ix0_r;
        nx_iyt     = iyt_r;
        nx_rowc    = rowc_r;
        nx_rowt    = rowt_r;
        nx_dstc    = dstc_r;
        nx_dsty    = dsty_r;
        n          = 32'd0;
        off        = 32'd0;
        pl         = 32'd0;
        t          = 16'd0;
        rest       = 16'd0;
        k          = 4'd0;
        nr         = 4'd0;
        newpl      = 1'b0;
        if (is_relu || is_copy) begin
            n          = min32(left_r, is_relu ? 32'(VW) : 32'(WIN));
            off        = back_r ? left_r - n : n_r - left_r;
            nx_ph      = left_r == 32'd0;
            nx_rdl     = 32'd1;
            nx_rp      = src_r + off;
            nx_cw_addr = dst_r + off;
            nx_cw_n    = n[15:0];
            nx_left    = left_r - n;
        end else if (is_ew) begin
            n          = min32(left_r, 32'(VW));
            nx_ph      = left_r == 32'd0;
            nx_rdl     = 32'(nin_r);
            nx_off     = n_r - left_r;
            nx_cw_addr = dst_r + (n_r - left_r);
            nx_cw_n    = n[15:0];
            nx_left    = left_r - n;
        end else if (is_rq) begin
            newpl      = perch_r && pleft_r == 32'd0;
            pl         = newpl ? pq_r : pleft_r;
            n          = min32(min32(left_r, 32'(VW)), pl);
            nx_ph      = left_r == 32'd0;
            nx_rdl     = n << 2;
            nx_cw_addr = wp_r;
            nx_cw_n    = n[15:0];
            nx_wp      = wp_r + n;
            nx_left    = left_r - n;
            nx_pleft   = pl - n;
            if (newpl) begin
                // this plane's entry is at (tq, tr); the next plane's 8 bytes on
                nr      = nrows(tr_r[15:0]);
                nx_pf   = 1'b1;
                nx_m    = nr + 4'd1 > 4'(RQ_LAT) ? nr + 4'd1 : 4'(RQ_LAT);
                nx_frow = tq_r[WRW-1:0];
                nx_fcol = tr_r[15:0];
                t       = tr_r[15:0] + 16'd8;
                k       = divc(t);
                rest    = t - 16'(k) * 16'(COLS);
                nx_tq   = tq_r + 32'(k);
                nx_tr   = 33'(rest);
            end
        end else if (is_gavg) begin
            nx_ph      = left_r == 32'd0;
            nx_rdl     = hw_r;
            nx_cw_addr = wp_r;
            nx_cw_n    = 16'd1;
            nx_wp      = wp_r + 32'd1;
            nx_left    = left_r - 32'd1;
        end else if (is_pool) begin
            // the next tile: ox0 on by Lv, else the next row of the band, else the next channel
            if (32'(ox0_r) + 32'(lv_r) < 32'(out_w_r)) begin
                nx_ox0 = ox0_r + 16'(lv_r);
                nx_ix0 = ix0_r + lvsw_r;
            end else begin
                nx_ox0 = 16'd0;
                nx_ix0 = 32'd0 - 32'(signed'(pl_r));
                if (oy_r + 16'd1 < oy1_r) begin
                    nx_oy   = oy_r + 16'd1;
                    nx_iyt  = iyt_r + 32'(sh_r);
                    nx_rowt = rowt_r + shw_r;
                    nx_dsty = dsty_r + 32'(out_w_r);
                end else begin
                    nx_oy  = oy0_r;
                    nx_iyt = iyb_r;
                    if (c_r + 16'd1 < in_c_r) begin
                        nx_c    = c_r + 16'd1;
                        nx_rowc = rowc_r + src_cs_r;
                        nx_rowt = rowc_r + src_cs_r;
                        nx_dstc = dstc_r + dst_cs_r;
                        nx_dsty = dstc_r + dst_cs_r;
                    end else begin
                        nx_ph = 1'b1;
                    end
                end
            end
            nx_nl      = 32'(out_w_r) - 32'(nx_ox0) < 32'(lv_r) ? LW'(out_w_r - nx_ox0) : lv_r;
            nx_rdl     = 32'(kk_r);
            nx_cw_addr = nx_dsty + 32'(nx_ox0);
            nx_cw_n    = 16'(nx_nl);
        end
        if (nx_ph) begin
            nx_rdl = 32'd0;
            nx_m   = lat;
            nx_pf  = 1'b0;
        end
    end

    // ------------------------------------------------------------------ POOL: the tap's access
    logic [VW-1:0] tp_mask;   // lanes whose input is inside
    logic          tp_any;
    logic   [15:0] tp_base;   // lofs of the first such lane, tp_last of the last
    logic   [15:0] tp_last;
    logic   [31:0] tp_addr;
    logic   [15:0] tp_n;
    always_comb begin : tap
        logic [31:0] pos;
        logic        rowok;
        rowok   = !iy_r[31] && iy_r < 32'(in_h_r);
        tp_mask = '0;
        tp_base = 16'd0;
        tp_last = 16'd0;
        for (int l = VW - 1; l >= 0; l--) begin
            pos = ixk_r + 32'(lofs[16*l +: 16]);
            if (rowok && LW'(l) < nl_r && !pos[31] && pos < 32'(in_w_r)) begin
                tp_mask[l] = 1'b1;
                tp_base    = lofs[16*l +: 16];
            end
        end
        for (int l = 0; l < VW; l++)
            if (tp_mask[l]) tp_last = lofs[16*l +: 16];
        tp_any  = |tp_mask;
        tp_addr = row_r + ixk_r + 32'(tp_base);
        tp_n    = tp_last - tp_base + 16'd1;
    end

    // ------------------------------------------------------------------ EW: prefetched inputs
    logic [3*64-1:0] ef_r;    // 3 entries of {coef, ref}
    logic      [1:0] ef_rd_r, ef_wr_r, ef_cnt_r;
    logic            ef_infl_r;   // an input RAM read is in flight (its data arrives this cycle)
    logic      [5:0] ef_idx_r;    // the next input to read
    logic            ef_re, ef_pop;
    logic     [63:0] ef_head;
    assign ef_head = ef_r[64*ef_rd_r +: 64];
    assign ef_re   = is_ew && (st_r == S_SETUP || st_r == S_RUN) &&
                     3'(ef_cnt_r) + 3'(ef_infl_r) < 3'd3;
    assign ef_pop  = is_ew && rd_slot && adv;
    assign o_ew_re  = ef_re;
    assign o_ew_idx = ef_idx_r[4:0];

    always_ff @(posedge i_clk) begin
        if (i_rst || (st_r == S_IDLE && i_start)) begin
            ef_rd_r   <= 2'd0;
            ef_wr_r   <= 2'd0;
            ef_cnt_r  <= 2'd0;
            ef_infl_r <= 1'b0;
            ef_idx_r  <= 6'd0;
        end else begin
            ef_infl_r <= ef_re;
            if (ef_re) ef_idx_r <= ef_idx_r + 6'd1 == nin_r ? 6'd0 : ef_idx_r + 6'd1;
            if (ef_infl_r) ef_wr_r <= ef_wr_r == 2'd2 ? 2'd0 : ef_wr_r + 2'd1;
            if (ef_pop) ef_rd_r <= ef_rd_r == 2'd2 ? 2'd0 : ef_rd_r + 2'd1;
            ef_cnt_r <= ef_cnt_r + 2'(ef_infl_r) - 2'(ef_pop);
        end
        if (ef_infl_r) ef_r[64*ef_wr_r +: 64] <= {i_ew_coef, i_ew_ref};
    end

    // ------------------------------------------------------------------ REQUANT PERCH: the entry
    logic       wf_busy_r;    // reading the entry's rows
    logic [3:0] wf_k_r;       // the next row (from frow)
    logic       wf_tv_r;      // a row arrives this cycle: row wf_tk_r
    logic [3:0] wf_tk_r;
    logic [39:0] ent_r;       // qmul (bytes 0-3), qshift (byte 4)
    logic       wf_go;
    assign wf_go   = run && adv && sl_r == 4'd0 && pf_r;
    assign o_w_re  = wf_busy_r;
    assign o_w_row = frow_r + WRW'(wf_k_r);

    always_ff @(posedge i_clk) begin
        if (i_rst) begin
            wf_busy_r <= 1'b0;
            wf_tv_r   <= 1'b0;
        end else begin
            wf_tv_r <= wf_busy_r;
            if (wf_go) begin
                wf_busy_r <= 1'b1;
                wf_k_r    <= 4'd0;
            end else if (wf_busy_r) begin
                wf_k_r <= wf_k_r + 4'd1;
                if (wf_k_r + 4'd1 == nrows(fcol_r)) wf_busy_r <= 1'b0;
            end
        end
        wf_tk_r <= wf_k_r;
        if (wf_tv_r)
            for (int j = 0; j < 5; j++) begin : pick
                logic [15:0] t, cj;
                t  = fcol_r + 16'(j);
                cj = t - 16'(divc(t)) * 16'(COLS);
                if (divc(t) == wf_tk_r) ent_r[8*j +: 8] <= i_w_rdata[8*cj +: 8];
            end
    end

    // ------------------------------------------------------------------ the run
    logic [31:0] rn;          // REQUANT, GAVG: bytes of this read
    assign rn = is_rq ? min32(rdl_r, 32'(BPA)) : min32(rdl_r, 32'(VW));

    always_ff @(posedge i_clk) begin
        done_r <= 1'b0;
        if (i_rst) begin
            st_r   <= S_IDLE;
            pw_v_r <= 1'b0;
        end else begin
            case (st_r)
                S_IDLE:  if (i_start) st_r <= S_SETUP;
                S_SETUP: if (setup_end) st_r <= S_RUN;
                S_RUN: if (w_slot && adv && ph_r) begin
                    st_r   <= S_IDLE;
                    done_r <= 1'b1;
                end
                default: st_r <= S_IDLE;
            endcase
            if (begin_u) pw_v_r <= run;
        end

        // the instruction, and the cursors' starts
        if (st_r == S_IDLE && i_start) begin
            op_r       <= i_op;
            relu_r     <= i_relu;
            avg_r      <= i_avg;
            perch_r    <= i_perch && i_op == OP_REQUANT;
            back_r     <= i_dst > i_src && i_dst - i_src < i_elems;
            src_r      <= i_src;
            dst_r      <= i_dst;
            n_r        <= i_elems;
            src_cs_r   <= i_src_cs;
            dst_cs_r   <= i_dst_cs;
            src_row0_r <= i_src_row0;
            dst_row0_r <= i_dst_row0;
            oy0_r      <= i_oy0;
            oy1_r      <= i_oy1;
            in_c_r     <= i_in_c;
            in_h_r     <= i_in_h;
            in_w_r     <= i_in_w;
            out_w_r    <= i_out_w;
            kh_r       <= i_kh;
            kw_r       <= i_kw;
            sh_r       <= i_sh;
            sw_r       <= i_sw;
            dh_r       <= i_dh;
            dw_r       <= i_dw;
            pt_r       <= i_pt;
            pl_r       <= i_pl;
            qmul_r     <= i_qmul;
            qshift_r   <= i_qshift;
            chans_r    <= i_chans;
            nin_r      <= i_nin;
            left_r     <= i_op == OP_GAVG ? 32'(i_in_c) : i_elems;
            rp_r       <= i_src;
            wp_r       <= i_dst;
            pleft_r    <= i_perch ? 32'd0 : i_elems;
            pq_r       <= i_elems;
            pr_r       <= 33'd0;
            tq_r       <= i_table;
            tr_r       <= 33'd0;
            stp_r      <= 6'd0;
        end

        if (st_r == S_SETUP) begin
            stp_r <= stp_r + 6'd1;
            if (perch_r && stp_r < 6'd32) begin : divide
                logic [32:0] a, b;
                a = {pr_r[31:0], pq_r[31]};
                b = {tr_r[31:0], tq_r[31]};
                if (a >= 33'(chans_r)) begin
                    pr_r <= a - 33'(chans_r);
                    pq_r <= {pq_r[30:0], 1'b1};
                end else begin
                    pr_r <= a;
                    pq_r <= {pq_r[30:0], 1'b0};
                end
                if (b >= 33'(COLS)) begin
                    tr_r <= b - 33'(COLS);
                    tq_r <= {tq_r[30:0], 1'b1};
                end else begin
                    tr_r <= b;
                    tq_r <= {tq_r[30:0], 1'b0};
                end
            end
            if (is_gavg && stp_r == 6'd0) hw_r <= mul_p;
            if (is_pool) begin
                case (stp_r[2:0])
                    3'd0: begin
                        iyb_r <= mul_p - 32'(signed'(pt_r));
                        lv_r  <= lv_calc;
                    end
                    3'd1: kk_r <= mul_p[15:0];
                    3'd2: rowb_r <= src_r + mul_p;
                    3'd3: shw_r <= mul_p;
                    3'd4: dhw_r <= mul_p;
                    3'd5: begin
                        // the cursor one tile before the first: the next tile is (0, oy0, 0)
                        dstc_r <= dst_r + mul_p - dst_cs_r;
                        rowc_r <= rowb_r - src_cs_r;
                        c_r    <= 16'hffff;
                        oy_r   <= oy1_r - 16'd1;
                        ox0_r  <= out_w_r;
                    end
                    default: lvsw_r <= mul_p;
                endcase
            end
        end

        if (begin_u) begin
            ph_r      <= nx_ph;
            pf_r      <= nx_pf;
            m_r       <= nx_m;
            rdl_r     <= nx_rdl;
            sl_r      <= 4'd0;
            rk_r      <= '0;
            left_r    <= nx_left;
            off_r     <= nx_off;
            rp_r      <= nx_rp;
            wp_r      <= nx_wp;
            pleft_r   <= nx_pleft;
            pw_addr_r <= cw_addr_r;
            pw_n_r    <= cw_n_r;
            cw_addr_r <= nx_cw_addr;
            cw_n_r    <= nx_cw_n;
            if (is_rq) begin
                tq_r   <= nx_tq;
                tr_r   <= nx_tr;
                frow_r <= nx_frow;
                fcol_r <= nx_fcol;
            end
            if (is_pool) begin
                c_r    <= nx_c;
                oy_r   <= nx_oy;
                ox0_r  <= nx_ox0;
                nl_r   <= nx_nl;
                ix0_r  <= nx_ix0;
                iyt_r  <= nx_iyt;
                rowc_r <= nx_rowc;
                rowt_r <= nx_rowt;
                dstc_r <= nx_dstc;
                dsty_r <= nx_dsty;
                kx_r   <= 8'd0;
                iy_r   <= nx_iyt;
                row_r  <= nx_rowt;
                ixk_r  <= nx_ix0;
            end
        end else if (run && adv) begin
            if (sl_r != 4'd15) sl_r <= sl_r + 4'd1;
            if (rd_slot) begin
                if (is_rq || is_gavg) begin
                    rp_r  <= rp_r + rn;
                    rdl_r <= rdl_r - rn;
                    rk_r  <= rk_r + RKW'(1);
                end else begin
                    rdl_r <= rdl_r - 32'd1;
                end
                if (is_pool) begin
                    if (kx_r + 8'd1 < kw_r) begin
                        kx_r  <= kx_r + 8'd1;
                        ixk_r <= ixk_r + 32'(dw_r);
                    end else begin
                        kx_r  <= 8'd0;
                        ixk_r <= ix0_r;
                        iy_r  <= iy_r + 32'(dh_r);
                        row_r <= row_r + dhw_r;
                    end
                end
            end
        end
    end

    // ------------------------------------------------------------------ data: what a read brings
    // tg_*: the read slot of the previous advancing cycle, whose data is on i_a_rdata now
    logic                tg_v_r, tg_first_r;
    logic      [RKW-1:0] tg_k_r;
    logic         [15:0] tg_n_r, tg_base_r;
    logic       [VW-1:0] tg_mask_r;
    logic         [31:0] tg_coef_r;

    logic  [8*WIN-1:0] res_r;      // RELU, COPY: the unit's bytes
    logic [32*VW-1:0]  ac_r;       // EW: accumulators
    logic [32*VW-1:0]  ub_r;       // REQUANT: the unit's int32s
    logic  [8*VW-1:0]  pb_r;       // POOL: per lane max,
    logic [24*VW-1:0]  ps_r;       //   sum,
    logic [16*VW-1:0]  pc_r;       //   and count of the valid elements
    logic [24*VW-1:0]  da_r;       // POOL divider: remainder (|sum| + cnt/2 at the start),
    logic [24*VW-1:0]  dd_r;       //   divisor shifted (cnt << 7, then halved each step),
    logic  [8*VW-1:0]  dq_r;       //   quotient (the max for POOL max),
    logic    [VW-1:0]  dn_r;       //   negative mean
    logic       [41:0] gs_r;       // GAVG: the channel's sum
    logic       [40:0] ga_r;       // GAVG divider, as the POOL lanes'
    logic       [39:0] gd_r;
    logic        [7:0] gq_r;
    logic              gn_r;

    always_ff @(posedge i_clk) begin
        if (i_rst || st_r == S_IDLE) tg_v_r <= 1'b0;
        else if (run && adv) tg_v_r <= rd_slot;
    end

    always_ff @(posedge i_clk) begin
        if (run && adv) begin
            tg_first_r <= sl_r == 4'd0;
            tg_k_r     <= rk_r;
            tg_n_r     <= rn[15:0];
            tg_mask_r  <= tp_mask;
            tg_base_r  <= tp_base;
            tg_coef_r  <= ef_head[63:32];
            if (tg_v_r) begin
                if (is_relu || is_copy)
                    for (int b = 0; b < WIN; b++)
                        res_r[8*b +: 8] <= is_relu && i_a_rdata[8*b+7] ? 8'd0 : i_a_rdata[8*b +: 8];
                if (is_ew)
                    for (int l = 0; l < VW; l++) begin : ew_lane
                        logic [31:0] p;
                        p = tg_coef_r * 32'(signed'(i_a_rdata[8*l +: 8]));
                        ac_r[32*l +: 32] <= (tg_first_r ? 32'd0 : ac_r[32*l +: 32]) + p;
                    end
                if (is_rq)
                    for (int b = 0; b < 4 * VW; b++)
                        if (tg_k_r == RKW'(b / BPA)) ub_r[8*b +: 8] <= i_a_rdata[8*(b % BPA) +: 8];
                if (is_gavg) begin : gavg_sum
                    logic [41:0] s;
                    s = tg_first_r ? 42'd0 : gs_r;
                    for (int j = 0; j < VW; j++)
                        if (16'(j) < tg_n_r) s = s + 42'(signed'(i_a_rdata[8*j +: 8]));
                    gs_r <= s;
                end
                if (is_pool) begin : pool_acc
                    logic [8*WIN-1:0] v;   // the window seen from lane 0's input
                    logic       [7:0] x, b0;
                    logic      [23:0] s0;
                    logic      [15:0] c0;
                    v = i_a_rdata << {tg_base_r, 3'b000};
                    for (int l = 0; l < VW; l++) begin
                        x = v[7:0];   // lane l's byte is v's byte l * sw (< WIN when the lane is valid)
                        for (int s = 1; l > 0 && l * s < WIN; s++)
                            if (sw_r == 8'(s)) x = v[8*l*s +: 8];
                        b0 = tg_first_r ? 8'h80 : pb_r[8*l +: 8];
                        s0 = tg_first_r ? 24'd0 : ps_r[24*l +: 24];
                        c0 = tg_first_r ? 16'd0 : pc_r[16*l +: 16];
                        if (tg_mask_r[l]) begin
                            if (signed'(x) > signed'(b0)) b0 = x;
                            s0 = s0 + 24'(signed'(x));
                            c0 = c0 + 16'd1;
                        end
                        pb_r[8*l +: 8]   <= b0;
                        ps_r[24*l +: 24] <= s0;
                        pc_r[16*l +: 16] <= c0;
                    end
                end
            end
            // the previous unit's results: load the dividers in slot 0, 8 steps in slots 1..8
            if (sl_r == 4'd0) begin
                if (is_pool) for (int l = 0; l < VW; l++) begin : pool_load
                    logic [23:0] s, mag;
                    logic [15:0] c;
                    s   = ps_r[24*l +: 24];
                    c   = pc_r[16*l +: 16];
                    mag = s[23] ? 24'd0 - s : s;
                    da_r[24*l +: 24] <= mag + 24'(c[15:1]);
                    dd_r[24*l +: 24] <= c == 16'd0 ? 24'hffffff : {1'b0, c, 7'd0};
                    dq_r[8*l +: 8]   <= avg_r ? 8'd0 : pb_r[8*l +: 8];
                    dn_r[l]          <= avg_r && s[23];
                end
                if (is_gavg) begin : gavg_load
                    logic [40:0] mag;
                    mag  = gs_r[41] ? 41'(42'd0 - gs_r) : gs_r[40:0];
                    ga_r <= mag + 41'(hw_r[31:1]);
                    gd_r <= hw_r == 32'd0 ? 40'hff_ffff_ffff : {1'b0, hw_r, 7'd0};
                    gq_r <= 8'd0;
                    gn_r <= gs_r[41];
                end
            end else if (sl_r <= 4'd8) begin
                for (int l = 0; l < VW; l++)
                    if (is_pool && avg_r) begin
                        if (da_r[24*l +: 24] >= dd_r[24*l +: 24]) begin
                            da_r[24*l +: 24] <= da_r[24*l +: 24] - dd_r[24*l +: 24];
                            dq_r[8*l +: 8]   <= {dq_r[8*l +: 7], 1'b1};
                        end else begin
                            dq_r[8*l +: 8] <= {dq_r[8*l +: 7], 1'b0};
                        end
                        dd_r[24*l +: 24] <= dd_r[24*l +: 24] >> 1;
                    end
                if (is_gavg) begin
                    if (41'(gd_r) <= ga_r) begin
                        ga_r <= ga_r - 41'(gd_r);
                        gq_r <= {gq_r[6:0], 1'b1};
                    end else begin
                        gq_r <= {gq_r[6:0], 1'b0};
                    end
                    gd_r <= gd_r >> 1;
                end
            end
        end
    end

    // ------------------------------------------------------------------ requantization (EW, REQUANT)
    logic [8*VW-1:0] rq_q;
    logic            rq_en;
    assign rq_en = run && adv && sl_r < 4'(RQ_LAT);   // the previous unit's sums, from slot 0

    npu_requant #(
        .LANES(VW)
    ) u_requant (
        .i_clk   (i_clk),
        .i_en    (rq_en),
        .i_acc   (is_ew ? ac_r : ub_r),
        .i_qmul  (perch_r ? ent_r[31:0] : qmul_r),
        .i_qshift(perch_r ? ent_r[39:32] : qshift_r),
        .i_relu  (relu_r),
        .o_q     (rq_q)
    );

    // ------------------------------------------------------------------ port A
    logic [8*VW-1:0] pool_y;
    logic      [7:0] gavg_y;
    assign gavg_y = gn_r ? 8'd0 - gq_r : gq_r;
    always_comb begin
        for (int l = 0; l < VW; l++)
            pool_y[8*l +: 8] = dn_r[l] ? 8'd0 - dq_r[8*l +: 8] : dq_r[8*l +: 8];
    end

    always_comb begin
        o_a_req  = 1'b0;
        o_a_we   = 1'b0;
        o_a_addr = pw_addr_r;
        o_a_n    = pw_n_r;
        if (rd_slot) begin
            o_a_req  = is_pool ? tp_any : 1'b1;
            o_a_addr = is_pool ? tp_addr : is_ew ? ef_head[31:0] + off_r : rp_r;
            o_a_n    = is_pool ? tp_n : is_rq || is_gavg ? rn[15:0] : cw_n_r;
        end else if (w_slot && pw_v_r) begin
            o_a_req = 1'b1;
            o_a_we  = 1'b1;
        end
        if (is_relu || is_copy) o_a_wdata = res_r;
        else if (is_pool) o_a_wdata = (8*WIN)'(pool_y);
        else if (is_gavg) o_a_wdata = (8*WIN)'(gavg_y);
        else o_a_wdata = (8*WIN)'(rq_q);
    end

    assign o_busy = st_r != S_IDLE;
    assign o_done = done_r;

    logic unused_ok;
    assign unused_ok = &{1'b0, i_out_h, pr_r};

endmodule

`default_nettype wire
