// Baseline PE: INT8 x INT8 multiply-accumulate with one multiplier per lane
// (docs/numerics.md 5.5). This file is the only place in rtl/ that uses `*`.
//
// HOSTED = 0: a complete PE with the same handshake and timing as mpe_pe
//   (an accepted op takes 1 cycle; see rtl/README.md), its own operand
//   registers and int48 accumulators. This is the area baseline.
// HOSTED = 1: only the multiplier array; dot_o is the column sums of the
//   products of in_a_i and in_w_i, and mpe_pe adds them to its own
//   accumulators (the MAC mode of the multi-mode PE).
module mpe_pe_mac #(
  parameter LANES  = 16,
  parameter COLS   = 4,
  parameter HOSTED = 0
) (
  input  wire                  clk_i,
  input  wire                  rst_ni,
  input  wire                  in_valid_i,
  output wire                  in_ready_o,
  input  wire                  a_signed_i,   // int8 (1) or uint8 (0) activations
  input  wire                  w_signed_i,   // int8 (1) or uint8 (0) weights
  input  wire [LANES*8-1:0]    in_a_i,       // lane k at [8k +: 8]
  input  wire [COLS*LANES*8-1:0] in_w_i,     // w[c][k] at [8(c*LANES+k) +: 8]
  input  wire                  in_clear_i,
  output wire                  out_valid_o,
  output wire [COLS*48-1:0]    out_acc_o,    // column c at [48c +: 48]
  output wire [COLS*48-1:0]    dot_o
);
  localparam PW = 18;                           // 9 x 9 bit signed product
  localparam DW = PW + $clog2(LANES);           // column sum

  // operands the multipliers see: registered (stand-alone) or direct (hosted)
  wire                   a_sg, w_sg;
  wire [LANES*8-1:0]     a_op;
  wire [COLS*LANES*8-1:0] w_op;

  genvar c;
  generate
    for (c = 0; c < COLS; c = c + 1) begin : g_col
      reg signed [DW-1:0] sum;
      reg signed [PW-1:0] pa, pw, prod;
      integer j;
      always @* begin
        sum = {DW{1'b0}};
        for (j = 0; j < LANES; j = j + 1) begin
          pa   = {{(PW-8){a_sg & a_op[8*j+7]}}, a_op[8*j +: 8]};
          pw   = {{(PW-8){w_sg & w_op[8*(c*LANES+j)+7]}}, w_op[8*(c*LANES+j) +: 8]};
          prod = pa * pw;  // |a * w| <= 2^16: exact in PW bits
          sum  = sum + {{(DW-PW){prod[PW-1]}}, prod};
        end
      end
      assign dot_o[48*c +: 48] = {{(48-DW){sum[DW-1]}}, sum};
    end
  endgenerate

  generate
    if (HOSTED != 0) begin : g_hosted
      assign a_sg = a_signed_i;
      assign w_sg = w_signed_i;
      assign a_op = in_a_i;
      assign w_op = in_w_i;
      assign in_ready_o  = 1'b1;
      assign out_valid_o = 1'b0;
      assign out_acc_o   = {COLS*48{1'b0}};
      wire unused_hosted = ^{clk_i, rst_ni, in_valid_i, in_clear_i};
    end else begin : g_pe
      reg                     busy_q, done_q, clear_q, a_sg_q, w_sg_q;
      reg [LANES*8-1:0]       a_q;
      reg [COLS*LANES*8-1:0]  w_q;
      reg [COLS*48-1:0]       acc_q;
      reg                     busy_d, done_d, clear_d, a_sg_d, w_sg_d;
      reg [LANES*8-1:0]       a_d;
      reg [COLS*LANES*8-1:0]  w_d;
      reg [COLS*48-1:0]       acc_d;
      integer                 j;

      assign in_ready_o  = 1'b1;  // 1-cycle ops: ready in every cycle
      assign out_valid_o = done_q;
      assign out_acc_o   = acc_q;
      assign a_sg = a_sg_q;
      assign w_sg = w_sg_q;
      assign a_op = a_q;
      assign w_op = w_q;

      always @* begin
        busy_d  = 1'b0;
        done_d  = busy_q;
        clear_d = clear_q;
        a_sg_d  = a_sg_q;
        w_sg_d  = w_sg_q;
        a_d     = a_q;
        w_d     = w_q;
        acc_d   = acc_q;
        // written in every cycle, the increment gated when idle (as in mpe_pe)
        for (j = 0; j < COLS; j = j + 1)
          acc_d[48*j +: 48] = ((busy_q && clear_q) ? 48'd0 : acc_q[48*j +: 48]) +
                              (busy_q ? dot_o[48*j +: 48] : 48'd0);
        if (in_valid_i) begin
          busy_d  = 1'b1;
          clear_d = in_clear_i;
          a_sg_d  = a_signed_i;
          w_sg_d  = w_signed_i;
          a_d     = in_a_i;
          w_d     = in_w_i;
        end
      end

      always @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) begin
          busy_q  <= 1'b0;
          done_q  <= 1'b0;
          clear_q <= 1'b0;
          a_sg_q  <= 1'b0;
          w_sg_q  <= 1'b0;
          a_q     <= {LANES*8{1'b0}};
          w_q     <= {COLS*LANES*8{1'b0}};
          acc_q   <= {COLS*48{1'b0}};
        end else begin
          busy_q  <= busy_d;
          done_q  <= done_d;
          clear_q <= clear_d;
          a_sg_q  <= a_sg_d;
          w_sg_q  <= w_sg_d;
          a_q     <= a_d;
          w_q     <= w_d;
          acc_q   <= acc_d;
        end
      end
    end
  endgenerate
endmodule
