// npu_dma: the DMA engine, the NPU's only path to DRAM.
//
// LOAD (DRAM -> SRAM or WBUF) and STORE (SRAM -> DRAM) transfers queue here
// (QDEPTH deep, in order) and move in bursts over the DRAM master port
// (hw/README.md), many bursts outstanding so that the DRAM latency is hidden;
// the instruction fetch (npu_fetch) shares the port for its read bursts.
//
// Dataflow
//   queue -> request generator -> R (the request register, o_m_a*)
//     The generator walks (transfer, row, burst): a row of n bytes at DRAM
//     address s crosses the port as the aligned BPC-byte beats from
//     floor(s/BPC) to floor((s+n-1)/BPC) (BPC = RD_BPC for a LOAD, WR_BPC
//     for a STORE), cut into bursts of MAXB beats (the last shorter); a
//     burst never covers two rows.  Each burst loaded into R also pushes a
//     descriptor: read bursts (and fetch bursts) into RF, the in-order tag
//     FIFO of the read channel; write bursts into WF (their class, length and
//     whether they end their transfer) and, for a row's first burst, the
//     row into SRF for the STORE reader.
//   read channel -> LOAD assembler -> chunk queue (2) -> port B / WBUF port
//     Each beat's bytes that belong to its row go, in order, into a byte
//     buffer of CH-1+RD_BPC bytes (shift in at the fill level); a chunk is
//     the row's bytes [k*CH, min(n,(k+1)*CH)) (CH = WIN to SRAM, COLS to
//     the WBUF, one WBUF row), and leaves the buffer into the chunk queue as
//     soon as it is complete: at most two a cycle (a full chunk and the
//     row's tail behind it).  The chunk queue writes one chunk a cycle
//     (port B write, or WBUF write with byte enables).  Fetch beats go to
//     o_f_rdata instead.  o_m_rready drops only when the buffer cannot take
//     the beat (a WBUF row narrower than a beat, or the chunk queue full).
//   SRF -> STORE reader -> port B reads -> store buffer -> write channel
//     The reader reads each row in chunks [k*WIN, min(n,(k+1)*WIN)), one
//     port-B read each, while the store buffer (SB bytes, each with its
//     strobe) has room; a row lands in it aligned to a beat: `s mod
//     WR_BPC` empty bytes before its first chunk, its end rounded up to a
//     beat.  The buffer's lowest WR_BPC bytes are the write beat
//     (o_m_wvalid when a whole beat is there), o_m_wstrb the bytes of
//     [s, s+n) it carries.
//   Port B: one access a cycle; a LOAD chunk write goes first, a STORE read
//   waits for a cycle without one.
//   Completion: a LOAD when its last chunk is written, a STORE when the
//   write response of its last burst comes (i_m_bvalid, in order).
//   o_done pulses the cycle after (two cycles after the response for a
//   STORE), with the cycle of the event in o_done_end.  A STORE's report
//   has priority: a LOAD's last chunk is not written in a cycle where a
//   STORE completion is reported, it waits a cycle.
//
// Timing (DRAM model of tests/rtl/tb_dma.sv: i_m_aready = 1, read data of a
// burst from LATENCY cycles after its request, write beats taken for
// accepted bursts, a response LATENCY cycles after a burst's last beat)
//   Requests.  R is loaded in cycle t and its request goes out in t+1.  In
//   cycle t it takes (a) the fetch burst when i_f_req is high, R does not
//   hold a fetch in t, and fewer than NOUT read bursts are in RF; else (b)
//   the next burst of the walk, when
//     - a read burst: fewer than NOUT read bursts are in RF (a burst leaves
//       RF in the cycle its last beat is taken); a write burst: fewer than
//       NOUT write bursts wait for their response (one leaves the cycle its
//       response comes);
//     - it is a transfer's first burst: the transfer is the queue head
//       (pushed in t-1 or before; the previous transfer's last burst was
//       loaded before t) and is not held in t (the compute instruction
//       that ran when it was pushed, if its footprint overlapped the
//       transfer's on-chip range, has not ended: i_hold_end).
//   So bursts go out back to back, one a cycle, across rows and transfers;
//   a transfer pushed into an idle DMA sends its first request 2 cycles
//   after the push.  With bursts of b beats and LATENCY L, NOUT read slots
//   keep the read channel busy when NOUT*b >= L + b + 2 (a slot is reused 2
//   cycles after the last beat of its burst).
//   LOAD data.  Beats are taken one a cycle as the DRAM presents them
//   (o_m_rready stays high) as long as CH >= RD_BPC; chunk writes follow in
//   order, one a cycle: a chunk completed by the beat taken in cycle t is
//   written in max(t+2, the previous chunk's write + 1).  A beat completes
//   at most one chunk, two when it is its row's last and the row's bytes
//   before it (mod CH) plus its own exceed CH.  A WBUF row narrower than a
//   beat (COLS < RD_BPC): one WBUF row written a cycle, the read channel
//   waits for it.  A LOAD of B beats, alone: last beat at (first request) +
//   L + B - 1, complete 2 cycles later (3 with the two-chunk last beat).
//   STORE data.  A row's chunk reads start the cycle after its first burst
//   was loaded into R (one read a cycle when port B is free and the buffer
//   has room); a chunk read in cycle t is in the buffer at t+2; a beat goes
//   out as soon as it is whole.  With the port free, one beat a cycle:
//   a STORE of B beats, alone: beats from (first request) + 2 to
//   (first request) + B + 1, complete L cycles after the last.
//
// Counters (reset by i_rst): o_rd_* add RD_BPC for every read beat taken,
// by its burst's class (o_rd_fetch for fetch bursts); o_wr_* add WR_BPC for
// every write beat, by class (a STORE of class 2 is not counted; the
// sequencer refuses it); o_moved_rd the bytes LOAD chunks write, o_moved_wr
// the bytes STORE chunk reads return.
`default_nettype none

module npu_dma #(
    parameter int RD_BPC = 8,    // read data width, bytes (power of two)
    parameter int WR_BPC = 8,    // write data width, bytes (power of two)
    parameter int WIN    = 32,   // scratchpad window: bytes one port-B access reaches (>= RD_BPC, >= WR_BPC)
    parameter int COLS   = 16,   // weight-buffer row bytes
    parameter int WRW    = 12,   // weight-buffer row address bits
    parameter int QDEPTH = 16,   // queued transfers
    parameter int MAXB   = 16,   // beats a burst, at most (<= 256)
    parameter int NOUT   = 16,   // read bursts in flight, at most; write bursts awaiting their response, at most
    parameter int CW     = 48    // counter width
) (
    input  wire logic                i_clk,
    input  wire logic                i_rst,
    input  wire logic         [63:0] i_cycle,        // the cycle counter, for the timeline
    // the queue (the sequencer pushes checked LOAD/STORE instructions)
    input  wire logic                i_push,
    input  wire logic                i_push_load,    // 1 LOAD, 0 STORE
    input  wire logic          [1:0] i_push_class,   // 0 act, 1 spill, 2 weight
    input  wire logic         [31:0] i_push_src,     // Ref: bits 31:30 space (0 SRAM, 1 WBUF, 2 DRAM), 29:0 address
    input  wire logic         [31:0] i_push_dst,
    input  wire logic         [31:0] i_push_bytes,   // bytes a row, >= 1
    input  wire logic         [15:0] i_push_rows,    // rows, >= 1
    input  wire logic         [31:0] i_push_sstride,
    input  wire logic         [31:0] i_push_dstride,
    input  wire logic         [31:0] i_push_index,   // instruction index (timeline)
    output logic                     o_full,         // the queue has no room
    output logic                     o_idle,         // nothing queued, in flight or awaiting a response
    // the running compute instruction's footprint: a transfer overlapping it does not start
    input  wire logic                i_hold,
    input  wire logic                i_hold_end,     // that instruction ends this cycle
    input  wire logic         [31:0] i_hold_lo,      // SRAM bytes [lo, hi)
    input  wire logic         [31:0] i_hold_hi,
    input  wire logic         [31:0] i_hold_wlo,     // WBUF bytes [wlo, whi)
    input  wire logic         [31:0] i_hold_whi,
    // instruction fetch: read bursts, served before queued transfers
    input  wire logic                i_f_req,        // a fetch burst is wanted (level)
    input  wire logic         [31:0] i_f_addr,       // its DRAM address, a multiple of RD_BPC
    input  wire logic          [7:0] i_f_len,        // its beats - 1 (< MAXB)
    output logic                     o_f_ack,        // the request went out on the port this cycle
    output logic                     o_f_rvalid,     // a fetch beat (in request order)
    output logic    [8*RD_BPC-1:0]   o_f_rdata,
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
    output logic    [8*WR_BPC-1:0]   o_m_wdata,
    output logic      [WR_BPC-1:0]   o_m_wstrb,
    input  wire logic                i_m_bvalid,
    // scratchpad port B (never refused; read data the next cycle, held)
    output logic                     o_b_req,
    output logic                     o_b_we,
    output logic              [31:0] o_b_addr,
    output logic              [15:0] o_b_n,          // 1..WIN
    output logic       [8*WIN-1:0]   o_b_wdata,      // byte j -> addr + j
    input  wire logic  [8*WIN-1:0]   i_b_rdata,      // byte j = mem[addr + j]
    // weight buffer write port
    output logic                     o_wb_we,
    output logic         [WRW-1:0]   o_wb_row,
    output logic      [8*COLS-1:0]   o_wb_wdata,
    output logic        [COLS-1:0]   o_wb_be,
    // counters: bytes that crossed the port (beats x width), by class
    output logic          [CW-1:0]   o_rd_weight,
    output logic          [CW-1:0]   o_rd_act,
    output logic          [CW-1:0]   o_rd_spill,
    output logic          [CW-1:0]   o_rd_fetch,
    output logic          [CW-1:0]   o_wr_act,
    output logic          [CW-1:0]   o_wr_spill,
    output logic          [CW-1:0]   o_moved_rd,     // bytes LOADs wrote into SRAM and WBUF
    output logic          [CW-1:0]   o_moved_wr,     // bytes STOREs read from SRAM
    output logic                     o_busy,         // a transfer or fetch burst in flight (dma_busy)
    // timeline: a transfer is complete (one-cycle pulse)
    output logic                     o_done,
    output logic              [31:0] o_done_index,
    output logic              [63:0] o_done_start,   // cycle its first request went out
    output logic              [63:0] o_done_end      // cycle it completed
);

    // ------------------------------------------------------------------
    // Sizes
    // ------------------------------------------------------------------
    localparam int LGR  = $clog2(RD_BPC);
    localparam int LGW  = $clog2(WR_BPC);
    localparam int OR   = LGR > 0 ? LGR : 1;                 // bits of an offset in a read beat
    localparam int OW   = LGW > 0 ? LGW : 1;                 // ... in a write beat
    localparam int ORP  = OR + 1;
    localparam int QW   = QDEPTH > 1 ? $clog2(QDEPTH) : 1;   // queue pointer
    localparam int QC   = $clog2(QDEPTH + 1);                // queue count
    localparam int NW   = NOUT > 1 ? $clog2(NOUT) : 1;       // RF / WF / SRF pointers
    localparam int NC   = $clog2(NOUT + 1);
    localparam int XD   = NOUT + 4;                          // LXF / SXF depth: never binds (header)
    localparam int XW   = $clog2(XD);
    localparam int XC   = $clog2(XD + 1);
    localparam int CHM  = WIN > COLS ? WIN : COLS;           // widest chunk
    localparam int AB   = CHM - 1 + RD_BPC;                  // LOAD buffer bytes: a partial chunk + a beat
    localparam int AC   = $clog2(AB + 1);                    // its fill level
    // a STORE chunk's footprint in the store buffer, at most: its bytes, the
    // empty bytes before a row's first, the rounding after a row's last
    localparam int AMAX = (WIN + 2 * WR_BPC - 2) / WR_BPC * WR_BPC;
    localparam int SB   = AMAX + 2 * WR_BPC - 1;             // store buffer bytes
    localparam int SC   = $clog2(SB + 1);
    localparam int ABB  = 8 * AB;
    localparam int SBB  = 8 * SB;
    localparam int CHB  = 8 * CHM;
    localparam int RDB  = 8 * RD_BPC;
    localparam int WDB  = 8 * WR_BPC;
    localparam int WINB = 8 * WIN;
    localparam int COLB = 8 * COLS;

    // WBUF byte address -> row: an exact division by COLS (dst and dstride
    // are multiples of COLS): shift out COLS's factor 2^TZ, multiply by the
    // inverse of its odd part modulo 2^WRW
    function automatic int tzeros(input int d);
        tzeros = 0;
        for (int i = 0; i < 30; i++)
            if ((d & ((1 << (i + 1)) - 1)) == 0) tzeros = i + 1;
    endfunction
    function automatic logic [31:0] inv_odd(input logic [31:0] d);
        inv_odd = d;  // right to 3 bits; Newton doubles them
        for (int i = 0; i < 5; i++) inv_odd = inv_odd * (32'd2 - d * inv_odd);
    endfunction
    localparam int          TZ  = tzeros(COLS);
    localparam logic [31:0] INV = inv_odd(32'(COLS >> TZ));

    function automatic logic [31:0] wbuf_row(input logic [31:0] a);
        logic [WRW-1:0] x;
        x = WRW'(a >> TZ);
        wbuf_row = 32'(x * INV[WRW-1:0]);
    endfunction

    // beats of a row of n bytes at DRAM address s
    function automatic logic [31:0] row_beats(input logic [31:0] s, input logic [31:0] n,
                                              input logic ld);
        logic [31:0] e;
        e = s + n - 32'd1;
        row_beats = ld ? (e >> LGR) - (s >> LGR) + 32'd1 : (e >> LGW) - (s >> LGW) + 32'd1;
    endfunction

    function automatic logic [31:0] beat_align(input logic [31:0] s, input logic ld);
        beat_align = ld ? (s >> LGR) << LGR : (s >> LGW) << LGW;
    endfunction

    // ------------------------------------------------------------------
    // The queue
    // ------------------------------------------------------------------
    logic              q_load_r  [0:QDEPTH-1];
    logic        [1:0] q_cls_r   [0:QDEPTH-1];
    logic              q_wb_r    [0:QDEPTH-1];   // LOAD into the WBUF
    logic       [31:0] q_dram_r  [0:QDEPTH-1];   // DRAM address of row 0
    logic       [31:0] q_dstr_r  [0:QDEPTH-1];   // DRAM stride
    logic       [31:0] q_chip_r  [0:QDEPTH-1];   // on-chip row 0: SRAM byte, or WBUF row
    logic       [31:0] q_cstr_r  [0:QDEPTH-1];   // on-chip stride: bytes, or WBUF rows
    logic       [31:0] q_bytes_r [0:QDEPTH-1];
    logic       [15:0] q_rows_r  [0:QDEPTH-1];
    logic       [31:0] q_index_r [0:QDEPTH-1];
    logic [QDEPTH-1:0] q_held_r;                 // waits for the compute instruction it was pushed under
    logic     [QW-1:0] q_wp_r, q_rp_r;
    logic     [QC-1:0] q_cnt_r;

    logic              p_wb, push;
    logic       [31:0] p_lo, p_cstr, p_hi;

    assign push   = i_push && !o_full;
    assign p_wb   = i_push_load && i_push_dst[31:30] == 2'd1;
    assign p_lo   = i_push_load ? {2'b0, i_push_dst[29:0]} : {2'b0, i_push_src[29:0]};
    assign p_cstr = i_push_load ? i_push_dstride : i_push_sstride;
    assign p_hi   = p_lo + 32'({16'd0, i_push_rows - 16'd1} * p_cstr) + i_push_bytes;

    // A transfer is held by the compute instruction running when it is
    // pushed, if its range overlaps that instruction's footprint, until that
    // instruction ends; a compute instruction issued after it never touches
    // its range (the checker refuses such races), so holds nothing.
    always_ff @(posedge i_clk)
        if (i_rst || i_hold_end) q_held_r <= '0;
        else if (push)
            q_held_r[q_wp_r] <= i_hold && (p_wb ? i_hold_wlo < i_hold_whi && p_lo < i_hold_whi && i_hold_wlo < p_hi
                                                : i_hold_lo < i_hold_hi && p_lo < i_hold_hi && i_hold_lo < p_hi);

    always_ff @(posedge i_clk)
        if (push) begin
            q_load_r[q_wp_r]  <= i_push_load;
            q_cls_r[q_wp_r]   <= i_push_class;
            q_wb_r[q_wp_r]    <= p_wb;
            q_dram_r[q_wp_r]  <= i_push_load ? {2'b0, i_push_src[29:0]} : {2'b0, i_push_dst[29:0]};
            q_dstr_r[q_wp_r]  <= i_push_load ? i_push_sstride : i_push_dstride;
            q_chip_r[q_wp_r]  <= p_wb ? wbuf_row(p_lo) : p_lo;
            q_cstr_r[q_wp_r]  <= p_wb ? wbuf_row(p_cstr) : p_cstr;
            q_bytes_r[q_wp_r] <= i_push_bytes;
            q_rows_r[q_wp_r]  <= i_push_rows;
            q_index_r[q_wp_r] <= i_push_index;
        end

    // the head
    logic        h_load, h_wb, h_held;
    logic  [1:0] h_cls;
    logic [31:0] h_dram, h_dstr, h_chip, h_cstr, h_bytes, h_index;
    logic [15:0] h_rows;

    assign h_load  = q_load_r[q_rp_r];
    assign h_cls   = q_cls_r[q_rp_r];
    assign h_wb    = q_wb_r[q_rp_r];
    assign h_dram  = q_dram_r[q_rp_r];
    assign h_dstr  = q_dstr_r[q_rp_r];
    assign h_chip  = q_chip_r[q_rp_r];
    assign h_cstr  = q_cstr_r[q_rp_r];
    assign h_bytes = q_bytes_r[q_rp_r];
    assign h_rows  = q_rows_r[q_rp_r];
    assign h_index = q_index_r[q_rp_r];
    assign h_held  = q_held_r[q_rp_r];

    // ------------------------------------------------------------------
    // Request generator: the walk's next burst, and R
    // ------------------------------------------------------------------
    logic        cur_v_r;                    // a transfer is being walked (after its first burst)
    logic        cur_ld_r, cur_wb_r, cur_first_r;
    logic  [1:0] cur_cls_r;
    logic [31:0] cur_s_r;                    // DRAM address of the current row
    logic [31:0] cur_n_r, cur_ss_r, cur_ds_r;
    logic [31:0] cur_ba_r;                   // the next burst's address
    logic [31:0] cur_bl_r;                   // beats of the row from there
    logic [31:0] cur_d_r;                    // on-chip address of the current row
    logic [15:0] cur_rows_r;                 // rows left, the current one included

    logic        nb_v, nb_head, nb_ld, nb_wb, nb_first, nb_rlast, nb_xlast;
    logic  [1:0] nb_cls;
    logic [31:0] nb_s, nb_n, nb_ss, nb_ds, nb_ba, nb_bl, nb_d, nb_s2, nb_bpc1;
    logic [15:0] nb_rows;
    logic  [8:0] nb_len;                     // beats, 1..MAXB
    logic [31:0] nb_end;

    always_comb begin
        nb_head = !cur_v_r;
        if (cur_v_r) begin
            nb_ld = cur_ld_r;   nb_wb = cur_wb_r;   nb_cls = cur_cls_r;
            nb_s  = cur_s_r;    nb_n  = cur_n_r;    nb_ss  = cur_ss_r;   nb_ds = cur_ds_r;
            nb_ba = cur_ba_r;   nb_bl = cur_bl_r;   nb_d   = cur_d_r;
            nb_rows = cur_rows_r;                   nb_first = cur_first_r;
        end else begin
            nb_ld = h_load;     nb_wb = h_wb;       nb_cls = h_cls;
            nb_s  = h_dram;     nb_n  = h_bytes;    nb_ss  = h_dstr;     nb_ds = h_cstr;
            nb_ba = beat_align(h_dram, h_load);     nb_bl  = row_beats(h_dram, h_bytes, h_load);
            nb_d  = h_chip;     nb_rows = h_rows;   nb_first = 1'b1;
        end
        nb_rlast = nb_bl <= 32'(MAXB);
        nb_len   = nb_rlast ? nb_bl[8:0] : 9'(MAXB);
        nb_xlast = nb_rlast && nb_rows == 16'd1;
        nb_bpc1  = nb_ld ? 32'(RD_BPC - 1) : 32'(WR_BPC - 1);
        nb_end   = nb_s + nb_n - 32'd1;
        nb_s2    = nb_s + nb_ss;             // the next row
    end
    assign nb_v = cur_v_r || (q_cnt_r != '0 && !h_held);

    // R: the request on the port
    logic        r_v_r, r_write_r, r_fetch_r, r_xfirst_r, r_load_r;
    logic [31:0] r_addr_r, r_index_r;
    logic  [7:0] r_len_r;
    logic        r_free, r_acc, take_f, take_x, nb_room, nb_xroom;

    logic [NC-1:0] rf_cnt_r, wf_cnt_r, srf_cnt_r;
    logic [XC-1:0] lx_cnt_r, sx_cnt_r;

    assign r_free   = !r_v_r || i_m_aready;
    assign r_acc    = r_v_r && i_m_aready;
    assign nb_room  = nb_ld ? rf_cnt_r != NC'(NOUT)
                            : wf_cnt_r != NC'(NOUT) && (!nb_first || srf_cnt_r != NC'(NOUT));
    assign nb_xroom = !nb_head || (nb_ld ? lx_cnt_r != XC'(XD) : sx_cnt_r != XC'(XD));
    // a fetch request still in R at t is the one i_f_req asks for at t
    assign take_f   = r_free && i_f_req && !(r_v_r && r_fetch_r) && rf_cnt_r != NC'(NOUT);
    assign take_x   = r_free && !take_f && nb_v && nb_room && nb_xroom;

    always_ff @(posedge i_clk) begin
        if (r_free) begin
            r_v_r      <= take_f || take_x;
            r_write_r  <= !take_f && !nb_ld;
            r_fetch_r  <= take_f;
            r_addr_r   <= take_f ? i_f_addr : nb_ba;
            r_len_r    <= take_f ? i_f_len : 8'(nb_len - 9'd1);
            r_xfirst_r <= !take_f && nb_head;
            r_load_r   <= nb_ld;
            r_index_r  <= h_index;
        end
        if (take_x) begin
            cur_ld_r  <= nb_ld;
            cur_wb_r  <= nb_wb;
            cur_cls_r <= nb_cls;
            cur_n_r   <= nb_n;
            cur_ss_r  <= nb_ss;
            cur_ds_r  <= nb_ds;
            if (!nb_rlast) begin
                cur_v_r     <= 1'b1;
                cur_s_r     <= nb_s;
                cur_ba_r    <= nb_ba + (nb_ld ? 32'(nb_len) << LGR : 32'(nb_len) << LGW);
                cur_bl_r    <= nb_bl - 32'(nb_len);
                cur_d_r     <= nb_d;
                cur_rows_r  <= nb_rows;
                cur_first_r <= 1'b0;
            end else begin
                cur_v_r     <= nb_rows != 16'd1;
                cur_s_r     <= nb_s2;
                cur_ba_r    <= beat_align(nb_s2, nb_ld);
                cur_bl_r    <= row_beats(nb_s2, nb_n, nb_ld);
                cur_d_r     <= nb_d + nb_ds;
                cur_rows_r  <= nb_rows - 16'd1;
                cur_first_r <= 1'b1;
            end
        end
        if (i_rst) begin
            r_v_r   <= 1'b0;
            cur_v_r <= 1'b0;
        end
    end

    assign o_m_avalid = r_v_r;
    assign o_m_awrite = r_write_r;
    assign o_m_aaddr  = r_addr_r;
    assign o_m_alen   = r_len_r;
    assign o_f_ack    = r_acc && r_fetch_r;

    // queue pointers (push, and pop when the head's first burst is taken)
    logic q_pop;
    assign q_pop  = take_x && nb_head;
    assign o_full = q_cnt_r == QC'(QDEPTH);

    always_ff @(posedge i_clk) begin
        if (push) q_wp_r <= q_wp_r == QW'(QDEPTH - 1) ? '0 : q_wp_r + 1'b1;
        if (q_pop) q_rp_r <= q_rp_r == QW'(QDEPTH - 1) ? '0 : q_rp_r + 1'b1;
        q_cnt_r <= q_cnt_r + QC'(push) - QC'(q_pop);
        if (i_rst) begin
            q_wp_r  <= '0;
            q_rp_r  <= '0;
            q_cnt_r <= '0;
        end
    end

    // ------------------------------------------------------------------
    // In-flight transfers, for the timeline: LXF (LOADs), SXF (STOREs).
    // A slot is reserved when the first burst is taken, written when its
    // request is accepted (the start cycle), freed when the transfer ends.
    // ------------------------------------------------------------------
    logic [31:0] lx_idx_r [0:XD-1];
    logic [63:0] lx_st_r  [0:XD-1];
    logic [31:0] sx_idx_r [0:XD-1];
    logic [63:0] sx_st_r  [0:XD-1];
    logic [XW-1:0] lx_wp_r, lx_rp_r, sx_wp_r, sx_rp_r;
    logic        lx_push, sx_push, lx_pop, sx_pop;

    assign lx_push = r_acc && r_xfirst_r && r_load_r;
    assign sx_push = r_acc && r_xfirst_r && !r_load_r;

    always_ff @(posedge i_clk) begin
        if (lx_push) begin
            lx_idx_r[lx_wp_r] <= r_index_r;
            lx_st_r[lx_wp_r]  <= i_cycle;
        end
        if (sx_push) begin
            sx_idx_r[sx_wp_r] <= r_index_r;
            sx_st_r[sx_wp_r]  <= i_cycle;
        end
    end

    always_ff @(posedge i_clk) begin
        if (lx_push) lx_wp_r <= lx_wp_r == XW'(XD - 1) ? '0 : lx_wp_r + 1'b1;
        if (sx_push) sx_wp_r <= sx_wp_r == XW'(XD - 1) ? '0 : sx_wp_r + 1'b1;
        if (lx_pop) lx_rp_r <= lx_rp_r == XW'(XD - 1) ? '0 : lx_rp_r + 1'b1;
        if (sx_pop) sx_rp_r <= sx_rp_r == XW'(XD - 1) ? '0 : sx_rp_r + 1'b1;
        lx_cnt_r <= lx_cnt_r + XC'(q_pop && nb_ld) - XC'(lx_pop);
        sx_cnt_r <= sx_cnt_r + XC'(q_pop && !nb_ld) - XC'(sx_pop);
        if (i_rst) begin
            lx_wp_r  <= '0;
            lx_rp_r  <= '0;
            sx_wp_r  <= '0;
            sx_rp_r  <= '0;
            lx_cnt_r <= '0;
            sx_cnt_r <= '0;
        end
    end

    // ------------------------------------------------------------------
    // RF: read bursts (fetch and LOAD) in request order
    // ------------------------------------------------------------------
    logic          rf_fetch_r [0:NOUT-1];
    logic    [1:0] rf_cls_r   [0:NOUT-1];
    logic          rf_wb_r    [0:NOUT-1];
    logic    [7:0] rf_len_r   [0:NOUT-1];   // beats - 1
    logic          rf_first_r [0:NOUT-1];   // the row's first burst
    logic          rf_last_r  [0:NOUT-1];   // the row's last burst
    logic          rf_xlast_r [0:NOUT-1];   // the transfer's last burst
    logic   [OR-1:0] rf_off_r   [0:NOUT-1]; // the row's first byte in its first beat
    logic     [OR:0] rf_lastk_r [0:NOUT-1]; // bytes of the row in its last beat, up to its end
    logic   [31:0] rf_d_r     [0:NOUT-1];   // the row's on-chip address (SRAM byte or WBUF row)
    logic [NW-1:0] rf_wp_r, rf_rp_r;
    logic    [7:0] rf_bc_r;                 // beats of the head burst taken
    logic          rf_push;

    assign rf_push = take_f || (take_x && nb_ld);

    always_ff @(posedge i_clk)
        if (rf_push) begin
            rf_fetch_r[rf_wp_r] <= take_f;
            rf_cls_r[rf_wp_r]   <= nb_cls;
            rf_wb_r[rf_wp_r]    <= nb_wb;
            rf_len_r[rf_wp_r]   <= take_f ? i_f_len : 8'(nb_len - 9'd1);
            rf_first_r[rf_wp_r] <= nb_first;
            rf_last_r[rf_wp_r]  <= nb_rlast;
            rf_xlast_r[rf_wp_r] <= nb_xlast;
            rf_off_r[rf_wp_r]   <= OR'(nb_s & nb_bpc1);
            rf_lastk_r[rf_wp_r] <= ORP'(nb_end & nb_bpc1) + 1'b1;
            rf_d_r[rf_wp_r]     <= nb_d;
        end

    logic          f_fetch, f_wb, f_first, f_last, f_xlast, f_ne;
    logic    [1:0] f_cls;
    logic    [7:0] f_len;
    logic [OR-1:0] f_off;
    logic   [OR:0] f_lastk;
    logic   [31:0] f_d;
    logic          beat, beat_last, b_first, b_last, asm_ok, ld_beat;

    assign f_fetch = rf_fetch_r[rf_rp_r];
    assign f_cls   = rf_cls_r[rf_rp_r];
    assign f_wb    = rf_wb_r[rf_rp_r];
    assign f_len   = rf_len_r[rf_rp_r];
    assign f_first = rf_first_r[rf_rp_r];
    assign f_last  = rf_last_r[rf_rp_r];
    assign f_xlast = rf_xlast_r[rf_rp_r];
    assign f_off   = rf_off_r[rf_rp_r];
    assign f_lastk = rf_lastk_r[rf_rp_r];
    assign f_d     = rf_d_r[rf_rp_r];
    assign f_ne    = rf_cnt_r != '0;

    assign o_m_rready = !f_ne || f_fetch || asm_ok;
    assign beat       = i_m_rvalid && o_m_rready && f_ne;
    assign beat_last  = rf_bc_r == f_len;
    assign b_first    = f_first && rf_bc_r == 8'd0;    // the beat holds its row's first byte
    assign b_last     = f_last && beat_last;           // ... its row's last byte
    assign ld_beat    = beat && !f_fetch;
    assign o_f_rvalid = beat && f_fetch;
    assign o_f_rdata  = i_m_rdata;

    always_ff @(posedge i_clk) begin
        if (rf_push) rf_wp_r <= rf_wp_r == NW'(NOUT - 1) ? '0 : rf_wp_r + 1'b1;
        if (beat) begin
            rf_bc_r <= beat_last ? 8'd0 : rf_bc_r + 8'd1;
            if (beat_last) rf_rp_r <= rf_rp_r == NW'(NOUT - 1) ? '0 : rf_rp_r + 1'b1;
        end
        rf_cnt_r <= rf_cnt_r + NC'(rf_push) - NC'(beat && beat_last);
        if (i_rst) begin
            rf_wp_r  <= '0;
            rf_rp_r  <= '0;
            rf_bc_r  <= '0;
            rf_cnt_r <= '0;
        end
    end

    // ------------------------------------------------------------------
    // LOAD assembler and the chunk queue (slots 0, the head, and 1)
    // ------------------------------------------------------------------
    logic [ABB-1:0] a_buf_r;                // the row's bytes not yet in a chunk, from byte 0
    logic  [AC-1:0] a_c_r;                  // how many
    logic           a_t_r;                  // the row's last byte is in
    logic           a_wb_r;                 // the row goes to the WBUF
    logic           a_xl_r;                 // the row is its transfer's last
    logic    [31:0] a_dp_r;                 // where the next chunk goes (SRAM byte, WBUF row)

    logic           o0_v_r, o1_v_r, o0_wb_r, o1_wb_r, o0_done_r, o1_done_r;
    logic    [31:0] o0_addr_r, o1_addr_r;
    logic    [15:0] o0_n_r, o1_n_r;
    logic [CHB-1:0] o0_data_r, o1_data_r;   // o*_done: the chunk completes its LOAD

    logic           sd_r;                   // a STORE completion is reported this cycle

    logic  [AC-1:0] ch, n1, c_a, ab_k, ab_lo;
    logic           h1, h2, last1, t_a, drain, ld_done;
    logic     [1:0] qa, e;
    logic    [31:0] dstep;
    logic [ABB-1:0] a_sh, a_buf_a, a_ins, a_new;
    logic [ABB-1:0] a_mask;
    logic [RDB-1:0] rd_sh;

    always_comb begin
        ch    = a_wb_r ? AC'(COLS) : AC'(WIN);
        dstep = a_wb_r ? 32'd1 : 32'(WIN);
        a_sh  = a_wb_r ? a_buf_r >> COLB : a_buf_r >> WINB;
        // what leaves the buffer: a chunk when one is complete, and the
        // row's tail behind a full chunk
        h1    = a_c_r >= ch || (a_t_r && a_c_r != '0);
        last1 = a_t_r && a_c_r <= ch;
        n1    = a_c_r >= ch ? ch : a_c_r;
        h2    = a_t_r && a_c_r > ch && 32'(a_c_r) <= 32'(ch) << 1;
        drain = o0_v_r && !(o0_done_r && sd_r);
        qa    = 2'(o0_v_r) + 2'(o1_v_r) - 2'(drain);
        if (!h1)                  e = 2'd0;
        else if (h2 && qa == 2'd0) e = 2'd2;
        else if (qa != 2'd2)      e = 2'd1;
        else                      e = 2'd0;
        // the buffer after it
        c_a     = a_c_r;
        t_a     = a_t_r;
        a_buf_a = a_buf_r;
        if (e == 2'd2 || (e == 2'd1 && last1)) begin
            c_a = '0;
            t_a = 1'b0;
        end else if (e == 2'd1) begin
            c_a     = a_c_r - ch;
            a_buf_a = a_sh;
        end
        asm_ok = c_a == '0 || (c_a < ch && !t_a);
        // the beat's bytes of its row, [lo, hi), at the fill level
        ab_lo  = b_first ? AC'(f_off) : '0;
        ab_k   = (b_last ? AC'(f_lastk) : AC'(RD_BPC)) - ab_lo;
        rd_sh  = i_m_rdata >> {ab_lo, 3'b000};
        a_ins  = ABB'(rd_sh) << {c_a, 3'b000};
        // the beat's bytes [c_a, c_a + ab_k) of the buffer, as a bit mask
        a_mask = ({ABB{1'b1}} << {c_a, 3'b000}) & ~({ABB{1'b1}} << {c_a + ab_k, 3'b000});
        a_new  = (a_ins & a_mask) | (a_buf_a & ~a_mask);
    end

    always_ff @(posedge i_clk) begin
        if (ld_beat) begin
            a_buf_r <= a_new;
            a_c_r   <= c_a + ab_k;
            a_t_r   <= t_a || b_last;
            if (b_first) begin
                a_wb_r <= f_wb;
                a_dp_r <= f_d;
            end
            if (b_last) a_xl_r <= f_xlast;
        end else begin
            a_buf_r <= a_buf_a;
            a_c_r   <= c_a;
            a_t_r   <= t_a;
        end
        if (e != 2'd0 && !(ld_beat && b_first)) a_dp_r <= a_dp_r + dstep;
        // the chunk queue: the head leaves (drain), e chunks come in
        if (qa == 2'd0) begin
            o0_v_r    <= e != 2'd0;
            o0_wb_r   <= a_wb_r;
            o0_addr_r <= a_dp_r;
            o0_n_r    <= 16'(n1);
            o0_data_r <= a_buf_r[CHB-1:0];
            o0_done_r <= last1 && a_xl_r;
            o1_v_r    <= e == 2'd2;
            o1_wb_r   <= a_wb_r;
            o1_addr_r <= a_dp_r + dstep;
            o1_n_r    <= 16'(AC'(a_c_r - ch));
            o1_data_r <= a_sh[CHB-1:0];
            o1_done_r <= a_xl_r;
        end else if (qa == 2'd1) begin
            if (drain) begin
                o0_v_r    <= 1'b1;
                o0_wb_r   <= o1_wb_r;
                o0_addr_r <= o1_addr_r;
                o0_n_r    <= o1_n_r;
                o0_data_r <= o1_data_r;
                o0_done_r <= o1_done_r;
            end
            o1_v_r    <= e != 2'd0;
            o1_wb_r   <= a_wb_r;
            o1_addr_r <= a_dp_r;
            o1_n_r    <= 16'(n1);
            o1_data_r <= a_buf_r[CHB-1:0];
            o1_done_r <= last1 && a_xl_r;
        end
        if (i_rst) begin
            a_c_r  <= '0;
            a_t_r  <= 1'b0;
            o0_v_r <= 1'b0;
            o1_v_r <= 1'b0;
        end
    end

    assign ld_done = drain && o0_done_r;
    assign lx_pop  = ld_done;

    // ------------------------------------------------------------------
    // WF: write bursts; the data pointer walks their beats (class), the
    // response pointer their responses (completion)
    // ------------------------------------------------------------------
    logic    [1:0] wf_cls_r   [0:NOUT-1];
    logic    [7:0] wf_len_r   [0:NOUT-1];
    logic          wf_xlast_r [0:NOUT-1];
    logic [NW-1:0] wf_wp_r, wf_dp_r, wf_bp_r;
    logic    [7:0] wf_bc_r;                 // beats of the data pointer's burst sent
    logic          wf_push, wbeat, wbeat_last, bresp;
    logic   [63:0] sd_end_r;                // the cycle of the response that completed a STORE

    assign wf_push    = take_x && !nb_ld;
    assign wbeat      = o_m_wvalid && i_m_wready;
    assign wbeat_last = wf_bc_r == wf_len_r[wf_dp_r];
    assign bresp      = i_m_bvalid && wf_cnt_r != '0;

    always_ff @(posedge i_clk)
        if (wf_push) begin
            wf_cls_r[wf_wp_r]   <= nb_cls;
            wf_len_r[wf_wp_r]   <= 8'(nb_len - 9'd1);
            wf_xlast_r[wf_wp_r] <= nb_xlast;
        end

    always_ff @(posedge i_clk) begin
        if (wf_push) wf_wp_r <= wf_wp_r == NW'(NOUT - 1) ? '0 : wf_wp_r + 1'b1;
        if (wbeat) begin
            wf_bc_r <= wbeat_last ? 8'd0 : wf_bc_r + 8'd1;
            if (wbeat_last) wf_dp_r <= wf_dp_r == NW'(NOUT - 1) ? '0 : wf_dp_r + 1'b1;
        end
        if (bresp) wf_bp_r <= wf_bp_r == NW'(NOUT - 1) ? '0 : wf_bp_r + 1'b1;
        wf_cnt_r <= wf_cnt_r + NC'(wf_push) - NC'(bresp);
        sd_r     <= bresp && wf_xlast_r[wf_bp_r];
        sd_end_r <= i_cycle;
        if (i_rst) begin
            wf_wp_r  <= '0;
            wf_dp_r  <= '0;
            wf_bp_r  <= '0;
            wf_bc_r  <= '0;
            wf_cnt_r <= '0;
            sd_r     <= 1'b0;
        end
    end
    assign sx_pop = sd_r;

    // ------------------------------------------------------------------
    // SRF: STORE rows for the reader
    // ------------------------------------------------------------------
    logic   [31:0] srf_a_r   [0:NOUT-1];    // SRAM address
    logic   [31:0] srf_n_r   [0:NOUT-1];    // bytes
    logic [OW-1:0] srf_off_r [0:NOUT-1];    // DRAM address mod WR_BPC
    logic [NW-1:0] srf_wp_r, srf_rp_r;
    logic          srf_push;

    assign srf_push = take_x && !nb_ld && nb_first;

    always_ff @(posedge i_clk)
        if (srf_push) begin
            srf_a_r[srf_wp_r]   <= nb_d;
            srf_n_r[srf_wp_r]   <= nb_n;
            srf_off_r[srf_wp_r] <= OW'(nb_s & nb_bpc1);
        end

    // ------------------------------------------------------------------
    // STORE reader and the store buffer
    // ------------------------------------------------------------------
    logic          rd_v_r;                  // a row is being read (after its first chunk)
    logic   [31:0] rd_a_r, rd_rem_r;        // next chunk's address, bytes of the row from there
    logic [OW-1:0] rd_pm_r;                 // next chunk's first byte's place in its beat

    logic          rp_v_r;                  // a chunk read is on i_b_rdata, not yet in the buffer
    logic  [SC-1:0] rp_m_r;                 // its bytes
    logic [OW-1:0] rp_pad_r;                // empty bytes before it (a row's first chunk)
    logic  [SC-1:0] rp_a_r;                 // its footprint in the buffer

    logic [SBB-1:0] sb_d_r;                 // the buffer: bytes, strobes, fill level
    logic  [SB-1:0] sb_s_r;
    logic  [SC-1:0] sb_c_r;

    logic          sc_v, sc_first, sc_last, sc_pop, rd_go, lb, fire, cap, sure;
    logic   [31:0] sc_a, sc_rem;
    logic [OW-1:0] sc_pm, sc_pad, sc_ru;
    logic   [15:0] sc_m;
    logic  [SC-1:0] sc_fp;                  // the next chunk's footprint in the buffer
    logic  [SC-1:0] s_c_a, s_at;
    logic [SBB-1:0] s_d_a, s_ins, s_new, s_bits;  // s_bits: s_mask's bytes as bits
    logic  [SB-1:0] s_s_a, s_mask;

    always_comb begin
        // the next chunk: of the row being read, or the first of SRF's head
        sc_v     = rd_v_r || srf_cnt_r != '0;
        sc_pop   = !rd_v_r;
        sc_a     = rd_v_r ? rd_a_r : srf_a_r[srf_rp_r];
        sc_rem   = rd_v_r ? rd_rem_r : srf_n_r[srf_rp_r];
        sc_first = !rd_v_r;
        sc_pm    = rd_v_r ? rd_pm_r : srf_off_r[srf_rp_r];
        sc_last  = sc_rem <= 32'(WIN);
        sc_m     = sc_last ? sc_rem[15:0] : 16'(WIN);
        sc_pad   = sc_first ? sc_pm : '0;
        sc_ru    = sc_last ? OW'(32'(WR_BPC) - 32'(sc_pm) - 32'(sc_m)) & OW'(WR_BPC - 1) : '0;
        sc_fp    = SC'(sc_pad) + SC'(sc_m) + SC'(sc_ru);
        // the buffer: a beat leaves (fire), the read chunk comes in (cap)
        fire   = o_m_wvalid && i_m_wready;
        s_c_a  = fire ? sb_c_r - SC'(WR_BPC) : sb_c_r;
        s_d_a  = fire ? sb_d_r >> WDB : sb_d_r;
        s_s_a  = fire ? sb_s_r >> WR_BPC : sb_s_r;
        cap    = rp_v_r && 32'(s_c_a) + 32'(rp_a_r) <= 32'(SB);
        sure   = rp_v_r && 32'(sb_c_r) + 32'(rp_a_r) <= 32'(SB);
        s_at   = s_c_a + SC'(rp_pad_r);
        s_ins  = SBB'(i_b_rdata) << {s_at, 3'b000};
        s_mask = ({SB{1'b1}} << s_at) & ~({SB{1'b1}} << (s_at + rp_m_r));
        s_bits = ({SBB{1'b1}} << {s_at, 3'b000}) & ~({SBB{1'b1}} << {s_at + rp_m_r, 3'b000});
        s_new  = (s_ins & s_bits) | (s_d_a & ~s_bits);
        // a chunk read goes out when port B is free and the read before it
        // leaves i_b_rdata this cycle for sure
        rd_go = sc_v && !lb && (!rp_v_r || sure);
    end

    always_ff @(posedge i_clk) begin
        if (srf_push) srf_wp_r <= srf_wp_r == NW'(NOUT - 1) ? '0 : srf_wp_r + 1'b1;
        if (rd_go && sc_pop) srf_rp_r <= srf_rp_r == NW'(NOUT - 1) ? '0 : srf_rp_r + 1'b1;
        srf_cnt_r <= srf_cnt_r + NC'(srf_push) - NC'(rd_go && sc_pop);
        if (rd_go) begin
            rd_v_r   <= !sc_last;
            rd_a_r   <= sc_a + 32'(WIN);
            rd_rem_r <= sc_rem - 32'(WIN);
            rd_pm_r  <= (sc_pm + OW'(WIN)) & OW'(WR_BPC - 1);
            rp_m_r   <= SC'(sc_m);
            rp_pad_r <= sc_pad;
            rp_a_r   <= sc_fp;
        end
        rp_v_r <= rd_go || (rp_v_r && !cap);
        sb_d_r <= cap ? s_new : s_d_a;
        sb_s_r <= cap ? s_s_a | s_mask : s_s_a;
        sb_c_r <= cap ? s_c_a + rp_a_r : s_c_a;
        if (i_rst) begin
            srf_wp_r  <= '0;
            srf_rp_r  <= '0;
            srf_cnt_r <= '0;
            rd_v_r    <= 1'b0;
            rp_v_r    <= 1'b0;
            sb_s_r    <= '0;
            sb_c_r    <= '0;
        end
    end

    assign o_m_wvalid = sb_c_r >= SC'(WR_BPC);
    assign o_m_wdata  = sb_d_r[WDB-1:0];
    assign o_m_wstrb  = sb_s_r[WR_BPC-1:0];

    // ------------------------------------------------------------------
    // Port B and the WBUF write port
    // ------------------------------------------------------------------
    assign lb        = drain && !o0_wb_r;
    assign o_b_req   = lb || rd_go;
    assign o_b_we    = lb;
    assign o_b_addr  = lb ? o0_addr_r : sc_a;
    assign o_b_n     = lb ? o0_n_r : sc_m;
    assign o_b_wdata = o0_data_r[WINB-1:0];

    assign o_wb_we    = drain && o0_wb_r;
    assign o_wb_row   = o0_addr_r[WRW-1:0];
    assign o_wb_wdata = o0_data_r[COLB-1:0];
    always_comb
        for (int j = 0; j < COLS; j++) o_wb_be[j] = 16'(j) < o0_n_r;

    // ------------------------------------------------------------------
    // Completion report, counters, status
    // ------------------------------------------------------------------
    logic        done_r;
    logic [31:0] done_index_r;
    logic [63:0] done_start_r, done_end_r;

    always_ff @(posedge i_clk) begin
        done_r <= sd_r || ld_done;
        if (sd_r) begin
            done_index_r <= sx_idx_r[sx_rp_r];
            done_start_r <= sx_st_r[sx_rp_r];
            done_end_r   <= sd_end_r;
        end else if (ld_done) begin
            done_index_r <= lx_idx_r[lx_rp_r];
            done_start_r <= lx_st_r[lx_rp_r];
            done_end_r   <= i_cycle;
        end
        if (i_rst) done_r <= 1'b0;
    end

    assign o_done       = done_r;
    assign o_done_index = done_index_r;
    assign o_done_start = done_start_r;
    assign o_done_end   = done_end_r;

    logic [CW-1:0] rd_weight_r, rd_act_r, rd_spill_r, rd_fetch_r, wr_act_r, wr_spill_r;
    logic [CW-1:0] moved_rd_r, moved_wr_r;
    logic    [1:0] w_cls;

    assign w_cls = wf_cls_r[wf_dp_r];

    always_ff @(posedge i_clk) begin
        if (beat) begin
            if (f_fetch) rd_fetch_r <= rd_fetch_r + CW'(RD_BPC);
            else if (f_cls == 2'd0) rd_act_r <= rd_act_r + CW'(RD_BPC);
            else if (f_cls == 2'd1) rd_spill_r <= rd_spill_r + CW'(RD_BPC);
            else rd_weight_r <= rd_weight_r + CW'(RD_BPC);
        end
        if (wbeat) begin
            if (w_cls == 2'd0) wr_act_r <= wr_act_r + CW'(WR_BPC);
            else if (w_cls == 2'd1) wr_spill_r <= wr_spill_r + CW'(WR_BPC);
        end
        if (drain) moved_rd_r <= moved_rd_r + CW'(o0_n_r);
        if (rd_go) moved_wr_r <= moved_wr_r + CW'(sc_m);
        if (i_rst) begin
            rd_weight_r <= '0;
            rd_act_r    <= '0;
            rd_spill_r  <= '0;
            rd_fetch_r  <= '0;
            wr_act_r    <= '0;
            wr_spill_r  <= '0;
            moved_rd_r  <= '0;
            moved_wr_r  <= '0;
        end
    end

    assign o_rd_weight = rd_weight_r;
    assign o_rd_act    = rd_act_r;
    assign o_rd_spill  = rd_spill_r;
    assign o_rd_fetch  = rd_fetch_r;
    assign o_wr_act    = wr_act_r;
    assign o_wr_spill  = wr_spill_r;
    assign o_moved_rd  = moved_rd_r;
    assign o_moved_wr  = moved_wr_r;

    // everything past the queue: a transfer being walked or in R, read
    // bursts (fetch too) with beats to come, LOADs and STOREs not complete
    assign o_busy = cur_v_r || r_v_r || rf_cnt_r != '0 || lx_cnt_r != '0 || sx_cnt_r != '0;
    assign o_idle = q_cnt_r == '0 && !o_busy;

    logic unused_ok;
    assign unused_ok = &{1'b0, i_push_src[31:30]};  // a LOAD's src is DRAM, a STORE's SRAM

endmodule

`default_nettype wire
