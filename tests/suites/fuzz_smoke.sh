#!/usr/bin/env bash
# The libFuzzer harnesses of tests/fuzz/ kept alive (tests/fuzz/README.md):
# builds them with clang (make fuzz-build, into build/fuzz/), replays every
# regression input of tests/fuzz/regress/ (one check each) and, under
# MPE_SAN=1 (make test SAN=1), fuzzes each harness for FUZZ_SMOKE_S seconds
# (default 3) from the seeds made by the mpe tool in $1 (one check each).
# Installs clang and libFuzzer (scripts/install-deps.sh) when missing.
# Ends with "P passed, F failed".
SUITE_NO_MPE=1
. "$(dirname "$0")/../suite_lib.sh"
SECS=${FUZZ_SMOKE_S:-3}

have_fuzzer() {
    command -v clang >/dev/null 2>&1 &&
        echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { (void)d; return (int)n & 0; }' |
        clang -x c -fsanitize=fuzzer,address,undefined -o /dev/null - >/dev/null 2>&1
}
if ! have_fuzzer; then
    scripts/install-deps.sh
    if ! have_fuzzer; then
        echo "FAIL clang with -fsanitize=fuzzer is not available (scripts/install-deps.sh)"
        echo "0 passed, 1 failed"
        exit 1
    fi
fi
mkdir -p build/fuzz
if ! make --no-print-directory -j"$(nproc)" fuzz-build >build/fuzz/build.log 2>&1; then
    tail -n 30 build/fuzz/build.log
    echo "FAIL make fuzz-build (build/fuzz/build.log)"
    echo "0 passed, 1 failed"
    exit 1
fi
# run.sh prints the closing line (not exec, so that the temp dir is removed)
if [ "${MPE_SAN:-0}" = 1 ]; then
    tests/fuzz/run.sh --build build/fuzz --tools "$BUILD" --seconds "$SECS" --smoke
    exit
fi
tests/fuzz/run.sh --build build/fuzz --replay-only
exit
