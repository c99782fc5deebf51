// npu_check: every rule a stream must follow (docs/isa.md), checked before
// the sequencer issues an instruction, so that an illegal stream stops with
// a status code instead of computing a wrong result.
//
// Two phases, each started by the sequencer and ended by o_done (passed) or
// o_err (a status code, with o_err_a..d for the message):
//   encoding (i_go_enc)  isa.c's decoder, rule by rule in its order, on the
//                        instruction's words (i_ir) and, for a CONV, its VIEW
//                        slot (i_view; the sequencer loads it when
//                        o_need_view, or says it is missing: i_no_view)
//   machine  (i_go_mach) fsim's rules: block width against the array, WBUF
//                        loads in whole rows, then each operand's hull (first
//                        byte to last: a view's first channel's first row to
//                        its last channel's last row) inside its space,
//                        covered by live SRAM buffers, racing no transfer
//                        issued since the last SYNC
// CHECK selects how much of that is built (npu_top passes it on):
//   1  every rule (the default: simulation, the tests, the shipped build)
//   0  the FPGA build's checker: the encoding rules and the bounds rules
//      (42 43 45 76 77 78: what keeps the engines inside their memories
//      and decoding what they are given), without the live-buffer table
//      (npu_bufs: 44 46 47 48 50), the table of transfers since the last
//      SYNC (52 53) and the pass of outputs over inputs (80).  A stream
//      breaking only those runs on: a wrong result, never an access outside
//      a memory.  What the rest of the machine needs stays in both: the
//      running instruction's footprint (o_foot_*) and the count and first
//      index of the transfers since the last SYNC (o_npend, o_pend_first).
// Arithmetic (window extents, divisibility, hulls) goes through npu_alu, one
// operation at a time; the checks of the next instruction overlap the
// engine running the current one.  The machine's state mirrors (live
// buffers, npu_bufs; transfers since the last SYNC, a table of NPEND) are
// updated by the sequencer's issue (i_alloc, i_free, i_push, i_sync).
//
// Status codes (rtl_sim/sim_main.cpp words each as isa.c or fsim.c does):
//    1 operands without an ew           35 split outside 1..in_c-1 (a, b)
//    2 unknown opcode (a)               36 a two-part word without its flag
//    3 reserved bits in w0 (a)             (a word, b value, c 0 SPLIT 1 OSPLIT)
//    4 flag not taken (a flag, b all)   37 osplit outside 1..out_c-1 (a, b)
//    5 count field (a)                  42 DRAM operand past the image
//    6 reserved word (a index, b)       43 on-chip operand past its space
//    7 zero bytes                          (42-44, 52: a lo, b hi, c space
//    8 zero elements                       or where, d role | write << 8)
//    9 space (a what, b Ref, c mask)    44 SRAM outside live buffers
//   10 zero input dimension (a, b, c)   45 ALLOC past the end of SRAM (a, b)
//   11 zero output dimension (a, b, c)  46 ALLOC overlaps (a, b; c, d)
//   12 zero kernel (a, b)               47 FREE of no buffer (a, b)
//   13 zero stride (a, b)               48 FREE of another size (a, b; d)
//   14 zero dilation (a, b)             50 more live buffers than NBUF
//   15 window does not fit (a, b, c, d) 52 racing a transfer (c: index |
//   16 output shape (a, b; c, d)           load << 32 | space << 33)
//   17 zero groups                      53 FREE racing a transfer (as 52)
//   18 groups do not divide (a, b, c)   60 transfer class (a)
//   19 RELU with OUT32                  61 transfer row bytes (a)
//   21 reserved bits (a word, b value)  62 zero rows
//   23 pool out_c (a) differs (b)       63 stride word with one row (a, b)
//   24 EW input count (a)               64 rows overlap (a stride, b bytes)
//   25 EW word after its pairs (a, b, c)65 band outside the output (a, b, c)
//   33 qmul/qshift with PERCH           66 w4 without PSUM (a)
//   34 channels do not divide (a, b)    67 zero cw
//   68 CONV without its view slot       69 the slot after is not a view (a)
//   70 view w0 (a)                      71 view reserved word (a, b)
//   72 view word without its flag (a which, b word, c value)
//   73 view reserved bits in w8 (a)     74 view starts past the band's row
//      (a 0 src 1 src2 2 dst 3 dst2 4 psum, b row0, c row)
//   75 table not a multiple of 8 (a)    76 WBUF load not in rows (a, b)
//   77 cw does not divide COLS (a)      78 weights not a multiple of cw (a, b)
//   80 an output over its inputs (a, b the output's hull, c the input's
//      {hi, lo}, d {whole overlap, output role, input role})
// Space check names (9): 0 source, 1 destination, 2 buffer, 3 weights,
// 4 table, 5 src, 6 dst, 7 src2, 8 dst2, 9 psum, 16 + k in<k>; the mask
// (c) has bit s for each space s the operand may be in.  Operand roles
// (42-52): 0 src, 1 dst, 2 weights, 3 psum, 4 table, 5 src2, 6 dst2,
// 16 + k in<k>.
`default_nettype none

module npu_check #(
    parameter int SRAM_BYTES = 8192,
    parameter int WBUF_BYTES = 4096,
    parameter int COLS       = 4,
    parameter int NBUF       = 64,
    parameter int NPEND      = 64,
    parameter int CHECK      = 1      // 1 every rule, 0 encoding and bounds only (above)
) (
    input  wire logic          i_clk,
    input  wire logic          i_rst,
    input  wire logic  [511:0] i_ir,        // the instruction's first slot, w0 at bits 31:0
    input  wire logic  [255:0] i_view,      // a CONV's VIEW slot, w0..w7 (w8..w15 are checked
    input  wire logic  [255:0] i_view_hi,   //   from i_view_hi: w8..w15)
    input  wire logic   [31:0] i_dram_bytes,
    // phase control
    input  wire logic          i_go_enc,
    input  wire logic          i_go_mach,
    output logic               o_need_view, // the CONV's rules up to its VIEW passed: load it
    input  wire logic          i_view_ok,   // i_view, i_view_hi hold it now
    input  wire logic          i_no_view,   // the stream ends first
    output logic               o_done,
    output logic         [7:0] o_err,
    output logic        [63:0] o_err_a,
    output logic        [63:0] o_err_b,
    output logic        [63:0] o_err_c,
    output logic        [63:0] o_err_d,
    // EW inputs (the sequencer collects them from the slots): read by index
    output logic         [4:0] o_ew_idx,
    input  wire logic   [31:0] i_ew_ref,     // the same cycle
    // the running compute instruction's footprint, for the DMA's hold
    output logic        [31:0] o_foot_lo,
    output logic        [31:0] o_foot_hi,
    output logic        [31:0] o_foot_wlo,
    output logic        [31:0] o_foot_whi,
    // the machine's state, changed by issue
    input  wire logic          i_alloc,      // the checked ALLOC issues
    input  wire logic          i_free,       // the checked FREE issues
    input  wire logic          i_push,       // the checked LOAD/STORE issues
    input  wire logic   [31:0] i_push_index,
    input  wire logic          i_sync,       // SYNC issues: nothing outstanding any more
    output logic        [31:0] o_npend,      // transfers since the last SYNC
    output logic        [31:0] o_pend_first  // the first one's instruction index
);

    localparam logic [7:0] OP_END = 8'h01, OP_LOAD = 8'h02, OP_STORE = 8'h03, OP_SYNC = 8'h04;
    localparam logic [7:0] OP_ALLOC = 8'h05, OP_FREE = 8'h06, OP_CONV = 8'h10, OP_POOL = 8'h11;
    localparam logic [7:0] OP_GAVG = 8'h12, OP_EW = 8'h13, OP_REQUANT = 8'h14, OP_COPY = 8'h15;
    localparam logic [7:0] OP_RELU = 8'h16, OP_VIEW = 8'h1e, OP_OPERANDS = 8'h1f;
    localparam logic [7:0] F_RELU = 8'h01, F_OUT32 = 8'h02, F_PSUM = 8'h04, F_PERCH = 8'h10;
    localparam logic [7:0] F_SPLIT = 8'h20, F_OSPLIT = 8'h40;
    localparam logic [1:0] SP_SRAM = 2'd0, SP_WBUF = 2'd1, SP_DRAM = 2'd2;
    localparam logic [2:0] M_SRAM = 3'b001, M_WBUF = 3'b010, M_DRAM = 3'b100;
    localparam int PW = NPEND > 1 ? $clog2(NPEND) : 1;
    // names of space checks (code 9) and roles of operands (42..52)
    localparam logic [7:0] N_SOURCE = 8'd0, N_DEST = 8'd1, N_BUFFER = 8'd2, N_WEIGHTS = 8'd3;
    localparam logic [7:0] N_TABLE = 8'd4, N_SRC = 8'd5, N_DST = 8'd6, N_SRC2 = 8'd7;
    localparam logic [7:0] N_DST2 = 8'd8, N_PSUM = 8'd9;  // 16 + k: EW input k (the sequencer's)
    localparam logic [7:0] R_SRC = 8'd0, R_DST = 8'd1, R_WEIGHTS = 8'd2, R_PSUM = 8'd3;
    localparam logic [7:0] R_TABLE = 8'd4, R_SRC2 = 8'd5, R_DST2 = 8'd6, R_IN = 8'd16;

    // ---- the words ----
    logic [31:0] w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11, w12, w13, w14, w15;
    logic [31:0] v0, v1, v2, v3, v4, v5, v6, v7, v8;
    assign {w15, w14, w13, w12, w11, w10, w9, w8, w7, w6, w5, w4, w3, w2, w1, w0} = i_ir;
    assign {v7, v6, v5, v4, v3, v2, v1, v0} = i_view;
    assign v8 = i_view_hi[31:0];

    logic  [7:0] op, flags, count;
    logic [15:0] in_c, in_h, in_w, out_c, out_h, out_w, groups, oy0, oy1, cw, split, osplit;
    logic  [7:0] kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
    assign op     = w0[7:0];
    assign flags  = w0[15:8];
    assign count  = w0[23:16];
    assign in_c   = w5[15:0];
    assign in_h   = w5[31:16];
    assign in_w   = w6[15:0];
    assign out_c  = w6[31:16];
    assign out_h  = w7[15:0];
    assign out_w  = w7[31:16];
    assign kh     = w8[7:0];
    assign kw     = w8[15:8];
    assign sh     = w8[23:16];
    assign sw     = w8[31:24];
    assign dh     = w9[7:0];
    assign dw     = w9[15:8];
    assign groups = w9[31:16];
    assign pt     = w10[7:0];
    assign pl     = w10[15:8];
    assign pb     = w10[23:16];
    assign pr     = w10[31:24];
    assign oy0    = w11[15:0];
    assign oy1    = w11[31:16];
    assign cw     = w12[15:0];
    assign split  = w14[15:0];
    assign osplit = w14[31:16];

    function automatic logic [15:0] used_words(input logic [7:0] o);
        case (o)
            OP_END, OP_SYNC: used_words = 16'h0001;
            OP_LOAD, OP_STORE: used_words = 16'h007f;
            OP_COPY, OP_RELU: used_words = 16'h000f;
            OP_ALLOC, OP_FREE: used_words = 16'h0007;
            OP_CONV: used_words = 16'hffff;
            OP_POOL: used_words = 16'h1fff;
            OP_GAVG: used_words = 16'h0067;
            OP_REQUANT: used_words = 16'h00ff;
            OP_EW: used_words = 16'h7fff;
            default: used_words = 16'h0000;
        endcase
    endfunction

    function automatic logic [7:0] allowed_flags(input logic [7:0] o);
        case (o)
            OP_LOAD, OP_STORE: allowed_flags = 8'h03;
            OP_CONV: allowed_flags = F_RELU | F_OUT32 | F_PSUM | F_SPLIT | F_OSPLIT;
            OP_POOL: allowed_flags = 8'h08;
            OP_EW: allowed_flags = F_RELU;
            OP_REQUANT: allowed_flags = F_RELU | F_PERCH;
            default: allowed_flags = 8'h00;
        endcase
    endfunction

    // ---- the ALU ----
    logic        alu_go, alu_div, alu_done, alu_wait_r;
    logic [47:0] alu_a;
    logic [15:0] alu_b;
    logic [63:0] alu_q;
    logic [31:0] alu_r;

    npu_alu u_alu (
        .i_clk (i_clk),
        .i_rst (i_rst),
        .i_go  (alu_go),
        .i_div (alu_div),
        .i_a   (alu_a),
        .i_b   (alu_b),
        .o_done(alu_done),
        .o_q   (alu_q),
        .o_r   (alu_r)
    );

    // ---- the machine's state ----
    logic        bq_en, bq_cover, bq_overlap, bq_exact, b_full;
    logic [31:0] bq_addr, bq_cover_hi, bq_overlap_lo, bq_overlap_hi, bq_exact_bytes;

    generate
        if (CHECK != 0) begin : g_bufs
            npu_bufs #(
                .NBUF      (NBUF),
                .SRAM_BYTES(SRAM_BYTES)
            ) u_bufs (
                .i_clk        (i_clk),
                .i_rst        (i_rst),
                .i_q_en       (bq_en),
                .i_q_addr     (bq_addr),
                .i_q_lo       (q_lo_r[31:0]),
                .i_q_hi       (q_hi_r[31:0]),
                .o_cover      (bq_cover),
                .o_cover_hi   (bq_cover_hi),
                .o_overlap    (bq_overlap),
                .o_overlap_lo (bq_overlap_lo),
                .o_overlap_hi (bq_overlap_hi),
                .o_exact      (bq_exact),
                .o_exact_bytes(bq_exact_bytes),
                .i_alloc      (i_alloc),
                .i_free       (i_free),
                .i_lo         ({2'b00, w1[29:0]}),
                .i_bytes      (w2),
                .o_full       (b_full)
            );
        end else begin : g_no_bufs
            // no table: the steps that ask it are not reached
            assign bq_cover       = 1'b0;
            assign bq_cover_hi    = '0;
            assign bq_overlap     = 1'b0;
            assign bq_overlap_lo  = '0;
            assign bq_overlap_hi  = '0;
            assign bq_exact       = 1'b0;
            assign bq_exact_bytes = '0;
            assign b_full         = 1'b0;
            logic unused_bufs;
            assign unused_bufs = ^{i_alloc, i_free, bq_en, bq_addr};
        end
    endgenerate

    logic [31:0] npend_r, pfirst_r;  // transfers since the last SYNC, the first one's index

    // ---- phase state ----
    localparam logic [2:0] PH_IDLE = 3'd0, PH_ENC = 3'd1, PH_VIEW = 3'd2, PH_MACH = 3'd3,
                           PH_WAITV = 3'd4;
    logic  [2:0] ph_r;
    logic  [5:0] st_r;                  // step of the phase
    logic        done_r;
    logic  [7:0] err_r;
    logic [63:0] ea_r, eb_r, ec_r, ed_r;
    // values the steps compute
    logic [63:0] oh_r, ow_r, t_r;
    logic [47:0] cig_r, cog_r;          // channels a group
    logic [15:0] tiles_r;               // weight tiles a group
    logic signed [31:0] hin_r, win_r, hspan_r, wspan_r;
    logic [31:0] blo_r, bhi_r;          // the band's input rows [lo, hi)
    // the operand being checked
    logic  [5:0] oi_r;                  // operand index
    logic  [1:0] q_space_r;
    logic [63:0] q_lo_r, q_hi_r, q_p_r;
    logic  [7:0] q_role_r;
    logic        q_write_r, q_dma_r;
    logic  [3:0] hs_r;                  // hull sub-step
    logic [31:0] foot_lo_r, foot_hi_r, foot_wlo_r, foot_whi_r;

    // a view part's hull: base + (r0 - row0)*rb .. base + (nch-1)*cs + (r1 - row0)*rb
    logic [31:0] h_base_r, h_cs_r, h_rb_r;
    logic [15:0] h_nch_r, h_r0_r, h_r1_r, h_row0_r;

    // ---- the operand lists ----
    // Each opcode's operands in fsim's order; per operand: its Ref's space and
    // address, and how its hull is found (DENSE: lo + n; VIEW: a view part).
    localparam logic [1:0] K_NONE = 2'd0, K_DENSE = 2'd1, K_VIEW = 2'd2, K_WEIGHTS = 2'd3;

    logic [1:0]  ok_kind;
    logic [31:0] ok_ref;
    logic [47:0] ok_n;       // DENSE: bytes, or the count to multiply
    logic [31:0] ok_cs, ok_rb;
    logic [15:0] ok_nch, ok_r0, ok_r1, ok_row0, ok_mul;  // DENSE with ok_mul: n * ok_mul
    logic        ok_write;
    logic  [7:0] ok_role;

    // operand oi of the instruction (combinational from the words and what the
    // encoding phase computed)
    always_comb begin
        logic [15:0] sp, osp;
        logic [31:0] e;
        sp       = (flags & F_SPLIT) != 0 ? split : in_c;
        osp      = (flags & F_OSPLIT) != 0 ? osplit : out_c;
        e        = (flags & F_OUT32) != 0 ? 32'd4 : 32'd1;
        ok_kind  = K_NONE;
        ok_ref   = '0;
        ok_n     = '0;
        ok_cs    = '0;
        ok_rb    = '0;
        ok_nch   = '0;
        ok_r0    = '0;
        ok_r1    = '0;
        ok_row0  = '0;
        ok_mul   = 16'd1;
        ok_write = 1'b0;
        ok_role  = R_SRC;
        case (op)
            OP_LOAD, OP_STORE: begin
                // hull of the rows: addr + (rows - 1) * stride + bytes
                ok_kind  = oi_r < 6'd2 ? K_DENSE : K_NONE;
                ok_ref   = oi_r == 0 ? w1 : w2;
                ok_n     = oi_r == 0 ? 48'(w5) : 48'(w6);
                ok_mul   = w4[15:0] - 16'd1;
                ok_cs    = w3;               // added after the product
                ok_write = oi_r == 1;
                ok_role  = oi_r == 0 ? R_SRC : R_DST;
            end
            OP_CONV: begin
                // src, src2, weights, psum, dst, dst2; absent ones are skipped
                case (oi_r)
                    6'd0: begin
                        ok_kind = K_VIEW; ok_ref = w1; ok_cs = v1; ok_row0 = v2[15:0];
                        ok_nch = sp; ok_r0 = blo_r[15:0]; ok_r1 = bhi_r[15:0]; ok_rb = 32'(in_w);
                        ok_role = R_SRC;
                    end
                    6'd1: if ((flags & F_SPLIT) != 0) begin
                        ok_kind = K_VIEW; ok_ref = w13; ok_cs = v3; ok_row0 = v2[31:16];
                        ok_nch = in_c - sp; ok_r0 = blo_r[15:0]; ok_r1 = bhi_r[15:0];
                        ok_rb = 32'(in_w); ok_role = R_SRC2;
                    end
                    6'd2: begin
                        ok_kind = K_WEIGHTS; ok_ref = w3; ok_role = R_WEIGHTS;
                    end
                    6'd3: if ((flags & F_PSUM) != 0) begin
                        ok_kind = K_VIEW; ok_ref = w4; ok_cs = v7; ok_row0 = v8[15:0];
                        ok_nch = out_c; ok_r0 = oy0; ok_r1 = oy1; ok_rb = 32'(out_w) << 2;
                        ok_role = R_PSUM;
                    end
                    6'd4: begin
                        ok_kind = K_VIEW; ok_ref = w2; ok_cs = v4; ok_row0 = v5[15:0];
                        ok_nch = osp; ok_r0 = oy0; ok_r1 = oy1; ok_rb = 32'(out_w) * e;
                        ok_write = 1'b1; ok_role = R_DST;
                    end
                    6'd5: if ((flags & F_OSPLIT) != 0) begin
                        ok_kind = K_VIEW; ok_ref = w15; ok_cs = v6; ok_row0 = v5[31:16];
                        ok_nch = out_c - osp; ok_r0 = oy0; ok_r1 = oy1; ok_rb = 32'(out_w) * e;
                        ok_write = 1'b1; ok_role = R_DST2;
                    end
                    default: ;
                endcase
            end
            OP_POOL: begin
                if (oi_r == 0) begin
                    ok_kind = K_VIEW; ok_ref = w1; ok_cs = w3; ok_row0 = w12[15:0];
                    ok_nch = in_c; ok_r0 = blo_r[15:0]; ok_r1 = bhi_r[15:0]; ok_rb = 32'(in_w);
                    ok_role = R_SRC;
                end else if (oi_r == 1) begin
                    ok_kind = K_VIEW; ok_ref = w2; ok_cs = w4; ok_row0 = w12[31:16];
                    ok_nch = in_c; ok_r0 = oy0; ok_r1 = oy1; ok_rb = 32'(out_w);
                    ok_write = 1'b1; ok_role = R_DST;
                end
            end
            OP_GAVG: begin
                ok_kind  = oi_r < 6'd2 ? K_DENSE : K_NONE;
                ok_ref   = oi_r == 0 ? w1 : w2;
                ok_n     = oi_r == 0 ? 48'(in_c) * 48'(in_h) : 48'(in_c);
                ok_mul   = oi_r == 0 ? in_w : 16'd1;
                ok_write = oi_r == 1;
                ok_role  = oi_r == 0 ? R_SRC : R_DST;
            end
            OP_EW: begin
                ok_kind  = oi_r <= 6'(count) ? K_DENSE : K_NONE;
                ok_ref   = oi_r < 6'(count) ? i_ew_ref : w1;
                ok_n     = 48'(w2);
                ok_write = oi_r == 6'(count);
                ok_role  = oi_r < 6'(count) ? R_IN + 8'(oi_r) : R_DST;
            end
            OP_REQUANT: begin
                case (oi_r)
                    6'd0: begin ok_kind = K_DENSE; ok_ref = w1; ok_n = 48'(w3) << 2; ok_role = R_SRC; end
                    6'd1: if ((flags & F_PERCH) != 0) begin
                        ok_kind = K_DENSE; ok_ref = w6; ok_n = 48'(w7[15:0]) << 3; ok_role = R_TABLE;
                    end
                    6'd2: begin
                        ok_kind = K_DENSE; ok_ref = w2; ok_n = 48'(w3); ok_write = 1'b1; ok_role = R_DST;
                    end
                    default: ;
                endcase
            end
            OP_COPY, OP_RELU: begin
                ok_kind  = oi_r < 6'd2 ? K_DENSE : K_NONE;
                ok_ref   = oi_r == 0 ? w1 : w2;
                ok_n     = 48'(w3);
                ok_write = oi_r == 1;
                ok_role  = oi_r == 0 ? R_SRC : R_DST;
            end
            default: ;
        endcase
    end

    // operands of each opcode (the loop's end)
    logic [5:0] nops;
    always_comb
        case (op)
            OP_LOAD, OP_STORE, OP_GAVG, OP_COPY, OP_RELU, OP_POOL: nops = 6'd2;
            OP_CONV: nops = 6'd6;
            OP_REQUANT: nops = 6'd3;
            OP_EW: nops = 6'(count) + 6'd1;
            default: nops = 6'd0;
        endcase

    assign o_ew_idx = oi_r[4:0];

    // ---- the generic rules of the first slot (isa.c's decode(), up to the opcode's own) ----
    logic        g_bad;
    logic  [7:0] g_err;
    logic [63:0] g_a, g_b;
    always_comb begin
        logic [15:0] used;
        logic  [7:0] extra;
        used  = used_words(op);
        extra = flags & ~allowed_flags(op);
        g_err = 8'd0;
        g_a   = '0;
        g_b   = '0;
        if (op == OP_OPERANDS) begin
            g_err = 8'd1;
        end else if (op == OP_VIEW) begin
            g_err = 8'd79;
        end else if (used == 0) begin
            g_err = 8'd2;
            g_a   = 64'(op);
        end else if (w0[31:24] != 0) begin
            g_err = 8'd3;
            g_a   = 64'(w0);
        end else if (extra != 0) begin
            g_err = 8'd4;
            g_a   = {56'h0, extra & (~extra + 8'd1)};
            g_b   = 64'(extra);
        end else if (count != 0 && op != OP_EW) begin
            g_err = 8'd5;
            g_a   = 64'(count);
        end else begin
            for (int k = 15; k >= 1; k--)
                if (!used[k] && i_ir[32*k +: 32] != 0) begin
                    g_err = 8'd6;
                    g_a   = 64'(k);
                    g_b   = 64'(i_ir[32*k +: 32]);
                end
        end
        g_bad = g_err != 0;
    end

    function automatic logic in_space(input logic [1:0] space, input logic [2:0] mask);
        in_space = mask[space];
    endfunction

    logic        p_hit;          // the pending scan (CHECK): the operand races a transfer
    logic [63:0] p_what;
    // The outputs' SRAM hulls (at most two: dst, dst2), kept by the first
    // pass over the operands; a second pass takes each SRAM input against
    // them (code 80): the engines write while they still read, so a CONV's
    // or a POOL's output may not overlap its inputs (but a CONV's int32 dst
    // may be its partial sums' very view), and an EW's, a REQUANT's or a
    // GAVG's may not start inside an input past the input's first byte.
    logic        pass2_r;
    logic  [1:0] ov_n_r;
    logic [63:0] ovlo_r, ovhi_r;
    logic [15:0] ovrole_r;
    logic        ov_op, ov_hit, ov_whole;
    logic [31:0] ov_lo, ov_hi;
    logic  [7:0] ov_role;
    assign ov_op = op == OP_CONV || op == OP_POOL || op == OP_EW || op == OP_REQUANT || op == OP_GAVG;
    logic ov_same;  // a CONV's int32 dst is its partial sums' very view (allowed over them)
    assign ov_same = op == OP_CONV && (flags & F_OUT32) != 0 && w2 == w4 && v4 == v7 &&
                     v5[15:0] == v8[15:0];
    generate
        if (CHECK != 0) begin : g_ov
            always_comb begin
                logic [31:0] lo, hi;
                ov_whole = op == OP_CONV || op == OP_POOL;
                ov_hit   = 1'b0;
                ov_lo    = '0;
                ov_hi    = '0;
                ov_role  = '0;
                lo       = q_lo_r[31:0];
                hi       = q_hi_r[31:0];
                for (int k = 1; k >= 0; k--)
                    if (2'(k) < ov_n_r && !(q_role_r == R_PSUM && ov_same && ovrole_r[8*k +: 8] == R_DST) &&
                        (ov_whole ? lo < ovhi_r[32*k +: 32] && ovlo_r[32*k +: 32] < hi
                                                    : lo < ovlo_r[32*k +: 32] && ovlo_r[32*k +: 32] < hi)) begin
                        ov_hit  = 1'b1;
                        ov_lo   = ovlo_r[32*k +: 32];
                        ov_hi   = ovhi_r[32*k +: 32];
                        ov_role = ovrole_r[8*k +: 8];
                    end
            end
        end else begin : g_no_ov
            // the second pass is not taken
            assign ov_whole = 1'b0;
            assign ov_hit   = 1'b0;
            assign ov_lo    = '0;
            assign ov_hi    = '0;
            assign ov_role  = '0;
            logic unused_ov;
            assign unused_ov = ^{ovlo_r, ovhi_r, ovrole_r, ov_same};
        end
    endgenerate

    logic bq_en_r;  // a lookup in the live-buffer table this cycle

    always_ff @(posedge i_clk) begin : steps
        done_r   <= 1'b0;
        alu_go_r <= 1'b0;
        bq_en_r  <= 1'b0;
        if (alu_wait_r && alu_done) alu_wait_r <= 1'b0;
        if (i_go_enc) begin
            ph_r     <= PH_ENC;
            st_r     <= '0;
            err_r    <= '0;
            blo_r    <= '0;
            bhi_r    <= '0;
        end else if (i_go_mach) begin
            ph_r       <= PH_MACH;
            st_r       <= '0;
            oi_r       <= '0;
            hs_r       <= '0;
            pass2_r    <= 1'b0;
            ov_n_r     <= '0;
            foot_lo_r  <= '1;
            foot_hi_r  <= '0;
            foot_wlo_r <= '1;
            foot_whi_r <= '0;
        end else if (ph_r == PH_WAITV) begin
            if (i_no_view) fail(8'd68, '0, '0, '0, '0);
            else if (i_view_ok) begin
                ph_r <= PH_VIEW;
                st_r <= '0;
            end
        end else if (ph_r != PH_IDLE && !alu_wait_r && !alu_go_r) begin
            case (ph_r)
                PH_ENC:  enc_step();
                PH_VIEW: view_step();
                PH_MACH: mach_step();
                default: ;
            endcase
        end
        if (i_rst) begin
            ph_r       <= PH_IDLE;
            done_r     <= 1'b0;
            err_r      <= '0;
            alu_wait_r <= 1'b0;
            alu_go_r   <= 1'b0;
        end
    end

    // the ALU's inputs, registered by the step that asks
    logic        alu_go_r, alu_div_r;
    logic [47:0] alu_a_r;
    logic [15:0] alu_b_r;
    assign alu_go  = alu_go_r;
    assign alu_div = alu_div_r;
    assign alu_a   = alu_a_r;
    assign alu_b   = alu_b_r;

    task automatic ask(input logic div, input logic [47:0] a, input logic [15:0] b);
        alu_go_r   <= 1'b1;
        alu_div_r  <= div;
        alu_a_r    <= a;
        alu_b_r    <= b;
        alu_wait_r <= 1'b1;
    endtask

    task automatic fail(input logic [7:0] code, input logic [63:0] a, input logic [63:0] b,
                        input logic [63:0] c, input logic [63:0] d);
        err_r <= code;
        ea_r  <= a;
        eb_r  <= b;
        ec_r  <= c;
        ed_r  <= d;
        ph_r  <= PH_IDLE;
    endtask

    task automatic next;
        st_r <= st_r + 6'd1;
    endtask

    task automatic pass;
        done_r <= 1'b1;
        ph_r   <= PH_IDLE;
    endtask

    // a Ref's space against mask, else code 9
    task automatic need(input logic [31:0] ref_, input logic [2:0] mask, input logic [7:0] name);
        if (!in_space(ref_[31:30], mask)) fail(8'd9, 64'(name), 64'(ref_), 64'(mask), '0);
        else next();
    endtask

    // ---- encoding: isa.c's order ----
    // A window's rule steps (CONV, POOL): zero sizes, then its extent.
    task automatic window_steps(input logic [5:0] s0);
        if (st_r == s0) begin
            if (in_c == 0 || in_h == 0 || in_w == 0)
                fail(8'd10, 64'(in_c), 64'(in_h), 64'(in_w), '0);
            else if (out_c == 0 || out_h == 0 || out_w == 0)
                fail(8'd11, 64'(out_c), 64'(out_h), 64'(out_w), '0);
            else if (kh == 0 || kw == 0) fail(8'd12, 64'(kh), 64'(kw), '0, '0);
            else if (sh == 0 || sw == 0) fail(8'd13, 64'(sh), 64'(sw), '0, '0);
            else if (dh == 0 || dw == 0) fail(8'd14, 64'(dh), 64'(dw), '0, '0);
            else begin
                hin_r   <= 32'(in_h) + 32'(signed'(pt)) + 32'(signed'(pb));
                win_r   <= 32'(in_w) + 32'(signed'(pl)) + 32'(signed'(pr));
                hspan_r <= 32'(dh) * (32'(kh) - 32'd1) + 32'd1;
                wspan_r <= 32'(dw) * (32'(kw) - 32'd1) + 32'd1;
                next();
            end
        end else if (st_r == s0 + 6'd1) begin
            if (hin_r < hspan_r || win_r < wspan_r)
                fail(8'd15, {32'h0, w9[15:0], w8[15:0]}, 64'(w10), 64'(in_h), 64'(in_w));
            else begin
                ask(1'b1, {16'h0, hin_r - hspan_r}, 16'(sh));
                next();
            end
        end else if (st_r == s0 + 6'd2) begin
            oh_r <= alu_q + 64'd1;
            ask(1'b1, {16'h0, win_r - wspan_r}, 16'(sw));
            next();
        end else if (st_r == s0 + 6'd3) begin
            ow_r <= alu_q + 64'd1;
            next();
        end else if (st_r == s0 + 6'd4) begin
            if (oh_r != 64'(out_h) || ow_r != 64'(out_w))
                fail(8'd16, 64'(out_h), 64'(out_w), oh_r, ow_r);
            else if (oy0 >= oy1 || oy1 > out_h)
                fail(8'd65, 64'(oy0), 64'(oy1), 64'(out_h), '0);
            else begin
                // the band's input rows: [oy0*sh - pt, (oy1-1)*sh - pt + (kh-1)*dh + 1) in [0, in_h)
                ask(1'b0, 48'(oy0), 16'(sh));
                next();
            end
        end else if (st_r == s0 + 6'd5) begin
            t_r <= alu_q;
            ask(1'b0, {32'h0, oy1 - 16'd1}, 16'(sh));
            next();
        end else if (st_r == s0 + 6'd6) begin : rows
            logic signed [47:0] lo, hi;
            lo = signed'(48'(t_r)) - 48'(signed'(pt));
            hi = signed'(48'(alu_q)) - 48'(signed'(pt)) + 48'(dh) * (48'(kh) - 48'd1) + 48'sd1;
            if (lo < 0) lo = 0;
            if (hi > signed'(48'(in_h))) hi = signed'(48'(in_h));  // signed: hi may be < 0
            if (hi <= lo) begin
                blo_r <= '0;
                bhi_r <= '0;
            end else begin
                blo_r <= 32'(lo);
                bhi_r <= 32'(hi);
            end
            next();
        end
    endtask

    task automatic enc_step;
        if (st_r == 0) begin
            if (g_bad) fail(g_err, g_a, g_b, '0, '0);
            else next();
        end else case (op)
            OP_LOAD, OP_STORE: begin
                logic load;
                load = op == OP_LOAD;
                case (st_r)
                    6'd1:
                        if (flags[1:0] == 2'd3 || (!load && flags[1:0] == 2'd2))
                            fail(8'd60, 64'(flags[1:0]), 64'(load), '0, '0);
                        else if (w3 == 0 || w3 > 32'h3fffffff) fail(8'd61, 64'(w3), '0, '0, '0);
                        else if (w4[31:16] != 0) fail(8'd21, 64'd4, 64'(w4), '0, '0);
                        else if (w4[15:0] == 0) fail(8'd62, '0, '0, '0, '0);
                        else if (w4[15:0] == 16'd1 && w5 != 0) fail(8'd63, 64'd5, 64'(w5), '0, '0);
                        else if (w4[15:0] == 16'd1 && w6 != 0) fail(8'd63, 64'd6, 64'(w6), '0, '0);
                        else if (w4[15:0] > 16'd1 && w6 < w3) fail(8'd64, 64'(w6), 64'(w3), '0, '0);
                        else next();
                    6'd2: need(w1, load ? M_DRAM : M_SRAM, N_SOURCE);
                    6'd3: need(w2, load ? (M_SRAM | M_WBUF) : M_DRAM, N_DEST);
                    default: pass();
                endcase
            end
            OP_COPY, OP_RELU: begin
                case (st_r)
                    6'd1: if (w3 == 0) fail(op == OP_RELU ? 8'd8 : 8'd7, '0, '0, '0, '0); else next();
                    6'd2: need(w1, M_SRAM, N_SOURCE);
                    6'd3: need(w2, M_SRAM, N_DEST);
                    default: pass();
                endcase
            end
            OP_ALLOC, OP_FREE: begin
                case (st_r)
                    6'd1: if (w2 == 0) fail(8'd7, '0, '0, '0, '0); else next();
                    6'd2: need(w1, M_SRAM, N_BUFFER);
                    default: pass();
                endcase
            end
            OP_CONV: begin
                if (st_r < 6'd8) window_steps(6'd1);
                else case (st_r)
                    6'd8:
                        if (groups == 0) fail(8'd17, '0, '0, '0, '0);
                        else begin
                            ask(1'b1, 48'(in_c), groups);
                            next();
                        end
                    6'd9: begin
                        cig_r <= alu_q[47:0];
                        t_r   <= 64'(alu_r);
                        ask(1'b1, 48'(out_c), groups);
                        next();
                    end
                    6'd10: begin
                        cog_r <= alu_q[47:0];
                        if (t_r != 0 || alu_r != 0) fail(8'd18, 64'(groups), 64'(in_c), 64'(out_c), '0);
                        else next();
                    end
                    6'd11: need(w1, M_SRAM, N_SRC);
                    6'd12: need(w2, M_SRAM, N_DST);
                    6'd13: need(w3, M_WBUF, N_WEIGHTS);
                    6'd14:
                        if ((flags & F_PSUM) != 0) need(w4, M_SRAM, N_PSUM);
                        else if (w4 != 0) fail(8'd66, 64'(w4), '0, '0, '0);
                        else next();
                    6'd15:
                        if ((flags & F_OUT32) != 0 && (flags & F_RELU) != 0) fail(8'd19, '0, '0, '0, '0);
                        else if (w12[31:16] != 0) fail(8'd21, 64'd12, 64'(w12), '0, '0);
                        else if (cw == 0) fail(8'd67, '0, '0, '0, '0);
                        else next();
                    6'd16:
                        if ((flags & F_SPLIT) != 0) begin
                            if (split == 0 || split >= in_c) fail(8'd35, 64'(split), 64'(in_c), '0, '0);
                            else need(w13, M_SRAM, N_SRC2);
                        end else if (w13 != 0) fail(8'd36, 64'd13, 64'(w13), '0, '0);
                        else if (split != 0) fail(8'd36, 64'd14, 64'(w14), '0, '0);
                        else next();
                    6'd17:
                        if ((flags & F_OSPLIT) != 0) begin
                            if (osplit == 0 || osplit >= out_c) fail(8'd37, 64'(osplit), 64'(out_c), '0, '0);
                            else need(w15, M_SRAM, N_DST2);
                        end else if (w15 != 0) fail(8'd36, 64'd15, 64'(w15), 64'd1, '0);
                        else if (osplit != 0) fail(8'd36, 64'd14, 64'(w14), 64'd1, '0);
                        else next();
                    default: ph_r <= PH_WAITV;  // its VIEW next
                endcase
            end
            OP_POOL: begin
                if (st_r == 6'd1) begin
                    if (groups != 0) fail(8'd21, 64'd9, 64'(w9), '0, '0);
                    else next();
                end else if (st_r < 6'd9) window_steps(6'd2);
                else case (st_r)
                    6'd9: if (out_c != in_c) fail(8'd23, 64'(out_c), 64'(in_c), '0, '0); else next();
                    6'd10: need(w1, M_SRAM, N_SRC);
                    6'd11: need(w2, M_SRAM, N_DST);
                    6'd12:
                        if (bhi_r > blo_r && 32'(w12[15:0]) > blo_r)
                            fail(8'd74, 64'd0, 64'(w12[15:0]), 64'(blo_r), '0);
                        else if (w12[31:16] > oy0) fail(8'd74, 64'd2, 64'(w12[31:16]), 64'(oy0), '0);
                        else next();
                    default: pass();
                endcase
            end
            OP_GAVG: begin
                case (st_r)
                    6'd1:
                        if (w6[31:16] != 0) fail(8'd21, 64'd6, 64'(w6), '0, '0);
                        else if (in_c == 0 || in_h == 0 || in_w == 0)
                            fail(8'd10, 64'(in_c), 64'(in_h), 64'(in_w), '0);
                        else next();
                    6'd2: need(w1, M_SRAM, N_SOURCE);
                    6'd3: need(w2, M_SRAM, N_DEST);
                    default: pass();
                endcase
            end
            OP_REQUANT: begin
                case (st_r)
                    6'd1:
                        if (w5[31:8] != 0) fail(8'd21, 64'd5, 64'(w5), '0, '0);
                        else if (w3 == 0) fail(8'd8, '0, '0, '0, '0);
                        else next();
                    6'd2: need(w1, M_SRAM, N_SOURCE);
                    6'd3: need(w2, M_SRAM, N_DEST);
                    6'd4:
                        if ((flags & F_PERCH) == 0) begin
                            if (w6 != 0) fail(8'd6, 64'd6, 64'(w6), '0, '0);
                            else if (w7 != 0) fail(8'd6, 64'd7, 64'(w7), '0, '0);
                            else pass();
                        end else if (w4 != 0 || w5 != 0) fail(8'd33, '0, '0, '0, '0);
                        else need(w6, M_WBUF, N_TABLE);
                    6'd5:
                        if (w6[2:0] != 0) fail(8'd75, 64'(w6[29:0]), '0, '0, '0);
                        else if (w7[31:16] != 0) fail(8'd21, 64'd7, 64'(w7), '0, '0);
                        else if (w7[15:0] == 0) fail(8'd34, 64'(w7[15:0]), 64'(w3), '0, '0);
                        else begin
                            ask(1'b1, 48'(w3), w7[15:0]);
                            next();
                        end
                    6'd6: if (alu_r != 0) fail(8'd34, 64'(w7[15:0]), 64'(w3), '0, '0); else pass();
                    default: pass();
                endcase
            end
            OP_EW: begin
                // the count, elements, w4 and the words after the first pairs;
                // continuations are the sequencer's (it reads them); the
                // spaces of dst and the inputs, last, once all are in
                case (st_r)
                    6'd1:
                        if (count < 8'd1 || count > 8'd32) fail(8'd24, 64'(count), '0, '0, '0);
                        else if (w2 == 0) fail(8'd8, '0, '0, '0, '0);
                        else if (w4[31:8] != 0) fail(8'd21, 64'd4, 64'(w4), '0, '0);
                        else begin : after
                            int first;
                            logic bad;
                            logic [63:0] ba, bb;
                            first = count < 8'd5 ? 32'(count) : 5;
                            bad = 1'b0;
                            ba  = '0;
                            bb  = '0;
                            for (int k = 15; k >= 5; k--)
                                if (k >= 5 + 2 * first && i_ir[32*k +: 32] != 0) begin
                                    bad = 1'b1;
                                    ba  = 64'(k);
                                    bb  = 64'(i_ir[32*k +: 32]);
                                end
                            if (bad) fail(8'd25, ba, bb, 64'(first), '0);
                            else pass();
                        end
                    default: pass();
                endcase
            end
            default: pass();  // END, SYNC
        endcase
    endtask

    // ---- a CONV's VIEW slot ----
    task automatic view_step;
        case (st_r)
            6'd0:
                if (v0[7:0] != OP_VIEW) fail(8'd69, 64'(v0[7:0]), '0, '0, '0);
                else if (v0[31:8] != 0) fail(8'd70, 64'(v0), '0, '0, '0);
                else begin : reserved
                    logic bad;
                    logic [63:0] ba, bb;
                    bad = 1'b0;
                    ba  = '0;
                    bb  = '0;
                    for (int k = 7; k >= 1; k--)
                        if (i_view_hi[32*k +: 32] != 0) begin
                            bad = 1'b1;
                            ba  = 64'(k) + 64'd8;
                            bb  = 64'(i_view_hi[32*k +: 32]);
                        end
                    if (bad) fail(8'd71, ba, bb, '0, '0);
                    else next();
                end
            6'd1:
                if ((flags & F_SPLIT) == 0 && v2[31:16] != 0) fail(8'd72, 64'd0, 64'd2, 64'(v2), '0);
                else if ((flags & F_SPLIT) == 0 && v3 != 0) fail(8'd72, 64'd1, 64'd3, 64'(v3), '0);
                else if ((flags & F_OSPLIT) == 0 && v5[31:16] != 0) fail(8'd72, 64'd2, 64'd5, 64'(v5), '0);
                else if ((flags & F_OSPLIT) == 0 && v6 != 0) fail(8'd72, 64'd3, 64'd6, 64'(v6), '0);
                else if ((flags & F_PSUM) == 0 && v7 != 0) fail(8'd72, 64'd4, 64'd7, 64'(v7), '0);
                else if ((flags & F_PSUM) == 0 && v8 != 0) fail(8'd72, 64'd5, 64'd8, 64'(v8), '0);
                else if (v8[31:16] != 0) fail(8'd73, 64'(v8), '0, '0, '0);
                else next();
            6'd2:
                if (bhi_r > blo_r && 32'(v2[15:0]) > blo_r) fail(8'd74, 64'd0, 64'(v2[15:0]), 64'(blo_r), '0);
                else if (bhi_r > blo_r && (flags & F_SPLIT) != 0 && 32'(v2[31:16]) > blo_r)
                    fail(8'd74, 64'd1, 64'(v2[31:16]), 64'(blo_r), '0);
                else if (v5[15:0] > oy0) fail(8'd74, 64'd2, 64'(v5[15:0]), 64'(oy0), '0);
                else if ((flags & F_OSPLIT) != 0 && v5[31:16] > oy0)
                    fail(8'd74, 64'd3, 64'(v5[31:16]), 64'(oy0), '0);
                else if ((flags & F_PSUM) != 0 && v8[15:0] > oy0)
                    fail(8'd74, 64'd4, 64'(v8[15:0]), 64'(oy0), '0);
                else pass();
            default: pass();
        endcase
    endtask

    // ---- the machine's rules ----
    // st_r: 0 the opcode's own (cw, WBUF rows, ALLOC/FREE/END), then per operand
    // oi_r: 1 find the hull (hs_r sub-steps), 2 bounds, 3 coverage walk, 4 pending
    task automatic mach_step;
        case (st_r)
            6'd0: begin
                if (op == OP_CONV && 32'(COLS) % 32'(cw) != 0) fail(8'd77, 64'(cw), 64'(COLS), '0, '0);
                else if (op == OP_CONV && w3[29:0] % 30'(cw) != 0) fail(8'd78, 64'(w3[29:0]), 64'(cw), '0, '0);
                else if (op == OP_LOAD && w2[31:30] == SP_WBUF &&
                         (w2[29:0] % 30'(COLS) != 0 || w6 % 32'(COLS) != 0))
                    fail(8'd76, 64'(w2[29:0]), 64'(w6), 64'(COLS), '0);
                else if (op == OP_ALLOC) begin
                    q_lo_r <= 64'(w1[29:0]);
                    q_hi_r <= 64'(w1[29:0]) + 64'(w2);
                    st_r   <= 6'd10;
                end else if (op == OP_FREE) begin
                    q_lo_r <= 64'(w1[29:0]);
                    q_hi_r <= 64'(w1[29:0]) + 64'(w2);
                    st_r   <= 6'd20;
                end else if (op == OP_END) begin
                    pass();
                end else begin
                    oi_r <= '0;
                    hs_r <= '0;
                    st_r <= 6'd1;
                end
            end
            // ALLOC: past the end, overlap, table full
            6'd10:
                if (q_hi_r > 64'(SRAM_BYTES)) fail(8'd45, q_lo_r, q_hi_r, '0, '0);
                else if (CHECK == 0) pass();
                else begin
                    bq_en_r <= 1'b1;
                    st_r    <= 6'd11;
                end
            6'd11: st_r <= 6'd12;
            6'd12:
                if (bq_overlap) fail(8'd46, q_lo_r, q_hi_r, 64'(bq_overlap_lo), 64'(bq_overlap_hi));
                else if (b_full) fail(8'd50, q_lo_r, q_hi_r, 64'(NBUF), '0);
                else pass();
            // FREE: a live buffer exactly, not racing a transfer
            6'd20:
                if (CHECK == 0) pass();
                else begin
                    bq_en_r <= 1'b1;
                    st_r    <= 6'd21;
                end
            6'd21: st_r <= 6'd22;
            6'd22:
                if (!bq_exact) fail(8'd47, q_lo_r, q_hi_r, '0, '0);
                else if (64'(bq_exact_bytes) != q_hi_r - q_lo_r) fail(8'd48, q_lo_r, q_hi_r, '0, q_lo_r + 64'(bq_exact_bytes));
                else begin
                    q_space_r <= SP_SRAM;
                    q_write_r <= 1'b1;
                    st_r      <= 6'd23;
                end
            6'd23:
                if (p_hit) fail(8'd53, q_lo_r, q_hi_r, p_what, '0);
                else pass();
            // operands
            6'd1:
                if (oi_r == nops) begin
                    if (CHECK != 0 && !pass2_r && ov_n_r != 0 && ov_op) begin
                        pass2_r <= 1'b1;  // the inputs again, against the outputs
                        oi_r    <= '0;
                    end else pass();
                end else if (ok_kind == K_NONE || (pass2_r && (ok_write || ok_ref[31:30] != SP_SRAM))) begin
                    oi_r <= oi_r + 6'd1;
                end else begin
                    hull_step();
                end
            6'd2: begin : bounds
                logic [63:0] lim;
                lim = q_space_r == SP_SRAM ? 64'(SRAM_BYTES) : q_space_r == SP_WBUF ? 64'(WBUF_BYTES)
                                                                                   : 64'(i_dram_bytes);
                if (q_hi_r <= q_lo_r) begin  // no rows: the operand is not touched
                    oi_r <= oi_r + 6'd1;
                    hs_r <= '0;
                    st_r <= 6'd1;
                end else if (pass2_r) begin  // an input against the outputs
                    if (ov_hit)
                        fail(8'd80, 64'(ov_lo), 64'(ov_hi), {q_hi_r[31:0], q_lo_r[31:0]},
                             {47'h0, ov_whole, ov_role, q_role_r});
                    else begin
                        oi_r <= oi_r + 6'd1;
                        hs_r <= '0;
                        st_r <= 6'd1;
                    end
                end else if (q_hi_r > lim)
                    fail(q_space_r == SP_DRAM ? 8'd42 : 8'd43, q_lo_r, q_hi_r, 64'(q_space_r),
                         {55'h0, q_write_r, q_role_r});
                else if (q_space_r == SP_DRAM) begin
                    oi_r <= oi_r + 6'd1;
                    hs_r <= '0;
                    st_r <= 6'd1;
                end else begin
                    if (CHECK != 0 && q_space_r == SP_SRAM && q_write_r && !q_dma_r && ov_n_r < 2'd2) begin
                        ovlo_r[32*ov_n_r[0] +: 32] <= q_lo_r[31:0];
                        ovhi_r[32*ov_n_r[0] +: 32] <= q_hi_r[31:0];
                        ovrole_r[8*ov_n_r[0] +: 8] <= q_role_r;
                        ov_n_r                     <= ov_n_r + 2'd1;
                    end
                    if (q_space_r == SP_SRAM) begin
                        if (q_lo_r[31:0] < foot_lo_r && !q_dma_r) foot_lo_r <= q_lo_r[31:0];
                        if (q_hi_r[31:0] > foot_hi_r && !q_dma_r) foot_hi_r <= q_hi_r[31:0];
                    end else begin
                        if (q_lo_r[31:0] < foot_wlo_r && !q_dma_r) foot_wlo_r <= q_lo_r[31:0];
                        if (q_hi_r[31:0] > foot_whi_r && !q_dma_r) foot_whi_r <= q_hi_r[31:0];
                    end
                    q_p_r <= q_lo_r;
                    if (CHECK == 0) begin  // no coverage, no races: the next operand
                        oi_r <= oi_r + 6'd1;
                        hs_r <= '0;
                        st_r <= 6'd1;
                    end else st_r <= q_space_r == SP_SRAM ? 6'd3 : 6'd6;
                end
            end
            // SRAM coverage: walk the hull buffer by buffer
            6'd3: begin
                bq_en_r <= 1'b1;
                st_r    <= 6'd4;
            end
            6'd4: st_r <= 6'd5;
            6'd5:
                if (!bq_cover) fail(8'd44, q_lo_r, q_hi_r, q_p_r, {55'h0, q_write_r, q_role_r});
                else if (64'(bq_cover_hi) >= q_hi_r) st_r <= 6'd6;
                else begin
                    q_p_r <= 64'(bq_cover_hi);
                    st_r  <= 6'd3;
                end
            // racing a transfer since the last SYNC
            6'd6:
                if (p_hit) fail(8'd52, q_lo_r, q_hi_r, p_what, {55'h0, q_write_r, q_role_r});
                else begin
                    oi_r <= oi_r + 6'd1;
                    hs_r <= '0;
                    st_r <= 6'd1;
                end
            default: pass();
        endcase
    endtask

    // The hull of operand oi_r into q_*, then st_r <= 2.
    task automatic hull_step;
        case (hs_r)
            4'd0: begin
                q_space_r <= ok_ref[31:30];
                q_role_r  <= ok_role;
                q_write_r <= ok_write;
                q_dma_r   <= op == OP_LOAD || op == OP_STORE;
                h_base_r  <= {2'b00, ok_ref[29:0]};
                h_cs_r    <= ok_cs;
                h_rb_r    <= ok_rb;
                h_nch_r   <= ok_nch;
                h_r0_r    <= ok_r0;
                h_r1_r    <= ok_r1;
                h_row0_r  <= ok_row0;
                case (ok_kind)
                    K_DENSE:   begin ask(1'b0, ok_n, ok_mul); hs_r <= 4'd1; end
                    K_VIEW:    hs_r <= 4'd3;
                    default:   begin ask(1'b1, cog_r, cw); hs_r <= 4'd8; end  // K_WEIGHTS: tiles
                endcase
            end
            // DENSE: lo = addr, hi = addr + n * mul (+ bytes for transfers)
            4'd1: begin
                q_lo_r <= 64'(h_base_r);
                q_hi_r <= 64'(h_base_r) + alu_q + ((op == OP_LOAD || op == OP_STORE) ? 64'(h_cs_r) : 64'd0);
                hs_r   <= '0;
                st_r   <= 6'd2;
            end
            // VIEW: no rows: untouched; else three products
            4'd3:
                if (h_nch_r == 0 || h_r1_r <= h_r0_r) begin
                    q_lo_r <= '0;
                    q_hi_r <= '0;
                    hs_r   <= '0;
                    st_r   <= 6'd2;
                end else begin
                    ask(1'b0, 48'(h_rb_r), h_r0_r - h_row0_r);
                    hs_r <= 4'd4;
                end
            4'd4: begin
                q_lo_r <= 64'(h_base_r) + alu_q;
                ask(1'b0, 48'(h_cs_r), h_nch_r - 16'd1);
                hs_r <= 4'd5;
            end
            4'd5: begin
                t_r <= alu_q;
                ask(1'b0, 48'(h_rb_r), h_r1_r - h_row0_r);
                hs_r <= 4'd6;
            end
            4'd6: begin
                q_hi_r <= 64'(h_base_r) + t_r + alu_q;
                hs_r   <= '0;
                st_r   <= 6'd2;
            end
            // WEIGHTS: groups * tiles * (9 + cig*kh*kw) * cw
            4'd8: begin
                tiles_r <= alu_q[15:0] + (alu_r != 0 ? 16'd1 : 16'd0);
                ask(1'b0, cig_r, 16'(kh));
                hs_r <= 4'd9;
            end
            4'd9: begin
                ask(1'b0, 48'(alu_q), 16'(kw));
                hs_r <= 4'd10;
            end
            4'd10: begin
                ask(1'b0, 48'(alu_q) + 48'd9, cw);
                hs_r <= 4'd11;
            end
            4'd11: begin
                ask(1'b0, 48'(alu_q), groups);
                hs_r <= 4'd12;
            end
            4'd12: begin
                ask(1'b0, alu_q[47:0], tiles_r);
                hs_r <= 4'd13;
            end
            4'd13: begin
                q_lo_r <= 64'(h_base_r);
                q_hi_r <= 64'(h_base_r) + alu_q;
                hs_r   <= '0;
                st_r   <= 6'd2;
            end
            default: hs_r <= '0;
        endcase
    endtask

    assign bq_en   = bq_en_r;
    assign bq_addr = q_p_r[31:0];

    // ---- the transfers since the last SYNC ----
    always_ff @(posedge i_clk) begin
        if (i_push) begin
            if (npend_r == 0) pfirst_r <= i_push_index;
            npend_r <= npend_r + 32'd1;
        end
        if (i_sync || i_rst) npend_r <= '0;
    end

    // Their table (CHECK): an operand must not race one (52), nor a FREE (53).
    generate
        if (CHECK != 0) begin : g_pend
            logic [NPEND-1:0]    pv_r, pload_r, pspace_r;   // valid, LOAD, in the WBUF
            logic [32*NPEND-1:0] plo_r, phi_r, pidx_r;
            logic [31:0]         q_hi_chip_r;  // the on-chip hull of the transfer being checked

            always_ff @(posedge i_clk)
                if (ph_r == PH_MACH && st_r == 6'd2 && q_space_r != SP_DRAM) q_hi_chip_r <= q_hi_r[31:0];

            always_ff @(posedge i_clk) begin
                if (i_push) begin : push
                    logic [PW-1:0] k;
                    logic          load;
                    logic   [31:0] chip, lo;
                    k      = npend_r[PW-1:0];
                    load   = op == OP_LOAD;
                    chip   = load ? w2 : w1;
                    lo     = {2'b00, chip[29:0]};  // its hull's end was found by the checks
                    pv_r[k]               <= 1'b1;
                    pload_r[k]            <= load;
                    pspace_r[k]           <= chip[31:30] == SP_WBUF;
                    plo_r[32*k +: 32]     <= lo;
                    phi_r[32*k +: 32]     <= q_hi_chip_r;
                    pidx_r[32*k +: 32]    <= i_push_index;
                end
                if (i_sync || i_rst) pv_r <= '0;
            end

            always_comb begin
                p_hit  = 1'b0;
                p_what = '0;
                for (int k = NPEND - 1; k >= 0; k--)
                    if (pv_r[k] && pspace_r[k] == q_space_r[0] && 64'(plo_r[32*k +: 32]) < q_hi_r &&
                        q_lo_r < 64'(phi_r[32*k +: 32]) && (q_write_r || pload_r[k])) begin
                        p_hit  = 1'b1;
                        p_what = {30'h0, pspace_r[k], pload_r[k], pidx_r[32*k +: 32]};
                    end
            end
        end else begin : g_no_pend
            assign p_hit  = 1'b0;
            assign p_what = '0;
        end
    endgenerate

    assign o_need_view  = ph_r == PH_WAITV && !i_view_ok;  // not in the cycle it is answered
    assign o_done       = done_r;
    assign o_err        = err_r;
    assign o_err_a      = ea_r;
    assign o_err_b      = eb_r;
    assign o_err_c      = ec_r;
    assign o_err_d      = ed_r;
    assign o_foot_lo    = foot_lo_r;
    assign o_foot_hi    = foot_hi_r;
    assign o_foot_wlo   = foot_wlo_r;
    assign o_foot_whi   = foot_whi_r;
    assign o_npend      = npend_r;
    assign o_pend_first = pfirst_r;

endmodule

`default_nettype wire
