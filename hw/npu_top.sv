// npu_top: the NPU.  Its only ports are those a chip has (hw/README.md):
// a DRAM master port (requests, read data, write data, write responses;
// data widths the config's bytes per cycle), a register port (control,
// status, counters) and an interrupt line.  Inside: the sequencer and its
// checker, the fetch unit, the DMA engine, the convolution engine and the
// vector unit, the scratchpad and the weight buffer, the counters.
//
// A run: the host writes STREAM_BASE, STREAM_LEN and DRAM_BYTES, then 1 to
// CTRL; the NPU fetches the stream from DRAM and runs it to END, or stops on
// a broken rule (STATUS, ERR_*); o_irq rises either way.  Counters reset at
// the start.
`default_nettype none

module npu_top #(
    parameter int SRAM_BYTES = 8192,
    parameter int NB         = 8,      // scratchpad banks
    parameter int BB         = 1,      // bytes a bank word
    parameter int WBUF_BYTES = 4096,
    parameter int RD_BPC     = 4,
    parameter int WR_BPC     = 4,
    parameter int ROWS       = 4,
    parameter int COLS       = 4,
    parameter int VW         = 4,
    parameter int NBUF       = 64,
    parameter int NPEND      = 64,
    parameter int QDEPTH     = 16,
    parameter int IQ         = 16,
    parameter int MAXB       = 16,
    parameter int NOUT       = 16,
    parameter int CW         = 48,     // counter width
    parameter int CHECK      = 1       // the checker: 1 every rule, 0 encoding and bounds (npu_check)
) (
    input  wire logic                i_clk,
    input  wire logic                i_rst,
    // register port
    input  wire logic                i_reg_we,
    input  wire logic         [11:0] i_reg_addr,   // word address
    input  wire logic         [31:0] i_reg_wdata,
    output logic              [31:0] o_reg_rdata,
    output logic                     o_irq,
    // DRAM master port
    output logic                     o_m_avalid,
    input  wire logic                i_m_aready,
    output logic                     o_m_awrite,
    output logic              [31:0] o_m_aaddr,
    output logic               [7:0] o_m_alen,
    input  wire logic                i_m_rvalid,
    output logic                     o_m_rready,
    input  wire logic [8*RD_BPC-1:0] i_m_rdata,
    output logic                     o_m_wvalid,
    input  wire logic                i_m_wready,
    output logic [8*WR_BPC-1:0]      o_m_wdata,
    output logic      [WR_BPC-1:0]   o_m_wstrb,
    input  wire logic                i_m_bvalid
);

    localparam int WIN = (NB - 1) * BB + 1;
    localparam int WRW = $clog2(WBUF_BYTES / COLS) > 0 ? $clog2(WBUF_BYTES / COLS) : 1;

    // ---- registers ----
    logic        start;
    logic [31:0] stream_base_r, stream_len_r, dram_bytes_r;
    logic [63:0] cycle;

    // ---- sequencer, checker, fetch ----
    logic         running, done, f_req, f_ack, f_rvalid, rd, pop;
    logic  [31:0] f_addr, arrived, rd_slot, index;
    logic   [7:0] f_len;
    logic   [5:0] rd_row;
    logic   [2:0] pop_n;
    logic [8*RD_BPC-1:0] f_rdata, rd_data;
    logic [511:0] ir;
    logic [255:0] view, view_hi;
    logic         go_enc, go_mach, need_view, view_ok, no_view, chk_done;
    logic   [7:0] chk_err;
    logic  [63:0] chk_a, chk_b, chk_c, chk_d;
    logic   [4:0] chk_ew_idx, vec_ew_idx;
    logic  [31:0] chk_ew_ref, vec_ew_ref, vec_ew_coef, npend, pend_first;
    logic  [31:0] foot_lo, foot_hi, foot_wlo, foot_whi;
    logic         alloc, free_, push, sync, conv_start, vec_start, hold, insn;
    logic         stall_fetch, stall_dma, stall_engine;
    logic   [7:0] err, err_op;
    logic  [31:0] err_index;
    logic  [63:0] err_a, err_b, err_c, err_d;
    logic         ts, tc;
    logic  [31:0] ts_index, tc_index;
    logic   [7:0] ts_op, tc_op;
    logic  [63:0] ts_start, ts_end, tc_start, tc_end;

    npu_fetch #(
        .RD_BPC(RD_BPC),
        .IQ    (IQ)
    ) u_fetch (
        .i_clk     (i_clk),
        .i_rst     (i_rst),
        .i_start   (start),
        .i_base    (stream_base_r),
        .i_len     (stream_len_r),
        .o_f_req   (f_req),
        .o_f_addr  (f_addr),
        .o_f_len   (f_len),
        .i_f_ack   (f_ack),
        .i_f_rvalid(f_rvalid),
        .i_f_rdata (f_rdata),
        .o_arrived (arrived),
        .i_rd      (rd),
        .i_rd_slot (rd_slot),
        .i_rd_row  (rd_row),
        .o_rd_data (rd_data),
        .i_pop     (pop),
        .i_pop_n   (pop_n)
    );

    logic engine_busy, engine_done;

    npu_seq #(
        .RD_BPC(RD_BPC),
        .NPEND (NPEND)
    ) u_seq (
        .i_clk         (i_clk),
        .i_rst         (i_rst),
        .i_start       (start),
        .i_len         (stream_len_r),
        .o_running     (running),
        .o_done        (done),
        .i_arrived     (arrived),
        .o_rd          (rd),
        .o_rd_slot     (rd_slot),
        .o_rd_row      (rd_row),
        .i_rd_data     (rd_data),
        .o_pop         (pop),
        .o_pop_n       (pop_n),
        .o_ir          (ir),
        .o_view        (view),
        .o_view_hi     (view_hi),
        .o_go_enc      (go_enc),
        .o_go_mach     (go_mach),
        .i_need_view   (need_view),
        .o_view_ok     (view_ok),
        .o_no_view     (no_view),
        .i_chk_done    (chk_done),
        .i_chk_err     (chk_err),
        .i_chk_a       (chk_a),
        .i_chk_b       (chk_b),
        .i_chk_c       (chk_c),
        .i_chk_d       (chk_d),
        .i_chk_ew_idx  (chk_ew_idx),
        .o_chk_ew_ref  (chk_ew_ref),
        .i_npend       (npend),
        .i_pend_first  (pend_first),
        .o_alloc       (alloc),
        .o_free        (free_),
        .o_push        (push),
        .o_sync        (sync),
        .i_dma_full    (dma_full),
        .i_dma_idle    (dma_idle),
        .o_index       (index),
        .o_conv_start  (conv_start),
        .o_vec_start   (vec_start),
        .i_engine_busy (engine_busy),
        .i_engine_done (engine_done),
        .i_vec_ew_idx  (vec_ew_idx),
        .o_vec_ew_ref  (vec_ew_ref),
        .o_vec_ew_coef (vec_ew_coef),
        .o_hold        (hold),
        .o_insn        (insn),
        .o_stall_fetch (stall_fetch),
        .o_stall_dma   (stall_dma),
        .o_stall_engine(stall_engine),
        .o_err         (err),
        .o_err_index   (err_index),
        .o_err_op      (err_op),
        .o_err_a       (err_a),
        .o_err_b       (err_b),
        .o_err_c       (err_c),
        .o_err_d       (err_d),
        .o_ts          (ts),
        .o_ts_index    (ts_index),
        .o_ts_op       (ts_op),
        .o_ts_start    (ts_start),
        .o_ts_end      (ts_end),
        .o_tc          (tc),
        .o_tc_index    (tc_index),
        .o_tc_op       (tc_op),
        .o_tc_start    (tc_start),
        .o_tc_end      (tc_end),
        .i_cycle       (cycle)
    );

    npu_check #(
        .SRAM_BYTES(SRAM_BYTES),
        .WBUF_BYTES(WBUF_BYTES),
        .COLS      (COLS),
        .NBUF      (NBUF),
        .NPEND     (NPEND),
        .CHECK     (CHECK)
    ) u_check (
        .i_clk       (i_clk),
        .i_rst       (i_rst || start),
        .i_ir        (ir),
        .i_view      (view),
        .i_view_hi   (view_hi),
        .i_dram_bytes(dram_bytes_r),
        .i_go_enc    (go_enc),
        .i_go_mach   (go_mach),
        .o_need_view (need_view),
        .i_view_ok   (view_ok),
        .i_no_view   (no_view),
        .o_done      (chk_done),
        .o_err       (chk_err),
        .o_err_a     (chk_a),
        .o_err_b     (chk_b),
        .o_err_c     (chk_c),
        .o_err_d     (chk_d),
        .o_ew_idx    (chk_ew_idx),
        .i_ew_ref    (chk_ew_ref),
        .o_foot_lo   (foot_lo),
        .o_foot_hi   (foot_hi),
        .o_foot_wlo  (foot_wlo),
        .o_foot_whi  (foot_whi),
        .i_alloc     (alloc),
        .i_free      (free_),
        .i_push      (push),
        .i_push_index(index),
        .i_sync      (sync),
        .o_npend     (npend),
        .o_pend_first(pend_first)
    );

    // the instruction's fields, for the DMA and the engines
    logic [31:0] w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11, w12, w13, w14, w15;
    logic [31:0] v1, v2, v3, v4, v5, v6, v7, v8, v0_unused;
    assign {w15, w14, w13, w12, w11, w10, w9, w8, w7, w6, w5, w4, w3, w2, w1, w0} = ir;
    assign {v7, v6, v5, v4, v3, v2, v1, v0_unused} = view;
    assign v8 = view_hi[31:0];

    // a Ref's address, its space bits dropped (the checker has checked them)
    function automatic logic [31:0] addr(input logic [29:0] r);
        addr = {2'b00, r};
    endfunction

    // the running compute instruction's footprint: the DMA holds transfers on it
    logic [31:0] hold_lo_r, hold_hi_r, hold_wlo_r, hold_whi_r;
    always_ff @(posedge i_clk)
        if (conv_start || vec_start) begin
            hold_lo_r  <= foot_lo;
            hold_hi_r  <= foot_hi;
            hold_wlo_r <= foot_wlo;
            hold_whi_r <= foot_whi;
        end

    // ---- DMA ----
    logic               dma_full, dma_idle, dma_busy;
    logic               b_req, b_we, wb_we;
    logic        [31:0] b_addr;
    logic        [15:0] b_n;
    logic [8*WIN-1:0]   b_wdata, b_rdata;
    logic     [WRW-1:0] wb_row;
    logic  [8*COLS-1:0] wb_wdata;
    logic    [COLS-1:0] wb_be;
    logic      [CW-1:0] rd_weight, rd_act, rd_spill, rd_fetch, wr_act, wr_spill, moved_rd, moved_wr;
    logic               xdone;
    logic        [31:0] xdone_index;
    logic        [63:0] xdone_start, xdone_end;

    npu_dma #(
        .RD_BPC(RD_BPC),
        .WR_BPC(WR_BPC),
        .WIN   (WIN),
        .COLS  (COLS),
        .WRW   (WRW),
        .QDEPTH(QDEPTH),
        .MAXB  (MAXB),
        .NOUT  (NOUT),
        .CW    (CW)
    ) u_dma (
        .i_clk         (i_clk),
        .i_rst         (i_rst || start),
        .i_cycle       (cycle),
        .i_push        (push),
        .i_push_load   (w0[7:0] == 8'h02),
        .i_push_class  (w0[9:8]),
        .i_push_src    (w1),
        .i_push_dst    (w2),
        .i_push_bytes  (w3),
        .i_push_rows   (w4[15:0]),
        .i_push_sstride(w5),
        .i_push_dstride(w6),
        .i_push_index  (index),
        .o_full        (dma_full),
        .o_idle        (dma_idle),
        .i_hold        (hold),
        .i_hold_end    (engine_done),
        .i_hold_lo     (hold_lo_r),
        .i_hold_hi     (hold_hi_r),
        .i_hold_wlo    (hold_wlo_r),
        .i_hold_whi    (hold_whi_r),
        .i_f_req       (f_req),
        .i_f_addr      (f_addr),
        .i_f_len       (f_len),
        .o_f_ack       (f_ack),
        .o_f_rvalid    (f_rvalid),
        .o_f_rdata     (f_rdata),
        .o_m_avalid    (o_m_avalid),
        .i_m_aready    (i_m_aready),
        .o_m_awrite    (o_m_awrite),
        .o_m_aaddr     (o_m_aaddr),
        .o_m_alen      (o_m_alen),
        .i_m_rvalid    (i_m_rvalid),
        .o_m_rready    (o_m_rready),
        .i_m_rdata     (i_m_rdata),
        .o_m_wvalid    (o_m_wvalid),
        .i_m_wready    (i_m_wready),
        .o_m_wdata     (o_m_wdata),
        .o_m_wstrb     (o_m_wstrb),
        .i_m_bvalid    (i_m_bvalid),
        .o_b_req       (b_req),
        .o_b_we        (b_we),
        .o_b_addr      (b_addr),
        .o_b_n         (b_n),
        .o_b_wdata     (b_wdata),
        .i_b_rdata     (b_rdata),
        .o_wb_we       (wb_we),
        .o_wb_row      (wb_row),
        .o_wb_wdata    (wb_wdata),
        .o_wb_be       (wb_be),
        .o_rd_weight   (rd_weight),
        .o_rd_act      (rd_act),
        .o_rd_spill    (rd_spill),
        .o_rd_fetch    (rd_fetch),
        .o_wr_act      (wr_act),
        .o_wr_spill    (wr_spill),
        .o_moved_rd    (moved_rd),
        .o_moved_wr    (moved_wr),
        .o_busy        (dma_busy),
        .o_done        (xdone),
        .o_done_index  (xdone_index),
        .o_done_start  (xdone_start),
        .o_done_end    (xdone_end)
    );

    // ---- engines ----
    logic               c_busy, c_done, c_a_req, c_a_we, c_w_re, c_mac;
    logic        [31:0] c_a_addr;
    logic        [15:0] c_a_n;
    logic [8*WIN-1:0]   c_a_wdata;
    logic     [WRW-1:0] c_w_row;
    logic               v_busy, v_done, v_a_req, v_a_we, v_w_re, v_ew_re;
    logic        [31:0] v_a_addr;
    logic        [15:0] v_a_n;
    logic [8*WIN-1:0]   v_a_wdata;
    logic     [WRW-1:0] v_w_row;
    logic               a_gnt, conflict;
    logic [8*WIN-1:0]   a_rdata;
    logic  [8*COLS-1:0] w_rdata;

    npu_conv #(
        .ROWS(ROWS),
        .COLS(COLS),
        .WIN (WIN),
        .WRW (WRW)
    ) u_conv (
        .i_clk      (i_clk),
        .i_rst      (i_rst),
        .i_start    (conv_start),
        .i_src      (addr(w1[29:0])),
        .i_src2     (addr(w13[29:0])),
        .i_dst      (addr(w2[29:0])),
        .i_dst2     (addr(w15[29:0])),
        .i_psum     (addr(w4[29:0])),
        .i_weight   (addr(w3[29:0])),
        .i_src_cs   (v1),
        .i_src2_cs  (v3),
        .i_dst_cs   (v4),
        .i_dst2_cs  (v6),
        .i_psum_cs  (v7),
        .i_src_row0 (v2[15:0]),
        .i_src2_row0(v2[31:16]),
        .i_dst_row0 (v5[15:0]),
        .i_dst2_row0(v5[31:16]),
        .i_psum_row0(v8[15:0]),
        .i_in_c     (w5[15:0]),
        .i_in_h     (w5[31:16]),
        .i_in_w     (w6[15:0]),
        .i_out_c    (w6[31:16]),
        .i_out_h    (w7[15:0]),
        .i_out_w    (w7[31:16]),
        .i_groups   (w9[31:16]),
        .i_split    ((w0[13] ? w14[15:0] : 16'd0)),
        .i_osplit   ((w0[14] ? w14[31:16] : 16'd0)),
        .i_oy0      (w11[15:0]),
        .i_oy1      (w11[31:16]),
        .i_cw       (w12[15:0]),
        .i_kh       (w8[7:0]),
        .i_kw       (w8[15:8]),
        .i_sh       (w8[23:16]),
        .i_sw       (w8[31:24]),
        .i_dh       (w9[7:0]),
        .i_dw       (w9[15:8]),
        .i_pt       (w10[7:0]),
        .i_pl       (w10[15:8]),
        .i_relu     (w0[8]),
        .i_out32    (w0[9]),
        .i_psum_en  (w0[10]),
        .o_busy     (c_busy),
        .o_done     (c_done),
        .o_a_req    (c_a_req),
        .o_a_we     (c_a_we),
        .o_a_addr   (c_a_addr),
        .o_a_n      (c_a_n),
        .o_a_wdata  (c_a_wdata),
        .i_a_gnt    (a_gnt),
        .i_a_rdata  (a_rdata),
        .o_w_re     (c_w_re),
        .o_w_row    (c_w_row),
        .i_w_rdata  (w_rdata),
        .o_mac      (c_mac)
    );

    npu_vec #(
        .VW  (VW),
        .WIN (WIN),
        .COLS(COLS),
        .WRW (WRW)
    ) u_vec (
        .i_clk     (i_clk),
        .i_rst     (i_rst),
        .i_start   (vec_start),
        .i_op      (w0[7:0]),
        .i_relu    (w0[8]),
        .i_avg     (w0[11]),
        .i_perch   (w0[12]),
        .i_src     (addr(w1[29:0])),
        .i_dst     (addr(w0[7:0] == 8'h13 ? w1[29:0] : w2[29:0])),  // EW: w1 dst, w2 elements
        .i_elems   (w0[7:0] == 8'h13 ? w2 : w3),
        .i_src_cs  (w3),
        .i_dst_cs  (w4),
        .i_src_row0(w12[15:0]),
        .i_dst_row0(w12[31:16]),
        .i_oy0     (w11[15:0]),
        .i_oy1     (w11[31:16]),
        .i_in_c    (w5[15:0]),
        .i_in_h    (w5[31:16]),
        .i_in_w    (w6[15:0]),
        .i_out_h   (w7[15:0]),
        .i_out_w   (w7[31:16]),
        .i_kh      (w8[7:0]),
        .i_kw      (w8[15:8]),
        .i_sh      (w8[23:16]),
        .i_sw      (w8[31:24]),
        .i_dh      (w9[7:0]),
        .i_dw      (w9[15:8]),
        .i_pt      (w10[7:0]),
        .i_pl      (w10[15:8]),
        .i_qmul    (w0[7:0] == 8'h13 ? w3 : w4),
        .i_qshift  (w0[7:0] == 8'h13 ? w4[7:0] : w5[7:0]),
        .i_table   (addr(w6[29:0])),
        .i_chans   (w7[15:0]),
        .i_nin     (w0[21:16]),
        .o_ew_re   (v_ew_re),
        .o_ew_idx  (vec_ew_idx),
        .i_ew_ref  (addr(vec_ew_ref[29:0])),
        .i_ew_coef (vec_ew_coef),
        .o_busy    (v_busy),
        .o_done    (v_done),
        .o_a_req   (v_a_req),
        .o_a_we    (v_a_we),
        .o_a_addr  (v_a_addr),
        .o_a_n     (v_a_n),
        .o_a_wdata (v_a_wdata),
        .i_a_gnt   (a_gnt),
        .i_a_rdata (a_rdata),
        .o_w_re    (v_w_re),
        .o_w_row   (v_w_row),
        .i_w_rdata (w_rdata)
    );

    assign engine_busy = c_busy || v_busy;

    // Fields no engine takes, and the events the harness's timeline observes
    // (rtl_sim/npu_sim.vlt): no logic reads them (hw/npu.vlt).
    logic unused_fields, unused_events;
    assign unused_fields = ^{w0[31:22], w0[15], w10[31:16], v8[31:16], v_ew_re, vec_ew_ref[31:30],
                             w1[31:30], w2[31:30], w3[31:30], w4[31:30], w6[31:30], w13[31:30],
                             w15[31:30]};
    assign unused_events = ^{ts, tc, ts_index, tc_index, ts_op, tc_op, ts_start, ts_end, tc_start,
                             tc_end, xdone, xdone_index, xdone_start, xdone_end};
    assign engine_done = c_done || v_done;

    // ---- memories: port A goes to the engine that runs ----
    logic               a_req, a_we;
    logic        [31:0] a_addr;
    logic        [15:0] a_n;
    logic [8*WIN-1:0]   a_wdata;
    logic [NB*CW-1:0]   bank_rd, bank_wr;
    logic        [31:0] hwm;

    assign a_req   = c_busy ? c_a_req : v_a_req;
    assign a_we    = c_busy ? c_a_we : v_a_we;
    assign a_addr  = c_busy ? c_a_addr : v_a_addr;
    assign a_n     = c_busy ? c_a_n : v_a_n;
    assign a_wdata = c_busy ? c_a_wdata : v_a_wdata;

    npu_spad #(
        .BYTES(SRAM_BYTES),
        .NB   (NB),
        .BB   (BB),
        .CW   (CW)
    ) u_spad (
        .i_clk     (i_clk),
        .i_rst     (i_rst || start),
        .i_a_req   (a_req),
        .i_a_we    (a_we),
        .i_a_addr  (a_addr),
        .i_a_n     (a_n),
        .i_a_wdata (a_wdata),
        .o_a_gnt   (a_gnt),
        .o_a_rdata (a_rdata),
        .i_b_req   (b_req),
        .i_b_we    (b_we),
        .i_b_addr  (b_addr),
        .i_b_n     (b_n),
        .i_b_wdata (b_wdata),
        .o_b_rdata (b_rdata),
        .o_bank_rd (bank_rd),
        .o_bank_wr (bank_wr),
        .o_hwm     (hwm),
        .o_conflict(conflict)
    );

    npu_wbuf #(
        .BYTES(WBUF_BYTES),
        .COLS (COLS),
        .RW   (WRW)
    ) u_wbuf (
        .i_clk  (i_clk),
        .i_we   (wb_we),
        .i_wrow (wb_row),
        .i_wbe  (wb_be),
        .i_wdata(wb_wdata),
        .i_re   (c_busy ? c_w_re : v_w_re),
        .i_rrow (c_busy ? c_w_row : v_w_row),
        .o_rdata(w_rdata)
    );

    // ---- counters ----
    localparam int NCNT = 22;
    logic [NCNT*CW-1:0] cnt;    // hw/README.md's order, counter k at [CW*k +: CW]
    logic [CW-1:0] in_use_r, peak_r, cyc_r, mac_r, cbusy_r, dbusy_r, sf_r, sd_r, se_r, sb_r;
    logic [CW-1:0] srd_r, swr_r, insns_r;

    always_ff @(posedge i_clk) begin
        if (running) cyc_r <= cyc_r + 1'b1;
        if (c_mac) mac_r <= mac_r + 1'b1;
        if (c_busy || v_busy) cbusy_r <= cbusy_r + 1'b1;
        if (dma_busy) dbusy_r <= dbusy_r + 1'b1;
        if (stall_fetch) sf_r <= sf_r + 1'b1;
        if (stall_dma) sd_r <= sd_r + 1'b1;
        if (stall_engine) se_r <= se_r + 1'b1;
        if (conflict) sb_r <= sb_r + 1'b1;
        if (insn) insns_r <= insns_r + 1'b1;
        // bytes the scratchpad's ports move (the banks count them again, one by one)
        begin : sram_bytes
            logic [CW-1:0] rd_add, wr_add;
            rd_add = '0;
            wr_add = '0;
            if (a_req && a_gnt && !a_we) rd_add = rd_add + CW'(a_n);
            if (a_req && a_gnt && a_we) wr_add = wr_add + CW'(a_n);
            if (b_req && !b_we) rd_add = rd_add + CW'(b_n);
            if (b_req && b_we) wr_add = wr_add + CW'(b_n);
            srd_r <= srd_r + rd_add;
            swr_r <= swr_r + wr_add;
        end
        if (alloc) begin
            in_use_r <= in_use_r + CW'(w2);
            if (in_use_r + CW'(w2) > peak_r) peak_r <= in_use_r + CW'(w2);
        end
        if (free_) in_use_r <= in_use_r - CW'(w2);
        if (i_rst || start) begin
            cyc_r    <= '0;
            mac_r    <= '0;
            cbusy_r  <= '0;
            dbusy_r  <= '0;
            sf_r     <= '0;
            sd_r     <= '0;
            se_r     <= '0;
            sb_r     <= '0;
            insns_r  <= '0;
            srd_r    <= '0;
            swr_r    <= '0;
            in_use_r <= '0;
            peak_r   <= '0;
        end
    end

    assign cnt[CW*0 +: CW] = cyc_r;
    assign cnt[CW*1 +: CW] = mac_r;
    assign cnt[CW*2 +: CW] = cbusy_r;
    assign cnt[CW*3 +: CW] = dbusy_r;
    assign cnt[CW*4 +: CW] = sf_r;
    assign cnt[CW*5 +: CW] = sd_r;
    assign cnt[CW*6 +: CW] = se_r;
    assign cnt[CW*7 +: CW] = sb_r;
    assign cnt[CW*8 +: CW] = rd_weight;
    assign cnt[CW*9 +: CW] = rd_act;
    assign cnt[CW*10 +: CW] = rd_spill;
    assign cnt[CW*11 +: CW] = rd_fetch;
    assign cnt[CW*12 +: CW] = wr_act;
    assign cnt[CW*13 +: CW] = wr_spill;
    assign cnt[CW*14 +: CW] = moved_rd;
    assign cnt[CW*15 +: CW] = moved_wr;
    assign cnt[CW*16 +: CW] = srd_r;
    assign cnt[CW*17 +: CW] = swr_r;
    assign cnt[CW*18 +: CW] = in_use_r;
    assign cnt[CW*19 +: CW] = peak_r;
    assign cnt[CW*20 +: CW] = CW'(hwm);
    assign cnt[CW*21 +: CW] = insns_r;

    // ---- the register port ----
    logic irq_r;
    always_ff @(posedge i_clk) begin
        if (i_reg_we)
            case (i_reg_addr)
                12'd2: stream_base_r <= i_reg_wdata;
                12'd3: stream_len_r  <= i_reg_wdata;
                12'd4: dram_bytes_r  <= i_reg_wdata;
                default: ;
            endcase
        if ((done || err != 0) && !start) irq_r <= 1'b1;
        if (start || i_rst) irq_r <= 1'b0;
    end
    assign start = i_reg_we && i_reg_addr == 12'd0 && i_reg_wdata[0] && !running;
    assign cycle = 64'(cyc_r);
    assign o_irq = irq_r;

    always_comb begin
        logic [63:0] c;
        int          k;
        o_reg_rdata = '0;
        c = '0;
        k = 32'(i_reg_addr) - 32;
        if (i_reg_addr >= 12'd32 && k / 2 < NCNT) c = 64'(cnt[CW*(k / 2) +: CW]);
        else if (i_reg_addr >= 12'd32 && k / 2 < NCNT + 2 * NB)
            c = (k / 2 - NCNT) % 2 == 0 ? 64'(bank_rd[CW*((k / 2 - NCNT) / 2) +: CW])
                                        : 64'(bank_wr[CW*((k / 2 - NCNT) / 2) +: CW]);
        case (i_reg_addr)
            12'd1: o_reg_rdata = {16'h0, err, 5'h0, err != 0, done, running};
            12'd2: o_reg_rdata = stream_base_r;
            12'd3: o_reg_rdata = stream_len_r;
            12'd4: o_reg_rdata = dram_bytes_r;
            12'd5: o_reg_rdata = err_index;
            12'd6: o_reg_rdata = 32'(err_op);
            12'd8: o_reg_rdata = err_a[31:0];
            12'd9: o_reg_rdata = err_a[63:32];
            12'd10: o_reg_rdata = err_b[31:0];
            12'd11: o_reg_rdata = err_b[63:32];
            12'd12: o_reg_rdata = err_c[31:0];
            12'd13: o_reg_rdata = err_c[63:32];
            12'd14: o_reg_rdata = err_d[31:0];
            12'd15: o_reg_rdata = err_d[63:32];
            default: if (i_reg_addr >= 12'd32) o_reg_rdata = k % 2 == 0 ? c[31:0] : c[63:32];
        endcase
    end

endmodule

`default_nettype wire
