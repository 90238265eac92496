#!/usr/bin/env bash
# The libraries of the C model (libmpe.a), the runtime (libmperun.a) and the
# program generator (libmpegen.a) export no symbol without the mpe_ prefix:
# a helper used in one file is static, one shared by the files of a folder
# is named mpe_<folder>_... One check per library, and one that the check
# can fail (a symbol without the prefix in a scratch object). Last line
# "P passed, F failed".
. "$(dirname "$0")/../suite_lib.sh"


# unprefixed LIB...: the defined global symbols of LIB... without mpe_
unprefixed() {
    # (the sanitizers' own __odr_asan.* globals are not ours)
    nm -g --defined-only "$@" 2>/dev/null |
        awk '$2 ~ /^[TDBRCGSVW]$/ && $3 !~ /^mpe_/ && $3 !~ /^__odr_asan/ {print $3}' |
        sort -u
}

for lib in libmpe libmperun libmpegen; do
    a=$BUILD/lib/$lib.a
    if [ ! -f "$a" ]; then
        bad "$lib: no $a"
        continue
    fi
    list=$(unprefixed "$a")
    [ -z "$list" ] && ok "$lib.a: every exported symbol has the mpe_ prefix" ||
        bad "$lib.a exports symbols without the mpe_ prefix (make them static or rename them):" $list
done

# the check can fail
printf 'int helper_without_prefix(void) { return 1; }\nint mpe_fine(void) { return 2; }\n' >"$tmp/x.c"
if cc -c "$tmp/x.c" -o "$tmp/x.o" && ar rcs "$tmp/x.a" "$tmp/x.o" &&
        [ "$(unprefixed "$tmp/x.a")" = helper_without_prefix ]; then
    ok "an unprefixed symbol is found"
else
    bad "an unprefixed symbol in a scratch library is not found"
fi

suite_end
