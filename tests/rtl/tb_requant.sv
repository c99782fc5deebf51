// tb_requant: npu_requant against the reference interpreter's own
// requantization (src/ref.c, ref_requant and ref_clamp8, called through
// DPI): edge values of the accumulator, multiplier and shift (saturating
// left shifts, INT32_MIN * INT32_MIN, shifts past 31), then random ones;
// lanes past i_lanes keep their values; every lane has its own multiplier
// and shift (per-channel requantization).
`default_nettype none
`timescale 1ns / 1ps

module tb_requant;
    import "DPI-C" function int ref_requant(input int acc, input int qmul, input int qshift);
    import "DPI-C" function byte ref_clamp8(input int v, input bit relu);

    localparam int LANES = 4;
    localparam int N = 40000;

    logic                   clk = 1'b0;
    logic                   valid;
    logic [LANES-1:0][31:0] acc;
    logic [LANES-1:0][31:0] qmul;
    logic  [LANES-1:0][7:0] qshift;
    logic                   relu;
    logic            [15:0] lanes;
    logic  [LANES-1:0][7:0] q;
    logic  [LANES-1:0][7:0] old;
    int                     fails = 0, checks = 0;

    npu_requant #(
        .LANES(LANES)
    ) u_dut (
        .i_clk   (clk),
        .i_valid (valid),
        .i_lanes (lanes),
        .i_acc   (acc),
        .i_qmul  (qmul),
        .i_qshift(qshift),
        .i_relu  (relu),
        .o_q     (q)
    );

    always #5 clk = ~clk;

    function automatic logic [31:0] pick(input int k);
        case (k % 8)
            0: return 32'h8000_0000;
            1: return 32'h7fff_ffff;
            2: return 32'h0;
            3: return 32'h1;
            4: return 32'hffff_ffff;
            5: return 32'h4000_0000;
            default: return $urandom;
        endcase
    endfunction

    initial begin
        valid = 1'b0;
        @(negedge clk);
        for (int n = 0; n < N; n++) begin
            valid = 1'b1;
            for (int l = 0; l < LANES; l++)
                acc[l] = n < 4096 ? pick(n / 64 + l) : $urandom >> ($urandom % 32);
            for (int l = 0; l < LANES; l++) begin
                qmul[l]   = n < 4096 ? pick(n / 8 + l * (n % 2)) :
                            (n % 3 == 0 ? $urandom : 32'h4000_0000 | ($urandom >> 2));
                qshift[l] = n < 4096 ? 8'(n % 64 - 32 + (n / 2048) * 96 + l * (n % 3)) : 8'($urandom);
            end
            relu   = n[0];
            lanes  = n % 5 == 4 ? 16'($urandom % LANES) : 16'(LANES);
            old    = q;
            @(negedge clk);
            for (int l = 0; l < LANES; l++) begin
                byte want;
                want = ref_clamp8(ref_requant(int'(acc[l]), int'(qmul[l]), int'(signed'(qshift[l]))), relu);
                if (l >= int'(lanes)) want = byte'(old[l]);
                checks++;
                if (q[l] != 8'(want)) begin
                    fails++;
                    if (fails <= 10)
                        $display("tb_requant: FAIL acc=%0d qmul=%0d qshift=%0d relu=%0d: got %0d, want %0d",
                                 signed'(acc[l]), signed'(qmul[l]), signed'(qshift[l]), relu,
                                 signed'(q[l]), want);
                end
            end
        end
        if (fails != 0) $fatal(1, "tb_requant: %0d of %0d lanes wrong", fails, checks);
        $display("tb_requant: PASS (%0d lanes)", checks);
        $finish;
    end

endmodule

`default_nettype wire
