// npu_mac: the ROWS x COLS MAC array of the convolution engine.
//
// Each enabled cycle every column c sums ROWS int8 x int8 products of the
// shared input vector i_x (one value per row: an input channel and kernel
// tap) with its own weights i_w[c], and adds the sum to its int32
// accumulator, or to i_init[c] (the bias or the partial sums the output
// starts from) when i_first is set.  Accumulation wraps like two's
// complement hardware, as the reference interpreter's does.  Rows whose
// input is padding get i_x = 0 from the engine; rows from i_nrows on (past
// the reduction) and columns outside i_cmask (past the output channels)
// are idle, clock-gated (their accumulators keep their values), and their
// weights need not be valid.
`default_nettype none

module npu_mac #(
    parameter int ROWS = 4,
    parameter int COLS = 4
) (
    input  wire logic        i_clk,
    input  wire logic        i_en,
    input  wire logic        i_first,
    input  wire logic [COLS-1:0] i_cmask,
    input  wire logic [15:0] i_nrows,
    input  wire logic [ROWS-1:0][7:0] i_x,
    input  wire logic [COLS-1:0][ROWS-1:0][7:0] i_w,
    input  wire logic [COLS-1:0][31:0] i_init,
    output logic      [COLS-1:0][31:0] o_acc
);

    logic [COLS-1:0][31:0] acc_r;

    always_ff @(posedge i_clk) begin
        if (i_en)
            for (int c = 0; c < COLS; c++)
                if (i_cmask[c]) begin : col
                    logic [31:0] s;
                    s = i_first ? i_init[c] : acc_r[c];
                    for (int r = 0; r < ROWS; r++)
                        if (16'(r) < i_nrows)
                            s = s + ({{24{i_x[r][7]}}, i_x[r]} * {{24{i_w[c][r][7]}}, i_w[c][r]});
                    acc_r[c] <= s;
                end
    end

    assign o_acc = acc_r;

endmodule

`default_nettype wire
