#!/usr/bin/env bash
# Quick synthesis checks (synth/README.md), well under a minute:
#  * the flow synthesizes a small LUT W2A8 PE (LANES=4, COLS=2) and the
#    baseline at the same size to cells, and the report lists them with a
#    density relative to the baseline;
#  * no latch after proc (or in the mapped netlist) and no multiplier ($mul,
#    or a $macc with a product) in any non-baseline mode: one fixed point per
#    mode and the run-time four-mode PE;
#  * the baseline does contain multipliers (so the check can fail);
#  * each result records the ABC conflict limit of the flow, and the report
#    lists ratios between designs mapped with different limits;
#  * memories of at least SRAM=N words are kept as SRAM macros (counted in
#    macros and bits, left out of the gate area, also by the per-file
#    breakdown), smaller ones become gates;
#  * the per-file breakdown gives the cells to their own files;
#  * bad design lists give a one-line error and a non-zero exit.
# Prints one line per check and ends with "P passed, F failed".
# With MPE_SAN=1 (sanitizer runs) there is nothing to sanitize: skipped.
SUITE_NO_MPE=1
. "$(dirname "$0")/../suite_lib.sh"
if [ "${MPE_SAN:-0}" = 1 ]; then
    skip_suite "synth_quick: skipped with MPE_SAN=1 (no C code involved)"
fi
finish() { suite_end; }
command -v yosys >/dev/null 2>&1 || { bad "yosys is installed (make deps)"; finish; }

list=$tmp/designs.txt
cat >"$list" <<'EOF'
design q_lut_w2a8  fixed LANES=4 COLS=2 A_W=8 W_W=2 EN_LUT=1 CFG_MODE=LUT CFG_A_KIND=INT CFG_A_BITS=8 CFG_W_KIND=INT CFG_W_BITS=2
row    q_lut_w2a8  W2A8 lut 2 8 2
design q_mac       mac   LANES=4 COLS=2
row    q_mac       W8A8 mac 8 8 1
design q_sa_w4a8   fixed LANES=4 COLS=1 A_W=8 W_W=4 EN_SHIFTADD=1 CFG_MODE=SHIFTADD CFG_A_KIND=INT CFG_A_BITS=8 CFG_W_KIND=INT CFG_W_BITS=4
design q_bfp_mxfp8 fixed LANES=4 COLS=1 A_W=8 W_W=8 EN_BFP=1 OUT_INT=0 OUT_FP=1 CFG_MODE=BFP CFG_A_KIND=FP CFG_A_FMT=E4M3 CFG_W_KIND=FP CFG_W_FMT=E4M3 CFG_SCALE_FMT=E8M0 CFG_GROUP=32
design q_bs_w8a8   fixed LANES=4 COLS=1 A_W=8 W_W=8 EN_BITSERIAL=1 CFG_MODE=BITSERIAL CFG_A_KIND=INT CFG_A_BITS=8 CFG_W_KIND=INT CFG_W_BITS=8
design q_pe4       rtl   TOP=mpe_pe LANES=4 COLS=1 EN_MAC=0
design q_badconst  fixed LANES=4 COLS=1 EN_LUT=1 CFG_MODE=NOSUCHMODE
EOF
val() { sed -n "s/^$2=//p" "$tmp/build/$1/$3.txt" 2>/dev/null; }

# ---- mapped synthesis of the small LUT PE and the baseline
for d in q_lut_w2a8 q_mac; do
    if synth/flow.sh --list "$list" --steps asic "$d" "$tmp/build/$d" >"$tmp/$d.log" 2>&1; then
        ok "flow asic $d: $(val "$d" area_ge asic) GE, $(val "$d" ff_count asic) FFs, depth $(val "$d" depth asic)"
    else
        bad "flow asic $d"; tail -5 "$tmp/$d.log"
    fi
done
ge=$(val q_lut_w2a8 area_ge asic)
ffs=$(val q_lut_w2a8 ff_count asic)
depth=$(val q_lut_w2a8 depth asic)
if [ "${ge:-0}" -gt 0 ] && [ "${ffs:-0}" -gt 0 ] && [ "${depth:-0}" -gt 0 ]; then
    ok "LUT W2A8 result has area, flip-flops and depth"
