#!/usr/bin/env bash
# Per-pass golden tests of the compiler (QBE's test/*.ssa style): for a few
# small models of tests/onnx and every pass of compiler/compile.c,
# `mpe compile MODEL --dump-after PASS` must equal
# tests/golden/<model>/<pass>.txt; a mismatch prints a unified diff, so a
# change to a pass shows its IR delta. One check per (model, pass), one that
# the golden directory holds no stale file, and one that the comparison can
# fail (a changed line in a temporary copy).
# usage: tests/suites/golden.sh BUILD [--update]   (or MPE_GOLDEN_UPDATE=1)
# --update rewrites the golden files from the current compiler instead of
# comparing (review the change with git diff tests/golden). MPE_GOLDEN_DIR
# compares against (or updates) another copy of tests/golden. Last line
# "P passed, F failed".
. "$(dirname "$0")/../suite_lib.sh"
update=${MPE_GOLDEN_UPDATE:-0}
[ "${2:-}" = --update ] && update=1
GOLDEN=${MPE_GOLDEN_DIR:-tests/golden}
MODELS="qdq_mlp_mixed qdq_conv3x3_chain nbits_b4_zp qdq_fold_transpose qdq_matmul_u8_channel"
# every pass, in order, read from the pass table of compiler/compile.c
PASSES=$(grep -o '{"[a-z_]*", *pass_[a-z_]*}' compiler/compile.c | sed -E 's/\{"([a-z_]*)".*/\1/' | tr '\n' ' ')
[ -n "$PASSES" ] || bad "no pass found in compiler/compile.c"

# dump MODEL PASS OUT: the IR after PASS (the binary goes to the temp dir)
dump() {
    "$MPE" compile "tests/onnx/$1/model.onnx" -o "$tmp/x.mpeb" --dump-after "$2" >"$3" 2>"$tmp/err"
}

for m in $MODELS; do
    mkdir -p "$GOLDEN/$m"
    for p in $PASSES; do
        g=$GOLDEN/$m/$p.txt
        if ! dump "$m" "$p" "$tmp/out"; then
            bad "$m/$p: mpe compile --dump-after $p failed: $(head -c 300 "$tmp/err")"
            continue
        fi
        if [ "$update" = 1 ]; then
            if cmp -s "$tmp/out" "$g"; then
                ok "$m/$p: unchanged"
            else
                cp "$tmp/out" "$g" && ok "$m/$p: updated $g" || bad "$m/$p: cannot write $g"
            fi
        elif [ ! -f "$g" ]; then
            bad "$m/$p: no $g (run: bash tests/suites/golden.sh $BUILD --update)"
        elif diff -u --label "$g" --label "mpe compile --dump-after $p" "$g" "$tmp/out" >"$tmp/diff"; then
            ok "$m/$p"
        else
            bad "$m/$p: the IR after $p differs from $g:"
            cat "$tmp/diff"
        fi
    done
done

# no golden file without a model and pass above
stale=
for f in "$GOLDEN"/*/*.txt; do
    [ -e "$f" ] || continue
    m=$(basename "$(dirname "$f")")
    p=$(basename "$f" .txt)
    case " $MODELS " in *" $m "*) ;; *) stale="$stale $f" ;; esac
    case " $PASSES " in *" $p "*) ;; *) stale="$stale $f" ;; esac
done
[ -z "$stale" ] && ok "no stale golden file" || bad "stale golden files:$stale"

# the check can fail: one changed line in a copy of a golden file
m=${MODELS%% *}
cp "$GOLDEN/$m/tile.txt" "$tmp/tile.txt" 2>/dev/null
sed -i '1s/^/x/' "$tmp/tile.txt" 2>/dev/null
dump "$m" tile "$tmp/out"
if ! diff -u "$tmp/tile.txt" "$tmp/out" >"$tmp/diff" && grep -q '^-x' "$tmp/diff"; then
    ok "a changed golden line is detected and shown in the diff"
else
    bad "a changed golden line is not detected"
fi

suite_end
