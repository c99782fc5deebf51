// npu_imem: the stream memory, SLOTS instructions of 16 words, one read
// port of a whole instruction (registered).  The harness loads stream.bin
// into mem_r before reset is released; slots past SLOTS read as zero.
`default_nettype none

module npu_imem #(
    parameter int SLOTS = 1024
) (
    input  wire logic        i_clk,
    input  wire logic        i_en,
    input  wire logic [31:0] i_slot,
    output logic [15:0][31:0] o_w
);

    localparam int SW = SLOTS > 1 ? $clog2(SLOTS) : 1;

    logic [31:0] mem_r [SLOTS][16];
    logic [15:0][31:0] w_r;

    always_ff @(posedge i_clk)
        if (i_en) begin : rd
            logic [15:0][31:0] w;
            for (int k = 0; k < 16; k++) w[k] = i_slot < 32'(SLOTS) ? mem_r[i_slot[SW-1:0]][k] : 32'h0;
            w_r <= w;
        end

    assign o_w = w_r;

endmodule

`default_nettype wire
