# Sourced by the shell suites (tests/suites/*.sh): the common preamble.
# Sets ROOT (the checkout), BUILD (argument 1, default build), MPE (the tool,
# absolute), tmp (a directory removed at exit, with $tmp_cleanup run first),
# the counters and ok/bad/check, and suite_end, which prints the closing
# "P passed, F failed" line and exits with the suite's status.
set -u
BUILD=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
ROOT=$PWD
case $BUILD in
/*) MPE=$BUILD/bin/mpe ;;
*) MPE=$ROOT/$BUILD/bin/mpe ;;
esac
pass=0
fail=0
ok() { echo "pass: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1"; fail=$((fail + 1)); }
check() { if [ "$1" -eq 0 ]; then ok "$2"; else bad "$2"; fi; }
tmp=$(mktemp -d)
tmp_cleanup=:
trap 'eval "$tmp_cleanup"; rm -rf "$tmp"' EXIT
suite_end() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit
}
[ -x "$MPE" ] || { echo "no $MPE"; echo "0 passed, 1 failed"; exit 1; }
