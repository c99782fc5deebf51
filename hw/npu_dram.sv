// npu_dram: the off-chip DRAM model.
//
// A behavioural byte array of BYTES (the largest image the simulator takes;
// the image's own size bounds accesses, checked by the sequencer).  The
// harness loads the image into mem_r and reads it back at the end.  The
// DRAM's latency and bandwidth are the DMA engine's to model: transfers
// and the operands compute instructions stream through it hold the
// DMA channel for latency + bytes / bandwidth cycles.
//
// Ports, one group per engine, each byte-wide lane with its own address;
// reads are registered (data the cycle after the enable), writes happen
// at the clock edge, reads see the old contents.  Lanes past the end of
// the array read 0 and do not write.
//   drd/dwr  DMA: DW contiguous bytes read, up to DW written
//   cx       convolution input: ROWS gathered bytes, each row with its
//            own enable (rows not enabled keep their old data)
//   cw       convolution weights: COLS blocks of ROWS contiguous bytes
//            (only the columns in i_cw_cmask, their first i_cw_nrows)
//   ca       convolution bias / partial sums: COLS little-endian words
//   cq       convolution per-channel qmul and qshift (PERCH): COLS x 5
//            bytes, a word and a byte
//   cy       convolution output: COLS bytes or words, masked
//   vr       vector unit: VW contiguous bytes, or 4*VW with i_vr_wide
//   vg       vector unit, pooling windows: VW lanes x PKK taps, lane l's
//            tap t at i_vg_base[l] + i_vg_off[t] (taps outside i_vg_mask
//            keep their old data)
//   vy       vector unit output: up to VW contiguous bytes
`default_nettype none

module npu_dram #(
    parameter int BYTES = 4096,
    parameter int DW    = 4,
    parameter int ROWS  = 4,
    parameter int COLS  = 4,
    parameter int VW    = 4,
    parameter int PKK   = 9,
    parameter int VG    = VW * PKK
) (
    input  wire logic        i_clk,
    input  wire logic        i_drd_en,
    input  wire logic [31:0] i_drd_addr,
    output logic [DW-1:0][7:0] o_drd_data,
    input  wire logic        i_dwr_en,
    input  wire logic [31:0] i_dwr_addr,
    input  wire logic [15:0] i_dwr_n,
    input  wire logic [DW-1:0][7:0] i_dwr_data,
    input  wire logic [ROWS-1:0] i_cx_en,
    input  wire logic [ROWS-1:0][31:0] i_cx_addr,
    output logic [ROWS-1:0][7:0] o_cx_data,
    input  wire logic        i_cw_en,
    input  wire logic [COLS-1:0] i_cw_cmask,
    input  wire logic [15:0] i_cw_nrows,
    input  wire logic [COLS-1:0][31:0] i_cw_addr,
    output logic [COLS-1:0][ROWS-1:0][7:0] o_cw_data,
    input  wire logic        i_ca_en,
    input  wire logic [COLS-1:0][31:0] i_ca_addr,
    output logic [COLS-1:0][31:0] o_ca_data,
    input  wire logic        i_cq_en,
    input  wire logic [COLS-1:0][31:0] i_cq_addr,
    output logic [COLS-1:0][39:0] o_cq_data,
    input  wire logic        i_cy_en,
    input  wire logic        i_cy_wide,
    input  wire logic [COLS-1:0] i_cy_mask,
    input  wire logic [COLS-1:0][31:0] i_cy_addr,
    input  wire logic [COLS-1:0][31:0] i_cy_data,
    input  wire logic        i_vr_en,
    input  wire logic        i_vr_wide,
    input  wire logic [31:0] i_vr_addr,
    output logic [4*VW-1:0][7:0] o_vr_data,
    input  wire logic        i_vg_en,
    input  wire logic [VW-1:0][31:0] i_vg_base,
    input  wire logic [PKK-1:0][31:0] i_vg_off,
    input  wire logic [VG-1:0] i_vg_mask,
    output logic [VG-1:0][7:0] o_vg_data,
    input  wire logic        i_vy_en,
    input  wire logic [31:0] i_vy_addr,
    input  wire logic [15:0] i_vy_n,
    input  wire logic [VW-1:0][7:0] i_vy_data
);

    localparam int AW = BYTES > 1 ? $clog2(BYTES) : 1;

    logic [7:0] mem_r [BYTES];
    logic [DW-1:0][7:0] drd_r;
    logic [ROWS-1:0][7:0] cx_r;
    logic [COLS-1:0][ROWS-1:0][7:0] cw_r;
    logic [COLS-1:0][31:0] ca_r;
    logic [COLS-1:0][39:0] cq_r;
    logic [4*VW-1:0][7:0] vr_r;
    logic [VG-1:0][7:0] vg_r;

    function automatic logic [7:0] rd(input logic [31:0] a);
        return a < 32'(BYTES) ? mem_r[a[AW-1:0]] : 8'h00;
    endfunction

    function automatic logic [31:0] rd32(input logic [31:0] a);
        return {rd(a + 32'd3), rd(a + 32'd2), rd(a + 32'd1), rd(a)};
    endfunction

    // Reads first: every read in this process sees the contents before
    // this edge's writes, which are blocking so that lanes can write in
    // loops of any length (hw/npu.vlt); nothing else reads mem_r.
    always_ff @(posedge i_clk) begin
        if (i_drd_en) begin : drd
            logic [DW-1:0][7:0] d;
            for (int i = 0; i < DW; i++) d[i] = rd(i_drd_addr + 32'(i));
            drd_r <= d;
        end
        for (int r = 0; r < ROWS; r++)
            if (i_cx_en[r]) cx_r[r] <= rd(i_cx_addr[r]);
        if (i_cw_en) begin : cw
            for (int c = 0; c < COLS; c++)
                if (i_cw_cmask[c])
                    for (int r = 0; r < ROWS; r++)
                        if (16'(r) < i_cw_nrows) cw_r[c][r] <= rd(i_cw_addr[c] + 32'(r));
        end
        if (i_ca_en) begin : ca
            logic [COLS-1:0][31:0] d;
            for (int c = 0; c < COLS; c++) d[c] = rd32(i_ca_addr[c]);
            ca_r <= d;
        end
        if (i_cq_en) begin : cq
            logic [COLS-1:0][39:0] d;
            for (int c = 0; c < COLS; c++) d[c] = {rd(i_cq_addr[c] + 32'd4), rd32(i_cq_addr[c])};
            cq_r <= d;
        end
        if (i_vr_en) begin : vr
            for (int i = 0; i < 4 * VW; i++)
                if (i < VW || i_vr_wide) vr_r[i] <= rd(i_vr_addr + 32'(i));
        end
        if (i_vg_en) begin : vg
            for (int l = 0; l < VW; l++)
                for (int t = 0; t < PKK; t++)
                    if (i_vg_mask[l * PKK + t]) vg_r[l * PKK + t] <= rd(i_vg_base[l] + i_vg_off[t]);
        end

        if (i_dwr_en)
            for (int i = 0; i < DW; i++)
                if (16'(i) < i_dwr_n && i_dwr_addr + 32'(i) < 32'(BYTES))
                    mem_r[AW'(i_dwr_addr + 32'(i))] = i_dwr_data[i];
        if (i_cy_en)
            for (int c = 0; c < COLS; c++)
                if (i_cy_mask[c])
                    for (int b = 0; b < 4; b++)
                        if ((b == 0 || i_cy_wide) && i_cy_addr[c] + 32'(b) < 32'(BYTES))
                            mem_r[AW'(i_cy_addr[c] + 32'(b))] = i_cy_data[c][8*b+:8];
        if (i_vy_en)
            for (int i = 0; i < VW; i++)
                if (16'(i) < i_vy_n && i_vy_addr + 32'(i) < 32'(BYTES))
                    mem_r[AW'(i_vy_addr + 32'(i))] = i_vy_data[i];
    end

    assign o_drd_data = drd_r;
    assign o_cx_data = cx_r;
    assign o_cw_data = cw_r;
    assign o_ca_data = ca_r;
    assign o_cq_data = cq_r;
    assign o_vr_data = vr_r;
    assign o_vg_data = vg_r;

endmodule

`default_nettype wire