else
    bad "LUT W2A8 result has area, flip-flops and depth (area_ge=$ge ff=$ffs depth=$depth)"
fi
[ "$(val q_lut_w2a8 latches_mapped asic)" = 0 ] && ok "no latch in the mapped LUT PE" ||
    bad "no latch in the mapped LUT PE"
[ "$(val q_mac latches_mapped asic)" = 0 ] && ok "no latch in the mapped baseline" ||
    bad "no latch in the mapped baseline"
[ "$(val q_mac latches_proc asic)" = 0 ] && ok "no latch after proc in the baseline" ||
    bad "no latch after proc in the baseline ($(val q_mac latches_proc asic))"
if [ "$(val q_mac mul_cells asic)" -gt 0 ] 2>/dev/null; then
    ok "baseline contains $(val q_mac mul_cells asic) \$mul cells (the multiplier check can fail)"
else
    bad "baseline contains \$mul cells"
fi

# ---- the report
if synth/report.sh --no-plot --list "$list" "$tmp/build" "$tmp/rep" >"$tmp/rep.log" 2>&1; then
    row=$(grep '^q_lut_w2a8,' "$tmp/rep/area.csv")
    IFS=, read -r -a c <<<"$row"
    # columns: ... rows(6) ... macs_per_cycle(10) area_ge(11) ... density_vs_int8_mac(17) ... fraig_conflicts(28)
    if [ "${c[6]}" = 1 ] && [ "${c[10]}" = 4 ] && [ "${c[11]}" = "$ge" ] &&
        [[ ${c[17]} =~ ^[0-9]+\.[0-9]+$ ]]; then
        ok "report row q_lut_w2a8: 4 MAC/cycle, $ge GE, ${c[17]} x the INT8 MAC density"
    else
        bad "report row q_lut_w2a8: $row"
    fi
    if grep -q '^| q_mac | W8A8 | mac | baseline |.* | 1.000 |' "$tmp/rep/area.md"; then
        ok "report area.md lists the baseline at density 1.000"
    else
        bad "report area.md lists the baseline at density 1.000"
    fi
    n=$(grep -c '"design": ' "$tmp/rep/area.json")
    [ "$n" -eq 7 ] && ok "report area.json has 7 rows" || bad "report area.json has 7 rows (got $n)"
    # the ABC conflict limit of the flow is recorded per row (last column), and a
    # ratio between designs mapped with different limits is listed under the table
    fc=$(sed -n 's/^FRAIG_CONFLICTS=//p' synth/flow.sh)
    if [ -n "$fc" ] && [ "${c[28]}" = "$fc" ] && [ "$(val q_lut_w2a8 fraig_conflicts asic)" = "$fc" ]; then
        ok "report row q_lut_w2a8 records the flow's ABC conflict limit ($fc)"
    else
        bad "report row q_lut_w2a8 records the flow's ABC conflict limit ($fc): ${c[28]:-}"
    fi
    cp -r "$tmp/build" "$tmp/build3"
    sed -i 's/^fraig_conflicts=.*/fraig_conflicts=1000000/' "$tmp/build3/q_mac/asic.txt"
    if synth/report.sh --no-plot --fresh --list "$list" "$tmp/build3" "$tmp/rep3" >/dev/null 2>&1 &&
        grep -q "^Ratios between designs mapped with different .*q_lut_w2a8 ($fc vs 1000000)" "$tmp/rep3/area.md"; then
        ok "report lists a ratio against a baseline mapped with another ABC conflict limit"
    else
        bad "report lists a ratio against a baseline mapped with another ABC conflict limit"
    fi
    # a second run without the LUT design's results keeps its figures from
    # the existing area.csv and says so; --fresh drops them
    mkdir -p "$tmp/build2"
    cp -r "$tmp/build/q_mac" "$tmp/build2/"
    if synth/report.sh --no-plot --list "$list" "$tmp/build2" "$tmp/rep" >/dev/null 2>&1 &&
        [ "$(grep '^q_lut_w2a8,' "$tmp/rep/area.csv")" = "$row" ] &&
        grep -q '^Figures kept from the previous report.*q_lut_w2a8' "$tmp/rep/area.md"; then
        ok "report keeps q_lut_w2a8 from the previous area.csv when the build lacks it"
    else
        bad "report keeps q_lut_w2a8 from the previous area.csv: $(grep '^q_lut_w2a8,' "$tmp/rep/area.csv")"
    fi
    # the density plot: one bar per report row at the common size, labelled by design
    if ! command -v gnuplot >/dev/null 2>&1; then
        bad "gnuplot is installed (make deps)"
    elif synth/report.sh --fresh --list "$list" "$tmp/build" "$tmp/repp" >/dev/null 2>&1 &&
        grep -q '<svg' "$tmp/repp/density.svg" && grep -q 'q_lut_w2a8 W2A8' "$tmp/repp/density.svg" &&
        grep -q 'q_mac W8A8' "$tmp/repp/density.svg"; then
        ok "density.svg has a bar for q_lut_w2a8 and for the baseline"
    else
        bad "density.svg has a bar for q_lut_w2a8 and for the baseline"
    fi
    if synth/report.sh --no-plot --fresh --list "$list" "$tmp/build2" "$tmp/rep" >/dev/null 2>&1 &&
        grep -q '^q_lut_w2a8,W2A8,lut,fixed,2,8,1,,,' "$tmp/rep/area.csv"; then
        ok "report --fresh leaves q_lut_w2a8 without figures"
    else
        bad "report --fresh: $(grep '^q_lut_w2a8,' "$tmp/rep/area.csv")"
    fi
