`include "mpe_defs.vh"
// BFP-mode element decode (docs/numerics.md 5.3): a code of an FP element
// format or a bfpint mantissa becomes sign, integer mantissa and exponent
// offset relative to the format's least significant bit L, so that the
// element is (-1)^sign * mant * 2^(L + eoff). Format fields come from
// mpe_defs.vh (generated from formats.def).
module mpe_bfp_dec (
  input  wire [7:0]             code_i,
  input  wire [`MPE_DT_W-1:0]   kind_i,   // MPE_DT_FP or MPE_DT_BFPINT
  input  wire [4:0]             bits_i,   // bfpint width (4..8)
  input  wire [`MPE_FMT_W-1:0]  fmt_i,
  output wire                   sign_o,
  output wire [7:0]             mant_o,
  output wire [4:0]             eoff_o,
  output wire                   zero_o,
  output wire                   inf_o,
  output wire                   nan_o
);
  // format fields (element formats only; anything else decodes as zero)
  reg [2:0] eb, mb;
  reg       ieee, e4m3, known;
  always @* begin
    eb = 3'd0; mb = 3'd0; ieee = 1'b0; e4m3 = 1'b0; known = 1'b1;
    case (fmt_i)
      `MPE_FMT_E4M3: begin eb = `MPE_FMT_E4M3_EBITS; mb = `MPE_FMT_E4M3_MBITS;
                           e4m3 = (`MPE_FMT_E4M3_SPECIAL == `MPE_SPECIAL_E4M3);
                           ieee = (`MPE_FMT_E4M3_SPECIAL == `MPE_SPECIAL_IEEE); end
      `MPE_FMT_E5M2: begin eb = `MPE_FMT_E5M2_EBITS; mb = `MPE_FMT_E5M2_MBITS;
                           e4m3 = (`MPE_FMT_E5M2_SPECIAL == `MPE_SPECIAL_E4M3);
                           ieee = (`MPE_FMT_E5M2_SPECIAL == `MPE_SPECIAL_IEEE); end
      `MPE_FMT_E3M2: begin eb = `MPE_FMT_E3M2_EBITS; mb = `MPE_FMT_E3M2_MBITS;
                           e4m3 = (`MPE_FMT_E3M2_SPECIAL == `MPE_SPECIAL_E4M3);
                           ieee = (`MPE_FMT_E3M2_SPECIAL == `MPE_SPECIAL_IEEE); end
      `MPE_FMT_E2M3: begin eb = `MPE_FMT_E2M3_EBITS; mb = `MPE_FMT_E2M3_MBITS;
                           e4m3 = (`MPE_FMT_E2M3_SPECIAL == `MPE_SPECIAL_E4M3);
                           ieee = (`MPE_FMT_E2M3_SPECIAL == `MPE_SPECIAL_IEEE); end
      `MPE_FMT_E2M1: begin eb = `MPE_FMT_E2M1_EBITS; mb = `MPE_FMT_E2M1_MBITS;
                           e4m3 = (`MPE_FMT_E2M1_SPECIAL == `MPE_SPECIAL_E4M3);
                           ieee = (`MPE_FMT_E2M1_SPECIAL == `MPE_SPECIAL_IEEE); end
      default:       known = 1'b0;
    endcase
  end

  // floating-point element
  wire [7:0] emask  = ~(8'hFF << eb);
  wire [7:0] mmask  = ~(8'hFF << mb);
  wire [7:0] e      = (code_i >> mb) & emask;
  wire [7:0] f      = code_i & mmask;
  wire [7:0] sh     = code_i >> ({1'b0, eb} + {1'b0, mb});
  wire       f_nan  = (ieee && e == emask && f != 8'd0) ||
                      (e4m3 && e == emask && f == mmask);
  wire       f_inf  = ieee && e == emask && f == 8'd0;
  wire [7:0] f_mant = (e == 8'd0) ? f : (f | (8'd1 << mb));
  wire [7:0] f_eoff = (e == 8'd0) ? 8'd0 : e - 8'd1;

  // bfpint: two's complement of bits_i bits
  wire [7:0] keep   = ~(8'hFF << bits_i);
  wire [7:0] low    = code_i & keep;
  wire [7:0] top    = code_i >> (bits_i - 5'd1);
  wire       i_neg  = top[0];
  wire [7:0] i_mag  = i_neg ? (~(low | ~keep) + 8'd1) : low;

  wire is_int = (kind_i == `MPE_DT_BFPINT);
  wire is_fp  = (kind_i == `MPE_DT_FP) && known;
  assign sign_o = is_int ? i_neg : (is_fp & sh[0]);
  assign nan_o  = is_fp & f_nan;
  assign inf_o  = is_fp & f_inf;
  assign mant_o = is_int ? i_mag : ((is_fp && !f_nan && !f_inf) ? f_mant : 8'd0);
  assign eoff_o = (is_fp && !f_nan && !f_inf) ? f_eoff[4:0] : 5'd0;
  assign zero_o = !nan_o && !inf_o && (mant_o == 8'd0);
  wire unused_dec = ^{sh[7:1], top[7:1], f_eoff[7:5]};
endmodule
