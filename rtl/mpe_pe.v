`include "mpe_defs.vh"
// The four-mode processing element (docs/numerics.md section 5): LUT,
// shift-add, BFP and bit-serial datapaths plus the INT8 MAC baseline, selected
// per op by configuration inputs that mirror mpe_pe_cfg (cmodel/include/mpe/pe.h).
//
// Op protocol (rtl/README.md "Cycles"): an op is accepted at a rising edge
// where in_valid_i && in_ready_o; its operands and configuration are
// registered at that edge. It then occupies the PE for exactly N cycles
// (N = mpe_pe_op_cycles of the C model); the N-th edge after the accept edge
// writes the final accumulators and raises out_valid_o for one cycle.
// in_ready_o is high when idle and in an op's last cycle, so back-to-back ops
// are accepted N edges apart.
//
// State (output stationary): C int48 accumulators, C FP32 accumulators, and
// the open group/block (exact partial sums, special flags, activation sum,
// lanes consumed). An op with in_clear_i zeroes all of it in its first cycle.
module mpe_pe #(
  parameter LANES        = 16,     // K, a multiple of 4 (4..64)
  parameter COLS         = 4,      // C (1..64)
  parameter A_W          = 16,     // activation code width (<= 16)
  parameter W_W          = 16,     // weight code width (<= 16)
  parameter SLOTS        = LANES,  // scale/zero-point slots per op (LANES / smallest group)
  parameter GACC_W       = 80,     // exact group/block sum (>= 65 + log2 MPE_PE_MAX_GROUP)
  parameter EN_MAC       = 1,
  parameter EN_LUT       = 1,
  parameter EN_SHIFTADD  = 1,
  parameter EN_BFP       = 1,
  parameter EN_BITSERIAL = 1,
  parameter LUT_PPC      = 1       // LUT weight bit-planes looked up per cycle (1, 2 or 4)
) (
  input  wire                        clk_i,
  input  wire                        rst_ni,
  // configuration (mpe_pe_cfg), sampled with every accepted op
  input  wire [`MPE_MODE_W-1:0]      cfg_mode_i,
  input  wire [`MPE_DT_W-1:0]        cfg_a_kind_i,
  input  wire [4:0]                  cfg_a_bits_i,
  input  wire [`MPE_FMT_W-1:0]       cfg_a_fmt_i,
  input  wire [`MPE_DT_W-1:0]        cfg_w_kind_i,
  input  wire [4:0]                  cfg_w_bits_i,
  input  wire [`MPE_FMT_W-1:0]       cfg_w_fmt_i,
  input  wire                        cfg_both_serial_i,
  input  wire [15:0]                 cfg_group_i,
  input  wire [`MPE_FMT_W-1:0]       cfg_scale_fmt_i,
  // op
  input  wire                        in_valid_i,
  output wire                        in_ready_o,
  input  wire [LANES*A_W-1:0]        in_a_i,        // a[k] at [A_W*k +: A_W]
  input  wire [COLS*LANES*W_W-1:0]   in_w_i,        // w[c][k] at [W_W*(c*LANES+k) +: W_W]
  input  wire [SLOTS*8-1:0]          in_a_scale_i,  // bfp activation scale, slot j at [8j +: 8]
  input  wire [COLS*SLOTS*16-1:0]    in_w_scale_i,  // [16*(c*SLOTS+j) +: 16]: bfp code / FP16
  input  wire [COLS*SLOTS*16-1:0]    in_w_zero_i,   // shift-add int16 zero points
  input  wire                        in_clear_i,
  // result
  output wire                        out_valid_o,
  output wire [COLS*48-1:0]          out_acc_o,     // int48 accumulator c at [48c +: 48]
  output wire [COLS*32-1:0]          out_facc_o     // FP32 accumulator c at [32c +: 32]
);
  localparam EXP_W  = 12;
  localparam VAL_W  = GACC_W + 10;
  // shift-add group sums (lane products have A_W + 9 bits)
  localparam SA_P_W = A_W + 9 + `MPE_PE_MAX_GROUP_LOG2;
  localparam SA_S_W = A_W + 1 + `MPE_PE_MAX_GROUP_LOG2;
  localparam SLW    = (SLOTS > 1) ? $clog2(SLOTS) : 1;
  localparam integer LANES_I = LANES;
  localparam [16:0] LANES_V = LANES_I[16:0];
  // datapaths see codes of at least 8 bits (BFP elements, MAC operands)
  localparam AX = (A_W < 8) ? 8 : A_W;
  localparam WX = (W_W < 8) ? 8 : W_W;

  // ---------------------------------------------------------------- registers
  reg                       busy_q, first_q, done_q, clear_q;
  reg [7:0]                 cnt_q;
  reg [3:0]                 pl_q, wq_q;       // both-serial plane pair
  reg [16:0]                lo_q;             // first lane of the current group
  reg [`MPE_MODE_W-1:0]     mode_q;
  reg [`MPE_DT_W-1:0]       a_kind_q, w_kind_q;
  reg [4:0]                 a_bits_q, w_bits_q;
  reg [`MPE_FMT_W-1:0]      a_fmt_q, w_fmt_q, scale_fmt_q;
  reg                       both_q;
  reg [15:0]                group_q;
  reg [LANES*A_W-1:0]       a_q;
  reg [COLS*LANES*W_W-1:0]  w_q;
  reg [SLOTS*8-1:0]         as_q;
  reg [COLS*SLOTS*16-1:0]   ws_q, wz_q;
  reg [COLS*48-1:0]         acc_q;
  reg [COLS*32-1:0]         facc_q;
  reg [COLS*GACC_W-1:0]     gacc_q;
  reg [COLS*3-1:0]          gspec_q;
  reg [SA_S_W-1:0]          gsum_q;
  reg [15:0]                gpos_q;

  reg                       busy_d, first_d, done_d, clear_d;
  reg [7:0]                 cnt_d;
  reg [3:0]                 pl_d, wq_d;
  reg [16:0]                lo_d;
  reg [`MPE_MODE_W-1:0]     mode_d;
  reg [`MPE_DT_W-1:0]       a_kind_d, w_kind_d;
  reg [4:0]                 a_bits_d, w_bits_d;
  reg [`MPE_FMT_W-1:0]      a_fmt_d, w_fmt_d, scale_fmt_d;
  reg                       both_d;
  reg [15:0]                group_d;
  reg [LANES*A_W-1:0]       a_d;
  reg [COLS*LANES*W_W-1:0]  w_d;
  reg [SLOTS*8-1:0]         as_d;
  reg [COLS*SLOTS*16-1:0]   ws_d, wz_d;
  reg [COLS*48-1:0]         acc_d;
  reg [COLS*32-1:0]         facc_d;
  reg [COLS*GACC_W-1:0]     gacc_d;
  reg [COLS*3-1:0]          gspec_d;
  reg [SA_S_W-1:0]          gsum_d;
  reg [15:0]                gpos_d;

  // ------------------------------------------------------------ mode decode
  wire m_mac = (EN_MAC != 0)       && (mode_q == `MPE_MODE_MAC);
  wire m_lut = (EN_LUT != 0)       && (mode_q == `MPE_MODE_LUT);
  wire m_sa  = (EN_SHIFTADD != 0)  && (mode_q == `MPE_MODE_SHIFTADD);
  wire m_bfp = (EN_BFP != 0)       && (mode_q == `MPE_MODE_BFP);
  wire m_bs  = (EN_BITSERIAL != 0) && (mode_q == `MPE_MODE_BITSERIAL);
  wire a_signed = (a_kind_q == `MPE_DT_INT);
  wire w_signed = (w_kind_q == `MPE_DT_INT);

  wire        grouped  = m_bfp || (m_sa && group_q != 16'd0);   // FP32 accumulation
  wire        in_op    = (group_q != 16'd0) && ({1'b0, group_q} < LANES_V); // groups inside an op
  // clear: the op's first cycle starts from zero state
  wire        clr      = busy_q && first_q && clear_q;
  wire [15:0] gpos_base = clr ? 16'd0 : gpos_q;
  wire [16:0] gpos_next = {1'b0, gpos_base} + LANES_V;
  wire        close    = grouped && (in_op || gpos_next >= {1'b0, group_q});

  // ------------------------------------------------------------ last cycle
  wire [4:0] lut_planes = (w_kind_q == `MPE_DT_BINARY)  ? 5'd1 :
                          (w_kind_q == `MPE_DT_TERNARY) ? 5'd2 : w_bits_q;
  generate
    if (LUT_PPC != 1 && LUT_PPC != 2 && LUT_PPC != 4) begin : g_bad_lut_ppc
      mpe_pe_needs_lut_ppc_1_2_or_4 u_bad ();
    end
  endgenerate
  localparam integer LUT_PPC_I = LUT_PPC;
  localparam [8:0]   LUT_PPC_V = LUT_PPC_I[8:0];
  localparam integer LUT_PPC_SH = (LUT_PPC >= 4) ? 2 : ((LUT_PPC >= 2) ? 1 : 0);
  // first LUT weight plane of this cycle (cnt_q x LUT_PPC)
  wire [8:0] lut_plane = {1'b0, cnt_q} << LUT_PPC_SH;
  reg last;
  always @* begin
    last = 1'b1;
    if (m_lut)
      last = (lut_plane + LUT_PPC_V >= {4'd0, lut_planes});
    else if (m_bs && both_q)
      last = ({1'b0, pl_q} + 5'd1 >= a_bits_q) && ({1'b0, wq_q} + 5'd1 >= w_bits_q);
    else if (m_bs)
      last = ({1'b0, cnt_q} + 9'd1 >= {4'd0, a_bits_q});
    else if (grouped && in_op)
      last = (lo_q + {1'b0, group_q} >= LANES_V);
  end

  assign in_ready_o  = !busy_q || last;
  assign out_valid_o = done_q;
  assign out_acc_o   = acc_q;
  assign out_facc_o  = facc_q;
  wire accept = in_valid_i && in_ready_o;

  // lanes of the group closed this cycle (all lanes unless groups are inside an op)
  reg [LANES-1:0] mask;
  integer mk;
  always @* begin
    for (mk = 0; mk < LANES; mk = mk + 1)
      mask[mk] = !in_op || ((mk[16:0] >= lo_q) && (mk[16:0] < lo_q + {1'b0, group_q}));
  end
  // scale slot of the closing group
  wire [SLW-1:0] slot = (in_op && ({24'd0, cnt_q} < SLOTS)) ? cnt_q[SLW-1:0] : {SLW{1'b0}};
  reg  [7:0]     slot_ascale;
  integer        sa_i;
  always @* begin
    slot_ascale = 8'd0;
    for (sa_i = 0; sa_i < SLOTS; sa_i = sa_i + 1)
      if (slot == sa_i[SLW-1:0]) slot_ascale = as_q[8*sa_i +: 8];
  end

  // ------------------------------------------------------------ datapaths
  wire [COLS*48-1:0]     mac_inc, lut_inc, sa_inc, bs_inc;
  wire [COLS*SA_P_W-1:0] sa_p;
  wire [SA_S_W-1:0]      sa_s;
  wire [COLS*2-1:0]      sa_cls, bfp_cls;
  wire [COLS*VAL_W-1:0]  sa_val, bfp_val;
  wire [COLS*EXP_W-1:0]  sa_exp, bfp_exp;
  wire [COLS*GACC_W-1:0] bfp_d;
  wire [COLS*3-1:0]      bfp_spec;
  wire [COLS*16-1:0]     slot_scale, slot_zero;
  wire [COLS*8-1:0]      slot_wscale8;
  wire [COLS*GACC_W-1:0] gacc_base = gacc_q & {COLS*GACC_W{~clr}};
  wire [COLS*3-1:0]      gspec_base = gspec_q & {COLS*3{~clr}};
  wire [SA_S_W-1:0]      gsum_base = gsum_q & {SA_S_W{~clr}};
  wire [COLS*SA_P_W-1:0] sa_p_base;

  wire [LANES*AX-1:0]      a_x;
  wire [COLS*LANES*WX-1:0] w_x;
  genvar c, k;
  generate
    for (k = 0; k < LANES; k = k + 1) begin : g_ax
      assign a_x[AX*k +: AX] = {{(AX-A_W){1'b0}}, a_q[A_W*k +: A_W]};
    end
    for (k = 0; k < COLS*LANES; k = k + 1) begin : g_wx
      assign w_x[WX*k +: WX] = {{(WX-W_W){1'b0}}, w_q[W_W*k +: W_W]};
    end
    for (c = 0; c < COLS; c = c + 1) begin : g_slot
      // slot multiplexers
      reg [15:0] sc, zp;
      integer s;
      always @* begin
        sc = 16'd0;
        zp = 16'd0;
        for (s = 0; s < SLOTS; s = s + 1)
          if (slot == s[SLW-1:0]) begin
            sc = ws_q[16*(c*SLOTS + s) +: 16];
            zp = wz_q[16*(c*SLOTS + s) +: 16];
          end
      end
      assign slot_scale[16*c +: 16]  = sc;
      assign slot_zero[16*c +: 16]   = zp;
      assign slot_wscale8[8*c +: 8]  = slot_scale[16*c +: 8];
      assign sa_p_base[SA_P_W*c +: SA_P_W] = gacc_base[GACC_W*c +: SA_P_W];
    end
  endgenerate

  generate
    if (EN_MAC != 0) begin : g_mac
      // codes normalised to 8-bit two's complement / unsigned
      wire [LANES*8-1:0]      a8;
      wire [COLS*LANES*8-1:0] w8;
      for (k = 0; k < LANES; k = k + 1) begin : g_a8
        wire [8:0] v;
        mpe_int_dec #(.W(8)) u_dec (.code_i(a_x[AX*k +: 8]), .bits_i(a_bits_q),
                                    .signed_i(a_signed), .val_o(v));
        assign a8[8*k +: 8] = v[7:0];
        wire unused_v = v[8];
      end
      for (k = 0; k < COLS*LANES; k = k + 1) begin : g_w8
        wire [8:0] v;
        mpe_int_dec #(.W(8)) u_dec (.code_i(w_x[WX*k +: 8]), .bits_i(w_bits_q),
                                    .signed_i(w_signed), .val_o(v));
        assign w8[8*k +: 8] = v[7:0];
        wire unused_v = v[8];
      end
      wire                unused_mac_ready, unused_mac_valid;
      wire [COLS*48-1:0]  unused_mac_acc;
      mpe_pe_mac #(.LANES(LANES), .COLS(COLS), .HOSTED(1)) u_mac (
        .clk_i (clk_i), .rst_ni (rst_ni),
        .in_valid_i (1'b0), .in_ready_o (unused_mac_ready),
        .a_signed_i (a_signed), .w_signed_i (w_signed),
        .in_a_i (a8), .in_w_i (w8), .in_clear_i (1'b0),
        .out_valid_o (unused_mac_valid), .out_acc_o (unused_mac_acc), .dot_o (mac_inc)
      );
    end else begin : g_no_mac
      assign mac_inc = {COLS*48{1'b0}};
    end

    if (EN_LUT != 0) begin : g_lut
      mpe_lut #(.LANES(LANES), .COLS(COLS), .A_W(AX), .W_W(WX), .PPC(LUT_PPC)) u_lut (
        .plane_i (lut_plane[3:0]),
        .a_signed_i (a_signed), .a_bits_i (a_bits_q),
        .w_kind_i (w_kind_q), .w_bits_i (w_bits_q),
        .a_i (a_x), .w_i (w_x), .inc_o (lut_inc)
      );
    end else begin : g_no_lut
      assign lut_inc = {COLS*48{1'b0}};
    end

    if (EN_SHIFTADD != 0) begin : g_sa
      mpe_shiftadd #(.LANES(LANES), .COLS(COLS), .A_W(AX), .W_W(WX), .P_W(SA_P_W),
                     .S_W(SA_S_W), .VAL_W(VAL_W), .EXP_W(EXP_W)) u_sa (
        .a_signed_i (a_signed), .a_bits_i (a_bits_q),
        .w_kind_i (w_kind_q), .w_bits_i (w_bits_q),
        .a_i (a_x), .w_i (w_x), .mask_i (mask),
        .p_i (sa_p_base), .s_i (gsum_base),
        .scale_i (slot_scale), .zero_i (slot_zero),
        .inc_o (sa_inc), .p_o (sa_p), .s_o (sa_s),
        .cls_o (sa_cls), .val_o (sa_val), .exp_o (sa_exp)
      );
    end else begin : g_no_sa
      assign sa_inc = {COLS*48{1'b0}};
      assign sa_p   = {COLS*SA_P_W{1'b0}};
      assign sa_s   = {SA_S_W{1'b0}};
      assign sa_cls = {COLS*2{1'b0}};
      assign sa_val = {COLS*VAL_W{1'b0}};
      assign sa_exp = {COLS*EXP_W{1'b0}};
    end

    if (EN_BFP != 0) begin : g_bfp
      mpe_bfp #(.LANES(LANES), .COLS(COLS), .A_W(AX), .W_W(WX), .GACC_W(GACC_W),
                .VAL_W(VAL_W), .EXP_W(EXP_W)) u_bfp (
        .a_kind_i (a_kind_q), .a_bits_i (a_bits_q), .a_fmt_i (a_fmt_q),
        .w_kind_i (w_kind_q), .w_bits_i (w_bits_q), .w_fmt_i (w_fmt_q),
        .scale_fmt_i (scale_fmt_q),
        .a_i (a_x), .w_i (w_x), .mask_i (mask),
        .d_i (gacc_base), .spec_i (gspec_base),
        .a_scale_i (slot_ascale), .w_scale_i (slot_wscale8),
        .d_o (bfp_d), .spec_o (bfp_spec),
        .cls_o (bfp_cls), .val_o (bfp_val), .exp_o (bfp_exp)
      );
    end else begin : g_no_bfp
      assign bfp_d    = {COLS*GACC_W{1'b0}};
      assign bfp_spec = {COLS*3{1'b0}};
      assign bfp_cls  = {COLS*2{1'b0}};
      assign bfp_val  = {COLS*VAL_W{1'b0}};
      assign bfp_exp  = {COLS*EXP_W{1'b0}};
    end

    if (EN_BITSERIAL != 0) begin : g_bs
      mpe_bitserial #(.LANES(LANES), .COLS(COLS), .A_W(AX), .W_W(WX)) u_bs (
        .both_i (both_q), .p_i (both_q ? pl_q : cnt_q[3:0]), .q_i (wq_q),
        .a_signed_i (a_signed), .a_bits_i (a_bits_q),
        .w_signed_i (w_signed), .w_bits_i (w_bits_q),
        .a_i (a_x), .w_i (w_x), .inc_o (bs_inc)
      );
    end else begin : g_no_bs
      assign bs_inc = {COLS*48{1'b0}};
    end
  endgenerate

  // ---- the shared int-to-FP32 + FP32 add unit of each column
  wire [COLS*32-1:0] facc_base = facc_q & {COLS*32{~clr}};
  wire [COLS*32-1:0] facc_new;
  generate
    for (c = 0; c < COLS; c = c + 1) begin : g_fp
      if (EN_SHIFTADD != 0 || EN_BFP != 0) begin : g_unit
        mpe_fpacc #(.VAL_W(VAL_W), .EXP_W(EXP_W)) u_fpacc (
          .acc_i (facc_base[32*c +: 32]),
          .cls_i (m_bfp ? bfp_cls[2*c +: 2] : sa_cls[2*c +: 2]),
          .val_i (m_bfp ? bfp_val[VAL_W*c +: VAL_W] : sa_val[VAL_W*c +: VAL_W]),
          .exp_i (m_bfp ? bfp_exp[EXP_W*c +: EXP_W] : sa_exp[EXP_W*c +: EXP_W]),
          .acc_o (facc_new[32*c +: 32])
        );
      end else begin : g_none
        assign facc_new[32*c +: 32] = facc_base[32*c +: 32];
      end
    end
  endgenerate

  // ---- int48 increment of this cycle (zero when idle: the accumulators are
  // written in every cycle, the increment is gated instead of the register)
  reg [COLS*48-1:0] inc;
  always @* begin
    inc = {COLS*48{1'b0}};
    if (busy_q) begin
      if (m_mac)                    inc = mac_inc;
      else if (m_lut)               inc = lut_inc;
      else if (m_sa && !grouped)    inc = sa_inc;
      else if (m_bs)                inc = bs_inc;
    end
  end

  // ------------------------------------------------------------ next state
  integer j;
  always @* begin
    busy_d = busy_q; first_d = first_q; done_d = 1'b0; clear_d = clear_q;
    cnt_d = cnt_q; pl_d = pl_q; wq_d = wq_q; lo_d = lo_q;
    mode_d = mode_q; a_kind_d = a_kind_q; w_kind_d = w_kind_q;
    a_bits_d = a_bits_q; w_bits_d = w_bits_q; a_fmt_d = a_fmt_q; w_fmt_d = w_fmt_q;
    scale_fmt_d = scale_fmt_q; both_d = both_q; group_d = group_q;
    a_d = a_q; w_d = w_q; as_d = as_q; ws_d = ws_q; wz_d = wz_q;
    acc_d = acc_q; facc_d = facc_q; gacc_d = gacc_q; gspec_d = gspec_q;
    gsum_d = gsum_q; gpos_d = gpos_q;
    // int48 accumulators (clr implies busy_q; inc is zero when idle)
    for (j = 0; j < COLS; j = j + 1)
      acc_d[48*j +: 48] = (clr ? 48'd0 : acc_q[48*j +: 48]) + inc[48*j +: 48];

    if (busy_q) begin
      // group state
      facc_d  = facc_base;
      gacc_d  = gacc_base;
      gspec_d = gspec_base;
      gsum_d  = gsum_base;
      gpos_d  = gpos_base;
      if (grouped) begin
        if (close) begin
          facc_d  = facc_new;
          gacc_d  = {COLS*GACC_W{1'b0}};
          gspec_d = {COLS*3{1'b0}};
          gsum_d  = {SA_S_W{1'b0}};
        end else if (m_bfp) begin
          gacc_d  = bfp_d;
          gspec_d = bfp_spec;
        end else begin
          for (j = 0; j < COLS; j = j + 1)
            gacc_d[GACC_W*j +: GACC_W] = {{(GACC_W-SA_P_W){sa_p[SA_P_W*j+SA_P_W-1]}},
                                          sa_p[SA_P_W*j +: SA_P_W]};
          gsum_d = sa_s;
        end
        if (!in_op) gpos_d = close ? 16'd0 : gpos_next[15:0];
      end
      // sequencing
      first_d = 1'b0;
      cnt_d   = cnt_q + 8'd1;
      lo_d    = lo_q + {1'b0, group_q};
      if ({1'b0, wq_q} + 5'd1 >= w_bits_q) begin
        wq_d = 4'd0;
        pl_d = pl_q + 4'd1;
      end else begin
        wq_d = wq_q + 4'd1;
      end
      if (last) begin
        busy_d = 1'b0;
        done_d = 1'b1;
      end
    end

    if (accept) begin
      busy_d = 1'b1; first_d = 1'b1; clear_d = in_clear_i;
      cnt_d = 8'd0; pl_d = 4'd0; wq_d = 4'd0; lo_d = 17'd0;
      mode_d = cfg_mode_i; a_kind_d = cfg_a_kind_i; w_kind_d = cfg_w_kind_i;
      a_bits_d = cfg_a_bits_i; w_bits_d = cfg_w_bits_i;
      a_fmt_d = cfg_a_fmt_i; w_fmt_d = cfg_w_fmt_i; scale_fmt_d = cfg_scale_fmt_i;
      both_d = cfg_both_serial_i; group_d = cfg_group_i;
      a_d = in_a_i; w_d = in_w_i; as_d = in_a_scale_i; ws_d = in_w_scale_i; wz_d = in_w_zero_i;
    end
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q <= 1'b0; first_q <= 1'b0; done_q <= 1'b0; clear_q <= 1'b0;
      cnt_q <= 8'd0; pl_q <= 4'd0; wq_q <= 4'd0; lo_q <= 17'd0;
      mode_q <= {`MPE_MODE_W{1'b0}}; a_kind_q <= {`MPE_DT_W{1'b0}}; w_kind_q <= {`MPE_DT_W{1'b0}};
      a_bits_q <= 5'd0; w_bits_q <= 5'd0;
      a_fmt_q <= {`MPE_FMT_W{1'b0}}; w_fmt_q <= {`MPE_FMT_W{1'b0}}; scale_fmt_q <= {`MPE_FMT_W{1'b0}};
      both_q <= 1'b0; group_q <= 16'd0;
      a_q <= {LANES*A_W{1'b0}}; w_q <= {COLS*LANES*W_W{1'b0}}; as_q <= {SLOTS*8{1'b0}};
      ws_q <= {COLS*SLOTS*16{1'b0}}; wz_q <= {COLS*SLOTS*16{1'b0}};
      acc_q <= {COLS*48{1'b0}}; facc_q <= {COLS*32{1'b0}}; gacc_q <= {COLS*GACC_W{1'b0}};
      gspec_q <= {COLS*3{1'b0}}; gsum_q <= {SA_S_W{1'b0}}; gpos_q <= 16'd0;
    end else begin
      busy_q <= busy_d; first_q <= first_d; done_q <= done_d; clear_q <= clear_d;
      cnt_q <= cnt_d; pl_q <= pl_d; wq_q <= wq_d; lo_q <= lo_d;
      mode_q <= mode_d; a_kind_q <= a_kind_d; w_kind_q <= w_kind_d;
      a_bits_q <= a_bits_d; w_bits_q <= w_bits_d;
      a_fmt_q <= a_fmt_d; w_fmt_q <= w_fmt_d; scale_fmt_q <= scale_fmt_d;
      both_q <= both_d; group_q <= group_d;
      a_q <= a_d; w_q <= w_d; as_q <= as_d; ws_q <= ws_d; wz_q <= wz_d;
      acc_q <= acc_d; facc_q <= facc_d; gacc_q <= gacc_d;
      gspec_q <= gspec_d; gsum_q <= gsum_d; gpos_q <= gpos_d;
    end
  end

  // signals some single-mode configurations leave unread
  wire unused_variant = ^{mask, sa_cls, bfp_cls, sa_val, bfp_val, sa_exp, bfp_exp, slot_scale,
                          slot_zero, slot_wscale8, slot_ascale, sa_p_base, a_signed, w_signed, a_x, w_x};
endmodule
