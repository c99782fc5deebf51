// npu_fetch: the stream's instructions, read ahead from DRAM through the
// DMA's fetch port into a buffer of IQ 64-byte slots.
//
// Slots are numbered from 0 at the stream base.  The unit requests slot s
// (one burst of 64/RD_BPC beats at base + 64*s) as soon as s < len and s is
// fewer than IQ slots past the oldest slot the sequencer still holds
// (head); the DMA serves fetch bursts before transfers.  Beats come back in
// order and fill the buffer, a RAM of IQ*64/RD_BPC rows of RD_BPC bytes;
// o_arrived counts the slots complete.  The sequencer reads slot s's row k
// (data the next cycle, held) once s < o_arrived, and frees slots in order
// with i_pop (i_pop_n slots at once: an instruction and its continuations).
`default_nettype none

module npu_fetch #(
    parameter int RD_BPC = 8,    // bytes a beat: 4..64, a power of two
    parameter int IQ     = 16    // slots, a power of two
) (
    input  wire logic              i_clk,
    input  wire logic              i_rst,
    input  wire logic              i_start,    // a run starts: forget everything
    input  wire logic       [31:0] i_base,     // DRAM address of slot 0 (a multiple of 64)
    input  wire logic       [31:0] i_len,      // slots in the stream
    // the DMA's fetch port
    output logic                   o_f_req,
    output logic            [31:0] o_f_addr,
    output logic             [7:0] o_f_len,
    input  wire logic              i_f_ack,
    input  wire logic              i_f_rvalid,
    input  wire logic [8*RD_BPC-1:0] i_f_rdata,
    // the sequencer
    output logic            [31:0] o_arrived,  // slots complete (from slot 0)
    input  wire logic              i_rd,
    input  wire logic       [31:0] i_rd_slot,
    input  wire logic        [5:0] i_rd_row,   // row of the slot, < 64/RD_BPC
    output logic  [8*RD_BPC-1:0]   o_rd_data,
    input  wire logic              i_pop,
    input  wire logic        [2:0] i_pop_n
);

    localparam int BPS = 64 / RD_BPC;                  // beats (rows) a slot
    localparam int RW  = $clog2(IQ * BPS);
    localparam int SW  = $clog2(IQ);
    localparam int BW  = BPS > 1 ? $clog2(BPS) : 1;

    logic [8*RD_BPC-1:0] mem_r [0:IQ*BPS-1];
    logic [8*RD_BPC-1:0] rd_r;
    logic         [31:0] head_r, req_r, arr_r;
    logic       [BW-1:0] beat_r;
    logic         [RW-1:0] wrow, rrow;

    assign o_f_req  = req_r < i_len && req_r - head_r < 32'(IQ) && !i_start;
    assign o_f_addr = i_base + {req_r[25:0], 6'd0};
    assign o_f_len  = 8'(BPS - 1);
    assign o_arrived = arr_r;

    // slots and rows are numbered in full; the buffer keeps their low bits
    logic unused_bits;
    assign unused_bits = ^{i_rd_slot[31:SW], i_rd_row[5:BW]};

    generate
        if (BPS > 1) begin : g_rows
            assign wrow = {arr_r[SW-1:0], beat_r};
            assign rrow = {i_rd_slot[SW-1:0], i_rd_row[BW-1:0]};
        end else begin : g_row
            assign wrow = arr_r[SW-1:0];
            assign rrow = i_rd_slot[SW-1:0];
        end
    endgenerate

    always_ff @(posedge i_clk) begin
        if (i_f_rvalid) mem_r[wrow] <= i_f_rdata;
        if (i_rd) rd_r <= mem_r[rrow];
    end

    always_ff @(posedge i_clk) begin
        if (i_f_ack) req_r <= req_r + 32'd1;
        if (i_f_rvalid) begin
            if (32'(beat_r) == 32'(BPS - 1)) begin
                beat_r <= '0;
                arr_r  <= arr_r + 32'd1;
            end else begin
                beat_r <= beat_r + 1'b1;
            end
        end
        if (i_pop) head_r <= head_r + 32'(i_pop_n);
        if (i_rst || i_start) begin
            head_r <= '0;
            req_r  <= '0;
            arr_r  <= '0;
            beat_r <= '0;
        end
    end

    assign o_rd_data = rd_r;

endmodule

`default_nettype wire
