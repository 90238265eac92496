#!/usr/bin/env bash
# mpe run / mpe progen / mpe bench-accel end to end: random programs against
# the reference outputs written by `mpe progen --expect`, inputs through
# tensor descriptors, the trace file, and one-line errors for bad inputs.
# usage: tests/suites/accel_run.sh BUILD_DIR; ends with "P passed, F failed".
. "$(dirname "$0")/../suite_lib.sh"
T=$tmp

# expect_err TEXT CMD...: CMD must fail with exactly one stderr line containing TEXT.
expect_err() {
    local text=$1
    shift
    "$@" >"$T/out" 2>"$T/err"
    local rc=$?
    if [ $rc -eq 0 ]; then
        bad "expected failure: $*"
    elif ! grep -qF -- "$text" "$T/err"; then
        bad "'$text' not in stderr of: $* -> $(head -c 300 "$T/err")"
    elif [ "$(wc -l <"$T/err")" -ne 1 ]; then
        bad "not one line: $* -> $(cat "$T/err")"
    else
        ok
    fi
}

# Random programs of every style: outputs equal the reference, byte for byte.
for mode in mixed sync double tokens loop; do
    for seed in 1 2 3 4; do
        d="$T/$mode$seed"
        mkdir -p "$d/exp" "$d/got"
        if ! "$MPE" progen --seed "$seed" --mode "$mode" -o "$d/p.mpeb" --expect "$d/exp" 2>"$T/err"; then
            bad "progen $mode $seed: $(cat "$T/err")"
            continue
        fi
        if ! "$MPE" run "$d/p.mpeb" --output-dir "$d/got" --quiet 2>"$T/err"; then
            bad "run $mode $seed: $(cat "$T/err")"
            continue
        fi
        same=1
        for f in "$d"/exp/*.npy; do
            cmp -s "$f" "$d/got/$(basename "$f")" || same=0
        done
        [ $same -eq 1 ] && ok || bad "outputs differ: progen --seed $seed --mode $mode"
    done
done

# Inputs through descriptors (quantized float32 or raw codes), both PE paths.
for seed in 11 12 13 14 15 16; do
    d="$T/in$seed"
    mkdir -p "$d/exp" "$d/got" "$d/gs"
    "$MPE" progen --seed "$seed" -o "$d/p.mpeb" --expect "$d/exp" --inputs 2>"$T/err" ||
        { bad "progen --inputs $seed: $(cat "$T/err")"; continue; }
    "$MPE" run "$d/p.mpeb" --input "x0=$d/exp/x0.npy" --output-dir "$d/got" --quiet &&
        "$MPE" run "$d/p.mpeb" --input "x0=$d/exp/x0.npy" --output-dir "$d/gs" --quiet \
            --pe-path struct || { bad "run with input, seed $seed"; continue; }
    same=1
    for f in "$d"/exp/y*.npy; do
        cmp -s "$f" "$d/got/$(basename "$f")" || same=0
        cmp -s "$f" "$d/gs/$(basename "$f")" || same=0
    done
    [ $same -eq 1 ] && ok || bad "outputs with input differ: seed $seed"
done

# Statistics and the trace: one line per committed instruction.
d="$T/in11"
if "$MPE" run "$d/p.mpeb" --input "x0=$d/exp/x0.npy" --trace "$T/trace.txt" >"$T/stats"; then
    grep -qE '^cycles +[0-9]+$' "$T/stats" && grep -qE '^utilization +[0-9.]+%$' "$T/stats" &&
        grep -qE '^macs +[0-9]+' "$T/stats" && grep -qE '^instructions .*matmul=[0-9]+' "$T/stats" &&
        ok || bad "statistics: $(cat "$T/stats")"
    n=$(sed -n 's/^instructions //p' "$T/stats" | tr ' ' '\n' | sed -n 's/.*=//p' |
        awk '{s += $1} END {print s}')
    [ "$(wc -l <"$T/trace.txt")" -eq "$n" ] && ok || bad "trace lines != committed ($n)"
    grep -qvE '^[0-9]+ (ctrl|load|compute|store) [0-9]+ [a-z]+' "$T/trace.txt" &&
        bad "trace format: $(head -3 "$T/trace.txt")" || ok
else
    bad "run with --trace"
fi

# The benchmark command on one small mode, checked against the reference.
"$MPE" bench-accel --mode mac_int8 --size 64 --check >"$T/bench" 2>&1 &&
    grep -q ' ok$' "$T/bench" && ok || bad "bench-accel: $(cat "$T/bench")"
"$MPE" bench-accel --mode bfp_nvfp4 --size 64 -o "$T/gemm.mpeb" >/dev/null &&
    "$MPE" run "$T/gemm.mpeb" --quiet && ok || bad "bench-accel -o then run"

# Errors: one line, non-zero exit.
p="$T/in11/p.mpeb"
x="$T/in11/exp/x0.npy"
# --backend rtl: outputs equal to the C model's when the RTL simulator is
# built, else one line that says so.
mkdir -p "$T/rtl"
if "$MPE" run "$p" --backend rtl --input "x0=$x" --output-dir "$T/rtl" --quiet 2>"$T/err"; then
    cmp -s "$T/in11/exp/y0.npy" "$T/rtl/y0.npy" && ok || bad "rtl backend outputs differ"
else
    [ "$(wc -l <"$T/err")" -eq 1 ] && grep -qi "rtl" "$T/err" && ok ||
        bad "rtl backend error: $(cat "$T/err")"
fi
expect_err "unknown backend" "$MPE" run "$p" --backend verilog
expect_err "input 'x0' not given" "$MPE" run "$p"
expect_err "no input tensor 'q'" "$MPE" run "$p" --input "x0=$x" --input "q=$x"
expect_err "given twice" "$MPE" run "$p" --input "x0=$x" --input "x0=$x"
expect_err "NAME=FILE" "$MPE" run "$p" --input "x0"
expect_err "no-such.npy" "$MPE" run "$p" --input "x0=$T/no-such.npy"
"$MPE" gen-npy --shape 3,5 "$T/small.npy" >/dev/null 2>&1 || bad "gen-npy"
expect_err "element type float32, expected uint8" "$MPE" run "$p" --input "x0=$T/small.npy"
# seed 12's input is float32 (an integer type quantized with scale 1/8)
expect_err "shape 3x5, expected 32x32" "$MPE" run "$T/in12/p.mpeb" --input "x0=$T/small.npy"
expect_err "no halt within 10 cycles" "$MPE" run "$p" --input "x0=$x" --max-cycles 10
expect_err "bad --max-cycles" "$MPE" run "$p" --max-cycles ten
expect_err "no-such.mpeb" "$MPE" run "$T/no-such.mpeb"
head -c 100 "$p" >"$T/trunc.mpeb"
expect_err "trunc.mpeb" "$MPE" run "$T/trunc.mpeb"
printf 'rows 8\n' >"$T/other.cfg"
expect_err "rows" "$MPE" run "$p" --input "x0=$x" --arch "$T/other.cfg"
expect_err "cannot create directory (Not a directory)" "$MPE" run "$p" --input "x0=$x" --output-dir "$p/sub"
if "$MPE" run "$p" --input "x0=$x" --output-dir "$T/new/nested/dir" --quiet 2>"$T/err" &&
    [ -f "$T/new/nested/dir/y0.npy" ]; then ok; else bad "--output-dir creates missing directories: $(cat "$T/err")"; fi
expect_err "cannot create directory" "$MPE" progen --seed 1 -o "$T/x.mpeb" --expect "$p/sub"
printf 'matmul\nhalt\n' >"$T/trap.s"
"$MPE" asm "$T/trap.s" -o "$T/trap.mpeb" &&
    expect_err "trap (nocfg) in cycle 0: pc 0: matmul: no preceding cfgpe" "$MPE" run "$T/trap.mpeb"
printf 'store deps=pop_prev rows=1 rowbytes=16\nhalt\n' >"$T/dead.s"
"$MPE" asm "$T/dead.s" -o "$T/dead.mpeb" &&
    expect_err "deadlock" "$MPE" run "$T/dead.mpeb"
expect_err "unknown mode" "$MPE" progen --seed 1 -o "$T/x.mpeb" --mode weird
expect_err "bad seed" "$MPE" progen --seed -4 -o "$T/x.mpeb"
expect_err "unknown mode" "$MPE" bench-accel --mode nope
"$MPE" run --help >/dev/null && "$MPE" progen --help >/dev/null &&
    "$MPE" bench-accel --help >/dev/null && ok || bad "--help"

suite_end
