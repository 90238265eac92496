// IEEE binary32 multiplication, round to nearest even, subnormals kept,
// canonical NaN 0x7FC00000 (NaN operand, inf x 0), signed zero and infinity
// (cmodel/numerics/fp32.c mpe_f32_mul, docs/numerics.md 4). The 48-bit exact product
// of the significands is rounded once by mpe_fp32_round.
module mpe_fp32_mul (
  input  wire [31:0] a_i,
  input  wire [31:0] b_i,
  output reg  [31:0] p_o
);
  wire [7:0]  ea = a_i[30:23];
  wire [7:0]  eb = b_i[30:23];
  wire        a_nan  = (ea == 8'hFF) && (a_i[22:0] != 23'd0);
  wire        b_nan  = (eb == 8'hFF) && (b_i[22:0] != 23'd0);
  wire        a_inf  = (ea == 8'hFF) && (a_i[22:0] == 23'd0);
  wire        b_inf  = (eb == 8'hFF) && (b_i[22:0] == 23'd0);
  wire        a_zero = (a_i[30:0] == 31'd0);
  wire        b_zero = (b_i[30:0] == 31'd0);
  wire        sign   = a_i[31] ^ b_i[31];
  // significand with the hidden bit, and the exponent of its bit 0
  wire [23:0] ma = {ea != 8'd0, a_i[22:0]};
  wire [23:0] mb = {eb != 8'd0, b_i[22:0]};
  wire signed [11:0] xa = (ea == 8'd0) ? -12'sd149 : ($signed({4'd0, ea}) - 12'sd150);
  wire signed [11:0] xb = (eb == 8'd0) ? -12'sd149 : ($signed({4'd0, eb}) - 12'sd150);
  wire [47:0] prod = ma * mb;
  wire [31:0] rounded;

  mpe_fp32_round #(.MAG_W(48), .EXP_W(12)) u_round (
    .sign_i (sign),
    .mag_i  (prod),
    .exp_i  (xa + xb),
    .f32_o  (rounded)
  );

  always @* begin
    if (a_nan || b_nan)
      p_o = 32'h7FC0_0000;
    else if (a_inf || b_inf)
      p_o = (a_zero || b_zero) ? 32'h7FC0_0000 : {sign, 31'h7F80_0000};
    else if (a_zero || b_zero)
      p_o = {sign, 31'd0};
    else
      p_o = rounded;
  end
endmodule
