// npu_spad: the scratchpad, NB single-port RAM banks (npu_bank) of BB-byte
// words behind two window ports: A for the compute engines, B for the DMA.
//
// Layout: byte address a is byte a % BB of word w = a / BB, which lives in
// bank w % NB at row w / NB.  So NB*BB consecutive bytes ("a line") sit
// side by side across the banks, and a window of n <= WIN = (NB-1)*BB + 1
// bytes at any address touches at most NB consecutive words, words w0..w1,
// each in a different bank: bank b serves word w0 + ((b - w0) mod NB), at
// row w0/NB if b >= w0 % NB, else at the next row.
//
// Dataflow of one port (X = A or B), all in the access's cycle:
//   addr, n -> the line's byte enables (n ones from byte addr % (NB*BB)
//              on, circularly), the banks in the mask (an enabled byte),
//              per bank its row (r0 = addr / (NB*BB), or r0 + 1 for banks
//              before the first, b0)
//   wdata   -> rotated left by addr % (NB*BB) bytes (a barrel rotator,
//              log2(NB*BB) stages of 2:1 muxes), so window byte j lands
//              on line byte (addr + j) % (NB*BB): bank/byte of addr + j
// and in the cycle after a read:
//   the banks' words -> rotated right by the registered addr % (NB*BB)
//              -> o_X_rdata (byte j = mem[addr + j]); the same value is
//              copied to a hold register, which o_X_rdata shows from the
//              cycle after on, since the banks' outputs change when the
//              other port reads them.
//
// Arbitration: a bank serves one port a cycle.  B (the DMA) always gets
// its banks; A is granted when it needs none of them (combinational
// o_a_gnt = i_a_req && !(i_b_req && maskA & maskB)), else it waits (the
// engine presents the same access again; o_conflict counts as stall_bank).
// A and B proceed in the same cycle when their banks are disjoint.
//
// Cycles: every access takes one cycle, with no bubbles between accesses
// on either port; read data arrive 1 cycle after the access and hold until
// the port's next granted read; a write is in the banks at the end of its
// cycle (a read in the next cycle sees it).  A port-A access presented at
// cycle t is granted at t + (the number of consecutive cycles from t on in
// which B touches one of A's banks).
//
// Counters (reset by i_rst): per bank, bytes read and bytes written (the
// window's bytes in that bank's word, the popcount of its byte enables),
// and o_hwm, one past the highest byte address written.
//
// Cost: the four rotators (write and read, per port), 8*NB*BB*log2(NB*BB)
// 2:1 muxes each, are most of the logic (ECP5, NB=16 BB=4: about 12k of
// 15.6k LUT4s); then the counters' adders.  Where port B's wdata bytes are
// tied off and its rdata bytes unused (a DMA narrower than WIN), synthesis
// trims its rotators.
//
// The sequencer guarantees addr + n <= BYTES and 1 <= n <= WIN; windows
// outside that are not checked here.
`default_nettype none

module npu_spad #(
    parameter int BYTES = 8192,   // SRAM_BYTES; a multiple of NB*BB
    parameter int NB    = 8,      // banks, a power of two >= 2
    parameter int BB    = 1,      // bytes a bank word, a power of two
    parameter int WIN   = (NB - 1) * BB + 1,  // widest window (do not override)
    parameter int CW    = 48      // counter width
) (
    input  wire logic              i_clk,
    input  wire logic              i_rst,
    // port A: the compute engines
    input  wire logic              i_a_req,
    input  wire logic              i_a_we,
    input  wire logic       [31:0] i_a_addr,   // byte address (< BYTES, guaranteed by the sequencer)
    input  wire logic       [15:0] i_a_n,      // bytes, 1..WIN
    input  wire logic [8*WIN-1:0]  i_a_wdata,  // byte j -> addr + j (j < n)
    output logic                   o_a_gnt,    // combinational: the access happens this cycle
    output logic      [8*WIN-1:0]  o_a_rdata,  // byte j = mem[addr + j], the cycle after a granted read; held
    // port B: the DMA, never refused
    input  wire logic              i_b_req,
    input  wire logic              i_b_we,
    input  wire logic       [31:0] i_b_addr,
    input  wire logic       [15:0] i_b_n,
    input  wire logic [8*WIN-1:0]  i_b_wdata,
    output logic      [8*WIN-1:0]  o_b_rdata,
    // counters (reset by i_rst)
    output logic     [NB*CW-1:0]   o_bank_rd,  // per bank: bytes read (bank b at [CW*b +: CW])
    output logic     [NB*CW-1:0]   o_bank_wr,  // per bank: bytes written
    output logic           [31:0]  o_hwm,      // one past the highest byte address written (0 after reset)
    output logic                   o_conflict  // i_a_req && !o_a_gnt (A waits for a bank B holds)
);

    localparam int LNB   = $clog2(NB);
    localparam int LBB   = $clog2(BB);
    localparam int T     = NB * BB;                        // bytes a line
    localparam int LT    = LNB + LBB;                      // rotation bits
    localparam int DEPTH = BYTES / T;                      // words a bank
    localparam int RW    = DEPTH > 1 ? $clog2(DEPTH) : 1;  // row bits
    localparam int PW    = LBB + 1;                        // popcount bits

    // ---- window decode, one per port ----------------------------------

    // Byte enables over a line (bank b's at [BB*b +: BB]): n ones from
    // line byte `at` on, circularly.  A shift of a T-bit run, not a
    // comparison per byte (simulation evaluates it twice a cycle).
    function automatic logic [T-1:0] f_be(input logic [LT-1:0] at, input logic [15:0] n);
        logic   [T-1:0] ones;
        logic [2*T-1:0] run;
        ones = {T{1'b1}} >> (T - 32'(n));
        run  = {{T{1'b0}}, ones} << at;
        f_be = run[T-1:0] | run[2*T-1:T];
    endfunction

    // Banks with an enabled byte.
    function automatic logic [NB-1:0] f_mask(input logic [T-1:0] be);
        for (int b = 0; b < NB; b++)
            f_mask[b] = |be[BB*b +: BB];
    endfunction

    // Rows, bank b's at [RW*b +: RW]: banks before b0 serve the next line.
    function automatic logic [NB*RW-1:0] f_rows(input logic [LNB-1:0] b0, input logic [RW-1:0] r0);
        for (int b = 0; b < NB; b++)
            f_rows[RW*b +: RW] = LNB'(b) >= b0 ? r0 : r0 + 1'b1;
    endfunction

    // Barrel rotators over a line: rotl moves byte j to (j + sh) % T.
    function automatic logic [8*T-1:0] f_rotl(input logic [8*T-1:0] v, input logic [LT-1:0] sh);
        f_rotl = v;
        for (int s = 0; s < LT; s++)
            if (sh[s]) f_rotl = (f_rotl << (8 << s)) | (f_rotl >> (8 * T - (8 << s)));
    endfunction

    function automatic logic [8*T-1:0] f_rotr(input logic [8*T-1:0] v, input logic [LT-1:0] sh);
        f_rotr = v;
        for (int s = 0; s < LT; s++)
            if (sh[s]) f_rotr = (f_rotr >> (8 << s)) | (f_rotr << (8 * T - (8 << s)));
    endfunction

    logic [LNB-1:0]   a_b0, b_b0;      // first bank
    logic [RW-1:0]    a_r0, b_r0;      // row of the first word
    logic [NB-1:0]    a_mask, b_mask;
    logic [T-1:0]     a_be, b_be;
    logic [NB*RW-1:0] a_rows, b_rows;
    logic [8*T-1:0]   a_wline, b_wline;  // write data in bank order

    // Decoded only for a request (and rotated only for a write): idle
    // ports cost simulation nothing.
    always_comb begin
        a_b0    = LNB'(i_a_addr >> LBB);
        a_r0    = RW'(i_a_addr >> LT);
        a_be    = '0;
        a_rows  = '0;
        a_wline = '0;
        if (i_a_req) begin
            a_be   = f_be(LT'(i_a_addr), i_a_n);
            a_rows = f_rows(a_b0, a_r0);
            if (i_a_we) a_wline = f_rotl((8*T)'(i_a_wdata), LT'(i_a_addr));
        end
        a_mask  = f_mask(a_be);

        b_b0    = LNB'(i_b_addr >> LBB);
        b_r0    = RW'(i_b_addr >> LT);
        b_be    = '0;
        b_rows  = '0;
        b_wline = '0;
        if (i_b_req) begin
            b_be   = f_be(LT'(i_b_addr), i_b_n);
            b_rows = f_rows(b_b0, b_r0);
            if (i_b_we) b_wline = f_rotl((8*T)'(i_b_wdata), LT'(i_b_addr));
        end
        b_mask  = f_mask(b_be);
    end

    // ---- arbitration and the banks ------------------------------------

    logic a_gnt;
    assign a_gnt      = i_a_req && !(i_b_req && |(a_mask & b_mask));
    assign o_a_gnt    = a_gnt;
    assign o_conflict = i_a_req && !a_gnt;

    logic [NB-1:0]    bk_en, bk_we;
    logic [NB*RW-1:0] bk_row;
    logic [T-1:0]     bk_be;
    logic [8*T-1:0]   bk_wdata;
    logic [8*T-1:0]   bk_rdata;  // the banks' outputs, a line in bank order

    // Per bank, B's access if it has one there, else A's.  The cases with
    // one port only are written out: they are most cycles, and cheap to
    // simulate whole.
    always_comb begin
        bk_en    = '0;
        bk_we    = '0;
        bk_row   = '0;
        bk_be    = '0;
        bk_wdata = '0;
        if (!a_gnt) begin
            bk_en    = i_b_req ? b_mask : '0;
            bk_we    = {NB{i_b_we}};
            bk_row   = b_rows;
            bk_be    = b_be;
            bk_wdata = b_wline;
        end else if (!i_b_req) begin
            bk_en    = a_mask;
            bk_we    = {NB{i_a_we}};
            bk_row   = a_rows;
            bk_be    = a_be;
            bk_wdata = a_wline;
        end else begin
            bk_en = a_mask | b_mask;
            for (int b = 0; b < NB; b++) begin  // B's access where b_mask says, else A's
                bk_we[b]                 = b_mask[b] ? i_b_we : i_a_we;
                bk_row[RW*b +: RW]       = b_mask[b] ? b_rows[RW*b +: RW] : a_rows[RW*b +: RW];
                bk_be[BB*b +: BB]        = b_mask[b] ? b_be[BB*b +: BB] : a_be[BB*b +: BB];
                bk_wdata[8*BB*b +: 8*BB] = b_mask[b] ? b_wline[8*BB*b +: 8*BB] : a_wline[8*BB*b +: 8*BB];
            end
        end
    end

    for (genvar b = 0; b < NB; b++) begin : g_bank
        npu_bank #(
            .BB   (BB),
            .DEPTH(DEPTH)
        ) u_bank (
            .i_clk  (i_clk),
            .i_en   (bk_en[b]),
            .i_we   (bk_we[b]),
            .i_row  (bk_row[RW*b +: RW]),
            .i_be   (bk_be[BB*b +: BB]),
            .i_wdata(bk_wdata[8*BB*b +: 8*BB]),
            .o_rdata(bk_rdata[8*BB*b +: 8*BB])
        );
    end

    // ---- read data ----------------------------------------------------

    logic             a_pend_r, b_pend_r;  // the port read last cycle: its data are on the banks' outputs
    logic [LT-1:0]    a_rot_r, b_rot_r;    // that read's addr % (NB*BB)
    logic [8*WIN-1:0] a_hold_r, b_hold_r;  // the port's last read data, once the banks may have moved on
    logic [8*WIN-1:0] a_rline, b_rline;    // the port's read data: the banks' outputs as its window, or held

    always_ff @(posedge i_clk) begin
        if (i_rst) begin
            a_pend_r <= 1'b0;
            b_pend_r <= 1'b0;
        end else begin
            a_pend_r <= a_gnt && !i_a_we;
            b_pend_r <= i_b_req && !i_b_we;
        end
        if (a_gnt && !i_a_we) a_rot_r <= LT'(i_a_addr);
        if (i_b_req && !i_b_we) b_rot_r <= LT'(i_b_addr);
        if (a_pend_r) a_hold_r <= a_rline;
        if (b_pend_r) b_hold_r <= b_rline;
    end

    always_comb begin
        a_rline = a_hold_r;
        b_rline = b_hold_r;
        if (a_pend_r) a_rline = (8*WIN)'(f_rotr(bk_rdata, a_rot_r));
        if (b_pend_r) b_rline = (8*WIN)'(f_rotr(bk_rdata, b_rot_r));
    end
    assign o_a_rdata = a_rline;
    assign o_b_rdata = b_rline;

    // ---- counters -----------------------------------------------------

    logic [NB*CW-1:0] bank_rd_r, bank_wr_r;
    logic [31:0]      hwm_r;
    logic [31:0]      a_end, b_end, hwm_next;

    always_comb begin
        a_end    = i_a_addr + 32'(i_a_n);
        b_end    = i_b_addr + 32'(i_b_n);
        hwm_next = hwm_r;
        if (a_gnt && i_a_we && a_end > hwm_next) hwm_next = a_end;
        if (i_b_req && i_b_we && b_end > hwm_next) hwm_next = b_end;
    end

    always_ff @(posedge i_clk) begin
        if (i_rst) begin
            bank_rd_r <= '0;
            bank_wr_r <= '0;
            hwm_r     <= '0;
        end else if (|bk_en) begin
            for (int b = 0; b < NB; b++) begin : count
                logic [PW-1:0] pc;  // the window's bytes in bank b
                pc = '0;
                for (int k = 0; k < BB; k++) pc = pc + PW'(bk_be[BB*b + k]);
                if (bk_en[b] && bk_we[b]) bank_wr_r[CW*b +: CW] <= bank_wr_r[CW*b +: CW] + CW'(pc);
                if (bk_en[b] && !bk_we[b]) bank_rd_r[CW*b +: CW] <= bank_rd_r[CW*b +: CW] + CW'(pc);
            end
        end
        if (!i_rst) hwm_r <= hwm_next;
    end

    assign o_bank_rd = bank_rd_r;
    assign o_bank_wr = bank_wr_r;
    assign o_hwm     = hwm_r;

endmodule

`default_nettype wire
