#!/usr/bin/env bash
# mpe run / mpe test-onnx around the run (docs/cli.md): the progress line
# (its format, not its speed: MPE_PROGRESS_INTERVAL=0 prints every update),
# the default cycle limit from the binary's estimate, the layer table and
# --profile, the output summary, input errors (unknown names, NaN/Inf),
# exit code 3 for a missing RTL simulator, the --help synopses; on the RTL
# backend progress, --fst, --profile, and that SIGTERM/SIGINT/SIGKILL of
# mpe leave no simulator process (and, for the first two, no temporary
# directory; a private TMPDIR). The RTL part is skipped under sanitizers
# and when the simulator is not built. Last line "P passed, F failed".
. "$(dirname "$0")/../suite_lib.sh"
T=$tmp
# here check NAME CONDITION...: runs the condition (not suite_lib's check)
check() {
    local name=$1
    shift
    if "$@"; then ok "$name"; else bad "$name"; fi
}

# expect RC TEXT CMD...: exit status RC and one stderr line containing TEXT
expect() {
    local want=$1 text=$2
    shift 2
    "$@" >"$T/out" 2>"$T/err"
    local rc=$?
    if [ "$rc" -eq "$want" ] && grep -qF -- "$text" "$T/err" && [ "$(wc -l <"$T/err")" -eq 1 ]; then
        ok "$* -> $rc, '$text'"
    else
        bad "$* -> exit $rc (want $want), stderr: $(head -c 400 "$T/err")"
    fi
}

