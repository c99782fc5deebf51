// npu_seq: the sequencer.  Fetches 16-word instructions from the stream
// memory, decodes them (npu_decode) with their OPERANDS continuations,
// checks their operands against the machine (npu_bufs: the live SRAM
// buffers), and issues them in order, as fsim does (targets/npu/fsim.h):
//   LOAD, STORE  queue on the DMA engine; issue goes on
//   SYNC         waits until the DMA engine is idle
//   ALLOC, FREE  update the live-buffer table (and the SRAM-in-use counters)
//   compute      waits until the compute side is free and, when it has DRAM
//                operands, the DMA engine too; the DMA engine then streams
//                them: the engine starts after the DRAM latency, and the
//                instruction is over when the engine has written its last
//                output and the streaming time has passed
//   END          waits for every engine
// Issue moves on to the next instruction as soon as a compute instruction
// has started, so its successor is fetched, decoded and checked while it
// runs.
//
// Checks, each stopping the run with a status code (o_err) and the
// instruction's index: the decoder's encoding checks; an operand outside
// its space (SRAM past its size, DRAM past the image); an SRAM operand not
// covered by live buffers (walked buffer by buffer, one lookup a cycle); an
// ALLOC past the end of SRAM or overlapping a live buffer; a FREE of
// anything but a live buffer exactly; an SRAM operand, or a FREE, touching
// bytes a LOAD or STORE issued since the last SYNC may still be moving (the
// sequencer keeps their ranges, NPEND of them); END with transfers issued
// since the last SYNC; a stream that ends without END or goes on after it.
// Codes 1..25 and 32..37 are the decoder's (npu_decode.sv), the others the sequencer's
// (rtl_sim/sim_main.cpp words them all as fsim does):
//   26..31 OPERANDS continuations (a, b, c as isa.c's messages)
//   40 stream ends without END        45 ALLOC past the end of SRAM (a, b)
//   41 words after END (a)            46 ALLOC overlaps (a, b; c, d the buffer)
//   42 DRAM operand past the image    47 FREE of no buffer (a, b)
//   43 SRAM operand past its end      48 FREE of another size (a, b; d)
//   44 SRAM outside live buffers      49 END with transfers outstanding (a, b)
//      (42-44: a lo, b hi, c where,   50 more live buffers than the table holds
//       d role | write << 8)          51 more than NPEND transfers without SYNC
//   52 SRAM operand a transfer may still be moving (a lo, b hi, c the
//      transfer's index | LOAD << 32, d role | write << 8)
//   53 FREE of bytes a transfer may still be moving (a, b, c as 52)
// Roles: 0 src, 1 dst, 2 weights, 3 bias, 4 psum, 5 + k EW input k,
// 64 table (PERCH), 65 src2 (SPLIT), 66 dst2 (OSPLIT).
// A CONV with SPLIT has its input in two operands, checked one after the
// other like any other: src (channels 0..split-1) and src2 (the rest); with
// OSPLIT its output, dst (channels 0..osplit-1) and dst2, the last two.
// The DRAM bytes an instruction reads (weights and biases apart) and writes
// go to the counters at issue; a DRAM operand the instruction names twice
// (same Ref, same size) is streamed and counted once.
`default_nettype none

module npu_seq #(
    parameter int SRAM_BYTES = 4096,
    parameter int NBUF       = 64,
    parameter int NPEND      = 64,
    parameter int NIN        = 32
) (
    input  wire logic        i_clk,
    input  wire logic        i_rst,
    input  wire logic [63:0] i_cycle,
    input  wire logic [63:0] i_dram_bytes,
    input  wire logic [31:0] i_nslots,
    // stream memory
    output logic             o_im_en,
    output logic      [31:0] o_im_slot,
    input  wire logic [15:0][31:0] i_im_w,
    // the decoded instruction, for the engines
    output logic       [7:0] o_op,
    output logic       [7:0] o_flags,
    output logic      [31:0] o_src,
    output logic      [31:0] o_dst,
    output logic      [31:0] o_weight,
    output logic      [31:0] o_aux,
    output logic      [31:0] o_src2,
    output logic      [15:0] o_split,
    output logic      [31:0] o_dst2,
    output logic      [15:0] o_osplit,
    output logic      [31:0] o_bytes,
    output logic      [15:0] o_in_c,
    output logic      [15:0] o_in_h,
    output logic      [15:0] o_in_w,
    output logic      [15:0] o_out_c,
    output logic      [15:0] o_out_h,
    output logic      [15:0] o_out_w,
    output logic       [7:0] o_kh,
    output logic       [7:0] o_kw,
    output logic       [7:0] o_sh,
    output logic       [7:0] o_sw,
    output logic       [7:0] o_dh,
    output logic       [7:0] o_dw,
    output logic       [7:0] o_pt,
    output logic       [7:0] o_pl,
    output logic      [15:0] o_groups,
    output logic      [31:0] o_qmul,
    output logic       [7:0] o_qshift,
    output logic       [5:0] o_nin,
    output logic [NIN-1:0][31:0] o_in,
    output logic [NIN-1:0][31:0] o_coef,
    // compute engines
    output logic             o_conv_start,
    output logic             o_vec_start,
    output logic             o_cmp_go,
    input  wire logic        i_conv_done,
    input  wire logic        i_vec_done,
    input  wire logic        i_engine_busy,
    // DMA engine
    output logic             o_dma_push,
    output logic             o_dma_load,
    output logic      [31:0] o_dma_src,
    output logic      [31:0] o_dma_dst,
    output logic      [31:0] o_dma_index,
    input  wire logic        i_dma_full,
    input  wire logic        i_dma_idle,
    output logic             o_stream,
    output logic      [63:0] o_stream_rd,
    output logic      [63:0] o_stream_wr,
    input  wire logic        i_stream_go,
    input  wire logic        i_stream_done,
    output logic             o_stream_end,
    output logic             o_hold,
    output logic      [31:0] o_hold_lo,
    output logic      [31:0] o_hold_hi,
    // counters
    output logic             o_run,
    output logic             o_cmp_busy,
    output logic             o_stall,
    output logic             o_add,
    output logic      [63:0] o_add_weight,
    output logic      [63:0] o_add_act,
    output logic      [63:0] o_add_write,
    output logic             o_alloc,
    output logic             o_free,
    output logic             o_insn,
    // timeline: instructions the sequencer retires itself, compute ones
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
    // status
    output logic      [31:0] o_index,
    output logic             o_done,
    output logic       [7:0] o_err,
    output logic      [31:0] o_err_index,
    output logic       [7:0] o_err_op,
    output logic      [63:0] o_err_a,
    output logic      [63:0] o_err_b,
    output logic      [63:0] o_err_c,
    output logic      [63:0] o_err_d
);

    localparam logic [7:0] OP_END = 8'h01, OP_LOAD = 8'h02, OP_STORE = 8'h03, OP_SYNC = 8'h04;
    localparam logic [7:0] OP_ALLOC = 8'h05, OP_FREE = 8'h06, OP_CONV = 8'h10, OP_POOL = 8'h11;
    localparam logic [7:0] OP_GAVG = 8'h12, OP_EW = 8'h13, OP_REQUANT = 8'h14;
    localparam logic [7:0] OP_OPERANDS = 8'h1f;
    localparam logic [7:0] F_OUT32 = 8'h02, F_PSUM = 8'h04, F_PERCH = 8'h10, F_SPLIT = 8'h20;
    localparam logic [7:0] F_OSPLIT = 8'h40;
    localparam int ROLE_SRC = 0, ROLE_DST = 1, ROLE_WEIGHT = 2, ROLE_BIAS = 3, ROLE_PSUM = 4;
    localparam int ROLE_TABLE = 64;  // PERCH's table (a weight operand)
    localparam int ROLE_SRC2 = 65;   // SPLIT's second input part
    localparam int ROLE_DST2 = 66;   // OSPLIT's second output part
    localparam int ROLE_IN = 5;  // + the input's index
    localparam logic [63:0] SRAM_END = 64'(SRAM_BYTES);
    localparam int PW = NPEND > 1 ? $clog2(NPEND) : 1;

    typedef enum logic [3:0] {
        S_FETCH,
        S_DEC,
        S_DECODED,
        S_CFETCH,
        S_CWAIT,
        S_PREP,
        S_OPER,
        S_QUERY,
        S_QRES,
        S_PEND,
        S_ISSUE,
        S_NEXT,
        S_DONE,
        S_HALT
    } state_t;

    typedef enum logic [2:0] {
        C_IDLE,
        C_ARM,   // the engine takes the instruction
        C_GO,    // and starts
        C_LAT,   // waiting for the first byte of streamed operands
        C_RUN
    } cstate_t;

    state_t      st_r;
    logic [31:0] pc_r, index_r;
    logic  [2:0] cont_r;                  // continuation being fetched
    logic  [5:0] npairs_r;                // EW pairs collected
    logic [NIN-1:0][31:0] in_r;
    logic [NIN-1:0][31:0] coef_r;

    // decoder
    logic        dec_valid;
    logic  [7:0] dec_err;
    logic [63:0] dec_a, dec_b, dec_c, dec_d;
    logic  [7:0] op, flags;
    logic [31:0] src, dst, weight, aux, src2, dst2, bytes, qmul;
    logic [15:0] split, osplit, in_c, in_h, in_w, out_c, out_h, out_w, groups;
    logic  [7:0] kh, kw, sh, sw, dh, dw, pt, pl, qshift;
    logic  [5:0] nin;
    logic  [2:0] conts;

    // operand checks
    logic  [5:0] oi_r, nops_r;            // operand, operands
    logic [63:0] in_elems_r, out_elems_r, wbytes_r;
    logic [63:0] head_r;                  // CONV: src's bytes (SPLIT: channels 0..split-1)
    logic [63:0] ybytes_r, yhead_r;       // CONV: output bytes, dst's (OSPLIT: 0..osplit-1)
    logic [31:0] seen_ref_r [64];         // DRAM operands read so far
    logic [63:0] seen_bytes_r [64];
    logic  [5:0] nseen_r;
    logic [63:0] rd_w_r, rd_a_r, wr_r;    // DRAM bytes: weights, activations read; written
    logic        streams_r;
    logic [63:0] hull_lo_r, hull_hi_r;    // SRAM footprint
    logic [63:0] q_lo_r, q_hi_r, q_p_r;   // the range being walked, where
    logic  [7:0] q_role_r;
    logic        q_write_r;

    // issue
    logic        issue_ok;
    logic        is_compute, is_conv;
    logic [63:0] issue_t0_r;              // when the instruction reached issue
    logic        issue_seen_r;
    logic [31:0] npend_r, pend_first_r;   // transfers since the last SYNC
    logic [31:0] pend_lo_r [NPEND];       // and the SRAM bytes they move
    logic [31:0] pend_hi_r [NPEND];
    logic [31:0] pend_index_r [NPEND];
    logic        pend_load_r [NPEND];

    // compute side
    cstate_t     c_st_r;
    logic        c_streams_r, c_done_r;
    logic [31:0] c_index_r;
    logic  [7:0] c_op_r;
    logic [63:0] c_start_r, c_bytes_r;
    logic [31:0] c_hold_lo_r, c_hold_hi_r;

    // outputs held in registers
    logic        conv_start_r, vec_start_r, dma_push_r, stream_r, stream_end_r;
    logic        add_r, alloc_r, free_r, insn_r, ts_r, tc_r, done_r;
    logic [63:0] add_w_r, add_a_r, add_wr_r;
    logic [31:0] ts_index_r, tc_index_r;
    logic  [7:0] ts_op_r, tc_op_r;
    logic [63:0] ts_start_r, ts_end_r, tc_start_r, tc_end_r, tc_bytes_r;
    logic  [7:0] err_r, err_op_r;
    logic [31:0] err_index_r;
    logic [63:0] err_a_r, err_b_r, err_c_r, err_d_r;

    // live buffers
    logic        bq_cover, bq_overlap, bq_exact, b_full;
    logic [31:0] bq_cover_hi, bq_overlap_lo, bq_overlap_hi, bq_exact_bytes;

    npu_decode u_dec (
        .i_clk   (i_clk),
        .i_en    (st_r == S_DEC),
        .i_w     (i_im_w),
        .o_valid (dec_valid),
        .o_err   (dec_err),
        .o_err_a (dec_a),
        .o_err_b (dec_b),
        .o_err_c (dec_c),
        .o_err_d (dec_d),
        .o_op    (op),
        .o_flags (flags),
        .o_src   (src),
        .o_dst   (dst),
        .o_weight(weight),
        .o_aux   (aux),
        .o_src2  (src2),
        .o_split (split),
        .o_dst2  (dst2),
        .o_osplit(osplit),
        .o_bytes (bytes),
        .o_in_c  (in_c),
        .o_in_h  (in_h),
        .o_in_w  (in_w),
        .o_out_c (out_c),
        .o_out_h (out_h),
        .o_out_w (out_w),
        .o_kh    (kh),
        .o_kw    (kw),
        .o_sh    (sh),
        .o_sw    (sw),
        .o_dh    (dh),
        .o_dw    (dw),
        .o_pt    (pt),
        .o_pl    (pl),
        .o_groups(groups),
        .o_qmul  (qmul),
        .o_qshift(qshift),
        .o_nin   (nin),
        .o_conts (conts)
    );

    npu_bufs #(
        .NBUF(NBUF)
    ) u_bufs (
        .i_clk        (i_clk),
        .i_rst        (i_rst),
        .i_q_en       (st_r == S_QUERY),
        .i_q_addr     (q_p_r[31:0]),
        .i_q_lo       (q_lo_r[31:0]),
        .i_q_hi       (q_hi_r[31:0]),
        .o_cover      (bq_cover),
        .o_cover_hi   (bq_cover_hi),
        .o_overlap    (bq_overlap),
        .o_overlap_lo (bq_overlap_lo),
        .o_overlap_hi (bq_overlap_hi),
        .o_exact      (bq_exact),
        .o_exact_bytes(bq_exact_bytes),
        .i_alloc      (alloc_r),
        .i_free       (free_r),
        .i_lo         ({1'b0, dst[30:0]}),
        .i_bytes      (bytes),
        .o_full       (b_full)
    );

    assign is_compute = op >= OP_CONV && op <= 8'h16;
    assign is_conv    = op == OP_CONV;

    // Can the decoded, checked instruction issue this cycle?
    always_comb begin
        case (op)
            OP_LOAD, OP_STORE: issue_ok = !i_dma_full;
            OP_SYNC: issue_ok = i_dma_idle;
            OP_END: issue_ok = npend_r != 0 || (c_st_r == C_IDLE && i_dma_idle);
            OP_ALLOC, OP_FREE: issue_ok = 1'b1;
            default: issue_ok = c_st_r == C_IDLE && !i_engine_busy && (!streams_r || i_dma_idle);
        endcase
    end

    // A CONV's operand oi as with SPLIT: 0 src, 1 src2, 2 weights, 3 aux, 4 dst,
    // 5 dst2 (without SPLIT there is no src2: operand 1 is the weights; dst2
    // only with OSPLIT).
    function automatic logic [5:0] conv_k(input logic [5:0] oi);
        return (flags & F_SPLIT) != 0 || oi == 0 ? oi : oi + 6'd1;
    endfunction

    // Operand oi of the decoded instruction: Ref, bytes, written, role.
    function automatic logic [31:0] opnd_ref(input logic [5:0] oi);
        logic [5:0] k;
        k = conv_k(oi);
        case (op)
            OP_CONV:
                return k == 0 ? src : k == 1 ? src2 : k == 2 ? weight : k == 3 ? aux : k == 4 ? dst : dst2;
            OP_REQUANT: return oi == 0 ? src : oi == 1 && (flags & F_PERCH) != 0 ? aux : dst;
            OP_EW: return oi < nin ? in_r[5'(oi)] : dst;
            default: return oi == 0 ? src : dst;
        endcase
    endfunction

    function automatic logic [63:0] opnd_bytes(input logic [5:0] oi);
        logic [5:0] k;
        k = conv_k(oi);
        case (op)
            OP_CONV:
                return k == 0 ? head_r : k == 1 ? in_elems_r - head_r : k == 2 ? wbytes_r :
                       k == 3 ? ((flags & F_PSUM) != 0 ? 64'd4 * out_elems_r :
                                  (flags & F_PERCH) != 0 ? 64'd12 * 64'(out_c) : 64'd4 * 64'(out_c)) :
                       k == 4 ? yhead_r : ybytes_r - yhead_r;
            OP_POOL: return oi == 0 ? in_elems_r : out_elems_r;
            OP_GAVG: return oi == 0 ? in_elems_r : 64'(in_c);
            OP_REQUANT:
                return oi == 0 ? 64'd4 * 64'(bytes) :
                       oi == 1 && (flags & F_PERCH) != 0 ? 64'd12 * 64'(out_c) : 64'(bytes);
            default: return 64'(bytes);
        endcase
    endfunction

    function automatic logic [7:0] opnd_role(input logic [5:0] oi);
        logic [5:0] k;
        k = conv_k(oi);
        case (op)
            OP_CONV:
                return k == 0 ? 8'(ROLE_SRC) : k == 1 ? 8'(ROLE_SRC2) : k == 2 ? 8'(ROLE_WEIGHT) :
                       k == 3 ? ((flags & F_PSUM) != 0 ? 8'(ROLE_PSUM) :
                                  (flags & F_PERCH) != 0 ? 8'(ROLE_TABLE) : 8'(ROLE_BIAS)) :
                       k == 4 ? 8'(ROLE_DST) : 8'(ROLE_DST2);
            OP_REQUANT:
                return oi == 0 ? 8'(ROLE_SRC) : oi == 1 && (flags & F_PERCH) != 0 ? 8'(ROLE_TABLE) :
                       8'(ROLE_DST);
            OP_EW: return oi < nin ? 8'(ROLE_IN) + 8'(oi) : 8'(ROLE_DST);
            default: return oi == 0 ? 8'(ROLE_SRC) : 8'(ROLE_DST);
        endcase
    endfunction

    task automatic fail(input logic [7:0] code, input logic [63:0] a, input logic [63:0] b,
                        input logic [63:0] c, input logic [63:0] d);
        err_r       <= code;
        err_index_r <= index_r;
        err_op_r    <= op;
        err_a_r     <= a;
        err_b_r     <= b;
        err_c_r     <= c;
        err_d_r     <= d;
        st_r        <= S_HALT;
    endtask

    always_ff @(posedge i_clk) begin
        conv_start_r <= 1'b0;
        vec_start_r  <= 1'b0;
        dma_push_r   <= 1'b0;
        stream_r     <= 1'b0;
        stream_end_r <= 1'b0;
        add_r        <= 1'b0;
        alloc_r      <= 1'b0;
        free_r       <= 1'b0;
        insn_r       <= 1'b0;
        ts_r         <= 1'b0;
        tc_r         <= 1'b0;

        case (st_r)
            S_FETCH: begin
                if (pc_r >= i_nslots) begin
                    fail(8'd40, '0, '0, '0, '0);
                    err_op_r <= 8'h00;
                end else begin
                    st_r <= S_DEC;
                end
            end
            S_DEC: st_r <= S_DECODED;  // the decoder takes the slot this cycle
            S_DECODED: if (dec_valid) begin
                if (dec_err != 0) begin
                    fail(dec_err, dec_a, dec_b, dec_c, dec_d);
                    if (dec_err == 8'd1 || dec_err == 8'd2) err_op_r <= 8'h00;  // no name yet
                end else if (op == OP_EW && pc_r + 32'd1 + 32'(conts) > i_nslots) begin
                    fail(8'd26, 64'(nin), 64'(conts), '0, '0);
                end else begin
                    // the first pairs are in the slot still held by the stream memory
                    for (int k = 0; k < 5; k++) begin
                        in_r[k]   <= i_im_w[5 + 2 * k];
                        coef_r[k] <= i_im_w[6 + 2 * k];
                    end
                    npairs_r <= nin < 6'd5 ? nin : 6'd5;
                    cont_r   <= 3'd1;
                    st_r     <= op == OP_EW && conts != 0 ? S_CFETCH : S_PREP;
                end
            end
            S_CFETCH: st_r <= S_CWAIT;
            S_CWAIT: begin : cont
                logic [5:0] want, m;
                logic [7:0] cop;
                want = nin - npairs_r < 6'd7 ? nin - npairs_r : 6'd7;
                cop  = i_im_w[0][7:0];
                m    = 6'(i_im_w[0][23:16]);
                if (cop != OP_OPERANDS) begin
                    fail(8'd27, 64'(cont_r), 64'(cop), '0, '0);
                end else if (i_im_w[0][15:8] != 0) begin
                    fail(8'd28, 64'(cont_r), 64'(i_im_w[0][15:8]), '0, '0);
                end else if (i_im_w[0][31:24] != 0) begin
                    fail(8'd29, 64'(cont_r), 64'(i_im_w[0]), '0, '0);
                end else if (i_im_w[0][23:16] != 8'(want)) begin
                    fail(8'd30, 64'(cont_r), 64'(i_im_w[0][23:16]), 64'(want), '0);
                end else begin : words
                    logic bad;
                    int   bk;
                    bad = 1'b0;
                    bk  = 0;
                    for (int k = 15; k >= 1; k--)
                        if (k >= 1 + 2 * int'(m) && i_im_w[k] != 0) begin
                            bad = 1'b1;
                            bk  = k;
                        end
                    if (bad) begin
                        fail(8'd31, 64'(cont_r), 64'(bk), 64'(i_im_w[bk]), '0);
                    end else begin
                        for (int j = 0; j < 7; j++)
                            if (6'(j) < m) begin
                                in_r[5'(npairs_r + 6'(j))]   <= i_im_w[1 + 2 * j];
                                coef_r[5'(npairs_r + 6'(j))] <= i_im_w[2 + 2 * j];
                            end
                        npairs_r <= npairs_r + m;
                        cont_r   <= cont_r + 3'd1;
                        st_r     <= cont_r == conts ? S_PREP : S_CFETCH;
                    end
                end
            end
            S_PREP: begin : prep
                logic [15:0] cin_g;
                cin_g = groups == 0 ? 16'd0 : in_c / groups;
                in_elems_r  <= 64'(in_c) * 64'(in_h) * 64'(in_w);
                head_r      <= ((flags & F_SPLIT) != 0 ? 64'(split) : 64'(in_c)) * 64'(in_h) * 64'(in_w);
                ybytes_r    <= 64'(out_c) * 64'(out_h) * 64'(out_w) * ((flags & F_OUT32) != 0 ? 64'd4 : 64'd1);
                yhead_r     <= ((flags & F_OSPLIT) != 0 ? 64'(osplit) : 64'(out_c)) * 64'(out_h) * 64'(out_w) *
                               ((flags & F_OUT32) != 0 ? 64'd4 : 64'd1);
                out_elems_r <= 64'(out_c) * 64'(out_h) * 64'(out_w);
                wbytes_r    <= 64'(out_c) * 64'(cin_g) * 64'(kh) * 64'(kw);
                oi_r      <= '0;
                nops_r    <= op == OP_CONV ? 6'd4 + 6'((flags & F_SPLIT) != 0) + 6'((flags & F_OSPLIT) != 0) :
                             op == OP_EW ? nin + 6'd1 :
                             op == OP_REQUANT && (flags & F_PERCH) != 0 ? 6'd3 :
                             is_compute || op == OP_LOAD || op == OP_STORE ? 6'd2 : 6'd0;
                nseen_r   <= '0;
                rd_w_r    <= '0;
                rd_a_r    <= '0;
                wr_r      <= '0;
                hull_lo_r <= '1;
                hull_hi_r <= '0;
                if (op == OP_ALLOC || op == OP_FREE) begin
                    q_lo_r <= 64'(dst[30:0]);
                    q_hi_r <= 64'(dst[30:0]) + 64'(bytes);
                    q_p_r  <= 64'(dst[30:0]);
                end
                st_r <= S_OPER;
            end
            S_OPER: begin
                if (op == OP_ALLOC) begin
                    if (q_hi_r > SRAM_END) fail(8'd45, q_lo_r, q_hi_r, '0, '0);
                    else st_r <= S_QUERY;
                end else if (op == OP_FREE) begin
                    st_r <= S_QUERY;
                end else if (oi_r == nops_r) begin
                    streams_r <= rd_w_r != 0 || rd_a_r != 0 || wr_r != 0;
                    st_r      <= S_ISSUE;
                end else begin : opnd
                    logic [31:0] ref_;
                    logic [63:0] lo, hi, n;
                    logic [7:0]  role;
                    logic        wr;
                    ref_ = opnd_ref(oi_r);
                    n    = opnd_bytes(oi_r);
                    role = opnd_role(oi_r);
                    // the output is the last operand (OSPLIT: the last two)
                    wr   = oi_r == nops_r - 6'd1 ||
                           (op == OP_CONV && (flags & F_OSPLIT) != 0 && oi_r == nops_r - 6'd2);
                    lo   = 64'(ref_[30:0]);
                    hi   = lo + n;
                    if (ref_[31]) begin
                        if (hi > i_dram_bytes) begin
                            fail(8'd42, lo, hi, '0, {55'h0, wr, role});
                        end else begin
                            if (wr) begin
                                wr_r <= wr_r + n;
                            end else begin : dedup
                                logic seen;
                                seen = 1'b0;
                                for (int s = 0; s < NIN + 1; s++)
                                    if (6'(s) < nseen_r && seen_ref_r[s] == ref_ && seen_bytes_r[s] == n)
                                        seen = 1'b1;
                                if (!seen) begin
                                    seen_ref_r[nseen_r]   <= ref_;
                                    seen_bytes_r[nseen_r] <= n;
                                    nseen_r                   <= nseen_r + 6'd1;
                                    if (role == 8'(ROLE_WEIGHT) || role == 8'(ROLE_BIAS) ||
                                        role == 8'(ROLE_TABLE))
                                        rd_w_r <= rd_w_r + n;
                                    else
                                        rd_a_r <= rd_a_r + n;
                                end
                            end
                            oi_r <= oi_r + 6'd1;
                        end
                    end else if (hi > SRAM_END) begin
                        fail(8'd43, lo, hi, '0, {55'h0, wr, role});
                    end else begin
                        if (lo < hull_lo_r) hull_lo_r <= lo;
                        if (hi > hull_hi_r) hull_hi_r <= hi;
                        q_lo_r    <= lo;
                        q_hi_r    <= hi;
                        q_p_r     <= lo;
                        q_role_r  <= role;
                        q_write_r <= wr;
                        st_r      <= S_QUERY;
                    end
                end
            end
            S_QUERY: st_r <= S_QRES;  // the table looks q_p_r up this cycle
            S_QRES: begin
                if (op == OP_ALLOC) begin
                    if (bq_overlap)
                        fail(8'd46, q_lo_r, q_hi_r, 64'(bq_overlap_lo), 64'(bq_overlap_hi));
                    else if (b_full)
                        fail(8'd50, q_lo_r, q_hi_r, 64'(NBUF), '0);
                    else
                        st_r <= S_ISSUE;
                end else if (op == OP_FREE) begin
                    if (!bq_exact)
                        fail(8'd47, q_lo_r, q_hi_r, '0, '0);
                    else if (64'(bq_exact_bytes) != q_hi_r - q_lo_r)
                        fail(8'd48, q_lo_r, q_hi_r, '0, q_lo_r + 64'(bq_exact_bytes));
                    else
                        st_r <= S_PEND;
                end else if (!bq_cover) begin
                    fail(8'd44, q_lo_r, q_hi_r, q_p_r, {55'h0, q_write_r, q_role_r});
                end else if (64'(bq_cover_hi) >= q_hi_r) begin
                    st_r <= S_PEND;
                end else begin
                    q_p_r <= 64'(bq_cover_hi);
                    st_r  <= S_QUERY;
                end
            end
            S_PEND: begin : pend
                // the first transfer since the last SYNC moving these bytes;
                // a STORE's own source only minds LOADs
                logic        hit;
                logic [63:0] what;
                logic        dma_read;
                hit      = 1'b0;
                what     = '0;
                dma_read = (op == OP_LOAD || op == OP_STORE) && !q_write_r;
                for (int k = NPEND - 1; k >= 0; k--)
                    if (32'(k) < npend_r && 64'(pend_lo_r[k]) < q_hi_r && q_lo_r < 64'(pend_hi_r[k]) &&
                        (!dma_read || pend_load_r[k])) begin
                        hit  = 1'b1;
                        what = {31'h0, pend_load_r[k], pend_index_r[k]};
                    end
                if (hit && op == OP_FREE) begin
                    fail(8'd53, q_lo_r, q_hi_r, what, '0);
                end else if (hit) begin
                    fail(8'd52, q_lo_r, q_hi_r, what, {55'h0, q_write_r, q_role_r});
                end else if (op == OP_FREE) begin
                    st_r <= S_ISSUE;
                end else begin
                    oi_r <= oi_r + 6'd1;
                    st_r <= S_OPER;
                end
            end
            S_ISSUE: begin
                if (!issue_seen_r) begin
                    issue_seen_r <= 1'b1;
                    issue_t0_r   <= i_cycle;
                end
                if (op == OP_END && npend_r != 0) begin
                    fail(8'd49, 64'(npend_r), 64'(pend_first_r), '0, '0);
                end else if ((op == OP_LOAD || op == OP_STORE) && npend_r == 32'(NPEND)) begin
                    fail(8'd51, 64'(NPEND), '0, '0, '0);
                end else if (issue_ok) begin
                    st_r <= S_NEXT;
                    case (op)
                        OP_LOAD, OP_STORE: begin : xfer
                            logic [PW-1:0] k;
                            logic   [31:0] lo;
                            k  = npend_r[PW-1:0];
                            lo = op == OP_LOAD ? {1'b0, dst[30:0]} : {1'b0, src[30:0]};
                            dma_push_r      <= 1'b1;
                            add_r           <= 1'b1;
                            add_w_r         <= '0;
                            add_a_r         <= rd_a_r;
                            add_wr_r        <= wr_r;
                            if (npend_r == 0) pend_first_r <= index_r;
                            npend_r         <= npend_r + 32'd1;
                            pend_lo_r[k]    <= lo;
                            pend_hi_r[k]    <= lo + bytes;
                            pend_index_r[k] <= index_r;
                            pend_load_r[k]  <= op == OP_LOAD;
                        end
                        OP_SYNC: begin
                            npend_r    <= '0;
                            ts_r       <= 1'b1;
                            ts_start_r <= issue_seen_r ? issue_t0_r : i_cycle;
                        end
                        OP_ALLOC: begin
                            alloc_r    <= 1'b1;
                            ts_r       <= 1'b1;
                            ts_start_r <= i_cycle;
                        end
                        OP_FREE: begin
                            free_r     <= 1'b1;
                            ts_r       <= 1'b1;
                            ts_start_r <= i_cycle;
                        end
                        OP_END: begin
                            if (pc_r + 32'd1 < i_nslots) begin
                                fail(8'd41, {28'h0, i_nslots - pc_r - 32'd1, 4'h0}, '0, '0, '0);
                            end else begin
                                ts_r       <= 1'b1;
                                ts_start_r <= issue_seen_r ? issue_t0_r : i_cycle;
                                insn_r     <= 1'b1;
                                st_r       <= S_DONE;
                            end
                        end
                        default: begin  // compute
                            conv_start_r <= is_conv;
                            vec_start_r  <= !is_conv;
                            add_r        <= 1'b1;
                            add_w_r      <= rd_w_r;
                            add_a_r      <= rd_a_r;
                            add_wr_r     <= wr_r;
                            stream_r     <= streams_r;
                            c_streams_r  <= streams_r;
                            c_done_r     <= 1'b0;
                            c_index_r    <= index_r;
                            c_op_r       <= op;
                            c_start_r    <= i_cycle;
                            c_bytes_r    <= rd_w_r + rd_a_r + wr_r;
                            c_hold_lo_r  <= hull_lo_r[31:0];
                            c_hold_hi_r  <= hull_hi_r[31:0];
                            c_st_r       <= streams_r ? C_LAT : C_ARM;
                        end
                    endcase
                    ts_index_r <= index_r;
                    ts_op_r    <= op;
                    ts_end_r   <= i_cycle + 64'd1;
                end
            end
            S_NEXT: begin
                insn_r       <= 1'b1;
                issue_seen_r <= 1'b0;
                pc_r        <= pc_r + 32'd1 + (op == OP_EW ? 32'(conts) : 32'd0);
                index_r     <= index_r + 32'd1;
                st_r        <= S_FETCH;
            end
            S_DONE: done_r <= 1'b1;
            default: ;  // S_HALT
        endcase

        // the compute side
        case (c_st_r)
            C_ARM: c_st_r <= C_GO;
            C_GO: c_st_r <= C_RUN;
            C_LAT: if (i_stream_go) c_st_r <= C_RUN;
            C_RUN: begin
                if (i_conv_done || i_vec_done) c_done_r <= 1'b1;
                if ((c_done_r || i_conv_done || i_vec_done) && (!c_streams_r || i_stream_done)) begin
                    c_st_r       <= C_IDLE;
                    stream_end_r <= c_streams_r;
                    tc_r         <= 1'b1;
                    tc_index_r   <= c_index_r;
                    tc_op_r      <= c_op_r;
                    tc_start_r   <= c_start_r;
                    tc_bytes_r   <= c_bytes_r;
                    tc_end_r     <= i_cycle + 64'd1;
                end
            end
            default: ;
        endcase

        if (i_rst) begin
            st_r        <= S_FETCH;
            c_st_r      <= C_IDLE;
            pc_r        <= '0;
            index_r     <= '0;
            npend_r     <= '0;
            issue_seen_r <= 1'b0;
            done_r      <= 1'b0;
            err_r       <= '0;
            conv_start_r <= 1'b0;
            vec_start_r <= 1'b0;
            dma_push_r  <= 1'b0;
            stream_r    <= 1'b0;
            add_r       <= 1'b0;
            alloc_r     <= 1'b0;
            free_r      <= 1'b0;
            insn_r      <= 1'b0;
            ts_r        <= 1'b0;
            tc_r        <= 1'b0;
        end
    end

    assign o_im_en   = st_r == S_FETCH || st_r == S_CFETCH;
    assign o_im_slot = st_r == S_CFETCH ? pc_r + 32'(cont_r) : pc_r;

    assign o_op      = op;
    assign o_flags   = flags;
    assign o_src     = src;
    assign o_dst     = dst;
    assign o_weight  = weight;
    assign o_aux     = aux;
    assign o_src2    = src2;
    assign o_split   = split;
    assign o_dst2    = dst2;
    assign o_osplit  = osplit;
    assign o_bytes   = bytes;
    assign o_in_c    = in_c;
    assign o_in_h    = in_h;
    assign o_in_w    = in_w;
    assign o_out_c   = out_c;
    assign o_out_h   = out_h;
    assign o_out_w   = out_w;
    assign o_kh      = kh;
    assign o_kw      = kw;
    assign o_sh      = sh;
    assign o_sw      = sw;
    assign o_dh      = dh;
    assign o_dw      = dw;
    assign o_pt      = pt;
    assign o_pl      = pl;
    assign o_groups  = groups;
    assign o_qmul    = qmul;
    assign o_qshift  = qshift;
    assign o_nin     = nin;
    assign o_in      = in_r;
    assign o_coef    = coef_r;

    assign o_conv_start = conv_start_r;
    assign o_vec_start  = vec_start_r;
    assign o_cmp_go     = c_st_r == C_GO || (c_st_r == C_LAT && i_stream_go);

    assign o_dma_push   = dma_push_r;
    assign o_dma_load   = op == OP_LOAD;
    assign o_dma_src    = {1'b0, src[30:0]};
    assign o_dma_dst    = {1'b0, dst[30:0]};
    assign o_dma_index  = index_r;
    assign o_stream     = stream_r;
    assign o_stream_rd  = add_w_r + add_a_r;
    assign o_stream_wr  = add_wr_r;
    assign o_stream_end = stream_end_r;
    assign o_hold       = c_st_r != C_IDLE;
    assign o_hold_lo    = c_hold_lo_r;
    assign o_hold_hi    = c_hold_hi_r;

    assign o_run        = !done_r && err_r == 0;
    assign o_cmp_busy   = c_st_r != C_IDLE;
    assign o_stall      = st_r == S_ISSUE && !issue_ok;
    assign o_add        = add_r;
    assign o_add_weight = add_w_r;
    assign o_add_act    = add_a_r;
    assign o_add_write  = add_wr_r;
    assign o_alloc      = alloc_r;
    assign o_free       = free_r;
    assign o_insn       = insn_r;

    assign o_ts         = ts_r;
    assign o_ts_index   = ts_index_r;
    assign o_ts_op      = ts_op_r;
    assign o_ts_start   = ts_start_r;
    assign o_ts_end     = ts_end_r;
    assign o_tc         = tc_r;
    assign o_tc_index   = tc_index_r;
    assign o_tc_op      = tc_op_r;
    assign o_tc_start   = tc_start_r;
    assign o_tc_end     = tc_end_r;
    assign o_tc_bytes   = tc_bytes_r;

    assign o_index      = index_r;
    assign o_done       = done_r;
    assign o_err        = err_r;
    assign o_err_index  = err_index_r;
    assign o_err_op     = err_op_r;
    assign o_err_a      = err_a_r;
    assign o_err_b      = err_b_r;
    assign o_err_c      = err_c_r;
    assign o_err_d      = err_d_r;

endmodule

`default_nettype wire
