`include "mpe_defs.vh"
// The compute unit (docs/isa.md 2-5): cfgpe / cfgout / cfggemm, and matmul
// = the tile loops with operand fetch from the scratchpad layouts, the PE
// array (ROWS mpe_pe instances, weights broadcast) and the output unit.
//
// Timing (docs/isa.md 5, matmul):
//  - op 0 is fetched in t_s; op o+1 in the last cycle of op o (the PE's
//    in_ready_o with an op in flight), except after the last op of a tile:
//    its results are handed to the output unit in h = max(end+1, end of the
//    previous drain + 1); the next op is fetched in h-1. So the hand-off is
//    decided in the first cycle in which the tile's last op is in its last
//    cycle or done (PE ready) and the output unit is idle or in its last row.
//  - operand codes and block scales are read in the fetch cycle and
//    registered by the PE when it accepts the op (end of that cycle);
//  - the output unit reads the tile's C parameter records in h and writes
//    PE row r to the OSP in h + r (row 0 straight from the PE accumulators,
//    which still hold the tile in h; all rows are captured at the end of h).
//  - t_e = the last drain cycle of the last tile; cfg instructions t_e = t_s.
module mpe_compute #(
  parameter ROWS    = 4,
  parameter COLS    = 4,
  parameter LANES   = 16,
  parameter ASP_WB  = 128,   // scratchpad word bytes
  parameter WSP_WB  = 128,
  parameter OSP_WB  = 256,
  // PE datapaths built (mpe_pe's EN_* parameters; all by default)
  parameter EN_MAC       = 1,
  parameter EN_LUT       = 1,
  parameter EN_SHIFTADD  = 1,
  parameter EN_BFP       = 1,
  parameter EN_BITSERIAL = 1,
  parameter LUT_PPC      = 1     // LUT weight planes per cycle (arch lut_ppc)
) (
  input  wire                      clk_i,
  input  wire                      rst_ni,
  input  wire                      start_i,
  input  wire [127:0]              insn_i,
  output wire                      busy_o,
  output wire                      done_o,
  // ASP / WSP word reads (fetch cycle)
  output wire [31:0]               asp_ridx_o,
  input  wire [ASP_WB*8-1:0]       asp_rdata_i,
  output wire [31:0]               wsp_ridx_o,
  input  wire [WSP_WB*8-1:0]       wsp_rdata_i,
  // PSP byte windows: A scales, W scales, W zero points, parameter records
  output wire [31:0]               psp_a_addr_o,
  input  wire [ROWS*LANES*8-1:0]   psp_a_data_i,
  output wire [31:0]               psp_w_addr_o,
  input  wire [COLS*LANES*16-1:0]  psp_w_data_i,
  output wire [31:0]               psp_z_addr_o,
  input  wire [COLS*LANES*16-1:0]  psp_z_data_i,
  output wire [31:0]               psp_p_addr_o,
  input  wire [COLS*128-1:0]       psp_p_data_i,
  // OSP row write
  output wire                      osp_we_o,
  output wire [31:0]               osp_widx_o,
  output wire [OSP_WB*8-1:0]       osp_wdata_o,
  output wire [OSP_WB*8-1:0]       osp_wmask_o,
  // statistics
  output wire                      op_fire_o,
  output wire                      pe_active_o,
  output wire                      drain_stall_o   // tile results wait in the idle PE for the output unit
);
  // verilator lint_off UNUSEDPARAM
  `include "mpe_isa.vh"
  // verilator lint_on UNUSEDPARAM
  localparam integer R   = ROWS;
  localparam integer C   = COLS;
  localparam integer K   = LANES;
  localparam integer LRK = $clog2(ROWS * LANES);
  localparam integer LCK = $clog2(COLS * LANES);
  localparam integer LK  = $clog2(LANES);
  localparam integer LAW = $clog2(ASP_WB);
  localparam integer LWW = $clog2(WSP_WB);
  localparam integer LOW = $clog2(OSP_WB);
  localparam integer RW  = (ROWS > 1) ? $clog2(ROWS) : 1;
  localparam [31:0]  R32 = ROWS;
  localparam [31:0]  C32 = COLS;
  localparam [31:0]  K32 = LANES;
  localparam integer RL = ROWS - 1;
  localparam [RW-1:0] RLAST = RL[RW-1:0];

  wire [4:0] opc = insn_i[MPE_OP_LSB +: MPE_OP_W];
  wire unused_insn = ^insn_i;
  wire       start_mm = start_i && (opc == MPE_OP_MATMUL);

  // ---------------------------------------------------------------- configuration (as executed)
  reg [2:0]  mode_q, akind_q, wkind_q;
  reg [4:0]  abits_q, wbits_q;
  reg [3:0]  afmt_q, wfmt_q, sfmt_q;
  reg        bser_q;
  reg [9:0]  group_q;
  reg [1:0]  rq_q;
  reg [3:0]  out_q;
  reg        bias_q, relu_q;
  reg [31:0] lo_q, hi_q;
  reg [9:0]  mt_q, nt_q;
  reg [11:0] ks_q, akt_q, wkt_q, okt_q;

  wire [2:0] lcwa, lcww, lcwo;
  wire       acc_float, sc_bfp, sc_sa;
  mpe_geom u_geom (
    .mode_i (mode_q), .abits_i (abits_q), .wbits_i (wbits_q), .group_i (group_q),
    .out_i (out_q), .lcwa_o (lcwa), .lcww_o (lcww), .lcwo_o (lcwo),
    .acc_float_o (acc_float), .sc_bfp_o (sc_bfp), .sc_sa_o (sc_sa)
  );
  // log2 of the vector sizes in bytes (whole bytes: checked at dispatch)
  wire [5:0]  lva = LRK[5:0] + {3'd0, lcwa} - 6'd3;
  wire [5:0]  lvw = LCK[5:0] + {3'd0, lcww} - 6'd3;
  wire [5:0]  lvo = LRK[5:0] + {3'd0, lcwo} - 6'd3;
  wire [31:0] g32 = {22'd0, group_q};
  wire        grouped = sc_bfp || sc_sa;
  wire [31:0] kb  = grouped ? ({20'd0, ks_q} * K32) / g32 : 32'd0;      // blocks per tile row
  wire        g_in_op = grouped && (g32 <= K32);                         // G divides K
  wire [31:0] kslots  = g_in_op ? K32 / g32 : 32'd1;

  // ---------------------------------------------------------------- matmul state
  reg         mm_q;                     // a matmul is in progress
  reg [19:0]  fa_q, fw_q, fo_q;
  reg [17:0]  fp_q, fs_base_q;
  // next op to fetch (zero while idle)
  reg [9:0]   fi_q, fj_q;
  reg [11:0]  fk_q;                     // k-step s
  reg [21:0]  arow_q, wcol_q;           // i*akt, j*wkt
  reg [31:0]  asc_q, wsc_q;             // i*kb, j*kb
  reg [31:0]  b0_q;                     // first block of k-step s
  reg [15:0]  pos_q;                    // s*K mod G (G > K)
  reg         allf_q;                   // every op fetched
  reg         inflight_q;               // an op occupies (or just occupied) the PE
  reg         tpend_q;                  // the op in the PE closes a tile not yet handed off
  reg [9:0]   ti_q, tj_q;
  reg         tlast_q;
  // output unit
  reg         dact_q;
  reg [RW-1:0] drow_q;
  reg [9:0]   di_q, dj_q;
  reg         dlast_q;
  reg [ROWS*COLS*48-1:0] cap_acc_q;
  reg [ROWS*COLS*32-1:0] cap_facc_q;
  reg [COLS*128-1:0]     cap_rec_q;

  wire [19:0] cur_a = start_mm ? insn_i[MPE_F_MATMUL_A_LSB +: MPE_F_MATMUL_A_W] : fa_q;
  wire [19:0] cur_w = start_mm ? insn_i[MPE_F_MATMUL_W_LSB +: MPE_F_MATMUL_W_W] : fw_q;
  wire [17:0] cur_s = start_mm ? insn_i[MPE_F_MATMUL_S_LSB +: MPE_F_MATMUL_S_W] : fs_base_q;

  // ---------------------------------------------------------------- PE array
  wire [ROWS-1:0]        pe_ready;
  wire [ROWS*COLS*48-1:0] pe_acc;
  wire [ROWS*COLS*32-1:0] pe_facc;
  wire                   pe_rdy = pe_ready[0];
  wire                   drain_free = !dact_q || (drow_q == RLAST);
  wire                   f_within = mm_q && inflight_q && pe_rdy && !tpend_q && !allf_q;
  wire                   handoff  = mm_q && tpend_q && pe_rdy && drain_free;
  wire                   fetch    = start_mm || f_within || (handoff && !allf_q);
  wire                   tile_end = (fk_q + 12'd1 == ks_q);
  wire                   op_last  = tile_end && (fj_q + 10'd1 == nt_q) && (fi_q + 10'd1 == mt_q);

  // ---- operand addresses
  wire [31:0] a_vec  = {10'd0, arow_q} + {20'd0, fk_q};
  wire [31:0] w_vec  = {10'd0, wcol_q} + {20'd0, fk_q};
  wire [31:0] a_byte = {12'd0, cur_a} + (a_vec << lva);
  wire [31:0] w_byte = {12'd0, cur_w} + (w_vec << lvw);
  assign asp_ridx_o = a_byte >> LAW;
  assign wsp_ridx_o = w_byte >> LWW;
  wire [ASP_WB*8-1:0] a_word = asp_rdata_i >> {a_byte[LAW-1:0], 3'b000};
  wire [WSP_WB*8-1:0] w_word = wsp_rdata_i >> {w_byte[LWW-1:0], 3'b000};
  wire [ROWS*LANES*16-1:0] a_vbits = a_word[ROWS*LANES*16-1:0];
  wire [COLS*LANES*16-1:0] w_vbits = w_word[COLS*LANES*16-1:0];
  wire unused_words = ^{a_word, w_word};

  // ---- codes: container cw = 2^lcw, element bits masked
  wire [15:0] amask = ~(16'hFFFF << abits_q);
  wire [15:0] wmask = ~(16'hFFFF << wbits_q);
  reg  [ROWS*LANES*16-1:0] a_codes;
  reg  [COLS*LANES*16-1:0] w_codes;
  integer n;
  always @* begin
    for (n = 0; n < R*K; n = n + 1) begin
      case (lcwa)
        3'd0:    a_codes[16*n +: 16] = {15'd0, a_vbits[n]};
        3'd1:    a_codes[16*n +: 16] = {14'd0, a_vbits[2*n +: 2]};
        3'd2:    a_codes[16*n +: 16] = {12'd0, a_vbits[4*n +: 4]};
        3'd3:    a_codes[16*n +: 16] = {8'd0, a_vbits[8*n +: 8]};
        default: a_codes[16*n +: 16] = a_vbits[16*n +: 16];
      endcase
      a_codes[16*n +: 16] = a_codes[16*n +: 16] & amask;
    end
    for (n = 0; n < C*K; n = n + 1) begin
      case (lcww)
        3'd0:    w_codes[16*n +: 16] = {15'd0, w_vbits[n]};
        3'd1:    w_codes[16*n +: 16] = {14'd0, w_vbits[2*n +: 2]};
        3'd2:    w_codes[16*n +: 16] = {12'd0, w_vbits[4*n +: 4]};
        3'd3:    w_codes[16*n +: 16] = {8'd0, w_vbits[8*n +: 8]};
        default: w_codes[16*n +: 16] = w_vbits[16*n +: 16];
      endcase
      w_codes[16*n +: 16] = w_codes[16*n +: 16] & wmask;
    end
  end

  // ---- block scales (docs/isa.md 3): bfp A [i][b][r], W [j][b][c] bytes;
  // grouped shift-add W scales [j][b][c] FP16 then zero points (int16)
  wire [31:0] s_base  = {14'd0, cur_s};
  wire [31:0] blk_a   = asc_q + b0_q;
  wire [31:0] blk_w   = wsc_q + b0_q;
  assign psp_a_addr_o = s_base + blk_a * R32;
  assign psp_w_addr_o = sc_bfp ? s_base + {22'd0, mt_q} * kb * R32 + blk_w * C32
                               : s_base + ((blk_w * C32) << 1);
  assign psp_z_addr_o = s_base + (({22'd0, nt_q} * kb * C32) << 1) + ((blk_w * C32) << 1);
  reg [K*8-1:0]         as_row [0:ROWS-1];
  reg [COLS*K*16-1:0]   ws, wz;
  integer q, r2, c2;
  always @* begin
    for (r2 = 0; r2 < R; r2 = r2 + 1)
      for (q = 0; q < K; q = q + 1)
        as_row[r2][8*q +: 8] = psp_a_data_i[8*(q*R + r2) +: 8];
    for (c2 = 0; c2 < C; c2 = c2 + 1)
      for (q = 0; q < K; q = q + 1) begin
        ws[16*(c2*K + q) +: 16] = sc_bfp ? {8'd0, psp_w_data_i[8*(q*C + c2) +: 8]}
                                         : psp_w_data_i[16*(q*C + c2) +: 16];
        wz[16*(c2*K + q) +: 16] = psp_z_data_i[16*(q*C + c2) +: 16];
      end
  end

  wire [3:0] pe_afmt = (akind_q == `MPE_DT_FP) ? afmt_q : 4'd0;
  wire [3:0] pe_wfmt = (wkind_q == `MPE_DT_FP) ? wfmt_q : 4'd0;
  genvar gr;
  generate
    for (gr = 0; gr < ROWS; gr = gr + 1) begin : g_pe
      wire unused_valid;
      mpe_pe #(
        .LANES (LANES), .COLS (COLS), .A_W (16), .W_W (16), .SLOTS (LANES),
        .EN_MAC (EN_MAC), .EN_LUT (EN_LUT), .EN_SHIFTADD (EN_SHIFTADD),
        .EN_BFP (EN_BFP), .EN_BITSERIAL (EN_BITSERIAL), .LUT_PPC (LUT_PPC)
      ) u_pe (
        .clk_i             (clk_i),
        .rst_ni            (rst_ni),
        .cfg_mode_i        (mode_q),
        .cfg_a_kind_i      (akind_q),
        .cfg_a_bits_i      (abits_q),
        .cfg_a_fmt_i       (pe_afmt),
        .cfg_w_kind_i      (wkind_q),
        .cfg_w_bits_i      (wbits_q),
        .cfg_w_fmt_i       (pe_wfmt),
        .cfg_both_serial_i (bser_q),
        .cfg_group_i       ({6'd0, group_q}),
        .cfg_scale_fmt_i   (sfmt_q),
        .in_valid_i        (fetch),
        .in_ready_o        (pe_ready[gr]),
        .in_a_i            (a_codes[16*K*gr +: 16*K]),
        .in_w_i            (w_codes),
        .in_a_scale_i      (as_row[gr]),
        .in_w_scale_i      (ws),
        .in_w_zero_i       (wz),
        .in_clear_i        (fk_q == 12'd0),
        .out_valid_o       (unused_valid),
        .out_acc_o         (pe_acc[C*48*gr +: C*48]),
        .out_facc_o        (pe_facc[C*32*gr +: C*32])
      );
    end
  endgenerate
  wire unused_ready = ^pe_ready;

  // ---------------------------------------------------------------- output unit
  wire           row0   = (drow_q == {RW{1'b0}});
  wire [C*48-1:0] r_acc  = row0 ? pe_acc[C*48-1:0] : cap_acc_q[C*48*drow_q +: C*48];
  wire [C*32-1:0] r_facc = row0 ? pe_facc[C*32-1:0] : cap_facc_q[C*32*drow_q +: C*32];
  wire [C*128-1:0] r_rec = row0 ? psp_p_data_i : cap_rec_q;
  assign psp_p_addr_o = {14'd0, fp_q} + (({22'd0, dj_q} * C32) << 4);
  wire [C*32-1:0] codes;
  genvar gc;
  generate
    for (gc = 0; gc < COLS; gc = gc + 1) begin : g_out
      mpe_outstage u_os (
        .acc_float_i (acc_float),
        .rq_i        (rq_q),
        .out_i       (out_q),
        .bias_en_i   (bias_q),
        .relu_i      (relu_q),
        .lo_i        (lo_q),
        .hi_i        (hi_q),
        .bias_i      (r_rec[128*gc +: 32]),
        .mult_i      (r_rec[128*gc + 32 +: 32]),
        .shift_i     (r_rec[128*gc + 64 +: 8]),
        .zp_i        (r_rec[128*gc + 96 +: 32]),
        .acc_i       (r_acc[48*gc +: 48]),
        .facc_i      (r_facc[32*gc +: 32]),
        .code_o      (codes[32*gc +: 32])
      );
      wire unused_rec = ^r_rec[128*gc + 72 +: 24];
    end
  endgenerate
  // C codes packed in containers of 2^lcwo bits
  reg [C*32-1:0] packed_codes;
  reg [C*32-1:0] packed_mask;
  integer pc2;
  always @* begin
    packed_codes = {(C*32){1'b0}};
    packed_mask  = {(C*32){1'b0}};
    for (pc2 = 0; pc2 < C; pc2 = pc2 + 1)
      case (lcwo)
        3'd2: begin
          packed_codes[4*pc2 +: 4] = codes[32*pc2 +: 4];  packed_mask[4*pc2 +: 4] = 4'hF;
        end
        3'd3: begin
          packed_codes[8*pc2 +: 8] = codes[32*pc2 +: 8];  packed_mask[8*pc2 +: 8] = 8'hFF;
        end
        3'd4: begin
          packed_codes[16*pc2 +: 16] = codes[32*pc2 +: 16]; packed_mask[16*pc2 +: 16] = 16'hFFFF;
        end
        default: begin
          packed_codes[32*pc2 +: 32] = codes[32*pc2 +: 32]; packed_mask[32*pc2 +: 32] = 32'hFFFF_FFFF;
        end
      endcase
  end
  // element (m, n) of the block: vector (m/R)*okt + n/K, code (m%R)*K + n%K
  wire [31:0] n0      = {22'd0, dj_q} * C32;
  wire [31:0] o_vec   = {22'd0, di_q} * {20'd0, okt_q} + (n0 >> LK);
  wire [31:0] o_byte  = {12'd0, fo_q} + (o_vec << lvo);
  wire [31:0] o_code  = ({{(32-RW){1'b0}}, drow_q} << LK) + (n0 & (K32 - 32'd1));
  wire [31:0] o_bit   = {{(29-LOW){1'b0}}, o_byte[LOW-1:0], 3'b000} + (o_code << lcwo);
  assign osp_we_o    = dact_q;
  assign osp_widx_o  = o_byte >> LOW;
  assign osp_wdata_o = {{(OSP_WB*8-C*32){1'b0}}, packed_codes} << o_bit;
  assign osp_wmask_o = {{(OSP_WB*8-C*32){1'b0}}, packed_mask} << o_bit;
  wire unused_o = ^{o_byte[31:LOW], o_bit[31:LOW+3]};

  // ---------------------------------------------------------------- sequencing
  wire drain_last = dact_q && (drow_q == RLAST);
  wire mm_done    = drain_last && dlast_q;
  assign done_o      = (start_i && !start_mm) || mm_done;
  assign busy_o      = mm_q;
  assign op_fire_o   = fetch;
  assign pe_active_o = inflight_q;
  assign drain_stall_o = mm_q && tpend_q && !inflight_q;

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      mode_q <= 3'd0; akind_q <= 3'd0; wkind_q <= 3'd0; abits_q <= 5'd0; wbits_q <= 5'd0;
      afmt_q <= 4'd0; wfmt_q <= 4'd0; sfmt_q <= 4'd0; bser_q <= 1'b0; group_q <= 10'd0;
      rq_q <= 2'd0; out_q <= 4'd0; bias_q <= 1'b0; relu_q <= 1'b0; lo_q <= 32'd0; hi_q <= 32'd0;
      mt_q <= 10'd0; nt_q <= 10'd0; ks_q <= 12'd0; akt_q <= 12'd0; wkt_q <= 12'd0; okt_q <= 12'd0;
      mm_q <= 1'b0; fa_q <= 20'd0; fw_q <= 20'd0; fo_q <= 20'd0; fp_q <= 18'd0; fs_base_q <= 18'd0;
      fi_q <= 10'd0; fj_q <= 10'd0; fk_q <= 12'd0; arow_q <= 22'd0; wcol_q <= 22'd0;
      asc_q <= 32'd0; wsc_q <= 32'd0; b0_q <= 32'd0; pos_q <= 16'd0; allf_q <= 1'b0;
      inflight_q <= 1'b0; tpend_q <= 1'b0; ti_q <= 10'd0; tj_q <= 10'd0; tlast_q <= 1'b0;
      dact_q <= 1'b0; drow_q <= {RW{1'b0}}; di_q <= 10'd0; dj_q <= 10'd0; dlast_q <= 1'b0;
      cap_acc_q <= {(ROWS*COLS*48){1'b0}}; cap_facc_q <= {(ROWS*COLS*32){1'b0}};
      cap_rec_q <= {(COLS*128){1'b0}};
    end else begin
      // ---- configuration instructions (t_e = t_s)
      if (start_i) begin
        case (opc)
          MPE_OP_CFGPE: begin
            mode_q  <= insn_i[MPE_F_CFGPE_MODE_LSB +: MPE_F_CFGPE_MODE_W];
            akind_q <= insn_i[MPE_F_CFGPE_AKIND_LSB +: MPE_F_CFGPE_AKIND_W];
            abits_q <= insn_i[MPE_F_CFGPE_ABITS_LSB +: MPE_F_CFGPE_ABITS_W];
            afmt_q  <= insn_i[MPE_F_CFGPE_AFMT_LSB +: MPE_F_CFGPE_AFMT_W];
            wkind_q <= insn_i[MPE_F_CFGPE_WKIND_LSB +: MPE_F_CFGPE_WKIND_W];
            wbits_q <= insn_i[MPE_F_CFGPE_WBITS_LSB +: MPE_F_CFGPE_WBITS_W];
            wfmt_q  <= insn_i[MPE_F_CFGPE_WFMT_LSB +: MPE_F_CFGPE_WFMT_W];
            bser_q  <= insn_i[MPE_F_CFGPE_BSERIAL_LSB +: MPE_F_CFGPE_BSERIAL_W];
            group_q <= insn_i[MPE_F_CFGPE_GROUP_LSB +: MPE_F_CFGPE_GROUP_W];
            sfmt_q  <= insn_i[MPE_F_CFGPE_SFMT_LSB +: MPE_F_CFGPE_SFMT_W];
          end
          MPE_OP_CFGOUT: begin
            rq_q   <= insn_i[MPE_F_CFGOUT_RQ_LSB +: MPE_F_CFGOUT_RQ_W];
            out_q  <= insn_i[MPE_F_CFGOUT_OUT_LSB +: MPE_F_CFGOUT_OUT_W];
            bias_q <= insn_i[MPE_F_CFGOUT_BIAS_LSB +: MPE_F_CFGOUT_BIAS_W];
            relu_q <= insn_i[MPE_F_CFGOUT_RELU_LSB +: MPE_F_CFGOUT_RELU_W];
            lo_q   <= insn_i[MPE_F_CFGOUT_LO_LSB +: MPE_F_CFGOUT_LO_W];
            hi_q   <= insn_i[MPE_F_CFGOUT_HI_LSB +: MPE_F_CFGOUT_HI_W];
          end
          MPE_OP_CFGGEMM: begin
            mt_q  <= insn_i[MPE_F_CFGGEMM_MT_LSB +: MPE_F_CFGGEMM_MT_W];
            nt_q  <= insn_i[MPE_F_CFGGEMM_NT_LSB +: MPE_F_CFGGEMM_NT_W];
            ks_q  <= insn_i[MPE_F_CFGGEMM_KS_LSB +: MPE_F_CFGGEMM_KS_W];
            akt_q <= insn_i[MPE_F_CFGGEMM_AKT_LSB +: MPE_F_CFGGEMM_AKT_W];
            wkt_q <= insn_i[MPE_F_CFGGEMM_WKT_LSB +: MPE_F_CFGGEMM_WKT_W];
            okt_q <= insn_i[MPE_F_CFGGEMM_OKT_LSB +: MPE_F_CFGGEMM_OKT_W];
          end
          MPE_OP_MATMUL: begin
            mm_q      <= 1'b1;
            fa_q      <= insn_i[MPE_F_MATMUL_A_LSB +: MPE_F_MATMUL_A_W];
            fw_q      <= insn_i[MPE_F_MATMUL_W_LSB +: MPE_F_MATMUL_W_W];
            fo_q      <= insn_i[MPE_F_MATMUL_O_LSB +: MPE_F_MATMUL_O_W];
            fp_q      <= insn_i[MPE_F_MATMUL_P_LSB +: MPE_F_MATMUL_P_W];
            fs_base_q <= insn_i[MPE_F_MATMUL_S_LSB +: MPE_F_MATMUL_S_W];
            allf_q    <= 1'b0;
          end
          default: ;
        endcase
      end
      // ---- op fetch: advance to the next op (j inner, s innermost)
      if (fetch) begin
        inflight_q <= 1'b1;
        if (tile_end) begin
          tpend_q <= 1'b1;
          ti_q    <= fi_q;
          tj_q    <= fj_q;
          tlast_q <= op_last;
          fk_q    <= 12'd0;
          b0_q    <= 32'd0;
          pos_q   <= 16'd0;
          if (op_last) begin
            allf_q <= 1'b1;
            fi_q <= 10'd0; fj_q <= 10'd0; arow_q <= 22'd0; wcol_q <= 22'd0;
            asc_q <= 32'd0; wsc_q <= 32'd0;
          end else if (fj_q + 10'd1 == nt_q) begin
            fj_q <= 10'd0; wcol_q <= 22'd0; wsc_q <= 32'd0;
            fi_q <= fi_q + 10'd1; arow_q <= arow_q + {10'd0, akt_q}; asc_q <= asc_q + kb;
          end else begin
            fj_q <= fj_q + 10'd1; wcol_q <= wcol_q + {10'd0, wkt_q}; wsc_q <= wsc_q + kb;
          end
        end else begin
          fk_q <= fk_q + 12'd1;
          if (g_in_op) begin
            b0_q <= b0_q + kslots;
          end else if (grouped) begin
            if ({16'd0, pos_q} + K32 == g32) begin
              pos_q <= 16'd0;
              b0_q  <= b0_q + 32'd1;
            end else begin
              pos_q <= pos_q + K32[15:0];
            end
          end
          if (handoff) tpend_q <= 1'b0;
        end
      end else begin
        if (pe_rdy) inflight_q <= 1'b0;
        if (handoff) tpend_q <= 1'b0;
      end
      // ---- output unit
      if (handoff) begin
        di_q    <= ti_q;
        dj_q    <= tj_q;
        dlast_q <= tlast_q;
      end
      if (dact_q && row0) begin
        cap_acc_q  <= pe_acc;
        cap_facc_q <= pe_facc;
        cap_rec_q  <= psp_p_data_i;
      end
      if (handoff) begin
        dact_q <= 1'b1;
        drow_q <= {RW{1'b0}};
      end else if (dact_q) begin
        if (drow_q == RLAST) dact_q <= 1'b0;
        else drow_q <= drow_q + {{(RW-1){1'b0}}, 1'b1};
      end
      if (mm_done) mm_q <= 1'b0;
    end
  end
endmodule
