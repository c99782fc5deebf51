// npu_seq: the sequencer.  Takes each instruction from the fetch buffer
// (npu_fetch) into its instruction register, has npu_check check it (the
// encoding, then the machine's rules), collects a CONV's VIEW slot and an
// EW's OPERANDS continuations, and issues in order:
//   LOAD, STORE  onto the DMA's queue (waits while it is full)
//   SYNC         waits until the DMA is idle
//   ALLOC, FREE  the live-buffer table (npu_check) and the SRAM-in-use count
//   compute      waits until the engine is free, then starts it; the next
//                instruction is fetched and checked while it runs
//   END          waits for the engine and the DMA, then the run is done
// A broken rule stops the run: o_err holds its status code (npu_check.sv
// lists them; 26-31 and 40, 41, 49, 51 are the sequencer's own, below) and
// o_err_index the instruction's index (a CONV with its VIEW, an EW with its
// OPERANDS, count one).
//   26 EW continuations past the stream's end (a inputs, b continuations)
//   27 a continuation is not OPERANDS (a which, b its opcode)
//   28 continuation flags (a which, b flags)   29 its w0 reserved bits (a, b)
//   30 pairs a continuation holds (a which, b holds, c expected)
//   31 its reserved word (a which, b word, c value)
//   40 the stream ends without END             41 words after END (a)
//   49 END with transfers outstanding (a how many, b the first's index)
//   51 more than NPEND transfers without a SYNC
// EW inputs go to a two-bank RAM, one bank per EW instruction in turn: the
// vector unit reads the running EW's bank while the next EW's fills the other.
`default_nettype none

module npu_seq #(
    parameter int RD_BPC = 8,
    parameter int NPEND  = 64
) (
    input  wire logic          i_clk,
    input  wire logic          i_rst,
    input  wire logic          i_start,      // a run starts from slot 0
    input  wire logic   [31:0] i_len,        // slots in the stream
    output logic               o_running,
    output logic               o_done,       // END retired
    // the fetch buffer
    input  wire logic   [31:0] i_arrived,
    output logic               o_rd,
    output logic        [31:0] o_rd_slot,
    output logic         [5:0] o_rd_row,
    input  wire logic [8*RD_BPC-1:0] i_rd_data,
    output logic               o_pop,
    output logic         [2:0] o_pop_n,
    // the instruction, for the checker and the engines
    output logic       [511:0] o_ir,
    output logic       [255:0] o_view,
    output logic       [255:0] o_view_hi,
    // the checker
    output logic               o_go_enc,
    output logic               o_go_mach,
    input  wire logic          i_need_view,
    output logic               o_view_ok,
    output logic               o_no_view,
    input  wire logic          i_chk_done,
    input  wire logic    [7:0] i_chk_err,
    input  wire logic   [63:0] i_chk_a,
    input  wire logic   [63:0] i_chk_b,
    input  wire logic   [63:0] i_chk_c,
    input  wire logic   [63:0] i_chk_d,
    input  wire logic    [4:0] i_chk_ew_idx,
    output logic        [31:0] o_chk_ew_ref,
    input  wire logic   [31:0] i_npend,
    input  wire logic   [31:0] i_pend_first,
    output logic               o_alloc,
    output logic               o_free,
    output logic               o_push,
    output logic               o_sync,
    // the DMA
    input  wire logic          i_dma_full,
    input  wire logic          i_dma_idle,
    output logic        [31:0] o_index,      // the instruction's index (pushes, timeline)
    // the engines
    output logic               o_conv_start,
    output logic               o_vec_start,
    input  wire logic          i_engine_busy,
    input  wire logic          i_engine_done,
    input  wire logic    [4:0] i_vec_ew_idx,
    output logic        [31:0] o_vec_ew_ref,
    output logic        [31:0] o_vec_ew_coef,
    output logic               o_hold,       // a compute instruction runs (the DMA's hold)
    // counting
    output logic               o_insn,       // an instruction retires
    output logic               o_stall_fetch,
    output logic               o_stall_dma,
    output logic               o_stall_engine,
    // status
    output logic         [7:0] o_err,
    output logic        [31:0] o_err_index,
    output logic         [7:0] o_err_op,
    output logic        [63:0] o_err_a,
    output logic        [63:0] o_err_b,
    output logic        [63:0] o_err_c,
    output logic        [63:0] o_err_d,
    // timeline: an instruction the sequencer retires (ts) and a compute one (tc)
    output logic               o_ts,
    output logic        [31:0] o_ts_index,
    output logic         [7:0] o_ts_op,
    output logic        [63:0] o_ts_start,
    output logic        [63:0] o_ts_end,
    output logic               o_tc,
    output logic        [31:0] o_tc_index,
    output logic         [7:0] o_tc_op,
    output logic        [63:0] o_tc_start,
    output logic        [63:0] o_tc_end,
    input  wire logic   [63:0] i_cycle
);

    localparam logic [7:0] OP_END = 8'h01, OP_LOAD = 8'h02, OP_STORE = 8'h03, OP_SYNC = 8'h04;
    localparam logic [7:0] OP_ALLOC = 8'h05, OP_FREE = 8'h06, OP_CONV = 8'h10, OP_EW = 8'h13;
    localparam logic [7:0] OP_OPERANDS = 8'h1f;
    localparam int BPS = 64 / RD_BPC;    // rows of a slot
    localparam int WPR = RD_BPC / 4;     // words of a row

    localparam logic [3:0] S_IDLE = 4'd0, S_SLOT = 4'd1, S_IR = 4'd2, S_ENC = 4'd3,
                           S_VSLOT = 4'd4, S_VIEW = 4'd5, S_PAIRS = 4'd6, S_CSLOT = 4'd7,
                           S_CLOAD = 4'd8, S_CWORD = 4'd9, S_EWSP = 4'd10, S_MACH = 4'd11,
                           S_ISSUE = 4'd12, S_NEXT = 4'd13, S_DONE = 4'd14, S_HALT = 4'd15;

    logic  [3:0] st_r;
    logic [31:0] pc_r, index_r;         // slot of the instruction, its index
    logic [511:0] ir_r;
    logic [511:0] vw_r;                 // the VIEW slot, or the continuation being read
    logic  [5:0] row_r;                 // rows read of the slot being loaded
    logic        rd_v_r;                // a row read last cycle
    logic  [5:0] rd_row_r;              // which
    logic  [2:0] cont_r, conts_r;       // EW: continuation being read, how many
    logic  [5:0] npairs_r;              // EW: pairs collected
    logic  [5:0] k_r;                   // EW: pair or input index
    logic  [4:0] cw_r;                  // EW: the continuation's word being checked
    logic        bank_r, run_bank_r;    // EW RAM: the bank being filled, the running EW's
    logic [63:0] t0_r;                  // when the instruction reached issue
    logic        t0_seen_r;
    logic  [7:0] err_r, err_op_r;
    logic [31:0] err_index_r;
    logic [63:0] err_a_r, err_b_r, err_c_r, err_d_r;
    logic        c_busy_r;              // a compute instruction holds the engine
    logic [31:0] c_index_r;
    logic  [7:0] c_op_r;
    logic [63:0] c_start_r;
    logic        ts_r, tc_r, insn_r;
    logic [31:0] ts_index_r, tc_index_r;
    logic  [7:0] ts_op_r, tc_op_r;
    logic [63:0] ts_start_r, ts_end_r, tc_start_r, tc_end_r;

    logic  [7:0] op, nin;
    assign op  = ir_r[7:0];
    assign nin = ir_r[23:16];

    // ---- the EW operands' RAM: two banks of NIN (Ref, coef) pairs ----
    logic [31:0] ewref_r [0:63];
    logic [31:0] ewcoef_r [0:63];
    logic        ew_we;
    logic  [5:0] ew_wa;
    logic [31:0] ew_wref, ew_wcoef;
    always_ff @(posedge i_clk)
        if (ew_we) begin
            ewref_r[ew_wa]  <= ew_wref;
            ewcoef_r[ew_wa] <= ew_wcoef;
        end
    assign o_chk_ew_ref  = ewref_r[{bank_r, i_chk_ew_idx}];
    // the vector unit reads synchronously: its data the cycle after the index
    always_ff @(posedge i_clk) begin
        o_vec_ew_ref  <= ewref_r[{run_bank_r, i_vec_ew_idx}];
        o_vec_ew_coef <= ewcoef_r[{run_bank_r, i_vec_ew_idx}];
    end

    // EW pairs go to the RAM one a cycle: those of the first slot (w5..w14,
    // S_PAIRS), then those of each continuation (its w1..w14, S_CWORD)
    always_comb begin
        ew_we    = 1'b0;
        ew_wa    = {bank_r, npairs_r[4:0]};
        ew_wref  = ir_r[32*(5 + 2*32'(k_r[2:0])) +: 32];
        ew_wcoef = ir_r[32*(6 + 2*32'(k_r[2:0])) +: 32];
        if (st_r == S_PAIRS && k_r < 6'(nin) && k_r < 6'd5) ew_we = 1'b1;
        if (st_r == S_CWORD && cw_r[0] && 6'(cw_r) < 6'd2 * pairs_in(cont_r)) begin
            ew_we    = 1'b1;
            ew_wref  = vw_r[32*32'(cw_r) +: 32];
            ew_wcoef = vw_r[32*(32'(cw_r) + 1) +: 32];
        end
    end

    // continuations an EW of nin inputs takes: (nin - 5) / 7, rounded up
    logic [2:0] conts;
    always_comb begin
        logic [7:0] n;
        n = nin > 8'd5 ? nin - 8'd5 : 8'd0;
        conts = n == 0 ? 3'd0 : n <= 8'd7 ? 3'd1 : n <= 8'd14 ? 3'd2 : n <= 8'd21 ? 3'd3 : 3'd4;
    end

    // pairs continuation c (from 1) holds: seven, or what is left
    function automatic logic [5:0] pairs_in(input logic [2:0] c);
        logic [7:0] left;
        left = nin - 8'd5 - 8'd7 * (8'(c) - 8'd1);
        pairs_in = left < 8'd7 ? 6'(left) : 6'd7;
    endfunction

    // ---- slots: a row read the cycle after it is asked ----
    logic [31:0] want_slot;
    always_comb
        case (st_r)
            S_VSLOT, S_VIEW: want_slot = pc_r + 32'd1;
            S_CSLOT, S_CLOAD: want_slot = pc_r + 32'(cont_r);
            default: want_slot = pc_r;
        endcase
    assign o_rd      = (st_r == S_IR || st_r == S_VIEW || st_r == S_CLOAD) && row_r < 6'(BPS);
    assign o_rd_slot = want_slot;
    assign o_rd_row  = row_r;

    logic issue_ok;
    always_comb
        case (op)
            OP_LOAD, OP_STORE: issue_ok = !i_dma_full;
            OP_SYNC: issue_ok = i_dma_idle;
            OP_END: issue_ok = i_npend != 0 || (!c_busy_r && !i_engine_busy && i_dma_idle);
            OP_ALLOC, OP_FREE: issue_ok = 1'b1;
            default: issue_ok = !c_busy_r && !i_engine_busy;
        endcase

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
        o_go_enc_r  <= 1'b0;
        o_go_mach_r <= 1'b0;
        view_ok_r   <= 1'b0;
        no_view_r   <= 1'b0;
        alloc_r     <= 1'b0;
        free_r      <= 1'b0;
        push_r      <= 1'b0;
        sync_r      <= 1'b0;
        pop_r       <= 1'b0;
        conv_start_r <= 1'b0;
        vec_start_r <= 1'b0;
        ts_r        <= 1'b0;
        tc_r        <= 1'b0;
        insn_r      <= 1'b0;
        rd_v_r      <= o_rd;
        rd_row_r    <= row_r;
        if (o_rd) row_r <= row_r + 6'd1;
        if (rd_v_r && rd_row_r == 6'(BPS - 1)) row_r <= 6'(BPS);  // the slot is in
        case (st_r)
            S_IDLE: ;
            S_SLOT:
                if (pc_r >= i_len) begin
                    err_r       <= 8'd40;
                    err_index_r <= index_r;
                    err_op_r    <= '0;
                    st_r        <= S_HALT;
                end else if (i_arrived > pc_r) begin
                    row_r <= '0;
                    st_r  <= S_IR;
                end
            S_IR: begin
                if (rd_v_r)
                    for (int j = 0; j < WPR; j++)
                        ir_r[32*(WPR*32'(rd_row_r) + j) +: 32] <= i_rd_data[32*j +: 32];
                if (rd_v_r && rd_row_r == 6'(BPS - 1)) begin
                    o_go_enc_r <= 1'b1;
                    st_r       <= S_ENC;
                end
            end
            S_ENC:
                if (i_chk_err != 0) begin
                    fail(i_chk_err, i_chk_a, i_chk_b, i_chk_c, i_chk_d);
                end else if (i_need_view) begin
                    if (pc_r + 32'd1 >= i_len) begin
                        no_view_r <= 1'b1;
                        st_r      <= S_VSLOT;  // the checker answers with its error
                    end else begin
                        st_r <= S_VSLOT;
                    end
                end else if (i_chk_done) begin
                    if (op == OP_EW) begin
                        k_r      <= '0;
                        npairs_r <= '0;
                        st_r     <= S_PAIRS;
                    end else begin
                        o_go_mach_r <= 1'b1;
                        st_r        <= S_MACH;
                    end
                end
            S_VSLOT:
                if (i_chk_err != 0) begin
                    fail(i_chk_err, i_chk_a, i_chk_b, i_chk_c, i_chk_d);
                end else if (pc_r + 32'd1 < i_len && i_arrived > pc_r + 32'd1) begin
                    row_r <= '0;
                    st_r  <= S_VIEW;
                end
            S_VIEW: begin
                if (rd_v_r)
                    for (int j = 0; j < WPR; j++)
                        vw_r[32*(WPR*32'(rd_row_r) + j) +: 32] <= i_rd_data[32*j +: 32];
                if (rd_v_r && rd_row_r == 6'(BPS - 1)) begin
                    view_ok_r <= 1'b1;
                    st_r      <= S_ENC;  // the checker goes on with the view's rules
                end
            end
            S_PAIRS:
                if (k_r < 6'(nin) && k_r < 6'd5) begin
                    k_r      <= k_r + 6'd1;
                    npairs_r <= npairs_r + 6'd1;
                end else begin
                    conts_r <= conts;
                    if (nin > 8'd5) begin
                        if (pc_r + 32'(conts) >= i_len)
                            fail(8'd26, 64'(nin), 64'(conts), '0, '0);
                        else begin
                            cont_r <= 3'd1;
                            st_r   <= S_CSLOT;
                        end
                    end else begin
                        k_r  <= '0;
                        st_r <= S_EWSP;
                    end
                end
            S_CSLOT:
                if (i_arrived > pc_r + 32'(cont_r)) begin
                    row_r <= '0;
                    st_r  <= S_CLOAD;
                end
            S_CLOAD: begin
                if (rd_v_r)
                    for (int j = 0; j < WPR; j++)
                        vw_r[32*(WPR*32'(rd_row_r) + j) +: 32] <= i_rd_data[32*j +: 32];
                if (rd_v_r && rd_row_r == 6'(BPS - 1)) begin
                    cw_r <= '0;
                    st_r <= S_CWORD;
                end
            end
            // a continuation, word by word: its header, its pairs, zeros after
            S_CWORD: begin : word
                logic [31:0] w;
                logic  [5:0] m;
                w = vw_r[32*32'(cw_r) +: 32];
                m = pairs_in(cont_r);
                if (cw_r == 0 && w[7:0] != OP_OPERANDS) fail(8'd27, 64'(cont_r), 64'(w[7:0]), '0, '0);
                else if (cw_r == 0 && w[15:8] != 0) fail(8'd28, 64'(cont_r), 64'(w[15:8]), '0, '0);
                else if (cw_r == 0 && w[31:24] != 0) fail(8'd29, 64'(cont_r), 64'(w), '0, '0);
                else if (cw_r == 0 && 6'(w[23:16]) != m)
                    fail(8'd30, 64'(cont_r), 64'(w[23:16]), 64'(m), '0);
                else if (cw_r != 0 && 6'(cw_r) > 6'd2 * m && w != 0)
                    fail(8'd31, 64'(cont_r), 64'(cw_r), 64'(w), '0);
                else begin
                    if (ew_we) npairs_r <= npairs_r + 6'd1;
                    if (cw_r != 5'd15) begin
                        cw_r <= cw_r + 5'd1;
                    end else if (cont_r == conts_r) begin
                        k_r  <= '0;
                        st_r <= S_EWSP;
                    end else begin
                        cont_r <= cont_r + 3'd1;
                        st_r   <= S_CSLOT;
                    end
                end
            end
            // the EW's spaces, once all its inputs are in: dst, then in0, in1, ...
            S_EWSP:
                if (k_r == 0 && ir_r[63:62] != 2'b00) begin
                    fail(8'd9, 64'd6, 64'(ir_r[63:32]), 64'd1, '0);
                end else if (k_r < 6'(nin) && ewref_r[{bank_r, k_r[4:0]}][31:30] != 2'b00) begin
                    fail(8'd9, 64'(k_r) + 64'd16, 64'(ewref_r[{bank_r, k_r[4:0]}]), 64'd1, '0);
                end else if (k_r + 6'd1 < 6'(nin)) begin
                    k_r <= k_r + 6'd1;
                end else begin
                    o_go_mach_r <= 1'b1;
                    st_r        <= S_MACH;
                end
            S_MACH:
                if (i_chk_err != 0) fail(i_chk_err, i_chk_a, i_chk_b, i_chk_c, i_chk_d);
                else if (i_chk_done) begin
                    t0_seen_r <= 1'b0;
                    st_r      <= S_ISSUE;
                end
            S_ISSUE: begin
                if (!t0_seen_r) begin
                    t0_seen_r <= 1'b1;
                    t0_r      <= i_cycle;
                end
                if (op == OP_END && i_npend != 0) begin
                    fail(8'd49, 64'(i_npend), 64'(i_pend_first), '0, '0);
                end else if ((op == OP_LOAD || op == OP_STORE) && i_npend == 32'(NPEND)) begin
                    fail(8'd51, 64'(NPEND), '0, '0, '0);
                end else if (issue_ok) begin
                    st_r       <= S_NEXT;
                    ts_index_r <= index_r;
                    ts_op_r    <= op;
                    ts_start_r <= t0_seen_r ? t0_r : i_cycle;
                    ts_end_r   <= i_cycle + 64'd1;
                    case (op)
                        OP_LOAD, OP_STORE: push_r <= 1'b1;
                        OP_SYNC: begin
                            sync_r <= 1'b1;
                            ts_r   <= 1'b1;
                        end
                        OP_ALLOC: begin
                            alloc_r <= 1'b1;
                            ts_r    <= 1'b1;
                        end
                        OP_FREE: begin
                            free_r <= 1'b1;
                            ts_r   <= 1'b1;
                        end
                        OP_END:
                            if (pc_r + 32'd1 < i_len) begin
                                fail(8'd41, {28'h0, i_len - pc_r - 32'd1, 4'h0}, '0, '0, '0);
                            end else begin
                                ts_r   <= 1'b1;
                                insn_r <= 1'b1;
                                st_r   <= S_DONE;
                            end
                        default: begin  // compute
                            conv_start_r <= op == OP_CONV;
                            vec_start_r  <= op != OP_CONV;
                            run_bank_r   <= bank_r;
                            if (op == OP_EW) bank_r <= !bank_r;
                            c_busy_r     <= 1'b1;
                            c_index_r    <= index_r;
                            c_op_r       <= op;
                            c_start_r    <= i_cycle;
                        end
                    endcase
                end
            end
            S_NEXT: begin
                insn_r  <= 1'b1;
                pop_r   <= 1'b1;
                pc_r    <= pc_r + 32'(pop_n);
                index_r <= index_r + 32'd1;
                st_r    <= S_SLOT;
            end
            default: ;  // S_DONE, S_HALT
        endcase

        // the compute side: an instruction ends when its engine says so
        if (c_busy_r && i_engine_done) begin
            c_busy_r   <= 1'b0;
            tc_r       <= 1'b1;
            tc_index_r <= c_index_r;
            tc_op_r    <= c_op_r;
            tc_start_r <= c_start_r;
            tc_end_r   <= i_cycle + 64'd1;
        end

        if (i_start) begin
            st_r       <= S_SLOT;
            pc_r       <= '0;
            index_r    <= '0;
            err_r      <= '0;
            bank_r     <= 1'b0;
            c_busy_r   <= 1'b0;
            rd_v_r     <= 1'b0;
        end
        if (i_rst) begin
            st_r     <= S_IDLE;
            err_r    <= '0;
            c_busy_r <= 1'b0;
            rd_v_r   <= 1'b0;
        end
    end

    // slots an instruction takes: its own, a VIEW, its continuations
    logic [2:0] pop_n;
    assign pop_n = op == OP_CONV ? 3'd2 : op == OP_EW ? 3'd1 + conts_r : 3'd1;

    logic o_go_enc_r, o_go_mach_r, view_ok_r, no_view_r, alloc_r, free_r, push_r, sync_r;
    logic pop_r, conv_start_r, vec_start_r;

    assign o_running      = st_r != S_IDLE && st_r != S_DONE && st_r != S_HALT;
    assign o_done         = st_r == S_DONE;
    assign o_pop          = pop_r;
    assign o_pop_n        = pop_n;
    assign o_ir           = ir_r;
    assign o_view         = vw_r[255:0];
    assign o_view_hi      = vw_r[511:256];
    assign o_go_enc       = o_go_enc_r;
    assign o_go_mach      = o_go_mach_r;
    assign o_view_ok      = view_ok_r;
    assign o_no_view      = no_view_r;
    assign o_alloc        = alloc_r;
    assign o_free         = free_r;
    assign o_push         = push_r;
    assign o_sync         = sync_r;
    assign o_index        = index_r;
    assign o_conv_start   = conv_start_r;
    assign o_vec_start    = vec_start_r;
    assign o_hold         = c_busy_r;
    assign o_insn         = insn_r;
    assign o_stall_fetch  = st_r == S_SLOT && pc_r < i_len && i_arrived <= pc_r;
    assign o_stall_dma    = st_r == S_ISSUE && !issue_ok &&
                            (op == OP_LOAD || op == OP_STORE || op == OP_SYNC || op == OP_END);
    assign o_stall_engine = st_r == S_ISSUE && !issue_ok && !(op == OP_LOAD || op == OP_STORE ||
                                                              op == OP_SYNC || op == OP_END);
    assign o_err          = err_r;
    assign o_err_index    = err_index_r;
    assign o_err_op       = err_op_r;
    assign o_err_a        = err_a_r;
    assign o_err_b        = err_b_r;
    assign o_err_c        = err_c_r;
    assign o_err_d        = err_d_r;
    assign o_ts           = ts_r;
    assign o_ts_index     = ts_index_r;
    assign o_ts_op        = ts_op_r;
    assign o_ts_start     = ts_start_r;
    assign o_ts_end       = ts_end_r;
    assign o_tc           = tc_r;
    assign o_tc_index     = tc_index_r;
    assign o_tc_op        = tc_op_r;
    assign o_tc_start     = tc_start_r;
    assign o_tc_end       = tc_end_r;

endmodule

`default_nettype wire
