// npu_bank: one scratchpad bank, a single-port RAM of DEPTH words of BB
// bytes with a write enable per byte.
//
// One access a cycle (i_en): a write of the bytes i_be selects, or a read
// of the word at i_row, whose data o_rdata shows from the next cycle on and
// holds until the next read (a write leaves it unchanged).  Written as
// Yosys's single-port RAM template, read and write in one process with the
// read in the write's else branch ("no change" on write): SB_SPRAM256KA
// has only that mode (reading on writes too, "read first", makes Yosys
// fall back to SB_RAM40_4K blocks), and DP16KD and SB_RAM40_4K map it too:
//   synth_ecp5:         BB=1 DEPTH=2048  -> one DP16KD
//   synth_ice40:        BB=1 DEPTH=2048  -> four SB_RAM40_4K
//   synth_ice40 -spram: BB=2 DEPTH=16384 -> one SB_SPRAM256KA
// Latency: a read's data 1 cycle after i_en.
`default_nettype none

module npu_bank #(
    parameter int BB    = 1,     // bytes a word
    parameter int DEPTH = 1024,  // words
    parameter int RW    = DEPTH > 1 ? $clog2(DEPTH) : 1  // row bits (do not override)
) (
    input  wire logic            i_clk,
    input  wire logic            i_en,     // access this cycle
    input  wire logic            i_we,     // write (else read)
    input  wire logic [RW-1:0]   i_row,
    input  wire logic [BB-1:0]   i_be,     // byte enables of a write
    input  wire logic [8*BB-1:0] i_wdata,
    output logic      [8*BB-1:0] o_rdata   // the word read at the last read, held
);

    logic [8*BB-1:0] mem_r [0:DEPTH-1];
    logic [8*BB-1:0] rdata_r;

    always_ff @(posedge i_clk) begin
        if (i_en) begin
            if (i_we) begin
                for (int k = 0; k < BB; k++)
                    if (i_be[k]) mem_r[i_row][8*k +: 8] <= i_wdata[8*k +: 8];
            end else begin
                rdata_r <= mem_r[i_row];
            end
        end
    end

    assign o_rdata = rdata_r;

endmodule

`default_nettype wire
