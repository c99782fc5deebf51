// npu_bufs: the table of live SRAM buffers (ALLOC'd, not yet FREE'd).
//
// NBUF entries of [lo, hi), AW-bit byte addresses.  One registered lookup
// (i_q_en; answers the next cycle) compares all entries at once and
// answers three questions:
//   cover    the live buffer holding byte i_q_addr, and where it ends (the
//            sequencer walks an operand's hull buffer by buffer with it)
//   overlap  the live buffer overlapping [i_q_lo, i_q_hi) that starts last
//            (an ALLOC must overlap none)
//   exact    the live buffer starting at i_q_lo, and its size (a FREE
//            must name one exactly)
// i_alloc inserts [i_lo, i_lo + i_bytes) into the first free entry (o_full:
// none left, a limit of the hardware that the functional model does not
// have); i_free removes the buffer starting at i_lo.
`default_nettype none

module npu_bufs #(
    parameter int NBUF = 64,
    parameter int AW   = 32
) (
    input  wire logic          i_clk,
    input  wire logic          i_rst,
    input  wire logic          i_q_en,
    input  wire logic [AW-1:0] i_q_addr,
    input  wire logic [AW-1:0] i_q_lo,
    input  wire logic [AW-1:0] i_q_hi,
    output logic               o_cover,
    output logic      [AW-1:0] o_cover_hi,
    output logic               o_overlap,
    output logic      [AW-1:0] o_overlap_lo,
    output logic      [AW-1:0] o_overlap_hi,
    output logic               o_exact,
    output logic      [AW-1:0] o_exact_bytes,
    input  wire logic          i_alloc,
    input  wire logic          i_free,
    input  wire logic [AW-1:0] i_lo,
    input  wire logic [AW-1:0] i_bytes,
    output logic               o_full
);

    logic [NBUF-1:0]    live_r;
    logic [NBUF*AW-1:0] lo_r, hi_r;
    logic               cover_r, overlap_r, exact_r;
    logic [AW-1:0]      cover_hi_r, overlap_lo_r, overlap_hi_r, exact_bytes_r;

    always_ff @(posedge i_clk) begin
        if (i_q_en) begin : query
            logic          cov, ov, ex;
            logic [AW-1:0] cov_hi, ov_lo, ov_hi, ex_bytes, lo, hi;
            cov      = 1'b0;
            ov       = 1'b0;
            ex       = 1'b0;
            cov_hi   = '0;
            ov_lo    = '0;
            ov_hi    = '0;
            ex_bytes = '0;
            for (int b = 0; b < NBUF; b++) begin
                lo = lo_r[AW*b +: AW];
                hi = hi_r[AW*b +: AW];
                if (live_r[b] && lo <= i_q_addr && i_q_addr < hi) begin
                    cov    = 1'b1;
                    cov_hi = hi;
                end
                if (live_r[b] && lo < i_q_hi && i_q_lo < hi && (!ov || lo > ov_lo)) begin
                    ov    = 1'b1;
                    ov_lo = lo;
                    ov_hi = hi;
                end
                if (live_r[b] && lo == i_q_lo) begin
                    ex       = 1'b1;
                    ex_bytes = hi - lo;
                end
            end
            cover_r       <= cov;
            cover_hi_r    <= cov_hi;
            overlap_r     <= ov;
            overlap_lo_r  <= ov_lo;
            overlap_hi_r  <= ov_hi;
            exact_r       <= ex;
            exact_bytes_r <= ex_bytes;
        end
        if (i_alloc) begin : alloc
            logic found;
            found = 1'b0;
            for (int b = 0; b < NBUF; b++)
                if (!live_r[b] && !found) begin
                    found              = 1'b1;
                    live_r[b]          <= 1'b1;
                    lo_r[AW*b +: AW]   <= i_lo;
                    hi_r[AW*b +: AW]   <= i_lo + i_bytes;
                end
        end
        if (i_free)
            for (int b = 0; b < NBUF; b++)
                if (live_r[b] && lo_r[AW*b +: AW] == i_lo) live_r[b] <= 1'b0;
        if (i_rst) live_r <= '0;
    end

    assign o_cover       = cover_r;
    assign o_cover_hi    = cover_hi_r;
    assign o_overlap     = overlap_r;
    assign o_overlap_lo  = overlap_lo_r;
    assign o_overlap_hi  = overlap_hi_r;
    assign o_exact       = exact_r;
    assign o_exact_bytes = exact_bytes_r;
    assign o_full        = &live_r;

endmodule

`default_nettype wire