else
    bad "synth/report.sh"; tail -5 "$tmp/rep.log"
fi

# ---- latch and multiplier checks of every non-baseline mode
for d in q_lut_w2a8 q_sa_w4a8 q_bfp_mxfp8 q_bs_w8a8 q_pe4; do
    if synth/flow.sh --list "$list" --steps check "$d" "$tmp/build/$d" >"$tmp/$d.chk" 2>&1; then
        l=$(val "$d" latches_proc check)
        m=$(val "$d" mul_cells check)
        [ "$l" = 0 ] && ok "no latch after proc: $d" || bad "no latch after proc: $d ($l)"
        [ "$m" = 0 ] && ok "no multiplier: $d" || bad "no multiplier: $d ($m \$mul cells)"
    else
        bad "flow check $d"; tail -5 "$tmp/$d.chk"
    fi
done

# ---- SRAM macros (SRAM=N): a 32 x 8 memory kept as one macro, or mapped to gates
cat >"$tmp/q_sram.v" <<'EOF'
module q_sram (input wire clk_i, input wire rst_ni, input wire we_i,
               input wire [4:0] waddr_i, input wire [4:0] raddr_i,
               input wire [7:0] wdata_i, output reg [7:0] rdata_o);
  reg [7:0] mem [0:31];
  always @(posedge clk_i) if (we_i) mem[waddr_i] <= wdata_i;
  always @(posedge clk_i or negedge rst_ni)
    if (!rst_ni) rdata_o <= 8'd0; else rdata_o <= mem[raddr_i];
endmodule
EOF
echo q_sram.v >"$tmp/q_sram.f"
cat >>"$list" <<EOF
design q_sram_macro rtl TOP=q_sram FILES=$tmp/q_sram.f SRAM=32
design q_sram_gates rtl TOP=q_sram FILES=$tmp/q_sram.f SRAM=64
EOF
for d in q_sram_macro q_sram_gates; do
    synth/flow.sh --list "$list" --steps asic "$d" "$tmp/build/$d" >"$tmp/$d.log" 2>&1 ||
        { bad "flow asic $d"; tail -5 "$tmp/$d.log"; }
done
m=$(val q_sram_macro sram_macros asic); b=$(val q_sram_macro sram_bits asic)
gm=$(val q_sram_macro area_ge asic); gg=$(val q_sram_gates area_ge asic)
if [ "$m" = 1 ] && [ "$b" = 256 ]; then
    ok "SRAM=32 keeps the 32 x 8 memory as 1 macro of 256 bits ($gm GE of gates around it)"
else
    bad "SRAM=32 keeps the 32 x 8 memory as 1 macro of 256 bits (macros=$m bits=$b)"
