// IEEE binary32 addition, round to nearest even, subnormals kept, canonical
// NaN 0x7FC00000, inf - inf = NaN, x + (-x) = +0, (-0) + (-0) = -0
// (docs/numerics.md 4). The operand with the smaller exponent is aligned
// exactly when it overlaps a window of ALIGN bits; further down it only acts
// as a sticky unit, which rounds identically.
module mpe_fp32_add (
  input  wire [31:0] a_i,
  input  wire [31:0] b_i,
  output reg  [31:0] sum_o
);
  localparam ALIGN = 32;
  localparam SUM_W = 24 + ALIGN + 2;  // signed aligned sum

  wire [7:0]  ea = a_i[30:23];
  wire [7:0]  eb = b_i[30:23];
  wire        a_nan  = (ea == 8'hFF) && (a_i[22:0] != 23'd0);
  wire        b_nan  = (eb == 8'hFF) && (b_i[22:0] != 23'd0);
  wire        a_inf  = (ea == 8'hFF) && (a_i[22:0] == 23'd0);
  wire        b_inf  = (eb == 8'hFF) && (b_i[22:0] == 23'd0);
  wire        a_zero = (a_i[30:0] == 31'd0);
  wire        b_zero = (b_i[30:0] == 31'd0);
  // effective biased exponent of the significand's bit 0 (subnormals use 1)
  wire [7:0]  fa = (ea == 8'd0) ? 8'd1 : ea;
  wire [7:0]  fb = (eb == 8'd0) ? 8'd1 : eb;
  wire [23:0] ma = {ea != 8'd0, a_i[22:0]};
  wire [23:0] mb = {eb != 8'd0, b_i[22:0]};
  wire        swap = fb > fa;
  wire [7:0]  ex = swap ? fb : fa;
  wire [7:0]  ey = swap ? fa : fb;
  wire [23:0] mx = swap ? mb : ma;
  wire [23:0] my = swap ? ma : mb;
  wire        sx = swap ? b_i[31] : a_i[31];
  wire        sy = swap ? a_i[31] : b_i[31];
  wire [7:0]  d = ex - ey;
  wire        near = (d <= ALIGN);

  reg signed [SUM_W-1:0] tx, ty, s;
  reg [SUM_W-1:0]        mag;
  reg signed [9:0]       e_lsb;
  wire [31:0]            rounded;

  always @* begin
    if (near) begin
      tx    = $signed({{(SUM_W-24){1'b0}}, mx} << d);
      ty    = $signed({{(SUM_W-24){1'b0}}, my});
      e_lsb = $signed({2'b00, ey}) - 10'sd150;
    end else begin
      tx    = $signed({{(SUM_W-24){1'b0}}, mx} << ALIGN);
      ty    = {{(SUM_W-1){1'b0}}, 1'b1};
      e_lsb = $signed({2'b00, ex}) - 10'sd150 - 10'sd32;
    end
    s   = (sx ? -tx : tx) + (sy ? -ty : ty);
    mag = s[SUM_W-1] ? -s : s;
  end

  mpe_fp32_round #(.MAG_W(SUM_W), .EXP_W(10)) u_round (
    .sign_i (s[SUM_W-1]),
    .mag_i  (mag),
    .exp_i  (e_lsb),
    .f32_o  (rounded)
  );

  always @* begin
    if (a_nan || b_nan || (a_inf && b_inf && (a_i[31] != b_i[31])))
      sum_o = 32'h7FC0_0000;
    else if (a_inf)
      sum_o = a_i;
    else if (b_inf)
      sum_o = b_i;
    else if (a_zero && b_zero)
      sum_o = {a_i[31] & b_i[31], 31'd0};
    else if (a_zero)
      sum_o = b_i;
    else if (b_zero)
      sum_o = a_i;
    else
      sum_o = rounded;
  end
endmodule
