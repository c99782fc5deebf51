// npu_bufs: the table of live SRAM buffers (ALLOC'd, not yet FREE'd).
//
// NBUF entries of [lo, hi): byte addresses of the SRAM, AW = the bits of
// SRAM_BYTES (hi may be SRAM_BYTES itself).  The ports carry 32-bit
// addresses; an address past AW bits matches no entry.  One registered
// lookup (i_q_en; answers the next cycle) compares all entries at once and
// answers three questions:
//   cover    the live buffer holding byte i_q_addr, and where it ends (the
//            sequencer walks an operand's hull buffer by buffer with it)
//   overlap  the live buffer overlapping [i_q_lo, i_q_hi) that starts last
//            (an ALLOC must overlap none)
//   exact    the live buffer starting at i_q_lo, and its size (a FREE
//            must name one exactly)
// Live buffers are disjoint and not empty (the checker refuses an ALLOC
// that is empty or overlaps one), so at most one entry covers a byte or
// starts at an address: those two answers are an OR over the entries,
// not a priority chain.
// i_alloc inserts [i_lo, i_lo + i_bytes) into the first free entry (o_full:
// none left, a limit of the hardware that the functional model does not
// have); i_free removes the buffer starting at i_lo.
`default_nettype none

module npu_bufs #(
    parameter int NBUF       = 64,
    parameter int SRAM_BYTES = 8192
) (
    input  wire logic        i_clk,
    input  wire logic        i_rst,
    input  wire logic        i_q_en,
    input  wire logic [31:0] i_q_addr,
    input  wire logic [31:0] i_q_lo,
    input  wire logic [31:0] i_q_hi,
    output logic             o_cover,
    output logic      [31:0] o_cover_hi,
    output logic             o_overlap,
    output logic      [31:0] o_overlap_lo,
    output logic      [31:0] o_overlap_hi,
    output logic             o_exact,
    output logic      [31:0] o_exact_bytes,
    input  wire logic        i_alloc,
    input  wire logic        i_free,
    input  wire logic [31:0] i_lo,
    input  wire logic [31:0] i_bytes,
    output logic             o_full
);

    localparam int AW = $clog2(SRAM_BYTES + 1);

    logic [NBUF-1:0]    live_r;
    logic [NBUF*AW-1:0] lo_r, hi_r;
    logic               cover_r, overlap_r, exact_r;
    logic [AW-1:0]      cover_hi_r, overlap_lo_r, overlap_hi_r, exact_lo_r, exact_hi_r;

    // the query's addresses in AW bits, and whether they fit
    logic [AW-1:0] q_addr, q_lo, q_hi;
    logic          addr_in, lo_in, hi_in;
    assign q_addr  = i_q_addr[AW-1:0];
    assign q_lo    = i_q_lo[AW-1:0];
    assign q_hi    = i_q_hi[AW-1:0];
    assign addr_in = i_q_addr[31:AW] == '0;
    logic [AW-1:0] exact_bytes;
    assign exact_bytes = exact_hi_r - exact_lo_r;
    // an ALLOC reaches the table only once it is inside the SRAM (AW bits)
    logic unused_bits;
    assign unused_bits = ^{i_lo[31:AW], i_bytes[31:AW]};
    assign lo_in   = i_q_lo[31:AW] == '0;
    assign hi_in   = i_q_hi[31:AW] == '0;

    always_ff @(posedge i_clk) begin
        if (i_q_en) begin : query
            logic          cov, ov, ex;
            logic [AW-1:0] cov_hi, ov_lo, ov_hi, ex_lo, ex_hi, lo, hi;
            cov    = 1'b0;
            ov     = 1'b0;
            ex     = 1'b0;
            cov_hi = '0;
            ov_lo  = '0;
            ov_hi  = '0;
            ex_lo  = '0;
            ex_hi  = '0;
            for (int b = 0; b < NBUF; b++) begin
                lo = lo_r[AW*b +: AW];
                hi = hi_r[AW*b +: AW];
                if (live_r[b] && addr_in && lo <= q_addr && q_addr < hi) begin
                    cov    = 1'b1;
                    cov_hi = cov_hi | hi;
                end
                // a range reaching past AW bits overlaps whatever ends past its start
                if (live_r[b] && lo_in && (!hi_in || lo < q_hi) && q_lo < hi && (!ov || lo > ov_lo)) begin
                    ov    = 1'b1;
                    ov_lo = lo;
                    ov_hi = hi;
                end
                if (live_r[b] && lo_in && lo == q_lo) begin
                    ex    = 1'b1;
                    ex_lo = ex_lo | lo;
                    ex_hi = ex_hi | hi;
                end
            end
            cover_r      <= cov;
            cover_hi_r   <= cov_hi;
            overlap_r    <= ov;
            overlap_lo_r <= ov_lo;
            overlap_hi_r <= ov_hi;
            exact_r      <= ex;
            exact_lo_r   <= ex_lo;
            exact_hi_r   <= ex_hi;
        end
        if (i_alloc) begin : alloc
            logic found;
            found = 1'b0;
            for (int b = 0; b < NBUF; b++)
                if (!live_r[b] && !found) begin
                    found              = 1'b1;
                    live_r[b]          <= 1'b1;
                    lo_r[AW*b +: AW]   <= i_lo[AW-1:0];
                    hi_r[AW*b +: AW]   <= i_lo[AW-1:0] + i_bytes[AW-1:0];
                end
        end
        if (i_free)
            for (int b = 0; b < NBUF; b++)
                if (live_r[b] && lo_r[AW*b +: AW] == i_lo[AW-1:0]) live_r[b] <= 1'b0;
        if (i_rst) live_r <= '0;
    end

    assign o_cover       = cover_r;
    assign o_cover_hi    = 32'(cover_hi_r);
    assign o_overlap     = overlap_r;
    assign o_overlap_lo  = 32'(overlap_lo_r);
    assign o_overlap_hi  = 32'(overlap_hi_r);
    assign o_exact       = exact_r;
    assign o_exact_bytes = 32'(exact_bytes);
    assign o_full        = &live_r;

endmodule

`default_nettype wire
