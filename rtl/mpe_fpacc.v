// The shared "int-to-FP32 + FP32 add" unit of one column: converts the
// closed group/block value val_i * 2^exp_i to FP32 with one RNE rounding
// (int_to_f32, docs/numerics.md 4) and adds it to the FP32 accumulator with a
// second RNE rounding. Special values bypass the conversion.
// Used by shift-add (group dequantization) and BFP (block close).
module mpe_fpacc #(
  parameter VAL_W = 90,
  parameter EXP_W = 12
) (
  input  wire [31:0]             acc_i,
  input  wire [1:0]              cls_i,  // 0 finite, 1 NaN, 2 +inf, 3 -inf
  input  wire signed [VAL_W-1:0] val_i,
  input  wire signed [EXP_W-1:0] exp_i,
  output wire [31:0]             acc_o
);
  wire             neg = val_i[VAL_W-1];
  wire [VAL_W-1:0] mag = neg ? -val_i : val_i;
  wire [31:0]      conv;
  reg  [31:0]      value;

  mpe_fp32_round #(.MAG_W(VAL_W), .EXP_W(EXP_W)) u_round (
    .sign_i (neg),
    .mag_i  (mag),
    .exp_i  (exp_i),
    .f32_o  (conv)
  );

  always @* begin
    case (cls_i)
      2'd1:    value = 32'h7FC0_0000;
      2'd2:    value = 32'h7F80_0000;
      2'd3:    value = 32'hFF80_0000;
      default: value = conv;
    endcase
  end

  mpe_fp32_add u_add (
    .a_i   (acc_i),
    .b_i   (value),
    .sum_o (acc_o)
  );
endmodule
