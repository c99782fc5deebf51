// npu_mac: the convolution engine's ROWS x COLS array of int8 MACs.
//
// Outer product, output-stationary: lane p (an output pixel) and column k
// (an output channel) own accumulator acc[p][k].  Each cycle with i_en the
// array takes one reduction step: the ROWS lane inputs i_x (0 for a lane
// that reads padding) and the COLS column weights i_w, and
//     acc[p][k] = (i_first ? i_bias[k] : acc[p][k]) + x[p] * w[k]
// for every p and k.  Accumulation wraps like two's complement int32
// hardware, as src/ref.c's does.  With i_ld (never with i_en) the
// accumulators of the columns in i_ld_col take i_ld_data's bytes where
// i_ld_be is set: the engine loads partial sums (flag PSUM) through it,
// one window of the scratchpad at a time.
//
// The 8x8 signed products are built from LUTs, not from the FPGA's
// multipliers (those are kept for requantization): Baugh-Wooley partial
// products, summed by a balanced adder tree, then one 32-bit add into the
// accumulator.  Single cycle: a step's inputs at a clock edge are in the
// accumulators after it.  No reset: datapath registers only (the engine
// starts every output from i_first or from a load).
`default_nettype none

module npu_mac #(
    parameter int ROWS = 4,   // pixel lanes
    parameter int COLS = 4    // output-channel columns
) (
    input  wire logic                     i_clk,
    input  wire logic                     i_en,       // accumulate a reduction step
    input  wire logic                     i_first,    // the step starts from i_bias
    input  wire logic [8*ROWS-1:0]        i_x,        // lane p's input at [8*p +: 8]
    input  wire logic [8*COLS-1:0]        i_w,        // column k's weight at [8*k +: 8]
    input  wire logic [32*COLS-1:0]       i_bias,     // column k's bias at [32*k +: 32]
    input  wire logic                     i_ld,       // load partial sums
    input  wire logic [COLS-1:0]          i_ld_col,   // into these columns
    input  wire logic [4*ROWS-1:0]        i_ld_be,    // byte enables over a column's lanes
    input  wire logic [32*ROWS-1:0]       i_ld_data,  // lane p's word at [32*p +: 32]
    output logic      [32*ROWS*COLS-1:0]  o_acc       // acc[p][k] at [32*(k*ROWS + p) +: 32]
);

    // Signed 8x8 -> 16-bit product (Baugh-Wooley).  Row i < 7 is
    // a[i] & b[6:0] with ~(a[i] & b[7]) on top, row 7 is ~(a[7] & b[6:0])
    // with a[7] & b[7] on top, row i weighing 2^i; the correction constant
    // 2^8 + 2^15 rides in the free bit 8 of rows 0 and 7.  The tree's sums
    // are exactly as wide as their values: each is then its own adder
    // (an FPGA carry chain) instead of one wide multi-operand sum that
    // synthesis would build from LUTs (Yosys merges additions of equal
    // width into one $macc).
    function automatic logic [15:0] mul8(input logic [7:0] a, input logic [7:0] b);
        logic [71:0] r;     // row i at [9*i +: 9], without its shift
        logic [10:0] t0, t1, t2;
        logic  [9:0] t3;    // t3 and u1 weigh 2^12 and 2^4: their tops drop out of 16 bits
        logic [13:0] u0;
        logic [11:0] u1;
        for (int i = 0; i < 7; i++)
            r[9*i +: 9] = {1'b0, ~(a[i] & b[7]), {7{a[i]}} & b[6:0]};
        r[8]      = 1'b1;
        r[63 +: 9] = {1'b1, a[7] & b[7], ~({7{a[7]}} & b[6:0])};
        t0   = {2'b0, r[0 +: 9]} + {1'b0, r[9 +: 9], 1'b0};
        t1   = {2'b0, r[18 +: 9]} + {1'b0, r[27 +: 9], 1'b0};
        t2   = {2'b0, r[36 +: 9]} + {1'b0, r[45 +: 9], 1'b0};
        t3   = {1'b0, r[54 +: 9]} + {r[63 +: 9], 1'b0};
        u0   = {3'b0, t0} + {1'b0, t1, 2'b0};
        u1   = {1'b0, t2} + {t3, 2'b0};
        mul8 = {2'b0, u0} + {u1, 4'b0};
    endfunction

    logic [32*ROWS*COLS-1:0] acc_r;

    // Synthesis builds the products from mul8; simulation multiplies (the
    // same function of a and b: tests/rtl/tb_mac.sv checks mul8 against
    // the product for all 65,536 operand pairs).
    function automatic logic [15:0] product(input logic [7:0] a, input logic [7:0] b);
`ifdef SYNTHESIS
        product = mul8(a, b);
`else
        product = 16'(signed'(a) * signed'(b));
`endif
    endfunction

    always_ff @(posedge i_clk)
        if (i_en) begin
            for (int k = 0; k < COLS; k++)
                for (int p = 0; p < ROWS; p++) begin : mac
                    logic [31:0] base;
                    logic [15:0] prod;
                    base = i_first ? i_bias[32*k +: 32] : acc_r[32*(k*ROWS + p) +: 32];
                    prod = product(i_x[8*p +: 8], i_w[8*k +: 8]);
                    acc_r[32*(k*ROWS + p) +: 32] <= base + {{16{prod[15]}}, prod};
                end
        end else if (i_ld) begin
            for (int k = 0; k < COLS; k++)
                for (int p = 0; p < ROWS; p++)
                    for (int b = 0; b < 4; b++)
                        if (i_ld_col[k] && i_ld_be[4*p + b])
                            acc_r[32*(k*ROWS + p) + 8*b +: 8] <= i_ld_data[32*p + 8*b +: 8];
        end

    assign o_acc = acc_r;

endmodule

`default_nettype wire
