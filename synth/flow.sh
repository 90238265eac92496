#!/usr/bin/env bash
# Synthesizes one design of synth/designs.txt (synth/README.md) and writes
# key=value results to OUTDIR/{meta,asic,xilinx,ice40}.txt (one file per step)
# plus the Yosys/nextpnr scripts and logs.
#
#   synth/flow.sh [--steps asic,xilinx,ice40] [--list FILE] NAME OUTDIR
#
# Steps:
#   check   latches after proc, multipliers after the coarse stage (no mapping)
#   asic    Yosys synth -> dfflibmap + abc -liberty synth/cells.lib; area (um^2
#           and NAND2 equivalents), cells, flip-flops, longest combinational
#           path in cells (ltp), latch and multiplier checks.
#   breakdown  area per RTL source file (not part of `make synth`)
#   xilinx  synth_xilinx (xc7): LUTs, FFs, DSPs, BRAMs.
#   ice40   synth_ice40 + nextpnr-ice40 --hx8k of the design inside an I/O
#           shell (a shift register feeds the inputs, the outputs are xor-
#           reduced into one flip-flop) for a maximum-frequency estimate;
#           skipped when the design does not fit.
set -euo pipefail
cd "$(dirname "$0")/.."

STEPS=asic,xilinx,ice40
LIST=synth/designs.txt
while [ $# -gt 0 ]; do
    case "$1" in
        --steps) STEPS=$2; shift 2 ;;
        --list) LIST=$2; shift 2 ;;
        -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
        -*) echo "flow.sh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
