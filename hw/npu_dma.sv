// npu_dma: the DMA engine, the one channel between the chip and DRAM.
//
// LOAD and STORE queue here (QDEPTH deep, in order) and do not stall the
// sequencer.  A transfer of n bytes takes LATENCY cycles before its first
// beat, then one beat per cycle of BPC bytes (RD_BPC for a LOAD, WR_BPC for
// a STORE): LATENCY + ceil(n / BPC) cycles, the cost model's, plus one for
// the last beat's write, which overlaps the next transfer's latency.  Beats
// are a registered read of the source and, the cycle after, a write of the
// destination.
//
// A compute instruction whose operands live in DRAM streams them through
// this channel (i_stream, when the engine is idle and its queue empty): the
// channel waits LATENCY cycles for the first byte (o_stream_go then lets the
// compute engine start), counts ceil(rd / RD_BPC) + ceil(wr / WR_BPC)
// beats (o_stream_done), and stays occupied until the instruction is over
// (i_stream_end), as the cost model books it.  The engines read and write
// the streamed operands through the DRAM model's ports.
//
// A queued transfer does not start while the running compute instruction's
// SRAM footprint [i_hold_lo, i_hold_hi) overlaps the SRAM bytes it moves
// (i_hold): the sequencer issues in order and data moves at issue in the
// functional model, so a LOAD issued after a compute must not overwrite
// what that compute still reads, nor a STORE read what it still writes.
`default_nettype none

module npu_dma #(
    parameter int RD_BPC  = 4,
    parameter int WR_BPC  = 4,
    parameter int LATENCY = 10,
    parameter int QDEPTH  = 8,
    parameter int DW      = RD_BPC > WR_BPC ? RD_BPC : WR_BPC
) (
    input  wire logic        i_clk,
    input  wire logic        i_rst,
    input  wire logic [63:0] i_cycle,
    // transfer queue
    input  wire logic        i_push,
    input  wire logic        i_push_load,
    input  wire logic [31:0] i_push_src,
    input  wire logic [31:0] i_push_dst,
    input  wire logic [31:0] i_push_bytes,
    input  wire logic [31:0] i_push_index,
    output logic             o_full,
    // streamed operands of a compute instruction
    input  wire logic        i_stream,
    input  wire logic [63:0] i_stream_rd,
    input  wire logic [63:0] i_stream_wr,
    output logic             o_stream_go,
    output logic             o_stream_done,
    input  wire logic        i_stream_end,
    // SRAM footprint of the running compute instruction
    input  wire logic        i_hold,
    input  wire logic [31:0] i_hold_lo,
    input  wire logic [31:0] i_hold_hi,
    output logic             o_idle,
    output logic             o_busy,
    // memory: source read, destination write (the space is the transfer's)
    output logic             o_rd_en,
    output logic             o_rd_dram,
    output logic      [31:0] o_rd_addr,
    input  wire logic [DW-1:0][7:0] i_rd_data_s,
    input  wire logic [DW-1:0][7:0] i_rd_data_d,
    output logic             o_wr_en,
    output logic             o_wr_dram,
    output logic      [31:0] o_wr_addr,
    output logic      [15:0] o_wr_n,
    output logic [DW-1:0][7:0] o_wr_data,
    // a transfer is over (timeline)
    output logic             o_ret,
    output logic      [31:0] o_ret_index,
    output logic      [63:0] o_ret_start,
    output logic      [63:0] o_ret_end,
    output logic      [31:0] o_ret_bytes,
    output logic             o_ret_load
);

    localparam int QW = QDEPTH > 1 ? $clog2(QDEPTH) : 1;
    localparam int LAT1 = LATENCY > 1 ? LATENCY - 1 : 0;  // latency cycles after the first

    typedef enum logic [2:0] {
        IDLE,
        X_LAT,
        X_RUN,
        S_LAT,
        S_RUN,
        S_HOLD
    } state_t;

    // queue
    logic              q_load_r  [QDEPTH];
    logic       [31:0] q_src_r   [QDEPTH];
    logic       [31:0] q_dst_r   [QDEPTH];
    logic       [31:0] q_bytes_r [QDEPTH];
    logic       [31:0] q_index_r [QDEPTH];
    logic     [QW-1:0] q_head_r, q_tail_r;
    logic       [QW:0] q_count_r;

    // the running transfer or stream
    state_t            st_r;
    logic       [63:0] cnt_r;        // latency cycles, then beats, left
    logic              load_r;
    logic       [31:0] rd_ptr_r, wr_ptr_r, left_r, bytes_r, index_r;
    logic       [63:0] start_r;
    logic              go_r;

    // write stage
    logic              wp_r;         // a beat to write this cycle
    logic              wp_last_r;
    logic              wp_dram_r;
    logic       [31:0] wp_addr_r;
    logic       [15:0] wp_n_r;

    logic              ret_r;
    logic       [31:0] ret_index_r, ret_bytes_r;
    logic              ret_load_r;
    logic       [63:0] ret_start_r, ret_end_r;

    logic              head_load;
    logic       [31:0] head_lo, head_hi;
    logic              head_blocked;
    logic       [31:0] bpc;
    logic              pop;

    assign head_load    = q_load_r[q_head_r];
    assign head_lo      = head_load ? q_dst_r[q_head_r] : q_src_r[q_head_r];
    assign head_hi      = head_lo + q_bytes_r[q_head_r];
    assign head_blocked = i_hold && head_lo < i_hold_hi && i_hold_lo < head_hi;
    assign bpc          = load_r ? 32'(RD_BPC) : 32'(WR_BPC);
    assign pop          = st_r == IDLE && !i_stream && q_count_r != 0 && !head_blocked;

    function automatic logic [63:0] beats(input logic [63:0] n, input int bw);
        return (n + 64'(bw) - 64'd1) / 64'(bw);
    endfunction

    always_ff @(posedge i_clk) begin
        ret_r   <= 1'b0;
        go_r    <= 1'b0;
        wp_r    <= 1'b0;
        if (i_push) begin
            q_load_r[q_tail_r]  <= i_push_load;
            q_src_r[q_tail_r]   <= i_push_src;
            q_dst_r[q_tail_r]   <= i_push_dst;
            q_bytes_r[q_tail_r] <= i_push_bytes;
            q_index_r[q_tail_r] <= i_push_index;
            q_tail_r            <= q_tail_r == QW'(QDEPTH - 1) ? '0 : q_tail_r + 1'b1;
        end
        // the write stage of the previous cycle's beat
        if (wp_r && wp_last_r) begin
            ret_r       <= 1'b1;
            ret_index_r <= index_r;
            ret_bytes_r <= bytes_r;
            ret_load_r  <= load_r;
            ret_start_r <= start_r;
            ret_end_r   <= i_cycle + 64'd1;
        end
        case (st_r)
            IDLE: begin
                if (i_stream) begin
                    start_r <= i_cycle;
                    cnt_r   <= beats(i_stream_rd, RD_BPC) + beats(i_stream_wr, WR_BPC);
                    if (LATENCY <= 1) begin
                        go_r <= 1'b1;
                        st_r <= S_RUN;
                    end else begin
                        left_r <= 32'(LAT1);
                        st_r   <= S_LAT;
                    end
                end else if (pop) begin
                    load_r   <= head_load;
                    rd_ptr_r <= q_src_r[q_head_r];
                    wr_ptr_r <= q_dst_r[q_head_r];
                    left_r   <= q_bytes_r[q_head_r];
                    bytes_r  <= q_bytes_r[q_head_r];
                    index_r  <= q_index_r[q_head_r];
                    start_r  <= i_cycle;
                    q_head_r <= q_head_r == QW'(QDEPTH - 1) ? '0 : q_head_r + 1'b1;
                    cnt_r    <= 64'(LAT1);
                    st_r     <= LATENCY > 1 ? X_LAT : X_RUN;
                end
            end
            X_LAT: begin
                cnt_r <= cnt_r - 64'd1;
                if (cnt_r == 64'd1) st_r <= X_RUN;
            end
            X_RUN: begin
                // this cycle's beat is read; it is written the next
                wp_r      <= 1'b1;
                wp_dram_r <= !load_r;
                wp_addr_r <= wr_ptr_r;
                wp_n_r    <= left_r < bpc ? 16'(left_r) : 16'(bpc);
                wp_last_r <= left_r <= bpc;
                rd_ptr_r  <= rd_ptr_r + bpc;
                wr_ptr_r  <= wr_ptr_r + bpc;
                left_r    <= left_r <= bpc ? 32'd0 : left_r - bpc;
                if (left_r <= bpc) st_r <= IDLE;
            end
            S_LAT: begin
                left_r <= left_r - 32'd1;
                if (left_r == 32'd1) begin
                    go_r <= 1'b1;
                    st_r <= S_RUN;
                end
            end
            S_RUN: begin
                cnt_r <= cnt_r - 64'd1;
                if (cnt_r <= 64'd1) st_r <= S_HOLD;
            end
            S_HOLD: if (i_stream_end) st_r <= IDLE;
            default: st_r <= IDLE;
        endcase
        if (i_push && !pop) q_count_r <= q_count_r + 1'b1;
        else if (!i_push && pop) q_count_r <= q_count_r - 1'b1;
        if (i_rst) begin
            st_r      <= IDLE;
            q_head_r  <= '0;
            q_tail_r  <= '0;
            q_count_r <= '0;
            wp_r      <= 1'b0;
            ret_r     <= 1'b0;
            go_r      <= 1'b0;
        end
    end

    assign o_full        = q_count_r == (QW + 1)'(QDEPTH);
    assign o_stream_go   = go_r;
    assign o_stream_done = st_r == S_HOLD;
    assign o_idle        = st_r == IDLE && q_count_r == 0 && !wp_r;
    assign o_busy        = st_r != IDLE || wp_r;

    assign o_rd_en       = st_r == X_RUN;
    assign o_rd_dram     = load_r;
    assign o_rd_addr     = rd_ptr_r;
    assign o_wr_en       = wp_r;
    assign o_wr_dram     = wp_dram_r;
    assign o_wr_addr     = wp_addr_r;
    assign o_wr_n        = wp_n_r;
    assign o_wr_data     = wp_dram_r ? i_rd_data_s : i_rd_data_d;

    assign o_ret         = ret_r;
    assign o_ret_index   = ret_index_r;
    assign o_ret_start   = ret_start_r;
    assign o_ret_end     = ret_end_r;
    assign o_ret_bytes   = ret_bytes_r;
    assign o_ret_load    = ret_load_r;

endmodule

`default_nettype wire
