// Round to nearest even of v_i * 2^exp_i for a signed integer v_i, clipped to
// [-2^62, 2^62] (beyond every output range, with room for + zp): the exact
// product rounding of the output stage (cmodel/numerics/requant.c round_exact with
// mpe_round_scaled, docs/numerics.md section 6). exp_i >= 40 with a non-zero
// v_i saturates by the sign.
module mpe_rq_round #(
  parameter V_W = 72
) (
  input  wire signed [V_W-1:0] v_i,
  input  wire signed [9:0]     exp_i,
  output reg  signed [63:0]    r_o
);
  localparam SH_MAX = V_W + 1;               // larger right shifts all give 0
  localparam LW     = V_W + 40;              // left-shift window (exp < 40)
  localparam integer SH_MAX_I = SH_MAX;
  localparam [LW-1:0] BIG_L = {{(LW-63){1'b0}}, 1'b1, 62'd0};
  localparam [V_W+1:0] BIG_Q = {{(V_W-61){1'b0}}, 1'b1, 62'd0};

  reg [V_W-1:0]   mag;
  reg [V_W+1:0]   qq, rem, half, mask;
  reg [LW-1:0]    wide;
  reg [9:0]       sh;
  reg [63:0]      m64;
  reg             up;

  always @* begin
    mag  = v_i[V_W-1] ? (~v_i + 1'b1) : v_i;
    qq   = {(V_W+2){1'b0}};
    rem  = {(V_W+2){1'b0}};
    half = {(V_W+2){1'b0}};
    mask = {(V_W+2){1'b0}};
    wide = {LW{1'b0}};
    sh   = 10'd0;
    up   = 1'b0;
    m64  = 64'd0;
    if (mag == {V_W{1'b0}}) begin
      m64 = 64'd0;
    end else if (exp_i >= 10'sd40) begin
      m64 = BIG_L[63:0];
    end else if (exp_i >= 10'sd0) begin
      wide = {{40{1'b0}}, mag} << exp_i[5:0];
      m64  = (wide > BIG_L) ? BIG_L[63:0] : wide[63:0];
    end else begin
      sh = -exp_i;
      if (sh > SH_MAX_I[9:0]) sh = SH_MAX_I[9:0];
      qq   = {2'b00, mag} >> sh;
      mask = ~({(V_W+2){1'b1}} << sh);
      rem  = {2'b00, mag} & mask;
      half = {{(V_W+1){1'b0}}, 1'b1} << (sh - 10'd1);
      up   = (rem > half) || ((rem == half) && qq[0]);
      qq   = qq + {{(V_W+1){1'b0}}, up};
      m64  = (qq > BIG_Q) ? BIG_L[63:0] : qq[63:0];
    end
    r_o = v_i[V_W-1] ? -$signed(m64) : $signed(m64);
  end
endmodule
