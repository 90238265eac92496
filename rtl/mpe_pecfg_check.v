`include "mpe_defs.vh"
// The cfgpe legality check (docs/isa.md section 4, `pecfg`): the element
// kinds, bits and formats of cmodel/accel/accel_ctrl.c dt_from_fields, then
// mpe_pe_cfg_check (cmodel/pe/pe.c) for LANES lanes. Constants from the
// generated mpe_defs.vh.
module mpe_pecfg_check #(
  parameter LANES = 16
) (
  input  wire [2:0] mode_i,
  input  wire [2:0] akind_i,
  input  wire [4:0] abits_i,
  input  wire [3:0] afmt_i,
  input  wire [2:0] wkind_i,
  input  wire [4:0] wbits_i,
  input  wire [3:0] wfmt_i,
  input  wire       bserial_i,
  input  wire [9:0] group_i,
  input  wire [3:0] sfmt_i,
  output wire       ok_o
);
  localparam [15:0] K16 = LANES;

  // bits of an FP format (formats.def)
  function [5:0] fmt_bits;
    input [3:0] f;
    begin
      case (f)
        `MPE_FMT_FP32:  fmt_bits = `MPE_FMT_FP32_BITS;
        `MPE_FMT_FP16:  fmt_bits = `MPE_FMT_FP16_BITS;
        `MPE_FMT_BF16:  fmt_bits = `MPE_FMT_BF16_BITS;
        `MPE_FMT_E4M3:  fmt_bits = `MPE_FMT_E4M3_BITS;
        `MPE_FMT_E5M2:  fmt_bits = `MPE_FMT_E5M2_BITS;
        `MPE_FMT_E3M2:  fmt_bits = `MPE_FMT_E3M2_BITS;
        `MPE_FMT_E2M3:  fmt_bits = `MPE_FMT_E2M3_BITS;
        `MPE_FMT_E2M1:  fmt_bits = `MPE_FMT_E2M1_BITS;
        `MPE_FMT_E8M0:  fmt_bits = `MPE_FMT_E8M0_BITS;
        `MPE_FMT_UE4M3: fmt_bits = `MPE_FMT_UE4M3_BITS;
        default:        fmt_bits = 6'd0;   // unknown format
      endcase
    end
  endfunction

  // a well-formed element type (kind, bits, format)
  function dt_ok;
    input [2:0] kind;
    input [4:0] bits;
    input [3:0] fmt;
    begin
      case (kind)
        `MPE_DT_INT, `MPE_DT_UINT: dt_ok = (bits >= 5'd1) && (bits <= 5'd16);
        `MPE_DT_BINARY:  dt_ok = (bits == 5'd1);
        `MPE_DT_TERNARY: dt_ok = (bits == 5'd2);
        `MPE_DT_POW2:    dt_ok = (bits == 5'd4);
        `MPE_DT_BFPINT:  dt_ok = (bits >= 5'd4) && (bits <= 5'd8);
        `MPE_DT_FP:      dt_ok = (fmt_bits(fmt) != 6'd0) && (fmt_bits(fmt) == {1'b0, bits});
        default:         dt_ok = 1'b0;
      endcase
    end
  endfunction

  function is_int;
    input [2:0] kind;
    input [4:0] bits;
    input [4:0] lo;
    input [4:0] hi;
    begin
      is_int = ((kind == `MPE_DT_INT) || (kind == `MPE_DT_UINT)) && (bits >= lo) && (bits <= hi);
    end
  endfunction

  function bfp_elem;
    input [2:0] kind;
    input [3:0] fmt;
    begin
      bfp_elem = (kind == `MPE_DT_BFPINT) ||
                 ((kind == `MPE_DT_FP) && ((fmt == `MPE_FMT_E4M3) || (fmt == `MPE_FMT_E5M2) ||
                  (fmt == `MPE_FMT_E3M2) || (fmt == `MPE_FMT_E2M3) || (fmt == `MPE_FMT_E2M1)));
    end
  endfunction

  reg a_ok, w_ok, ok;
  always @* begin
    case (mode_i)
      `MPE_MODE_MAC: a_ok = is_int(akind_i, abits_i, 5'd8, 5'd8);
      `MPE_MODE_BFP: a_ok = bfp_elem(akind_i, afmt_i);
      default:       a_ok = is_int(akind_i, abits_i, 5'd1, 5'd16);
    endcase
    case (mode_i)
      `MPE_MODE_MAC: w_ok = is_int(wkind_i, wbits_i, 5'd8, 5'd8);
      `MPE_MODE_LUT: w_ok = is_int(wkind_i, wbits_i, 5'd1, 5'd4) ||
                            (wkind_i == `MPE_DT_BINARY) || (wkind_i == `MPE_DT_TERNARY);
      `MPE_MODE_SHIFTADD: w_ok = is_int(wkind_i, wbits_i, 5'd2, 5'd8) || (wkind_i == `MPE_DT_POW2);
      `MPE_MODE_BFP: w_ok = bfp_elem(wkind_i, wfmt_i);
      default:       w_ok = is_int(wkind_i, wbits_i, 5'd1, 5'd16);
    endcase
    ok = 1'b1;
    if (mode_i > `MPE_MODE_BITSERIAL) ok = 1'b0;
    else if (!dt_ok(akind_i, abits_i, afmt_i) || !dt_ok(wkind_i, wbits_i, wfmt_i)) ok = 1'b0;
    else if (!a_ok || !w_ok) ok = 1'b0;
    else if (bserial_i && mode_i != `MPE_MODE_BITSERIAL) ok = 1'b0;
    else if (group_i != 10'd0 && mode_i != `MPE_MODE_SHIFTADD && mode_i != `MPE_MODE_BFP) ok = 1'b0;
    else if (mode_i == `MPE_MODE_BFP && sfmt_i != `MPE_FMT_E8M0 && sfmt_i != `MPE_FMT_UE4M3) ok = 1'b0;
    else if (mode_i == `MPE_MODE_SHIFTADD && group_i != 10'd0 && sfmt_i != `MPE_FMT_FP16) ok = 1'b0;
    else if (mode_i == `MPE_MODE_BFP && group_i == 10'd0) ok = 1'b0;
    // (group > MPE_PE_MAX_GROUP cannot happen: the field has 10 bits)
    else if (group_i != 10'd0 && (K16 % {6'd0, group_i}) != 16'd0 && ({6'd0, group_i} % K16) != 16'd0)
      ok = 1'b0;
  end
  assign ok_o = ok;
endmodule
