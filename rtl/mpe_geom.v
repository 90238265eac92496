`include "mpe_defs.vh"
// Sizes derived from a configuration (docs/isa.md section 3; C model
// acc_geom_make): log2 of the container widths of A, W and output codes,
// whether the accumulators are FP32, and which block scales the PSP holds.
module mpe_geom (
  input  wire [2:0] mode_i,
  input  wire [4:0] abits_i,
  input  wire [4:0] wbits_i,
  input  wire [9:0] group_i,
  input  wire [3:0] out_i,
  output wire [2:0] lcwa_o,
  output wire [2:0] lcww_o,
  output reg  [2:0] lcwo_o,
  output wire       acc_float_o,
  output wire       sc_bfp_o,    // bfp: A and W block scales
  output wire       sc_sa_o      // grouped shift-add: W scales and zero points
);
  // verilator lint_off UNUSEDPARAM
  `include "mpe_isa.vh"
  // verilator lint_on UNUSEDPARAM

  // log2 of the container: the next power of two that holds `bits`
  function [2:0] lcw;
    input [4:0] bits;
    begin
      if (bits <= 5'd1) lcw = 3'd0;
      else if (bits <= 5'd2) lcw = 3'd1;
      else if (bits <= 5'd4) lcw = 3'd2;
      else if (bits <= 5'd8) lcw = 3'd3;
      else if (bits <= 5'd16) lcw = 3'd4;
      else lcw = 3'd5;
    end
  endfunction

  assign lcwa_o = lcw(abits_i);
  assign lcww_o = lcw(wbits_i);
  // output code widths (cmodel/pe/outstage.c out_table)
  always @* begin
    case (out_i)
      MPE_OUT_INT4, MPE_OUT_UINT4: lcwo_o = 3'd2;
      MPE_OUT_INT8, MPE_OUT_UINT8: lcwo_o = 3'd3;
      MPE_OUT_INT16, MPE_OUT_UINT16, MPE_OUT_FP16, MPE_OUT_BF16: lcwo_o = 3'd4;
      default: lcwo_o = 3'd5;
    endcase
  end
  assign sc_bfp_o    = (mode_i == `MPE_MODE_BFP);
  assign sc_sa_o     = (mode_i == `MPE_MODE_SHIFTADD) && (group_i != 10'd0);
  assign acc_float_o = sc_bfp_o || sc_sa_o;
endmodule
