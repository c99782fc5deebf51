// npu_vec: the vector unit, VW int8 lanes: POOL, GAVG, EW, REQUANT, COPY,
// RELU.
//
// One step per cycle; the cost model charges ceil(elements * passes / VW):
//   EW       for each chunk of VW elements, one step per input: the lanes
//            accumulate coef_k * in_k (int32, wrapping), then requantize
//   REQUANT  a chunk of VW int32 partial sums (4*VW bytes) per step; with
//            PERCH (i_perch) the elements are i_chans planes, and each
//            lane reads its channel's qmul and qshift from the table at
//            i_aux (entry c at aux + 12*c: bias, qmul, qshift) through the
//            gather port, taps 0-4 of the lane: the same step, no more
//            steps.  Lanes follow their element's plane position and table
//            entry with adders (one division per instruction, for the plane)
//   COPY     VW bytes per step; backwards when the destination overlaps the
//            source from above, so an overlapping copy moves what a copy
//            through a temporary would
//   RELU     VW bytes per step
//   GAVG     per channel, VW elements of its plane per step summed into one
//            accumulator; the mean rounds half away from zero
//   POOL     VW consecutive outputs (c, oy, ox) per step, each lane reading
//            a PK x PK block of its window (PK = 3: the common windows take
//            one step per VW outputs, larger ones a step per block); max, or
//            the mean over the window's valid elements rounding half away
//            from zero
// Pipeline: A (addresses, registered) -> memory read -> B (accumulate) ->
// C (requantize, divide) -> D (write up to VW bytes).
`default_nettype none

module npu_vec #(
    parameter int VW   = 4,
    parameter int PK   = 3,
    parameter int NIN  = 32,
    parameter int VG   = VW * PK * PK
) (
    input  wire logic        i_clk,
    input  wire logic        i_rst,
    // instruction: latched on i_start, run from i_go
    input  wire logic        i_start,
    input  wire logic        i_go,
    input  wire logic  [7:0] i_op,
    input  wire logic        i_relu,
    input  wire logic        i_avg,
    input  wire logic [31:0] i_src,
    input  wire logic [31:0] i_dst,
    input  wire logic [31:0] i_elems,
    input  wire logic [15:0] i_in_c,
    input  wire logic [15:0] i_in_h,
    input  wire logic [15:0] i_in_w,
    input  wire logic [15:0] i_out_h,
    input  wire logic [15:0] i_out_w,
    input  wire logic  [7:0] i_kh,
    input  wire logic  [7:0] i_kw,
    input  wire logic  [7:0] i_sh,
    input  wire logic  [7:0] i_sw,
    input  wire logic  [7:0] i_dh,
    input  wire logic  [7:0] i_dw,
    input  wire logic  [7:0] i_pt,
    input  wire logic  [7:0] i_pl,
    input  wire logic [31:0] i_qmul,
    input  wire logic  [7:0] i_qshift,
    input  wire logic        i_perch,
    input  wire logic [31:0] i_aux,
    input  wire logic [15:0] i_chans,
    input  wire logic  [5:0] i_nin,
    input  wire logic [NIN-1:0][31:0] i_in,
    input  wire logic [NIN-1:0][31:0] i_coef,
    output logic             o_busy,
    output logic             o_done,
    // contiguous reads: VW bytes, or 4*VW with o_r_wide
    output logic             o_r_en,
    output logic             o_r_dram,
    output logic             o_r_wide,
    output logic      [31:0] o_r_addr,
    input  wire logic [4*VW-1:0][7:0] i_r_s,
    input  wire logic [4*VW-1:0][7:0] i_r_d,
    // pooling windows: VW lanes x PK x PK gathered bytes, lane l's tap t at
    // o_g_base[l] + o_g_off[t], taps outside o_g_mask not read
    output logic             o_g_en,
    output logic             o_g_dram,
    output logic [VW-1:0][31:0] o_g_base,
    output logic [PK*PK-1:0][31:0] o_g_off,
    output logic [VG-1:0]    o_g_mask,
    input  wire logic [VG-1:0][7:0] i_g_s,
    input  wire logic [VG-1:0][7:0] i_g_d,
    // writes: up to VW contiguous bytes
    output logic             o_y_en,
    output logic             o_y_dram,
    output logic      [31:0] o_y_addr,
    output logic      [15:0] o_y_n,
    output logic [VW-1:0][7:0] o_y_data
);

    localparam logic [7:0] OP_POOL = 8'h11, OP_GAVG = 8'h12, OP_EW = 8'h13;
    localparam logic [7:0] OP_REQUANT = 8'h14, OP_COPY = 8'h15, OP_RELU = 8'h16;
    localparam int PKK = PK * PK;

    typedef enum logic [2:0] {
        IDLE,
        ARMED,
        SETUP,
        RUN,
        DRAIN
    } state_t;

    state_t st_r;
    logic   done_r;

    // ---- the instruction ----
    logic         [7:0] op_r;
    logic               relu_r, avg_r;
    logic        [31:0] src_r, dst_r, n_r;
    logic               src_dram_r, dst_dram_r;
    logic        [15:0] in_c_r, oh_r, ow_r;
    logic signed [31:0] ih_r, iw_r;
    logic         [7:0] kh_r, kw_r, sh_r, sw_r, dh_r, dw_r;
    logic signed  [7:0] pt_r, pl_r;
    logic        [31:0] qmul_r;
    logic         [7:0] qshift_r;
    logic               perch_r;
    logic        [31:0] tab_r;
    logic        [15:0] chans_r;
    logic         [5:0] nin_r;
    logic [NIN-1:0][31:0] in_r;
    logic [NIN-1:0][31:0] coef_r;

    // ---- per-instruction constants ----
    logic        [31:0] hw_r, total_r;
    logic         [7:0] nby_r, nbx_r;
    logic               back_r;                 // COPY backwards
    logic        [15:0] dox_r, doy_r;           // VW outputs on: (oy, ox) part
    logic        [31:0] dox_sw_r, doy_sh_r, doy_shw_r, dc_hw_r;
    logic        [31:0] ow_sw_r, oh_sh_r, oh_shw_r, shw_r;
    logic        [31:0] plane_r, dqp_r, dqt_r;    // PERCH: plane; VW elements on

    // ---- loop state: the next step ----
    logic               fin_r;
    logic        [31:0] e0_r;                   // element (EW, REQUANT, COPY, RELU), output (POOL)
    logic         [5:0] k_r;                    // EW input
    logic        [15:0] c_r;                    // GAVG channel
    logic        [31:0] j_r, cb_r;              // GAVG: element in the plane, plane base
    logic         [7:0] by_r, bx_r;             // POOL window block
    logic [VW-1:0][15:0] lox_r;             // POOL lanes: output coordinates
    logic [VW-1:0][15:0] loy_r;
    logic [VW-1:0][31:0] lcb_r;             // c * in_h * in_w
    logic signed [VW-1:0][31:0] lix_r;             // ox * sw - pl
    logic signed [VW-1:0][31:0] liy_r;             // oy * sh - pt
    logic signed [VW-1:0][31:0] lrow_r;            // liy * in_w
    logic [VW-1:0][31:0] lqp_r;             // PERCH lanes: position in the plane
    logic [VW-1:0][31:0] lqt_r;             // and the entry's qmul address

    // ---- stage A ----
    logic               a_v_r, a_first_r, a_last_r;
    logic        [15:0] a_n_r;
    logic        [31:0] a_yaddr_r, a_coef_r;
    logic               a_r_en_r, a_r_dram_r, a_r_wide_r, a_g_en_r;
    logic        [31:0] a_r_addr_r;
    logic [VW-1:0][31:0] a_g_base_r;
    logic [PKK-1:0][31:0] a_g_off_r;
    logic      [VG-1:0] a_tapv_r;
    // ---- stage B ----
    logic               b_v_r, b_first_r, b_last_r, b_dram_r;
    logic        [15:0] b_n_r;
    logic        [31:0] b_yaddr_r, b_coef_r;
    logic      [VG-1:0] b_tapv_r;
    logic [VW-1:0][31:0] acc_r;                 // EW, REQUANT
    logic [VW-1:0][31:0] lane_qmul;             // REQUANT with PERCH: per lane
    logic  [VW-1:0][7:0] lane_qshift;
    logic [VW-1:0][31:0] qm_r;
    logic  [VW-1:0][7:0] qs_r;
    logic               g_dram, unused_tab_space;
    logic  [VW-1:0][7:0] res_r;                 // COPY, RELU
    logic signed [63:0] sum_r;                  // GAVG
    logic signed  [VW-1:0][7:0] best_r;            // POOL
    logic signed [VW-1:0][31:0] psum_r;
    logic [VW-1:0][15:0] pcnt_r;
    // ---- stage C ----
    logic               c_v_r;
    logic        [15:0] c_n_r;
    logic        [31:0] c_yaddr_r;
    // ---- stage D ----
    logic               d_v_r;
    logic        [15:0] d_n_r;
    logic        [31:0] d_yaddr_r;
    logic  [VW-1:0][7:0] d_res_r;
    logic  [VW-1:0][7:0] q;

    logic               is_rq;
    assign is_rq = op_r == OP_EW || op_r == OP_REQUANT;

    function automatic logic [7:0] rdiv(input logic signed [63:0] s, input logic [31:0] n);
        logic signed [63:0] d, h;
        if (n == 0) return 8'h00;
        d = 64'(n);
        h = d >>> 1;
        return s >= 0 ? 8'((s + h) / d) : 8'(-((-s + h) / d));
    endfunction

    function automatic logic [15:0] min_n(input logic [31:0] left);
        return left < 32'(VW) ? 16'(left) : 16'(VW);
    endfunction

    always_ff @(posedge i_clk) begin
        done_r   <= 1'b0;
        a_v_r    <= 1'b0;
        a_r_en_r <= 1'b0;
        a_g_en_r <= 1'b0;
        case (st_r)
            IDLE: if (i_start) begin
                op_r       <= i_op;
                relu_r     <= i_relu;
                avg_r      <= i_avg;
                src_r      <= {1'b0, i_src[30:0]};
                src_dram_r <= i_src[31];
                dst_r      <= {1'b0, i_dst[30:0]};
                dst_dram_r <= i_dst[31];
                n_r        <= i_elems;
                in_c_r     <= i_in_c;
                ih_r       <= 32'(i_in_h);
                iw_r       <= 32'(i_in_w);
                oh_r       <= i_out_h;
                ow_r       <= i_out_w;
                kh_r       <= i_kh;
                kw_r       <= i_kw;
                sh_r       <= i_sh;
                sw_r       <= i_sw;
                dh_r       <= i_dh;
                dw_r       <= i_dw;
                pt_r       <= signed'(i_pt);
                pl_r       <= signed'(i_pl);
                qmul_r     <= i_qmul;
                qshift_r   <= i_qshift;
                perch_r    <= i_perch && i_op == OP_REQUANT;
                tab_r      <= {1'b0, i_aux[30:0]};
                chans_r    <= i_chans;
                nin_r      <= i_nin;
                in_r       <= i_in;
                coef_r     <= i_coef;
                st_r       <= ARMED;
            end
            ARMED: if (i_go) st_r <= SETUP;
            SETUP: begin : setup
                logic        [15:0] c, oy, ox;
                logic        [31:0] hw;
                logic [VW-1:0][15:0] lox;
                logic [VW-1:0][15:0] loy;
                logic [VW-1:0][31:0] lcb;
                logic signed [VW-1:0][31:0] lix;
                logic signed [VW-1:0][31:0] liy;
                logic signed [VW-1:0][31:0] lrow;
                hw      = 32'(ih_r) * 32'(iw_r);
                hw_r    <= hw;
                total_r <= 32'(in_c_r) * 32'(oh_r) * 32'(ow_r);
                nby_r   <= 8'((16'(kh_r) + 16'(PK - 1)) / 16'(PK));
                nbx_r   <= 8'((16'(kw_r) + 16'(PK - 1)) / 16'(PK));
                back_r  <= op_r == OP_COPY && src_dram_r == dst_dram_r && dst_r > src_r &&
                           dst_r < src_r + n_r;
                shw_r     <= 32'(sh_r) * 32'(iw_r);
                ow_sw_r   <= 32'(ow_r) * 32'(sw_r);
                oh_sh_r   <= 32'(oh_r) * 32'(sh_r);
                oh_shw_r  <= 32'(oh_r) * 32'(sh_r) * 32'(iw_r);
                // POOL lanes: outputs 0..VW-1, and VW on, by counting
                c  = 0;
                oy = 0;
                ox = 0;
                for (int l = 0; l <= VW; l++) begin
                    if (l < VW) begin
                        lox[l]  = ox;
                        loy[l]  = oy;
                        lcb[l]  = 32'(c) * hw;
                        lix[l]  = signed'(32'(ox) * 32'(sw_r)) - 32'(pl_r);
                        liy[l]  = signed'(32'(oy) * 32'(sh_r)) - 32'(pt_r);
                        lrow[l] = (signed'(32'(oy) * 32'(sh_r)) - 32'(pt_r)) * iw_r;
                    end else begin
                        dox_r     <= ox;
                        doy_r     <= oy;
                        dox_sw_r  <= 32'(ox) * 32'(sw_r);
                        doy_sh_r  <= 32'(oy) * 32'(sh_r);
                        doy_shw_r <= 32'(oy) * 32'(sh_r) * 32'(iw_r);
                        dc_hw_r   <= 32'(c) * hw;
                    end
                    ox = ox + 16'd1;
                    if (ox == ow_r) begin
                        ox = 0;
                        oy = oy + 16'd1;
                        if (oy == oh_r) begin
                            oy = 0;
                            c  = c + 16'd1;
                        end
                    end
                end
                // PERCH lanes: elements 0..VW-1 and VW on, by counting
                begin : perch
                    logic [31:0] plane, qp, qt;
                    logic [VW-1:0][31:0] lqp;
                    logic [VW-1:0][31:0] lqt;
                    plane   = chans_r == 0 ? 32'd1 : n_r / 32'(chans_r);
                    plane_r <= plane;
                    qp = 0;
                    qt = tab_r + 32'd4;
                    for (int l = 0; l <= VW; l++) begin
                        if (l < VW) begin
                            lqp[l] = qp;
                            lqt[l] = qt;
                        end else begin
                            dqp_r <= qp;
                            dqt_r <= qt - tab_r - 32'd4;
                        end
                        qp = qp + 32'd1;
                        if (qp == plane) begin
                            qp = 0;
                            qt = qt + 32'd12;
                        end
                    end
                    lqp_r <= lqp;
                    lqt_r <= lqt;
                end
                lox_r  <= lox;
                loy_r  <= loy;
                lcb_r  <= lcb;
                lix_r  <= lix;
                liy_r  <= liy;
                lrow_r <= lrow;
                fin_r <= 1'b0;
                e0_r  <= op_r == OP_COPY && src_dram_r == dst_dram_r && dst_r > src_r &&
                         dst_r < src_r + n_r ? ((n_r - 32'd1) / 32'(VW)) * 32'(VW) : 32'd0;
                k_r   <= '0;
                c_r   <= '0;
                j_r   <= '0;
                cb_r  <= src_r;
                by_r  <= '0;
                bx_r  <= '0;
                st_r  <= RUN;
            end
            RUN: if (fin_r) begin
                st_r <= DRAIN;
            end else begin
                a_v_r <= 1'b1;
                case (op_r)
                    OP_EW: begin
                        a_first_r  <= k_r == 0;
                        a_last_r   <= k_r == nin_r - 6'd1;
                        a_n_r      <= min_n(n_r - e0_r);
                        a_yaddr_r  <= dst_r + e0_r;
                        a_coef_r   <= coef_r[5'(k_r)];
                        a_r_en_r   <= 1'b1;
                        a_r_dram_r <= in_r[5'(k_r)][31];
                        a_r_wide_r <= 1'b0;
                        a_r_addr_r <= {1'b0, in_r[5'(k_r)][30:0]} + e0_r;
                        if (k_r == nin_r - 6'd1) begin
                            k_r  <= '0;
                            e0_r <= e0_r + 32'(VW);
                            if (n_r - e0_r <= 32'(VW)) fin_r <= 1'b1;
                        end else begin
                            k_r <= k_r + 6'd1;
                        end
                    end
                    OP_REQUANT: begin
                        a_first_r  <= 1'b1;
                        a_last_r   <= 1'b1;
                        a_n_r      <= min_n(n_r - e0_r);
                        a_yaddr_r  <= dst_r + e0_r;
                        a_r_en_r   <= 1'b1;
                        a_r_dram_r <= src_dram_r;
                        a_r_wide_r <= 1'b1;
                        a_r_addr_r <= src_r + (e0_r << 2);
                        e0_r       <= e0_r + 32'(VW);
                        if (n_r - e0_r <= 32'(VW)) fin_r <= 1'b1;
                        if (perch_r) begin : lanes_q
                            logic      [VG-1:0] tapv;
                            logic [PKK-1:0][31:0] goff;
                            logic [VW-1:0][31:0] nqp;
                            logic [VW-1:0][31:0] nqt;
                            tapv = '0;
                            for (int t = 0; t < PKK; t++) goff[t] = 32'(t);
                            for (int l = 0; l < VW; l++) begin
                                logic [31:0] qp, qt;
                                for (int t = 0; t < 5; t++)
                                    tapv[l * PKK + t] = e0_r + 32'(l) < n_r;
                                qp = lqp_r[l] + dqp_r;
                                qt = lqt_r[l] + dqt_r;
                                if (qp >= plane_r) begin
                                    qp = qp - plane_r;
                                    qt = qt + 32'd12;
                                end
                                nqp[l] = qp;
                                nqt[l] = qt;
                            end
                            a_g_en_r   <= 1'b1;
                            a_g_base_r <= lqt_r;
                            a_g_off_r  <= goff;
                            a_tapv_r   <= tapv;
                            lqp_r      <= nqp;
                            lqt_r      <= nqt;
                        end
                    end
                    OP_GAVG: begin
                        a_first_r  <= j_r == 0;
                        a_last_r   <= hw_r - j_r <= 32'(VW);
                        a_n_r      <= min_n(hw_r - j_r);
                        a_yaddr_r  <= dst_r + 32'(c_r);
                        a_r_en_r   <= 1'b1;
                        a_r_dram_r <= src_dram_r;
                        a_r_wide_r <= 1'b0;
                        a_r_addr_r <= cb_r + j_r;
                        if (hw_r - j_r <= 32'(VW)) begin
                            j_r  <= '0;
                            c_r  <= c_r + 16'd1;
                            cb_r <= cb_r + hw_r;
                            if (c_r == in_c_r - 16'd1) fin_r <= 1'b1;
                        end else begin
                            j_r <= j_r + 32'(VW);
                        end
                    end
                    OP_POOL: begin : pool
                        logic signed [PK-1:0][31:0] tyd;
                        logic signed [PK-1:0][31:0] tydw;
                        logic signed [PK-1:0][31:0] txd;
                        logic      [PK-1:0] tyv, txv;
                        logic      [VG-1:0] tapv;
                        logic [VW-1:0][31:0] gbase;
                        logic [PKK-1:0][31:0] goff;
                        for (int t = 0; t < PK; t++) begin
                            tyd[t]  = signed'((32'(by_r) * 32'(PK) + 32'(t)) * 32'(dh_r));
                            tydw[t] = tyd[t] * iw_r;
                            txd[t]  = signed'((32'(bx_r) * 32'(PK) + 32'(t)) * 32'(dw_r));
                            tyv[t]  = 32'(by_r) * 32'(PK) + 32'(t) < 32'(kh_r);
                            txv[t]  = 32'(bx_r) * 32'(PK) + 32'(t) < 32'(kw_r);
                        end
                        a_first_r  <= by_r == 0 && bx_r == 0;
                        a_last_r   <= by_r == nby_r - 8'd1 && bx_r == nbx_r - 8'd1;
                        a_n_r      <= min_n(total_r - e0_r);
                        a_yaddr_r  <= dst_r + e0_r;
                        a_g_en_r   <= 1'b1;
                        for (int ty = 0; ty < PK; ty++)
                            for (int tx = 0; tx < PK; tx++)
                                goff[ty * PK + tx] = unsigned'(tydw[ty] + txd[tx]);
                        for (int l = 0; l < VW; l++) begin
                            gbase[l] = src_r + lcb_r[l] + unsigned'(lrow_r[l] + lix_r[l]);
                            for (int ty = 0; ty < PK; ty++) begin
                                for (int tx = 0; tx < PK; tx++) begin
                                    logic signed [31:0] iy, ix;
                                    iy = liy_r[l] + tyd[ty];
                                    ix = lix_r[l] + txd[tx];
                                    tapv[l * PKK + ty * PK + tx] =
                                        e0_r + 32'(l) < total_r && tyv[ty] && txv[tx] &&
                                        iy >= 0 && iy < ih_r && ix >= 0 && ix < iw_r;
                                end
                            end
                        end
                        a_tapv_r   <= tapv;
                        a_g_base_r <= gbase;
                        a_g_off_r  <= goff;
                        if (bx_r != nbx_r - 8'd1) begin
                            bx_r <= bx_r + 8'd1;
                        end else begin
                            bx_r <= '0;
                            if (by_r != nby_r - 8'd1) begin
                                by_r <= by_r + 8'd1;
                            end else begin : lanes
                                logic [VW-1:0][15:0] nox;
                                logic [VW-1:0][15:0] noy;
                                logic [VW-1:0][31:0] ncb;
                                logic signed [VW-1:0][31:0] nix;
                                logic signed [VW-1:0][31:0] niy;
                                logic signed [VW-1:0][31:0] nrow;
                                by_r <= '0;
                                e0_r <= e0_r + 32'(VW);
                                if (total_r - e0_r <= 32'(VW)) fin_r <= 1'b1;
                                for (int l = 0; l < VW; l++) begin
                                    logic [15:0] ox, oy;
                                    logic signed [31:0] ix, iy, row;
                                    logic [31:0] cb;
                                    logic cx, cy;
                                    ox  = lox_r[l] + dox_r;
                                    ix  = lix_r[l] + signed'(dox_sw_r);
                                    cx  = ox >= ow_r;
                                    if (cx) begin
                                        ox = ox - ow_r;
                                        ix = ix - signed'(ow_sw_r);
                                    end
                                    oy  = loy_r[l] + doy_r + 16'(cx);
                                    iy  = liy_r[l] + signed'(doy_sh_r) + (cx ? 32'(sh_r) : 32'sd0);
                                    row = lrow_r[l] + signed'(doy_shw_r) + (cx ? signed'(shw_r) : 32'sd0);
                                    cy  = oy >= oh_r;
                                    if (cy) begin
                                        oy  = oy - oh_r;
                                        iy  = iy - signed'(oh_sh_r);
                                        row = row - signed'(oh_shw_r);
                                    end
                                    cb  = lcb_r[l] + dc_hw_r + (cy ? hw_r : 32'd0);
                                    nox[l]  = ox;
                                    noy[l]  = oy;
                                    nix[l]  = ix;
                                    niy[l]  = iy;
                                    nrow[l] = row;
                                    ncb[l]  = cb;
                                end
                                lox_r  <= nox;
                                loy_r  <= noy;
                                lix_r  <= nix;
                                liy_r  <= niy;
                                lrow_r <= nrow;
                                lcb_r  <= ncb;
                            end
                        end
                    end
                    default: begin  // COPY, RELU
                        a_first_r  <= 1'b1;
                        a_last_r   <= 1'b1;
                        a_n_r      <= min_n(n_r - e0_r);
                        a_yaddr_r  <= dst_r + e0_r;
                        a_r_en_r   <= 1'b1;
                        a_r_dram_r <= src_dram_r;
                        a_r_wide_r <= 1'b0;
                        a_r_addr_r <= src_r + e0_r;
                        if (back_r) begin
                            e0_r <= e0_r - 32'(VW);
                            if (e0_r == 0) fin_r <= 1'b1;
                        end else begin
                            e0_r <= e0_r + 32'(VW);
                            if (n_r - e0_r <= 32'(VW)) fin_r <= 1'b1;
                        end
                    end
                endcase
            end
            DRAIN: if (!a_v_r && !b_v_r && !c_v_r && !d_v_r) begin
                done_r <= 1'b1;
                st_r   <= IDLE;
            end
            default: st_r <= IDLE;
        endcase

        // ---- stage B: data arrive, accumulate ----
        b_v_r     <= a_v_r;
        b_first_r <= a_first_r;
        b_last_r  <= a_last_r;
        b_n_r     <= a_n_r;
        b_yaddr_r <= a_yaddr_r;
        b_coef_r  <= a_coef_r;
        b_tapv_r  <= a_tapv_r;
        b_dram_r  <= op_r == OP_POOL ? src_dram_r : a_r_dram_r;
        if (b_v_r) begin : stage_b
            logic [VW-1:0][31:0] acc;
            logic  [VW-1:0][7:0] res;
            logic signed  [VW-1:0][7:0] pbest;
            logic signed [VW-1:0][31:0] psum;
            logic [VW-1:0][15:0] pcnt;
            case (op_r)
                OP_EW: begin
                    for (int l = 0; l < VW; l++) begin
                        logic [7:0] x;
                        x      = b_dram_r ? i_r_d[l] : i_r_s[l];
                        acc[l] = (b_first_r ? 32'd0 : acc_r[l]) + b_coef_r * {{24{x[7]}}, x};
                    end
                    acc_r <= acc;
                end
                OP_REQUANT: begin
                    for (int l = 0; l < VW; l++) begin
                        acc[l] = b_dram_r ? {i_r_d[4*l+3], i_r_d[4*l+2], i_r_d[4*l+1], i_r_d[4*l]}
                                          : {i_r_s[4*l+3], i_r_s[4*l+2], i_r_s[4*l+1], i_r_s[4*l]};
                        if (perch_r) begin  // the table is in DRAM
                            qm_r[l] <= {i_g_d[l * PKK + 3], i_g_d[l * PKK + 2], i_g_d[l * PKK + 1],
                                        i_g_d[l * PKK]};
                            qs_r[l] <= i_g_d[l * PKK + 4];
                        end
                    end
                    acc_r <= acc;
                end
                OP_GAVG: begin : gavg
                    logic signed [63:0] s;
                    s = b_first_r ? 64'sd0 : sum_r;
                    for (int l = 0; l < VW; l++)
                        if (16'(l) < b_n_r) s = s + 64'(signed'(b_dram_r ? i_r_d[l] : i_r_s[l]));
                    sum_r <= s;
                end
                OP_POOL: begin
                    for (int l = 0; l < VW; l++) begin
                        logic signed  [7:0] best;
                        logic signed [31:0] s;
                        logic        [15:0] n;
                        best = b_first_r ? -8'sd128 : best_r[l];
                        s    = b_first_r ? 32'sd0 : psum_r[l];
                        n    = b_first_r ? 16'd0 : pcnt_r[l];
                        for (int t = 0; t < PKK; t++)
                            if (b_tapv_r[l * PKK + t]) begin
                                logic signed [7:0] v;
                                v = signed'(b_dram_r ? i_g_d[l * PKK + t] : i_g_s[l * PKK + t]);
                                if (v > best) best = v;
                                s = s + 32'(v);
                                n = n + 16'd1;
                            end
                        pbest[l] = best;
                        psum[l]  = s;
                        pcnt[l]  = n;
                    end
                    best_r <= pbest;
                    psum_r <= psum;
                    pcnt_r <= pcnt;
                end
                OP_RELU: begin
                    for (int l = 0; l < VW; l++) begin
                        logic [7:0] x;
                        x      = b_dram_r ? i_r_d[l] : i_r_s[l];
                        res[l] = x[7] ? 8'h00 : x;
                    end
                    res_r <= res;
                end
                default: begin  // COPY
                    for (int l = 0; l < VW; l++) res[l] = b_dram_r ? i_r_d[l] : i_r_s[l];
                    res_r <= res;
                end
            endcase
        end

        // ---- stage C: finish a chunk ----
        c_v_r     <= b_v_r && b_last_r;
        c_n_r     <= b_n_r;
        c_yaddr_r <= b_yaddr_r;
        if (c_v_r) begin : stage_c
            logic [VW-1:0][7:0] r;
            r = res_r;
            case (op_r)
                OP_GAVG: r[0] = rdiv(sum_r, hw_r);
                OP_POOL:
                    for (int l = 0; l < VW; l++)
                        r[l] = avg_r ? rdiv(64'(signed'(psum_r[l])), 32'(pcnt_r[l])) : best_r[l];
                default: ;
            endcase
            d_res_r <= r;
        end

        // ---- stage D: write ----
        d_v_r     <= c_v_r;
        d_n_r     <= op_r == OP_GAVG ? 16'd1 : c_n_r;
        d_yaddr_r <= c_yaddr_r;

        if (i_rst) begin
            st_r     <= IDLE;
            done_r   <= 1'b0;
            a_v_r    <= 1'b0;
            a_r_en_r <= 1'b0;
            a_g_en_r <= 1'b0;
            b_v_r    <= 1'b0;
            c_v_r    <= 1'b0;
            d_v_r    <= 1'b0;
        end
    end

    always_comb
        for (int l = 0; l < VW; l++) begin
            lane_qmul[l]   = perch_r ? qm_r[l] : qmul_r;
            lane_qshift[l] = perch_r ? qs_r[l] : qshift_r;
        end
    assign g_dram = op_r == OP_POOL ? src_dram_r : 1'b1;  // the PERCH table is in DRAM
    assign unused_tab_space = i_aux[31];  // the table is always in DRAM

    // the gather port holds a lane's qmul and qshift in its first 5 taps
    if (PK * PK < 5) begin : g_pk_too_small
        $error("npu_vec: PERCH needs PK * PK >= 5");
    end

    npu_requant #(
        .LANES(VW)
    ) u_requant (
        .i_clk   (i_clk),
        .i_valid (c_v_r && is_rq),
        .i_lanes (c_n_r),
        .i_acc   (acc_r),
        .i_qmul  (lane_qmul),
        .i_qshift(lane_qshift),
        .i_relu  (relu_r),
        .o_q     (q)
    );

    assign o_busy   = st_r != IDLE;
    assign o_done   = done_r;
    assign o_r_en   = a_r_en_r;
    assign o_r_dram = a_r_dram_r;
    assign o_r_wide = a_r_wide_r;
    assign o_r_addr = a_r_addr_r;
    assign o_g_en   = a_g_en_r;
    assign o_g_dram = g_dram;
    assign o_g_base = a_g_base_r;
    assign o_g_off  = a_g_off_r;
    assign o_g_mask = a_tapv_r;
    assign o_y_en   = d_v_r;
    assign o_y_dram = dst_dram_r;
    assign o_y_addr = d_yaddr_r;
    assign o_y_n    = d_n_r;
    assign o_y_data = is_rq ? q : d_res_r;

endmodule

`default_nettype wire
