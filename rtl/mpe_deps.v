// The dependency flags (pop_prev, pop_next, push_prev, push_next) of a
// queued instruction, each read from its own instruction's field (mpe_isa.vh).
module mpe_deps (
  input  wire [127:0] insn_i,
  output reg  [3:0]   deps_o
);
  // verilator lint_off UNUSEDPARAM
  `include "mpe_isa.vh"
  // verilator lint_on UNUSEDPARAM
  wire unused_insn = ^insn_i;
  always @* begin
    case (insn_i[MPE_OP_LSB +: MPE_OP_W])
      MPE_OP_LOAD:    deps_o = insn_i[MPE_F_LOAD_DEPS_LSB +: MPE_F_LOAD_DEPS_W];
      MPE_OP_STORE:   deps_o = insn_i[MPE_F_STORE_DEPS_LSB +: MPE_F_STORE_DEPS_W];
      MPE_OP_CFGPE:   deps_o = insn_i[MPE_F_CFGPE_DEPS_LSB +: MPE_F_CFGPE_DEPS_W];
      MPE_OP_CFGOUT:  deps_o = insn_i[MPE_F_CFGOUT_DEPS_LSB +: MPE_F_CFGOUT_DEPS_W];
      MPE_OP_CFGGEMM: deps_o = insn_i[MPE_F_CFGGEMM_DEPS_LSB +: MPE_F_CFGGEMM_DEPS_W];
      MPE_OP_MATMUL:  deps_o = insn_i[MPE_F_MATMUL_DEPS_LSB +: MPE_F_MATMUL_DEPS_W];
      default:        deps_o = 4'd0;
    endcase
  end
endmodule
