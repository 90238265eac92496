#!/usr/bin/env bash
# rtl/mpe_defs.vh must equal what scripts/gen_rtl_defs.c generates from the C
# headers (one source of truth for modes, operand kinds and formats), and the
# generator must reject bad arguments. Ends with "P passed, F failed".
SUITE_NO_MPE=1
. "$(dirname "$0")/../suite_lib.sh"
make -s --no-print-directory BUILD="$BUILD" "$BUILD/sim/gen-rtl-defs" >/dev/null
gen=$BUILD/sim/gen-rtl-defs

"$gen" "$tmp/defs.vh"
check $? "generator runs"
diff -u rtl/mpe_defs.vh "$tmp/defs.vh" >"$tmp/diff" 2>&1
r=$?
[ $r -ne 0 ] && { echo "rtl/mpe_defs.vh is stale; run 'make rtl-defs':"; head -20 "$tmp/diff"; }
check $r "rtl/mpe_defs.vh is up to date"
# every format of formats.def is in the include, with its fields
n_def=$(grep -c '^X(' cmodel/include/mpe/formats.def)
n_vh=$(grep -c '_EBITS ' rtl/mpe_defs.vh)
[ "$n_def" -eq "$n_vh" ]
check $? "all $n_def formats of formats.def present"
# the staleness check can fail: a changed field is detected
sed 's/`define MPE_FMT_E4M3_BIAS 7/`define MPE_FMT_E4M3_BIAS 8/' rtl/mpe_defs.vh >"$tmp/stale.vh"
! cmp -s "$tmp/stale.vh" "$tmp/defs.vh"
check $? "a stale field is detected"
# bad arguments: one-line error, non-zero exit
"$gen" a b >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]
check $? "extra arguments rejected"
"$gen" /nonexistent/dir/x.vh 2>"$tmp/err"
[ $? -ne 0 ] && grep -q "cannot write" "$tmp/err"
check $? "unwritable output rejected"
"$gen" --help | grep -q usage
check $? "--help"
suite_end
