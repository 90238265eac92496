`include "mpe_defs.vh"
// Shift-add mode datapath (docs/numerics.md 5.2). Lane products without a
// multiplier: pow2 weights are one barrel shift (x << (e-1), negated for
// s = 1); intB/uintB weights add x << i for every set bit i (the bit B-1
// term subtracted for intB). The masked lanes (the group closed this cycle,
// or all lanes) are summed per column together with the activation sum S.
//   group = 0: inc_o is the int48 increment.
//   group > 0: p_o/s_o are the exact group sums including the carried
//     partial sums of earlier ops; when the group closes, the column's
//     mpe_sa_dequant turns them into the value for the FP32 accumulator.
module mpe_shiftadd #(
  parameter LANES  = 16,
  parameter COLS   = 4,
  parameter A_W    = 16,
  parameter W_W    = 16,
  parameter P_W    = A_W + 9 + `MPE_PE_MAX_GROUP_LOG2,  // group product sum
  parameter S_W    = A_W + 1 + `MPE_PE_MAX_GROUP_LOG2,  // group activation sum
  parameter VAL_W  = 90,
  parameter EXP_W  = 12
) (
  input  wire                      a_signed_i,
  input  wire [4:0]                a_bits_i,
  input  wire [`MPE_DT_W-1:0]      w_kind_i,
  input  wire [4:0]                w_bits_i,
  input  wire [LANES*A_W-1:0]      a_i,
  input  wire [COLS*LANES*W_W-1:0] w_i,
  input  wire [LANES-1:0]          mask_i,    // lanes summed this cycle
  input  wire [COLS*P_W-1:0]       p_i,       // carried group product sums
  input  wire [S_W-1:0]            s_i,       // carried group activation sum
  input  wire [COLS*16-1:0]        scale_i,   // FP16 scale of the closing group
  input  wire [COLS*16-1:0]        zero_i,    // int16 zero point of the group
  output wire [COLS*48-1:0]        inc_o,
  output wire [COLS*P_W-1:0]       p_o,
  output wire [S_W-1:0]            s_o,
  output wire [COLS*2-1:0]         cls_o,
  output wire [COLS*VAL_W-1:0]     val_o,
  output wire [COLS*EXP_W-1:0]     exp_o
);
  localparam XW  = A_W + 1;                 // signed activation
  localparam PRW = XW + 8;                  // lane product (|q| <= 255)
  localparam LW  = PRW + $clog2(LANES);     // column sum of one op

  wire [LANES*XW-1:0] x;
  genvar k, c;
  generate
    for (k = 0; k < LANES; k = k + 1) begin : g_dec
      mpe_int_dec #(.W(A_W)) u_dec (
        .code_i   (a_i[A_W*k +: A_W]),
        .bits_i   (a_bits_i),
        .signed_i (a_signed_i),
        .val_o    (x[XW*k +: XW])
      );
    end
  endgenerate

  // masked activation sum of this cycle plus the carried sum
  reg signed [S_W-1:0] s_sum;
  integer j;
  always @* begin
    s_sum = s_i;
    for (j = 0; j < LANES; j = j + 1)
      if (mask_i[j]) s_sum = s_sum + {{(S_W-XW){x[XW*j+XW-1]}}, x[XW*j +: XW]};
  end
  assign s_o = s_sum;

  wire is_pow2 = (w_kind_i == `MPE_DT_POW2);
  wire is_int  = (w_kind_i == `MPE_DT_INT);

  generate
    for (c = 0; c < COLS; c = c + 1) begin : g_col
      wire [LANES*PRW-1:0] prod;
      for (k = 0; k < LANES; k = k + 1) begin : g_lane
        wire [W_W-1:0]        q  = w_i[W_W*(c*LANES+k) +: W_W];
        wire signed [PRW-1:0] xe = {{(PRW-XW){x[XW*k+XW-1]}}, x[XW*k +: XW]};
        reg  signed [PRW-1:0] pr;
        integer i;
        always @* begin
          pr = {PRW{1'b0}};
          i  = 0;
          if (is_pow2) begin
            // one barrel shift, then the sign
            if (q[2:0] != 3'd0) pr = xe <<< (q[2:0] - 3'd1);
            if (q[3]) pr = -pr;
          end else begin
            // shift-and-add over the set bits of q
            for (i = 0; i < 8; i = i + 1)
              if (q[i] && (i < w_bits_i)) begin
                if (is_int && (i[4:0] == w_bits_i - 5'd1)) pr = pr - (xe <<< i);
                else                                   pr = pr + (xe <<< i);
              end
          end
        end
        assign prod[PRW*k +: PRW] = pr;
        if (W_W > 8) begin : g_hi
          wire unused_q = ^q[W_W-1:8];
        end
      end

      reg signed [LW-1:0] lsum;
      integer jj;
      always @* begin
        lsum = {LW{1'b0}};
        for (jj = 0; jj < LANES; jj = jj + 1)
          if (mask_i[jj]) lsum = lsum + {{(LW-PRW){prod[PRW*jj+PRW-1]}}, prod[PRW*jj +: PRW]};
      end
      assign inc_o[48*c +: 48] = {{(48-LW){lsum[LW-1]}}, lsum};
      wire signed [P_W-1:0] pfull = p_i[P_W*c +: P_W] + {{(P_W-LW){lsum[LW-1]}}, lsum};
      assign p_o[P_W*c +: P_W] = pfull;

      mpe_sa_dequant #(.P_W(P_W), .S_W(S_W), .VAL_W(VAL_W), .EXP_W(EXP_W)) u_dq (
        .p_i     (pfull),
        .s_i     (s_sum),
        .zero_i  (zero_i[16*c +: 16]),
        .scale_i (scale_i[16*c +: 16]),
        .cls_o   (cls_o[2*c +: 2]),
        .val_o   (val_o[VAL_W*c +: VAL_W]),
        .exp_o   (exp_o[EXP_W*c +: EXP_W])
      );
    end
  endgenerate
endmodule
