// tb_mac: npu_mac's products and accumulation.  Built twice by unit.sh:
// with +define+SYNTHESIS the array multiplies through mul8, the LUT
// multiplier synthesis builds; without it, through `*`.  Either way every
// one of the 65,536 signed 8x8 operand pairs goes through a 1x1 array and
// the accumulator must step by exactly a*b; then random steps on a 3x2
// array (bias starts, partial-sum loads with byte enables) against a
// model.
`default_nettype none
`timescale 1ns / 1ps

module tb_mac;
    logic clk = 1'b0;
    always #1 clk = ~clk;

    // ---- every operand pair on a 1x1 array ----
    logic        en1 = 1'b0, first1 = 1'b0;
    logic  [7:0] x1, w1;
    logic [31:0] acc1;
    npu_mac #(.ROWS(1), .COLS(1)) u_one (
        .i_clk(clk), .i_en(en1), .i_first(first1), .i_x(x1), .i_w(w1), .i_bias(32'd0),
        .i_ld(1'b0), .i_ld_col(1'b0), .i_ld_be(4'd0), .i_ld_data(32'd0), .o_acc(acc1));

    // ---- random steps on a 3x2 array ----
    localparam int R = 3, C = 2;
    logic              en = 1'b0, first = 1'b0, ld = 1'b0;
    logic [8*R-1:0]    x;
    logic [8*C-1:0]    w;
    logic [32*C-1:0]   bias;
    logic [C-1:0]      ld_col;
    logic [4*R-1:0]    ld_be;
    logic [32*R-1:0]   ld_data;
    logic [32*R*C-1:0] acc;
    npu_mac #(.ROWS(R), .COLS(C)) u_arr (
        .i_clk(clk), .i_en(en), .i_first(first), .i_x(x), .i_w(w), .i_bias(bias),
        .i_ld(ld), .i_ld_col(ld_col), .i_ld_be(ld_be), .i_ld_data(ld_data), .o_acc(acc));

    int errors = 0;
    int model[R*C];

    initial begin
        // a: the product of every pair, one step each, from a zero bias
        for (int a = -128; a < 128; a++)
            for (int b = -128; b < 128; b++) begin
                x1 = 8'(a);
                w1 = 8'(b);
                en1 = 1'b1;
                first1 = 1'b1;
                @(posedge clk);
                #0.5;
                if (signed'(acc1) != a * b) begin
                    if (errors < 10) $display("FAIL %0d * %0d: got %0d", a, b, signed'(acc1));
                    errors++;
                end
            end
        en1 = 1'b0;
        // b: random steps, loads and bias starts against a model
        for (int k = 0; k < R*C; k++) model[k] = 0;
        for (int n = 0; n < 20000; n++) begin
            int kind;
            kind = $urandom_range(0, 9);
            x = {$urandom, $urandom};
            w = 16'($urandom);
            bias = {$urandom, $urandom};
            ld_col = 2'($urandom);
            ld_be = 12'($urandom);
            ld_data = {$urandom, $urandom, $urandom};
            en = kind < 7;
            first = kind == 0;
            ld = kind >= 8;
            for (int c = 0; c < C; c++)
                for (int p = 0; p < R; p++) begin
                    int i;
                    i = c * R + p;
                    if (en)
                        model[i] = (first ? int'(bias[32*c +: 32]) : model[i]) +
                                   int'(signed'(x[8*p +: 8])) * int'(signed'(w[8*c +: 8]));
                    else if (ld && ld_col[c])
                        for (int b = 0; b < 4; b++)
                            if (ld_be[4*p + b]) model[i][8*b +: 8] = ld_data[32*p + 8*b +: 8];
                end
            @(posedge clk);
            #0.5;
            for (int i = 0; i < R*C; i++)
                if (acc[32*i +: 32] != model[i]) begin
                    if (errors < 10) $display("FAIL step %0d: acc %0d got %0d want %0d", n, i,
                                              signed'(acc[32*i +: 32]), model[i]);
                    errors++;
                end
        end
        if (errors == 0)
`ifdef SYNTHESIS
            $display("tb_mac: PASS (mul8): 65536 products, 20000 random steps on 3x2");
`else
            $display("tb_mac: PASS (*): 65536 products, 20000 random steps on 3x2");
`endif
        else $display("FAIL tb_mac: %0d errors", errors);
        $finish;
    end
endmodule

`default_nettype wire
