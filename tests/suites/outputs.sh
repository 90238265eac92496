#!/usr/bin/env bash
# Nothing lost, nothing half-written (mpe/outfile.h): every writer of the mpe
# tool (compile -o, --emit-asm, --report, asm -o, gen-npy, quant, progen, run
# --output-dir and --trace) on a full disk (a 64 KiB tmpfs this suite mounts,
# and the MPE_FAULT_WRITE=1 switch), /dev/full, an unwritable directory, a
# symbolic link and "-" (standard output). After a failure the exit status is
# non-zero, no partial or temporary file exists and a file that was there
# before is unchanged. Last line "P passed, F failed".
. "$(dirname "$0")/../suite_lib.sh"
small=
tmp_cleanup='[ -n "$small" ] && umount "$small" 2>/dev/null'

MODEL=tests/onnx/qdq_mlp_mixed
"$MPE" compile $MODEL/model.onnx -o "$tmp/ref.mpeb" || { echo "0 passed, 1 failed"; exit 1; }
"$MPE" gen-npy --shape 4,32 --seed 3 "$tmp/w.npy" >/dev/null
"$MPE" progen --seed 9 -o "$tmp/gen.mpeb" >/dev/null
ASM=examples/asm/sync_gemm.s
"$MPE" asm $ASM -o "$tmp/prog.mpeb"

# writers TARGET: each command writes TARGET (a file name in a directory)
writer_cmds() {
    local t=$1
    printf '%s\n' \
        "compile $MODEL/model.onnx -o $t" \
        "compile $MODEL/model.onnx -o $tmp/c.mpeb --emit-asm $t" \
        "compile $MODEL/model.onnx -o $tmp/c.mpeb --report $t" \
        "asm $ASM -o $t" \
        "gen-npy --shape 4,16 --seed 1 $t" \
        "quant --format mxfp4 $tmp/w.npy $t" \
        "progen --seed 5 -o $t" \
        "run $tmp/prog.mpeb --trace $t"
}

# fails_clean NAME TARGET CMD...: non-zero exit, one error naming TARGET's
# file, TARGET unchanged (or still absent), no temporary file beside it
fails_clean() {
    local name=$1 target=$2 dir before after
    shift 2
    dir=$(dirname "$target")
    before=$( [ -f "$target" ] && md5sum <"$target")
    "$@" </dev/null >/dev/null 2>"$tmp/err"
    local rc=$?
    after=$( [ -f "$target" ] && md5sum <"$target")
    if [ "$rc" -ne 0 ] && [ "$before" = "$after" ] &&
       [ -z "$(find "$dir" -maxdepth 1 -name ".$(basename "$target").*" 2>/dev/null)" ] &&
       grep -q "cannot write\|standard output" "$tmp/err"; then
        ok "$name"
    else
        bad "$name (exit $rc; $(head -c 200 "$tmp/err"); before '$before' after '$after'; $(ls -a "$dir" | tr '\n' ' '))"
    fi
}

# ---- the fault switch: every writer, a new file and a file that was there
mkdir -p "$tmp/f"
while read -r cmd; do
    # shellcheck disable=SC2086 # the command's words
    fails_clean "MPE_FAULT_WRITE=1 mpe ${cmd%% *} (new file)" "$tmp/f/new.out" \
        env MPE_FAULT_WRITE=1 "$MPE" $cmd
done < <(writer_cmds "$tmp/f/new.out")
echo precious >"$tmp/f/old.out"
while read -r cmd; do
    # shellcheck disable=SC2086
    fails_clean "MPE_FAULT_WRITE=1 mpe ${cmd%% *} (existing file kept)" "$tmp/f/old.out" \
        env MPE_FAULT_WRITE=1 "$MPE" $cmd
done < <(writer_cmds "$tmp/f/old.out")
[ ! -e "$tmp/f/new.out" ] && [ "$(cat "$tmp/f/old.out")" = precious ] &&
    ok "after every fault: no new file, the old one intact" || bad "fault switch left files"

# ---- a real full disk: a 64 KiB tmpfs, filled by a large binary
if mkdir -p "$tmp/small" && mount -t tmpfs -o size=64k tmpfs "$tmp/small" 2>/dev/null; then
    small=$tmp/small
    "$MPE" compile examples/mlp_mixed/model.onnx -o "$tmp/big.mpeb"
    echo precious >"$small/model.mpeb"
    dd if=/dev/zero of="$small/filler" bs=1k 2>/dev/null # fill it to the last block
    fails_clean "full disk: compile -o over an existing file" "$small/model.mpeb" \
        "$MPE" compile examples/mlp_mixed/model.onnx -o "$small/model.mpeb"
    fails_clean "full disk: compile -o a new file" "$small/new.mpeb" \
        "$MPE" compile examples/mlp_mixed/model.onnx -o "$small/new.mpeb"
    fails_clean "full disk: mpe disasm > file" "$small/listing.s" \
        bash -c "\"$MPE\" disasm \"$tmp/big.mpeb\" > \"$small/listing.s\"; rc=\$?; rm -f \"$small/listing.s\"; exit \$rc"
    [ "$(cat "$small/model.mpeb")" = precious ] && ok "full disk: the old binary is intact" ||
        bad "full disk: the old binary changed"
    umount "$small" && small=
else
    echo "note: cannot mount a tmpfs here; the full-disk cases use MPE_FAULT_WRITE only"
fi

# ---- /dev/full: a device is written in place and never removed
fails_clean "compile -o /dev/full" /dev/full "$MPE" compile $MODEL/model.onnx -o /dev/full
[ -c /dev/full ] && ok "/dev/full is still a character device" || bad "/dev/full was removed"
fails_clean "mpe disasm > /dev/full" /dev/full bash -c "\"$MPE\" disasm \"$tmp/ref.mpeb\" >/dev/full"
fails_clean "mpe compile --help > /dev/full" /dev/full bash -c "\"$MPE\" compile --help >/dev/full"

