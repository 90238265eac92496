`include "mpe_arch.vh"
// The accelerator top (docs/isa.md): controller, three unit queues, the four
// dependency-token counters, the load and store DMA units sharing one memory
// port (round robin, load first), the scratchpads ASP/WSP/PSP/OSP, the
// compute unit (PE array + output stage) and a commit trace port.
// Cycle-exact to the C model (cmodel/accel*.c): docs/isa.md section 5.
//
// Cycle 0 is the first cycle with rst_ni high. Every block decides in cycle
// t from the state at the start of t (registers and combinational reads of
// the memory arrays); every update is written at the edge that ends t.
//
// Memory interface (the memory model lives in the harness): one request per
// cycle, mem_req_valid_o/mem_req_ready_i with address, write flag and beat
// data; a read accepted in cycle t must be answered with mem_rsp_valid_i and
// the data (memory as of the start of t) in cycle t + MEM_LATENCY. A write
// is performed when accepted. The cycle-exact contract needs ready = 1.
//
// Requires ROWS, COLS and LANES powers of two (scratchpad words hold whole
// operand vectors).
module mpe_top #(
  parameter ROWS        = `MPE_ARCH_ROWS,
  parameter COLS        = `MPE_ARCH_COLS,
  parameter LANES       = `MPE_ARCH_LANES,
  parameter ASP_BYTES   = `MPE_ARCH_ASP_BYTES,
  parameter WSP_BYTES   = `MPE_ARCH_WSP_BYTES,
  parameter PSP_BYTES   = `MPE_ARCH_PSP_BYTES,
  parameter OSP_BYTES   = `MPE_ARCH_OSP_BYTES,
  parameter BEAT_BYTES  = `MPE_ARCH_BEAT_BYTES,
  parameter MEM_LATENCY = `MPE_ARCH_MEM_LATENCY,
  parameter MEM_BYTES   = `MPE_ARCH_MEM_BYTES,
  parameter QUEUE_DEPTH = `MPE_ARCH_QUEUE_DEPTH,
  parameter IMEM_INSNS  = `MPE_ARCH_IMEM_INSNS,
  parameter LUT_PPC     = `MPE_ARCH_LUT_PPC,
  // PE datapaths built (all by default; synthesis may build fewer, see
  // synth/designs.txt; rtl/README.md: an op of a mode that is not built
  // takes one cycle and changes nothing)
  parameter EN_MAC       = 1,
  parameter EN_LUT       = 1,
  parameter EN_SHIFTADD  = 1,
  parameter EN_BFP       = 1,
  parameter EN_BITSERIAL = 1
) (
  input  wire                    clk_i,
  input  wire                    rst_ni,
  // instruction memory load (by the harness, e.g. during reset)
  input  wire                    imem_we_i,
  input  wire [15:0]             imem_waddr_i,
  input  wire [127:0]            imem_wdata_i,
  // memory port
  output wire                    mem_req_valid_o,
  input  wire                    mem_req_ready_i,
  output wire                    mem_req_we_o,
  output wire [31:0]             mem_req_addr_o,
  output wire [BEAT_BYTES*8-1:0] mem_req_wdata_o,
  input  wire                    mem_rsp_valid_i,
  input  wire [BEAT_BYTES*8-1:0] mem_rsp_rdata_i,
  // commit trace (one record per completed instruction, like RVFI): unit u
  // (0 controller, 1 load, 2 compute, 3 store) commits pc [32u +: 32] in
  // this cycle when commit_valid_o[u]
  output wire [3:0]              commit_valid_o,
  output wire [127:0]            commit_pc_o,
  output wire [63:0]             cycle_o,
  // run state
  output wire                    done_o,        // halted and idle: the run ends in this cycle
  output wire                    trap_o,        // a trap is raised in this cycle
  output wire [3:0]              trap_cause_o,  // mpe_trap_cause
  output wire [31:0]             trap_pc_o,
  // statistics
  output wire [63:0]             pe_ops_o,
  output wire [63:0]             pe_busy_o,
  output wire [63:0]             beats_read_o,
  output wire [63:0]             beats_written_o,
  // mpe_accel_stats order: unit_busy[0..3], ctrl_stall_queue, ctrl_stall_sync,
  // token_stall[1..3], port_stall[1], port_stall[3], drain_stall
  output wire [12*64-1:0]        stalls_o
);
  // verilator lint_off UNUSEDPARAM
  `include "mpe_isa.vh"
  `include "mpe_acc_pkg.vh"
  // verilator lint_on UNUSEDPARAM

  localparam QW     = $clog2(QUEUE_DEPTH + 1);
  localparam QE     = 192;                       // queue entry: addr, pc, insn
  localparam VA16   = ROWS * LANES * 2;          // largest operand vectors (bytes)
  localparam VW16   = COLS * LANES * 2;
  localparam VO32   = ROWS * LANES * 4;
  localparam ASP_WB = (VA16 > BEAT_BYTES) ? VA16 : BEAT_BYTES;
  localparam WSP_WB = (VW16 > BEAT_BYTES) ? VW16 : BEAT_BYTES;
  localparam OSP_WB = (VO32 > BEAT_BYTES) ? VO32 : BEAT_BYTES;
  localparam ASP_D  = ASP_BYTES / ASP_WB;
  localparam WSP_D  = WSP_BYTES / WSP_WB;
  localparam OSP_D  = OSP_BYTES / OSP_WB;
  localparam LAW    = $clog2(ASP_WB);
  localparam LWW    = $clog2(WSP_WB);
  localparam LOW    = $clog2(OSP_WB);
  localparam PSP_N  = (COLS * LANES * 2 > ROWS * LANES) ?
                      ((COLS * LANES * 2 > COLS * 16) ? COLS * LANES * 2 : COLS * 16) :
                      ((ROWS * LANES > COLS * 16) ? ROWS * LANES : COLS * 16);
  localparam BW     = BEAT_BYTES * 8;

  generate
    if ((ROWS & (ROWS - 1)) != 0 || (COLS & (COLS - 1)) != 0 || (LANES & (LANES - 1)) != 0 ||
        ROWS * LANES < 8 || COLS * LANES < 8) begin : g_bad_dims
      mpe_top_needs_power_of_two_rows_cols_lanes u_bad ();
    end
  endgenerate

  // ---------------------------------------------------------------- trap / run state
  reg  trapped_q;
  wire run = !trapped_q;

  // ---------------------------------------------------------------- queues
  wire          disp_valid;
  wire [1:0]    disp_unit;
  wire [127:0]  disp_insn;
  wire [31:0]   disp_pc, disp_addr;
  wire [QE-1:0] disp_entry = {disp_addr, disp_pc, disp_insn};
  wire [QE-1:0] head_l, head_c, head_s;
  wire [QW-1:0] cnt_l, cnt_c, cnt_s;
  wire          start_l, start_c, start_s;
  mpe_queue #(.W(QE), .DEPTH(QUEUE_DEPTH), .QW(QW)) u_q_load (
    .clk_i (clk_i), .rst_ni (rst_ni), .push_i (disp_valid && disp_unit == MPE_UNIT_LOAD),
    .data_i (disp_entry), .pop_i (start_l), .head_o (head_l), .count_o (cnt_l));
  mpe_queue #(.W(QE), .DEPTH(QUEUE_DEPTH), .QW(QW)) u_q_comp (
    .clk_i (clk_i), .rst_ni (rst_ni), .push_i (disp_valid && disp_unit == MPE_UNIT_COMPUTE),
    .data_i (disp_entry), .pop_i (start_c), .head_o (head_c), .count_o (cnt_c));
  mpe_queue #(.W(QE), .DEPTH(QUEUE_DEPTH), .QW(QW)) u_q_store (
    .clk_i (clk_i), .rst_ni (rst_ni), .push_i (disp_valid && disp_unit == MPE_UNIT_STORE),
    .data_i (disp_entry), .pop_i (start_s), .head_o (head_s), .count_o (cnt_s));


  // ---------------------------------------------------------------- tokens
  // L2C: load -> compute, C2L, C2S, S2C (mpe_accel.h order)
  reg  [7:0] tok_l2c_q, tok_c2l_q, tok_c2s_q, tok_s2c_q;
  wire [3:0] hd_l, hd_c, hd_s;
  mpe_deps u_deps_l (.insn_i (head_l[127:0]), .deps_o (hd_l));
  mpe_deps u_deps_c (.insn_i (head_c[127:0]), .deps_o (hd_c));
  mpe_deps u_deps_s (.insn_i (head_s[127:0]), .deps_o (hd_s));
  wire busy_l, busy_c, busy_s;
  wire ok_l = !(hd_l[MPE_DEP_POP_NEXT] && tok_c2l_q == 8'd0);
  wire ok_c = !(hd_c[MPE_DEP_POP_PREV] && tok_l2c_q == 8'd0) && !(hd_c[MPE_DEP_POP_NEXT] && tok_s2c_q == 8'd0);
  wire ok_s = !(hd_s[MPE_DEP_POP_PREV] && tok_c2s_q == 8'd0);
  assign start_l = run && !busy_l && cnt_l != {QW{1'b0}} && ok_l;
  assign start_c = run && !busy_c && cnt_c != {QW{1'b0}} && ok_c;
  assign start_s = run && !busy_s && cnt_s != {QW{1'b0}} && ok_s;

  // the instruction each unit is executing (for its completion)
  reg [3:0]  cur_deps_l, cur_deps_c, cur_deps_s;
  reg [31:0] cur_pc_l, cur_pc_c, cur_pc_s;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cur_deps_l <= 4'd0; cur_deps_c <= 4'd0; cur_deps_s <= 4'd0;
      cur_pc_l <= 32'd0; cur_pc_c <= 32'd0; cur_pc_s <= 32'd0;
    end else begin
      if (start_l) begin cur_deps_l <= hd_l; cur_pc_l <= head_l[159:128]; end
      if (start_c) begin cur_deps_c <= hd_c; cur_pc_c <= head_c[159:128]; end
      if (start_s) begin cur_deps_s <= hd_s; cur_pc_s <= head_s[159:128]; end
    end
  end
  wire done_l, done_c, done_s;
  wire [3:0]  dn_deps_c = start_c ? hd_c : cur_deps_c;          // cfg: t_e = t_s
  wire [31:0] dn_pc_c   = start_c ? head_c[159:128] : cur_pc_c;

  // pops in t_s, pushes in t_e: new = old - pop + push; above 255 traps
  wire pop_l2c  = start_c && hd_c[MPE_DEP_POP_PREV];
  wire pop_s2c  = start_c && hd_c[MPE_DEP_POP_NEXT];
  wire pop_c2l  = start_l && hd_l[MPE_DEP_POP_NEXT];
  wire pop_c2s  = start_s && hd_s[MPE_DEP_POP_PREV];
  wire push_l2c = done_l && cur_deps_l[MPE_DEP_PUSH_NEXT];
  wire push_c2l = done_c && dn_deps_c[MPE_DEP_PUSH_PREV];
  wire push_c2s = done_c && dn_deps_c[MPE_DEP_PUSH_NEXT];
  wire push_s2c = done_s && cur_deps_s[MPE_DEP_PUSH_PREV];
  wire ovf_l2c = push_l2c && !pop_l2c && tok_l2c_q == 8'hFF;
  wire ovf_c2l = push_c2l && !pop_c2l && tok_c2l_q == 8'hFF;
  wire ovf_c2s = push_c2s && !pop_c2s && tok_c2s_q == 8'hFF;
  wire ovf_s2c = push_s2c && !pop_s2c && tok_s2c_q == 8'hFF;
  function [7:0] tok_next;
    input [7:0] v;
    input pop;
    input push;
    begin
      tok_next = v - {7'd0, pop} + {7'd0, push};
      if (v == 8'hFF && push && !pop) tok_next = 8'hFF;
    end
  endfunction
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      tok_l2c_q <= 8'd0; tok_c2l_q <= 8'd0; tok_c2s_q <= 8'd0; tok_s2c_q <= 8'd0;
    end else begin
      tok_l2c_q <= tok_next(tok_l2c_q, pop_l2c, push_l2c);
      tok_c2l_q <= tok_next(tok_c2l_q, pop_c2l, push_c2l);
      tok_c2s_q <= tok_next(tok_c2s_q, pop_c2s, push_c2s);
      tok_s2c_q <= tok_next(tok_s2c_q, pop_s2c, push_s2c);
    end
  end

  // ---------------------------------------------------------------- controller
  wire        units_idle = cnt_l == {QW{1'b0}} && cnt_c == {QW{1'b0}} && cnt_s == {QW{1'b0}} &&
                           !busy_l && !busy_c && !busy_s;
  wire        ctrl_commit, halted, ctrl_progress, stall_queue, stall_sync;
  wire [31:0] ctrl_pc;
  wire [3:0]  ctrl_trap;
  mpe_ctrl #(
    .ROWS (ROWS), .COLS (COLS), .LANES (LANES), .ASP_BYTES (ASP_BYTES), .WSP_BYTES (WSP_BYTES),
    .PSP_BYTES (PSP_BYTES), .OSP_BYTES (OSP_BYTES), .BEAT_BYTES (BEAT_BYTES),
    .MEM_BYTES (MEM_BYTES), .QUEUE_DEPTH (QUEUE_DEPTH), .IMEM_INSNS (IMEM_INSNS), .QW (QW)
  ) u_ctrl (
    .clk_i (clk_i), .rst_ni (rst_ni), .run_i (run),
    .imem_we_i (imem_we_i), .imem_waddr_i (imem_waddr_i), .imem_wdata_i (imem_wdata_i),
    .occ_load_i (cnt_l), .occ_comp_i (cnt_c), .occ_store_i (cnt_s), .units_idle_i (units_idle),
    .disp_valid_o (disp_valid), .disp_unit_o (disp_unit), .disp_insn_o (disp_insn),
    .disp_pc_o (disp_pc), .disp_addr_o (disp_addr),
    .commit_o (ctrl_commit), .pc_o (ctrl_pc), .halted_o (halted), .progress_o (ctrl_progress),
    .stall_queue_o (stall_queue), .stall_sync_o (stall_sync),
    .trap_cause_o (ctrl_trap)
  );

  // ---------------------------------------------------------------- memory port
  wire          req_l, req_s;
  wire [31:0]   addr_l, addr_s;
  wire [BW-1:0] wdata_l, wdata_s;
  reg           last_store_q;           // the most recent grant went to the store unit
  wire          pick_s = req_s && (!req_l || !last_store_q);
  wire          gnt_l  = mem_req_ready_i && req_l && !pick_s;
  wire          gnt_s  = mem_req_ready_i && pick_s;
  assign mem_req_valid_o = req_l || req_s;
  assign mem_req_we_o    = pick_s;
  assign mem_req_addr_o  = pick_s ? addr_s : addr_l;
  assign mem_req_wdata_o = wdata_s;
  wire unused_wdata_l = ^wdata_l;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) last_store_q <= 1'b1;  // so that the first tie goes to the load unit
    else if (gnt_l || gnt_s) last_store_q <= gnt_s;
  end

  // ---------------------------------------------------------------- DMA units
  wire          ld_we;
  wire [1:0]    ld_sel;
  wire [31:0]   ld_waddr, st_raddr, unused_ld_raddr, unused_st_waddr;
  wire [BW-1:0] ld_wdata, st_rdata, unused_st_wd;
  wire          unused_st_we;
  wire [1:0]    unused_st_sel;
  mpe_dma #(.IS_STORE (0), .BEAT_BYTES (BEAT_BYTES)) u_load (
    .clk_i (clk_i), .rst_ni (rst_ni), .start_i (start_l), .insn_i (head_l[127:0]),
    .addr_i (head_l[191:160]), .busy_o (busy_l),
    .req_o (req_l), .req_addr_o (addr_l), .req_wdata_o (wdata_l), .grant_i (gnt_l),
    .rsp_valid_i (mem_rsp_valid_i), .rsp_data_i (mem_rsp_rdata_i),
    .sp_we_o (ld_we), .sp_sel_o (ld_sel), .sp_addr_o (ld_waddr), .sp_wdata_o (ld_wdata),
    .osp_raddr_o (unused_ld_raddr), .osp_rdata_i ({BW{1'b0}}), .done_o (done_l)
  );
  mpe_dma #(.IS_STORE (1), .BEAT_BYTES (BEAT_BYTES)) u_store (
    .clk_i (clk_i), .rst_ni (rst_ni), .start_i (start_s), .insn_i (head_s[127:0]),
    .addr_i (head_s[191:160]), .busy_o (busy_s),
    .req_o (req_s), .req_addr_o (addr_s), .req_wdata_o (wdata_s), .grant_i (gnt_s),
    .rsp_valid_i (1'b0), .rsp_data_i ({BW{1'b0}}),
    .sp_we_o (unused_st_we), .sp_sel_o (unused_st_sel), .sp_addr_o (unused_st_waddr),
    .sp_wdata_o (unused_st_wd),
    .osp_raddr_o (st_raddr), .osp_rdata_i (st_rdata), .done_o (done_s)
  );
  wire unused_dma = ^{unused_ld_raddr, unused_st_waddr, unused_st_wd, unused_st_we, unused_st_sel};

  // ---------------------------------------------------------------- scratchpads
  reg [ASP_WB*8-1:0] asp [0:ASP_D-1];
  reg [WSP_WB*8-1:0] wsp [0:WSP_D-1];
  reg [OSP_WB*8-1:0] osp [0:OSP_D-1];
  wire [31:0] asp_ridx, wsp_ridx;
  wire [ASP_WB*8-1:0] asp_rdata = asp[asp_ridx[$clog2(ASP_D)-1:0]];
  wire [WSP_WB*8-1:0] wsp_rdata = wsp[wsp_ridx[$clog2(WSP_D)-1:0]];
  // load beat into a wider word
  wire [ASP_WB*8-1:0] asp_bdata = {{(ASP_WB*8-BW){1'b0}}, ld_wdata} << {ld_waddr[LAW-1:0], 3'b000};
  wire [ASP_WB*8-1:0] asp_bmask = {{(ASP_WB*8-BW){1'b0}}, {BW{1'b1}}} << {ld_waddr[LAW-1:0], 3'b000};
  wire [WSP_WB*8-1:0] wsp_bdata = {{(WSP_WB*8-BW){1'b0}}, ld_wdata} << {ld_waddr[LWW-1:0], 3'b000};
  wire [WSP_WB*8-1:0] wsp_bmask = {{(WSP_WB*8-BW){1'b0}}, {BW{1'b1}}} << {ld_waddr[LWW-1:0], 3'b000};
  wire [$clog2(ASP_D)-1:0] asp_widx = ld_waddr[LAW +: $clog2(ASP_D)];
  wire [$clog2(WSP_D)-1:0] wsp_widx = ld_waddr[LWW +: $clog2(WSP_D)];
  always @(posedge clk_i) begin
    if (ld_we && ld_sel == MPE_SP_ASP)
      asp[asp_widx] <= (asp[asp_widx] & ~asp_bmask) | asp_bdata;
    if (ld_we && ld_sel == MPE_SP_WSP)
      wsp[wsp_widx] <= (wsp[wsp_widx] & ~wsp_bmask) | wsp_bdata;
  end
  wire unused_ridx = ^{asp_ridx, wsp_ridx, ld_waddr};

  // PSP: A scales, W scales, W zero points, parameter records
  wire [4*32-1:0]      psp_raddr;
  wire [4*PSP_N*8-1:0] psp_rdata;
  mpe_psp #(.BYTES (PSP_BYTES), .WB (BEAT_BYTES), .N (PSP_N), .NPORT (4)) u_psp (
    .clk_i (clk_i), .we_i (ld_we && ld_sel == MPE_SP_PSP), .waddr_i (ld_waddr),
    .wdata_i (ld_wdata), .raddr_i (psp_raddr), .rdata_o (psp_rdata)
  );

  // OSP: compute row writes (bit mask), store beat reads
  wire               osp_we;
  wire [31:0]        osp_widx;
  wire [OSP_WB*8-1:0] osp_wdata, osp_wmask;
  wire [OSP_WB*8-1:0] osp_rword = osp[st_raddr[LOW +: $clog2(OSP_D)]];
  wire [OSP_WB*8-1:0] osp_rsh   = osp_rword >> {st_raddr[LOW-1:0], 3'b000};
  assign st_rdata = osp_rsh[BW-1:0];
  wire unused_osp = ^{osp_rsh[OSP_WB*8-1:BW], st_raddr, osp_widx};
  always @(posedge clk_i) begin
    if (osp_we)
      osp[osp_widx[$clog2(OSP_D)-1:0]] <= (osp[osp_widx[$clog2(OSP_D)-1:0]] & ~osp_wmask) |
                                          (osp_wdata & osp_wmask);
  end

  // ---------------------------------------------------------------- compute unit
  wire op_fire, pe_active, drain_stall;
  wire [PSP_N*8-1:0] psp_a = psp_rdata[0 +: PSP_N*8];
  wire [PSP_N*8-1:0] psp_w = psp_rdata[PSP_N*8 +: PSP_N*8];
  wire [PSP_N*8-1:0] psp_z = psp_rdata[2*PSP_N*8 +: PSP_N*8];
  wire [PSP_N*8-1:0] psp_p = psp_rdata[3*PSP_N*8 +: PSP_N*8];
  wire unused_psp = ^{psp_a, psp_w, psp_z, psp_p};
  mpe_compute #(
    .ROWS (ROWS), .COLS (COLS), .LANES (LANES),
    .ASP_WB (ASP_WB), .WSP_WB (WSP_WB), .OSP_WB (OSP_WB),
    .EN_MAC (EN_MAC), .EN_LUT (EN_LUT), .EN_SHIFTADD (EN_SHIFTADD),
    .EN_BFP (EN_BFP), .EN_BITSERIAL (EN_BITSERIAL), .LUT_PPC (LUT_PPC)
  ) u_compute (
    .clk_i (clk_i), .rst_ni (rst_ni), .start_i (start_c), .insn_i (head_c[127:0]),
    .busy_o (busy_c), .done_o (done_c),
    .asp_ridx_o (asp_ridx), .asp_rdata_i (asp_rdata),
    .wsp_ridx_o (wsp_ridx), .wsp_rdata_i (wsp_rdata),
    .psp_a_addr_o (psp_raddr[0 +: 32]),  .psp_a_data_i (psp_a[ROWS*LANES*8-1:0]),
    .psp_w_addr_o (psp_raddr[32 +: 32]), .psp_w_data_i (psp_w[COLS*LANES*16-1:0]),
    .psp_z_addr_o (psp_raddr[64 +: 32]), .psp_z_data_i (psp_z[COLS*LANES*16-1:0]),
    .psp_p_addr_o (psp_raddr[96 +: 32]), .psp_p_data_i (psp_p[COLS*128-1:0]),
    .osp_we_o (osp_we), .osp_widx_o (osp_widx), .osp_wdata_o (osp_wdata), .osp_wmask_o (osp_wmask),
    .op_fire_o (op_fire), .pe_active_o (pe_active), .drain_stall_o (drain_stall)
  );
  wire unused_head = ^{head_c[191:160]};

  // ---------------------------------------------------------------- traps, end, trace
  wire any_start = start_l || start_c || start_s;
  wire progress  = ctrl_progress || busy_l || busy_c || busy_s || any_start;
  assign done_o  = halted && units_idle;
  reg [3:0]  tcause;
  reg [31:0] tpc;
  always @* begin
    tcause = TRAP_NONE;
    tpc    = ctrl_pc;
    if (ctrl_trap != TRAP_NONE) begin
      tcause = ctrl_trap;
    end else if (ovf_l2c) begin
      tcause = TRAP_TOKEN; tpc = cur_pc_l;
    end else if (ovf_c2l || ovf_c2s) begin
      tcause = TRAP_TOKEN; tpc = dn_pc_c;
    end else if (ovf_s2c) begin
      tcause = TRAP_TOKEN; tpc = cur_pc_s;
    end else if (!progress && run && !done_o) begin
      tcause = TRAP_DEADLOCK;
      if (cnt_l != {QW{1'b0}}) tpc = head_l[159:128];
      else if (cnt_c != {QW{1'b0}}) tpc = head_c[159:128];
      else if (cnt_s != {QW{1'b0}}) tpc = head_s[159:128];
    end
  end
  assign trap_o       = tcause != TRAP_NONE;
  assign trap_cause_o = tcause;
  assign trap_pc_o    = tpc;

  assign commit_valid_o = {done_s, done_c, done_l, ctrl_commit};
  assign commit_pc_o    = {cur_pc_s, dn_pc_c, cur_pc_l, ctrl_pc};

  reg [63:0] cycle_q, ops_q, busy_q, rd_q, wr_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      trapped_q <= 1'b0;
      cycle_q <= 64'd0; ops_q <= 64'd0; busy_q <= 64'd0; rd_q <= 64'd0; wr_q <= 64'd0;
    end else begin
      if (trap_o) trapped_q <= 1'b1;
      cycle_q <= cycle_q + 64'd1;
      ops_q   <= ops_q + {63'd0, op_fire};
      busy_q  <= busy_q + {63'd0, pe_active};
      rd_q    <= rd_q + {63'd0, gnt_l};
      wr_q    <= wr_q + {63'd0, gnt_s};
    end
  end
  // stall and busy counters (as the C model counts them)
  wire [11:0] ev;
  assign ev[0]  = ctrl_progress;
  assign ev[1]  = busy_l || start_l;
  assign ev[2]  = busy_c || start_c;
  assign ev[3]  = busy_s || start_s;
  assign ev[4]  = stall_queue;
  assign ev[5]  = stall_sync;
  assign ev[6]  = run && !busy_l && cnt_l != {QW{1'b0}} && !ok_l;
  assign ev[7]  = run && !busy_c && cnt_c != {QW{1'b0}} && !ok_c;
  assign ev[8]  = run && !busy_s && cnt_s != {QW{1'b0}} && !ok_s;
  assign ev[9]  = req_l && req_s && pick_s;
  assign ev[10] = req_l && req_s && !pick_s;
  assign ev[11] = drain_stall;
  reg [63:0] cnt_q [0:11];
  integer ci;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (ci = 0; ci < 12; ci = ci + 1) cnt_q[ci] <= 64'd0;
    end else begin
      for (ci = 0; ci < 12; ci = ci + 1) cnt_q[ci] <= cnt_q[ci] + {63'd0, ev[ci]};
    end
  end
  genvar gs;
  generate
    for (gs = 0; gs < 12; gs = gs + 1) begin : g_stat
      assign stalls_o[64*gs +: 64] = cnt_q[gs];
    end
  endgenerate
  assign cycle_o         = cycle_q;
  assign pe_ops_o        = ops_q;
  assign pe_busy_o       = busy_q;
  assign beats_read_o    = rd_q;
  assign beats_written_o = wr_q;
  wire unused_lat = (MEM_LATENCY > 0);
endmodule
