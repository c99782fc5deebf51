// npu_ice40: npu_top on an iCE40 UP5K in its sg48 package, behind a
// byte-wide host link.
//
// The package has 39 I/O pins; npu_top's DRAM master port and register
// port need over 100 (more with wide beats).  This wrapper carries both
// over two byte streams, one each way, each a valid/ready handshake (a byte
// moves in a cycle where both are high): 20 pins, 23 with the clock, the
// reset and the interrupt (hw/fpga/npu_ice40.pcf).  The host (a microcontroller,
// an FT245-style USB FIFO bridge, or another FPGA) owns the DRAM image: it
// answers the NPU's read and write bursts from its memory and drives the
// register port, so the NPU runs streams exactly as with a DRAM of its own,
// only as fast as the link moves their bytes.
//
// Messages: an opcode byte, then a fixed payload; multi-byte fields little
// endian (least significant byte first).
//
//   host -> NPU (i_rx_*)
//     0x01 REG_WRITE  addr[2] data[4]   register word addr[11:0] := data
//     0x02 REG_READ   addr[2]           the NPU answers with REG_DATA
//     0x03 READ_DATA  beat[RD_BPC]      the next beat of the oldest read
//                                       burst (byte k at aaddr + k)
//     0x04 WRITE_DONE                   the oldest write burst whose beats
//                                       all arrived is complete (i_m_bvalid)
//     any other opcode byte is ignored (no payload); i_rst puts both
//     directions back at a message boundary
//   NPU -> host (o_tx_*)
//     0x81 READ       addr[4] len[1]    a read burst: len + 1 beats of
//                                       RD_BPC bytes from addr
//     0x82 WRITE      addr[4] len[1]    a write burst: len + 1 beats of
//                                       WR_BPC bytes to addr
//     0x83 WRITE_DATA beat[WR_BPC] strb[ceil(WR_BPC/8)]
//                                       the next write beat, strobe bit k
//                                       set when byte k is written
//     0x84 REG_DATA   data[4]           the answer to a REG_READ
//
// Ordering, as on npu_top's port (hw/README.md): READ_DATA beats answer
// READ requests in order; WRITE_DATA beats belong to WRITE requests in
// order, and a beat may come before the WRITE it belongs to (the host
// queues either side, as an AXI slave does); WRITE_DONE answers a write
// burst once the host has all its beats.  REG_DATA answers REG_READs in
// order.  The NPU keeps o_rx_ready low while a message it received is
// being carried out (a READ_DATA beat waits for the DMA's rready, a
// REG_READ for the previous REG_DATA to leave the NPU), so the host must
// keep taking the NPU's bytes while it sends its own: its receive side
// must never wait for its send side.  The NPU sends whatever its port
// presents, by priority: REG_DATA, then a request, then a write beat.
// o_irq is npu_top's interrupt line (a run ended).
//
// A host run: REG_WRITE STREAM_BASE, STREAM_LEN, DRAM_BYTES, then CTRL = 1;
// serve READ/WRITE/WRITE_DATA messages until o_irq; REG_READ STATUS and
// the counters.
//
// Cost (synth_ice40, RD_BPC = WR_BPC = 4): 228 SB_LUT4, 145 flip-flops.
// Timing: one byte a cycle each way; a message leaves right behind the
// previous one; a received message takes one cycle after its last byte.
`default_nettype none

module npu_ice40 #(
    parameter int SRAM_BYTES = 131072,  // npu_top's; defaults: the UP5K's 128 KiB of SPRAM,
    parameter int NB         = 4,       //   one SB_SPRAM256KA (16K x 16) a bank
    parameter int BB         = 2,
    parameter int WBUF_BYTES = 4096,
    parameter int RD_BPC     = 4,
    parameter int WR_BPC     = 4,
    parameter int ROWS       = 2,
    parameter int COLS       = 2,
    parameter int VW         = 2,
    parameter int NBUF       = 64,      // npu_top's hardware limits (its defaults)
    parameter int NPEND      = 64,
    parameter int QDEPTH     = 16,
    parameter int IQ         = 16,
    parameter int MAXB       = 16,
    parameter int NOUT       = 16,
    parameter int CW         = 48
) (
    input  wire logic       i_clk,
    input  wire logic       i_rst,       // synchronous, active high
    // host -> NPU
    input  wire logic [7:0] i_rx_data,
    input  wire logic       i_rx_valid,
    output logic            o_rx_ready,
    // NPU -> host
    output logic      [7:0] o_tx_data,
    output logic            o_tx_valid,
    input  wire logic       i_tx_ready,
    output logic            o_irq
);

    localparam int RXB = RD_BPC > 6 ? RD_BPC : 6;            // payload bytes received
    localparam int RXI = $clog2(RXB + 1);                     // their index bits
    localparam int SB  = (WR_BPC + 7) / 8;                    // strobe bytes of a beat
    localparam int TXB = 1 + WR_BPC + SB > 6 ? 1 + WR_BPC + SB : 6;  // message bytes sent
    localparam int TXI = $clog2(TXB + 1);

    localparam logic [7:0] OP_REG_WRITE  = 8'h01;
    localparam logic [7:0] OP_REG_READ   = 8'h02;
    localparam logic [7:0] OP_READ_DATA  = 8'h03;
    localparam logic [7:0] OP_WRITE_DONE = 8'h04;
    localparam logic [7:0] OP_READ       = 8'h81;
    localparam logic [7:0] OP_WRITE      = 8'h82;
    localparam logic [7:0] OP_WRITE_DATA = 8'h83;
    localparam logic [7:0] OP_REG_DATA   = 8'h84;

    // ---- npu_top ----
    logic                reg_we;
    logic         [31:0] reg_rdata;
    logic                m_avalid, m_aready, m_awrite, m_rvalid, m_rready;
    logic                m_wvalid, m_wready, m_bvalid;
    logic         [31:0] m_aaddr;
    logic          [7:0] m_alen;
    logic [8*WR_BPC-1:0] m_wdata;
    logic   [WR_BPC-1:0] m_wstrb;

    logic          [7:0] rx_op_r;
    logic    [8*RXB-1:0] rx_buf_r;     // the payload, byte k at [8*k +: 8]
    logic                unused_addr;  // REG_* addresses: npu_top decodes 12 bits
    assign unused_addr = ^rx_buf_r[15:12];

    npu_top #(
        .SRAM_BYTES(SRAM_BYTES),
        .NB        (NB),
        .BB        (BB),
        .WBUF_BYTES(WBUF_BYTES),
        .RD_BPC    (RD_BPC),
        .WR_BPC    (WR_BPC),
        .ROWS      (ROWS),
        .COLS      (COLS),
        .VW        (VW),
        .NBUF      (NBUF),
        .NPEND     (NPEND),
        .QDEPTH    (QDEPTH),
        .IQ        (IQ),
        .MAXB      (MAXB),
        .NOUT      (NOUT),
        .CW        (CW)
    ) u_npu (
        .i_clk      (i_clk),
        .i_rst      (i_rst),
        .i_reg_we   (reg_we),
        .i_reg_addr (rx_buf_r[11:0]),
        .i_reg_wdata(rx_buf_r[47:16]),
        .o_reg_rdata(reg_rdata),
        .o_irq      (o_irq),
        .o_m_avalid (m_avalid),
        .i_m_aready (m_aready),
        .o_m_awrite (m_awrite),
        .o_m_aaddr  (m_aaddr),
        .o_m_alen   (m_alen),
        .i_m_rvalid (m_rvalid),
        .o_m_rready (m_rready),
        .i_m_rdata  (rx_buf_r[8*RD_BPC-1:0]),
        .o_m_wvalid (m_wvalid),
        .i_m_wready (m_wready),
        .o_m_wdata  (m_wdata),
        .o_m_wstrb  (m_wstrb),
        .i_m_bvalid (m_bvalid)
    );

    // ---- host -> NPU: a message's bytes, then one or more cycles carrying it out ----
    logic           rx_pay_r;     // receiving the payload
    logic           rx_ex_r;      // the message is complete: carrying it out
    logic [RXI-1:0] rx_idx_r;     // payload bytes received
    logic [RXI-1:0] rx_len;       // payload bytes of rx_op_r
    logic [RXI-1:0] op_len;       // payload bytes of the byte on i_rx_data, as an opcode
    logic           rx_take, ex_done;
    logic    [31:0] resp_r;       // REG_DATA waiting to be sent
    logic           resp_v_r;

    function automatic logic [RXI-1:0] f_len(input logic [7:0] op);
        case (op)
            OP_REG_WRITE: f_len = RXI'(6);
            OP_REG_READ:  f_len = RXI'(2);
            OP_READ_DATA: f_len = RXI'(RD_BPC);
            default:      f_len = '0;
        endcase
    endfunction

    assign rx_len     = f_len(rx_op_r);
    assign op_len     = f_len(i_rx_data);
    assign o_rx_ready = !rx_ex_r;
    assign rx_take    = i_rx_valid && !rx_ex_r;

    assign reg_we   = rx_ex_r && rx_op_r == OP_REG_WRITE;
    assign m_rvalid = rx_ex_r && rx_op_r == OP_READ_DATA;
    assign m_bvalid = rx_ex_r && rx_op_r == OP_WRITE_DONE;
    always_comb
        case (rx_op_r)
            OP_REG_READ:  ex_done = !resp_v_r;
            OP_READ_DATA: ex_done = m_rready;
            default:      ex_done = 1'b1;
        endcase

    always_ff @(posedge i_clk) begin
        if (rx_take) begin
            if (rx_pay_r) begin
                rx_buf_r[8*rx_idx_r +: 8] <= i_rx_data;
                rx_idx_r <= rx_idx_r + 1'b1;
                if (rx_idx_r + 1'b1 == rx_len) begin
                    rx_pay_r <= 1'b0;
                    rx_ex_r  <= 1'b1;
                end
            end else begin
                rx_op_r  <= i_rx_data;
                rx_idx_r <= '0;
                rx_pay_r <= op_len != '0;
                rx_ex_r  <= op_len == '0;
            end
        end
        if (rx_ex_r && ex_done) rx_ex_r <= 1'b0;
        if (i_rst) begin
            rx_op_r  <= 8'h00;
            rx_pay_r <= 1'b0;
            rx_ex_r  <= 1'b0;
        end
    end

    // ---- NPU -> host: one message at a time, shifted out a byte a cycle ----
    logic [8*TXB-1:0] tx_msg_r;   // byte 0 goes out next
    logic   [TXI-1:0] tx_left_r;  // bytes of it still to send (0: idle)
    logic             tx_load;    // a new message enters tx_msg_r this cycle

    assign o_tx_valid = tx_left_r != '0;
    assign o_tx_data  = tx_msg_r[7:0];
    assign tx_load    = tx_left_r == '0 || (tx_left_r == TXI'(1) && i_tx_ready);
    // the NPU's channels, by priority: a register answer, a request, a write beat
    assign m_aready   = tx_load && !resp_v_r && m_avalid;
    assign m_wready   = tx_load && !resp_v_r && !m_avalid && m_wvalid;

    always_ff @(posedge i_clk) begin
        if (o_tx_valid && i_tx_ready) begin
            tx_msg_r  <= tx_msg_r >> 8;
            tx_left_r <= tx_left_r - 1'b1;
        end
        if (tx_load) begin
            if (resp_v_r) begin
                tx_msg_r  <= (8*TXB)'({resp_r, OP_REG_DATA});
                tx_left_r <= TXI'(5);
            end else if (m_avalid) begin
                tx_msg_r  <= (8*TXB)'({m_alen, m_aaddr, m_awrite ? OP_WRITE : OP_READ});
                tx_left_r <= TXI'(6);
            end else if (m_wvalid) begin
                tx_msg_r  <= (8*TXB)'({(8*SB)'(m_wstrb), m_wdata, OP_WRITE_DATA});
                tx_left_r <= TXI'(1 + WR_BPC + SB);
            end
        end
        if (rx_ex_r && rx_op_r == OP_REG_READ && !resp_v_r) resp_r <= reg_rdata;
        if (tx_load && resp_v_r) resp_v_r <= 1'b0;
        else if (rx_ex_r && rx_op_r == OP_REG_READ && !resp_v_r) resp_v_r <= 1'b1;
        if (i_rst) begin
            tx_left_r <= '0;
            resp_v_r  <= 1'b0;
        end
    end

endmodule

`default_nettype wire
