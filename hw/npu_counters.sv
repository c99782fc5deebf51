// npu_counters: the performance counters, 64 bits each, as fsim defines
// them (targets/npu/fsim.h):
//   cycles        from the first fetch until END has retired
//   compute_busy  cycles the compute side (MAC array or vector unit) holds
//                 an instruction, from its start (the DRAM latency of its
//                 streamed operands included) to its last write
//   dma_busy      cycles the DMA channel moves a transfer or streams the
//                 operands of a compute instruction
//   stall         cycles the sequencer holds a decoded instruction it cannot
//                 issue yet (engine busy, SYNC, END, a full DMA queue)
//   weight_read   DRAM bytes of CONV weights and biases read
//   act_read      every other DRAM byte read (LOAD sources, streamed operands)
//   write         DRAM bytes written (STORE, compute outputs in DRAM)
//   in_use, peak  SRAM bytes in live buffers (ALLOC adds, FREE takes away),
//                 and the most there ever were
//   insns         instructions retired (an EW with its OPERANDS is one)
// The DRAM byte counts come from the sequencer when it issues an
// instruction, a streamed operand counted once however often the
// instruction names it.
`default_nettype none

module npu_counters (
    input  wire logic        i_clk,
    input  wire logic        i_rst,
    input  wire logic        i_run,
    input  wire logic        i_cmp_busy,
    input  wire logic        i_dma_busy,
    input  wire logic        i_stall,
    input  wire logic        i_add,
    input  wire logic [63:0] i_add_weight,
    input  wire logic [63:0] i_add_act,
    input  wire logic [63:0] i_add_write,
    input  wire logic        i_alloc,
    input  wire logic        i_free,
    input  wire logic [31:0] i_bytes,
    input  wire logic        i_insn,
    output logic      [63:0] o_cycles,
    output logic      [63:0] o_compute_busy,
    output logic      [63:0] o_dma_busy,
    output logic      [63:0] o_stall,
    output logic      [63:0] o_weight_read,
    output logic      [63:0] o_act_read,
    output logic      [63:0] o_write,
    output logic      [63:0] o_in_use,
    output logic      [63:0] o_peak,
    output logic      [63:0] o_insns
);

    logic [63:0] cycles_r, compute_busy_r, dma_busy_r, stall_r;
    logic [63:0] weight_read_r, act_read_r, write_r, in_use_r, peak_r, insns_r;

    always_ff @(posedge i_clk) begin
        if (i_run) cycles_r <= cycles_r + 64'd1;
        if (i_cmp_busy) compute_busy_r <= compute_busy_r + 64'd1;
        if (i_dma_busy) dma_busy_r <= dma_busy_r + 64'd1;
        if (i_stall) stall_r <= stall_r + 64'd1;
        if (i_add) begin
            weight_read_r <= weight_read_r + i_add_weight;
            act_read_r    <= act_read_r + i_add_act;
            write_r       <= write_r + i_add_write;
        end
        if (i_alloc) begin
            in_use_r <= in_use_r + 64'(i_bytes);
            if (in_use_r + 64'(i_bytes) > peak_r) peak_r <= in_use_r + 64'(i_bytes);
        end
        if (i_free) in_use_r <= in_use_r - 64'(i_bytes);
        if (i_insn) insns_r <= insns_r + 64'd1;
        if (i_rst) begin
            cycles_r       <= '0;
            compute_busy_r <= '0;
            dma_busy_r     <= '0;
            stall_r        <= '0;
            weight_read_r  <= '0;
            act_read_r     <= '0;
            write_r        <= '0;
            in_use_r       <= '0;
            peak_r         <= '0;
            insns_r        <= '0;
        end
    end

    assign o_cycles       = cycles_r;
    assign o_compute_busy = compute_busy_r;
    assign o_dma_busy     = dma_busy_r;
    assign o_stall        = stall_r;
    assign o_weight_read  = weight_read_r;
    assign o_act_read     = act_read_r;
    assign o_write        = write_r;
    assign o_in_use       = in_use_r;
    assign o_peak         = peak_r;
    assign o_insns        = insns_r;

endmodule

`default_nettype wire
