// Integer operand decode: the low bits_i bits of code_i as a two's
// complement (signed_i) or unsigned value, returned sign-extended to W+1 bits.
// Bits at and above bits_i are ignored (docs/numerics.md 2, intN/uintN).
module mpe_int_dec #(
  parameter W = 16
) (
  input  wire [W-1:0] code_i,
  input  wire [4:0]   bits_i,    // 1..W
  input  wire         signed_i,
  output wire [W:0]   val_o
);
  wire [W-1:0] keep = ~({W{1'b1}} << bits_i);
  wire [W-1:0] low  = code_i & keep;
  wire [W-1:0] top  = code_i >> (bits_i - 5'd1);
  wire         neg  = signed_i && (bits_i != 5'd0) && top[0];
  assign val_o = neg ? {1'b1, low | ~keep} : {1'b0, low};
  wire unused_top = ^top[W-1:1];
endmodule
