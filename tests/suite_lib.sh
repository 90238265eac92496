# Sourced by the shell suites (tests/suites/*.sh): the common preamble.
# Sets ROOT (the checkout, also the working directory), BUILD (argument 1,
# else $MPE_BUILD, else build), MPE (the tool, absolute), tmp (a directory
# removed at exit, with $tmp_cleanup run first), the counters pass/fail and
# ok/bad/check, and suite_end, which prints the closing "P passed, F failed"
# line and exits with the suite's status. A suite that does not run the mpe
# tool sets SUITE_NO_MPE=1 before sourcing; otherwise a missing tool is one
# failure. skip_suite REASON prints REASON and "0 passed, 0 failed" and exits.
set -u
BUILD=${1:-${MPE_BUILD:-build}}
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
ROOT=$PWD
case $BUILD in
/*) MPE=$BUILD/bin/mpe ;;
*) MPE=$ROOT/$BUILD/bin/mpe ;;
esac
pass=0
fail=0
# ok [TEXT], bad TEXT: count a check (ok prints TEXT when given)
ok() { [ $# -eq 0 ] || echo "pass: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
# check STATUS TEXT: ok if STATUS is 0, else bad
check() { if [ "$1" -eq 0 ]; then ok "$2"; else bad "$2"; fi; }
tmp=$(mktemp -d)
tmp_cleanup=:
trap 'eval "$tmp_cleanup"; rm -rf "$tmp"' EXIT
suite_end() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit
}
skip_suite() {
    echo "$1"
    echo "0 passed, 0 failed"
    exit 0
}
if [ "${SUITE_NO_MPE:-0}" != 1 ] && [ ! -x "$MPE" ]; then
    echo "no $MPE"
    echo "0 passed, 1 failed"
    exit 1
fi
