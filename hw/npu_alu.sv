// npu_alu: the sequencer's arithmetic for its checks: operand hulls
// (products of a 48-bit value and a 16-bit count) and shape rules
// (quotients and remainders of 32-bit values by 16-bit ones).
//
// i_go starts an operation on i_a, i_b; o_done pulses when o_q (product or
// quotient) and o_r (remainder) are valid; they hold until the next i_go.
// A product takes 1 cycle (one 48x16 multiplier, registered).  A division
// is restoring, one quotient bit a cycle: 32 cycles; division by zero gives
// an all-ones quotient and the dividend as remainder (the sequencer never
// asks it).  The checks are off the hot path: the sequencer checks the
// next instruction while an engine runs the current one.
`default_nettype none

module npu_alu (
    input  wire logic        i_clk,
    input  wire logic        i_rst,
    input  wire logic        i_go,
    input  wire logic        i_div,    // 1: i_a / i_b (i_a < 2^32); 0: i_a * i_b
    input  wire logic [47:0] i_a,
    input  wire logic [15:0] i_b,
    output logic             o_done,
    output logic      [63:0] o_q,
    output logic      [31:0] o_r
);

    logic        busy_r, done_r;
    logic  [5:0] n_r;        // division steps left
    logic [31:0] quo_r;      // the dividend shifting out, the quotient shifting in
    logic [31:0] rem_r;      // partial remainder
    logic [15:0] dvs_r;
    logic [63:0] q_r;

    always_ff @(posedge i_clk) begin
        done_r <= 1'b0;
        if (i_go) begin
            if (i_div) begin
                busy_r <= 1'b1;
                n_r    <= 6'd32;
                quo_r  <= i_a[31:0];
                rem_r  <= '0;
                dvs_r  <= i_b;
            end else begin
                q_r    <= 64'(i_a) * 64'(i_b);
                done_r <= 1'b1;
            end
        end else if (busy_r) begin : step
            logic [32:0] r;
            logic        ge;
            r  = {rem_r, quo_r[31]};
            ge = r >= 33'(dvs_r);
            rem_r <= ge ? 32'(r - 33'(dvs_r)) : r[31:0];
            quo_r <= {quo_r[30:0], ge};
            n_r   <= n_r - 6'd1;
            if (n_r == 6'd1) begin
                busy_r <= 1'b0;
                done_r <= 1'b1;
                q_r    <= 64'({quo_r[30:0], ge});
            end
        end
        if (i_rst) begin
            busy_r <= 1'b0;
            done_r <= 1'b0;
        end
    end

    assign o_done = done_r;
    assign o_q    = q_r;
    assign o_r    = rem_r;

endmodule

`default_nettype wire
