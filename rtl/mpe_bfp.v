`include "mpe_defs.vh"
// BFP mode datapath (docs/numerics.md 5.3). Per lane: element decode, the
// mantissa product from partial products (AND gates and adders, no
// multiplier), and an alignment shift by the summed exponent offsets into
// the exact block integer D = sum (-1)^(sa^sw) (ma*mw) << (ea+ew). The masked
// lanes (the block closed this cycle, or all lanes) are added per column to
// the carried partial block sum, special-value flags are or-ed. The close
// value goes to the shared int-to-FP32 + FP32 add unit:
//   e8m0 scales: D * 2^(La + Lw + (ca-127) + (cw-127))
//   ue4m3 scales: (D * ma_s * mw_s) * 2^(La + Lw + ea_s + ew_s), the scale
//   mantissa product again from partial products.
// A NaN scale, a NaN element, inf x 0 or +inf with -inf give NaN, otherwise
// an inf product gives that inf.
module mpe_bfp #(
  parameter LANES  = 16,
  parameter COLS   = 4,
  parameter A_W    = 16,
  parameter W_W    = 16,
  parameter GACC_W = 80,
  parameter VAL_W  = 90,
  parameter EXP_W  = 12
) (
  input  wire [`MPE_DT_W-1:0]      a_kind_i,
  input  wire [4:0]                a_bits_i,
  input  wire [`MPE_FMT_W-1:0]     a_fmt_i,
  input  wire [`MPE_DT_W-1:0]      w_kind_i,
  input  wire [4:0]                w_bits_i,
  input  wire [`MPE_FMT_W-1:0]     w_fmt_i,
  input  wire [`MPE_FMT_W-1:0]     scale_fmt_i,
  input  wire [LANES*A_W-1:0]      a_i,
  input  wire [COLS*LANES*W_W-1:0] w_i,
  input  wire [LANES-1:0]          mask_i,
  input  wire [COLS*GACC_W-1:0]    d_i,        // carried block sums
  input  wire [COLS*3-1:0]         spec_i,     // carried flags: 1 NaN, 2 +inf, 4 -inf
  input  wire [7:0]                a_scale_i,  // activation block scale code
  input  wire [COLS*8-1:0]         w_scale_i,  // weight block scale codes
  output wire [COLS*GACC_W-1:0]    d_o,
  output wire [COLS*3-1:0]         spec_o,
  output wire [COLS*2-1:0]         cls_o,
  output wire [COLS*VAL_W-1:0]     val_o,
  output wire [COLS*EXP_W-1:0]     exp_o
);
  // Widest legal lane product: E5M2 x E5M2, 7 * 7 << 58 < 2^64.
  localparam BP_W = 64;

  // ---- exponent of the least significant bit of each operand's format
  localparam integer L_E4M3 = 1 - `MPE_FMT_E4M3_BIAS - `MPE_FMT_E4M3_MBITS;
  localparam integer L_E5M2 = 1 - `MPE_FMT_E5M2_BIAS - `MPE_FMT_E5M2_MBITS;
  localparam integer L_E3M2 = 1 - `MPE_FMT_E3M2_BIAS - `MPE_FMT_E3M2_MBITS;
  localparam integer L_E2M3 = 1 - `MPE_FMT_E2M3_BIAS - `MPE_FMT_E2M3_MBITS;
  localparam integer L_E2M1 = 1 - `MPE_FMT_E2M1_BIAS - `MPE_FMT_E2M1_MBITS;
  function [EXP_W-1:0] lsb_exp;
    input [`MPE_DT_W-1:0]  kind;
    input [4:0]            bits;
    input [`MPE_FMT_W-1:0] fmt;
    begin
      case (fmt)
        `MPE_FMT_E4M3: lsb_exp = L_E4M3[EXP_W-1:0];
        `MPE_FMT_E5M2: lsb_exp = L_E5M2[EXP_W-1:0];
        `MPE_FMT_E3M2: lsb_exp = L_E3M2[EXP_W-1:0];
        `MPE_FMT_E2M3: lsb_exp = L_E2M3[EXP_W-1:0];
        `MPE_FMT_E2M1: lsb_exp = L_E2M1[EXP_W-1:0];
        default:       lsb_exp = {EXP_W{1'b0}};
      endcase
      // bfpint b: value m * 2^-(b-2)
      if (kind == `MPE_DT_BFPINT) lsb_exp = {{(EXP_W-2){1'b0}}, 2'd2} - {{(EXP_W-5){1'b0}}, bits};
    end
  endfunction
  wire [EXP_W-1:0] la = lsb_exp(a_kind_i, a_bits_i, a_fmt_i);
  wire [EXP_W-1:0] lw = lsb_exp(w_kind_i, w_bits_i, w_fmt_i);

  // ---- activation decode (shared by the columns)
  wire [LANES-1:0]   a_sign, a_zero, a_inf, a_nan;
  wire [LANES*8-1:0] a_mant;
  wire [LANES*5-1:0] a_eoff;
  genvar k, c;
  generate
    for (k = 0; k < LANES; k = k + 1) begin : g_adec
      mpe_bfp_dec u_dec (
        .code_i (a_i[A_W*k +: 8]),
        .kind_i (a_kind_i), .bits_i (a_bits_i), .fmt_i (a_fmt_i),
        .sign_o (a_sign[k]), .mant_o (a_mant[8*k +: 8]), .eoff_o (a_eoff[5*k +: 5]),
        .zero_o (a_zero[k]), .inf_o (a_inf[k]), .nan_o (a_nan[k])
      );
      if (A_W > 8) begin : g_hi
        wire unused_a = ^a_i[A_W*k+8 +: A_W-8];
      end
    end
  endgenerate

  // ---- scales of the closing block
  wire sc_ue4m3 = (scale_fmt_i == `MPE_FMT_UE4M3);
  localparam integer UB = `MPE_FMT_UE4M3_BIAS + `MPE_FMT_UE4M3_MBITS;
  localparam integer E8B = 2 * `MPE_FMT_E8M0_BIAS;
  localparam [EXP_W-1:0] UE4M3_OFS = UB[EXP_W-1:0];
  localparam [EXP_W-1:0] E8M0_OFS  = E8B[EXP_W-1:0];
  wire [6:0] ua = a_scale_i[6:0];  // ue4m3: sign bit ignored
  wire [3:0] ua_m = {ua[6:3] != 4'd0, ua[2:0]};
  wire [3:0] ua_e = (ua[6:3] == 4'd0) ? 4'd1 : ua[6:3];
  wire       ua_nan = (ua == 7'h7F);
  wire       ea_nan = (a_scale_i == 8'hFF);

  generate
    for (c = 0; c < COLS; c = c + 1) begin : g_col
      wire [LANES-1:0]      w_sign, w_zero, w_inf, w_nan;
      wire [LANES*8-1:0]    w_mant;
      wire [LANES*5-1:0]    w_eoff;
      wire [LANES*BP_W-1:0] prod;
      wire [LANES-1:0]      l_nan, l_inf, l_neg;
      for (k = 0; k < LANES; k = k + 1) begin : g_lane
        mpe_bfp_dec u_dec (
          .code_i (w_i[W_W*(c*LANES+k) +: 8]),
          .kind_i (w_kind_i), .bits_i (w_bits_i), .fmt_i (w_fmt_i),
          .sign_o (w_sign[k]), .mant_o (w_mant[8*k +: 8]), .eoff_o (w_eoff[5*k +: 5]),
          .zero_o (w_zero[k]), .inf_o (w_inf[k]), .nan_o (w_nan[k])
        );
        if (W_W > 8) begin : g_hi
          wire unused_w = ^w_i[W_W*(c*LANES+k)+8 +: W_W-8];
        end
        // mantissa product: one AND-gated partial product per weight bit
        wire [7:0] ma = a_mant[8*k +: 8];
        wire [7:0] mw = w_mant[8*k +: 8];
        reg  [15:0] pp;
        integer i;
        always @* begin
          pp = 16'd0;
          for (i = 0; i < 8; i = i + 1)
            pp = pp + (({8'd0, ma} & {16{mw[i]}}) << i);
        end
        // alignment: the exponent offsets add, one barrel shift
        wire [5:0] sh = {1'b0, a_eoff[5*k +: 5]} + {1'b0, w_eoff[5*k +: 5]};
        assign prod[BP_W*k +: BP_W] = {{(BP_W-16){1'b0}}, pp} << sh;
        assign l_nan[k] = a_nan[k] | w_nan[k] | (a_inf[k] & w_zero[k]) | (w_inf[k] & a_zero[k]);
        assign l_inf[k] = ~l_nan[k] & (a_inf[k] | w_inf[k]);
        assign l_neg[k] = a_sign[k] ^ w_sign[k];
      end

      // exact block sum and special flags
      reg signed [GACC_W-1:0] d;
      reg [2:0]               sp;
      integer j;
      always @* begin
        d  = d_i[GACC_W*c +: GACC_W];
        sp = spec_i[3*c +: 3];
        for (j = 0; j < LANES; j = j + 1)
          if (mask_i[j]) begin
            if (l_neg[j]) d = d - {{(GACC_W-BP_W){1'b0}}, prod[BP_W*j +: BP_W]};
            else          d = d + {{(GACC_W-BP_W){1'b0}}, prod[BP_W*j +: BP_W]};
            sp = sp | {l_inf[j] & l_neg[j], l_inf[j] & ~l_neg[j], l_nan[j]};
          end
      end
      assign d_o[GACC_W*c +: GACC_W] = d;
      assign spec_o[3*c +: 3] = sp;

      // close value
      wire [7:0] cw  = w_scale_i[8*c +: 8];
      wire [6:0] uw  = cw[6:0];
      wire [3:0] uw_m = {uw[6:3] != 4'd0, uw[2:0]};
      wire [3:0] uw_e = (uw[6:3] == 4'd0) ? 4'd1 : uw[6:3];
      wire       sc_nan = sc_ue4m3 ? (ua_nan | (uw == 7'h7F)) : (ea_nan | (cw == 8'hFF));
      reg  [7:0]              smm;   // ue4m3 mantissa product
      reg  signed [VAL_W-1:0] dv;
      integer b;
      always @* begin
        smm = 8'd0;
        for (b = 0; b < 4; b = b + 1)
          smm = smm + (({4'd0, ua_m} & {8{uw_m[b]}}) << b);
        b = 0;
        if (sc_ue4m3) begin
          dv = {VAL_W{1'b0}};
          for (b = 0; b < 8; b = b + 1)
            if (smm[b]) dv = dv + ({{(VAL_W-GACC_W){d[GACC_W-1]}}, d} <<< b);
        end else begin
          dv = {{(VAL_W-GACC_W){d[GACC_W-1]}}, d};
        end
      end
      assign val_o[VAL_W*c +: VAL_W] = dv;
      assign exp_o[EXP_W*c +: EXP_W] = sc_ue4m3
          ? la + lw + {{(EXP_W-4){1'b0}}, ua_e} + {{(EXP_W-4){1'b0}}, uw_e} - UE4M3_OFS - UE4M3_OFS
          : la + lw + {{(EXP_W-8){1'b0}}, a_scale_i} + {{(EXP_W-8){1'b0}}, cw} - E8M0_OFS;
      assign cls_o[2*c +: 2] = (sc_nan || sp[0] || (sp[1] && sp[2])) ? 2'd1
                             : sp[1] ? 2'd2 : sp[2] ? 2'd3 : 2'd0;
    end
  endgenerate
endmodule
