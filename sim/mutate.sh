#!/usr/bin/env bash
# Regression strength: applies each fault of sim/mutants.txt to a copy of
# rtl/, rebuilds the co-simulation against the mutant and runs the quick
# regression (make cosim's vector set: tb_fpacc, then cosim_pe --n 100000),
# stopping at the first mismatch. Reports caught/total and per mutant.
# usage: sim/mutate.sh [BUILD] [ID...]   (make mutate)
# COSIM_LIB=path/libmpe.a pins the C model (default: BUILD/lib/libmpe.a).
set -u
cd "$(dirname "$0")/.." || exit 2
BUILD=${1:-build}
shift || true
only=" $* "
SEED=${SEED:-1}
work=$BUILD/sim/mutants
mkdir -p "$work"
total=0
caught=0
results=()
while IFS='@' read -r id file what from to; do
    id=$(echo "$id" | xargs)
    case "$id" in ''|'#'*) continue ;; esac
    [ "$only" != "  " ] && [[ "$only" != *" $id "* ]] && continue
    file=$(echo "$file" | xargs)
    what=$(echo "$what" | sed 's/^ *//; s/ *$//')
    from=$(echo "$from" | sed 's/^ *//; s/ *$//')
    to=$(echo "$to" | sed 's/^ *//; s/ *$//')
    dir=$work/$id
    rm -rf "$dir/rtl"
    mkdir -p "$dir"
    cp -r rtl "$dir/rtl"
    n=$(FROM="$from" perl -0ne 'my $c = () = /\Q$ENV{FROM}\E/g; print $c' "$dir/rtl/$file")
    if [ "$n" != 1 ]; then
        echo "mutate: '$id': original text found $n times in rtl/$file" >&2
        exit 2
    fi
    FROM="$from" TO="$to" perl -0pi -e 's/\Q$ENV{FROM}\E/$ENV{TO}/' "$dir/rtl/$file"
    t0=$SECONDS
    fp=0
    case "$file" in mpe_fp32_round.v|mpe_fp32_add.v|mpe_fpacc.v) fp=1 ;; esac
    targets="$dir/cosim_pe"
    [ $fp -eq 1 ] && targets="$targets $dir/tb_fpacc"
    : >"$dir/run.log"
    # shellcheck disable=SC2086
    if ! make -s --no-print-directory BUILD="$BUILD" SIM_BUILD="$dir" RTL_DIR="$dir/rtl" \
        ${COSIM_LIB:+COSIM_LIB="$COSIM_LIB"} COSIM_TRACE= VL_OPT="OPT_FAST=-O0 OPT_SLOW=-O0 OPT_GLOBAL=-O0" \
        $targets >"$dir/build.log" 2>&1; then
        verdict="INVALID (does not build, see $dir/build.log)"
    elif [ $fp -eq 1 ] && ! "$dir/tb_fpacc" --seed "$SEED" >"$dir/run.log" 2>&1; then
        verdict="caught by tb_fpacc"
        caught=$((caught + 1))
    elif ! "$dir/cosim_pe" --seed "$SEED" --n 100000 >>"$dir/run.log" 2>&1; then
        first=$(grep -m1 '^MISMATCH' "$dir/run.log" |
            sed -E 's/.*case ([0-9]+) op [0-9]+ \(mode=([a-z]+).*corner ([a-z]+)\): (.*)/case \1, \2, \3: \4/')
        verdict="caught by cosim_pe ($first)"
        caught=$((caught + 1))
    else
        verdict="SURVIVED"
    fi
    total=$((total + 1))
    line=$(printf '%-13s %-58s %s [%ds]' "$id" "$what" "$verdict" $((SECONDS - t0)))
    echo "$line"
    results+=("$line")
    rm -rf "$dir/obj_cosim" "$dir/obj_fpacc"
done < sim/mutants.txt
echo
echo "mutation score: $caught of $total mutants caught"
[ "$caught" -eq "$total" ]
