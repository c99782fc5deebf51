// npu_conv: the convolution engine: address generation around the MAC
// array (npu_mac) and requantization (npu_requant).
//
// Dataflow: output-stationary tiles of the cost model.  Each group's
// output channels go across the COLS columns, its reduction (input channel
// x kernel row x kernel column, the weights' [cin/groups][kh][kw] order)
// across the ROWS rows.  One step per cycle multiplies ROWS inputs by
// ROWS x COLS weights; the steps run
//     for g < groups, for each tile of COLS output channels,
//       for each output pixel (row-major), for each tile of ROWS reduction terms
// so a pixel's COLS accumulators finish after ceil(cin/groups*kh*kw / ROWS)
// steps, start from the bias (or from the partial sums at aux with PSUM),
// are requantized (or, with OUT32, written as int32) and written.  That is
//     groups * ceil(cout_g / COLS) * ceil(cin_g * kh * kw / ROWS) * out_h * out_w
// steps, the cost model's cycles, plus a few to set up and drain.
//
// Per-channel requantization (i_perch, flag PERCH): aux is a DRAM table of
// 12-byte {bias, qmul, qshift} entries, one per output channel.  With each
// pixel's first step, column c reads its channel's bias from the table (the
// bias port, at aux + 12*oc) and its qmul and qshift (the q port, the 5
// bytes at aux + 12*oc + 4); stage B keeps them per column until the
// pixel is requantized, each lane of npu_requant with its own pair.  No
// step is added: the table's bytes only lengthen the instruction's DRAM
// streaming, as fsim counts them.
//
// Every row keeps its reduction term's kernel tap and input-channel offset
// and moves them ROWS terms on per step with adders only; padding and
// cropping (negative padding) fall out of the bounds test on the input
// coordinates: a row outside the input reads 0.  Multiplications and
// divisions happen once per instruction, in SETUP.  The input port's
// enables and spaces are per row (o_x_en, o_x_dram): each memory sees only
// the rows that read it, and stage B takes each row's byte from the memory
// it asked.
//
// Inputs in two parts (i_split, flag SPLIT): input channel c < split is at
// src + c*in_h*in_w, channel c >= split at src2 + (c - split)*in_h*in_w,
// each part in either space.  Every row also keeps its term's input channel
// (the group's first plus its own, moved on with the offset); a row whose
// channel is split or later adds its offset to src2 - split*in_h*in_w
// instead of src, and reads in src2's space.  Outputs in two parts (i_osplit,
// flag OSPLIT) likewise: output channel c >= osplit goes to dst2 + (c -
// osplit)*out_h*out_w (times 4 with OUT32), in dst2's space; the columns
// whose channel is osplit or later travel down the pipeline with the step
// (a comparison per column), and the output port's space is per column
// (o_y_dram).
//
// Pipeline: A (addresses, registered) -> memory read -> B (MAC) ->
// C (requantize) -> D (write).
`default_nettype none

module npu_conv #(
    parameter int ROWS = 4,
    parameter int COLS = 4
) (
    input  wire logic        i_clk,
    input  wire logic        i_rst,
    // instruction: latched on i_start, run from i_go
    input  wire logic        i_start,
    input  wire logic        i_go,
    input  wire logic [31:0] i_src,
    input  wire logic [31:0] i_dst,
    input  wire logic [31:0] i_weight,
    input  wire logic [31:0] i_aux,
    input  wire logic [31:0] i_src2,     // with i_split != 0: channels i_split.. (any space)
    input  wire logic [15:0] i_split,    // 0, or SPLIT's first input channel at i_src2
    input  wire logic [31:0] i_dst2,     // with i_osplit != 0: channels i_osplit.. (any space)
    input  wire logic [15:0] i_osplit,   // 0, or OSPLIT's first output channel at i_dst2
    input  wire logic [15:0] i_in_c,
    input  wire logic [15:0] i_in_h,
    input  wire logic [15:0] i_in_w,
    input  wire logic [15:0] i_out_c,
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
    input  wire logic [15:0] i_groups,
    input  wire logic [31:0] i_qmul,
    input  wire logic  [7:0] i_qshift,
    input  wire logic        i_relu,
    input  wire logic        i_out32,
    input  wire logic        i_psum,
    input  wire logic        i_perch,
    output logic             o_busy,
    output logic             o_done,
    // input activations: ROWS gathered bytes, each row's enable and space
    output logic  [ROWS-1:0] o_x_en,
    output logic  [ROWS-1:0] o_x_dram,
    output logic [ROWS-1:0][31:0] o_x_addr,
    input  wire logic [ROWS-1:0][7:0] i_x_s,
    input  wire logic [ROWS-1:0][7:0] i_x_d,
    // weights (DRAM): per column ROWS contiguous bytes
    output logic             o_w_en,
    output logic  [COLS-1:0] o_w_cmask,
    output logic      [15:0] o_w_nrows,
    output logic [COLS-1:0][31:0] o_w_addr,
    input  wire logic [COLS-1:0][ROWS-1:0][7:0] i_w,
    // bias or partial sums: a word per column
    output logic             o_a_en,
    output logic             o_a_dram,
    output logic [COLS-1:0][31:0] o_a_addr,
    input  wire logic [COLS-1:0][31:0] i_a_s,
    input  wire logic [COLS-1:0][31:0] i_a_d,
    // per-channel qmul (bits 0-31) and qshift (32-39) (DRAM, PERCH only)
    output logic             o_q_en,
    output logic [COLS-1:0][31:0] o_q_addr,
    input  wire logic [COLS-1:0][39:0] i_q_d,
    // outputs: a byte or word per column, each column's space
    output logic             o_y_en,
    output logic  [COLS-1:0] o_y_dram,
    output logic             o_y_wide,
    output logic  [COLS-1:0] o_y_mask,
    output logic [COLS-1:0][31:0] o_y_addr,
    output logic [COLS-1:0][31:0] o_y_data
);

    typedef enum logic [2:0] {
        IDLE,
        ARMED,
        SETUP,
        INIT,
        RUN,
        DRAIN
    } state_t;

    localparam int ROWS1 = ROWS - 1;
    localparam logic [63:0] ROWS_M1 = 64'(ROWS1);

    state_t st_r;
    logic   done_r;
    logic   unused_wt_space;  // weights are always in DRAM

    assign unused_wt_space = i_weight[31];

    // ---- the instruction ----
    logic        [31:0] src_r, dst_r, wt_r, aux_r, src2_r, dst2_r;
    logic               x_dram_r, x2_dram_r, y_dram_r, y2_dram_r, a_dram_r;
    logic        [15:0] in_c_r, out_c_r, groups_r, split_r, osplit_r;
    logic signed [31:0] ih_r, iw_r;
    logic        [15:0] oh_r, ow_r;
    logic         [7:0] kh_r, kw_r, sh_r, sw_r, dh_r, dw_r;
    logic signed  [7:0] pt_r, pl_r;
    logic        [31:0] qmul_r;
    logic         [7:0] qshift_r;
    logic               relu_r, out32_r, psum_r, perch_r;
    logic [COLS-1:0][31:0] qa_addr_r;    // PERCH: the columns' qmul addresses
    logic [COLS-1:0][31:0] qm_r;         // and the pixel's qmul, qshift per column
    logic  [COLS-1:0][7:0] qs_r;
    logic [COLS-1:0][31:0] lane_qmul;
    logic  [COLS-1:0][7:0] lane_qshift;

    // ---- per-instruction constants (SETUP) ----
    logic        [15:0] cog_r, cig_r;
    logic        [31:0] red_r, nrt_r, hw_r, cighw_r, cogred_r, colsred_r;
    logic        [31:0] cogplane_r, colsplane_r, shw_r, dhw_r, kwd_r, khd_r, khdw_r;
    logic        [15:0] dkx_r, dky_r;
    logic        [31:0] dic_hw_r, dkxd_r, dkyd_r, dkydw_r;
    logic        [15:0] dic_r;
    logic        [31:0] split_at_r;       // SPLIT: first channel at src2, else past the last
    logic        [31:0] src2b_r;          // src2 - split * in_h * in_w
    logic        [31:0] osplit_at_r;      // OSPLIT: first channel at dst2, else past the last
    logic        [31:0] dst2b_r;          // dst2 - osplit * out_h * out_w (bytes)
    logic [COLS-1:0][31:0] colred_r;
    logic [COLS-1:0][31:0] cplane_r;
    // each row's first reduction term
    logic [ROWS-1:0][15:0] kx0_r;
    logic [ROWS-1:0][15:0] ky0_r;
    logic [ROWS-1:0][31:0] kxd0_r;
    logic [ROWS-1:0][31:0] kyd0_r;
    logic [ROWS-1:0][31:0] kydw0_r;
    logic [ROWS-1:0][31:0] icoff0_r;
    logic [ROWS-1:0][15:0] ic0_r;

    // ---- loop state: the next step to issue ----
    logic               fin_r;
    logic        [31:0] rt_r, rtrows_r;
    logic [ROWS-1:0][15:0] kx_r;
    logic [ROWS-1:0][15:0] ky_r;
    logic [ROWS-1:0][31:0] kxd_r;    // kx * dw
    logic [ROWS-1:0][31:0] kyd_r;    // ky * dh
    logic [ROWS-1:0][31:0] kydw_r;   // ky * dh * in_w
    logic [ROWS-1:0][31:0] icoff_r;  // ic * in_h * in_w
    logic [ROWS-1:0][15:0] ic_r;     // ic, the channel within the group
    logic        [15:0] ox_r, oy_r, ot_r, g_r;
    logic        [31:0] p_r;
    logic signed [31:0] ix0_r, iy0_r, rowoff_r;
    logic        [31:0] goc_r, oc0_r, gocp_r, ocp_r, xg_r, xg2_r, gw_r, wg_r, gic_r;

    // ---- stage A: a step's addresses ----
    logic               a_v_r, a_first_r, a_last_r;
    logic        [15:0] a_nrows_r;                // rows with a reduction term
    logic        [31:0] a_yidx_r;
    logic    [COLS-1:0] a_cmask_r;
    logic    [COLS-1:0] a_y2_r;                   // columns writing dst2's part
    logic        [15:0] a_ncols_r;                // columns with an output channel
    logic    [ROWS-1:0] a_xv_r;
    logic    [ROWS-1:0] a_xd_r;               // rows reading DRAM
    logic [ROWS-1:0][31:0] x_addr_r;
    logic [COLS-1:0][31:0] w_addr_r;
    logic [COLS-1:0][31:0] aa_addr_r;
    // ---- stage B: MAC ----
    logic               b_v_r, b_first_r, b_last_r;
    logic        [15:0] b_nrows_r;
    logic        [31:0] b_yidx_r;
    logic    [COLS-1:0] b_cmask_r;
    logic    [COLS-1:0] b_y2_r;
    logic        [15:0] b_ncols_r;
    logic    [ROWS-1:0] b_xv_r;
    logic    [ROWS-1:0] b_xd_r;
    logic [ROWS-1:0][7:0] mac_x;
    logic [COLS-1:0][31:0] mac_init;
    logic [COLS-1:0][31:0] acc;
    // ---- stage C: requantize ----
    logic               c_v_r;
    logic        [31:0] c_yidx_r;
    logic    [COLS-1:0] c_cmask_r;
    logic    [COLS-1:0] c_y2_r;
    logic        [15:0] c_ncols_r;
    // ---- stage D: write ----
    logic               d_v_r;
    logic    [COLS-1:0] d_cmask_r;
    logic    [COLS-1:0] d_ydram_r;
    logic [COLS-1:0][31:0] y_addr_r;
    logic [COLS-1:0][31:0] acc32_r;
    logic  [COLS-1:0][7:0] q;

    always_ff @(posedge i_clk) begin
        done_r <= 1'b0;
        a_v_r  <= 1'b0;
        case (st_r)
            IDLE: if (i_start) begin
                src_r    <= {1'b0, i_src[30:0]};
                x_dram_r <= i_src[31];
                dst_r    <= {1'b0, i_dst[30:0]};
                y_dram_r <= i_dst[31];
                wt_r     <= {1'b0, i_weight[30:0]};
                aux_r    <= {1'b0, i_aux[30:0]};
                a_dram_r <= i_aux[31];
                src2_r   <= {1'b0, i_src2[30:0]};
                x2_dram_r <= i_src2[31];
                split_r  <= i_split;
                dst2_r   <= {1'b0, i_dst2[30:0]};
                y2_dram_r <= i_dst2[31];
                osplit_r <= i_osplit;
                in_c_r   <= i_in_c;
                ih_r     <= 32'(i_in_h);
                iw_r     <= 32'(i_in_w);
                out_c_r  <= i_out_c;
                oh_r     <= i_out_h;
                ow_r     <= i_out_w;
                kh_r     <= i_kh;
                kw_r     <= i_kw;
                sh_r     <= i_sh;
                sw_r     <= i_sw;
                dh_r     <= i_dh;
                dw_r     <= i_dw;
                pt_r     <= signed'(i_pt);
                pl_r     <= signed'(i_pl);
                groups_r <= i_groups;
                qmul_r   <= i_qmul;
                qshift_r <= i_qshift;
                relu_r   <= i_relu;
                out32_r  <= i_out32;
                psum_r   <= i_psum;
                perch_r  <= i_perch;
                st_r     <= ARMED;
            end
            ARMED: if (i_go) st_r <= SETUP;
            SETUP: begin : setup
                logic [15:0] cig, cog, ic, ky, kx;
                logic [31:0] red, hw, plane;
                logic [COLS-1:0][31:0] colred;
                logic [COLS-1:0][31:0] cplane;
                logic [ROWS-1:0][15:0] kx0;
                logic [ROWS-1:0][15:0] ky0;
                logic [ROWS-1:0][31:0] kxd0;
                logic [ROWS-1:0][31:0] kyd0;
                logic [ROWS-1:0][31:0] kydw0;
                logic [ROWS-1:0][31:0] icoff0;
                logic [ROWS-1:0][15:0] ic0;
                cig   = in_c_r / groups_r;
                cog   = out_c_r / groups_r;
                cog_r <= cog;
                cig_r <= cig;
                red   = 32'(cig) * 32'(kh_r) * 32'(kw_r);
                hw    = 32'(ih_r) * 32'(iw_r);
                plane = 32'(oh_r) * 32'(ow_r);
                red_r       <= red;
                nrt_r       <= 32'((64'(red) + ROWS_M1) / 64'(ROWS));
                hw_r        <= hw;
                cighw_r     <= 32'(cig) * hw;
                cogred_r    <= 32'(cog) * red;
                colsred_r   <= 32'(COLS) * red;
                cogplane_r  <= 32'(cog) * plane;
                colsplane_r <= 32'(COLS) * plane;
                shw_r       <= 32'(sh_r) * 32'(iw_r);
                dhw_r       <= 32'(dh_r) * 32'(iw_r);
                kwd_r       <= 32'(kw_r) * 32'(dw_r);
                khd_r       <= 32'(kh_r) * 32'(dh_r);
                khdw_r      <= 32'(kh_r) * 32'(dh_r) * 32'(iw_r);
                split_at_r  <= split_r != 0 ? 32'(split_r) : 32'hffff_ffff;
                src2b_r     <= src2_r - 32'(split_r) * hw;
                osplit_at_r <= osplit_r != 0 ? 32'(osplit_r) : 32'hffff_ffff;
                dst2b_r     <= dst2_r - ((32'(osplit_r) * plane) << (out32_r ? 2 : 0));
                for (int c = 0; c < COLS; c++) begin
                    colred[c] = 32'(c) * red;
                    cplane[c] = 32'(c) * plane;
                end
                colred_r <= colred;
                cplane_r <= cplane;
                // row r starts at reduction term r: (ic, ky, kx) by counting
                ic = 0;
                ky = 0;
                kx = 0;
                for (int r = 0; r <= ROWS; r++) begin
                    if (r < ROWS) begin
                        kx0[r]    = kx;
                        ky0[r]    = ky;
                        kxd0[r]   = 32'(kx) * 32'(dw_r);
                        kyd0[r]   = 32'(ky) * 32'(dh_r);
                        kydw0[r]  = 32'(ky) * 32'(dh_r) * 32'(iw_r);
                        icoff0[r] = 32'(ic) * hw;
                        ic0[r]    = ic;
                    end else begin
                        dkx_r    <= kx;
                        dky_r    <= ky;
                        dkxd_r   <= 32'(kx) * 32'(dw_r);
                        dkyd_r   <= 32'(ky) * 32'(dh_r);
                        dkydw_r  <= 32'(ky) * 32'(dh_r) * 32'(iw_r);
                        dic_hw_r <= 32'(ic) * hw;
                        dic_r    <= ic;
                    end
                    kx = kx + 16'd1;
                    if (kx == 16'(kw_r)) begin
                        kx = 0;
                        ky = ky + 16'd1;
                        if (ky == 16'(kh_r)) begin
                            ky = 0;
                            ic = ic + 16'd1;
                        end
                    end
                end
                kx0_r    <= kx0;
                ky0_r    <= ky0;
                kxd0_r   <= kxd0;
                kyd0_r   <= kyd0;
                kydw0_r  <= kydw0;
                icoff0_r <= icoff0;
                ic0_r    <= ic0;
                st_r     <= INIT;
            end
            INIT: begin
                fin_r    <= 1'b0;
                rt_r     <= '0;
                rtrows_r <= '0;
                kx_r     <= kx0_r;
                ky_r     <= ky0_r;
                kxd_r    <= kxd0_r;
                kyd_r    <= kyd0_r;
                kydw_r   <= kydw0_r;
                icoff_r  <= icoff0_r;
                ic_r     <= ic0_r;
                ox_r     <= '0;
                oy_r     <= '0;
                p_r      <= '0;
                ix0_r    <= -32'(pl_r);
                iy0_r    <= -32'(pt_r);
                rowoff_r <= -32'(pt_r) * iw_r;
                ot_r     <= '0;
                g_r      <= '0;
                goc_r    <= '0;
                oc0_r    <= '0;
                gocp_r   <= '0;
                ocp_r    <= '0;
                xg_r     <= src_r;
                xg2_r    <= src2b_r;
                gic_r    <= '0;
                gw_r     <= wt_r;
                wg_r     <= wt_r;
                st_r     <= RUN;
            end
            RUN: if (fin_r) begin
                st_r <= DRAIN;
            end else begin : run
                logic [COLS-1:0] cmask, y2;
                logic     [15:0] ncols, nrows;
                logic [ROWS-1:0] xv, xd;
                // issue this step: the addresses of the active rows and columns
                ncols = 32'(cog_r) - 32'(ot_r) < 32'(COLS) ? cog_r - ot_r : 16'(COLS);
                nrows = red_r - rtrows_r < 32'(ROWS) ? 16'(red_r - rtrows_r) : 16'(ROWS);
                a_v_r     <= 1'b1;
                a_first_r <= rt_r == 0;
                a_last_r  <= rt_r == nrt_r - 1;
                a_yidx_r  <= ocp_r + p_r;
                a_nrows_r <= nrows;
                a_ncols_r <= ncols;
                for (int c = 0; c < COLS; c++) begin
                    cmask[c] = 16'(c) < ncols;
                    y2[c]    = oc0_r + 32'(c) >= osplit_at_r;
                    if (cmask[c]) begin
                        w_addr_r[c] <= wg_r + colred_r[c] + rtrows_r;
                        if (rt_r == 0) begin : bias
                            logic [31:0] oc;
                            oc = oc0_r + 32'(c);
                            aa_addr_r[c] <= psum_r ? aux_r + ((ocp_r + cplane_r[c] + p_r) << 2) :
                                            perch_r ? aux_r + (oc << 3) + (oc << 2) : aux_r + (oc << 2);
                            qa_addr_r[c] <= aux_r + (oc << 3) + (oc << 2) + 32'd4;
                        end
                    end
                end
                for (int r = 0; r < ROWS; r++) begin
                    logic signed [31:0] iy, ix;
                    logic               two;  // the row's channel is in src2's part
                    iy    = iy0_r + signed'(kyd_r[r]);
                    ix    = ix0_r + signed'(kxd_r[r]);
                    two   = gic_r + 32'(ic_r[r]) >= split_at_r;
                    xv[r] = 16'(r) < nrows && iy >= 0 && iy < ih_r && ix >= 0 && ix < iw_r;
                    xd[r] = two ? x2_dram_r : x_dram_r;
                    if (xv[r])
                        x_addr_r[r] <= (two ? xg2_r : xg_r) + icoff_r[r] + unsigned'(rowoff_r) + kydw_r[r] +
                                       unsigned'(ix);
                end
                a_cmask_r <= cmask;
                a_y2_r    <= y2;
                a_xv_r    <= xv;
                a_xd_r    <= xd;
                // and move to the next
                if (rt_r != nrt_r - 1) begin : advance
                    logic [ROWS-1:0][15:0] nkx;
                    logic [ROWS-1:0][15:0] nky;
                    logic [ROWS-1:0][31:0] nkxd;
                    logic [ROWS-1:0][31:0] nkyd;
                    logic [ROWS-1:0][31:0] nkydw;
                    logic [ROWS-1:0][31:0] nicoff;
                    logic [ROWS-1:0][15:0] nic;
                    rt_r     <= rt_r + 32'd1;
                    rtrows_r <= rtrows_r + 32'(ROWS);
                    for (int r = 0; r < ROWS; r++) begin
                        logic [15:0] kx, ky;
                        logic [31:0] kxd, kyd, kydw, icoff;
                        logic        c1, c2;
                        kx    = kx_r[r] + dkx_r;
                        kxd   = kxd_r[r] + dkxd_r;
                        c1    = kx >= 16'(kw_r);
                        if (c1) begin
                            kx  = kx - 16'(kw_r);
                            kxd = kxd - kwd_r;
                        end
                        ky    = ky_r[r] + dky_r + 16'(c1);
                        kyd   = kyd_r[r] + dkyd_r + (c1 ? 32'(dh_r) : 32'd0);
                        kydw  = kydw_r[r] + dkydw_r + (c1 ? dhw_r : 32'd0);
                        c2    = ky >= 16'(kh_r);
                        if (c2) begin
                            ky   = ky - 16'(kh_r);
                            kyd  = kyd - khd_r;
                            kydw = kydw - khdw_r;
                        end
                        icoff = icoff_r[r] + dic_hw_r + (c2 ? hw_r : 32'd0);
                        nic[r]    = ic_r[r] + dic_r + 16'(c2);
                        nkx[r]    = kx;
                        nky[r]    = ky;
                        nkxd[r]   = kxd;
                        nkyd[r]   = kyd;
                        nkydw[r]  = kydw;
                        nicoff[r] = icoff;
                    end
                    kx_r    <= nkx;
                    ky_r    <= nky;
                    kxd_r   <= nkxd;
                    kyd_r   <= nkyd;
                    kydw_r  <= nkydw;
                    icoff_r <= nicoff;
                    ic_r    <= nic;
                end else begin
                    if (nrt_r != 1) begin  // back to the first reduction tile
                        rt_r     <= '0;
                        rtrows_r <= '0;
                        kx_r     <= kx0_r;
                        ky_r     <= ky0_r;
                        kxd_r    <= kxd0_r;
                        kyd_r    <= kyd0_r;
                        kydw_r   <= kydw0_r;
                        icoff_r  <= icoff0_r;
                        ic_r     <= ic0_r;
                    end
                    if (ox_r != ow_r - 1) begin
                        ox_r  <= ox_r + 16'd1;
                        ix0_r <= ix0_r + 32'(sw_r);
                        p_r   <= p_r + 32'd1;
                    end else begin
                        ox_r  <= '0;
                        ix0_r <= -32'(pl_r);
                        if (oy_r != oh_r - 1) begin
                            oy_r     <= oy_r + 16'd1;
                            iy0_r    <= iy0_r + 32'(sh_r);
                            rowoff_r <= rowoff_r + signed'(shw_r);
                            p_r      <= p_r + 32'd1;
                        end else begin
                            oy_r     <= '0;
                            iy0_r    <= -32'(pt_r);
                            rowoff_r <= -32'(pt_r) * iw_r;
                            p_r      <= '0;
                            if (32'(ot_r) + 32'(COLS) < 32'(cog_r)) begin
                                ot_r  <= ot_r + 16'(COLS);
                                oc0_r <= oc0_r + 32'(COLS);
                                ocp_r <= ocp_r + colsplane_r;
                                wg_r  <= wg_r + colsred_r;
                            end else begin
                                ot_r <= '0;
                                if (g_r == groups_r - 1) begin
                                    fin_r <= 1'b1;
                                end else begin
                                    g_r    <= g_r + 16'd1;
                                    goc_r  <= goc_r + 32'(cog_r);
                                    oc0_r  <= goc_r + 32'(cog_r);
                                    gocp_r <= gocp_r + cogplane_r;
                                    ocp_r  <= gocp_r + cogplane_r;
                                    xg_r   <= xg_r + cighw_r;
                                    xg2_r  <= xg2_r + cighw_r;
                                    gic_r  <= gic_r + 32'(cig_r);
                                    gw_r   <= gw_r + cogred_r;
                                    wg_r   <= gw_r + cogred_r;
                                end
                            end
                        end
                    end
                end
            end
            DRAIN: if (!a_v_r && !b_v_r && !c_v_r && !d_v_r) begin
                done_r <= 1'b1;
                st_r   <= IDLE;
            end
            default: st_r <= IDLE;
        endcase

        // stage B: the step's data arrive from memory; the MAC takes them
        b_v_r     <= a_v_r;
        b_first_r <= a_first_r;
        b_last_r  <= a_last_r;
        b_yidx_r  <= a_yidx_r;
        b_nrows_r <= a_nrows_r;
        b_cmask_r <= a_cmask_r;
        b_y2_r    <= a_y2_r;
        b_ncols_r <= a_ncols_r;
        b_xv_r    <= a_xv_r;
        b_xd_r    <= a_xd_r;
        // the pixel's per-channel parameters, with its first step's bias
        if (b_v_r && b_first_r && perch_r)
            for (int c = 0; c < COLS; c++) begin
                qm_r[c] <= i_q_d[c][31:0];
                qs_r[c] <= i_q_d[c][39:32];
            end
        // stage C: a pixel's accumulators are final
        c_v_r     <= b_v_r && b_last_r;
        c_yidx_r  <= b_yidx_r;
        c_cmask_r <= b_cmask_r;
        c_y2_r    <= b_y2_r;
        c_ncols_r <= b_ncols_r;
        // stage D: write
        d_v_r     <= c_v_r;
        if (c_v_r) begin
            d_cmask_r <= c_cmask_r;
            if (out32_r) acc32_r <= acc;
            for (int c = 0; c < COLS; c++)
                if (c_cmask_r[c]) begin
                    y_addr_r[c]  <= (c_y2_r[c] ? dst2b_r : dst_r) + ((c_yidx_r + cplane_r[c]) << (out32_r ? 2 : 0));
                    d_ydram_r[c] <= c_y2_r[c] ? y2_dram_r : y_dram_r;
                end
        end

        if (i_rst) begin
            st_r   <= IDLE;
            done_r <= 1'b0;
            a_v_r  <= 1'b0;
            b_v_r  <= 1'b0;
            c_v_r  <= 1'b0;
            d_v_r  <= 1'b0;
        end
    end

    always_comb begin
        for (int r = 0; r < ROWS; r++)
            mac_x[r] = !b_xv_r[r] ? 8'h00 : b_xd_r[r] ? i_x_d[r] : i_x_s[r];
        for (int c = 0; c < COLS; c++)
            mac_init[c] = a_dram_r ? i_a_d[c] : i_a_s[c];
    end

    npu_mac #(
        .ROWS(ROWS),
        .COLS(COLS)
    ) u_mac (
        .i_clk  (i_clk),
        .i_en   (b_v_r),
        .i_first(b_first_r),
        .i_cmask(b_cmask_r),
        .i_nrows(b_nrows_r),
        .i_x    (mac_x),
        .i_w    (i_w),
        .i_init (mac_init),
        .o_acc  (acc)
    );

    always_comb
        for (int c = 0; c < COLS; c++) begin
            lane_qmul[c]   = perch_r ? qm_r[c] : qmul_r;
            lane_qshift[c] = perch_r ? qs_r[c] : qshift_r;
        end

    npu_requant #(
        .LANES(COLS)
    ) u_requant (
        .i_clk   (i_clk),
        .i_valid (c_v_r && !out32_r),
        .i_lanes (c_ncols_r),
        .i_acc   (acc),
        .i_qmul  (lane_qmul),
        .i_qshift(lane_qshift),
        .i_relu  (relu_r),
        .o_q     (q)
    );

    assign o_busy   = st_r != IDLE;
    assign o_done   = done_r;
    assign o_x_en   = a_v_r ? a_xv_r : '0;
    assign o_x_dram = a_xd_r;
    assign o_x_addr = x_addr_r;
    assign o_w_en   = a_v_r;
    assign o_w_cmask = a_cmask_r;
    assign o_w_nrows = a_nrows_r;
    assign o_w_addr = w_addr_r;
    assign o_a_en   = a_v_r && a_first_r;
    assign o_a_dram = a_dram_r;
    assign o_a_addr = aa_addr_r;
    assign o_q_en   = a_v_r && a_first_r && perch_r;
    assign o_q_addr = qa_addr_r;
    assign o_y_en   = d_v_r;
    assign o_y_dram = d_ydram_r;
    assign o_y_wide = out32_r;
    assign o_y_mask = d_cmask_r;
    assign o_y_addr = y_addr_r;
    always_comb
        for (int c = 0; c < COLS; c++) o_y_data[c] = out32_r ? acc32_r[c] : {24'h0, q[c]};

endmodule

`default_nettype wire