# ---- "-" and a pipe: streamed, byte for byte the file
"$MPE" compile $MODEL/model.onnx -o - >"$tmp/stdout.mpeb" &&
    cmp -s "$tmp/stdout.mpeb" "$tmp/ref.mpeb" && ok "compile -o - writes the binary to stdout" ||
    bad "compile -o - differs from the file"
"$MPE" compile examples/mlp_mixed/model.onnx -o "$tmp/mlp.mpeb"
"$MPE" compile examples/mlp_mixed/model.onnx -o - | cmp -s - "$tmp/mlp.mpeb" &&
    ok "compile -o - into a pipe (a binary with data: no seek)" || bad "compile -o - | cmp"
mkfifo "$tmp/fifo"
cat "$tmp/fifo" >"$tmp/fifo.out" &
"$MPE" compile examples/mlp_mixed/model.onnx -o "$tmp/fifo"
wait
cmp -s "$tmp/fifo.out" "$tmp/mlp.mpeb" && [ -p "$tmp/fifo" ] &&
    ok "compile -o FIFO writes in place and keeps the FIFO" || bad "compile -o FIFO"

# ---- symbolic links: the file they name is replaced, the link stays
echo old >"$tmp/real.mpeb"
ln -s real.mpeb "$tmp/link.mpeb"
"$MPE" compile $MODEL/model.onnx -o "$tmp/link.mpeb" && [ -L "$tmp/link.mpeb" ] &&
    cmp -s "$tmp/real.mpeb" "$tmp/ref.mpeb" && ok "-o through a symbolic link" ||
    bad "-o through a symbolic link"
ln -s nowhere/x.mpeb "$tmp/dangling.mpeb"
fails_clean "-o a dangling symbolic link" "$tmp/dangling.mpeb" \
    "$MPE" compile $MODEL/model.onnx -o "$tmp/dangling.mpeb"
[ -L "$tmp/dangling.mpeb" ] && [ ! -e "$tmp/nowhere" ] && ok "the dangling link is left as it was" ||
    bad "the dangling link changed"

# ---- an unwritable directory (as an unprivileged user when we are root),
# a missing directory, a directory as the target
mkdir -p "$tmp/ro"
echo keep >"$tmp/ro/x.mpeb"
chmod 555 "$tmp/ro"
if [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null; then
    # the tool and its inputs copied where `nobody` can read them (the
    # checkout may be under a directory only root can enter)
    chmod 755 "$tmp"
    mkdir -p "$tmp/pub"
    cp "$MPE" "$tmp/pub/mpe"
    cp "$MODEL/model.onnx" "$tmp/pub/model.onnx"
    cp "$ASM" "$tmp/pub/prog.s"
    chmod -R a+rX "$tmp/pub"
    fails_clean "unwritable directory" "$tmp/ro/x.mpeb" \
        runuser -u nobody -- "$tmp/pub/mpe" compile "$tmp/pub/model.onnx" -o "$tmp/ro/x.mpeb"
    fails_clean "unwritable directory (asm)" "$tmp/ro/y.mpeb" \
        runuser -u nobody -- "$tmp/pub/mpe" asm "$tmp/pub/prog.s" -o "$tmp/ro/y.mpeb"
elif [ "$(id -u)" -ne 0 ]; then
    fails_clean "unwritable directory" "$tmp/ro/x.mpeb" "$MPE" compile $MODEL/model.onnx -o "$tmp/ro/x.mpeb"
fi
chmod 755 "$tmp/ro"
fails_clean "missing directory" "$tmp/none/x.mpeb" "$MPE" compile $MODEL/model.onnx -o "$tmp/none/x.mpeb"
[ ! -e "$tmp/none" ] && ok "the missing directory was not created" || bad "a directory appeared"
mkdir "$tmp/adir"
fails_clean "a directory as the target" "$tmp/adir/." "$MPE" compile $MODEL/model.onnx -o "$tmp/adir"
[ -d "$tmp/adir" ] && ok "the directory target is intact" || bad "the directory target changed"

# ---- a file mode is kept, a new file gets 0666 & ~umask
cp "$tmp/ref.mpeb" "$tmp/mode.mpeb"
chmod 640 "$tmp/mode.mpeb"
"$MPE" compile $MODEL/model.onnx -o "$tmp/mode.mpeb"
[ "$(stat -c %a "$tmp/mode.mpeb")" = 640 ] && ok "an existing file keeps its mode" ||
    bad "mode $(stat -c %a "$tmp/mode.mpeb")"
(umask 022 && "$MPE" compile $MODEL/model.onnx -o "$tmp/fresh.mpeb")
[ "$(stat -c %a "$tmp/fresh.mpeb")" = 644 ] && ok "a new file is 0666 & ~umask" ||
    bad "new file mode $(stat -c %a "$tmp/fresh.mpeb")"

# ---- run --output-dir on a fault: no output file appears
mkdir -p "$tmp/outdir"
env MPE_FAULT_WRITE=1 "$MPE" run "$tmp/gen.mpeb" --output-dir "$tmp/outdir" >/dev/null 2>"$tmp/err"
rc=$?
if [ "$rc" -ne 0 ] && [ -z "$(ls -A "$tmp/outdir")" ]; then
    ok "run --output-dir on a write fault: exit $rc, no file"
else
    bad "run --output-dir on a fault: exit $rc, files: $(ls -A "$tmp/outdir" | tr '\n' ' ')"
fi

suite_end
