// tb_dma: npu_dma alone, with behavioural models of the DRAM (tests/rtl's
// DRAM model: requests accepted every cycle, a read burst's beats from
// LATENCY cycles after its request, after the previous read burst's last
// beat and after every earlier write burst's data; write beats taken for the
// oldest accepted write burst with data missing; a response LATENCY cycles
// after a burst's last beat), of the scratchpad's port B (never refused,
// read data the next cycle, held) and of the WBUF write port.
//
// Checked against a byte-level reference that applies each transfer in
// order when it is pushed (the testbench waits for o_idle, as a SYNC
// would, before a transfer that touches bytes an earlier one still moves):
//   - final SRAM, WBUF and DRAM contents;
//   - every request, in order: address, length, direction (the walk of
//     rows and bursts); the beats of each row, strobes of each write beat;
//   - every port-B access (1..WIN bytes; LOAD writes and STORE reads are
//     exactly the rows' WIN-byte chunks, in order) and WBUF write (one
//     WBUF row, byte enables);
//   - fetch bursts injected at random times: data, order, priority (at
//     most one transfer read request goes out between i_f_req and o_f_ack);
//   - per-class port counters (beats x width computed from the transfers'
//     addresses), moved-byte counters, o_done (every transfer once, its
//     first-request and completion cycles), o_idle at the end;
//   - the hold: no transfer pushed while a hold (a compute instruction's
//     footprint) overlapping its on-chip range was on sends its first
//     request before that hold ends (i_hold_end);
//   - timing (the header of hw/npu_dma.sv): a LOAD or STORE alone takes
//     LATENCY + beats + 1 cycles from its first request (+1 for a LOAD whose
//     last beat completes two chunks), first request 2 cycles after the
//     push, data channels without idle cycles; many small LOADs (STOREs)
//     keep the read (write) channel busy when NOUT bursts cover the latency.
//
// Parameters: RD_BPC, WR_BPC, WIN, COLS, LATENCY, NCASES (random transfers).
`default_nettype none
`timescale 1ns / 1ps

