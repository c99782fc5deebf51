// npu_requant: LANES int32 accumulators to int8, a two-stage pipeline.
//
// TensorFlow Lite's requantization, bit for bit as src/ref.c computes it
// (ref_requant, then ref_clamp8):
//     x   = qshift < 0 ? sat32(acc << min(-qshift, 31)) : acc
//     hi  = SaturatingRoundingDoublingHighMul(x, qmul)
//         = (x * qmul + (x * qmul >= 0 ? 2^30 : 1 - 2^30)) / 2^31, truncating
//           toward zero; INT32_MIN * INT32_MIN saturates to INT32_MAX
//     out = RoundingDivideByPOT(hi, min(max(qshift, 0), 31)), rounding half
//           away from zero
// then a clamp to [-128, 127], or [0, 127] with i_relu.  All lanes share
// qmul, qshift and relu (one output channel a cycle in the convolution
// engine, one instruction's pair in the vector unit).
//
// Pipeline: every cycle with i_en high both stages advance; o_q is the
// result for the inputs presented two enabled cycles earlier (latency 2,
// one result per enabled cycle).  i_qmul, i_qshift and i_relu travel with
// their inputs, so they may change every cycle.
//     stage 1: the saturating left shift, then the 32x32 -> 64-bit product
//              (one product per lane: synthesis maps it to DSP multipliers)
//     stage 2: the rounding high half, the rounding right shift, the clamp
// Only datapath registers: no reset.
//
// Two identities keep the logic small:
//   - (x*qmul + nudge) / 2^31 truncated toward zero equals
//     floor((x*qmul + 2^30) / 2^31) for either sign of the product, i.e.
//     product[62:31] + product[30] (the result fits 32 bits but for the
//     saturating case);
//   - acc << s fits 32 bits exactly when acc's top s+1 bits are all equal.
`default_nettype none

module npu_requant #(
    parameter int LANES = 4
) (
    input  wire logic                i_clk,
    input  wire logic                i_en,      // advance the pipeline this cycle
    input  wire logic [32*LANES-1:0] i_acc,     // lane l at [32*l +: 32]
    input  wire logic         [31:0] i_qmul,    // Q31 multiplier
    input  wire logic          [7:0] i_qshift,  // signed: > 0 shifts right, < 0 left
    input  wire logic                i_relu,    // clamp at 0
    output logic      [8*LANES-1:0]  o_q        // int8 per lane, lane l at [8*l +: 8]
);

    // ---- shared decode of the shift ----
    logic signed [7:0] sh;
    logic        [4:0] ls;      // left shift, min(-qshift, 31)
    logic        [4:0] rs;      // right shift, min(qshift, 31)
    logic       [31:0] topm;    // the top ls+1 bits: they must agree for acc << ls to fit
    logic              qmin;    // qmul == INT32_MIN

    assign sh   = signed'(i_qshift);
    assign ls   = sh >= 0 ? 5'd0 : sh < -8'sd31 ? 5'd31 : 5'(-sh);
    assign rs   = sh <= 0 ? 5'd0 : sh > 8'sd31 ? 5'd31 : 5'(sh);
    assign topm = 32'hffff_ffff << (5'd31 - ls);
    assign qmin = i_qmul == 32'h8000_0000;

    // ---- stage 1: x, and its product with qmul ----
    logic [64*LANES-1:0] prod_r;  // lane l's product at 64*l; stage 2 uses bits 62..30 (synthesis drops the rest)
    logic   [LANES-1:0] sat_r;   // INT32_MIN * INT32_MIN: the high half saturates
    logic         [4:0] rs_r;
    logic               relu_r;

    always_ff @(posedge i_clk)
        if (i_en) begin
            for (int l = 0; l < LANES; l++) begin : s1
                logic        [31:0] a, top;
                logic signed [31:0] x;
                a   = i_acc[32*l +: 32];
                top = a & topm;
                if (top == 32'h0 || top == topm) x = signed'(a << ls);
                else x = a[31] ? 32'sh8000_0000 : 32'sh7fff_ffff;
                prod_r[64*l +: 64] <= x * signed'(i_qmul);
                sat_r[l]  <= qmin && x == 32'sh8000_0000;
            end
            rs_r   <= rs;
            relu_r <= i_relu;
        end

    // ---- stage 2: rounding high half, rounding right shift, clamp ----
    // RoundingDivideByPOT(hi, rs) = (hi >> rs) + 1 exactly when the last bit
    // shifted out, hi[rs-1], is 1 and, for a negative hi, some bit under it
    // is 1 too (the remainder exceeds half, or equals it for hi >= 0: away
    // from zero).  The clamp needs only whether hi >> rs fits 8 bits (hi's
    // bits rs+7 and up all equal) and its low byte: a 9-bit window of hi,
    // not a whole shifter, and no 32-bit add or compare.
    logic       [31:0] below;    // hi's bits under the last one shifted out
    logic       [31:0] topr;     // hi's bits rs+7 and up
    logic [8*LANES-1:0] q_r;

    assign below = ~(32'hffff_ffff << rs_r) >> 1;
    assign topr  = rs_r > 5'd24 ? 32'h0 : 32'hffff_ffff << (rs_r + 5'd7);

    always_ff @(posedge i_clk)
        if (i_en)
            for (int l = 0; l < LANES; l++) begin : s2
                logic        [31:0] hi;
                logic        [40:0] ext;     // {sign x 8, hi, 0}: bit j is hi[j-1]
                logic         [8:0] win;     // hi[rs+7 : rs-1]
                logic               up, over, under;
                logic signed  [8:0] v;
                hi    = sat_r[l] ? 32'h7fff_ffff : prod_r[64*l+31 +: 32] + {31'h0, prod_r[64*l+30]};
                ext   = {{8{hi[31]}}, hi, 1'b0};
                win   = ext[6'(rs_r) +: 9];
                up    = win[0] && (!hi[31] || (hi & below) != 32'h0);
                over  = !hi[31] && (hi & topr) != 32'h0;    // hi >> rs > 127
                under = hi[31] && (hi & topr) != topr;      // hi >> rs < -128
                v     = signed'(win[8:1]) + (up ? 9'sd1 : 9'sd0);
                if (over || (!under && v > 9'sd127)) q_r[8*l +: 8] <= 8'sd127;
                else if (under || (relu_r && v < 9'sd0)) q_r[8*l +: 8] <= relu_r ? 8'sd0 : -8'sd128;
                else q_r[8*l +: 8] <= v[7:0];
            end

    assign o_q = q_r;

endmodule

`default_nettype wire
