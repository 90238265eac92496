#!/usr/bin/env bash
# The SystemC/TLM model of the accelerator (sim/tlm/): the platform example
# (build/sim/tlm/mpe-tlm) runs binaries through the TLM sockets and must
# agree with `mpe run --backend cmodel`: statistics lines (cycles, pe_busy,
# utilization, macs, instructions), the commit trace, output tensors byte
# for byte (and progen's --expect reference), trap and limit messages.
# Every run also uses --reference (the same job on a plain C model: state,
# statistics, trap and all of memory equal) and checks that the simulated
# time from START to the interrupt is cycles x period. Then the register
# interface's error paths (PROG_LEN, bus errors on a DMA read and write) and
# one-line CLI errors. Skipped under sanitizers (SystemC is not rebuilt).
# usage: tests/suites/systemc_tlm.sh BUILD_DIR; ends with "P passed, F failed".
. "$(dirname "$0")/../suite_lib.sh"
B=$BUILD
T=$tmp
if [ "${MPE_SAN:-0}" = 1 ] || [[ "$B" == *san* ]]; then
    skip_suite "systemc_tlm: skipped in sanitizer builds"
fi
TLM="$B/sim/tlm/mpe-tlm"

if ! make -s --no-print-directory BUILD="$B" "$B/bin/mpe" "$TLM" >"$T/build.log" 2>&1; then
    tail -30 "$T/build.log"
    echo "0 passed, 1 failed"
    exit 1
fi

stats() { grep -E '^(cycles|pe_busy|utilization|macs|instructions) ' "$1"; }

# time_ok OUT: "sim_time ... elapsed E ps = N cycles x P ps" with E = N * P
time_ok() {
    local line
    line=$(grep '^sim_time ' "$1") || return 1
    echo "$line" | awk '{ e = $9; n = $12; p = $15; exit !(e == n * p && $10 == "ps") }'
}