module tb_dma #(
    parameter int RD_BPC  = 8,
    parameter int WR_BPC  = 8,
    parameter int WIN     = 32,
    parameter int COLS    = 16,
    parameter int LATENCY = 10,
    parameter int NCASES  = 600
);

    localparam int MAXB = 16, NOUT = 16, QDEPTH = 16, CW = 48, WRW = 10;
    localparam int SRAM_BYTES = 8192, DRAM_BYTES = 65536, FETCH_BASE = 57344;
    localparam int WBUF_BYTES = (1 << WRW) * COLS;
    localparam int MAXX = 8192;

    // ------------------------------------------------------------------
    // DUT
    // ------------------------------------------------------------------
    logic clk = 1'b0, rst = 1'b1;
    logic [63:0] cycle = 0;
    always #5 clk = ~clk;
    always @(posedge clk) cycle <= cycle + 64'd1;

    logic push = 0, push_load = 0;
    logic [1:0] push_class = 0;
    logic [31:0] push_src = 0, push_dst = 0, push_bytes = 0, push_sstride = 0, push_dstride = 0, push_index = 0;
    logic [15:0] push_rows = 0;
    logic full, idle, busy;
    logic hold = 0, hold_end = 0;
    logic [31:0] hold_lo = 0, hold_hi = 0, hold_wlo = 0, hold_whi = 0;
    logic f_req = 0, f_ack, f_rvalid;
    logic [31:0] f_addr = 0;
    logic [7:0] f_len = 0;
    logic [8*RD_BPC-1:0] f_rdata;
    logic m_avalid, m_awrite, m_rvalid = 0, m_rready, m_wvalid, m_wready = 0, m_bvalid = 0;
    logic [31:0] m_aaddr;
    logic [7:0] m_alen;
    logic [8*RD_BPC-1:0] m_rdata = 0;
    logic [8*WR_BPC-1:0] m_wdata;
    logic [WR_BPC-1:0] m_wstrb;
    logic b_req, b_we;
    logic [31:0] b_addr;
    logic [15:0] b_n;
    logic [8*WIN-1:0] b_wdata, b_rdata = 0;
    logic wb_we;
    logic [WRW-1:0] wb_row;
    logic [8*COLS-1:0] wb_wdata;
    logic [COLS-1:0] wb_be;
    logic [CW-1:0] c_rd_weight, c_rd_act, c_rd_spill, c_rd_fetch, c_wr_act, c_wr_spill, c_moved_rd, c_moved_wr;
    logic done;
    logic [31:0] done_index;
    logic [63:0] done_start, done_end;

    npu_dma #(
        .RD_BPC(RD_BPC), .WR_BPC(WR_BPC), .WIN(WIN), .COLS(COLS), .WRW(WRW),
        .QDEPTH(QDEPTH), .MAXB(MAXB), .NOUT(NOUT), .CW(CW)
    ) u_dut (
        .i_clk(clk), .i_rst(rst), .i_cycle(cycle),
        .i_push(push), .i_push_load(push_load), .i_push_class(push_class),
        .i_push_src(push_src), .i_push_dst(push_dst), .i_push_bytes(push_bytes),
        .i_push_rows(push_rows), .i_push_sstride(push_sstride), .i_push_dstride(push_dstride),
        .i_push_index(push_index), .o_full(full), .o_idle(idle),
        .i_hold(hold), .i_hold_end(hold_end), .i_hold_lo(hold_lo), .i_hold_hi(hold_hi), .i_hold_wlo(hold_wlo), .i_hold_whi(hold_whi),
        .i_f_req(f_req), .i_f_addr(f_addr), .i_f_len(f_len), .o_f_ack(f_ack),
        .o_f_rvalid(f_rvalid), .o_f_rdata(f_rdata),
        .o_m_avalid(m_avalid), .i_m_aready(1'b1), .o_m_awrite(m_awrite), .o_m_aaddr(m_aaddr),
        .o_m_alen(m_alen), .i_m_rvalid(m_rvalid), .o_m_rready(m_rready), .i_m_rdata(m_rdata),
        .o_m_wvalid(m_wvalid), .i_m_wready(m_wready), .o_m_wdata(m_wdata), .o_m_wstrb(m_wstrb),
        .i_m_bvalid(m_bvalid),
        .o_b_req(b_req), .o_b_we(b_we), .o_b_addr(b_addr), .o_b_n(b_n), .o_b_wdata(b_wdata),
        .i_b_rdata(b_rdata),
        .o_wb_we(wb_we), .o_wb_row(wb_row), .o_wb_wdata(wb_wdata), .o_wb_be(wb_be),
        .o_rd_weight(c_rd_weight), .o_rd_act(c_rd_act), .o_rd_spill(c_rd_spill), .o_rd_fetch(c_rd_fetch),
        .o_wr_act(c_wr_act), .o_wr_spill(c_wr_spill), .o_moved_rd(c_moved_rd), .o_moved_wr(c_moved_wr),
        .o_busy(busy),
        .o_done(done), .o_done_index(done_index), .o_done_start(done_start), .o_done_end(done_end)
    );

    // ------------------------------------------------------------------
    // Memories, reference, bookkeeping
    // ------------------------------------------------------------------
    logic [7:0] sram [SRAM_BYTES];
    logic [7:0] dram [DRAM_BYTES];
    logic [7:0] wbuf [WBUF_BYTES];
    logic [7:0] ref_sram [SRAM_BYTES];
    logic [7:0] ref_dram [DRAM_BYTES];
    logic [7:0] ref_wbuf [WBUF_BYTES];
    // bytes transfers in flight may still move (since the last wait for idle)
    bit sram_w [SRAM_BYTES];
    bit sram_r [SRAM_BYTES];
    bit dram_w [DRAM_BYTES];
    bit dram_r [DRAM_BYTES];
    bit wbuf_w [WBUF_BYTES];

    typedef struct packed {
        bit  write;
        bit  fetch;
        bit  xfirst;
        bit  xlast;
        int  xid;
        int  addr;
        int  len;       // beats
        int  rs;        // the row's DRAM address and bytes (strobes)
        int  rn;
        int  acc;       // accepted (cycle)
        int  wbefore;   // write bursts accepted before it
        int  beat;      // beats done
    } burst_t;

    typedef struct packed {
        int addr;
        int n;
        int xid;
        bit last;
    } chunk_t;

    typedef struct packed {
        int cyc;
        int xid;
        bit last;
    } resp_t;

    burst_t exp_bursts[$];      // transfer bursts, request order
    burst_t rd_q[$];            // DRAM: read bursts with beats to come
    burst_t wr_q[$];            // DRAM: write bursts with beats to come
    resp_t  resp_q[$];
    chunk_t exp_bw[$];          // port-B writes (LOAD chunks)
    chunk_t exp_br[$];          // port-B reads (STORE chunks)
    chunk_t exp_wb[$];          // WBUF writes
    chunk_t exp_f[$];           // fetch bursts acked: addr, beats

    int   nx = 0;
    bit   x_load [MAXX];
    bit   x_wb [MAXX];
    int   x_lo [MAXX];
    int   x_hi [MAXX];
    longint x_push [MAXX];
    longint x_first [MAXX];
    longint x_end [MAXX];
    int   x_reported [MAXX];
    longint x_rb0 [MAXX];       // first and last data beat (read or write channel)
    longint x_rb1 [MAXX];
    int   x_nbeats [MAXX];

    longint exp_rd [4];          // act, spill, weight, fetch
    longint exp_wr [2];
    longint exp_moved_rd = 0, exp_moved_wr = 0;
    int   fails = 0, nchecks = 0;
    int   wdone_n = 0;           // write bursts with all data in
    longint wdone_cyc [$];
    longint rd_prev_done = -1;
    int   w_total = 0;
    int   nfetch_beats = 0, nfetch = 0, nreports = 0, nholds_blocked = 0;
    int   fetch_pct = 0;         // fetch injection, percent a cycle
    int   max_fetch_wait = 0;

    // hold, owned by the model loop
    bit   hold_req = 0;
    int   hold_dur = 0;
    int   hold_t = 0;
    logic [31:0] hreq_lo, hreq_hi, hreq_wlo, hreq_whi;
    bit   hp_on = 0;
    int   hp_lo, hp_hi, hp_wlo, hp_whi;
    longint hold_begin = 0, hp_begin = 0;  // the cycle the hold (last cycle's) began

    task automatic check(input bit ok, input string what);
        nchecks++;
        if (!ok) begin
            fails++;
            if (fails <= 20) $display("tb_dma: FAIL %s (cycle %0d)", what, cycle);
        end
    endtask

    function automatic int row_beats(input int s, input int n, input int bpc);
        return (s + n - 1) / bpc - s / bpc + 1;
    endfunction

    function automatic int imin(input int a, input int b);
        return a < b ? a : b;
    endfunction

    function automatic chunk_t mk_chunk(input int addr, input int n, input int xid, input bit last);
        mk_chunk.addr = addr;
        mk_chunk.n = n;
        mk_chunk.xid = xid;
        mk_chunk.last = last;
    endfunction

    function automatic resp_t mk_resp(input int cyc, input int xid, input bit last);
        mk_resp.cyc = cyc;
        mk_resp.xid = xid;
        mk_resp.last = last;
    endfunction

    function automatic bit overlaps_hold(input int x, input bit on, input int lo, input int hi,
                                         input int wlo, input int whi);
        if (!on) return 0;
        if (x_wb[x]) return wlo < whi && x_lo[x] < whi && wlo < x_hi[x];
        return lo < hi && x_lo[x] < hi && lo < x_hi[x];
    endfunction

    // ------------------------------------------------------------------
    // The cycle model: DRAM, port B, WBUF, fetch unit, hold
    // ------------------------------------------------------------------
    logic [8*WIN-1:0] b_next = 0;
    longint f_acked_at = -10;    // the cycle of the last o_f_ack
    longint f_raised = 0;
    bit   f_req_prev = 0;        // i_f_req in the cycle before
    bit   trace = 0;

    initial begin : model
        bit wbeat_now, rv;
        burst_t h;
        longint t;
        while (rst) @(negedge clk);
        forever begin
            @(negedge clk);
            t = longint'(cycle);
            // ---- step 1: requests accepted this cycle (i_m_aready = 1)
            if (m_avalid) begin
                burst_t b;
                b = '0;
                b.write = m_awrite;
                b.fetch = f_ack;
                b.addr = int'(m_aaddr);
                b.len = int'(m_alen) + 1;
                b.acc = int'(t);
                b.wbefore = w_total;
                if (f_ack) begin
                    check(!m_awrite && f_req && m_aaddr == f_addr && m_alen == f_len,
                          "o_f_ack for a request that is not the fetch burst");
                    exp_f.push_back(mk_chunk(int'(m_aaddr), int'(m_alen) + 1, 0, 0));
                    exp_rd[3] += longint'((int'(m_alen) + 1) * RD_BPC);
                    nfetch++;
                    if (t - f_raised > max_fetch_wait) max_fetch_wait = int'(t - f_raised);
                    f_acked_at = t;
                    rd_q.push_back(b);
                end else if (exp_bursts.size() == 0) begin
                    check(0, $sformatf("unexpected request %0d at %0d", m_alen, m_aaddr));
                end else begin
                    burst_t e;
                    e = exp_bursts.pop_front();
                    check(e.write == m_awrite && e.addr == int'(m_aaddr) && e.len == int'(m_alen) + 1,
                          $sformatf("request %s %0d+%0d beats, want %s %0d+%0d (transfer %0d)",
                                    m_awrite ? "W" : "R", m_aaddr, int'(m_alen) + 1,
                                    e.write ? "W" : "R", e.addr, e.len, e.xid));
                    check(m_alen < 8'(MAXB), "burst longer than MAXB");
                    e.acc = int'(t);
                    e.wbefore = w_total;
                    e.beat = 0;
                    if (e.xfirst) begin
                        x_first[e.xid] = t;
                        // held only by the compute running when it was pushed
                        check(!(hp_begin < x_push[e.xid] &&
                                overlaps_hold(e.xid, hp_on, hp_lo, hp_hi, hp_wlo, hp_whi)),
                              $sformatf("transfer %0d started while held", e.xid));
                    end
                    if (e.write) begin
                        wr_q.push_back(e);
                        w_total++;
                    end else begin
                        rd_q.push_back(e);
                        // R was loaded in t-1: with i_f_req up then (and not the request
                        // acked in t-1), the fetch had to go first
                        check(!f_req_prev || f_acked_at == t - 1,
                              "a transfer read request went out before a waiting fetch");
                    end
                end
            end
            // ---- step 2: this cycle's inputs
            rv = 0;
            if (rd_q.size() != 0) begin
                h = rd_q[0];
                if (h.beat > 0) rv = 1;
                else if (t >= longint'(h.acc + LATENCY) && rd_prev_done < t &&
                         (h.wbefore == 0 || (wdone_n >= h.wbefore && wdone_cyc[h.wbefore - 1] < t)))
                    rv = 1;
                if (rv) begin
                    logic [8*RD_BPC-1:0] v;
                    for (int j = 0; j < RD_BPC; j++) v[8*j +: 8] = dram[h.addr + h.beat * RD_BPC + j];
                    m_rdata = v;
                end
            end
            m_rvalid = rv;
            m_wready = wr_q.size() != 0;
            wbeat_now = m_wvalid && m_wready;
            if (wbeat_now && wr_q[0].beat == wr_q[0].len - 1)
                resp_q.push_back(mk_resp(int'(t) + LATENCY, wr_q[0].xid, wr_q[0].xlast));
            m_bvalid = resp_q.size() != 0 && longint'(resp_q[0].cyc) == t;
            b_rdata = b_next;
            // the fetch unit: a registered request, moved on the cycle after o_f_ack
            if (f_req && f_acked_at == t - 1) f_req = 0;
            if (!f_req && fetch_pct != 0 && $urandom_range(0, 99) < fetch_pct) begin
                f_req = 1;
                f_addr = 32'(FETCH_BASE + RD_BPC * $urandom_range(0, 512));
                f_len = 8'($urandom_range(0, MAXB - 1));
                f_raised = t;
            end
            // the hold
            hold_end = 0;
            if (hold_req && !hold) begin
                hold_req = 0;
                hold = 1;
                hold_begin = longint'(cycle);
                hold_lo = hreq_lo;
                hold_hi = hreq_hi;
                hold_wlo = hreq_wlo;
                hold_whi = hreq_whi;
                hold_t = hold_dur;
            end else if (hold) begin
                if (hold_t == 0) begin
                    hold = 0;
                    hold_end = 1;  // the compute instruction ends: its holds are lifted
                end else hold_t--;
            end
            #1;
            // ---- step 3: what happened this cycle
            if (m_rvalid && m_rready) begin
                h = rd_q[0];
                if (h.fetch) begin
                    chunk_t fx;
                    logic [8*RD_BPC-1:0] want;
                    fx = exp_f[0];
                    for (int j = 0; j < RD_BPC; j++) want[8*j +: 8] = dram[fx.addr + h.beat * RD_BPC + j];
                    check(f_rvalid && f_rdata == want, $sformatf("fetch beat data %0h, want %0h (burst at %0d, beat %0d, exp %0d)", f_rdata, want, h.addr, h.beat, fx.addr));
                    nfetch_beats++;
                end else begin
                    check(!f_rvalid, "o_f_rvalid on a transfer beat");
                    if (x_rb0[h.xid] < 0) x_rb0[h.xid] = t;
                    x_rb1[h.xid] = t;
                end
                h.beat++;
                if (h.beat == h.len) begin
                    void'(rd_q.pop_front());
                    if (h.fetch) void'(exp_f.pop_front());
                    rd_prev_done = t;
                end else
                    rd_q[0] = h;
            end else
                check(!f_rvalid, "o_f_rvalid without a beat");
            if (m_wvalid && m_wready) begin
                h = wr_q[0];
                for (int j = 0; j < WR_BPC; j++) begin
                    int a;
                    bit want;
                    a = h.addr + h.beat * WR_BPC + j;
                    want = a >= h.rs && a < h.rs + h.rn;
                    if (m_wstrb[j] != want) check(0, $sformatf("strobe %0d of a write beat at %0d", j, a - j));
                    if (m_wstrb[j] && a < DRAM_BYTES) dram[a] = m_wdata[8*j +: 8];
                end
                if (x_rb0[h.xid] < 0) x_rb0[h.xid] = t;
                x_rb1[h.xid] = t;
                h.beat++;
                if (h.beat == h.len) begin
                    void'(wr_q.pop_front());
                    wdone_cyc.push_back(t);
                    wdone_n++;
                end else
                    wr_q[0] = h;
            end
            if (m_bvalid) begin
                resp_t r;
                r = resp_q.pop_front();
                if (r.last) x_end[r.xid] = t;
            end
            if (b_req) begin
                check(b_n >= 1 && int'(b_n) <= WIN, $sformatf("port-B access of %0d bytes", b_n));
                if (b_we) begin
                    chunk_t c;
                    if (exp_bw.size() == 0) check(0, "unexpected port-B write");
                    else begin
                        c = exp_bw.pop_front();
                        check(int'(b_addr) == c.addr && int'(b_n) == c.n,
                              $sformatf("port-B write %0d+%0d, want %0d+%0d", b_addr, b_n, c.addr, c.n));
                        if (c.last) x_end[c.xid] = t;
                    end
                    for (int j = 0; j < int'(b_n) && j < WIN; j++)
                        if (int'(b_addr) + j < SRAM_BYTES) sram[int'(b_addr) + j] = b_wdata[8*j +: 8];
                end else begin
                    chunk_t c;
                    if (exp_br.size() == 0) check(0, "unexpected port-B read");
                    else begin
                        c = exp_br.pop_front();
                        check(int'(b_addr) == c.addr && int'(b_n) == c.n,
                              $sformatf("port-B read %0d+%0d, want %0d+%0d", b_addr, b_n, c.addr, c.n));
                    end
                    for (int j = 0; j < WIN; j++)
                        b_next[8*j +: 8] = int'(b_addr) + j < SRAM_BYTES ? sram[int'(b_addr) + j] : 8'hxx;
                end
            end
            if (wb_we) begin
                chunk_t c;
                if (exp_wb.size() == 0) check(0, "unexpected WBUF write");
                else begin
                    c = exp_wb.pop_front();
                    check(int'(wb_row) == c.addr, $sformatf("WBUF write row %0d, want %0d", wb_row, c.addr));
                    for (int j = 0; j < COLS; j++)
                        check(wb_be[j] == (j < c.n), "WBUF byte enables");
                    if (c.last) x_end[c.xid] = t;
                end
                for (int j = 0; j < COLS; j++)
                    if (wb_be[j]) wbuf[int'(wb_row) * COLS + j] = wb_wdata[8*j +: 8];
            end
            if (done) begin
                int x;
                x = int'(done_index);
                nreports++;
                if (x < 0 || x >= nx) check(0, $sformatf("o_done for transfer %0d", x));
                else begin
                    check(x_reported[x] == 0, $sformatf("transfer %0d reported twice", x));
                    x_reported[x]++;
                    check(longint'(done_start) == x_first[x],
                          $sformatf("transfer %0d: start %0d, its first request went out at %0d",
                                    x, done_start, x_first[x]));
                    check(longint'(done_end) == x_end[x],
                          $sformatf("transfer %0d: end %0d, it completed at %0d", x, done_end, x_end[x]));
                    check(t == x_end[x] + (x_load[x] ? 1 : 2),
                          $sformatf("transfer %0d: reported at %0d, completed at %0d", x, t, x_end[x]));
                end
            end
            f_req_prev = f_req;
            if (trace)
                $display("%0d: A%0d%s %0d+%0d | R%0d/%0d%s | W%0d/%0d B%0d | b%0d%s %0d+%0d | wb%0d | q%0d idle%0d done%0d f%0d",
                         t, m_avalid, m_awrite ? "w" : "r", m_aaddr, m_alen, m_rvalid, m_rready,
                         f_rvalid ? "f" : "", m_wvalid, m_wready, m_bvalid, b_req, b_we ? "w" : "r",
                         b_addr, b_n, wb_we, u_dut.q_cnt_r, idle, done, f_req);
            hp_on = hold;
            hp_begin = hold_begin;
            hp_lo = int'(hold_lo);
            hp_hi = int'(hold_hi);
            hp_wlo = int'(hold_wlo);
            hp_whi = int'(hold_whi);
        end
    end

    // ------------------------------------------------------------------
    // Pushing transfers
    // ------------------------------------------------------------------
    task automatic wait_idle();
        while (!idle) @(negedge clk);
        for (int a = 0; a < SRAM_BYTES; a++) begin
            sram_w[a] = 0;
            sram_r[a] = 0;
        end
        for (int a = 0; a < DRAM_BYTES; a++) begin
            dram_w[a] = 0;
            dram_r[a] = 0;
        end
        for (int a = 0; a < WBUF_BYTES; a++) wbuf_w[a] = 0;
    endtask

    // LOAD (src DRAM, dst SRAM or WBUF bytes) or STORE (src SRAM, dst DRAM)
    task automatic xfer(input bit load, input bit wb, input int cls, input int src, input int dst,
                        input int n, input int rows, input int ss, input int ds);
        int x, bpc, dram_s, dram_st, conflict;
        x = nx++;
        // a SYNC when it touches what a transfer in flight may still move
        conflict = 0;
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < n; j++) begin
                int a, d;
                a = src + r * ss + j;
                d = dst + r * ds + j;
                if (load) begin
                    if (dram_w[a]) conflict = 1;
                    if (wb ? wbuf_w[d] : sram_w[d] || sram_r[d]) conflict = 1;
                end else begin
                    if (sram_w[a]) conflict = 1;
                    if (dram_w[d] || dram_r[d]) conflict = 1;
                end
            end
        if (conflict != 0) wait_idle();
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < n; j++) begin
                int a, d;
                a = src + r * ss + j;
                d = dst + r * ds + j;
                if (load) begin
                    dram_r[a] = 1;
                    if (wb) begin
                        wbuf_w[d] = 1;
                        ref_wbuf[d] = ref_dram[a];
                    end else begin
                        sram_w[d] = 1;
                        ref_sram[d] = ref_dram[a];
                    end
                end else begin
                    sram_r[a] = 1;
                    dram_w[d] = 1;
                    ref_dram[d] = ref_sram[a];
                end
            end
        // what the DMA must do
        x_load[x] = load;
        x_wb[x] = wb;
        x_lo[x] = load ? dst : src;
        x_hi[x] = (load ? dst : src) + (rows - 1) * (load ? ds : ss) + n;
        x_first[x] = -1;
        x_end[x] = -1;
        x_rb0[x] = -1;
        x_rb1[x] = -1;
        x_reported[x] = 0;
        x_nbeats[x] = 0;
        bpc = load ? RD_BPC : WR_BPC;
        dram_s = load ? src : dst;
        dram_st = load ? ss : ds;
        for (int r = 0; r < rows; r++) begin
            int s, nb, ba;
            s = dram_s + r * dram_st;
            nb = row_beats(s, n, bpc);
            x_nbeats[x] += nb;
            if (load) exp_rd[cls] += longint'(nb * RD_BPC);
            else if (cls < 2) exp_wr[cls] += longint'(nb * WR_BPC);
            ba = s / bpc * bpc;
            while (nb > 0) begin
                burst_t b;
                b = '0;
                b.write = !load;
                b.xid = x;
                b.addr = ba;
                b.len = imin(nb, MAXB);
                b.rs = s;
                b.rn = n;
                b.xfirst = r == 0 && ba == s / bpc * bpc;
                b.xlast = r == rows - 1 && nb <= MAXB;
                exp_bursts.push_back(b);
                ba += b.len * bpc;
                nb -= b.len;
            end
            if (load && !wb)
                for (int k = 0; k * WIN < n; k++)
                    exp_bw.push_back(mk_chunk(dst + r * ds + k * WIN, imin(WIN, n - k * WIN), x, r == rows - 1 && (k + 1) * WIN >= n));
            if (load && wb)
                for (int k = 0; k * COLS < n; k++)
                    exp_wb.push_back(mk_chunk((dst + r * ds) / COLS + k, imin(COLS, n - k * COLS), x, r == rows - 1 && (k + 1) * COLS >= n));
            if (!load)
                for (int k = 0; k * WIN < n; k++)
                    exp_br.push_back(mk_chunk(src + r * ss + k * WIN, imin(WIN, n - k * WIN), x, 0));
        end
        if (load) exp_moved_rd += longint'(n) * rows;
        else exp_moved_wr += longint'(n) * rows;
        // push it
        while (full) @(negedge clk);
        push = 1;
        push_load = load;
        push_class = 2'(cls);
        push_src = load ? {2'd2, 30'(src)} : {2'd0, 30'(src)};
        push_dst = load ? {wb ? 2'd1 : 2'd0, 30'(dst)} : {2'd2, 30'(dst)};
        push_bytes = 32'(n);
        push_rows = 16'(rows);
        push_sstride = rows > 1 ? 32'(ss) : 32'd0;
        push_dstride = rows > 1 ? 32'(ds) : 32'd0;
        push_index = 32'(x);
        x_push[x] = longint'(cycle);
        @(negedge clk);
        push = 0;
    endtask

    // a random transfer
    task automatic random_xfer();
        int kind, cls, rows, n, ss, ds, src, dst, bpc, span_s, span_d, lim_d;
        bit load, wb;
        kind = $urandom_range(0, 9);
        load = kind < 6;
        wb = kind >= 4 && kind < 6;
        cls = load ? (wb ? 2 : $urandom_range(0, 2)) : $urandom_range(0, 1);
        bpc = load ? RD_BPC : WR_BPC;
        forever begin
            int r;
            rows = $urandom_range(0, 1) != 0 ? 1 : $urandom_range(2, 6);
            r = $urandom_range(0, 9);
            if (r < 5) n = $urandom_range(1, 2 * bpc + 2);
            else if (r < 8) n = $urandom_range(1, 3 * WIN);
            else n = $urandom_range(1, 2 * MAXB * bpc + 7);
            if (wb) begin
                ds = ((n + COLS - 1) / COLS + $urandom_range(0, 2)) * COLS;
                lim_d = WBUF_BYTES;
            end else begin
                ds = load ? n + $urandom_range(0, 2 * WIN) : n + $urandom_range(0, 64);
                lim_d = load ? SRAM_BYTES : FETCH_BASE;
            end
            ss = $urandom_range(0, 9) == 0 ? 0 : n + $urandom_range(0, 64) - $urandom_range(0, n / 2);
            if (!load) begin
                int t;
                t = ss;
                ss = t < 0 ? 0 : t;
            end
            span_s = (rows - 1) * ss + n;
            span_d = (rows - 1) * ds + n;
            if (span_s <= (load ? FETCH_BASE : SRAM_BYTES) && span_d <= lim_d) break;
        end
        src = $urandom_range(0, (load ? FETCH_BASE : SRAM_BYTES) - span_s);
        dst = $urandom_range(0, lim_d - span_d);
        if (wb) dst = dst / COLS * COLS;
        if (rows == 1) begin
            ss = 0;
            ds = 0;
        end
        xfer(load, wb, cls, src, dst, n, rows, ss, ds);
    endtask

    // ------------------------------------------------------------------
    // Timing checks
    // ------------------------------------------------------------------
    // cycles a LOAD alone takes from its first request, CH = chunk bytes
    function automatic int load_time(input int s, input int n, input int ch);
        int b, klast, pre;
        b = row_beats(s, n, RD_BPC);
        klast = b == 1 ? n : (s + n - 1) % RD_BPC + 1;
        pre = (n - klast) % ch;
        return LATENCY + b + 1 + (pre + klast > ch ? 1 : 0);
    endfunction

    task automatic timing_alone();
        int x, s, n, d, b;
        // LOADs into SRAM, misaligned, several bursts
        for (int k = 0; k < 6; k++) begin
            s = 8 * RD_BPC * k + $urandom_range(0, RD_BPC - 1);
            n = MAXB * RD_BPC * (1 + k % 3) + $urandom_range(1, 3 * WIN);
            d = $urandom_range(0, 64);
            x = nx;
            xfer(1, 0, 0, s, d, n, 1, 0, 0);
            wait_idle();
            b = row_beats(s, n, RD_BPC);
            check(x_first[x] == x_push[x] + 2,
                  $sformatf("LOAD: first request %0d cycles after the push, want 2", x_first[x] - x_push[x]));
            check(x_end[x] - x_first[x] == longint'(load_time(s, n, WIN)),
                  $sformatf("LOAD of %0d bytes at %0d (%0d beats): %0d cycles, want %0d", n, s, b,
                            x_end[x] - x_first[x], load_time(s, n, WIN)));
            check(x_rb1[x] - x_rb0[x] + 1 == longint'(b), "LOAD alone: read channel idle between beats");
        end
        // LOADs into the WBUF
        for (int k = 0; k < 4; k++) begin
            s = 8 * RD_BPC * k + $urandom_range(0, RD_BPC - 1);
            n = imin(MAXB * RD_BPC * (1 + k % 2) + $urandom_range(1, 3 * COLS), WBUF_BYTES / 2);
            d = COLS * $urandom_range(0, 16);
            x = nx;
            xfer(1, 1, 2, s, d, n, 1, 0, 0);
            wait_idle();
            b = row_beats(s, n, RD_BPC);
            if (COLS >= RD_BPC)
                check(x_end[x] - x_first[x] == longint'(load_time(s, n, COLS)),
                      $sformatf("WBUF LOAD of %0d bytes at %0d: %0d cycles, want %0d", n, s,
                                x_end[x] - x_first[x], load_time(s, n, COLS)));
            else  // a WBUF row a cycle
                check(x_end[x] - x_first[x] <= longint'(LATENCY + (n + COLS - 1) / COLS + 4) &&
                      x_end[x] - x_first[x] >= longint'(LATENCY + (n + COLS - 1) / COLS),
                      $sformatf("narrow WBUF LOAD of %0d bytes: %0d cycles, want about %0d", n,
                                x_end[x] - x_first[x], LATENCY + (n + COLS - 1) / COLS));
        end
        // STOREs, 1-D and 2-D
        for (int k = 0; k < 6; k++) begin
            int rows;
            rows = k < 3 ? 1 : 2 + k;
            s = 1000 + 8 * WR_BPC * k + $urandom_range(0, WR_BPC - 1);
            n = k < 3 ? MAXB * WR_BPC * (1 + k) + $urandom_range(1, 3 * WIN)
                      : $urandom_range(1, 3 * WIN);
            d = $urandom_range(0, 64);
            x = nx;
            xfer(0, 0, 1, d, s, n, rows, n + 3, n + 17);
            wait_idle();
            b = x_nbeats[x];
            check(x_first[x] == x_push[x] + 2, "STORE: first request 2 cycles after the push");
            if (rows == 1 || LATENCY + 3 <= NOUT)
                check(x_end[x] - x_first[x] == longint'(LATENCY + b + 1),
                      $sformatf("STORE of %0d x %0d bytes at %0d (%0d beats): %0d cycles, want %0d", rows, n, s,
                                b, x_end[x] - x_first[x], LATENCY + b + 1));
            check(x_rb1[x] - x_rb0[x] + 1 == longint'(b) || rows > 1 && LATENCY + 3 > NOUT,
                  $sformatf("STORE alone: write channel idle between beats (%0d beats over %0d cycles)",
                            b, x_rb1[x] - x_rb0[x] + 1));
        end
    endtask

    // many small transfers of b beats each, pushed back to back: the data
    // channel has no idle cycle from the first beat to the last
    task automatic timing_stream(input bit load, input bit misaligned, input bit twod);
        int b, bpc, x0, total, nt, rows;
        longint t0, t1;
        bpc = load ? RD_BPC : WR_BPC;
        b = (LATENCY + 4 + NOUT - 2) / (NOUT - 1);
        if (b < 1) b = 1;
        if (b > MAXB) b = MAXB;
        x0 = nx;
        total = 0;
        nt = 40;
        rows = twod ? 3 : 1;
        for (int k = 0; k < nt; k++) begin
            int off, e, n, s, d, ss;
            off = misaligned ? $urandom_range(0, bpc - 1) : 0;
            e = b == 1 ? $urandom_range(off + 1, bpc) : $urandom_range((b - 1) * bpc + 1, b * bpc);
            if (!misaligned) e = b * bpc;
            n = e - off;
            ss = (b + $urandom_range(0, 2)) * bpc;   // each row b beats too
            s = (k * 4 * b + 1) * bpc * rows + off;
            d = k * rows * (b * bpc + 5);
            if (load) xfer(1, 0, 1, s, d, n, rows, ss, n + $urandom_range(0, 5));
            else xfer(0, 0, 0, d, s, n, rows, n + $urandom_range(0, 5), ss);
            total += row_beats(s, n, bpc) * rows;
        end
        wait_idle();
        t0 = x_rb0[x0];
        t1 = x_rb1[x0];
        for (int x = x0; x < nx; x++) begin
            if (x_rb0[x] < t0) t0 = x_rb0[x];
            if (x_rb1[x] > t1) t1 = x_rb1[x];
        end
        check(t1 - t0 + 1 == longint'(total),
              $sformatf("%0d small %s%s (%0d beats each): %0d beats over %0d cycles", nt * rows,
                        load ? "LOADs" : "STOREs", misaligned ? ", misaligned" : "", b, total, t1 - t0 + 1));
    endtask

    // ------------------------------------------------------------------
    // Main
    // ------------------------------------------------------------------
    initial begin : main
        int nload, nstore;
        for (int a = 0; a < SRAM_BYTES; a++) begin
            sram[a] = 8'($urandom);
            ref_sram[a] = sram[a];
        end
        for (int a = 0; a < DRAM_BYTES; a++) begin
            dram[a] = 8'($urandom);
            ref_dram[a] = dram[a];
        end
        for (int a = 0; a < WBUF_BYTES; a++) begin
            wbuf[a] = 8'($urandom);
            ref_wbuf[a] = wbuf[a];
        end
        for (int k = 0; k < 4; k++) exp_rd[k] = 0;
        exp_wr[0] = 0;
        exp_wr[1] = 0;
        trace = $test$plusargs("trace");
        repeat (3) @(negedge clk);
        rst = 0;
        @(negedge clk);
        check(idle && !busy && !full, "idle after reset");

        // timing, alone and streamed
        timing_alone();
        timing_stream(1, 0, 0);
        timing_stream(1, 1, 0);
        timing_stream(1, 1, 1);
        timing_stream(0, 0, 0);
        timing_stream(0, 1, 0);
        timing_stream(0, 1, 1);

        // random transfers, fetch bursts, holds
        fetch_pct = 3;
        for (int k = 0; k < NCASES; k++) begin
            if (!hold && !hold_req && $urandom_range(0, 99) < 5) begin
                int lo, wlo;
                lo = $urandom_range(0, SRAM_BYTES - 1);
                wlo = $urandom_range(0, WBUF_BYTES - 1);
                hreq_lo = 32'(lo);
                hreq_hi = 32'(lo + $urandom_range(0, 1500));
                hreq_wlo = 32'(wlo);
                hreq_whi = 32'(wlo + $urandom_range(0, 1000));
                hold_dur = $urandom_range(1, 300);
                hold_req = 1;
                @(negedge clk);
            end
            random_xfer();
            case ($urandom_range(0, 9))
                0: repeat ($urandom_range(1, 3 * LATENCY + 20)) @(negedge clk);
                1, 2: repeat ($urandom_range(1, 4)) @(negedge clk);
                default: ;
            endcase
            if ($urandom_range(0, 49) == 0) wait_idle();
        end
        fetch_pct = 0;
        while (f_req) @(negedge clk);
        wait_idle();
        repeat (LATENCY + 10) @(negedge clk);

        // the end: memories, counters, reports
        check(idle && !busy, "idle at the end");
        check(exp_bursts.size() == 0 && exp_bw.size() == 0 && exp_br.size() == 0 && exp_wb.size() == 0,
              $sformatf("left over: %0d requests, %0d port-B writes, %0d reads, %0d WBUF writes",
                        exp_bursts.size(), exp_bw.size(), exp_br.size(), exp_wb.size()));
        check(rd_q.size() == 0 && wr_q.size() == 0 && resp_q.size() == 0, "DRAM bursts left over");
        for (int a = 0; a < SRAM_BYTES; a++)
            if (sram[a] !== ref_sram[a]) check(0, $sformatf("SRAM[%0d] = %0h, want %0h", a, sram[a], ref_sram[a]));
        for (int a = 0; a < DRAM_BYTES; a++)
            if (dram[a] !== ref_dram[a]) check(0, $sformatf("DRAM[%0d] = %0h, want %0h", a, dram[a], ref_dram[a]));
        for (int a = 0; a < WBUF_BYTES; a++)
            if (wbuf[a] !== ref_wbuf[a]) check(0, $sformatf("WBUF[%0d] = %0h, want %0h", a, wbuf[a], ref_wbuf[a]));
        nchecks += SRAM_BYTES + DRAM_BYTES + WBUF_BYTES;
        check(longint'(c_rd_act) == exp_rd[0], $sformatf("rd_act %0d, want %0d", c_rd_act, exp_rd[0]));
        check(longint'(c_rd_spill) == exp_rd[1], $sformatf("rd_spill %0d, want %0d", c_rd_spill, exp_rd[1]));
        check(longint'(c_rd_weight) == exp_rd[2], $sformatf("rd_weight %0d, want %0d", c_rd_weight, exp_rd[2]));
        check(longint'(c_rd_fetch) == exp_rd[3], $sformatf("rd_fetch %0d, want %0d", c_rd_fetch, exp_rd[3]));
        check(longint'(c_wr_act) == exp_wr[0], $sformatf("wr_act %0d, want %0d", c_wr_act, exp_wr[0]));
        check(longint'(c_wr_spill) == exp_wr[1], $sformatf("wr_spill %0d, want %0d", c_wr_spill, exp_wr[1]));
        check(longint'(c_moved_rd) == exp_moved_rd, $sformatf("moved_rd %0d, want %0d", c_moved_rd, exp_moved_rd));
        check(longint'(c_moved_wr) == exp_moved_wr, $sformatf("moved_wr %0d, want %0d", c_moved_wr, exp_moved_wr));
        check(longint'(nfetch_beats) * RD_BPC == exp_rd[3], "fetch beats delivered");
        nload = 0;
        nstore = 0;
        for (int x = 0; x < nx; x++) begin
            check(x_reported[x] == 1, $sformatf("transfer %0d reported %0d times", x, x_reported[x]));
            if (x_load[x]) nload++;
            else nstore++;
        end
        if (fails == 0)
            $display("tb_dma: PASS RD_BPC=%0d WR_BPC=%0d WIN=%0d COLS=%0d LATENCY=%0d: %0d transfers (%0d LOAD, %0d STORE), %0d fetch bursts, %0d checks, %0d cycles",
                     RD_BPC, WR_BPC, WIN, COLS, LATENCY, nx, nload, nstore, nfetch, nchecks, cycle);
        else
            $display("tb_dma: FAIL %0d of %0d checks (RD_BPC=%0d WR_BPC=%0d WIN=%0d COLS=%0d LATENCY=%0d)",
                     fails, nchecks, RD_BPC, WR_BPC, WIN, COLS, LATENCY);
        $finish;
    end

    // a hang is a failure
    initial begin : watchdog
        repeat (4000000) @(posedge clk);
        $display("tb_dma: FAIL timeout (%0d transfers pushed, idle %0d)", nx, idle);
        $finish;
    end

endmodule

`default_nettype wire
