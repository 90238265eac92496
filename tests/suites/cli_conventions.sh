#!/usr/bin/env bash
# Command-line conventions of the mpe tool (docs/cli.md): --version, `mpe help
# CMD`, --opt=value, a flag without its value named in the error, exit codes,
# strerror reasons for files that cannot be read, and every flag a subcommand
# parses (read from its source) listed in its --help. Last line
# "P passed, F failed".
. "$(dirname "$0")/../suite_lib.sh"

# expect RC TEXT CMD...: exit status RC and TEXT in the output (stdout+stderr)
expect() {
    local want=$1 text=$2
    shift 2
    "$@" >"$tmp/out" 2>&1
    local rc=$?
    if [ "$rc" -eq "$want" ] && grep -qF -- "$text" "$tmp/out"; then
        ok "$* -> $rc, '$text'"
    else
        bad "$* -> exit $rc (want $want), output: $(head -c 300 "$tmp/out")"
    fi
}

expect 0 "mpe 0." "$MPE" --version
expect 0 "ISA version" "$MPE" version
expect 2 "usage: mpe <command>" "$MPE"
expect 2 "unknown command 'nope'" "$MPE" nope
expect 1 "cannot read (No such file or directory)" "$MPE" run "$tmp/missing.mpeb"
expect 1 "cannot read (Is a directory)" "$MPE" run "$tmp"
expect 1 "cannot read (No such file or directory)" "$MPE" asm "$tmp/missing.s" -o "$tmp/x.mpeb"
expect 1 "cannot read (No such file or directory)" "$MPE" disasm "$tmp/missing.mpeb"
expect 1 "No such file or directory" "$MPE" compile "$tmp/missing.onnx" -o "$tmp/x.mpeb"
expect 1 "No such file or directory" "$MPE" compile tests/onnx/qdq_mlp_mixed/model.onnx \
    -o "$tmp/x.mpeb" --arch "$tmp/missing.cfg"

# --opt=value is --opt value: the same binary
M=tests/onnx/qdq_mlp_mixed/model.onnx
"$MPE" compile $M -o "$tmp/a.mpeb" --mode bitserial --arch arch/default.cfg
"$MPE" compile $M -o "$tmp/b.mpeb" --mode=bitserial --arch=arch/default.cfg
cmp -s "$tmp/a.mpeb" "$tmp/b.mpeb" && ok "--mode=bitserial --arch=F equals --mode bitserial --arch F" ||
    bad "--opt=value gives another binary"
expect 2 "unexpected argument '--bogus'" "$MPE" compile $M -o "$tmp/c.mpeb" --bogus=3

# every subcommand: `mpe help CMD` is `mpe CMD --help`; every value-taking
# flag of its source says it needs a value when none follows; every flag the
# source parses is in the --help text
while read -r name fn; do
    src=tools/$(grep -l "^int $fn(" tools/*.c | head -n 1 | xargs basename)
    "$MPE" "$name" --help >"$tmp/h1" 2>&1
    rc1=$?
    "$MPE" help "$name" >"$tmp/h2" 2>&1
    if [ "$rc1" -eq 0 ] && [ -s "$tmp/h1" ] && cmp -s "$tmp/h1" "$tmp/h2"; then
        ok "mpe help $name = mpe $name --help"
    else
        bad "mpe help $name differs from mpe $name --help (exit $rc1)"
    fi
    for flag in $(grep -oE 'tool_opt\([a-z\[\]]+, "[^"]+"' "$src" | sed -E 's/.*"([^"]+)"/\1/' | sort -u); do
        expect 2 "option '$flag' needs a value" "$MPE" "$name" "$flag"
    done
    missing=
    for flag in $(grep -oE '(strcmp|tool_opt)\([][a-z*]+, "-[-a-z0-9]+"' "$src" |
                  sed -E 's/.*"(-[^"]+)"/\1/' | grep -vxE -- '--help|-h' | sort -u); do
        grep -qF -- "$flag" "$tmp/h1" || missing="$missing $flag"
    done
    [ -z "$missing" ] && ok "mpe $name --help lists every flag its source parses" ||
        bad "mpe $name --help does not list:$missing"
done < <(sed -nE 's/^CMD\("([^"]+)", ([a-z_]+),.*/\1 \2/p' tools/commands.def)

suite_end
