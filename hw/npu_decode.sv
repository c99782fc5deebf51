// npu_decode: decodes one 16-word instruction and checks its encoding,
// one registered stage (o_valid the cycle after i_en).
//
// The checks are targets/npu/isa.c's, in its order, so the first broken
// rule is the one fsim names: opcode, reserved bits and words, flags, the
// count field, the spaces of Refs whose space is fixed, zero sizes, window
// shapes (the output extent the window gives, by one division per
// instruction), groups, a CONV's two-part words (w13 src2 and w14 bits
// 0-15 split with SPLIT, w15 dst2 and w14 bits 16-31 osplit with OSPLIT;
// zero without their flag), and an EW's first operand pairs.  An EW's OPERANDS
// continuations are the sequencer's to check (o_conts says how many follow).
//
// o_err is 0 or one of the codes below; o_err_a..o_err_d carry what the
// harness's message needs (rtl_sim/sim_main.cpp prints them).
//    1 operands without an ew          14 zero dilation (a, b)
//    2 unknown opcode (a)              15 window does not fit (a taps and
//    3 reserved bits in w0 (a)            dilation, b padding, c, d input)
//    4 flag not taken (a flag, b all)  16 output shape (a, b given; c, d)
//    5 count field (a)                 17 zero groups
//    6 reserved word (a index, b)      18 groups do not divide (a, b, c)
//    7 zero bytes                      19 RELU with OUT32
//    8 zero elements                   20 qmul/qshift with OUT32
//    9 space (a which, b Ref, c DRAM)  21 reserved bits (a word, b value)
//   10 zero input dimension (a, b, c)  22 pool groups (a)
//   11 zero output dimension (a, b, c) 23 pool out_c (a) differs (b in_c)
//   12 zero kernel (a, b)              24 EW input count (a)
//   13 zero stride (a, b)              25 EW word after its pairs (a, b, c)
//   32 PERCH with OUT32 or PSUM (a the other flag)
//   33 qmul/qshift with PERCH (a the qmul word: 11 CONV, 4 REQUANT)
//   34 REQUANT channels do not divide the elements (a channels, b elements)
//   35 SPLIT's split outside 1..in_c-1 (a split, b in_c)
//   36 a two-part word without its flag (a word, b its value, c 0 SPLIT,
//      1 OSPLIT)
//   37 OSPLIT's osplit outside 1..out_c-1 (a osplit, b out_c)
// Space checks (9) name a: 0 source, 1 destination, 2 buffer, 3 weights,
// 4 bias, 5 table (PERCH).
`default_nettype none

module npu_decode (
    input  wire logic        i_clk,
    input  wire logic        i_en,
    input  wire logic [15:0][31:0] i_w,
    output logic             o_valid,
    output logic       [7:0] o_err,
    output logic      [63:0] o_err_a,
    output logic      [63:0] o_err_b,
    output logic      [63:0] o_err_c,
    output logic      [63:0] o_err_d,
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
    output logic       [2:0] o_conts
);

    localparam logic [7:0] OP_END = 8'h01, OP_LOAD = 8'h02, OP_STORE = 8'h03, OP_SYNC = 8'h04;
    localparam logic [7:0] OP_ALLOC = 8'h05, OP_FREE = 8'h06, OP_CONV = 8'h10, OP_POOL = 8'h11;
    localparam logic [7:0] OP_GAVG = 8'h12, OP_EW = 8'h13, OP_REQUANT = 8'h14, OP_COPY = 8'h15;
    localparam logic [7:0] OP_RELU = 8'h16, OP_OPERANDS = 8'h1f;
    localparam logic [7:0] F_RELU = 8'h01, F_OUT32 = 8'h02, F_PSUM = 8'h04, F_AVG = 8'h08;
    localparam logic [7:0] F_PERCH = 8'h10, F_SPLIT = 8'h20, F_OSPLIT = 8'h40;

    logic        valid_r;
    logic  [7:0] err_r;
    logic [63:0] err_a_r, err_b_r, err_c_r, err_d_r;
    logic  [7:0] op_r, flags_r, kh_r, kw_r, sh_r, sw_r, dh_r, dw_r, pt_r, pl_r, qshift_r;
    logic [31:0] src_r, dst_r, weight_r, aux_r, src2_r, dst2_r, bytes_r, qmul_r;
    logic [15:0] split_r, osplit_r, in_c_r, in_h_r, in_w_r, out_c_r, out_h_r, out_w_r, groups_r;
    logic  [5:0] nin_r;
    logic  [2:0] conts_r;

    function automatic logic [15:0] used_words(input logic [7:0] op);
        case (op)
            OP_END, OP_SYNC: return 16'h0001;
            OP_LOAD, OP_STORE, OP_COPY, OP_RELU: return 16'h000f;
            OP_ALLOC, OP_FREE: return 16'h0007;
            OP_CONV: return 16'hffff;  // w13-w15: zero without SPLIT/OSPLIT (checked last)
            OP_POOL: return 16'h07e7;
            OP_GAVG: return 16'h0067;
            OP_REQUANT: return 16'h00ff;
            OP_EW: return 16'h7fff;
            default: return 16'h0000;
        endcase
    endfunction

    function automatic logic [7:0] allowed_flags(input logic [7:0] op);
        case (op)
            OP_CONV: return F_RELU | F_OUT32 | F_PSUM | F_PERCH | F_SPLIT | F_OSPLIT;
            OP_POOL: return F_AVG;
            OP_EW: return F_RELU;
            OP_REQUANT: return F_RELU | F_PERCH;
            default: return 8'h00;
        endcase
    endfunction

    // Output extent of a window over n, as isa.c computes it; 0 when the
    // window does not fit.
    function automatic logic [63:0] window_out(input logic [15:0] n, input logic [7:0] k,
                                               input logic [7:0] s, input logic [7:0] dil,
                                               input logic [7:0] p0, input logic [7:0] p1);
        logic signed [63:0] span, in;
        span = 64'(dil) * (64'(k) - 64'sd1) + 64'sd1;
        in   = 64'(n) + 64'(signed'(p0)) + 64'(signed'(p1));
        if (in < span) return 64'd0;
        return 64'((in - span) / 64'(s)) + 64'd1;
    endfunction

    always_ff @(posedge i_clk) begin
        valid_r <= i_en;
        if (i_en) begin : dec
            logic  [7:0] op, flags, count, extra, lowest, e;
            logic [63:0] a, b, c, d;
            logic [15:0] used;
            logic [63:0] oh, ow;
            logic  [5:0] nin;
            int          first;
            op    = i_w[0][7:0];
            flags = i_w[0][15:8];
            count = i_w[0][23:16];
            used  = used_words(op);
            extra = flags & ~allowed_flags(op);
            lowest = extra & (~extra + 8'd1);
            nin   = count > 8'd32 ? 6'd0 : 6'(count);
            e     = 8'd0;
            a     = '0;
            b     = '0;
            c     = '0;
            d     = '0;
            oh    = window_out(i_w[5][31:16], i_w[8][7:0], i_w[8][23:16], i_w[9][7:0],
                               i_w[10][7:0], i_w[10][23:16]);
            ow    = window_out(i_w[6][15:0], i_w[8][15:8], i_w[8][31:24], i_w[9][15:8],
                               i_w[10][15:8], i_w[10][31:24]);
            first = int'(count) < 5 ? int'(count) : 5;

            // the order of isa.c's decode(), the first failure wins
            if (op == OP_OPERANDS) begin
                e = 8'd1;
            end else if (used == 0) begin
                e = 8'd2;
                a = 64'(op);
            end else if (i_w[0][31:24] != 0) begin
                e = 8'd3;
                a = 64'(i_w[0]);
            end else if (extra != 0) begin
                e = 8'd4;
                a = 64'(lowest);
                b = 64'(extra);
            end else if (count != 0 && op != OP_EW) begin
                e = 8'd5;
                a = 64'(count);
            end else begin
                for (int k = 15; k >= 1; k--)
                    if (!used[k] && i_w[k] != 0) begin
                        e = 8'd6;
                        a = 64'(k);
                        b = 64'(i_w[k]);
                    end
            end
            if (e == 0) begin
                case (op)
                    OP_LOAD, OP_STORE, OP_COPY, OP_RELU: begin
                        if (i_w[3] == 0) begin
                            e = op == OP_RELU ? 8'd8 : 8'd7;
                        end else if (op == OP_LOAD || op == OP_STORE) begin
                            if (i_w[1][31] != (op == OP_LOAD)) begin
                                e = 8'd9;
                                a = 64'd0;
                                b = 64'(i_w[1]);
                                c = 64'(op == OP_LOAD);
                            end else if (i_w[2][31] != (op == OP_STORE)) begin
                                e = 8'd9;
                                a = 64'd1;
                                b = 64'(i_w[2]);
                                c = 64'(op == OP_STORE);
                            end
                        end
                    end
                    OP_ALLOC, OP_FREE: begin
                        if (i_w[2] == 0) begin
                            e = 8'd7;
                        end else if (i_w[1][31]) begin
                            e = 8'd9;
                            a = 64'd2;
                            b = 64'(i_w[1]);
                        end
                    end
                    OP_CONV, OP_POOL: begin
                        if (i_w[5][15:0] == 0 || i_w[5][31:16] == 0 || i_w[6][15:0] == 0) begin
                            e = 8'd10;
                            a = 64'(i_w[5][15:0]);
                            b = 64'(i_w[5][31:16]);
                            c = 64'(i_w[6][15:0]);
                        end else if (i_w[6][31:16] == 0 || i_w[7][15:0] == 0 || i_w[7][31:16] == 0) begin
                            e = 8'd11;
                            a = 64'(i_w[6][31:16]);
                            b = 64'(i_w[7][15:0]);
                            c = 64'(i_w[7][31:16]);
                        end else if (i_w[8][7:0] == 0 || i_w[8][15:8] == 0) begin
                            e = 8'd12;
                            a = 64'(i_w[8][7:0]);
                            b = 64'(i_w[8][15:8]);
                        end else if (i_w[8][23:16] == 0 || i_w[8][31:24] == 0) begin
                            e = 8'd13;
                            a = 64'(i_w[8][23:16]);
                            b = 64'(i_w[8][31:24]);
                        end else if (i_w[9][7:0] == 0 || i_w[9][15:8] == 0) begin
                            e = 8'd14;
                            a = 64'(i_w[9][7:0]);
                            b = 64'(i_w[9][15:8]);
                        end else if (oh < 1 || ow < 1) begin
                            e = 8'd15;
                            a = {32'h0, i_w[9][15:0], i_w[8][15:0]};
                            b = 64'(i_w[10]);
                            c = 64'(i_w[5][31:16]);
                            d = 64'(i_w[6][15:0]);
                        end else if (oh != 64'(i_w[7][15:0]) || ow != 64'(i_w[7][31:16])) begin
                            e = 8'd16;
                            a = 64'(i_w[7][15:0]);
                            b = 64'(i_w[7][31:16]);
                            c = oh;
                            d = ow;
                        end else if (op == OP_CONV) begin
                            if (i_w[9][31:16] == 0) begin
                                e = 8'd17;
                            end else if (i_w[5][15:0] % i_w[9][31:16] != 0 ||
                                         i_w[6][31:16] % i_w[9][31:16] != 0) begin
                                e = 8'd18;
                                a = 64'(i_w[9][31:16]);
                                b = 64'(i_w[5][15:0]);
                                c = 64'(i_w[6][31:16]);
                            end else if (!i_w[3][31]) begin
                                e = 8'd9;
                                a = 64'd3;
                                b = 64'(i_w[3]);
                                c = 64'd1;
                            end else if ((flags & F_PSUM) == 0 && !i_w[4][31]) begin
                                e = 8'd9;
                                a = (flags & F_PERCH) != 0 ? 64'd5 : 64'd4;
                                b = 64'(i_w[4]);
                                c = 64'd1;
                            end else if ((flags & F_OUT32) != 0 && (flags & F_RELU) != 0) begin
                                e = 8'd19;
                            end else if ((flags & F_PERCH) != 0 && (flags & (F_OUT32 | F_PSUM)) != 0) begin
                                e = 8'd32;
                                a = (flags & F_OUT32) != 0 ? 64'(F_OUT32) : 64'(F_PSUM);
                            end else if ((flags & F_PERCH) != 0) begin
                                if (i_w[11] != 0 || i_w[12] != 0) begin
                                    e = 8'd33;
                                    a = 64'd11;
                                end
                            end else if ((flags & F_OUT32) != 0) begin
                                if (i_w[11] != 0 || i_w[12] != 0) e = 8'd20;
                            end else if (i_w[12][31:8] != 0) begin
                                e = 8'd21;
                                a = 64'd12;
                                b = 64'(i_w[12]);
                            end
                        end else begin
                            if (i_w[9][31:16] > 1) begin
                                e = 8'd22;
                                a = 64'(i_w[9][31:16]);
                            end else if (i_w[6][31:16] != i_w[5][15:0]) begin
                                e = 8'd23;
                                a = 64'(i_w[6][31:16]);
                                b = 64'(i_w[5][15:0]);
                            end
                        end
                    end
                    OP_GAVG: begin
                        if (i_w[6][31:16] != 0) begin
                            e = 8'd21;
                            a = 64'd6;
                            b = 64'(i_w[6]);
                        end else if (i_w[5][15:0] == 0 || i_w[5][31:16] == 0 || i_w[6][15:0] == 0) begin
                            e = 8'd10;
                            a = 64'(i_w[5][15:0]);
                            b = 64'(i_w[5][31:16]);
                            c = 64'(i_w[6][15:0]);
                        end
                    end
                    OP_REQUANT: begin
                        if (i_w[5][31:8] != 0) begin
                            e = 8'd21;
                            a = 64'd5;
                            b = 64'(i_w[5]);
                        end else if (i_w[3] == 0) begin
                            e = 8'd8;
                        end else if ((flags & F_PERCH) == 0) begin
                            if (i_w[6] != 0) begin
                                e = 8'd6;
                                a = 64'd6;
                                b = 64'(i_w[6]);
                            end else if (i_w[7] != 0) begin
                                e = 8'd6;
                                a = 64'd7;
                                b = 64'(i_w[7]);
                            end
                        end else if (i_w[4] != 0 || i_w[5] != 0) begin
                            e = 8'd33;
                            a = 64'd4;
                        end else if (!i_w[6][31]) begin
                            e = 8'd9;
                            a = 64'd5;
                            b = 64'(i_w[6]);
                            c = 64'd1;
                        end else if (i_w[7][31:16] != 0) begin
                            e = 8'd21;
                            a = 64'd7;
                            b = 64'(i_w[7]);
                        end else if (i_w[7][15:0] == 0 || i_w[3] % 32'(i_w[7][15:0]) != 0) begin
                            e = 8'd34;
                            a = 64'(i_w[7][15:0]);
                            b = 64'(i_w[3]);
                        end
                    end
                    OP_EW: begin
                        if (count < 1 || count > 32) begin
                            e = 8'd24;
                            a = 64'(count);
                        end else if (i_w[2] == 0) begin
                            e = 8'd8;
                        end else if (i_w[4][31:8] != 0) begin
                            e = 8'd21;
                            a = 64'd4;
                            b = 64'(i_w[4]);
                        end else begin
                            for (int k = 15; k >= 5; k--)
                                if (k >= 5 + 2 * first && i_w[k] != 0) begin
                                    e = 8'd25;
                                    a = 64'(k);
                                    b = 64'(i_w[k]);
                                    c = 64'(first);
                                end
                        end
                    end
                    default: ;
                endcase
            end
            // a CONV's w13-w15, last as in isa.c's decode_conv: SPLIT's, then OSPLIT's
            if (e == 0 && op == OP_CONV) begin
                if ((flags & F_SPLIT) != 0) begin
                    if (i_w[14][15:0] == 0 || i_w[14][15:0] >= i_w[5][15:0]) begin
                        e = 8'd35;
                        a = 64'(i_w[14][15:0]);
                        b = 64'(i_w[5][15:0]);
                    end
                end else if (i_w[13] != 0 || i_w[14][15:0] != 0) begin
                    e = 8'd36;
                    a = i_w[13] != 0 ? 64'd13 : 64'd14;
                    b = i_w[13] != 0 ? 64'(i_w[13]) : 64'(i_w[14]);
                end
            end
            if (e == 0 && op == OP_CONV) begin
                if ((flags & F_OSPLIT) != 0) begin
                    if (i_w[14][31:16] == 0 || i_w[14][31:16] >= i_w[6][31:16]) begin
                        e = 8'd37;
                        a = 64'(i_w[14][31:16]);
                        b = 64'(i_w[6][31:16]);
                    end
                end else if (i_w[15] != 0 || i_w[14][31:16] != 0) begin
                    e = 8'd36;
                    a = i_w[15] != 0 ? 64'd15 : 64'd14;
                    b = i_w[15] != 0 ? 64'(i_w[15]) : 64'(i_w[14]);
                    c = 64'd1;
                end
            end

            err_r   <= e;
            err_a_r <= a;
            err_b_r <= b;
            err_c_r <= c;
            err_d_r <= d;
            op_r    <= op;
            flags_r <= flags;
            nin_r   <= nin;
            conts_r <= nin > 6'd5 ? 3'((nin - 6'd5 + 6'd6) / 6'd7) : 3'd0;
            // fields, as isa.c's decode fills NpuInsn
            src_r    <= '0;
            dst_r    <= '0;
            weight_r <= '0;
            aux_r    <= '0;
            src2_r   <= '0;
            split_r  <= '0;
            dst2_r   <= '0;
            osplit_r <= '0;
            bytes_r  <= '0;
            qmul_r   <= '0;
            qshift_r <= '0;
            in_c_r   <= i_w[5][15:0];
            in_h_r   <= i_w[5][31:16];
            in_w_r   <= i_w[6][15:0];
            out_c_r  <= i_w[6][31:16];
            out_h_r  <= i_w[7][15:0];
            out_w_r  <= i_w[7][31:16];
            kh_r     <= i_w[8][7:0];
            kw_r     <= i_w[8][15:8];
            sh_r     <= i_w[8][23:16];
            sw_r     <= i_w[8][31:24];
            dh_r     <= i_w[9][7:0];
            dw_r     <= i_w[9][15:8];
            groups_r <= i_w[9][31:16];
            pt_r     <= i_w[10][7:0];
            pl_r     <= i_w[10][15:8];
            case (op)
                OP_LOAD, OP_STORE, OP_COPY, OP_RELU: begin
                    src_r   <= i_w[1];
                    dst_r   <= i_w[2];
                    bytes_r <= i_w[3];
                end
                OP_ALLOC, OP_FREE: begin
                    dst_r   <= i_w[1];
                    bytes_r <= i_w[2];
                end
                OP_CONV: begin
                    src_r    <= i_w[1];
                    dst_r    <= i_w[2];
                    weight_r <= i_w[3];
                    aux_r    <= i_w[4];
                    qmul_r   <= i_w[11];
                    qshift_r <= i_w[12][7:0];
                    if ((flags & F_SPLIT) != 0) begin
                        src2_r  <= i_w[13];
                        split_r <= i_w[14][15:0];
                    end
                    if ((flags & F_OSPLIT) != 0) begin
                        dst2_r   <= i_w[15];
                        osplit_r <= i_w[14][31:16];
                    end
                end
                OP_POOL, OP_GAVG: begin
                    src_r <= i_w[1];
                    dst_r <= i_w[2];
                end
                OP_REQUANT: begin
                    src_r    <= i_w[1];
                    dst_r    <= i_w[2];
                    bytes_r  <= i_w[3];
                    qmul_r   <= i_w[4];
                    qshift_r <= i_w[5][7:0];
                    aux_r    <= i_w[6];
                    out_c_r  <= i_w[7][15:0];  // PERCH: the channels
                end
                OP_EW: begin
                    dst_r    <= i_w[1];
                    bytes_r  <= i_w[2];
                    qmul_r   <= i_w[3];
                    qshift_r <= i_w[4][7:0];
                end
                default: ;
            endcase
        end
    end

    assign o_valid  = valid_r;
    assign o_err    = err_r;
    assign o_err_a  = err_a_r;
    assign o_err_b  = err_b_r;
    assign o_err_c  = err_c_r;
    assign o_err_d  = err_d_r;
    assign o_op     = op_r;
    assign o_flags  = flags_r;
    assign o_src    = src_r;
    assign o_dst    = dst_r;
    assign o_weight = weight_r;
    assign o_aux    = aux_r;
    assign o_src2   = src2_r;
    assign o_split  = split_r;
    assign o_dst2   = dst2_r;
    assign o_osplit = osplit_r;
    assign o_bytes  = bytes_r;
    assign o_in_c   = in_c_r;
    assign o_in_h   = in_h_r;
    assign o_in_w   = in_w_r;
    assign o_out_c  = out_c_r;
    assign o_out_h  = out_h_r;
    assign o_out_w  = out_w_r;
    assign o_kh     = kh_r;
    assign o_kw     = kw_r;
    assign o_sh     = sh_r;
    assign o_sw     = sw_r;
    assign o_dh     = dh_r;
    assign o_dw     = dw_r;
    assign o_pt     = pt_r;
    assign o_pl     = pl_r;
    assign o_groups = groups_r;
    assign o_qmul   = qmul_r;
    assign o_qshift = qshift_r;
    assign o_nin    = nin_r;
    assign o_conts  = conts_r;

endmodule

`default_nettype wire