[ $# -eq 2 ] || { echo "usage: synth/flow.sh [--steps asic,xilinx,ice40] [--list FILE] NAME OUTDIR" >&2; exit 2; }
NAME=$1
OUT=$2
LIB=synth/cells.lib
DEFS=rtl/mpe_defs.vh
NAND2_UM2=0.798          # NAND2_X1 area: 1 GE
ICE40_DEV=hx8k
ICE40_PKG=ct256
ICE40_LCS=7680
ICE40_MAX_GE=40000
ICE40_TIMEOUT=${ICE40_TIMEOUT:-300}   # seconds for nextpnr (congested designs route for long)
# ABC mapping script (ASIC step): Yosys' default script for -liberty, with the
# SAT sweeping (&fraig -x) limited to FRAIG_CONFLICTS conflicts per candidate
# pair instead of ABC's 1000000 (synth/README.md, "ABC script")
FRAIG_CONFLICTS=1000
ABC_SCRIPT="+strash;&get,-n;&fraig,-x,-C,$FRAIG_CONFLICTS;&put;scorr;dc2;dretime;strash;&get,-n;&dch,-f;&nf;&put"

die() { echo "flow.sh: $NAME: $*" >&2; exit 1; }

line=$(awk -v n="$NAME" '$1 == "design" && $2 == n' "$LIST")
[ -n "$line" ] || die "no 'design $NAME' line in $LIST"
read -r -a f <<<"$line"
KIND=${f[2]}
PARAMS=("${f[@]:3}")
mkdir -p "$OUT"
RES=$OUT/meta.txt

# ---- constants of rtl/mpe_defs.vh: `define MPE_X 3'd1 -> 1
defval() {
    local v
    v=$(awk -v m="MPE_$1" '$1 == "`define" && $2 == m { print $3 }' "$DEFS")
    [ -n "$v" ] || die "unknown constant MPE_$1 (rtl/mpe_defs.vh)"
    echo "${v##*d}"
}
# value of a CFG_* parameter: a number, or a name resolved in mpe_defs.vh
cfgval() {
    local p=$1 v=$2
    if [[ $v =~ ^[0-9]+$ ]]; then echo "$v"; return; fi
    case "$p" in
        CFG_MODE) defval "MODE_$v" ;;
        CFG_A_KIND|CFG_W_KIND) defval "DT_$v" ;;
        CFG_A_FMT|CFG_W_FMT|CFG_SCALE_FMT) defval "FMT_$v" ;;
        *) die "parameter $p=$v is not a number" ;;
    esac
}
# width of an mpe_pe configuration input, from its declaration in rtl/mpe_pe.v
cfgwidth() {
    local decl r hi
    decl=$(grep -E "input +wire .*\b$1\b" rtl/mpe_pe.v) || die "rtl/mpe_pe.v has no input $1"
    if [[ $decl =~ \[([^]:]+):0\] ]]; then
        r=${BASH_REMATCH[1]}
        if [[ $r =~ ^\`(MPE_[A-Z_]+)-1$ ]]; then
            hi=$(defval "${BASH_REMATCH[1]#MPE_}"); echo "$hi"
        elif [[ $r =~ ^[0-9]+$ ]]; then echo $((r + 1))
        else die "cannot read the width of $1 from rtl/mpe_pe.v"; fi
    else
        echo 1
    fi
}

# ---- top module, parameters and frozen configuration registers
declare -A P=()
TOP=
for kv in "${PARAMS[@]}"; do
    k=${kv%%=*}; v=${kv#*=}
    [ "$k" != "$kv" ] || die "bad parameter '$kv'"
    if [ "$k" = TOP ]; then TOP=$v; else P[$k]=$v; fi
done
FREEZE=()      # "register value width" relative to the top instance
case "$KIND" in
    fixed)
        TOP=mpe_synth_fixed
        # the configuration register of each input (rtl/mpe_pe.v); every
        # CFG_* is passed explicitly, the wrapper's defaults are never used
        for pr in CFG_MODE:cfg_mode_i:mode_q:0 CFG_A_KIND:cfg_a_kind_i:a_kind_q:0 \
                  CFG_A_BITS:cfg_a_bits_i:a_bits_q:8 CFG_A_FMT:cfg_a_fmt_i:a_fmt_q:0 \
                  CFG_W_KIND:cfg_w_kind_i:w_kind_q:0 CFG_W_BITS:cfg_w_bits_i:w_bits_q:8 \
                  CFG_W_FMT:cfg_w_fmt_i:w_fmt_q:0 CFG_BOTH:cfg_both_serial_i:both_q:0 \
                  CFG_GROUP:cfg_group_i:group_q:0 CFG_SCALE_FMT:cfg_scale_fmt_i:scale_fmt_q:0; do
            IFS=: read -r p port reg def <<<"$pr"
            v=$(cfgval "$p" "${P[$p]:-$def}")
            P[$p]=$v
            FREEZE+=("u_pe.$reg $v $(cfgwidth "$port")")
        done
        ;;
    mac)
        TOP=mpe_synth_mac
        FREEZE+=("u_mac.g_pe.a_sg_q 1 1" "u_mac.g_pe.w_sg_q 1 1")
        ;;
    rtl)
        [ -n "$TOP" ] || die "kind rtl needs TOP=module"
        ;;
    *) die "unknown kind '$KIND'" ;;
esac
# RTL files: the list FILES (a .f file of names relative to its directory,
# default rtl/mpe_pe.f, the PE), or every rtl/*.v with FILES=all
FILES=${P[FILES]:-rtl/mpe_pe.f}
unset 'P[FILES]'
# SRAM=N: memories of at least N words (scratchpads, instruction memory)
# are kept as SRAM macros: counted in bits, left out of the gate area
SRAM=${P[SRAM]:-}
unset 'P[SRAM]'
if [ "$FILES" = all ]; then
    RTL=$(ls rtl/*.v | tr '\n' ' ')
else
    [ -f "$FILES" ] || die "file list $FILES not found"
    RTL=$(awk -v d="$(dirname "$FILES")" 'NF && $1 !~ /^(#|\/\/)/ { printf "%s/%s ", d, $1 }' "$FILES")
fi
SRC="$RTL synth/mpe_synth_fixed.v synth/mpe_synth_mac.v"
for k in "${!P[@]}"; do
    [[ ${P[$k]} =~ ^[0-9]+$ ]] || die "parameter $k=${P[$k]} is not a number"
done
read_cmds() {   # $1: top module
    echo "read_verilog -Irtl $SRC"
    local cp=""
    for k in $(printf '%s\n' "${!P[@]}" | sort); do cp+=" -set $k ${P[$k]}"; done
    [ -z "$cp" ] || echo "chparam$cp $TOP"
    [ "$1" = "$TOP" ] || echo "read_verilog $OUT/shell.v"
    echo "hierarchy -check -top $1"
    # a top whose parameters were changed may come out of hierarchy under a
    # derived name: give it its own name back for the later -top options
    echo "rename -top $1"
    echo "proc"
    echo "flatten"
}
freeze_cmds() { # $1: hierarchical prefix of the design instance
    local e reg v w
    for e in "${FREEZE[@]}"; do
        read -r reg v w <<<"$e"
        echo "select -set ff w:$1$reg %ci1:+\$adff[Q] t:\$adff %i"
        echo "select -assert-count 1 @ff"
        echo "setparam -set ARST_VALUE $w'd$v @ff"
    done
}
# SRAM=N: memories of at least N words become \$__mpe_sram macro cells (after
# the coarse stage; their ports are dumped to sram.txt), left out of the area
sram_cmds() {
    [ -n "$SRAM" ] || return 0
    echo "tee -q -o $OUT/sram.txt dump t:\$mem_v2 r:SIZE>=$SRAM %i"
    echo "chtype -set \$__mpe_sram t:\$mem_v2 r:SIZE>=$SRAM %i"
}
put() { echo "$1=$2" >>"$RES"; }
count() { awk -v c="$1" '$1 == c { n += $2 } END { print n + 0 }' "$2"; }
objs() { sed -nE 's/^([0-9]+) objects.*/\1/p' "$1"; }

rm -f "$RES"
put design "$NAME"
put kind "$KIND"
put top "$TOP"
put lanes "${P[LANES]:-}"
put cols "${P[COLS]:-}"
put freeze "${#FREEZE[@]}"

# ---------------------------------------------------------------- checks only
# The read, freeze and coarse stage shared by the check and ASIC steps, with
# the two checks: latches after proc, multipliers after the coarse stage.
coarse_cmds() {
    read_cmds "$TOP"
    freeze_cmds ""
    echo "tee -q -o $OUT/latch_proc.txt select -count t:\$dlatch t:\$adlatch t:\$dlatchsr t:\$sr"
    # -noshare: the SAT-based resource sharing runs out of memory (> 10 GB)
    # on the FP32 units of the BFP/shift-add modes; left out for every design
    echo "synth -flatten -noabc -noshare -top $TOP -run begin:fine"
    # multipliers after the coarse stage: \$macc cells unmapped to \$mul/\$add
    # in a copy of the design
    echo "design -save coarse"
    echo "maccmap -unmap"
    echo "tee -q -o $OUT/mul.txt select -count t:\$mul"
    echo "design -load coarse"
}

# latches after proc, multipliers after the coarse stage (quick: no mapping)
check() {
    local t0=$SECONDS
    RES=$OUT/check.txt; rm -f "$RES"
    coarse_cmds >"$OUT/check.ys"
    yosys -q -l "$OUT/check.log" -s "$OUT/check.ys" >/dev/null 2>&1 ||
        die "Yosys (check) failed, see $OUT/check.log"
    put latches_proc "$(objs "$OUT/latch_proc.txt")"
    put mul_cells "$(objs "$OUT/mul.txt")"
    put check_seconds $((SECONDS - t0))
}

# ---------------------------------------------------------------- ASIC
asic() {
    local t0=$SECONDS
    RES=$OUT/asic.txt; rm -f "$RES"
    {
        coarse_cmds
        sram_cmds
        echo "synth -flatten -noabc -noshare -top $TOP -run fine:"
        echo "dfflibmap -liberty $LIB"
        echo "abc -liberty $LIB -script $ABC_SCRIPT"
        echo "opt_clean"
        echo "tee -q -o $OUT/latch_mapped.txt select -count t:\$_DLATCH* t:\$_SR_* t:\$_DLATCHSR*"
        echo "read_liberty -lib $LIB"
        echo "tee -q -o $OUT/stat.txt stat -liberty $LIB"
        echo "tee -q -o $OUT/ltp.txt ltp w:* t:* t:DFFR_X1 %d t:\$__mpe_sram %d %u"
    } >"$OUT/asic.ys"
    yosys -q -l "$OUT/asic.log" -s "$OUT/asic.ys" >/dev/null 2>&1 ||
        die "Yosys (asic) failed, see $OUT/asic.log"
    local um2 cells ffs depth
    um2=$(awk '/Chip area for module/ { print $NF }' "$OUT/stat.txt")
    cells=$(awk '/Number of cells:/ { print $NF }' "$OUT/stat.txt" | tail -n 1)
    ffs=$(count DFFR_X1 "$OUT/stat.txt")
    depth=$(sed -nE 's/.*length=([0-9]+).*/\1/p' "$OUT/ltp.txt")
    [ -n "$um2" ] && [ -n "$depth" ] || die "cannot parse $OUT/stat.txt / ltp.txt"
    put area_um2 "$um2"
    put area_ge "$(awk -v a="$um2" -v n=$NAND2_UM2 'BEGIN { printf "%.0f", a / n }')"
    put cells "$cells"
    put ff_count "$ffs"
    put buf_count "$(count BUF_X2 "$OUT/stat.txt")"
    put depth "$depth"
    put latches_proc "$(objs "$OUT/latch_proc.txt")"
    put latches_mapped "$(objs "$OUT/latch_mapped.txt")"
    put mul_cells "$(objs "$OUT/mul.txt")"
    if [ -n "$SRAM" ]; then
        # SIZE x WIDTH of every memory kept as a macro
        put sram_macros "$(grep -c '^ *cell \$mem_v2 ' "$OUT/sram.txt" || true)"
        put sram_bits "$(awk '$1 == "parameter" && $2 == "\\SIZE" { s = $3 }
                             $1 == "parameter" && $2 == "\\WIDTH" { w = $3 }
                             $1 == "end" && s != "" && w != "" { n += s * w; s = ""; w = "" }
                             END { print n + 0 }' "$OUT/sram.txt")"
    fi
    put fraig_conflicts $FRAIG_CONFLICTS
    put asic_seconds $((SECONDS - t0))
}

# ---------------------------------------------------------------- breakdown
# area per RTL source file: after the coarse stage every cell goes into a
# submodule named after its own file; then the same mapping as asic, per
# module (no optimization across the files). A flattened cell's src attribute
# names its own file and the file of every instance above it (in no useful
# order), so the submod attributes are set file by file from the top of the
# instance tree down (the greatest depth at which a file's module is
# instantiated; a module's children are always deeper) and the last match,
# the cell's own file, wins. One module per file, named after it.
breakdown() {
    local t0=$SECONDS f b
    RES=$OUT/breakdown.txt; rm -f "$RES"
    {
        read_cmds "$TOP" | sed '/^proc$/,$d'
        echo "tee -q -o $OUT/hier.txt stat"
    } >"$OUT/hier.ys"
    yosys -q -l "$OUT/hier.log" -s "$OUT/hier.ys" >/dev/null 2>&1 ||
        die "Yosys (breakdown hierarchy) failed, see $OUT/hier.log"
    # "depth module" from the indented hierarchy tree of stat; parameterised
    # modules are named $paramod[$hash]\name[\PARAM=...]
    awk '/^=== design hierarchy ===/ { h = 1; next }
         h && /^ *$/ { if (n) exit; next }
         h { n++; m = $1; sub(/^\$paramod[^\\]*\\/, "", m); sub(/\\.*/, "", m)
             d = (match($0, /[^ ]/) - 4) / 2; if (!(m in dep) || d > dep[m]) dep[m] = d }
         END { for (m in dep) print dep[m], m }' "$OUT/hier.txt" | sort -n >"$OUT/depth.txt"
    # a design of one module has no hierarchy tree
    [ -s "$OUT/depth.txt" ] || echo "0 $TOP" >"$OUT/depth.txt"
    {
        read_cmds "$TOP"
        freeze_cmds ""
        echo "synth -flatten -noabc -noshare -top $TOP -run begin:fine"
        sram_cmds
        while read -r _ b; do
            for f in $SRC; do
                [ "$(basename "$f" .v)" = "$b" ] || continue
                echo "setattr -set submod \"$b\" a:src=*/$b.v:*"
            done
        done <"$OUT/depth.txt"
        echo "submod"
        echo "synth -noabc -noshare -top $TOP -run fine:"
        echo "dfflibmap -liberty $LIB"
        echo "abc -liberty $LIB -script $ABC_SCRIPT"
        echo "opt_clean"
        echo "tee -q -o $OUT/bstat.txt stat -liberty $LIB"
    } >"$OUT/breakdown.ys"
    yosys -q -l "$OUT/breakdown.log" -s "$OUT/breakdown.ys" >/dev/null 2>&1 ||
        die "Yosys (breakdown) failed, see $OUT/breakdown.log"
    # module name, area (GE), flip-flops, SRAM macros (a module that holds only
    # macros has no "Chip area" line); the hierarchy summary is not a module
    awk -v top="$TOP" -v n=$NAND2_UM2 '
        /^=== design hierarchy ===/ { done = 1 }
        done { next }
        /^=== / { m = $2; sub("^" top "_?", "", m); if (m == "") m = "(top: glue, unattributed)"; order[++k] = m }
        $1 == "DFFR_X1" { ff[m] = $2 }
        $1 == "$__mpe_sram" { sr[m] = $2 }
        /Chip area for module/ { a[m] = $NF }
        END { for (i = 1; i <= k; i++) { m = order[i]
                  printf "breakdown_%s=%.0f GE, %d FFs%s\n", m, a[m] / n, ff[m], sr[m] ? ", " sr[m] " SRAM macros" : "" } }
    ' "$OUT/bstat.txt" >>"$RES"
    put breakdown_seconds $((SECONDS - t0))
}

# ---------------------------------------------------------------- Xilinx
xilinx() {
    local t0=$SECONDS
    RES=$OUT/xilinx.txt; rm -f "$RES"
    {
        read_cmds "$TOP"
        freeze_cmds ""
        # synth_xilinx without its SAT-based 'share' (see asic)
        echo "synth_xilinx -flatten -noiopad -top $TOP -run begin:coarse"
        echo "techmap -map +/cmp2lut.v -map +/cmp2lcu.v -D LUT_WIDTH=6"
        echo "alumacc; opt; memory -nomap; opt_clean"
        echo "synth_xilinx -flatten -noiopad -top $TOP -run map_memory:"
        echo "tee -q -o $OUT/xstat.txt stat"
    } >"$OUT/xilinx.ys"
    yosys -q -l "$OUT/xilinx.log" -s "$OUT/xilinx.ys" >/dev/null 2>&1 ||
        die "Yosys (xilinx) failed, see $OUT/xilinx.log"
    local x=$OUT/xstat.txt
    put xc7_lut "$(awk '$1 ~ /^LUT[1-6]$/ { n += $2 } END { print n + 0 }' "$x")"
    put xc7_ff "$(awk '$1 ~ /^FD[A-Z]*$/ { n += $2 } END { print n + 0 }' "$x")"
    put xc7_dsp "$(awk '$1 ~ /^DSP48/ { n += $2 } END { print n + 0 }' "$x")"
    put xc7_bram "$(awk '$1 ~ /^RAMB/ { n += $2 } END { print n + 0 }' "$x")"
    # distributed (LUT) RAM: memories with asynchronous reads cannot use block RAM
    put xc7_lutram "$(awk '$1 ~ /^RAM[0-9]/ { n += $2 } END { print n + 0 }' "$x")"
    put xc7_carry4 "$(count CARRY4 "$x")"
    put xilinx_seconds $((SECONDS - t0))
}

# ---------------------------------------------------------------- iCE40
shell_v() {     # I/O shell around the design from its port list
    awk -v top="$TOP" '
        $1 == "input" || $1 == "output" {
            w = $2; gsub(/[\[\]]/, "", w); split(w, r, ":"); n = r[1] - r[2] + 1
            if ($1 == "input" && ($3 == "clk_i" || $3 == "rst_ni")) { conn[++nc] = "." $3 " (" $3 ")"; next }
            if ($1 == "input") { conn[++nc] = "." $3 " (sr_q[" ni + 0 " +: " n "])"; ni += n }
            else { conn[++nc] = "." $3 " (o[" no + 0 " +: " n "])"; no += n }
        }
        END {
            if (ni < 2) ni = 2
            print "// generated by synth/flow.sh: I/O shell for place and route"
            print "module mpe_fpga_shell (input wire clk_i, input wire rst_ni, input wire sin_i, output reg sout_o);"
            print "  reg  [" ni - 1 ":0] sr_q;"
            print "  wire [" no - 1 ":0] o;"
            print "  always @(posedge clk_i) sr_q <= {sr_q[" ni - 2 ":0], sin_i};"
            print "  always @(posedge clk_i) sout_o <= ^o;"
            printf "  %s dut (", top
            for (i = 1; i <= nc; i++) printf "%s%s", conn[i], (i < nc ? ", " : "")
            print ");"
            print "endmodule"
        }' "$OUT/ports.txt" >"$OUT/shell.v"
}
ice40() {
    local t0=$SECONDS ge
    RES=$OUT/ice40.txt; rm -f "$RES"
    put ice40_device "$ICE40_DEV"
    # designs far beyond the device are not attempted (synth_ice40 alone
    # takes minutes for them): every trial above ICE40_MAX_GE needed more
    # LUT4s than the device has
    ge=$(sed -n 's/^area_ge=//p' "$OUT/asic.txt" 2>/dev/null || true)
    if [ -n "$ge" ] && [ "$ge" -gt "$ICE40_MAX_GE" ]; then
        put ice40_fit no
        put ice40_note "not attempted: $ge GE > $ICE40_MAX_GE GE (roughly 5 GE per LUT4; $ICE40_DEV has $ICE40_LCS LCs)"
        put ice40_seconds 0
        return
    fi
    {
        read_cmds "$TOP" | grep -v -e '^proc$' -e '^flatten$'
        echo "tee -q -o $OUT/ports.txt portlist $TOP"
    } >"$OUT/ports.ys"
    yosys -q -l "$OUT/ports.log" -s "$OUT/ports.ys" >/dev/null 2>&1 ||
        die "Yosys (ports) failed, see $OUT/ports.log"
    shell_v
    {
        read_cmds mpe_fpga_shell
        freeze_cmds "dut."
        # synth_ice40 without its SAT-based 'share' (see asic)
        echo "synth_ice40 -top mpe_fpga_shell -run begin:coarse"
        echo "opt_expr; opt_clean; check; opt -nodffe -nosdff; fsm; opt; wreduce; peepopt; opt_clean"
        echo "techmap -map +/cmp2lut.v -D LUT_WIDTH=4; opt_expr; opt_clean; memory_dff"
        echo "alumacc; opt; memory -nomap; opt_clean"
        echo "synth_ice40 -top mpe_fpga_shell -json $OUT/ice40.json -run map_ram:"
        echo "tee -q -o $OUT/istat.txt stat"
    } >"$OUT/ice40.ys"
    yosys -q -l "$OUT/ice40.log" -s "$OUT/ice40.ys" >/dev/null 2>&1 ||
        die "Yosys (ice40) failed, see $OUT/ice40.log"
    local luts ffs carry
    luts=$(count SB_LUT4 "$OUT/istat.txt")
    ffs=$(awk '$1 ~ /^SB_DFF/ { n += $2 } END { print n + 0 }' "$OUT/istat.txt")
    carry=$(count SB_CARRY "$OUT/istat.txt")
    put ice40_lut4 "$luts"
    put ice40_ff "$ffs"
    if [ "$luts" -gt "$ICE40_LCS" ] || [ "$ffs" -gt "$ICE40_LCS" ]; then
        put ice40_fit no
        put ice40_note "needs $luts LUT4 / $ffs FF (with the I/O shell); $ICE40_DEV has $ICE40_LCS LCs"
    elif timeout "$ICE40_TIMEOUT" nextpnr-ice40 --"$ICE40_DEV" --package "$ICE40_PKG" \
            --json "$OUT/ice40.json" --seed 1 --timing-allow-fail --freq 12 >"$OUT/nextpnr.log" 2>&1; then
        put ice40_fit yes
        put ice40_lc "$(sed -nE 's/.*ICESTORM_LC: *([0-9]+)\/.*/\1/p' "$OUT/nextpnr.log" | tail -n 1)"
        put fmax_mhz "$(sed -nE "s/.*Max frequency for clock '[^']*clk[^']*': ([0-9.]+) MHz.*/\1/p" \
                        "$OUT/nextpnr.log" | tail -n 1)"
    elif grep -q "Program finished" "$OUT/nextpnr.log" || grep -q ERROR "$OUT/nextpnr.log"; then
        put ice40_fit no
        put ice40_note "nextpnr-ice40 failed: $(grep -m1 ERROR "$OUT/nextpnr.log" | cut -c1-120)"
    else
        put ice40_fit unknown
        put ice40_note "nextpnr-ice40 did not finish within $ICE40_TIMEOUT s ($luts LUT4 of $ICE40_LCS: congested)"
    fi
    put ice40_seconds $((SECONDS - t0))
}

IFS=, read -r -a steps <<<"$STEPS"
for s in "${steps[@]}"; do
    case "$s" in
        check) check ;;
        breakdown) breakdown ;;
        asic) asic ;;
        xilinx) xilinx ;;
        ice40) ice40 ;;
        *) die "unknown step '$s'" ;;
    esac
done
