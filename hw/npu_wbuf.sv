// npu_wbuf: the weight buffer, BYTES / COLS rows of COLS bytes in one
// simple-dual-port RAM: a write port for the DMA (a byte enable per byte)
// and a registered read port for the engines.
//
// A write (i_we) stores the bytes of i_wdata that i_wbe selects in row
// i_wrow at the clock edge.  A read (i_re) of row i_rrow shows the row on
// o_rdata from the next cycle on, held until the next read.
//
// Collisions: a read of a row written in the same cycle returns the bytes
// not written as they were and the bytes written as undefined ('x: the
// block RAM returns old, new or a mix; Verilator reads 0).  This is Yosys's
// "undefined collision" template, which maps to the bare RAM; the DMA must
// not write a row an engine reads in that cycle (the sequencer keeps LOADs
// off a running instruction's operands, so a collision is already a bug).
// Maps to DP16KD (synth_ecp5) and SB_RAM40_4K (synth_ice40).
// Latency: read data 1 cycle after i_re.
`default_nettype none

module npu_wbuf #(
    parameter int BYTES = 4096,   // WBUF_BYTES, a multiple of COLS
    parameter int COLS  = 4,      // bytes a row
    parameter int RW    = BYTES / COLS > 1 ? $clog2(BYTES / COLS) : 1  // row address bits
) (
    input  wire logic              i_clk,
    input  wire logic              i_we,       // DMA write
    input  wire logic     [RW-1:0] i_wrow,
    input  wire logic  [COLS-1:0]  i_wbe,
    input  wire logic [8*COLS-1:0] i_wdata,
    input  wire logic              i_re,       // engine read
    input  wire logic     [RW-1:0] i_rrow,
    output logic      [8*COLS-1:0] o_rdata     // the row read at the last i_re, held
);

    localparam int DEPTH = BYTES / COLS;

    logic [8*COLS-1:0] mem_r [0:DEPTH-1];
    logic [8*COLS-1:0] rdata_r;

    always_ff @(posedge i_clk) begin
        if (i_we)
            for (int k = 0; k < COLS; k++)
                if (i_wbe[k]) mem_r[i_wrow][8*k +: 8] <= i_wdata[8*k +: 8];
        if (i_re) begin
            rdata_r <= mem_r[i_rrow];
            // A byte written in the read's cycle reads as undefined: Yosys
            // then maps the RAM without bypass logic (otherwise it emulates
            // read-before-write across the two ports with a register and a
            // comparator per byte, since the block RAMs do not define it).
            for (int k = 0; k < COLS; k++)
                if (i_we && i_wbe[k] && i_wrow == i_rrow) rdata_r[8*k +: 8] <= 'x;
        end
    end

    assign o_rdata = rdata_r;

endmodule

`default_nettype wire
