// Synthesis wrapper of the baseline (synth/README.md): the stand-alone INT8 x
// INT8 MAC PE mpe_pe_mac (HOSTED=0, one `*` per lane) with both operands fixed
// to int8, as a fixed-precision INT8 accelerator would build it. The flow
// (synth/flow.sh) replaces the PE's signedness registers, which are only ever
// loaded with 1, by the constant, so the multipliers are 8 x 8 signed.
module mpe_synth_mac #(
  parameter LANES = 16,
  parameter COLS  = 4
) (
  input  wire                      clk_i,
  input  wire                      rst_ni,
  input  wire                      in_valid_i,
  output wire                      in_ready_o,
  input  wire [LANES*8-1:0]        in_a_i,
  input  wire [COLS*LANES*8-1:0]   in_w_i,
  input  wire                      in_clear_i,
  output wire                      out_valid_o,
  output wire [COLS*48-1:0]        out_acc_o
);
  wire [COLS*48-1:0] unused_dot;
  mpe_pe_mac #(.LANES (LANES), .COLS (COLS), .HOSTED (0)) u_mac (
    .clk_i (clk_i), .rst_ni (rst_ni),
    .in_valid_i (in_valid_i), .in_ready_o (in_ready_o),
    .a_signed_i (1'b1), .w_signed_i (1'b1),
    .in_a_i (in_a_i), .in_w_i (in_w_i), .in_clear_i (in_clear_i),
    .out_valid_o (out_valid_o), .out_acc_o (out_acc_o), .dot_o (unused_dot)
  );
endmodule
