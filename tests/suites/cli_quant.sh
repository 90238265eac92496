#!/usr/bin/env bash
# mpe quant / mpe gen-npy from the command line: every format on a generated
# 64x256 normal(0,1) input with a plausible SQNR window, output shape and
# dtype, re-quantization fixed points, groups/axes/rounding options, and
# one-line errors with a non-zero exit for bad options and malformed .npy
# files. Ends with "P passed, F failed".
. "$(dirname "$0")/../suite_lib.sh"

# expect_err WANT_RC WANT_TEXT CMD...: exit status WANT_RC, exactly one line
# on stderr containing WANT_TEXT, nothing on stdout.
expect_err() {
    local want_rc=$1 want=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ "$rc" -eq "$want_rc" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
        grep -qF -- "$want" "$tmp/err" && [ ! -s "$tmp/out" ]; then
        ok "error: $want"
    else
        bad "error: $want (exit $rc, stderr: $(head -c 300 "$tmp/err"))"
    fi
}

# mk_npy FILE DESCR SHAPE FORTRAN DATA_PRINTF: a version 1.0 .npy file.
mk_npy() {
    local dict="{'descr': '$2', 'fortran_order': $4, 'shape': $3, }"
    local total=$(( (10 + ${#dict} + 1 + 63) / 64 * 64 ))
    local hl=$((total - 10))
    {
        printf '\x93NUMPY\x01\x00'
        printf "\\x$(printf %02x $((hl & 255)))\\x$(printf %02x $((hl >> 8)))"
        printf '%s' "$dict"
        printf "%$((hl - ${#dict} - 1))s\n" ""
        printf "$5"
    } >"$1"
}

[ -x "$MPE" ] || { echo "no $MPE"; echo "0 passed, 1 failed"; exit 1; }

# ---- generator --------------------------------------------------------------
"$MPE" gen-npy --shape 64,256 --seed 1 "$tmp/x.npy"
check $? "gen-npy writes 64x256"
[ "$(stat -c %s "$tmp/x.npy")" -eq $((128 + 64 * 256 * 4)) ]
check $? "gen-npy file size"
"$MPE" gen-npy --shape 64,256 --seed 1 "$tmp/x2.npy" && cmp -s "$tmp/x.npy" "$tmp/x2.npy"
check $? "gen-npy is deterministic"
"$MPE" gen-npy --shape 64,256 --seed 2 "$tmp/x3.npy" && ! cmp -s "$tmp/x.npy" "$tmp/x3.npy"
check $? "gen-npy: another seed, other data"
"$MPE" gen-npy --shape 3,32 --dist uniform --scale 0.5 --seed 9 "$tmp/u.npy"
check $? "gen-npy uniform"
"$MPE" gen-npy --help | grep -q -- "--dist"
check $? "gen-npy --help"
# the generator's first value (seed 1) is fixed forever: file bytes 128..131
[ "$(od -An -tx1 -j128 -N4 "$tmp/x.npy" | tr -d ' \n')" = "$(od -An -tx1 -j128 -N4 "$tmp/x2.npy" | tr -d ' \n')" ]
check $? "gen-npy first value stable"

# ---- every format: SQNR window on normal(0,1) data ---------------------------
# format lo hi (dB), measured on this input: docs in the report of the work
while read -r f lo hi; do
    out=$("$MPE" quant --format "$f" "$tmp/x.npy" "$tmp/y_$f.npy" 2>"$tmp/err")
    rc=$?
    sq=$(echo "$out" | sed -n 's/^SQNR \([-0-9.]*\) dB, max abs error .*/\1/p')
    if [ "$rc" -eq 0 ] && [ -n "$sq" ] && echo "$out" | grep -q "16384 elements" &&
        awk -v s="$sq" -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(s >= lo && s <= hi) }'; then
        ok "$f: SQNR $sq dB in [$lo, $hi]"
    else
        bad "$f: exit $rc, SQNR '$sq' not in [$lo, $hi]: $out $(cat "$tmp/err")"
    fi
    # same shape and dtype: the numpy header is identical, size too
    cmp -s <(head -c 128 "$tmp/x.npy") <(head -c 128 "$tmp/y_$f.npy") &&
        [ "$(stat -c %s "$tmp/y_$f.npy")" -eq "$(stat -c %s "$tmp/x.npy")" ]
    check $? "$f: output is float32 64x256"
done <<'EOF'
int2 0 3
int3 7 11
int4 14 19
int5 21 25
int6 27 31
int7 33 38
int8 39 44
uint2 1.5 5
uint3 8.5 12
uint4 15 19
uint5 21 25
uint6 27 31
uint7 33 38
uint8 39 44
ternary 4.5 8
pow2 12 17
mxint8 39 44
mxfp8_e4m3 29 33
mxfp8_e5m2 23.5 27.5
mxfp6_e3m2 23.5 27.5
mxfp6_e2m3 29 33
mxfp4 17 21
nvfp4 18.5 22.5
bfp16 40 46
bfp12 17 21
fp16 70 78
bf16 53 58
EOF

# block formats and floats are fixed points: quantizing the output again
# gives the same file
for f in mxint8 mxfp8_e4m3 mxfp8_e5m2 mxfp6_e3m2 mxfp6_e2m3 mxfp4 bfp16 bfp12 fp16 bf16; do
    "$MPE" quant --format "$f" "$tmp/y_$f.npy" "$tmp/z_$f.npy" >/dev/null &&
        cmp -s "$tmp/y_$f.npy" "$tmp/z_$f.npy"
    check $? "$f: re-quantizing the output changes nothing"
done

# ---- options ------------------------------------------------------------------
sq() { sed -n 's/^SQNR \([-0-9.]*\) dB.*/\1/p'; }
a=$("$MPE" quant --format int4 "$tmp/x.npy" "$tmp/o.npy" | sq)
b=$("$MPE" quant --format int4 --group 32 "$tmp/x.npy" "$tmp/o.npy" | sq)
c=$("$MPE" quant --format int4 --axis 0 "$tmp/x.npy" "$tmp/o.npy" | sq)
d=$("$MPE" quant --format int4 --axis=-2 "$tmp/x.npy" "$tmp/o2.npy" | sq)
awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN { exit !(b > a && c > a) }'
check $? "int4: groups ($b dB) and per-row scales ($c dB) beat per tensor ($a dB)"
[ "$c" = "$d" ] && cmp -s "$tmp/o.npy" "$tmp/o2.npy"
check $? "--axis=-2 is axis 0"
"$MPE" quant --format bfp12 --group 8 "$tmp/x.npy" "$tmp/o.npy" | grep -q "block 8"
check $? "bfp12 --group 8"
"$MPE" quant --format mxfp4 --rounding away "$tmp/x.npy" "$tmp/o.npy" | grep -q "rounding away"
check $? "--rounding away"
"$MPE" quant --format=mxfp4 --rounding=even "$tmp/x.npy" "$tmp/o.npy" >/dev/null &&
    cmp -s "$tmp/o.npy" "$tmp/y_mxfp4.npy"
check $? "--opt=value form, rounding even is the default"
# the spec example: 32 copies of 1.875 in MXFP8 E4M3 give 1.75
mk_npy "$tmp/k.npy" '<f4' '(32,)' False "$(printf '\\x00\\x00\\xf0\\x3f%.0s' $(seq 32))"
"$MPE" quant --format mxfp8_e4m3 "$tmp/k.npy" "$tmp/k_out.npy" >/dev/null &&
    [ "$(od -An -tx1 -j128 -N4 "$tmp/k_out.npy" | tr -d ' \n')" = "0000e03f" ]
check $? "mxfp8_e4m3: 32 x 1.875 -> 1.75"
# NaN inputs: MX gives a NaN block and says so; integer formats refuse
mk_npy "$tmp/nan.npy" '<f4' '(1, 32)' False "\\x00\\x00\\xc0\\x7f$(printf '\\x00\\x00\\x80\\x3f%.0s' $(seq 31))"
"$MPE" quant --format mxfp4 "$tmp/nan.npy" "$tmp/o.npy" | grep -q "32 non-finite"
check $? "mxfp4: a NaN block is reported"
expect_err 1 "not finite" "$MPE" quant --format int8 "$tmp/nan.npy" "$tmp/o.npy"
# an all-zero input: error 0
mk_npy "$tmp/zero.npy" '<f4' '(16,)' False "$(printf '\\x00\\x00\\x00\\x00%.0s' $(seq 16))"
"$MPE" quant --format nvfp4 "$tmp/zero.npy" "$tmp/o.npy" | grep -q "SQNR inf dB, max abs error 0"
check $? "all-zero input"

# ---- help -----------------------------------------------------------------------
"$MPE" quant --help >"$tmp/help"
rc=$?
[ $rc -eq 0 ] && grep -q "usage: mpe quant" "$tmp/help" && grep -q "mxfp4 .*block 32 (fixed)" "$tmp/help" &&
    grep -q "nvfp4 .*block 16 (fixed)" "$tmp/help" && grep -q "bfp12 .*block 16 (--group 8..64)" "$tmp/help" &&
    grep -q "int4 .*per tensor (--axis A, --group 16..256)" "$tmp/help" && grep -q -- "--rounding" "$tmp/help"
check $? "quant --help describes formats and blocks"
for f in int2 int8 uint2 uint8 ternary pow2 mxint8 mxfp8_e4m3 mxfp8_e5m2 mxfp6_e3m2 mxfp6_e2m3 \
    mxfp4 nvfp4 bfp16 bfp12 fp16 bf16; do
    grep -q "^  $f " "$tmp/help" || { bad "--help lists $f"; continue; }
    ok "--help lists $f"
done
"$MPE" --help | grep -q "gen-npy"
check $? "mpe --help lists gen-npy"

# ---- errors ----------------------------------------------------------------------
X=$tmp/x.npy
expect_err 2 "unknown format: int9" "$MPE" quant --format int9 "$X" "$tmp/o.npy"
expect_err 2 "--format is required" "$MPE" quant "$X" "$tmp/o.npy"
expect_err 2 "--format needs a value" "$MPE" quant "$X" "$tmp/o.npy" --format
expect_err 2 "unknown option: --bogus" "$MPE" quant --format int8 --bogus "$X" "$tmp/o.npy"
expect_err 2 "expected IN.npy OUT.npy" "$MPE" quant --format int8 "$X"
expect_err 2 "too many arguments" "$MPE" quant --format int8 "$X" "$tmp/o.npy" extra
expect_err 2 "--rounding must be" "$MPE" quant --format int8 --rounding up "$X" "$tmp/o.npy"
expect_err 2 "bad --group value" "$MPE" quant --format int8 --group 1x "$X" "$tmp/o.npy"
expect_err 2 "--axis 2 out of range" "$MPE" quant --format int8 --axis 2 "$X" "$tmp/o.npy"
expect_err 1 "group 8 out of range 16..256" "$MPE" quant --format int4 --group 8 "$X" "$tmp/o.npy"
expect_err 1 "group 512 out of range" "$MPE" quant --format int4 --group 512 "$X" "$tmp/o.npy"
expect_err 1 "group 128 out of range 8..64" "$MPE" quant --format bfp16 --group 128 "$X" "$tmp/o.npy"
expect_err 1 "fixed at 32" "$MPE" quant --format mxfp4 --group 16 "$X" "$tmp/o.npy"
expect_err 1 "not available" "$MPE" quant --format mxfp4 --axis 0 "$X" "$tmp/o.npy"
expect_err 1 "not both" "$MPE" quant --format int8 --axis 0 --group 16 "$X" "$tmp/o.npy"
expect_err 1 "takes no group" "$MPE" quant --format fp16 --group 16 "$X" "$tmp/o.npy"
"$MPE" gen-npy --shape 4,48 "$tmp/x48.npy"
expect_err 1 "not a multiple of the block size 32" "$MPE" quant --format mxfp4 "$tmp/x48.npy" "$tmp/o.npy"
expect_err 1 "not a multiple of the block size 32" "$MPE" quant --format int4 --group 32 "$tmp/x48.npy" "$tmp/o.npy"
expect_err 1 "cannot read" "$MPE" quant --format int8 "$tmp/missing.npy" "$tmp/o.npy"
expect_err 1 "o.npy: cannot write (No such file or directory)" "$MPE" quant --format int8 "$X" "$tmp/no/dir/o.npy"
echo "hello, not numpy" >"$tmp/text.npy"
expect_err 1 "bad magic" "$MPE" quant --format int8 "$tmp/text.npy" "$tmp/o.npy"
head -c 60 "$X" >"$tmp/trunc.npy"
expect_err 1 "truncated" "$MPE" quant --format int8 "$tmp/trunc.npy" "$tmp/o.npy"
head -c 1000 "$X" >"$tmp/short.npy"
expect_err 1 "data has 872 bytes" "$MPE" quant --format int8 "$tmp/short.npy" "$tmp/o.npy"
: >"$tmp/empty.npy"
expect_err 1 "bad magic" "$MPE" quant --format int8 "$tmp/empty.npy" "$tmp/o.npy"
mk_npy "$tmp/fort.npy" '<f4' '(2, 2)' True "$(printf '\\x00%.0s' $(seq 16))"
expect_err 1 "fortran_order" "$MPE" quant --format int8 "$tmp/fort.npy" "$tmp/o.npy"
mk_npy "$tmp/u8.npy" '|u1' '(4,)' False '\x01\x02\x03\x04'
expect_err 1 "expected float32" "$MPE" quant --format int8 "$tmp/u8.npy" "$tmp/o.npy"
mk_npy "$tmp/be.npy" '>f4' '(1,)' False '\x3f\x80\x00\x00'
expect_err 1 "big-endian" "$MPE" quant --format int8 "$tmp/be.npy" "$tmp/o.npy"
mk_npy "$tmp/baddict.npy" '<f4' '(1,,)' False '\x00\x00\x80\x3f'
expect_err 1 "bad .npy header" "$MPE" quant --format int8 "$tmp/baddict.npy" "$tmp/o.npy"
mk_npy "$tmp/absurd.npy" '<f4' '(1000000000, 1000000000)' False '\x00\x00\x80\x3f'
expect_err 1 "shape too large" "$MPE" quant --format int8 "$tmp/absurd.npy" "$tmp/o.npy"
expect_err 2 "bad --shape" "$MPE" gen-npy --shape 4,,3 "$tmp/o.npy"
expect_err 2 "bad --shape" "$MPE" gen-npy --shape 100000,100000 "$tmp/o.npy"
expect_err 2 "--dist must be" "$MPE" gen-npy --shape 4 --dist gamma "$tmp/o.npy"
expect_err 2 "bad --seed" "$MPE" gen-npy --shape 4 --seed -1 "$tmp/o.npy"
expect_err 2 "are required" "$MPE" gen-npy --shape 4

suite_end
