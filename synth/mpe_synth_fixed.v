`include "mpe_defs.vh"
// Synthesis wrapper of one fixed-precision point (synth/README.md): mpe_pe with
// its configuration inputs tied to the CFG_* constants, as a fixed-precision
// accelerator would build it. The flow (synth/flow.sh) additionally replaces
// the PE's configuration registers, which are only ever loaded with these
// constants, by the constants themselves, so that Yosys prunes the logic of
// every other precision. Only the accumulator the mode writes is an output
// (OUT_INT: int48 accumulators, OUT_FP: FP32 accumulators).
module mpe_synth_fixed #(
  parameter LANES         = 16,
  parameter COLS          = 4,
  parameter A_W           = 8,
  parameter W_W           = 8,
  parameter SLOTS         = 1,
  parameter GACC_W        = 80,
  parameter EN_MAC        = 0,
  parameter EN_LUT        = 0,
  parameter EN_SHIFTADD   = 0,
  parameter EN_BFP        = 0,
  parameter EN_BITSERIAL  = 0,
  parameter LUT_PPC       = 1,
  parameter OUT_INT       = 1,
  parameter OUT_FP        = 0,
  parameter CFG_MODE      = 0,
  parameter CFG_A_KIND    = 0,
  parameter CFG_A_BITS    = 8,
  parameter CFG_A_FMT     = 0,
  parameter CFG_W_KIND    = 0,
  parameter CFG_W_BITS    = 8,
  parameter CFG_W_FMT     = 0,
  parameter CFG_BOTH      = 0,
  parameter CFG_GROUP     = 0,
  parameter CFG_SCALE_FMT = 0
) (
  input  wire                        clk_i,
  input  wire                        rst_ni,
  input  wire                        in_valid_i,
  output wire                        in_ready_o,
  input  wire [LANES*A_W-1:0]        in_a_i,
  input  wire [COLS*LANES*W_W-1:0]   in_w_i,
  input  wire [SLOTS*8-1:0]          in_a_scale_i,
  input  wire [COLS*SLOTS*16-1:0]    in_w_scale_i,
  input  wire [COLS*SLOTS*16-1:0]    in_w_zero_i,
  input  wire                        in_clear_i,
  output wire                        out_valid_o,
  output wire [COLS*48-1:0]          out_acc_o,
  output wire [COLS*32-1:0]          out_facc_o
);
  localparam [`MPE_MODE_W-1:0] MODE  = CFG_MODE;
  localparam [`MPE_DT_W-1:0]   AKIND = CFG_A_KIND;
  localparam [4:0]             ABITS = CFG_A_BITS;
  localparam [`MPE_FMT_W-1:0]  AFMT  = CFG_A_FMT;
  localparam [`MPE_DT_W-1:0]   WKIND = CFG_W_KIND;
  localparam [4:0]             WBITS = CFG_W_BITS;
  localparam [`MPE_FMT_W-1:0]  WFMT  = CFG_W_FMT;
  localparam                   BOTH  = CFG_BOTH;
  localparam [15:0]            GROUP = CFG_GROUP;
  localparam [`MPE_FMT_W-1:0]  SFMT  = CFG_SCALE_FMT;

  wire [COLS*48-1:0] acc;
  wire [COLS*32-1:0] facc;

  mpe_pe #(
    .LANES (LANES), .COLS (COLS), .A_W (A_W), .W_W (W_W), .SLOTS (SLOTS), .GACC_W (GACC_W),
    .EN_MAC (EN_MAC), .EN_LUT (EN_LUT), .EN_SHIFTADD (EN_SHIFTADD), .EN_BFP (EN_BFP),
    .EN_BITSERIAL (EN_BITSERIAL), .LUT_PPC (LUT_PPC)
  ) u_pe (
    .clk_i (clk_i), .rst_ni (rst_ni),
    .cfg_mode_i (MODE), .cfg_a_kind_i (AKIND), .cfg_a_bits_i (ABITS), .cfg_a_fmt_i (AFMT),
    .cfg_w_kind_i (WKIND), .cfg_w_bits_i (WBITS), .cfg_w_fmt_i (WFMT),
    .cfg_both_serial_i (BOTH[0]), .cfg_group_i (GROUP), .cfg_scale_fmt_i (SFMT),
    .in_valid_i (in_valid_i), .in_ready_o (in_ready_o),
    .in_a_i (in_a_i), .in_w_i (in_w_i), .in_a_scale_i (in_a_scale_i),
    .in_w_scale_i (in_w_scale_i), .in_w_zero_i (in_w_zero_i), .in_clear_i (in_clear_i),
    .out_valid_o (out_valid_o), .out_acc_o (acc), .out_facc_o (facc)
  );

  assign out_acc_o  = (OUT_INT != 0) ? acc : {COLS*48{1'b0}};
  assign out_facc_o = (OUT_FP != 0) ? facc : {COLS*32{1'b0}};
endmodule
