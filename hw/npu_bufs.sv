// npu_bufs: the table of live SRAM buffers (ALLOC'd, not yet FREE'd).
//
// NBUF entries of [lo, hi).  One registered lookup (i_q_en; answers the
// next cycle) compares all entries at once and answers three questions:
//   cover    the live buffer holding byte i_q_addr, and where it ends (the
//            sequencer walks an operand's range buffer by buffer with it)
//   overlap  the live buffer overlapping [i_q_lo, i_q_hi) that starts last
//            (an ALLOC must overlap none)
//   exact    the live buffer starting at i_q_lo, and its size (a FREE
//            must name one exactly)
// i_alloc inserts [i_lo, i_lo + i_bytes) into a free entry (o_full: none
// left, a limit of the hardware that the functional model does not have);
// i_free removes the buffer starting at i_lo.
`default_nettype none

module npu_bufs #(
    parameter int NBUF = 64
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

    logic        live_r [NBUF];
    logic [31:0] lo_r [NBUF];
    logic [31:0] hi_r [NBUF];

    logic        cover_r, overlap_r, exact_r;
    logic [31:0] cover_hi_r, overlap_lo_r, overlap_hi_r, exact_bytes_r;
    logic        full_r;

    always_ff @(posedge i_clk) begin
        if (i_q_en) begin : query
            logic        cov, ov, ex;
            logic [31:0] cov_hi, ov_lo, ov_hi, ex_bytes;
            cov      = 1'b0;
            ov       = 1'b0;
            ex       = 1'b0;
            cov_hi   = '0;
            ov_lo    = '0;
            ov_hi    = '0;
            ex_bytes = '0;
            for (int b = 0; b < NBUF; b++) begin
                if (live_r[b] && lo_r[b] <= i_q_addr && i_q_addr < hi_r[b]) begin
                    cov    = 1'b1;
                    cov_hi = hi_r[b];
                end
                if (live_r[b] && lo_r[b] < i_q_hi && i_q_lo < hi_r[b] && (!ov || lo_r[b] > ov_lo)) begin
                    ov    = 1'b1;
                    ov_lo = lo_r[b];
                    ov_hi = hi_r[b];
                end
                if (live_r[b] && lo_r[b] == i_q_lo) begin
                    ex       = 1'b1;
                    ex_bytes = hi_r[b] - lo_r[b];
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
            logic        done;
            int          n;
            logic        live [NBUF];
            logic [31:0] lo [NBUF];
            logic [31:0] hi [NBUF];
            live = live_r;
            lo   = lo_r;
            hi   = hi_r;
            done = 1'b0;
            n    = 0;
            for (int b = 0; b < NBUF; b++) begin
                if (live[b]) n++;
                if (!live[b] && !done) begin
                    live[b] = 1'b1;
                    lo[b]   = i_lo;
                    hi[b]   = i_lo + i_bytes;
                    done    = 1'b1;
                end
            end
            live_r <= live;
            lo_r   <= lo;
            hi_r   <= hi;
            full_r <= n + 1 >= NBUF;
        end
        if (i_free) begin : free
            logic live [NBUF];
            for (int b = 0; b < NBUF; b++) live[b] = live_r[b] && lo_r[b] != i_lo;
            live_r <= live;
            full_r <= 1'b0;
        end
        if (i_rst) begin : reset
            logic live [NBUF];
            for (int b = 0; b < NBUF; b++) live[b] = 1'b0;
            live_r <= live;
            full_r <= 1'b0;
        end
    end

    assign o_cover       = cover_r;
    assign o_cover_hi    = cover_hi_r;
    assign o_overlap     = overlap_r;
    assign o_overlap_lo  = overlap_lo_r;
    assign o_overlap_hi  = overlap_hi_r;
    assign o_exact       = exact_r;
    assign o_exact_bytes = exact_bytes_r;
    assign o_full        = full_r;

endmodule

`default_nettype wire
