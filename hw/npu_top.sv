// npu_top: the NPU: sequencer, DMA engine, convolution engine (MAC array),
// vector unit, scratchpad, counters; with the stream memory and the DRAM
// model it runs a command stream (docs/isa.md) from reset to END.
//
// Parameters are the accelerator config's (configs/*.xml): SRAM_BYTES,
// RD_BPC / WR_BPC (DMA bytes per cycle), LATENCY (DRAM cycles to the first
// byte), ROWS x COLS (MAC array), VW (vector lanes); and the simulator's
// limits: DRAM_BYTES (the largest image), SLOTS (the longest stream), NBUF
// (live SRAM buffers), QDEPTH (queued DMA transfers).
//
// Memory ports carry a space bit beside a byte address; each engine's port
// group goes to the scratchpad or to the DRAM model by the space of the
// operand it serves, and gets the data of both (it knows which it asked).
//
// The harness loads u_imem.mem_r and u_dram.mem_r, releases i_rst, clocks
// until o_done or o_err, and reads the counters, the timeline events (o_ts:
// sequencer, o_tc: compute, o_td: DMA) and u_dram.mem_r back.
`default_nettype none

module npu_top #(
    parameter int SRAM_BYTES = 8192,
    parameter int DRAM_BYTES = 1 << 26,
    parameter int RD_BPC     = 4,
    parameter int WR_BPC     = 4,
    parameter int LATENCY    = 10,
    parameter int ROWS       = 4,
    parameter int COLS       = 4,
    parameter int VW         = 4,
    parameter int SLOTS      = 1 << 16,
    parameter int NBUF       = 64,
    parameter int QDEPTH     = 16
) (
    input  wire logic        i_clk,
    input  wire logic        i_rst,
    input  wire logic [63:0] i_dram_bytes,   // the image's size: DRAM Refs past it are refused
    input  wire logic [31:0] i_nslots,       // instructions (16-word slots) in the stream
    // status
    output logic             o_done,
    output logic       [7:0] o_err,
    output logic      [31:0] o_err_index,
    output logic       [7:0] o_err_op,
    output logic      [63:0] o_err_a,
    output logic      [63:0] o_err_b,
    output logic      [63:0] o_err_c,
    output logic      [63:0] o_err_d,
    output logic      [31:0] o_index,        // the instruction being issued
    output logic       [7:0] o_op,
    // counters
    output logic      [63:0] o_cycles,
    output logic      [63:0] o_compute_busy,
    output logic      [63:0] o_dma_busy,
    output logic      [63:0] o_stall,
    output logic      [63:0] o_weight_read,
    output logic      [63:0] o_act_read,
    output logic      [63:0] o_write,
    output logic      [63:0] o_sram_in_use,
    output logic      [63:0] o_sram_peak,
    output logic      [63:0] o_insns,
    // timeline
    output logic             o_ts,
    output logic      [31:0] o_ts_index,
    output logic       [7:0] o_ts_op,
    output logic      [63:0] o_ts_start,
    output logic      [63:0] o_ts_end,
    output logic             o_tc,
    output logic      [31:0] o_tc_index,
    output logic       [7:0] o_tc_op,
    output logic      [63:0] o_tc_start,
    output logic      [63:0] o_tc_end,
    output logic      [63:0] o_tc_bytes,
    output logic             o_td,
    output logic      [31:0] o_td_index,
    output logic             o_td_load,
    output logic      [63:0] o_td_start,
    output logic      [63:0] o_td_end,
    output logic      [31:0] o_td_bytes
);

    localparam int DW  = RD_BPC > WR_BPC ? RD_BPC : WR_BPC;
    localparam int PK  = 3;
    localparam int VG  = VW * PK * PK;
    localparam int NIN = 32;

    // ---- sequencer ----
    logic        im_en;
    logic [31:0] im_slot;
    logic [15:0][31:0] im_w;
    logic  [7:0] op, flags, kh, kw, sh, sw, dh, dw, pt, pl, qshift;
    logic [31:0] src, dst, weight, aux, src2, dst2, bytes, qmul;
    logic [15:0] split, osplit, in_c, in_h, in_w, out_c, out_h, out_w, groups;
    logic  [5:0] nin;
    logic [NIN-1:0][31:0] ew_in;
    logic [NIN-1:0][31:0] ew_coef;
    logic        conv_start, vec_start, cmp_go, conv_done, vec_done;
    logic        conv_busy, vec_busy;
    logic  [2:0] unused_flags;  // bit 7: the decoder refuses it; SPLIT, OSPLIT: split, osplit != 0
    logic        dma_push, dma_load, dma_full, dma_idle, dma_busy;
    logic [31:0] dma_src, dma_dst, dma_index;
    logic        stream, stream_go, stream_done, stream_end, hold;
    logic [63:0] stream_rd, stream_wr;
    logic [31:0] hold_lo, hold_hi;
    logic        run, cmp_busy, stall, add, alloc, free_, insn;
    logic [63:0] add_weight, add_act, add_write;
    logic [63:0] cycles;

    npu_seq #(
        .SRAM_BYTES(SRAM_BYTES),
        .NBUF      (NBUF),
        .NIN       (NIN)
    ) u_seq (
        .i_clk        (i_clk),
        .i_rst        (i_rst),
        .i_cycle      (cycles),
        .i_dram_bytes (i_dram_bytes),
        .i_nslots     (i_nslots),
        .o_im_en      (im_en),
        .o_im_slot    (im_slot),
        .i_im_w       (im_w),
        .o_op         (op),
        .o_flags      (flags),
        .o_src        (src),
        .o_dst        (dst),
        .o_weight     (weight),
        .o_aux        (aux),
        .o_src2       (src2),
        .o_split      (split),
        .o_dst2       (dst2),
        .o_osplit     (osplit),
        .o_bytes      (bytes),
        .o_in_c       (in_c),
        .o_in_h       (in_h),
        .o_in_w       (in_w),
        .o_out_c      (out_c),
        .o_out_h      (out_h),
        .o_out_w      (out_w),
        .o_kh         (kh),
        .o_kw         (kw),
        .o_sh         (sh),
        .o_sw         (sw),
        .o_dh         (dh),
        .o_dw         (dw),
        .o_pt         (pt),
        .o_pl         (pl),
        .o_groups     (groups),
        .o_qmul       (qmul),
        .o_qshift     (qshift),
        .o_nin        (nin),
        .o_in         (ew_in),
        .o_coef       (ew_coef),
        .o_conv_start (conv_start),
        .o_vec_start  (vec_start),
        .o_cmp_go     (cmp_go),
        .i_conv_done  (conv_done),
        .i_vec_done   (vec_done),
        .i_engine_busy(conv_busy || vec_busy),
        .o_dma_push   (dma_push),
        .o_dma_load   (dma_load),
        .o_dma_src    (dma_src),
        .o_dma_dst    (dma_dst),
        .o_dma_index  (dma_index),
        .i_dma_full   (dma_full),
        .i_dma_idle   (dma_idle),
        .o_stream     (stream),
        .o_stream_rd  (stream_rd),
        .o_stream_wr  (stream_wr),
        .i_stream_go  (stream_go),
        .i_stream_done(stream_done),
        .o_stream_end (stream_end),
        .o_hold       (hold),
        .o_hold_lo    (hold_lo),
        .o_hold_hi    (hold_hi),
        .o_run        (run),
        .o_cmp_busy   (cmp_busy),
        .o_stall      (stall),
        .o_add        (add),
        .o_add_weight (add_weight),
        .o_add_act    (add_act),
        .o_add_write  (add_write),
        .o_alloc      (alloc),
        .o_free       (free_),
        .o_insn       (insn),
        .o_ts         (o_ts),
        .o_ts_index   (o_ts_index),
        .o_ts_op      (o_ts_op),
        .o_ts_start   (o_ts_start),
        .o_ts_end     (o_ts_end),
        .o_tc         (o_tc),
        .o_tc_index   (o_tc_index),
        .o_tc_op      (o_tc_op),
        .o_tc_start   (o_tc_start),
        .o_tc_end     (o_tc_end),
        .o_tc_bytes   (o_tc_bytes),
        .o_index      (o_index),
        .o_done       (o_done),
        .o_err        (o_err),
        .o_err_index  (o_err_index),
        .o_err_op     (o_err_op),
        .o_err_a      (o_err_a),
        .o_err_b      (o_err_b),
        .o_err_c      (o_err_c),
        .o_err_d      (o_err_d)
    );

    assign o_op         = op;
    assign unused_flags = flags[7:5];

    npu_imem #(
        .SLOTS(SLOTS)
    ) u_imem (
        .i_clk (i_clk),
        .i_en  (im_en),
        .i_slot(im_slot),
        .o_w   (im_w)
    );

    // ---- DMA engine ----
    logic        drd_en, drd_dram, dwr_en, dwr_dram;
    logic [31:0] drd_addr, dwr_addr;
    logic [15:0] dwr_n;
    logic [DW-1:0][7:0] drd_s, drd_d, dwr_data;

    npu_dma #(
        .RD_BPC (RD_BPC),
        .WR_BPC (WR_BPC),
        .LATENCY(LATENCY),
        .QDEPTH (QDEPTH),
        .DW     (DW)
    ) u_dma (
        .i_clk        (i_clk),
        .i_rst        (i_rst),
        .i_cycle      (cycles),
        .i_push       (dma_push),
        .i_push_load  (dma_load),
        .i_push_src   (dma_src),
        .i_push_dst   (dma_dst),
        .i_push_bytes (bytes),
        .i_push_index (dma_index),
        .o_full       (dma_full),
        .i_stream     (stream),
        .i_stream_rd  (stream_rd),
        .i_stream_wr  (stream_wr),
        .o_stream_go  (stream_go),
        .o_stream_done(stream_done),
        .i_stream_end (stream_end),
        .i_hold       (hold),
        .i_hold_lo    (hold_lo),
        .i_hold_hi    (hold_hi),
        .o_idle       (dma_idle),
        .o_busy       (dma_busy),
        .o_rd_en      (drd_en),
        .o_rd_dram    (drd_dram),
        .o_rd_addr    (drd_addr),
        .i_rd_data_s  (drd_s),
        .i_rd_data_d  (drd_d),
        .o_wr_en      (dwr_en),
        .o_wr_dram    (dwr_dram),
        .o_wr_addr    (dwr_addr),
        .o_wr_n       (dwr_n),
        .o_wr_data    (dwr_data),
        .o_ret        (o_td),
        .o_ret_index  (o_td_index),
        .o_ret_start  (o_td_start),
        .o_ret_end    (o_td_end),
        .o_ret_bytes  (o_td_bytes),
        .o_ret_load   (o_td_load)
    );

    // ---- convolution engine ----
    logic [ROWS-1:0] cx_en, cx_dram;
    logic        cw_en, ca_en, ca_dram, cy_en, cy_wide;
    logic [COLS-1:0] cy_dram;
    logic [ROWS-1:0][31:0] cx_addr;
    logic [COLS-1:0][31:0] cw_addr, ca_addr, cy_addr, cy_data;
    logic [COLS-1:0] cy_mask, cw_cmask;
    logic [15:0] cw_nrows;
    logic [ROWS-1:0][7:0] cx_s, cx_d;
    logic [COLS-1:0][ROWS-1:0][7:0] cw_d;
    logic [COLS-1:0][31:0] ca_s, ca_d;
    logic        cq_en;
    logic [COLS-1:0][31:0] cq_addr;
    logic [COLS-1:0][39:0] cq_d;

    npu_conv #(
        .ROWS(ROWS),
        .COLS(COLS)
    ) u_conv (
        .i_clk   (i_clk),
        .i_rst   (i_rst),
        .i_start (conv_start),
        .i_go    (cmp_go),
        .i_src   (src),
        .i_dst   (dst),
        .i_weight(weight),
        .i_aux   (aux),
        .i_src2  (src2),
        .i_split (split),
        .i_dst2  (dst2),
        .i_osplit(osplit),
        .i_in_c  (in_c),
        .i_in_h  (in_h),
        .i_in_w  (in_w),
        .i_out_c (out_c),
        .i_out_h (out_h),
        .i_out_w (out_w),
        .i_kh    (kh),
        .i_kw    (kw),
        .i_sh    (sh),
        .i_sw    (sw),
        .i_dh    (dh),
        .i_dw    (dw),
        .i_pt    (pt),
        .i_pl    (pl),
        .i_groups(groups),
        .i_qmul  (qmul),
        .i_qshift(qshift),
        .i_relu  (flags[0]),
        .i_out32 (flags[1]),
        .i_psum  (flags[2]),
        .i_perch (flags[4]),
        .o_busy  (conv_busy),
        .o_done  (conv_done),
        .o_x_en  (cx_en),
        .o_x_dram(cx_dram),
        .o_x_addr(cx_addr),
        .i_x_s   (cx_s),
        .i_x_d   (cx_d),
        .o_w_en  (cw_en),
        .o_w_cmask(cw_cmask),
        .o_w_nrows(cw_nrows),
        .o_w_addr(cw_addr),
        .i_w     (cw_d),
        .o_a_en  (ca_en),
        .o_a_dram(ca_dram),
        .o_a_addr(ca_addr),
        .i_a_s   (ca_s),
        .i_a_d   (ca_d),
        .o_q_en  (cq_en),
        .o_q_addr(cq_addr),
        .i_q_d   (cq_d),
        .o_y_en  (cy_en),
        .o_y_dram(cy_dram),
        .o_y_wide(cy_wide),
        .o_y_mask(cy_mask),
        .o_y_addr(cy_addr),
        .o_y_data(cy_data)
    );

    // ---- vector unit ----
    logic        vr_en, vr_dram, vr_wide, vg_en, vg_dram, vy_en, vy_dram;
    logic [31:0] vr_addr, vy_addr;
    logic [15:0] vy_n;
    logic [VW-1:0][31:0] vg_base;
    logic [PK*PK-1:0][31:0] vg_off;
    logic [VG-1:0] vg_mask;
    logic [4*VW-1:0][7:0] vr_s, vr_d;
    logic [VG-1:0][7:0] vg_s, vg_d;
    logic [VW-1:0][7:0] vy_data;

    npu_vec #(
        .VW (VW),
        .PK (PK),
        .NIN(NIN),
        .VG (VG)
    ) u_vec (
        .i_clk   (i_clk),
        .i_rst   (i_rst),
        .i_start (vec_start),
        .i_go    (cmp_go),
        .i_op    (op),
        .i_relu  (flags[0]),
        .i_avg   (flags[3]),
        .i_src   (src),
        .i_dst   (dst),
        .i_elems (bytes),
        .i_in_c  (in_c),
        .i_in_h  (in_h),
        .i_in_w  (in_w),
        .i_out_h (out_h),
        .i_out_w (out_w),
        .i_kh    (kh),
        .i_kw    (kw),
        .i_sh    (sh),
        .i_sw    (sw),
        .i_dh    (dh),
        .i_dw    (dw),
        .i_pt    (pt),
        .i_pl    (pl),
        .i_qmul  (qmul),
        .i_qshift(qshift),
        .i_perch (flags[4]),
        .i_aux   (aux),
        .i_chans (out_c),
        .i_nin   (nin),
        .i_in    (ew_in),
        .i_coef  (ew_coef),
        .o_busy  (vec_busy),
        .o_done  (vec_done),
        .o_r_en  (vr_en),
        .o_r_dram(vr_dram),
        .o_r_wide(vr_wide),
        .o_r_addr(vr_addr),
        .i_r_s   (vr_s),
        .i_r_d   (vr_d),
        .o_g_en  (vg_en),
        .o_g_dram(vg_dram),
        .o_g_base(vg_base),
        .o_g_off (vg_off),
        .o_g_mask(vg_mask),
        .i_g_s   (vg_s),
        .i_g_d   (vg_d),
        .o_y_en  (vy_en),
        .o_y_dram(vy_dram),
        .o_y_addr(vy_addr),
        .o_y_n   (vy_n),
        .o_y_data(vy_data)
    );

    // ---- memories ----
    npu_sram #(
        .BYTES(SRAM_BYTES),
        .DW   (DW),
        .ROWS (ROWS),
        .COLS (COLS),
        .VW   (VW),
        .PKK  (PK * PK)
    ) u_sram (
        .i_clk     (i_clk),
        .i_drd_en  (drd_en && !drd_dram),
        .i_drd_addr(drd_addr),
        .o_drd_data(drd_s),
        .i_dwr_en  (dwr_en && !dwr_dram),
        .i_dwr_addr(dwr_addr),
        .i_dwr_n   (dwr_n),
        .i_dwr_data(dwr_data),
        .i_cx_en   (cx_en & ~cx_dram),
        .i_cx_addr (cx_addr),
        .o_cx_data (cx_s),
        .i_ca_en   (ca_en && !ca_dram),
        .i_ca_addr (ca_addr),
        .o_ca_data (ca_s),
        .i_cy_en   (cy_en),
        .i_cy_wide (cy_wide),
        .i_cy_mask (cy_mask & ~cy_dram),
        .i_cy_addr (cy_addr),
        .i_cy_data (cy_data),
        .i_vr_en   (vr_en && !vr_dram),
        .i_vr_wide (vr_wide),
        .i_vr_addr (vr_addr),
        .o_vr_data (vr_s),
        .i_vg_en   (vg_en && !vg_dram),
        .i_vg_base (vg_base),
        .i_vg_off  (vg_off),
        .i_vg_mask (vg_mask),
        .o_vg_data (vg_s),
        .i_vy_en   (vy_en && !vy_dram),
        .i_vy_addr (vy_addr),
        .i_vy_n    (vy_n),
        .i_vy_data (vy_data)
    );

    npu_dram #(
        .BYTES(DRAM_BYTES),
        .DW   (DW),
        .ROWS (ROWS),
        .COLS (COLS),
        .VW   (VW),
        .PKK  (PK * PK)
    ) u_dram (
        .i_clk     (i_clk),
        .i_drd_en  (drd_en && drd_dram),
        .i_drd_addr(drd_addr),
        .o_drd_data(drd_d),
        .i_dwr_en  (dwr_en && dwr_dram),
        .i_dwr_addr(dwr_addr),
        .i_dwr_n   (dwr_n),
        .i_dwr_data(dwr_data),
        .i_cx_en   (cx_en & cx_dram),
        .i_cx_addr (cx_addr),
        .o_cx_data (cx_d),
        .i_cw_en   (cw_en),
        .i_cw_cmask(cw_cmask),
        .i_cw_nrows(cw_nrows),
        .i_cw_addr (cw_addr),
        .o_cw_data (cw_d),
        .i_ca_en   (ca_en && ca_dram),
        .i_ca_addr (ca_addr),
        .o_ca_data (ca_d),
        .i_cq_en   (cq_en),
        .i_cq_addr (cq_addr),
        .o_cq_data (cq_d),
        .i_cy_en   (cy_en),
        .i_cy_wide (cy_wide),
        .i_cy_mask (cy_mask & cy_dram),
        .i_cy_addr (cy_addr),
        .i_cy_data (cy_data),
        .i_vr_en   (vr_en && vr_dram),
        .i_vr_wide (vr_wide),
        .i_vr_addr (vr_addr),
        .o_vr_data (vr_d),
        .i_vg_en   (vg_en && vg_dram),
        .i_vg_base (vg_base),
        .i_vg_off  (vg_off),
        .i_vg_mask (vg_mask),
        .o_vg_data (vg_d),
        .i_vy_en   (vy_en && vy_dram),
        .i_vy_addr (vy_addr),
        .i_vy_n    (vy_n),
        .i_vy_data (vy_data)
    );

    // ---- counters ----
    npu_counters u_counters (
        .i_clk         (i_clk),
        .i_rst         (i_rst),
        .i_run         (run),
        .i_cmp_busy    (cmp_busy),
        .i_dma_busy    (dma_busy),
        .i_stall       (stall),
        .i_add         (add),
        .i_add_weight  (add_weight),
        .i_add_act     (add_act),
        .i_add_write   (add_write),
        .i_alloc       (alloc),
        .i_free        (free_),
        .i_bytes       (bytes),
        .i_insn        (insn),
        .o_cycles      (cycles),
        .o_compute_busy(o_compute_busy),
        .o_dma_busy    (o_dma_busy),
        .o_stall       (o_stall),
        .o_weight_read (o_weight_read),
        .o_act_read    (o_act_read),
        .o_write       (o_write),
        .o_in_use      (o_sram_in_use),
        .o_peak        (o_sram_peak),
        .o_insns       (o_insns)
    );

    assign o_cycles = cycles;

endmodule

`default_nettype wire
