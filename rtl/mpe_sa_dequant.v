`include "mpe_defs.vh"
// Group dequantization of the shift-add mode (docs/numerics.md 5.2), one
// column: v = P - z * S (z * S by shift-and-add over the 16 bits of z), then
// v times the FP16 scale mantissa (with hidden bit) by shift-and-add; the
// result val_o * 2^exp_o goes to the shared int-to-FP32 + FP32 add unit.
// An inf scale gives a signed inf (v != 0) or NaN (v = 0); a NaN scale NaN.
module mpe_sa_dequant #(
  parameter P_W   = 41,  // exact group product sum
  parameter S_W   = 33,  // exact group activation sum
  parameter VAL_W = 90,
  parameter EXP_W = 12
) (
  input  wire signed [P_W-1:0]   p_i,
  input  wire signed [S_W-1:0]   s_i,
  input  wire [15:0]             zero_i,   // int16 zero point
  input  wire [15:0]             scale_i,  // FP16 scale code
  output reg  [1:0]              cls_o,    // 0 finite, 1 NaN, 2 +inf, 3 -inf
  output wire signed [VAL_W-1:0] val_o,
  output wire signed [EXP_W-1:0] exp_o
);
  localparam ZS_W = S_W + 16;
  localparam V_W  = ((P_W > ZS_W) ? P_W : ZS_W) + 1;
  localparam M_W  = `MPE_FMT_FP16_MBITS + 1;  // mantissa with hidden bit
  localparam E_W  = `MPE_FMT_FP16_EBITS;
  localparam VM_W = V_W + M_W;
  localparam integer EXP_OFS = `MPE_FMT_FP16_BIAS + `MPE_FMT_FP16_MBITS;

  // z * S: one shifted copy of S per set bit of z, the sign bit's copy subtracted
  reg signed [ZS_W-1:0] zs;
  integer i;
  always @* begin
    zs = {ZS_W{1'b0}};
    for (i = 0; i < 16; i = i + 1)
      if (zero_i[i]) begin
        if (i == 15) zs = zs - ({{(ZS_W-S_W){s_i[S_W-1]}}, s_i} <<< i);
        else         zs = zs + ({{(ZS_W-S_W){s_i[S_W-1]}}, s_i} <<< i);
      end
  end
  wire signed [V_W-1:0] v = {{(V_W-P_W){p_i[P_W-1]}}, p_i} - {{(V_W-ZS_W){zs[ZS_W-1]}}, zs};

  // FP16 scale fields
  wire           s_sign = scale_i[15];
  wire [E_W-1:0] s_exp  = scale_i[`MPE_FMT_FP16_MBITS +: E_W];
  wire [M_W-2:0] s_frac = scale_i[M_W-2:0];
  wire           s_sub  = (s_exp == {E_W{1'b0}});
  wire           s_spec = (s_exp == {E_W{1'b1}});
  wire [M_W-1:0] m      = {~s_sub, s_frac};

  // v * m: one shifted copy of v per set mantissa bit
  reg signed [VM_W-1:0] vm;
  always @* begin
    vm = {VM_W{1'b0}};
    for (i = 0; i < M_W; i = i + 1)
      if (m[i]) vm = vm + ({{(VM_W-V_W){v[V_W-1]}}, v} <<< i);
    if (s_sign) vm = -vm;
  end
  assign val_o = {{(VAL_W-VM_W){vm[VM_W-1]}}, vm};

  wire [EXP_W-1:0] e_field = {{(EXP_W-E_W){1'b0}}, s_sub ? {{(E_W-1){1'b0}}, 1'b1} : s_exp};
  localparam [EXP_W-1:0] EXP_OFS_V = EXP_OFS[EXP_W-1:0];
  assign exp_o = $signed(e_field - EXP_OFS_V);

  always @* begin
    if (!s_spec)
      cls_o = 2'd0;
    else if (s_frac != {(M_W-1){1'b0}} || v == {V_W{1'b0}})
      cls_o = 2'd1;
    else
      cls_o = (v[V_W-1] ^ s_sign) ? 2'd3 : 2'd2;
  end
endmodule
