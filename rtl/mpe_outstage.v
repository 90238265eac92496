// The output stage of one column (docs/numerics.md section 6, bit-exact to
// cmodel/pe/outstage.c and cmodel/numerics/requant.c): bias, requantization (none,
// float: one exact product rounded once, dyadic: gemmlowp SRDHM + RDBPOT),
// ReLU/clamp and the output format. Combinational: the output unit drains
// one PE row of C outputs per cycle through C instances.
module mpe_outstage (
  // layer configuration (cfgout)
  input  wire        acc_float_i,  // FP32 accumulator (bfp, grouped shift-add)
  input  wire [1:0]  rq_i,
  input  wire [3:0]  out_i,
  input  wire        bias_en_i,
  input  wire        relu_i,
  input  wire [31:0] lo_i,
  input  wire [31:0] hi_i,
  // per-column record (PSP)
  input  wire [31:0] bias_i,
  input  wire [31:0] mult_i,
  input  wire [7:0]  shift_i,
  input  wire [31:0] zp_i,
  // accumulators
  input  wire [47:0] acc_i,
  input  wire [31:0] facc_i,
  output reg  [31:0] code_o
);
  // the generated ISA table: each module uses a subset of its constants
  // verilator lint_off UNUSEDPARAM
  `include "mpe_isa.vh"
  // verilator lint_on UNUSEDPARAM
  localparam [1:0] RQ_FLOAT  = MPE_RQ_FLOAT;
  localparam [1:0] RQ_DYADIC = MPE_RQ_DYADIC;
  localparam signed [63:0] I32_MIN = -64'sd2147483648;
  localparam signed [63:0] I32_MAX = 64'sd2147483647;

  // ---- output format properties (cmodel/pe/outstage.c out_table)
  reg        o_float, o_signed;
  reg [5:0]  o_bits;
  always @* begin
    o_float  = 1'b0;
    o_signed = 1'b1;
    o_bits   = 6'd32;
    case (out_i)
      MPE_OUT_INT4:   o_bits = 6'd4;
      MPE_OUT_UINT4:  begin o_bits = 6'd4;  o_signed = 1'b0; end
      MPE_OUT_INT8:   o_bits = 6'd8;
      MPE_OUT_UINT8:  begin o_bits = 6'd8;  o_signed = 1'b0; end
      MPE_OUT_INT16:  o_bits = 6'd16;
      MPE_OUT_UINT16: begin o_bits = 6'd16; o_signed = 1'b0; end
      MPE_OUT_INT32:  o_bits = 6'd32;
      MPE_OUT_FP16:   begin o_bits = 6'd16; o_float = 1'b1; end
      MPE_OUT_BF16:   begin o_bits = 6'd16; o_float = 1'b1; end
      default:        begin o_bits = 6'd32; o_float = 1'b1; end
    endcase
  end

  // ---- integer accumulator: bias with 48-bit wrap
  wire [47:0]        vi48 = acc_i + (bias_en_i ? {{16{bias_i[31]}}, bias_i} : 48'd0);
  wire signed [63:0] vi   = {{16{vi48[47]}}, vi48};

  // ---- FP32 units
  wire [31:0] i2f, fbias, fmul_in, fmul;
  mpe_fp32_round #(.MAG_W(48), .EXP_W(12)) u_i2f (
    .sign_i (vi48[47]),
    .mag_i  (vi48[47] ? (~vi48 + 48'd1) : vi48),
    .exp_i  (12'sd0),
    .f32_o  (i2f)
  );
  mpe_fp32_add u_fbias (
    .a_i   (facc_i),
    .b_i   (bias_i),
    .sum_o (fbias)
  );
  wire [31:0] fpre = acc_float_i ? (bias_en_i ? fbias : facc_i) : i2f;
  assign fmul_in = fpre;
  mpe_fp32_mul u_fmul (
    .a_i (fmul_in),
    .b_i (mult_i),
    .p_o (fmul)
  );
  wire [31:0] fval = (rq_i == RQ_FLOAT) ? fmul : fpre;

  // ---- float outputs: NaN canonical, ReLU, FP32 / FP16 / BF16 by RNE
  wire        f_nan  = (fval[30:0] > 31'h7F80_0000);
  wire [31:0] fr     = f_nan ? 32'h7FC0_0000 : ((relu_i && fval[31]) ? 32'd0 : fval);
  wire [31:0] bf_sum = fr + 32'h0000_7FFF + {31'd0, fr[16]};
  wire [15:0] bf16   = f_nan ? 16'h7FC0 : bf_sum[31:16];
  reg  [15:0] f16;
  reg  [24:0] f16_q;
  reg  [23:0] f16_m;
  reg  [23:0] f16_rem, f16_half;
  reg  [5:0]  f16_sh;
  reg  [19:0] f16_mag;
  reg signed [9:0] f16_e;
  wire signed [9:0] f16_k = $signed({2'b00, fr[30:23]}) - 10'sd127;
  always @* begin
    f16_m    = {1'b1, fr[22:0]};
    f16_sh   = 6'd0;
    f16_q    = 25'd0;
    f16_rem  = 24'd0;
    f16_half = 24'd0;
    f16_mag  = 20'd0;
    f16_e    = 10'sd0;
    if (f_nan) begin
      f16 = 16'h7E00;
    end else if (fr[30:23] == 8'hFF) begin
      f16 = {fr[31], 15'h7C00};
    end else if (fr[30:23] == 8'd0) begin
      f16 = {fr[31], 15'd0};                  // below 2^-126: rounds to zero
    end else begin
      // kept lsb exponent max(k - 10, -24); shift = lsb - (k - 23)
      if (f16_k >= -10'sd14) f16_sh = 6'd13;
      else if (f16_k < -10'sd26) f16_sh = 6'd40;
      else f16_sh = f16_shw[5:0];
      if (f16_sh >= 6'd25) begin
        f16_q = 25'd0;
      end else begin
        f16_q    = {1'b0, f16_m >> f16_sh};
        f16_rem  = f16_m & ~(24'hFF_FFFF << f16_sh);
        f16_half = 24'd1 << (f16_sh - 6'd1);
        if ((f16_rem > f16_half) || ((f16_rem == f16_half) && f16_q[0]))
          f16_q = f16_q + 25'd1;
      end
      f16_e = f16_k + 10'sd14;
      if (f16_k >= -10'sd14)
        f16_mag = {f16_e, 10'd0} + {8'd0, f16_q[11:0]};
      else
        f16_mag = {4'd0, f16_q[15:0]};
      f16 = (f16_mag >= 20'h07C00) ? {fr[31], 15'h7C00} : {fr[31], f16_mag[14:0]};
    end
  end
  // below the normal range (k in -26..-15) the shift is 13 + (-14 - k)
  wire signed [9:0] f16_shw = -10'sd1 - f16_k;

  // ---- integer outputs
  // bounds: the format range intersected with [lo, hi] (lo > hi pins to lo)
  reg signed [63:0] qmin, qmax, blo, bhi;
  always @* begin
    if (o_signed) begin
      qmin = -(64'sd1 <<< (o_bits - 6'd1));
      qmax = (64'sd1 <<< (o_bits - 6'd1)) - 64'sd1;
    end else begin
      qmin = 64'sd0;
      qmax = (64'sd1 <<< o_bits) - 64'sd1;
    end
    blo = ($signed({{32{lo_i[31]}}, lo_i}) > qmin) ? $signed({{32{lo_i[31]}}, lo_i}) : qmin;
    bhi = ($signed({{32{hi_i[31]}}, hi_i}) < qmax) ? $signed({{32{hi_i[31]}}, hi_i}) : qmax;
    if (blo > bhi) bhi = blo;
  end

  // float requantization of the integer accumulator, FP32 -> integer
  wire        m_special = (mult_i[30:23] == 8'hFF);
  wire        m_inf     = m_special && (mult_i[22:0] == 23'd0);
  wire [23:0] m_mant    = {mult_i[30:23] != 8'd0, mult_i[22:0]};
  wire signed [9:0] m_exp = (mult_i[30:23] == 8'd0) ? -10'sd149 :
                            ($signed({2'b00, mult_i[30:23]}) - 10'sd150);
  wire signed [71:0] vi72   = {{8{vi[63]}}, vi};
  wire signed [71:0] prod_i = (mult_i[31] ? -vi72 : vi72) * $signed({47'd0, m_mant});
  wire signed [63:0] r_float_i;
  mpe_rq_round #(.V_W(72)) u_rq_i (
    .v_i   (prod_i),
    .exp_i (m_exp),
    .r_o   (r_float_i)
  );
  localparam signed [63:0] BIG = 64'sd1 <<< 62;
  // FP32 value (after bias and multiplier) to an integer, RNE
  wire        x_special = (fval[30:23] == 8'hFF);
  wire        x_inf     = x_special && (fval[22:0] == 23'd0);
  wire [23:0] x_mant    = {fval[30:23] != 8'd0, fval[22:0]};
  wire signed [9:0] x_exp = (fval[30:23] == 8'd0) ? -10'sd149 :
                            ($signed({2'b00, fval[30:23]}) - 10'sd150);
  wire signed [71:0] prod_f = fval[31] ? -$signed({48'd0, x_mant}) : $signed({48'd0, x_mant});
  wire signed [63:0] r_float_f;
  mpe_rq_round #(.V_W(72)) u_rq_f (
    .v_i   (prod_f),
    .exp_i (x_exp),
    .r_o   (r_float_f)
  );

  // dyadic: saturate to int32, pre-shift left, SRDHM, RDBPOT
  reg signed [63:0] dx, dprod, dn, dq, drem, dthr, dmask;
  reg signed [7:0]  dsh;
  reg signed [63:0] r;
  always @* begin
    dsh = $signed(shift_i);
    if (dsh < -8'sd31) dsh = -8'sd31;
    if (dsh > 8'sd31) dsh = 8'sd31;
    dx = (vi < I32_MIN) ? I32_MIN : ((vi > I32_MAX) ? I32_MAX : vi);
    if (dsh < 8'sd0) begin
      dx = dx <<< (-dsh);
      dx = (dx < I32_MIN) ? I32_MIN : ((dx > I32_MAX) ? I32_MAX : dx);
    end
    dprod = dx * $signed({{32{mult_i[31]}}, mult_i});
    dn    = dprod + ((dprod >= 64'sd0) ? 64'sd1073741824 : (64'sd1 - 64'sd1073741824));
    // C division truncates toward zero
    dq    = dn >>> 31;
    if (dn < 64'sd0 && (dn[30:0] != 31'd0)) dq = dq + 64'sd1;
    if (dx == I32_MIN && mult_i == 32'h8000_0000) dq = I32_MAX;
    dmask = 64'sd0;
    drem  = 64'sd0;
    dthr  = 64'sd0;
    if (dsh > 8'sd0) begin
      dmask = (64'sd1 <<< dsh) - 64'sd1;
      drem  = dq & dmask;
      dthr  = (dmask >>> 1) + ((dq < 64'sd0) ? 64'sd1 : 64'sd0);
      dq    = (dq >>> dsh) + ((drem > dthr) ? 64'sd1 : 64'sd0);
    end
    // r before the zero point
    if (acc_float_i) begin
      if (!x_special) r = r_float_f;
      else if (x_inf) r = fval[31] ? -BIG : BIG;
      else r = 64'sd0;
    end else begin
      case (rq_i)
        RQ_FLOAT: begin
          if (!m_special) r = r_float_i;
          else if (m_inf && vi != 64'sd0) r = ((vi < 64'sd0) != mult_i[31]) ? -BIG : BIG;
          else r = 64'sd0;
        end
        RQ_DYADIC: r = dq;
        default:   r = vi;
      endcase
    end
  end
  wire signed [63:0] y   = r + {{32{zp_i[31]}}, zp_i};
  wire signed [63:0] yc  = (y < blo) ? blo : ((y > bhi) ? bhi : y);

  wire unused_bits = ^{bf_sum[15:0], yc[63:32], f16_shw[9:6]};

  always @* begin
    if (o_float)
      code_o = (out_i == MPE_OUT_FP16) ? {16'd0, f16} :
               (out_i == MPE_OUT_BF16) ? {16'd0, bf16} : fr;
    else if (o_bits == 6'd32)
      code_o = yc[31:0];
    else
      code_o = yc[31:0] & ~(32'hFFFF_FFFF << o_bits);
  end
endmodule
