// Rounds (-1)^sign_i * mag_i * 2^exp_i to IEEE binary32: round to nearest
// even, subnormals kept, overflow to infinity, a zero magnitude gives +0 and a
// non-zero value that rounds to zero keeps its sign (docs/numerics.md 2, 4).
// Used by int-to-FP32 conversion and by the FP32 adder after alignment.
module mpe_fp32_round #(
  parameter MAG_W = 64,  // magnitude width (>= 25)
  parameter EXP_W = 12   // signed exponent width (exponent of mag_i bit 0)
) (
  input  wire                    sign_i,
  input  wire [MAG_W-1:0]        mag_i,
  input  wire signed [EXP_W-1:0] exp_i,
  output reg  [31:0]             f32_o
);
  localparam LW = (MAG_W > 1) ? $clog2(MAG_W) : 1;  // leading-one index width
  localparam IW = EXP_W + 3;                        // internal exponent width
  localparam SW = MAG_W + 24;                       // left-shift window
  localparam signed [IW-1:0] LSB_MIN = -149;        // exponent of the FP32 ulp at 0
  localparam signed [IW-1:0] KEEP = 23;             // kept fraction bits
  localparam integer DROP_LIM = MAG_W + 1;
  localparam signed [IW-1:0] DROP_MAX = DROP_LIM[IW-1:0];  // beyond: all sticky

  reg [LW-1:0]        lead;
  reg signed [IW-1:0] exp_s, lead_s, drop, drop_c, lsb;
  reg [SW-1:0]        lsh;
  reg [MAG_W-1:0]     rsh, below;
  reg [24:0]          q;
  reg                 guard, sticky;
  reg [IW+23:0]       bits_w;
  integer             i;
  // only the low 24 bits of a shifted magnitude can be set
  wire                unused_shift = ^{lsh[SW-1:24], rsh[MAG_W-1:24]};

  always @* begin
    // leading one (priority encoder, highest set bit wins)
    lead = {LW{1'b0}};
    for (i = 0; i < MAG_W; i = i + 1)
      if (mag_i[i]) lead = i[LW-1:0];
    exp_s  = {{(IW-EXP_W){exp_i[EXP_W-1]}}, exp_i};
    lead_s = $signed({{(IW-LW){1'b0}}, lead});
    // bits dropped: enough to keep 24 significant bits, and never below 2^-149
    drop = lead_s - KEEP;
    if (LSB_MIN - exp_s > drop) drop = LSB_MIN - exp_s;
    drop_c = (drop > DROP_MAX) ? DROP_MAX : drop;
    lsh    = {SW{1'b0}};
    rsh    = {MAG_W{1'b0}};
    below  = {MAG_W{1'b0}};
    guard  = 1'b0;
    sticky = 1'b0;
    if (drop <= 0) begin
      // exact: shift left into the 24-bit significand
      lsh = {{24{1'b0}}, mag_i} << (-drop);
      q   = {1'b0, lsh[23:0]};
    end else begin
      rsh    = mag_i >> drop_c;
      below  = mag_i & ~({MAG_W{1'b1}} << (drop_c - 1));    // bits under the guard bit
      guard  = |(mag_i & ~({MAG_W{1'b1}} << drop_c) & ~below);
      sticky = |below;
      q      = {1'b0, rsh[23:0]} + {24'd0, guard & (sticky | rsh[0])};
    end
    lsb = exp_s + drop;                     // exponent of q's bit 0, >= -149
    // FP32 bits = ((lsb + 149) << 23) + q: the hidden bit (and a rounding
    // carry into it) increments the exponent field by itself.
    bits_w = {lsb - LSB_MIN, 23'd0} + {{(IW-1){1'b0}}, q};
    if (mag_i == {MAG_W{1'b0}})
      f32_o = 32'h0000_0000;
    else if (bits_w >= {{(IW-8){1'b0}}, 32'h7F80_0000})
      f32_o = {sign_i, 31'h7F80_0000};
    else
      f32_o = {sign_i, bits_w[30:0]};
  end
endmodule
