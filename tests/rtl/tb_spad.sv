// tb_spad: the scratchpad (npu_spad + npu_bank) against a plain byte array.
//
// Port A (the engines) and port B (the DMA) issue random reads and writes of
// random windows (n in 1..WIN, n = 1 and n = WIN often, at random addresses,
// often in a small region so that the ports meet in the same banks and reads
// find recent writes, and at the top of the memory).  A holds a request until
// it is granted, unchanged, as the protocol requires.  Every cycle:
//   - o_a_gnt is exactly the bank-overlap rule, with both ports' bank sets
//     computed here byte by byte from the layout (word = a / BB, bank = word
//     % NB), and o_conflict = i_a_req && !o_a_gnt;
//   - o_a_rdata / o_b_rdata hold the reference bytes of the port's last
//     granted read (bytes never written are not compared), from the cycle
//     after the read until the port's next granted read;
//   - the per-bank read and write byte counters and o_hwm equal the counts
//     kept here.
// A directed phase first writes and reads back a window of every length at
// every alignment of a line through each port; a reset in the middle of the
// run clears the counters (and only them).
`default_nettype none
`timescale 1ns / 1ps

module tb_spad #(
    parameter int BYTES  = 8192,
    parameter int NB     = 8,
    parameter int BB     = 1,
    parameter int CYCLES = 20000,
    parameter int SEED   = 1
);

    localparam int WIN = (NB - 1) * BB + 1;
    localparam int T   = NB * BB;
    localparam int CW  = 48;

    logic             clk = 1'b0, rst = 1'b1;
    logic             a_req = 1'b0, a_we = 1'b0, b_req = 1'b0, b_we = 1'b0;
    logic [31:0]      a_addr = '0, b_addr = '0;
    logic [15:0]      a_n = 16'd1, b_n = 16'd1;
    logic [8*WIN-1:0] a_wdata = '0, b_wdata = '0, a_rdata, b_rdata;
    logic             a_gnt, conflict;
    logic [NB*CW-1:0] bank_rd, bank_wr;
    logic [31:0]      hwm;

    npu_spad #(
        .BYTES(BYTES),
        .NB   (NB),
        .BB   (BB),
        .CW   (CW)
    ) u_dut (
        .i_clk     (clk),
        .i_rst     (rst),
        .i_a_req   (a_req),
        .i_a_we    (a_we),
        .i_a_addr  (a_addr),
        .i_a_n     (a_n),
        .i_a_wdata (a_wdata),
        .o_a_gnt   (a_gnt),
        .o_a_rdata (a_rdata),
        .i_b_req   (b_req),
        .i_b_we    (b_we),
        .i_b_addr  (b_addr),
        .i_b_n     (b_n),
        .i_b_wdata (b_wdata),
        .o_b_rdata (b_rdata),
        .o_bank_rd (bank_rd),
        .o_bank_wr (bank_wr),
        .o_hwm     (hwm),
        .o_conflict(conflict)
    );

    always #5 clk = ~clk;

    // the reference
    byte    mem[BYTES];
    bit     known[BYTES];                // written at least once
    longint ref_rd[NB], ref_wr[NB];
    longint ref_hwm;
    // each port's last granted read: bytes and which of them to compare
    byte    exp_a[WIN], exp_b[WIN];
    bit     chk_a[WIN], chk_b[WIN];
    bit     have_a = 1'b0, have_b = 1'b0;

    int fails = 0, n_reads = 0, n_writes = 0, n_bytes = 0, n_conf = 0, n_both = 0, n_cyc = 0;

    task automatic fail(input string msg);
        fails++;
        if (fails <= 20) $display("tb_spad: FAIL cycle %0d: %s", n_cyc, msg);
    endtask

    function automatic int bank_of(input longint a);
        bank_of = int'((a / BB) % NB);
    endfunction

    function automatic bit [NB-1:0] banks(input logic [31:0] addr, input logic [15:0] n);
        banks = '0;
        for (int j = 0; j < int'(n); j++) banks[bank_of(longint'(addr) + j)] = 1'b1;
    endfunction

    // A random window: n = 1 or WIN often, addresses in a small region (the
    // ports meet, reads find writes), at the top, or anywhere.
    task automatic pick(output logic [31:0] addr, output logic [15:0] n, input int region);
        int k, nn, a, lim;
        k = int'($urandom % 8);
        nn = k == 0 ? 1 : k <= 2 ? WIN : 1 + int'($urandom % WIN);
        k = int'($urandom % 10);
        lim = BYTES - nn;
        if (k < region) a = int'($urandom % (4 * T));
        else if (k == 9) a = lim - int'($urandom % (2 * T));
        else a = int'($urandom % (lim + 1));
        if (a > lim) a = lim;
        if (a < 0) a = 0;
        addr = 32'(a);
        n = 16'(nn);
    endtask

    function automatic logic [8*WIN-1:0] rnd_data();
        for (int j = 0; j < WIN; j++) rnd_data[8*j +: 8] = 8'($urandom);
    endfunction

    // The reference side of one access (reads before writes: in a cycle the
    // two ports touch disjoint banks, so the order does not matter).
    task automatic do_read(input bit port_b, input logic [31:0] addr, input logic [15:0] n);
        for (int j = 0; j < WIN; j++) begin
            bit  c;
            byte v;
            c = j < int'(n) && known[int'(addr) + j];
            v = c ? mem[int'(addr) + j] : 8'sd0;
            if (port_b) begin exp_b[j] = v; chk_b[j] = c; end
            else begin exp_a[j] = v; chk_a[j] = c; end
        end
        for (int j = 0; j < int'(n); j++) ref_rd[bank_of(longint'(addr) + j)]++;
        if (port_b) have_b = 1'b1; else have_a = 1'b1;
        n_reads++;
        n_bytes += int'(n);
    endtask

    task automatic do_write(input logic [31:0] addr, input logic [15:0] n, input logic [8*WIN-1:0] d);
        for (int j = 0; j < int'(n); j++) begin
            mem[int'(addr) + j] = byte'(d[8*j +: 8]);
            known[int'(addr) + j] = 1'b1;
            ref_wr[bank_of(longint'(addr) + j)]++;
        end
        if (longint'(addr) + longint'(n) > ref_hwm) ref_hwm = longint'(addr) + longint'(n);
        n_writes++;
        n_bytes += int'(n);
    endtask

    // Checks at a negedge: the last edge's results.
    task automatic check_state();
        for (int j = 0; j < WIN; j++) begin
            if (have_a && chk_a[j] && a_rdata[8*j +: 8] != 8'(exp_a[j]))
                fail($sformatf("A rdata byte %0d = %h, want %h", j, a_rdata[8*j +: 8], 8'(exp_a[j])));
            if (have_b && chk_b[j] && b_rdata[8*j +: 8] != 8'(exp_b[j]))
                fail($sformatf("B rdata byte %0d = %h, want %h", j, b_rdata[8*j +: 8], 8'(exp_b[j])));
        end
        for (int b = 0; b < NB; b++) begin
            if (longint'(bank_rd[CW*b +: CW]) != ref_rd[b])
                fail($sformatf("bank %0d read %0d bytes, want %0d", b, bank_rd[CW*b +: CW], ref_rd[b]));
            if (longint'(bank_wr[CW*b +: CW]) != ref_wr[b])
                fail($sformatf("bank %0d wrote %0d bytes, want %0d", b, bank_wr[CW*b +: CW], ref_wr[b]));
        end
        if (longint'(hwm) != ref_hwm) fail($sformatf("hwm %0d, want %0d", hwm, ref_hwm));
    endtask

    // One cycle: inputs already driven (after a negedge); check the grant,
    // book the accesses, clock, check the results.
    task automatic step();
        bit want_gnt;
        #1;
        want_gnt = a_req && !(b_req && (banks(a_addr, a_n) & banks(b_addr, b_n)) != '0);
        if (a_gnt !== want_gnt)
            fail($sformatf("gnt %b, want %b (A %0d+%0d, B %0d+%0d, b_req %b)", a_gnt, want_gnt,
                           a_addr, a_n, b_addr, b_n, b_req));
        if (conflict !== (a_req && !a_gnt)) fail("o_conflict is not i_a_req && !o_a_gnt");
        if (a_req && !a_gnt) n_conf++;
        if (a_req && a_gnt && b_req) n_both++;
        if (!rst) begin
            if (b_req && !b_we) do_read(1'b1, b_addr, b_n);
            if (a_req && a_gnt && !a_we) do_read(1'b0, a_addr, a_n);
            if (b_req && b_we) do_write(b_addr, b_n, b_wdata);
            if (a_req && a_gnt && a_we) do_write(a_addr, a_n, a_wdata);
        end
        @(negedge clk);
        n_cyc++;
        check_state();
    endtask

    initial begin
        bit a_pending;
        void'($urandom(SEED));
        for (int i = 0; i < BYTES; i++) begin mem[i] = 0; known[i] = 1'b0; end
        for (int b = 0; b < NB; b++) begin ref_rd[b] = 0; ref_wr[b] = 0; end
        ref_hwm = 0;

        // reset: counters 0
        @(negedge clk);
        @(negedge clk);
        rst = 1'b0;
        check_state();

        // directed: every length at every alignment of a line (and of the
        // line at the top), written through one port, read back through both
        for (int top = 0; top < 2; top++)
            for (int o = 0; o < T; o++)
                for (int nn = 1; nn <= WIN; nn++) begin
                    logic [31:0] ad;
                    ad = top == 1 ? 32'(BYTES - T - WIN + o) : 32'(T + o);
                    a_req = 1'b0; b_req = 1'b0;
                    if ((o + nn) % 2 == 0) begin
                        a_req = 1'b1; a_we = 1'b1; a_addr = ad; a_n = 16'(nn); a_wdata = rnd_data();
                    end else begin
                        b_req = 1'b1; b_we = 1'b1; b_addr = ad; b_n = 16'(nn); b_wdata = rnd_data();
                    end
                    step();
                    a_req = 1'b1; a_we = 1'b0; a_addr = ad; a_n = 16'(nn);
                    b_req = 1'b0;
                    step();
                    a_req = 1'b0;
                    b_req = 1'b1; b_we = 1'b0; b_addr = ad; b_n = 16'(nn);
                    step();
                    b_req = 1'b0;
                    step();  // both held
                end
        a_req = 1'b0; b_req = 1'b0;

        // random: phases of different port loads and locality
        a_pending = 1'b0;
        for (int c = 0; c < CYCLES; c++) begin
            int ph, pa, pb, region;
            ph = (c / 500) % 4;
            pa = ph == 0 ? 90 : ph == 1 ? 60 : ph == 2 ? 100 : 30;
            pb = ph == 0 ? 50 : ph == 1 ? 90 : ph == 2 ? 20 : 100;
            region = ph == 3 ? 7 : 3;
            // a reset in the middle: counters and hwm restart, memory and
            // held read data stay (the ports idle the cycle before)
            if (c == CYCLES / 2) begin
                a_req = 1'b0; b_req = 1'b0; a_pending = 1'b0;
                step();
                rst = 1'b1;
                for (int b = 0; b < NB; b++) begin ref_rd[b] = 0; ref_wr[b] = 0; end
                ref_hwm = 0;
                step();
                rst = 1'b0;
            end
            if (!a_pending) begin
                if (int'($urandom % 100) < pa) begin
                    a_req = 1'b1;
                    a_we = $urandom % 2 == 0;
                    pick(a_addr, a_n, region);
                    a_wdata = rnd_data();
                    a_pending = 1'b1;
                end else begin
                    a_req = 1'b0;
                    a_we = 1'($urandom);          // idle: anything else
                    a_addr = $urandom;
                end
            end
            b_req = int'($urandom % 100) < pb;
            b_we = $urandom % 2 == 0;
            pick(b_addr, b_n, region);
            b_wdata = rnd_data();
            #1;
            if (a_gnt) a_pending = 1'b0;
            step();
        end

        if (n_conf == 0) fail("no bank conflict happened");
        if (n_both == 0) fail("A and B never proceeded in the same cycle");
        if (fails == 0)
            $display("tb_spad: PASS (NB=%0d BB=%0d BYTES=%0d WIN=%0d: %0d cycles, %0d reads, %0d writes, %0d bytes, %0d conflict cycles, %0d cycles with A and B)",
                     NB, BB, BYTES, WIN, n_cyc, n_reads, n_writes, n_bytes, n_conf, n_both);
        else
            $display("tb_spad: FAIL %0d mismatches", fails);
        $finish;
    end

endmodule

`default_nettype wire
