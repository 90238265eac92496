// Bit-serial mode datapath (docs/numerics.md 5.4). One activation bit-plane
// per cycle, LSB first: cycle p adds sum_k (bit_p(a_k) ? w_k : 0) << p, which
// is subtracted for the MSB plane of signed activations. Both-serial (Loom):
// plane pair (p, q) adds popcount_k(bit_p(a_k) & bit_q(w_k)) << (p + q),
// negated when exactly one of the two planes is the MSB of a signed operand.
// The output is this cycle's increment of the int48 accumulators.
module mpe_bitserial #(
  parameter LANES = 16,
  parameter COLS  = 4,
  parameter A_W   = 16,
  parameter W_W   = 16
) (
  input  wire                      both_i,     // both operands serial
  input  wire [3:0]                p_i,        // activation plane
  input  wire [3:0]                q_i,        // weight plane (both-serial)
  input  wire                      a_signed_i,
  input  wire [4:0]                a_bits_i,
  input  wire                      w_signed_i,
  input  wire [4:0]                w_bits_i,
  input  wire [LANES*A_W-1:0]      a_i,
  input  wire [COLS*LANES*W_W-1:0] w_i,
  output wire [COLS*48-1:0]        inc_o
);
  localparam VW = W_W + 1;                 // signed weight value
  localparam CW = $clog2(LANES + 1);       // popcount

  // activation bits of plane p
  wire [LANES-1:0] abit;
  genvar k, c;
  generate
    for (k = 0; k < LANES; k = k + 1) begin : g_abit
      wire [A_W-1:0] sh = a_i[A_W*k +: A_W] >> p_i;
      assign abit[k] = sh[0];
      wire unused_sh = ^sh[A_W-1:1];
    end
  endgenerate

  wire a_msb = a_signed_i && ({1'b0, p_i} == a_bits_i - 5'd1);
  wire w_msb = w_signed_i && ({1'b0, q_i} == w_bits_i - 5'd1);

  generate
    for (c = 0; c < COLS; c = c + 1) begin : g_col
      wire [LANES*VW-1:0] wv;
      wire [LANES-1:0]    wbit;
      for (k = 0; k < LANES; k = k + 1) begin : g_w
        mpe_int_dec #(.W(W_W)) u_dec (
          .code_i   (w_i[W_W*(c*LANES+k) +: W_W]),
          .bits_i   (w_bits_i),
          .signed_i (w_signed_i),
          .val_o    (wv[VW*k +: VW])
        );
        wire [W_W-1:0] wsh = w_i[W_W*(c*LANES+k) +: W_W] >> q_i;
        assign wbit[k] = wsh[0];
        wire unused_wsh = ^wsh[W_W-1:1];
      end
      reg [47:0]   sum, term;
      reg [CW-1:0] cnt;
      integer j;
      always @* begin
        sum = 48'd0;
        cnt = {CW{1'b0}};
        for (j = 0; j < LANES; j = j + 1) begin
          // AND gate per weight bit, then the adder tree
          sum = sum + ({{(48-VW){wv[VW*j+VW-1]}}, wv[VW*j +: VW]} & {48{abit[j]}});
          cnt = cnt + {{(CW-1){1'b0}}, abit[j] & wbit[j]};
        end
        if (both_i) begin
          term = {{(48-CW){1'b0}}, cnt} << ({1'b0, p_i} + {1'b0, q_i});
          if (a_msb ^ w_msb) term = -term;
        end else begin
          term = sum << p_i;
          if (a_msb) term = -term;
        end
      end
      assign inc_o[48*c +: 48] = term;
    end
  endgenerate
endmodule
