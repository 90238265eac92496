#!/usr/bin/env bash
# RTL static checks over every named configuration (rtl/configs.txt):
#  1. verilator --lint-only -Wall (waivers only in rtl/lint/verilator_waiver.vlt)
#  2. Yosys: no latches after proc, no $mul outside the baseline mpe_pe_mac,
#     and the baseline does contain one (so the check can fail)
#  3. Yosys synth -top mpe_pe of the small configuration maps without latches
#  4. an unsupported LUT_PPC stops the elaboration (Verilator and Yosys)
# --quick runs the Yosys structural checks only for the cosim and four_modes
# configurations (lint still covers all). Prints one line per check and ends
# with "P passed, F failed".
set -u
QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
cd "$(dirname "$0")/.." || exit 2
# the PE's files (rtl/mpe_pe.f); rtl/ also holds the accelerator around it
RTL=$(sed 's|^|rtl/|' rtl/mpe_pe.f | tr '\n' ' ')
WAIVE=rtl/lint/verilator_waiver.vlt
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { echo "PASS $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

gparams() { for p in "$@"; do echo -n " -G$p"; done; }
chparams() { for p in "$@"; do echo -n " -set ${p%%=*} ${p#*=}"; done; }

# ---- 1. Verilator lint
lint() {
    local name=$1 top=$2; shift 2
    # shellcheck disable=SC2046
    if verilator --lint-only -Wall -Irtl $WAIVE $RTL --top-module "$top" $(gparams "$@") \
        >"$tmp/lint.log" 2>&1; then
        ok "verilator lint $name"
    else
        bad "verilator lint $name"
        head -20 "$tmp/lint.log"
    fi
}

# ---- 2. Yosys structural checks (proc level, hierarchy kept)
ychk() {
    local name=$1; shift
    # scaled down to 4 lanes, 1 column: the generate structure is the same
    local params
    params=$(chparams "$@" LANES=4 COLS=1)
    cat >"$tmp/chk.ys" <<YS
read_verilog -Irtl $RTL
chparam$params mpe_pe
hierarchy -top mpe_pe
proc
opt_clean
tee -o $tmp/latch.txt select -list t:\$dlatch t:\$adlatch t:\$dlatchsr t:\$sr
tee -o $tmp/mul.txt select -list t:\$mul
YS
    if ! yosys -q -s "$tmp/chk.ys" >"$tmp/y.log" 2>&1; then
        bad "yosys read/proc $name"
        tail -5 "$tmp/y.log"
        return
    fi
    if grep -q . "$tmp/latch.txt"; then
        bad "yosys no latches $name"
        cat "$tmp/latch.txt"
    else
        ok "yosys no latches $name"
    fi
    if grep -v 'mpe_pe_mac' "$tmp/mul.txt" | grep -q .; then
        bad "yosys no \$mul outside mpe_pe_mac $name"
        grep -v 'mpe_pe_mac' "$tmp/mul.txt"
    else
        ok "yosys no \$mul outside mpe_pe_mac $name ($(grep -c . "$tmp/mul.txt") in the baseline)"
    fi
}

while read -r name rest; do
    case "$name" in ''|'#'*) continue ;; esac
    # shellcheck disable=SC2086
    lint "$name" mpe_pe $rest
    if [ $QUICK -eq 0 ] || [ "$name" = cosim ] || [ "$name" = four_modes ]; then
        # shellcheck disable=SC2086
        ychk "$name" $rest
    fi
done < rtl/configs.txt
lint "baseline mpe_pe_mac" mpe_pe_mac LANES=16 COLS=4

# the baseline must contain multipliers (otherwise the check above is blind)
cat >"$tmp/mac.ys" <<YS
read_verilog -Irtl rtl/mpe_pe_mac.v
hierarchy -top mpe_pe_mac
proc
tee -o $tmp/mul.txt select -list t:\$mul
YS
if yosys -q -s "$tmp/mac.ys" >"$tmp/y.log" 2>&1 && grep -q . "$tmp/mul.txt"; then
    ok "yosys baseline mpe_pe_mac has $(grep -c . "$tmp/mul.txt") \$mul cells"
else
    bad "yosys baseline mpe_pe_mac has \$mul cells"
fi

# ---- 3. full synthesis of the small configuration
cat >"$tmp/syn.ys" <<YS
read_verilog -Irtl $RTL
chparam -set LANES 4 -set COLS 1 mpe_pe
synth -top mpe_pe
tee -o $tmp/latch.txt select -list t:\$_DLATCH*
tee -o $tmp/stat.txt stat
YS
if yosys -q -s "$tmp/syn.ys" >"$tmp/y.log" 2>&1 && ! grep -q . "$tmp/latch.txt"; then
    ok "yosys synth -top mpe_pe (LANES=4 COLS=1): $(grep 'Number of cells' "$tmp/stat.txt" | tail -1 | awk '{print $4}') cells, no latches"
else
    bad "yosys synth -top mpe_pe (LANES=4 COLS=1)"
    tail -5 "$tmp/y.log"
fi

# ---- 4. unsupported parameters stop the elaboration with a named module
# rejects TOOL COMMAND...: COMMAND fails, naming the guard module
rejects() {
    local what="$1 rejects mpe_pe LUT_PPC=3"
    shift
    if "$@" >"$tmp/bad.log" 2>&1; then
        bad "$what"
    elif grep -q "mpe_pe_needs_lut_ppc_1_2_or_4" "$tmp/bad.log"; then
        ok "$what (mpe_pe_needs_lut_ppc_1_2_or_4)"
    else
        bad "$what for another reason"; head -5 "$tmp/bad.log"
    fi
}
# shellcheck disable=SC2086
rejects verilator verilator --lint-only -Wall -Irtl $WAIVE $RTL --top-module mpe_pe -GLUT_PPC=3
rejects yosys yosys -q -p "read_verilog -Irtl $RTL; chparam -set LUT_PPC 3 mpe_pe; hierarchy -check -top mpe_pe"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
