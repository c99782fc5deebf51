// tb_decode: the instruction decoder on hand-made encodings: every opcode's
// fields land where docs/isa.md puts them, and each encoding rule of
// targets/npu/isa.c, broken alone, gives its status code (the codes are
// listed in hw/npu_decode.sv) with the details the harness words it with.
`default_nettype none
`timescale 1ns / 1ps

module tb_decode;

    logic clk = 1'b0, en = 1'b0, valid;
    logic [15:0][31:0] w;
    logic [7:0] err, op, flags, kh, kw, sh, sw, dh, dw, pt, pl, qshift;
    logic [63:0] ea, eb, ec, ed;
    logic [31:0] src, dst, weight, aux, src2, dst2, bytes, qmul;
    logic [15:0] split, osplit, in_c, in_h, in_w, out_c, out_h, out_w, groups;
    logic [5:0] nin;
    logic [2:0] conts;
    int fails = 0, cases = 0;

    always #5 clk = ~clk;

    npu_decode u_dut (
        .i_clk(clk), .i_en(en), .i_w(w), .o_valid(valid), .o_err(err),
        .o_err_a(ea), .o_err_b(eb), .o_err_c(ec), .o_err_d(ed),
        .o_op(op), .o_flags(flags), .o_src(src), .o_dst(dst), .o_weight(weight), .o_aux(aux),
        .o_src2(src2), .o_split(split), .o_dst2(dst2), .o_osplit(osplit),
        .o_bytes(bytes), .o_in_c(in_c), .o_in_h(in_h), .o_in_w(in_w), .o_out_c(out_c),
        .o_out_h(out_h), .o_out_w(out_w), .o_kh(kh), .o_kw(kw), .o_sh(sh), .o_sw(sw), .o_dh(dh),
        .o_dw(dw), .o_pt(pt), .o_pl(pl), .o_groups(groups), .o_qmul(qmul), .o_qshift(qshift),
        .o_nin(nin), .o_conts(conts)
    );

    task automatic decode(input logic [15:0][31:0] words);
        w  = words;
        en = 1'b1;
        @(negedge clk);
        en = 1'b0;
        cases++;
    endtask

    task automatic expect_err(input string what, input int code, input longint a = -1, input longint b = -1);
        if (int'(err) != code || (a >= 0 && ea != 64'(a)) || (b >= 0 && eb != 64'(b))) begin
            fails++;
            $display("tb_decode: FAIL %s: code %0d (a=%0d b=%0d), want %0d (a=%0d b=%0d)", what, err,
                     ea, eb, code, a, b);
        end
    endtask

    // a valid 3x3 convolution, stride 2, dilation 1, padding 1, with RELU
    function automatic logic [15:0][31:0] conv();
        logic [15:0][31:0] c;
        c     = '0;
        c[0]  = 32'h0000_0110;
        c[1]  = 32'h0000_0100;
        c[2]  = 32'h8000_2000;
        c[3]  = 32'h8000_0040;
        c[4]  = 32'h8000_0080;
        c[5]  = {16'd9, 16'd8};          // in_h 9, in_c 8
        c[6]  = {16'd16, 16'd7};         // out_c 16, in_w 7
        c[7]  = {16'd4, 16'd5};          // out_w 4, out_h 5
        c[8]  = {8'd2, 8'd2, 8'd3, 8'd3};
        c[9]  = {16'd2, 8'd1, 8'd1};     // groups 2
        c[10] = {8'd1, 8'd1, 8'd1, 8'd1};
        c[11] = 32'h5000_0000;
        c[12] = 32'h0000_00fe;           // qshift -2
        return c;
    endfunction

    initial begin : main
        logic [15:0][31:0] c;
        @(negedge clk);

        decode(conv());
        expect_err("valid conv", 0);
        if (op != 8'h10 || flags != 8'h01 || src != 32'h100 || dst != 32'h8000_2000 ||
            weight != 32'h8000_0040 || aux != 32'h8000_0080 || in_c != 8 || in_h != 9 || in_w != 7 ||
            out_c != 16 || out_h != 5 || out_w != 4 || kh != 3 || kw != 3 || sh != 2 || sw != 2 ||
            dh != 1 || dw != 1 || groups != 2 || pt != 1 || pl != 1 || qmul != 32'h5000_0000 ||
            qshift != 8'hfe) begin
            fails++;
            $display("tb_decode: FAIL conv fields");
        end

        c = '0;
        c[0] = 32'h0009_0013;  // EW, 9 inputs
        c[1] = 32'h8000_0000;
        c[2] = 100;
        c[3] = 32'h4000_0000;
        for (int k = 5; k < 15; k++) c[k] = 32'(k);
        decode(c);
        expect_err("valid ew", 0);
        if (nin != 9 || conts != 1 || bytes != 100 || dst != 32'h8000_0000) begin
            fails++;
            $display("tb_decode: FAIL ew fields nin=%0d conts=%0d", nin, conts);
        end

        c = '0;
        c[0] = 32'h0000_0002;  // LOAD
        c[1] = 32'h8000_0010;
        c[2] = 32'h0000_0020;
        c[3] = 64;
        decode(c);
        expect_err("valid load", 0);
        if (src != 32'h8000_0010 || dst != 32'h20 || bytes != 64) begin
            fails++;
            $display("tb_decode: FAIL load fields");
        end

        c = '0; c[0] = 32'h0000_001f; decode(c); expect_err("operands first", 1);
        c = '0; c[0] = 32'h0000_0033; decode(c); expect_err("unknown opcode", 2, 64'h33);
        c = '0; c[0] = 32'h0100_0004; decode(c); expect_err("w0 reserved", 3, 64'h0100_0004);
        c = '0; c[0] = 32'h0000_0c15; c[3] = 1; decode(c); expect_err("flags", 4, 4, 12);
        c = '0; c[0] = 32'h0002_0004; decode(c); expect_err("count", 5, 2);
        c = '0; c[0] = 32'h0000_0004; c[9] = 7; c[3] = 1; decode(c); expect_err("reserved word", 6, 3, 1);
        c = '0; c[0] = 32'h0000_0015; decode(c); expect_err("zero bytes", 7);
        c = '0; c[0] = 32'h0000_0016; decode(c); expect_err("zero elements", 8);
        c = '0; c[0] = 32'h0000_0003; c[1] = 32'h8000_0000; c[2] = 0; c[3] = 4; decode(c);
        expect_err("store source", 9, 0);
        c = '0; c[0] = 32'h0000_0005; c[1] = 32'h8000_0000; c[2] = 4; decode(c); expect_err("alloc space", 9, 2);

        c = conv(); c[5] = {16'd9, 16'd0}; decode(c); expect_err("zero in_c", 10, 0, 9);
        c = conv(); c[7] = {16'd4, 16'd0}; decode(c); expect_err("zero out_h", 11);
        c = conv(); c[8][15:8] = 0; decode(c); expect_err("zero kernel", 12, 3, 0);
        c = conv(); c[8][23:16] = 0; decode(c); expect_err("zero stride", 13, 0, 2);
        c = conv(); c[9][7:0] = 0; decode(c); expect_err("zero dilation", 14, 0, 1);
        c = conv(); c[10] = 32'hfdfd_fdfd; decode(c); expect_err("window does not fit", 15);
        c = conv(); c[7] = {16'd4, 16'd6}; decode(c); expect_err("output shape", 16, 6, 4);
        c = conv(); c[9][31:16] = 0; decode(c); expect_err("zero groups", 17);
        c = conv(); c[9][31:16] = 3; decode(c); expect_err("groups divide", 18, 3, 8);
        c = conv(); c[3] = 32'h40; decode(c); expect_err("weights space", 9, 3);
        c = conv(); c[4] = 32'h80; decode(c); expect_err("bias space", 9, 4);
        c = conv(); c[0] = 32'h0000_0510; c[4] = 32'h80; decode(c); expect_err("psum in SRAM", 16'h0 /* ok */);
        c = conv(); c[0] = 32'h0000_0310; decode(c); expect_err("relu with out32", 19);
        c = conv(); c[0] = 32'h0000_0210; decode(c); expect_err("q with out32", 20);
        c = conv(); c[12] = 32'h0000_01fe; decode(c); expect_err("w12 reserved bits", 21, 12);

        c = '0; c[0] = 32'h0000_0011; c[1] = 1; c[2] = 2;
        c[5] = {16'd4, 16'd3}; c[6] = {16'd3, 16'd4}; c[7] = {16'd2, 16'd2};
        c[8] = {8'd2, 8'd2, 8'd2, 8'd2}; c[9] = {16'd2, 8'd1, 8'd1};
        decode(c); expect_err("pool groups", 22, 2);
        c[9] = {16'd1, 8'd1, 8'd1}; c[6] = {16'd5, 16'd4}; decode(c); expect_err("pool out_c", 23, 5, 3);
        c[6] = {16'd3, 16'd4}; decode(c); expect_err("valid pool", 0);

        c = '0; c[0] = 32'h0000_0013; c[2] = 4; decode(c); expect_err("ew no inputs", 24, 0);
        c = '0; c[0] = 32'h0021_0013; c[2] = 4; decode(c); expect_err("ew 33 inputs", 24, 33);
        c = '0; c[0] = 32'h0002_0013; c[2] = 4; c[9] = 1; decode(c); expect_err("ew word after pairs", 25, 9, 1);
        c = '0; c[0] = 32'h0001_0013; c[2] = 4; c[4] = 32'h100; decode(c); expect_err("ew w4 bits", 21, 4);
        c = '0; c[0] = 32'h0000_0012; c[5] = {16'd2, 16'd2}; c[6] = 32'h0001_0002; decode(c);
        expect_err("gavg w6 bits", 21, 6);
        c = '0; c[0] = 32'h0000_0014; c[3] = 4; c[5] = 32'h100; decode(c); expect_err("requant w5 bits", 21, 5);

        // PERCH: per-channel tables
        c = conv(); c[0] = 32'h0000_1110; c[11] = 0; c[12] = 0; decode(c); expect_err("valid conv perch", 0);
        if (flags != 8'h11 || aux != 32'h8000_0080 || qmul != 0 || qshift != 0) begin
            fails++;
            $display("tb_decode: FAIL conv perch fields");
        end
        c = conv(); c[0] = 32'h0000_1010; c[11] = 0; c[12] = 0; c[4] = 32'h80; decode(c);
        expect_err("perch table space", 9, 5);
        c = conv(); c[0] = 32'h0000_1210; c[11] = 0; c[12] = 0; decode(c); expect_err("perch with out32", 32, 2);
        c = conv(); c[0] = 32'h0000_1410; c[11] = 0; c[12] = 0; decode(c); expect_err("perch with psum", 32, 4);
        c = conv(); c[0] = 32'h0000_1010; c[11] = 0; decode(c); expect_err("perch conv qshift", 33, 11);
        c = '0; c[0] = 32'h0000_1114; c[1] = 32'h10; c[2] = 32'h8000_0400; c[3] = 96; c[6] = 32'h8000_0200;
        c[7] = 12; decode(c); expect_err("valid requant perch", 0);
        if (flags != 8'h11 || aux != 32'h8000_0200 || out_c != 12 || bytes != 96 || src != 32'h10) begin
            fails++;
            $display("tb_decode: FAIL requant perch fields");
        end
        c[4] = 1; decode(c); expect_err("perch requant qmul", 33, 4);
        c[4] = 0; c[6] = 32'h200; decode(c); expect_err("perch requant table space", 9, 5);
        c[6] = 32'h8000_0200; c[7] = 32'h0001_000c; decode(c); expect_err("perch requant w7 bits", 21, 7);
        c[7] = 7; decode(c); expect_err("perch requant channels", 34, 7, 96);
        c[7] = 0; decode(c); expect_err("perch requant no channels", 34, 0, 96);
        c[0] = 32'h0000_0014; c[7] = 12; c[6] = 0; decode(c); expect_err("requant w7 without perch", 6, 7, 12);
        c[0] = 32'h0000_0014; c[7] = 0; c[6] = 5; decode(c); expect_err("requant w6 without perch", 6, 6, 5);
        c = '0; c[0] = 32'h0000_1013; c[2] = 4; decode(c); expect_err("perch on ew", 4, 16, 16);

        // SPLIT: an input in two parts (w13 src2, w14 split)
        c = conv(); c[0] = 32'h0000_2110; c[13] = 32'h8000_3000; c[14] = 5; decode(c);
        expect_err("valid conv split", 0);
        if (flags != 8'h21 || src != 32'h100 || src2 != 32'h8000_3000 || split != 5) begin
            fails++;
            $display("tb_decode: FAIL conv split fields");
        end
        c[13] = 32'h40; c[14] = 1; decode(c); expect_err("split 1, src2 in SRAM", 0);
        c[14] = 7; decode(c); expect_err("split in_c - 1", 0);
        c[14] = 0; decode(c); expect_err("split 0", 35, 0, 8);
        c[14] = 8; decode(c); expect_err("split in_c", 35, 8, 8);
        c[14] = 32'h0001_0003; decode(c); expect_err("osplit bits without OSPLIT", 36, 14, 32'h0001_0003);
        c[15] = 1; c[14] = 3; decode(c); expect_err("w15 without OSPLIT", 36, 15, 1);
        c[15] = 1; c[14] = 0; decode(c); expect_err("split 0 before w15", 35, 0, 8);
        c = conv(); decode(c);
        if (src2 != 0 || split != 0) begin
            fails++;
            $display("tb_decode: FAIL src2/split without SPLIT");
        end
        c = conv(); c[13] = 32'h40; decode(c); expect_err("src2 without split", 36, 13, 32'h40);
        if (ec != 0) begin
            fails++;
            $display("tb_decode: FAIL src2 without split names OSPLIT");
        end
        c = conv(); c[14] = 3; decode(c); expect_err("split without flag", 36, 14, 3);
        c = conv(); c[13] = 32'h40; c[14] = 3; decode(c); expect_err("w13 before w14", 36, 13, 32'h40);
        c = conv(); c[14] = 32'h0003_0000; c[13] = 32'h40; decode(c); expect_err("SPLIT's words first", 36, 13);
        c = conv(); c[15] = 32'h40; decode(c); expect_err("dst2 without osplit", 36, 15, 32'h40);
        if (ec != 1) begin
            fails++;
            $display("tb_decode: FAIL dst2 without osplit names SPLIT");
        end
        c = conv(); c[12] = 32'h0000_01fe; c[13] = 1; decode(c); expect_err("w12 before w13", 21, 12);
        c = '0; c[0] = 32'h0000_2811; c[1] = 1; c[2] = 2; c[5] = {16'd4, 16'd3}; c[6] = {16'd3, 16'd4};
        c[7] = {16'd2, 16'd2}; c[8] = {8'd2, 8'd2, 8'd2, 8'd2}; c[9] = {16'd1, 8'd1, 8'd1};
        decode(c); expect_err("split on pool", 4, 32, 32'h20);

        // OSPLIT: an output in two parts (w15 dst2, w14 bits 16-31 osplit)
        c = conv(); c[0] = 32'h0000_4110; c[15] = 32'h8000_5000; c[14] = 32'h0009_0000; decode(c);
        expect_err("valid conv osplit", 0);
        if (flags != 8'h41 || dst != 32'h8000_2000 || dst2 != 32'h8000_5000 || osplit != 9 || split != 0 ||
            src2 != 0) begin
            fails++;
            $display("tb_decode: FAIL conv osplit fields");
        end
        c[0] = 32'h0000_6110; c[13] = 32'h40; c[14] = 32'h000f_0003; decode(c);
        expect_err("valid conv split and osplit", 0);
        if (src2 != 32'h40 || split != 3 || dst2 != 32'h8000_5000 || osplit != 15) begin
            fails++;
            $display("tb_decode: FAIL conv split and osplit fields");
        end
        c[14] = 32'h0000_0003; decode(c); expect_err("osplit 0", 37, 0, 16);
        c[14] = 32'h0010_0003; decode(c); expect_err("osplit out_c", 37, 16, 16);
        c[14] = 32'h0010_0008; decode(c); expect_err("split before osplit", 35, 8, 8);
        c[0] = 32'h0000_2110; c[15] = 0; c[14] = 32'h0010_0003; decode(c); expect_err("osplit without flag", 36, 14, 32'h0010_0003);
        c = '0; c[0] = 32'h0000_4011; c[1] = 1; c[2] = 2; c[5] = {16'd4, 16'd3}; c[6] = {16'd3, 16'd4};
        c[7] = {16'd2, 16'd2}; c[8] = {8'd2, 8'd2, 8'd2, 8'd2}; c[9] = {16'd1, 8'd1, 8'd1};
        decode(c); expect_err("osplit on pool", 4, 64, 32'h40);

        if (fails != 0) $fatal(1, "tb_decode: %0d of %0d cases wrong", fails, cases);
        $display("tb_decode: PASS (%0d encodings)", cases);
        $finish;
    end

endmodule

`default_nettype wire
