`include "mpe_defs.vh"
// The controller (docs/isa.md sections 2, 4, 5): instruction memory, fetch
// of one instruction per cycle, the scalar instructions (li, addi, dbnz, nop,
// sync, halt), and dispatch of unit instructions into their queues with the
// legality checks of section 4 in the C model's order (cmodel/accel/accel_ctrl.c).
// The decoder uses the generated constants of rtl/mpe_isa.vh (isa/insns.def):
// opcodes, field positions and widths, the decode mask of each instruction
// (MPE_OP_<INSN>_MASK); no bit position is typed here.
//
// Timing: the instruction at pc is examined in every cycle in which the
// controller is not halted. A scalar instruction executes (commit_o); a unit
// instruction is checked first (a failing check traps even when its queue is
// full), then pushed (disp_valid_o, visible in the queue from the next cycle)
// if its queue's occupancy at the start of the cycle is below QUEUE_DEPTH;
// a cfg instruction updates the program-order configuration used by the
// matmul checks when it is pushed.
module mpe_ctrl #(
  parameter ROWS        = 4,
  parameter COLS        = 4,
  parameter LANES       = 16,
  parameter ASP_BYTES   = 65536,
  parameter WSP_BYTES   = 65536,
  parameter PSP_BYTES   = 16384,
  parameter OSP_BYTES   = 32768,
  parameter BEAT_BYTES  = 16,
  parameter MEM_BYTES   = 67108864,
  parameter QUEUE_DEPTH = 8,
  parameter IMEM_INSNS  = 16384,
  parameter QW          = 4        // queue occupancy width
) (
  input  wire          clk_i,
  input  wire          rst_ni,
  input  wire          run_i,         // 0: frozen (trapped)
  // instruction memory load (harness; no reset)
  input  wire          imem_we_i,
  input  wire [15:0]   imem_waddr_i,
  input  wire [127:0]  imem_wdata_i,
  // start-of-cycle state of the queues and units
  input  wire [QW-1:0] occ_load_i,
  input  wire [QW-1:0] occ_comp_i,
  input  wire [QW-1:0] occ_store_i,
  input  wire          units_idle_i,  // every queue empty and every unit idle
  // dispatch into a queue
  output reg           disp_valid_o,
  output reg  [1:0]    disp_unit_o,
  output wire [127:0]  disp_insn_o,
  output wire [31:0]   disp_pc_o,
  output wire [31:0]   disp_addr_o,   // load/store: R[rbase] + mem
  // scalar commit
  output reg           commit_o,
  output wire [31:0]   pc_o,
  output wire          halted_o,
  output wire          progress_o,
  output reg           stall_queue_o,  // a checked unit instruction waits for queue space
  output reg           stall_sync_o,   // sync waits for the units
  // trap raised in this cycle
  output reg  [3:0]    trap_cause_o
);
  // the generated ISA table: each module uses a subset of its constants
  // verilator lint_off UNUSEDPARAM
  `include "mpe_isa.vh"
  `include "mpe_acc_pkg.vh"
  // verilator lint_on UNUSEDPARAM

  localparam [63:0] BEAT64 = BEAT_BYTES;
  localparam [63:0] MEMB64 = MEM_BYTES;
  localparam [63:0] ASP64  = ASP_BYTES;
  localparam [63:0] WSP64  = WSP_BYTES;
  localparam [63:0] PSP64  = PSP_BYTES;
  localparam [63:0] OSP64  = OSP_BYTES;
  localparam [63:0] IMEM64 = IMEM_INSNS;
  localparam [63:0] K64    = LANES;
  localparam [63:0] R64    = ROWS;
  localparam [63:0] C64    = COLS;
  localparam [QW-1:0] QDEPTH = QUEUE_DEPTH;

  // ---------------------------------------------------------------- state
  reg [127:0] imem [0:IMEM_INSNS-1];
  reg [31:0]  regs_q [0:15];
  reg [31:0]  pc_q, pc_d;
  reg         halted_q, halted_d;
  // program-order configuration for the matmul checks
  reg         have_pe_q, have_out_q, have_gemm_q;
  reg [2:0]   mode_q;
  reg [4:0]   abits_q, wbits_q;
  reg [9:0]   group_q;
  reg [1:0]   rq_q;
  reg [3:0]   out_q;
  reg [9:0]   mt_q, nt_q;
  reg [11:0]  ks_q, akt_q, wkt_q, okt_q;

  always @(posedge clk_i) begin
    if (imem_we_i) imem[imem_waddr_i[$clog2(IMEM_INSNS)-1:0]] <= imem_wdata_i;
  end

  wire         pc_ok = ({32'd0, pc_q} < IMEM64);
  wire [127:0] insn  = pc_ok ? imem[pc_q[$clog2(IMEM_INSNS)-1:0]] : 128'd0;
  wire [4:0]   opc   = insn[MPE_OP_LSB +: MPE_OP_W];
  wire unused_pc = ^pc_q[31:$clog2(IMEM_INSNS)] ^ ^imem_waddr_i;

  // ---------------------------------------------------------------- decode
  reg         known;
  reg [127:0] fmask;
  reg [1:0]   unit;
  always @* begin
    known = 1'b1;
    fmask = 128'd0;  // no instruction: known = 0 decides
    unit  = MPE_UNIT_CTRL;
    case (opc)
      MPE_OP_HALT:    begin fmask = MPE_OP_HALT_MASK;    unit = MPE_OP_HALT_UNIT;    end
      MPE_OP_NOP:     begin fmask = MPE_OP_NOP_MASK;     unit = MPE_OP_NOP_UNIT;     end
      MPE_OP_SYNC:    begin fmask = MPE_OP_SYNC_MASK;    unit = MPE_OP_SYNC_UNIT;    end
      MPE_OP_LI:      begin fmask = MPE_OP_LI_MASK;      unit = MPE_OP_LI_UNIT;      end
      MPE_OP_ADDI:    begin fmask = MPE_OP_ADDI_MASK;    unit = MPE_OP_ADDI_UNIT;    end
      MPE_OP_DBNZ:    begin fmask = MPE_OP_DBNZ_MASK;    unit = MPE_OP_DBNZ_UNIT;    end
      MPE_OP_LOAD:    begin fmask = MPE_OP_LOAD_MASK;    unit = MPE_OP_LOAD_UNIT;    end
      MPE_OP_STORE:   begin fmask = MPE_OP_STORE_MASK;   unit = MPE_OP_STORE_UNIT;   end
      MPE_OP_CFGPE:   begin fmask = MPE_OP_CFGPE_MASK;   unit = MPE_OP_CFGPE_UNIT;   end
      MPE_OP_CFGOUT:  begin fmask = MPE_OP_CFGOUT_MASK;  unit = MPE_OP_CFGOUT_UNIT;  end
      MPE_OP_CFGGEMM: begin fmask = MPE_OP_CFGGEMM_MASK; unit = MPE_OP_CFGGEMM_UNIT; end
      MPE_OP_MATMUL:  begin fmask = MPE_OP_MATMUL_MASK;  unit = MPE_OP_MATMUL_UNIT;  end
      default:        known = 1'b0;
    endcase
  end
  wire decodes = known && ((insn & ~fmask) == 128'd0);

  // ---------------------------------------------------------------- fields
  wire        is_ld = (opc == MPE_OP_LOAD);
  // load and store share their field layout except sp; read each by its own name
  wire [3:0]  d_deps   = is_ld ? insn[MPE_F_LOAD_DEPS_LSB +: MPE_F_LOAD_DEPS_W]
                               : insn[MPE_F_STORE_DEPS_LSB +: MPE_F_STORE_DEPS_W];
  wire [1:0]  d_sp     = is_ld ? insn[MPE_F_LOAD_SP_LSB +: MPE_F_LOAD_SP_W] : MPE_SP_OSP;
  wire [19:0] d_spaddr = is_ld ? insn[MPE_F_LOAD_SPADDR_LSB +: MPE_F_LOAD_SPADDR_W]
                               : insn[MPE_F_STORE_SPADDR_LSB +: MPE_F_STORE_SPADDR_W];
  wire [3:0]  d_rbase  = is_ld ? insn[MPE_F_LOAD_RBASE_LSB +: MPE_F_LOAD_RBASE_W]
                               : insn[MPE_F_STORE_RBASE_LSB +: MPE_F_STORE_RBASE_W];
  wire [31:0] d_mem    = is_ld ? insn[MPE_F_LOAD_MEM_LSB +: MPE_F_LOAD_MEM_W]
                               : insn[MPE_F_STORE_MEM_LSB +: MPE_F_STORE_MEM_W];
  wire [15:0] d_rows   = is_ld ? insn[MPE_F_LOAD_ROWS_LSB +: MPE_F_LOAD_ROWS_W]
                               : insn[MPE_F_STORE_ROWS_LSB +: MPE_F_STORE_ROWS_W];
  wire [15:0] d_rowb   = is_ld ? insn[MPE_F_LOAD_ROWBYTES_LSB +: MPE_F_LOAD_ROWBYTES_W]
                               : insn[MPE_F_STORE_ROWBYTES_LSB +: MPE_F_STORE_ROWBYTES_W];
  wire [28:0] d_stride = is_ld ? insn[MPE_F_LOAD_STRIDE_LSB +: MPE_F_LOAD_STRIDE_W]
                               : insn[MPE_F_STORE_STRIDE_LSB +: MPE_F_STORE_STRIDE_W];

  wire [2:0]  p_mode  = insn[MPE_F_CFGPE_MODE_LSB +: MPE_F_CFGPE_MODE_W];
  wire [2:0]  p_akind = insn[MPE_F_CFGPE_AKIND_LSB +: MPE_F_CFGPE_AKIND_W];
  wire [4:0]  p_abits = insn[MPE_F_CFGPE_ABITS_LSB +: MPE_F_CFGPE_ABITS_W];
  wire [3:0]  p_afmt  = insn[MPE_F_CFGPE_AFMT_LSB +: MPE_F_CFGPE_AFMT_W];
  wire [2:0]  p_wkind = insn[MPE_F_CFGPE_WKIND_LSB +: MPE_F_CFGPE_WKIND_W];
  wire [4:0]  p_wbits = insn[MPE_F_CFGPE_WBITS_LSB +: MPE_F_CFGPE_WBITS_W];
  wire [3:0]  p_wfmt  = insn[MPE_F_CFGPE_WFMT_LSB +: MPE_F_CFGPE_WFMT_W];
  wire        p_bser  = insn[MPE_F_CFGPE_BSERIAL_LSB +: MPE_F_CFGPE_BSERIAL_W];
  wire [9:0]  p_group = insn[MPE_F_CFGPE_GROUP_LSB +: MPE_F_CFGPE_GROUP_W];
  wire [3:0]  p_sfmt  = insn[MPE_F_CFGPE_SFMT_LSB +: MPE_F_CFGPE_SFMT_W];

  wire [1:0]  o_rq  = insn[MPE_F_CFGOUT_RQ_LSB +: MPE_F_CFGOUT_RQ_W];
  wire [3:0]  o_out = insn[MPE_F_CFGOUT_OUT_LSB +: MPE_F_CFGOUT_OUT_W];
  wire [31:0] o_lo  = insn[MPE_F_CFGOUT_LO_LSB +: MPE_F_CFGOUT_LO_W];
  wire [31:0] o_hi  = insn[MPE_F_CFGOUT_HI_LSB +: MPE_F_CFGOUT_HI_W];

  wire [9:0]  g_mt  = insn[MPE_F_CFGGEMM_MT_LSB +: MPE_F_CFGGEMM_MT_W];
  wire [9:0]  g_nt  = insn[MPE_F_CFGGEMM_NT_LSB +: MPE_F_CFGGEMM_NT_W];
  wire [11:0] g_ks  = insn[MPE_F_CFGGEMM_KS_LSB +: MPE_F_CFGGEMM_KS_W];
  wire [11:0] g_akt = insn[MPE_F_CFGGEMM_AKT_LSB +: MPE_F_CFGGEMM_AKT_W];
  wire [11:0] g_wkt = insn[MPE_F_CFGGEMM_WKT_LSB +: MPE_F_CFGGEMM_WKT_W];
  wire [11:0] g_okt = insn[MPE_F_CFGGEMM_OKT_LSB +: MPE_F_CFGGEMM_OKT_W];

  wire [19:0] m_a = insn[MPE_F_MATMUL_A_LSB +: MPE_F_MATMUL_A_W];
  wire [19:0] m_w = insn[MPE_F_MATMUL_W_LSB +: MPE_F_MATMUL_W_W];
  wire [19:0] m_o = insn[MPE_F_MATMUL_O_LSB +: MPE_F_MATMUL_O_W];
  wire [17:0] m_p = insn[MPE_F_MATMUL_P_LSB +: MPE_F_MATMUL_P_W];
  wire [17:0] m_s = insn[MPE_F_MATMUL_S_LSB +: MPE_F_MATMUL_S_W];

  // ---------------------------------------------------------------- DMA checks
  wire [31:0]        rb_val = regs_q[d_rbase];
  wire signed [63:0] ad     = $signed({32'd0, rb_val}) + $signed({{32{d_mem[31]}}, d_mem});
  wire [63:0]        ad_u   = ad;
  wire [47:0]        rows_m1 = {32'd0, d_rows} - 48'd1;
  wire signed [63:0] last   = ad + $signed({16'd0, rows_m1 * {19'd0, d_stride}})
                                 + $signed({48'd0, d_rowb});
  wire [63:0]        sp_end = {44'd0, d_spaddr} + {32'd0, d_rows} * {48'd0, d_rowb};
  reg  [63:0]        sp_size;
  always @* begin
    case (d_sp)
      MPE_SP_ASP: sp_size = ASP64;
      MPE_SP_WSP: sp_size = WSP64;
      MPE_SP_PSP: sp_size = PSP64;
      default:    sp_size = OSP64;
    endcase
  end
  // flags the unit lacks: load has only pop_next/push_next, store only pop_prev/push_prev
  wire bad_flags = is_ld ? (d_deps[MPE_DEP_POP_PREV] || d_deps[MPE_DEP_PUSH_PREV])
                         : (d_deps[MPE_DEP_POP_NEXT] || d_deps[MPE_DEP_PUSH_NEXT]);
  reg [3:0] dma_trap;
  always @* begin
    dma_trap = TRAP_NONE;
    if (bad_flags) dma_trap = TRAP_FLAGS;
    else if (is_ld && d_sp == MPE_SP_OSP) dma_trap = TRAP_OPERAND;
    else if (d_rows == 16'd0) dma_trap = TRAP_OPERAND;
    else if (d_rowb == 16'd0 || ({48'd0, d_rowb} % BEAT64) != 64'd0) dma_trap = TRAP_ALIGN;
    else if (({44'd0, d_spaddr} % BEAT64) != 64'd0) dma_trap = TRAP_ALIGN;
    else if (({35'd0, d_stride} % BEAT64) != 64'd0) dma_trap = TRAP_ALIGN;
    else if (!ad[63] && (ad_u % BEAT64) != 64'd0) dma_trap = TRAP_ALIGN;
    else if (ad[63] || last > $signed(MEMB64)) dma_trap = TRAP_RANGE;
    else if (sp_end > sp_size) dma_trap = TRAP_RANGE;
  end

  // ---------------------------------------------------------------- cfgpe checks
  wire pe_ok;
  mpe_pecfg_check #(.LANES(LANES)) u_pecheck (
    .mode_i    (p_mode),
    .akind_i   (p_akind),
    .abits_i   (p_abits),
    .afmt_i    (p_afmt),
    .wkind_i   (p_wkind),
    .wbits_i   (p_wbits),
    .wfmt_i    (p_wfmt),
    .bserial_i (p_bser),
    .group_i   (p_group),
    .sfmt_i    (p_sfmt),
    .ok_o      (pe_ok)
  );

  // ---------------------------------------------------------------- matmul checks
  wire [2:0]  lcwa, lcww, lcwo;
  wire        acc_float, grouped_bfp, grouped_sa;
  mpe_geom u_geom (
    .mode_i      (mode_q),
    .abits_i     (abits_q),
    .wbits_i     (wbits_q),
    .group_i     (group_q),
    .out_i       (out_q),
    .lcwa_o      (lcwa),
    .lcww_o      (lcww),
    .lcwo_o      (lcwo),
    .acc_float_o (acc_float),
    .sc_bfp_o    (grouped_bfp),
    .sc_sa_o     (grouped_sa)
  );
  // x % v == 0 for the vector sizes v = (N << lcw) / 8 bytes (N = ROWS*LANES or
  // COLS*LANES), without a run-time divider: with N = odd * 2^tz, v = odd *
  // 2^(tz + lcw - 3) once the operand check has passed (v is whole bytes),
  // so x % v == 0 iff x % odd == 0 (a constant modulus, none when odd = 1)
  // and the low tz + lcw - 3 bits of x are zero.
  function integer tzc;  // trailing zero bits of a positive constant
    input integer n;
    integer t, v;
    begin
      t = 0;
      v = n;
      while (v > 0 && v % 2 == 0) begin
        v = v / 2;
        t = t + 1;
      end
      tzc = t;
    end
  endfunction
  localparam integer TZ_RK  = tzc(ROWS * LANES);
  localparam integer TZ_CK  = tzc(COLS * LANES);
  localparam integer ODD_RK = (ROWS * LANES) >> TZ_RK;
  localparam integer ODD_CK = (COLS * LANES) >> TZ_CK;
  function vec_aligned;
    input [19:0]  x;
    input integer odd;
    input integer tz;
    input [2:0]   lcw;
    reg   [19:0]  low;
    begin
      low = ~(20'hfffff << (tz + {29'd0, lcw} - 3));
      vec_aligned = ((x & low) == 20'd0) && (odd == 1 || ({12'd0, x} % odd) == 0);
    end
  endfunction
  // a vector of N elements of 2^lcw bits is a whole number of bytes
  wire va_bytes = TZ_RK + {29'd0, lcwa} >= 3;
  wire vw_bytes = TZ_CK + {29'd0, lcww} >= 3;
  wire vo_bytes = TZ_RK + {29'd0, lcwo} >= 3;
  wire        grouped = grouped_bfp || grouped_sa;
  // K of the tile and blocks per row at their real widths: a KT_W-bit by
  // 10-bit divider (a 64-bit one is about 100000 gates)
  localparam integer KT_W = 12 + $clog2(LANES + 1);
  wire [KT_W-1:0] kt_n = ks_q * LANES[KT_W-1:0];
  wire [KT_W-1:0] g_n  = {{(KT_W-10){1'b0}}, group_q};
  wire [KT_W-1:0] kb_n = kt_n / g_n;
  wire [KT_W-1:0] kr_n = kt_n % g_n;
  wire [63:0] kb = grouped ? {{(64-KT_W){1'b0}}, kb_n} : 64'd0;
  wire [63:0] s_bytes = grouped_bfp ? kb * ({54'd0, mt_q} * R64 + {54'd0, nt_q} * C64)
                                    : kb * {54'd0, nt_q} * C64 * 64'd4;
  wire        out_float = (out_q == MPE_OUT_FP16) || (out_q == MPE_OUT_BF16) || (out_q == MPE_OUT_FP32);
  // x * v as ((x * N) << lcw) >> 3: a constant multiplier and a shifter; equal
  // to x * v whenever the range check is reached (v is whole bytes)
  wire [63:0] a_vecs = {54'd0, mt_q - 10'd1} * {52'd0, akt_q} + {52'd0, ks_q};
  wire [63:0] w_vecs = {54'd0, nt_q - 10'd1} * {52'd0, wkt_q} + {52'd0, ks_q};
  wire [63:0] o_vecs = {54'd0, mt_q} * {52'd0, okt_q};
  wire [63:0] a_end = {44'd0, m_a} + (((a_vecs * R64 * K64) << lcwa) >> 3);
  wire [63:0] w_end = {44'd0, m_w} + (((w_vecs * C64 * K64) << lcww) >> 3);
  wire [63:0] o_end = {44'd0, m_o} + (((o_vecs * R64 * K64) << lcwo) >> 3);
  wire [63:0] p_end = {46'd0, m_p} + {54'd0, nt_q} * C64 * 64'd16;
  wire [63:0] s_end = {46'd0, m_s} + s_bytes;
  reg [3:0] mm_trap;
  always @* begin
    mm_trap = TRAP_NONE;
    if (!have_pe_q || !have_out_q || !have_gemm_q) mm_trap = TRAP_NOCFG;
    else if (!va_bytes || !vw_bytes || !vo_bytes)
      mm_trap = TRAP_OPERAND;
    else if (grouped && kr_n != {KT_W{1'b0}}) mm_trap = TRAP_OPERAND;
    else if (rq_q == MPE_RQ_DYADIC && (acc_float || out_float)) mm_trap = TRAP_OUTCFG;
    else if (!vec_aligned(m_a, ODD_RK, TZ_RK, lcwa) || !vec_aligned(m_w, ODD_CK, TZ_CK, lcww) ||
             !vec_aligned(m_o, ODD_RK, TZ_RK, lcwo) || m_p[3:0] != 4'd0 || (grouped_sa && m_s[0]))
      mm_trap = TRAP_ALIGN;
    else if (a_end > ASP64 || w_end > WSP64 || o_end > OSP64 || p_end > PSP64 ||
             (grouped && s_end > PSP64))
      mm_trap = TRAP_RANGE;
  end

  // ---------------------------------------------------------------- cfgout / cfggemm
  reg [3:0] cfg_trap;
  always @* begin
    cfg_trap = TRAP_NONE;
    case (opc)
      MPE_OP_CFGPE: if (!pe_ok) cfg_trap = TRAP_PECFG;
      MPE_OP_CFGOUT:
        if (o_rq > MPE_RQ_DYADIC || o_out > MPE_OUT_FP32 || $signed(o_lo) > $signed(o_hi))
          cfg_trap = TRAP_OPERAND;
      MPE_OP_CFGGEMM:
        if (g_mt == 10'd0 || g_nt == 10'd0 || g_ks == 12'd0 || g_akt < g_ks || g_wkt < g_ks ||
            {52'd0, g_okt} * K64 < {54'd0, g_nt} * C64)
          cfg_trap = TRAP_OPERAND;
      default: cfg_trap = TRAP_NONE;
    endcase
  end

  // ---------------------------------------------------------------- execute / dispatch
  wire [3:0]  li_rd   = insn[MPE_F_LI_RD_LSB +: MPE_F_LI_RD_W];
  wire [31:0] li_imm  = insn[MPE_F_LI_IMM_LSB +: MPE_F_LI_IMM_W];
  wire [3:0]  ad_rd   = insn[MPE_F_ADDI_RD_LSB +: MPE_F_ADDI_RD_W];
  wire [3:0]  ad_rs   = insn[MPE_F_ADDI_RS_LSB +: MPE_F_ADDI_RS_W];
  wire [31:0] ad_imm  = insn[MPE_F_ADDI_IMM_LSB +: MPE_F_ADDI_IMM_W];
  wire [3:0]  db_rs   = insn[MPE_F_DBNZ_RS_LSB +: MPE_F_DBNZ_RS_W];
  wire [15:0] db_tgt  = insn[MPE_F_DBNZ_TARGET_LSB +: MPE_F_DBNZ_TARGET_W];
  wire [31:0] db_v    = regs_q[db_rs] - 32'd1;
  reg  [QW-1:0] occ;
  always @* begin
    case (unit)
      MPE_UNIT_LOAD:    occ = occ_load_i;
      MPE_UNIT_COMPUTE: occ = occ_comp_i;
      default:          occ = occ_store_i;
    endcase
  end

  reg        wr_en;
  reg [3:0]  wr_rd;
  reg [31:0] wr_val;
  reg        cfg_push;
  always @* begin
    pc_d         = pc_q;
    halted_d     = halted_q;
    trap_cause_o = TRAP_NONE;
    commit_o     = 1'b0;
    disp_valid_o = 1'b0;
    disp_unit_o  = unit;
    wr_en        = 1'b0;
    wr_rd        = 4'd0;
    wr_val       = 32'd0;
    cfg_push     = 1'b0;
    stall_queue_o = 1'b0;
    stall_sync_o  = 1'b0;
    if (run_i && !halted_q) begin
      if (!pc_ok) trap_cause_o = TRAP_PC;
      else if (!decodes) trap_cause_o = TRAP_ENCODING;
      else if (unit == MPE_UNIT_CTRL) begin
        case (opc)
          MPE_OP_LI: begin
            wr_en = 1'b1; wr_rd = li_rd; wr_val = li_imm;
            commit_o = 1'b1; pc_d = pc_q + 32'd1;
          end
          MPE_OP_ADDI: begin
            wr_en = 1'b1; wr_rd = ad_rd; wr_val = regs_q[ad_rs] + ad_imm;
            commit_o = 1'b1; pc_d = pc_q + 32'd1;
          end
          MPE_OP_DBNZ: begin
            if ({48'd0, db_tgt} >= IMEM64) trap_cause_o = TRAP_PC;
            else begin
              wr_en = 1'b1; wr_rd = db_rs; wr_val = db_v;
              commit_o = 1'b1;
              pc_d = (db_v != 32'd0) ? {16'd0, db_tgt} : pc_q + 32'd1;
            end
          end
          MPE_OP_SYNC: begin
            if (units_idle_i) begin commit_o = 1'b1; pc_d = pc_q + 32'd1; end
            else stall_sync_o = 1'b1;
          end
          MPE_OP_HALT: begin
            commit_o = 1'b1; halted_d = 1'b1;
          end
          default: begin  // nop
            commit_o = 1'b1; pc_d = pc_q + 32'd1;
          end
        endcase
      end else begin
        if (opc == MPE_OP_LOAD || opc == MPE_OP_STORE) trap_cause_o = dma_trap;
        else if (opc == MPE_OP_MATMUL) trap_cause_o = mm_trap;
        else trap_cause_o = cfg_trap;
        if (trap_cause_o == TRAP_NONE && occ < QDEPTH) begin
          disp_valid_o = 1'b1;
          pc_d = pc_q + 32'd1;
          cfg_push = (opc != MPE_OP_LOAD && opc != MPE_OP_STORE && opc != MPE_OP_MATMUL);
        end else if (trap_cause_o == TRAP_NONE) begin
          stall_queue_o = 1'b1;
        end
      end
    end
  end
  assign disp_insn_o = insn;
  assign disp_pc_o   = pc_q;
  assign disp_addr_o = ad_u[31:0];
  assign pc_o        = pc_q;
  assign halted_o    = halted_q;
  assign progress_o  = commit_o || disp_valid_o;
  wire unused_ad = ^ad_u[63:32];

  integer i;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pc_q        <= 32'd0;
      halted_q    <= 1'b0;
      for (i = 0; i < 16; i = i + 1) regs_q[i] <= 32'd0;
      have_pe_q   <= 1'b0;
      have_out_q  <= 1'b0;
      have_gemm_q <= 1'b0;
      mode_q      <= 3'd0;
      abits_q     <= 5'd0;
      wbits_q     <= 5'd0;
      group_q     <= 10'd0;
      rq_q        <= 2'd0;
      out_q       <= 4'd0;
      mt_q        <= 10'd0;
      nt_q        <= 10'd0;
      ks_q        <= 12'd0;
      akt_q       <= 12'd0;
      wkt_q       <= 12'd0;
      okt_q       <= 12'd0;
    end else begin
      pc_q     <= pc_d;
      halted_q <= halted_d;
      if (wr_en && wr_rd != 4'd0) regs_q[wr_rd] <= wr_val;
      if (cfg_push) begin
        case (opc)
          MPE_OP_CFGPE: begin
            have_pe_q <= 1'b1;
            mode_q    <= p_mode;
            abits_q   <= p_abits;
            wbits_q   <= p_wbits;
            group_q   <= p_group;
          end
          MPE_OP_CFGOUT: begin
            have_out_q <= 1'b1;
            rq_q       <= o_rq;
            out_q      <= o_out;
          end
          default: begin
            have_gemm_q <= 1'b1;
            mt_q  <= g_mt;
            nt_q  <= g_nt;
            ks_q  <= g_ks;
            akt_q <= g_akt;
            wkt_q <= g_wkt;
            okt_q <= g_okt;
          end
        endcase
      end
    end
  end
endmodule
