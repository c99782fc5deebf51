// tb_wbuf: the weight buffer (npu_wbuf) against a plain byte array.
//
// Random writes (random rows, random byte enables, all or none of the bytes
// often) and random reads, both ports busy in the same cycles, often on a
// few rows so that reads find fresh writes: every read returns the
// reference row the cycle after i_re and holds it until the next read (also
// across cycles with writes to that row).  A read of the row written in the
// same cycle returns the bytes not written as they were; the bytes written
// are undefined (npu_wbuf's header) and not compared.  Bytes never written
// are not compared either.
`default_nettype none
`timescale 1ns / 1ps

module tb_wbuf #(
    parameter int BYTES  = 4096,
    parameter int COLS   = 4,
    parameter int CYCLES = 20000,
    parameter int SEED   = 1
);

    localparam int DEPTH = BYTES / COLS;
    localparam int RW    = DEPTH > 1 ? $clog2(DEPTH) : 1;

    logic              clk = 1'b0;
    logic              we = 1'b0, re = 1'b0;
    logic [RW-1:0]     wrow = '0, rrow = '0;
    logic [COLS-1:0]   wbe = '0;
    logic [8*COLS-1:0] wdata = '0, rdata;

    npu_wbuf #(
        .BYTES(BYTES),
        .COLS (COLS)
    ) u_dut (
        .i_clk  (clk),
        .i_we   (we),
        .i_wrow (wrow),
        .i_wbe  (wbe),
        .i_wdata(wdata),
        .i_re   (re),
        .i_rrow (rrow),
        .o_rdata(rdata)
    );

    always #5 clk = ~clk;

    byte mem[BYTES];
    bit  known[BYTES];
    byte exp_d[COLS];   // the last read's row
    bit  exp_c[COLS];   // which of its bytes to compare
    bit  have = 1'b0;
    int  fails = 0, n_rd = 0, n_wr = 0, n_coll = 0, n_chk = 0, n_cyc = 0;

    function automatic logic [RW-1:0] pick_row(input bit local_rows);
        pick_row = local_rows ? RW'($urandom % (DEPTH < 4 ? DEPTH : 4)) :
                   $urandom % 8 == 0 ? RW'(DEPTH - 1) : RW'($urandom % DEPTH);
    endfunction

    initial begin
        void'($urandom(SEED));
        for (int i = 0; i < BYTES; i++) begin mem[i] = 0; known[i] = 1'b0; end
        @(negedge clk);
        for (int c = 0; c < CYCLES; c++) begin
            bit local_rows;
            int k;
            local_rows = (c / 1000) % 2 == 1;
            we = $urandom % 100 < 60;
            re = $urandom % 100 < 60;
            wrow = pick_row(local_rows);
            rrow = $urandom % 4 == 0 ? wrow : pick_row(local_rows);
            k = int'($urandom % 4);
            wbe = k == 0 ? '1 : k == 1 ? '0 : COLS'($urandom);
            for (int j = 0; j < COLS; j++) wdata[8*j +: 8] = 8'($urandom);
            // the reference: the read sees the row before this cycle's write
            if (re) begin
                for (int j = 0; j < COLS; j++) begin
                    int a;
                    a = int'(rrow) * COLS + j;
                    exp_d[j] = mem[a];
                    exp_c[j] = known[a] && !(we && wrow == rrow && wbe[j]);
                end
                if (we && wrow == rrow && wbe != '0) n_coll++;
                have = 1'b1;
                n_rd++;
            end
            if (we) begin
                for (int j = 0; j < COLS; j++)
                    if (wbe[j]) begin
                        mem[int'(wrow) * COLS + j] = byte'(wdata[8*j +: 8]);
                        known[int'(wrow) * COLS + j] = 1'b1;
                    end
                n_wr++;
            end
            @(negedge clk);
            n_cyc++;
            if (have)
                for (int j = 0; j < COLS; j++)
                    if (exp_c[j]) begin
                        n_chk++;
                        if (rdata[8*j +: 8] != 8'(exp_d[j])) begin
                            fails++;
                            if (fails <= 20)
                                $display("tb_wbuf: FAIL cycle %0d: byte %0d = %h, want %h", n_cyc, j,
                                         rdata[8*j +: 8], 8'(exp_d[j]));
                        end
                    end
        end
        if (fails == 0)
            $display("tb_wbuf: PASS (BYTES=%0d COLS=%0d: %0d cycles, %0d reads, %0d writes, %0d collisions, %0d bytes compared)",
                     BYTES, COLS, n_cyc, n_rd, n_wr, n_coll, n_chk);
        else
            $display("tb_wbuf: FAIL %0d mismatches", fails);
        $finish;
    end

endmodule

`default_nettype wire