# a float32 .npy of shape (4, 256), all zero but the last element (4 bytes, octal escapes)
npy_4x256() {
    local dict="{'descr': '<f4', 'fortran_order': False, 'shape': (4, 256), }"
    local hl=$(( (10 + ${#dict} + 1 + 63) / 64 * 64 - 10 ))
    { printf '\223NUMPY\001\000'; printf "\\$(printf '%03o' $((hl % 256)))\\$(printf '%03o' $((hl / 256)))"
      printf '%-*s\n' $((hl - 1)) "$dict"; head -c 4092 /dev/zero; printf "$2"; } >"$1"
}

MODEL=examples/mlp_mixed
P=$T/m.mpeb
"$MPE" compile $MODEL/model.onnx -o "$P" --report "$T/r.json" 2>"$T/err" ||
    { bad "compile $MODEL: $(cat "$T/err")"; echo "$pass passed, $fail failed"; exit 1; }
est=$(sed -nE 's/^  "estimated_cycles": ([0-9]+),$/\1/p' "$T/r.json")
"$MPE" gen-npy --shape 4,256 "$T/x.npy" >/dev/null
X="x=$T/x.npy"

# ---- progress (C model) ------------------------------------------------------
# format of every line: PREFIX: N cycles, R cycles/s, estimate E cycles (P%), ETA S s
line_re="^mpe run: [0-9]+ cycles, [0-9]+ cycles/s, estimate $est cycles \\([0-9]+%\\), (ETA [0-9]+ s|past the estimate)\$"
MPE_PROGRESS_INTERVAL=0 "$MPE" run "$P" --input "$X" --progress >"$T/out" 2>"$T/prog"
rc=$?
n=$(wc -l <"$T/prog")
check "run --progress to a file: lines of the documented format ($n lines, estimate $est)" \
    test "$rc" -eq 0 -a "$n" -ge 2 -a "$(grep -cE "$line_re" "$T/prog")" -eq "$n"
check "progress cycle counts increase, the last one <= the run's cycles" \
    awk -v total="$(sed -nE 's/^cycles +//p' "$T/out")" '{ c = $3 + 0; if (c <= prev || c > total) exit 1; prev = c }' "$T/prog"
"$MPE" run "$P" --input "$X" --quiet 2>"$T/err"
check "no progress without --progress when stderr is not a terminal" test ! -s "$T/err"
# the default interval off a terminal is 5 s: a run of a few ms prints no line
"$MPE" run "$P" --input "$X" --quiet --progress 2>"$T/err"
check "--progress off a terminal: nothing before the first 5 s" test ! -s "$T/err"
if command -v script >/dev/null 2>&1; then
    MPE_PROGRESS_INTERVAL=0 script -qec "$MPE run $P --input $X --quiet" /dev/null >"$T/tty" 2>&1
    # one line rewritten: \r before each update, erase to the end of the line, no newline;
    # cleared at the end
    check "on a terminal: \\r-rewritten line, cleared at the end" \
        test "$(tr -cd '\r' <"$T/tty" | wc -c)" -ge 3 -a "$(tr -cd '\n' <"$T/tty" | wc -c)" -eq 0 \
        -a "$(tail -c 4 "$T/tty" | od -An -c | tr -d ' ')" = '\r033[K'
fi

# ---- cycle limits ----------------------------------------------------------------
printf 'li rd=r1 imm=0\nloop:\n    dbnz rs=r1 target=loop\nhalt\n' >"$T/hang.s"
printf '.meta "estimated_cycles 1000\\n"\n' | cat - "$T/hang.s" >"$T/hang_est.s"
"$MPE" asm "$T/hang.s" -o "$T/hang.mpeb" && "$MPE" asm "$T/hang_est.s" -o "$T/hang_est.mpeb" ||
    bad "asm of the hanging programs"
expect 1 "no halt within 104000 cycles: the default limit, 4 x the binary's estimate of 1000 cycles + 100000 (--max-cycles N changes it)" \
    "$MPE" run "$T/hang_est.mpeb"
expect 1 "no halt within 20000 cycles (--max-cycles 20000)" "$MPE" run "$T/hang.mpeb" --max-cycles 20000
MPE_PROGRESS_INTERVAL=0 "$MPE" run "$T/hang.mpeb" --max-cycles 20000 --progress 2>"$T/err"
check "progress without an estimate: 'no estimate'" \
    grep -qE '^mpe run: [0-9]+ cycles, [0-9]+ cycles/s, no estimate$' "$T/err"
"$MPE" run --help >"$T/help"
if grep -qF "default: 4 x the" "$T/help" && grep -qF "+ 100000; 1000000000 for a binary" "$T/help"; then
    ok "run --help documents both default limits"
else
    bad "run --help: default limits not documented: $(grep -A2 -- --max-cycles "$T/help")"
fi
"$MPE" bench-accel --mode mac_int8 --size 64 -o "$T/g.mpeb" >"$T/bench" &&
    MPE_PROGRESS_INTERVAL=0 "$MPE" run "$T/g.mpeb" --quiet --progress 2>"$T/err"
gcyc=$(awk '$1 == "mac_int8" { print $4 }' "$T/bench")
check "bench-accel -o records its C-model cycles ($gcyc) as the estimate" \
    grep -qE "^mpe run: [0-9]+ cycles, [0-9]+ cycles/s, estimate $gcyc cycles " "$T/err"

# ---- the layer table and --profile -----------------------------------------------
"$MPE" run "$P" --input "$X" --profile --quiet >"$T/prof"
grep -oE '"name": "[^"]*"' "$T/r.json" | sed -E 's/"name": "(.*)"/\1/' >"$T/names.report"
awk '/^  #/ { on = 1; next } on && $1 ~ /^[0-9]+$/ { print $2 }' "$T/prof" >"$T/names.prof"
check "--profile rows are the --report layers ($(tr '\n' ' ' <"$T/names.prof"))" \
    cmp -s "$T/names.report" "$T/names.prof"
check "--profile: layer cycles sum to the total, PE cycles to the measured pe_busy" \
    awk '$1 ~ /^[0-9]+$/ { c += $3; p += $5 } $1 == "total" { t = $2; b = $4 }
         /note:/ { exit 1 } END { exit !(c == t && p == b && t > 0) }' "$T/prof"
"$MPE" run "$T/g.mpeb" --profile --quiet >"$T/prof2"
check "--profile without a layer table: the whole program" \
    grep -q "no layer table in the binary" "$T/prof2"

# ---- outputs, inputs --------------------------------------------------------------
"$MPE" run "$P" --input "$X" >"$T/out"
check "without --output-dir: each output's type, shape, first values" \
    grep -qE '^output y: float32 4x16 \[[-0-9.e]+(, [-0-9.e]+){5}, \.\.\.\]$' "$T/out"
check "without --output-dir: says the outputs were not saved" grep -q "outputs not saved" "$T/out"
"$MPE" run "$P" --input "$X" --output-dir "$T/o" >"$T/out"
check "with --output-dir: the .npy files, no summary" \
    test -s "$T/o/y.npy" -a "$(grep -c '^output\|outputs not saved' "$T/out")" -eq 0
expect 1 "has no input tensor 'q' (its inputs: x)" "$MPE" run "$P" --input "$X" --input "q=$T/x.npy"
npy_4x256 "$T/nan.npy" '\000\000\300\177'
npy_4x256 "$T/inf.npy" '\000\000\200\377'
expect 1 "element 1023 of input 'x' is NaN; the input is quantized to int8" \
    "$MPE" run "$P" --input "x=$T/nan.npy"
expect 1 "element 1023 of input 'x' is infinite" "$MPE" run "$P" --input "x=$T/inf.npy"
N=/usr/share/libonnx-testdata/data/node/test_qlinearmatmul_2D
if [ -d "$N" ]; then
    expect 1 "--bind nope: the model has no graph input of that name (its inputs: 'a', 'a_scale'" \
        "$MPE" compile "$N/model.onnx" -o "$T/q.mpeb" --bind "nope=$N/test_data_set_0/input_1.pb"
fi
expect 2 "--fst needs --backend rtl" "$MPE" run "$P" --input "$X" --fst "$T/w.fst"

# ---- test-onnx ----------------------------------------------------------------------
MPE_PROGRESS_INTERVAL=0 "$MPE" test-onnx $MODEL --progress >"$T/out" 2>"$T/err"
check "test-onnx --progress: lines named by the data set" \
    grep -qE "^mpe test-onnx: $MODEL/test_data_set_2: [0-9]+ cycles, [0-9]+ cycles/s, estimate $est cycles" "$T/err"
"$MPE" test-onnx $MODEL --max-cycles 100 >"$T/out" 2>&1
rc=$?
check "test-onnx --max-cycles 100: every data set FAILs with the limit, exit 1" \
    test "$rc" -eq 1 -a "$(grep -c ': FAIL  run error: no halt within 100 cycles (--max-cycles 100)' "$T/out")" -eq 3

# ---- exit codes, help ----------------------------------------------------------------
MPE_RTL_SIM=$T/no-such-sim "$MPE" run "$P" --input "$X" --backend rtl 2>"$T/err"
rc1=$?
MPE_RTL_SIM=$T/no-such-sim "$MPE" test-onnx $MODEL --backend rtl >/dev/null 2>&1
rc2=$?
check "RTL not built: exit 3 in run ($rc1) and test-onnx ($rc2)" test "$rc1" -eq 3 -a "$rc2" -eq 3
for cmd in run test-onnx; do
    src=tools/cmd_$(tr -d '-' <<<"$cmd").c
    "$MPE" $cmd --help | awk 'NR == 1 || (/^ / && !gap) { print; next } { gap = 1 }' >"$T/syn"
    missing=
    for flag in $(grep -oE '(strcmp|tool_opt)\([][a-z*.]+, "-[-a-z0-9]+"' "$src" |
                  sed -E 's/.*"(-[^"]+)"/\1/' | sort -u); do
        grep -qE -- "(^|[[ |])$flag([] =|]|\$)" "$T/syn" || missing="$missing $flag"
    done
    check "mpe $cmd --help synopsis lists every flag of $src${missing:+ (missing:$missing)}" \
        test -z "$missing"
done

# ---- RTL backend -------------------------------------------------------------------------
if [ "${MPE_SAN:-0}" = 1 ] || [[ "$BUILD" == *san* ]]; then
    echo "RTL part skipped under sanitizers"
elif [ ! -x "$BUILD/sim/accel/mpe-rtl" ] && [ -z "${MPE_RTL_SIM:-}" ]; then
    echo "RTL part skipped: no $BUILD/sim/accel/mpe-rtl (make rtl-sim)"
else
    export TMPDIR=$T/tmp
    mkdir -p "$TMPDIR"
    MPE_PROGRESS_INTERVAL=0 "$MPE" run "$T/hang.mpeb" --backend rtl --max-cycles 5000 --progress \
        >/dev/null 2>"$T/err"
    rc=$?
    check "rtl: progress from the simulator, then the limit (exit $rc)" \
        test "$rc" -eq 1 -a "$(grep -cE '^mpe run: [0-9]+ cycles, [0-9]+ cycles/s, no estimate$' "$T/err")" -ge 2
    check "rtl: the limit message" grep -qF "no halt within 5000 cycles (--max-cycles 5000)" "$T/err"
    "$MPE" run "$P" --input "$X" --backend rtl --profile --fst "$T/w.fst" --quiet >"$T/prof_rtl" 2>"$T/err"
    check "rtl --profile equals the C model's" cmp -s "$T/prof" "$T/prof_rtl"
    check "rtl --fst writes a waveform" test -s "$T/w.fst"
    check "rtl runs leave no temporary directory" test -z "$(ls -A "$TMPDIR")"

    # stop_test SIGNAL STATUS: a hung program on the RTL (no --progress: no
    # pipe whose closing would also end the simulator), SIGNAL to mpe once
    # the simulator runs; mpe must die of SIGNAL and the simulator be gone
    # (or a zombie)
    stop_test() {
        local sig=$1 want=$2 pid child= rc i st
        set -m # the job gets its own process group and does not ignore SIGINT
        "$MPE" run "$T/hang.mpeb" --backend rtl >"$T/out" 2>"$T/err" &
        pid=$!
        set +m
        for i in $(seq 100); do child=$(pgrep -P "$pid") && break; sleep 0.05; done
        sleep 0.3
        kill -s "$sig" "$pid"
        wait "$pid"
        rc=$?
        for i in $(seq 20); do
            st=$(ps -o stat= -p "${child:-0}" 2>/dev/null)
            [ -z "$st" ] || [[ "$st" == Z* ]] && break
            sleep 0.1
        done
        check "rtl: SIG$sig to mpe: exit $rc (want $want), simulator $child: state '${st:-gone}'" \
            test -n "$child" -a "$rc" -eq "$want" -a \( -z "$st" -o "${st:0:1}" = Z \)
        [ -n "$st" ] && [[ "$st" != Z* ]] && kill -KILL "$child" # a survivor: do not leave it
    }
    stop_test TERM 143
    check "rtl: SIGTERM: the temporary directory is removed" test -z "$(ls -A "$TMPDIR")"
    stop_test INT 130
    check "rtl: SIGINT: the temporary directory is removed" test -z "$(ls -A "$TMPDIR")"
    stop_test KILL 137 # PR_SET_PDEATHSIG; its directory cannot be removed by anyone
    rm -rf "${TMPDIR:?}"/mpe-rtl-*
    unset TMPDIR
fi

suite_end
