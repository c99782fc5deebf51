// npu_requant: LANES int32 accumulators to int8, one registered stage.
//
// TensorFlow Lite's requantization, bit for bit as src/ref.c computes it:
//     x   = qshift < 0 ? sat32(acc << min(-qshift, 31)) : acc
//     hi  = SaturatingRoundingDoublingHighMul(x, qmul)
//         = (x * qmul + (x * qmul >= 0 ? 2^30 : 1 - 2^30)) / 2^31, truncating
//           toward zero; INT32_MIN * INT32_MIN saturates to INT32_MAX
//     out = RoundingDivideByPOT(hi, min(max(qshift, 0), 31)), rounding half
//           away from zero
// then a clamp to [-128, 127], or [0, 127] with i_relu.  Each lane has its
// own qmul and qshift (per-channel requantization, flag PERCH; the engines
// give every lane the same pair otherwise) and they share relu; the stage
// only switches when i_valid is high, and then only its first i_lanes
// lanes (the others keep their old values).
`default_nettype none

module npu_requant #(
    parameter int LANES = 4
) (
    input  wire logic              i_clk,
    input  wire logic              i_valid,
    input  wire logic       [15:0] i_lanes,
    input  wire logic [LANES-1:0][31:0] i_acc,
    input  wire logic [LANES-1:0][31:0] i_qmul,
    input  wire logic [LANES-1:0][7:0] i_qshift,
    input  wire logic              i_relu,
    output logic      [LANES-1:0][7:0] o_q
);

    logic [LANES-1:0][7:0] q_r;

    function automatic logic [7:0] requant8(input logic [31:0] acc, input logic [31:0] qmul,
                                            input logic [7:0] qshift, input logic relu);
        logic signed [63:0] x, b, ab, t, hi, mask, rem, thr, res, lo;
        logic signed  [7:0] sh;
        int                 ls, rs;
        sh = signed'(qshift);
        x  = 64'(signed'(acc));
        if (sh < 0) begin
            ls = -int'(sh);
            if (ls > 31) ls = 31;
            x = x <<< ls;
            if (x > 64'sd2147483647) x = 64'sd2147483647;
            else if (x < -64'sd2147483648) x = -64'sd2147483648;
        end
        b = 64'(signed'(qmul));
        if (x == -64'sd2147483648 && b == -64'sd2147483648) begin
            hi = 64'sd2147483647;
        end else begin
            ab = x * b;
            t  = ab + (ab >= 0 ? 64'sd1073741824 : 64'sd1 - 64'sd1073741824);
            hi = t >= 0 ? t >>> 31 : -((-t) >>> 31);
        end
        res = hi;
        if (sh > 0) begin
            rs   = int'(sh);
            if (rs > 31) rs = 31;
            mask = (64'sd1 <<< rs) - 64'sd1;
            rem  = hi & mask;
            thr  = (mask >>> 1) + (hi < 0 ? 64'sd1 : 64'sd0);
            res  = (hi >>> rs) + (rem > thr ? 64'sd1 : 64'sd0);
        end
        lo = relu ? 64'sd0 : -64'sd128;
        if (res < lo) res = lo;
        if (res > 64'sd127) res = 64'sd127;
        return res[7:0];
    endfunction

    always_ff @(posedge i_clk) begin
        if (i_valid)
            for (int l = 0; l < LANES; l++)
                if (16'(l) < i_lanes) q_r[l] <= requant8(i_acc[l], i_qmul[l], i_qshift[l], i_relu);
    end

    assign o_q     = q_r;

endmodule

`default_nettype wire
