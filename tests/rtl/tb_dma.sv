// tb_dma: the DMA engine with its bandwidths and latency (parameters, set
// per run with -G): transfers of every size up to a few beats at odd
// addresses move the right bytes, each takes max(LATENCY, 1) + ceil(n / BPC)
// + 1 cycles (the last beat's write overlaps the next transfer, so back to
// back they start LATENCY + ceil(n / BPC) apart), a stream of a compute
// instruction's operands lets the engine go after LATENCY cycles and is done
// ceil(rd / RD_BPC) + ceil(wr / WR_BPC) beats later, and a queued transfer
// waits while a running compute instruction holds its SRAM bytes.
`default_nettype none
`timescale 1ns / 1ps

module tb_dma #(
    parameter int RD_BPC  = 4,
    parameter int WR_BPC  = 4,
    parameter int LATENCY = 10
);

    localparam int DW = RD_BPC > WR_BPC ? RD_BPC : WR_BPC;
    localparam int ROWS = 2, COLS = 2, VW = 2, PKK = 9;

    logic        clk = 1'b0, rst = 1'b1;
    logic [63:0] cycle = 0;
    logic        push = 1'b0, push_load = 1'b0, full, stream = 1'b0, stream_end = 1'b0;
    logic        go, sdone, hold = 1'b0, idle, busy;
    logic [31:0] push_src = 0, push_dst = 0, push_bytes = 0, push_index = 0, hold_lo = 0, hold_hi = 0;
    logic [63:0] stream_rd = 0, stream_wr = 0;
    logic        rd_en, rd_dram, wr_en, wr_dram, ret;
    logic [31:0] rd_addr, wr_addr, ret_index, ret_bytes;
    logic [15:0] wr_n;
    logic [63:0] ret_start, ret_end;
    logic        ret_load;
    logic [DW-1:0][7:0] rd_s, rd_d, wr_data;
    int          fails = 0;

    always #5 clk = ~clk;
    always @(posedge clk) cycle <= rst ? 64'd0 : cycle + 64'd1;

    npu_dma #(
        .RD_BPC (RD_BPC),
        .WR_BPC (WR_BPC),
        .LATENCY(LATENCY),
        .QDEPTH (4)
    ) u_dut (
        .i_clk(clk), .i_rst(rst), .i_cycle(cycle),
        .i_push(push), .i_push_load(push_load), .i_push_src(push_src), .i_push_dst(push_dst),
        .i_push_bytes(push_bytes), .i_push_index(push_index), .o_full(full),
        .i_stream(stream), .i_stream_rd(stream_rd), .i_stream_wr(stream_wr),
        .o_stream_go(go), .o_stream_done(sdone), .i_stream_end(stream_end),
        .i_hold(hold), .i_hold_lo(hold_lo), .i_hold_hi(hold_hi), .o_idle(idle), .o_busy(busy),
        .o_rd_en(rd_en), .o_rd_dram(rd_dram), .o_rd_addr(rd_addr), .i_rd_data_s(rd_s), .i_rd_data_d(rd_d),
        .o_wr_en(wr_en), .o_wr_dram(wr_dram), .o_wr_addr(wr_addr), .o_wr_n(wr_n), .o_wr_data(wr_data),
        .o_ret(ret), .o_ret_index(ret_index), .o_ret_start(ret_start), .o_ret_end(ret_end),
        .o_ret_bytes(ret_bytes), .o_ret_load(ret_load)
    );

    npu_sram #(.BYTES(4096), .DW(DW), .ROWS(ROWS), .COLS(COLS), .VW(VW), .PKK(PKK)) u_sram (
        .i_clk(clk),
        .i_drd_en(rd_en && !rd_dram), .i_drd_addr(rd_addr), .o_drd_data(rd_s),
        .i_dwr_en(wr_en && !wr_dram), .i_dwr_addr(wr_addr), .i_dwr_n(wr_n), .i_dwr_data(wr_data),
        .i_cx_en('0), .i_cx_addr('0), .o_cx_data(),
        .i_ca_en(1'b0), .i_ca_addr('0), .o_ca_data(),
        .i_cy_en(1'b0), .i_cy_wide(1'b0), .i_cy_mask('0), .i_cy_addr('0), .i_cy_data('0),
        .i_vr_en(1'b0), .i_vr_wide(1'b0), .i_vr_addr('0), .o_vr_data(),
        .i_vg_en(1'b0), .i_vg_base('0), .i_vg_off('0), .i_vg_mask('0), .o_vg_data(),
        .i_vy_en(1'b0), .i_vy_addr('0), .i_vy_n('0), .i_vy_data('0)
    );

    npu_dram #(.BYTES(8192), .DW(DW), .ROWS(ROWS), .COLS(COLS), .VW(VW), .PKK(PKK)) u_dram (
        .i_clk(clk),
        .i_drd_en(rd_en && rd_dram), .i_drd_addr(rd_addr), .o_drd_data(rd_d),
        .i_dwr_en(wr_en && wr_dram), .i_dwr_addr(wr_addr), .i_dwr_n(wr_n), .i_dwr_data(wr_data),
        .i_cx_en('0), .i_cx_addr('0), .o_cx_data(),
        .i_cw_en(1'b0), .i_cw_cmask('0), .i_cw_nrows('0), .i_cw_addr('0), .o_cw_data(),
        .i_ca_en(1'b0), .i_ca_addr('0), .o_ca_data(),
        .i_cq_en(1'b0), .i_cq_addr('0), .o_cq_data(),
        .i_cy_en(1'b0), .i_cy_wide(1'b0), .i_cy_mask('0), .i_cy_addr('0), .i_cy_data('0),
        .i_vr_en(1'b0), .i_vr_wide(1'b0), .i_vr_addr('0), .o_vr_data(),
        .i_vg_en(1'b0), .i_vg_base('0), .i_vg_off('0), .i_vg_mask('0), .o_vg_data(),
        .i_vy_en(1'b0), .i_vy_addr('0), .i_vy_n('0), .i_vy_data('0)
    );

    // what each retired transfer took
    logic [63:0] last_start, last_end;
    int          nret = 0;
    always @(posedge clk)
        if (ret) begin
            last_start <= ret_start;
            last_end   <= ret_end;
            nret       <= nret + 1;
        end

    function automatic int ceil_div(input int a, input int b);
        return (a + b - 1) / b;
    endfunction

    task automatic check(input bit ok, input string what);
        if (!ok) begin
            fails++;
            if (fails <= 10) $display("tb_dma: FAIL %s", what);
        end
    endtask

    task automatic xfer(input bit load, input int src, input int dst, input int n, input int idx);
        push       = 1'b1;
        push_load  = load;
        push_src   = 32'(src);
        push_dst   = 32'(dst);
        push_bytes = 32'(n);
        push_index = 32'(idx);
        @(negedge clk);
        push = 1'b0;
    endtask

    // idle, and the last transfer's retirement (a cycle after its write) seen
    task automatic wait_idle();
        while (!idle) @(negedge clk);
        repeat (2) @(negedge clk);
    endtask

    initial begin : main
        int lat1;
        lat1 = LATENCY > 1 ? LATENCY : 1;
        for (int a = 0; a < 8192; a++) u_dram.mem_r[a] = 8'(a * 7 + 3);
        repeat (2) @(negedge clk);
        rst = 1'b0;

        // one at a time: data and duration
        for (int n = 1; n <= 3 * DW + 2; n++) begin
            int src, mid, dst, nret0;
            src = 17 + 3 * n;
            mid = 5 + n;
            dst = 4096 + 11 * n;
            nret0 = nret;
            xfer(1'b1, src, mid, n, 2 * n);
            wait_idle();
            check(nret == nret0 + 1, $sformatf("load %0d: %0d retired", n, nret - nret0));
            check(last_end - last_start == 64'(lat1 + ceil_div(n, RD_BPC) + 1),
                  $sformatf("load of %0d bytes took %0d cycles, want %0d", n, last_end - last_start,
                            lat1 + ceil_div(n, RD_BPC) + 1));
            xfer(1'b0, mid, dst, n, 2 * n + 1);
            wait_idle();
            check(last_end - last_start == 64'(lat1 + ceil_div(n, WR_BPC) + 1),
                  $sformatf("store of %0d bytes took %0d cycles, want %0d", n, last_end - last_start,
                            lat1 + ceil_div(n, WR_BPC) + 1));
            for (int k = 0; k < n; k++)
                check(u_dram.mem_r[dst + k] == u_dram.mem_r[src + k],
                      $sformatf("transfer of %0d bytes: byte %0d is %0d, want %0d", n, k,
                                u_dram.mem_r[dst + k], u_dram.mem_r[src + k]));
            check(u_dram.mem_r[dst + n] == 8'((dst + n) * 7 + 3),
                  $sformatf("transfer of %0d bytes wrote past its end", n));
        end

        // back to back: the queue keeps the channel busy
        begin
            logic [63:0] s0;
            xfer(1'b1, 100, 200, 5 * RD_BPC, 90);
            xfer(1'b1, 300, 400, 3 * RD_BPC + 1, 91);
            while (!ret) @(negedge clk);
            s0 = ret_start;
            @(negedge clk);
            while (!ret) @(negedge clk);
            check(ret_start - s0 == 64'(lat1 + 5),
                  $sformatf("back to back: second started %0d after the first, want %0d",
                            ret_start - s0, lat1 + 5));
            wait_idle();
        end

        // streaming for a compute instruction
        begin
            int t0, tgo, tdone, beats;
            beats = ceil_div(37, RD_BPC) + ceil_div(13, WR_BPC);
            stream_rd = 37;
            stream_wr = 13;
            stream = 1'b1;
            t0 = int'(cycle);
            @(negedge clk);
            stream = 1'b0;
            while (!go) @(negedge clk);
            tgo = int'(cycle);
            while (!sdone) @(negedge clk);
            tdone = int'(cycle);
            check(tgo - t0 == lat1, $sformatf("stream: go after %0d cycles, want %0d", tgo - t0, lat1));
            check(tdone - tgo == beats,
                  $sformatf("stream: done %0d cycles after go, want %0d", tdone - tgo, beats));
            check(!idle, "stream: idle nret0 the instruction ends");
            stream_end = 1'b1;
            @(negedge clk);
            stream_end = 1'b0;
            check(idle, "stream: not idle after the instruction ended");
        end

        // the hold interlock
        begin
            int nret0;
            nret0  = nret;
            hold    = 1'b1;
            hold_lo = 1000;
            hold_hi = 1010;
            xfer(1'b1, 0, 1008, 4, 95);
            repeat (LATENCY + 20) @(negedge clk);
            check(nret == nret0 && !busy, "a load into held SRAM started");
            hold = 1'b0;
            wait_idle();
            check(nret == nret0 + 1, "the held load did not run after the hold");
        end

        if (fails != 0) $fatal(1, "tb_dma: %0d checks failed", fails);
        $display("tb_dma: PASS (RD_BPC=%0d WR_BPC=%0d LATENCY=%0d)", RD_BPC, WR_BPC, LATENCY);
        $finish;
    end

endmodule

`default_nettype wire