fi
if [ "$(val q_sram_gates sram_macros asic)" = 0 ] && [ "$(val q_sram_gates sram_bits asic)" = 0 ] &&
    [ "${gg:-0}" -gt $((${gm:-0} + 256 * 6)) ]; then
    ok "SRAM=64 maps the 32-word memory to gates ($gg GE)"
else
    bad "SRAM=64 maps the 32-word memory to gates ($gg GE against $gm GE as a macro)"
fi
# on xc7 the small memory becomes distributed RAM, counted apart from the LUTs
if synth/flow.sh --list "$list" --steps xilinx q_sram_gates "$tmp/build/q_sram_gates" >"$tmp/x.log" 2>&1 &&
    [ "$(val q_sram_gates xc7_lutram xilinx)" -gt 0 ] 2>/dev/null && [ "$(val q_sram_gates xc7_bram xilinx)" = 0 ]; then
    ok "xc7: the 32 x 8 memory is $(val q_sram_gates xc7_lutram xilinx) LUTRAM cells, no BRAM"
else
    bad "xc7: the 32 x 8 memory in LUTRAM (lutram=$(val q_sram_gates xc7_lutram xilinx) bram=$(val q_sram_gates xc7_bram xilinx))"
fi
# the per-file breakdown gives each cell to its own file, not to the wrapper
# whose instance every flattened cell's src attribute also names
if synth/flow.sh --list "$list" --steps breakdown q_lut_w2a8 "$tmp/build/q_lut_w2a8" >"$tmp/bd0.log" 2>&1; then
    bd=$tmp/build/q_lut_w2a8/breakdown.txt
    gl=$(sed -nE 's/^breakdown_mpe_lut=([0-9]+) GE.*/\1/p' "$bd")
    gp=$(sed -nE 's/^breakdown_mpe_pe=([0-9]+) GE.*/\1/p' "$bd")
    if [ "${gl:-0}" -gt 0 ] && [ "${gp:-0}" -gt 0 ] && ! grep -q '^breakdown_mpe_synth_fixed=' "$bd"; then
        ok "breakdown of q_lut_w2a8: mpe_lut.v $gl GE, mpe_pe.v $gp GE, nothing in the wrapper"
    else
        bad "breakdown of q_lut_w2a8 by file: $(tr '\n' ' ' <"$bd")"
    fi
else
    bad "flow breakdown q_lut_w2a8"; tail -5 "$tmp/bd0.log"
fi
# the per-file breakdown keeps the macro too (it once mapped the memory to gates)
if synth/flow.sh --list "$list" --steps breakdown q_sram_macro "$tmp/build/q_sram_macro" >"$tmp/bd.log" 2>&1 &&
    grep -qx 'breakdown_q_sram=0 GE, 0 FFs, 1 SRAM macros' "$tmp/build/q_sram_macro/breakdown.txt"; then
    ok "breakdown with SRAM=32: q_sram.v holds 1 SRAM macro and no gates"
else
    bad "breakdown with SRAM=32: $(grep q_sram "$tmp/build/q_sram_macro/breakdown.txt" 2>/dev/null)"
fi

# ---- bad input: clear one-line errors, non-zero exit
out=$(synth/flow.sh --list "$list" --steps check q_nosuch "$tmp/build/x" 2>&1)
if [ $? -ne 0 ] && [ "$(echo "$out" | wc -l)" -eq 1 ] && echo "$out" | grep -q "no 'design q_nosuch' line"; then
    ok "unknown design: $out"
else
    bad "unknown design gives a one-line error: $out"
fi
out=$(synth/flow.sh --list "$list" --steps check q_badconst "$tmp/build/x" 2>&1)
if [ $? -ne 0 ] && [ "$(echo "$out" | wc -l)" -eq 1 ] && echo "$out" | grep -q "unknown constant MPE_MODE_NOSUCHMODE"; then
    ok "unknown constant: $out"
else
    bad "unknown constant gives a one-line error: $out"
fi
out=$(synth/flow.sh --list "$list" --steps nosuchstep q_mac "$tmp/build/x" 2>&1)
if [ $? -ne 0 ] && echo "$out" | grep -q "unknown step 'nosuchstep'"; then
    ok "unknown step: $(echo "$out" | tail -n 1)"
else
    bad "unknown step gives an error: $out"
fi
finish