# tlm_run NAME MPEB [mpe-tlm options]: the platform against `mpe run`.
# Checks: exit 0, statistics lines equal, trace equal, time, reference.
tlm_run() {
    local name=$1 prog=$2
    shift 2
    local d="$T/$name"
    mkdir -p "$d/run" "$d/tlm"
    if ! "$MPE" run "$prog" --output-dir "$d/run" --trace "$d/run.trace" >"$d/run.out" \
        2>"$d/run.err"; then
        bad "$name: mpe run: $(cat "$d/run.err")"
        return 1
    fi
    if ! "$TLM" "$prog" --reference --output-dir "$d/tlm" --trace "$d/tlm.trace" "$@" \
        >"$d/tlm.out" 2>"$d/tlm.err"; then
        bad "$name: mpe-tlm $*: $(head -5 "$d/tlm.err")"
        return 1
    fi
    if [ -n "$(stats "$d/tlm.out")" ] && diff <(stats "$d/run.out") <(stats "$d/tlm.out") >"$d/diff"; then
        ok
    else
        bad "$name: statistics differ: $(cat "$d/diff")"
    fi
    cmp -s "$d/run.trace" "$d/tlm.trace" && ok || bad "$name: commit traces differ"
    time_ok "$d/tlm.out" && ok || bad "$name: $(grep sim_time "$d/tlm.out")"
    grep -q '^reference     match' "$d/tlm.out" && ok || bad "$name: no reference match"
    local same=1
    for f in "$d"/run/*.npy; do
        [ -e "$f" ] || continue
        cmp -s "$f" "$d/tlm/$(basename "$f")" || same=0
    done
    [ $same -eq 1 ] && ok || bad "$name: output tensors differ from mpe run"
}

checksum() { sed -n 's/^checksum *//p' "$T/$1/tlm.out"; }

# ---- the examples, with random data in their input regions --------------------
for s in gemm_dbuf sync_gemm loop_dbnz; do
    "$MPE" asm "examples/asm/$s.s" -o "$T/$s.mpeb" 2>"$T/err" || bad "asm $s: $(cat "$T/err")"
done
tlm_run gemm_dbuf "$T/gemm_dbuf.mpeb" --fill 0x10000:0x20100:7 --region 0x40000:768
tlm_run gemm_dbuf8 "$T/gemm_dbuf.mpeb" --fill 0x10000:0x20100:8 --region 0x40000:768
tlm_run gemm_dbuf_beats "$T/gemm_dbuf.mpeb" --fill 0x10000:0x20100:7 --region 0x40000:768 --beats
tlm_run sync_gemm "$T/sync_gemm.mpeb" --fill 0x1000:0x3000:3 --region 0x4000:256
tlm_run loop_dbnz "$T/loop_dbnz.mpeb" --fill 0x80000:0x3100:4
# the data goes through the sockets: other data, other outputs; per-beat
# transactions give the same outputs
[ "$(checksum gemm_dbuf)" != "$(checksum gemm_dbuf8)" ] && ok ||
    bad "gemm_dbuf: outputs do not depend on the filled data"
[ "$(checksum gemm_dbuf)" = "$(checksum gemm_dbuf_beats)" ] && ok ||
    bad "gemm_dbuf: --beats changes the outputs"
# 120 beats read, 48 written: one transaction per beat with --beats
grep -q '^tlm  *reads 120 (1920 bytes), writes 48 (768 bytes)' "$T/gemm_dbuf_beats/tlm.out" &&
    grep -q '^tlm  *reads 8 (1920 bytes), writes 6 (768 bytes)' "$T/gemm_dbuf/tlm.out" && ok ||
    bad "gemm_dbuf: transactions: $(grep -h '^tlm' "$T"/gemm_dbuf*/tlm.out)"

# START again after a finished run (the host repeats load, start, collect)
"$TLM" "$T/gemm_dbuf.mpeb" --runs 3 --reference --fill 0x10000:0x20100:7 --region 0x40000:768 \
    >"$T/runs.out" 2>"$T/err" && [ "$(sed -n 's/^checksum *//p' "$T/runs.out")" = "$(checksum gemm_dbuf)" ] &&
    time_ok "$T/runs.out" && ok || bad "--runs 3: $(cat "$T/err")"

# A load of bytes that a store of the same time is still writing (the store
# row is half written when the load starts): the staged row must see them.
cat >"$T/race.s" <<'EOF'
    load  sp=asp spaddr=0 mem=0x10000 rows=1 rowbytes=256 stride=256
    store spaddr=0 mem=0x4000 rows=1 rowbytes=1024 stride=1024
    load  sp=wsp spaddr=0 mem=0x4000 rows=1 rowbytes=16 stride=16
    sync
    halt
EOF
"$MPE" asm "$T/race.s" -o "$T/race.mpeb" || bad "asm race"
tlm_run race "$T/race.mpeb" --fill 0x4000:0x400:5 --region 0x4000:0x400
tlm_run race_beats "$T/race.mpeb" --fill 0x4000:0x400:5 --region 0x4000:0x400 --beats

# ---- random programs: outputs equal mpe run and progen's reference ------------
for mode in mixed sync double tokens loop; do
    for seed in 1 2; do
        n=p_${mode}_$seed
        mkdir -p "$T/$n.exp"
        "$MPE" progen --seed "$seed" --mode "$mode" -o "$T/$n.mpeb" --expect "$T/$n.exp" \
            2>"$T/err" || { bad "progen $mode $seed: $(cat "$T/err")"; continue; }
        tlm_run "$n" "$T/$n.mpeb" || continue
        same=1
        for f in "$T/$n.exp"/*.npy; do
            cmp -s "$f" "$T/$n/tlm/$(basename "$f")" || same=0
        done
        [ $same -eq 1 ] && ok || bad "$n: outputs differ from progen --expect"
    done
done
# inputs placed by the host through their descriptors
for seed in 11 12; do
    n=in_$seed
    mkdir -p "$T/$n.exp"
    "$MPE" progen --seed "$seed" -o "$T/$n.mpeb" --expect "$T/$n.exp" --inputs 2>"$T/err" ||
        { bad "progen --inputs $seed: $(cat "$T/err")"; continue; }
    mkdir -p "$T/$n/run" "$T/$n/tlm"
    "$MPE" run "$T/$n.mpeb" --input "x0=$T/$n.exp/x0.npy" --output-dir "$T/$n/run" >"$T/$n/run.out" &&
        "$TLM" "$T/$n.mpeb" --input "x0=$T/$n.exp/x0.npy" --output-dir "$T/$n/tlm" --reference \
            >"$T/$n/tlm.out" 2>"$T/err" || { bad "$n: $(cat "$T/err")"; continue; }
    same=1
    for f in "$T/$n.exp"/y*.npy; do
        cmp -s "$f" "$T/$n/tlm/$(basename "$f")" || same=0
    done
    [ $same -eq 1 ] && diff -q <(stats "$T/$n/run.out") <(stats "$T/$n/tlm.out") >/dev/null &&
        ok || bad "$n: outputs or statistics differ"
done

# ---- timing: quantum and clock period do not change results, time scales ------
p="$T/p_double_1.mpeb"
for opt in "--quantum 1" "--quantum 1000000" "--period-ps 2500" "--period-ps 3333 --beats"; do
    # shellcheck disable=SC2086
    if "$TLM" "$p" --reference $opt >"$T/q.out" 2>"$T/err"; then
        diff -q <(stats "$T/p_double_1/run.out") <(stats "$T/q.out") >/dev/null && time_ok "$T/q.out" &&
            [ "$(sed -n 's/^checksum *//p' "$T/q.out")" = "$(checksum p_double_1)" ] &&
            ok || bad "$opt: $(grep -E '^(cycles|sim_time|checksum)' "$T/q.out")"
    else
        bad "$opt: $(cat "$T/err")"
    fi
done
grep -q 'x 2500 ps$' <("$TLM" "$p" --period-ps 2500 | grep sim_time) && ok || bad "period 2500 ps not used"

# ---- traps and the cycle limit: same message as mpe run, time still exact ------
# expect_fail NAME TEXT CMD...: exit 1, exactly one stderr line containing TEXT
expect_fail() {
    local name=$1 text=$2
    shift 2
    "$@" >"$T/$name.out" 2>"$T/$name.err"
    local rc=$?
    if [ $rc -eq 0 ]; then
        bad "$name: expected failure: $*"
    elif ! grep -qF -- "$text" "$T/$name.err"; then
        bad "$name: '$text' not in: $(head -c 300 "$T/$name.err")"
    elif [ "$(wc -l <"$T/$name.err")" -ne 1 ]; then
        bad "$name: not one line: $(cat "$T/$name.err")"
    else
        ok
    fi
}
printf 'matmul\nhalt\n' >"$T/trap.s"
printf 'store deps=pop_prev rows=1 rowbytes=16\nhalt\n' >"$T/dead.s"
"$MPE" asm "$T/trap.s" -o "$T/trap.mpeb" && "$MPE" asm "$T/dead.s" -o "$T/dead.mpeb" || bad "asm traps"
for n in trap dead; do
    "$MPE" run "$T/$n.mpeb" 2>"$T/$n.want" >/dev/null
    expect_fail "$n" "$(sed 's/^mpe run: //' "$T/$n.want")" "$TLM" "$T/$n.mpeb" --reference
    time_ok "$T/$n.out" && grep -q '^reference     match' "$T/$n.out" && grep -q '^status  *trap' "$T/$n.out" &&
        ok || bad "$n: $(cat "$T/$n.out")"
done
expect_fail limit "no halt within 100 cycles" "$TLM" "$T/gemm_dbuf.mpeb" --max-cycles 100 --reference
grep -q '= 100 cycles x 10000 ps' "$T/limit.out" && grep -q '^reference     match' "$T/limit.out" &&
    ok || bad "limit: $(cat "$T/limit.out")"

# ---- accelerator errors through the registers -----------------------------------
g="$T/sync_gemm.mpeb"
expect_fail len0 "PROG_LEN 0 outside 1..16384 (ERROR=1" "$TLM" "$g" --prog-len 0
expect_fail lenbig "PROG_LEN 20000 outside 1..16384 (ERROR=1" "$TLM" "$g" --prog-len 20000
grep -q '= 0 cycles x' "$T/len0.out" && ok || bad "len0: $(grep sim_time "$T/len0.out")"
# the code image read past the end of the memory target
expect_fail codebus "bus error reading the code image at 0xff00 (ERROR=2" \
    "$TLM" "$g" --code-addr 0xff00 --mem-size 0x10000 --prog-len 64
# a load from 0x80000 in a 64 KiB memory, a store to 0x4000 in 0x4010 bytes
expect_fail rdbus "bus error reading 64 bytes at 0x80000 in cycle 5 (ERROR=2 bus error (read), ERR_ADDR=0x80000)" \
    "$TLM" "$T/loop_dbnz.mpeb" --code-addr 0x8000 --mem-size 0x10000
expect_fail wrbus "bus error writing 64 bytes at 0x4000 in cycle" "$TLM" "$g" --code-addr 0x3800 \
    --mem-size 0x4010
grep -q 'ERR_ADDR=0x4000)' "$T/wrbus.err" && ok || bad "wrbus: $(cat "$T/wrbus.err")"
# per beat (the C model's own memory hook): the first failing beat
expect_fail rdbus_b "bus error reading 16 bytes at 0x80000 in cycle 5 (ERROR=2" \
    "$TLM" "$T/loop_dbnz.mpeb" --code-addr 0x8000 --mem-size 0x10000 --beats
expect_fail wrbus_b "bus error writing 16 bytes at 0x4010 in cycle 75 (ERROR=3" "$TLM" "$g" \
    --code-addr 0x3800 --mem-size 0x4010 --beats

# ---- command-line errors: one line, non-zero exit --------------------------------
x="$T/in_11.exp/x0.npy"
expect_fail e1 "no-such.mpeb" "$TLM" "$T/no-such.mpeb"
head -c 100 "$g" >"$T/trunc.mpeb"
expect_fail e2 "trunc.mpeb" "$TLM" "$T/trunc.mpeb"
expect_fail e3 "unknown option '--bogus'" "$TLM" "$g" --bogus
expect_fail e4 "no program given" "$TLM"
expect_fail e5 "bad --max-cycles 'ten'" "$TLM" "$g" --max-cycles ten
expect_fail e6 "bad --fill '1:2'" "$TLM" "$g" --fill 1:2
expect_fail e7 "--fill 0x3fffff0:32 outside memory" "$TLM" "$g" --fill 0x3fffff0:32:1
expect_fail e8 "input 'x0' not given" "$TLM" "$T/in_11.mpeb"
expect_fail e9 "has no input tensor 'q'" "$TLM" "$T/in_11.mpeb" --input "x0=$x" --input "q=$x"
expect_fail e10 "given twice" "$TLM" "$T/in_11.mpeb" --input "x0=$x" --input "x0=$x"
expect_fail e11 "overlap the registers" "$TLM" "$g" --code-addr 0x100000000
expect_fail e12 "output 'y0'" "$TLM" "$T/in_11.mpeb" --input "x0=$x" --output-dir "$T/no/such/dir"
"$TLM" --help | grep -q '^usage: mpe-tlm' && ok || bad "--help"

suite_end
