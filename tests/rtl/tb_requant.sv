// tb_requant: npu_requant against the reference interpreter's own
// requantization (src/ref.c, ref_requant and ref_clamp8, called through
// DPI).  Edge values first (INT32_MIN and INT32_MAX accumulators, qmul =
// INT32_MIN, every qshift from -40 to 40, relu on and off), then random
// ones; qmul, qshift and relu change every cycle (they travel with their
// inputs), and cycles with i_en low must hold the pipeline: every result
// comes out exactly two enabled cycles after its inputs.
`default_nettype none
`timescale 1ns / 1ps

module tb_requant #(
    parameter int LANES = 4,
    parameter int N     = 60000,
    parameter int SEED  = 1
);
    import "DPI-C" function int ref_requant(input int acc, input int qmul, input int qshift);
    import "DPI-C" function byte ref_clamp8(input int v, input bit relu);

    logic                clk = 1'b0;
    logic                en = 1'b0;
    logic [32*LANES-1:0] acc;
    logic         [31:0] qmul;
    logic          [7:0] qshift;
    logic                relu;
    logic  [8*LANES-1:0] q;
    int                  fails = 0, checks = 0;

    // expected results of the inputs presented on enabled cycles, in order
    logic [8*LANES-1:0] want_q [$];

    npu_requant #(
        .LANES(LANES)
    ) u_dut (
        .i_clk   (clk),
        .i_en    (en),
        .i_acc   (acc),
        .i_qmul  (qmul),
        .i_qshift(qshift),
        .i_relu  (relu),
        .o_q     (q)
    );

    always #5 clk = ~clk;

    function automatic logic [31:0] pick(input int k);
        case (k % 10)
            0: pick = 32'h8000_0000;
            1: pick = 32'h7fff_ffff;
            2: pick = 32'h0;
            3: pick = 32'h1;
            4: pick = 32'hffff_ffff;
            5: pick = 32'h4000_0000;
            6: pick = 32'h8000_0001;
            7: pick = 32'hc000_0000;
            8: pick = 32'h7fff_0000 | ($urandom & 32'hffff);
            default: pick = $urandom;
        endcase
    endfunction

    initial begin : main
        int n_en;
        void'($urandom(SEED));
        n_en = 0;
        @(negedge clk);
        for (int n = 0; n < N; n++) begin
            logic [8*LANES-1:0] w;
            en = n < 2000 ? 1'b1 : ($urandom % 4 != 0);
            for (int l = 0; l < LANES; l++)
                acc[32*l +: 32] = n < 20000 ? pick(n / 10 + 3 * l + n) : $urandom >> ($urandom % 32);
            if (n < 20000) begin
                qmul   = pick(n / 100 + n % 7);
                qshift = 8'(n % 81 - 40);
            end else begin
                qmul   = n % 3 == 0 ? $urandom : 32'h4000_0000 | ($urandom >> 2);
                qshift = n % 5 == 0 ? 8'($urandom) : 8'($urandom % 48 - 16);
            end
            relu = 1'(n / 3);
            for (int l = 0; l < LANES; l++)
                w[8*l +: 8] = ref_clamp8(ref_requant(int'(acc[32*l +: 32]), int'(qmul), int'(signed'(qshift))),
                                         relu);
            if (en) begin
                want_q.push_back(w);
                n_en++;
            end
            @(negedge clk);
            // after the k-th enabled edge o_q is the result of the (k-1)-th
            // enabled input; a disabled edge holds it
            if (n_en >= 2) begin
                logic [8*LANES-1:0] exp_q;
                exp_q = want_q[n_en - 2];
                for (int l = 0; l < LANES; l++) begin
                    checks++;
                    if (q[8*l +: 8] !== exp_q[8*l +: 8]) begin
                        fails++;
                        if (fails <= 10)
                            $display("tb_requant: FAIL cycle %0d lane %0d: got %0d, want %0d", n, l,
                                     signed'(q[8*l +: 8]), signed'(exp_q[8*l +: 8]));
                    end
                end
            end
        end
        if (fails != 0) $display("tb_requant: FAIL %0d of %0d lane results wrong", fails, checks);
        else $display("tb_requant: PASS (%0d lane results, LANES=%0d)", checks, LANES);
        $finish;
    end

endmodule

`default_nettype wire
