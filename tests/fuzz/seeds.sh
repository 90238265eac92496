#!/usr/bin/env bash
# Seed corpora of the fuzz harnesses, made fresh from the repository's test
# inputs: seeds.sh TOOLS OUT. TOOLS is a build directory with bin/mpe and
# bin/mpe-gen-onnx (any build: only ordinary commands are run); without them
# the seeds that need the tool are left out. OUT/<harness>/ gets the files.
set -u
TOOLS=$1
OUT=$2
cd "$(dirname "$0")/../.." || exit 2
MPE=$TOOLS/bin/mpe
GEN=$TOOLS/bin/mpe-gen-onnx
have_tools=1
[ -x "$MPE" ] && [ -x "$GEN" ] || have_tools=0
rm -rf "$OUT"
for h in compile pb mpeb npy asm arch gguf; do mkdir -p "$OUT/$h"; done

# ONNX models and TensorProto files of tests/onnx
for d in tests/onnx/*/; do
    n=$(basename "$d")
    cp "$d/model.onnx" "$OUT/compile/$n.onnx"
    for pb in "$d"/test_data_set_*/*.pb; do
        s=$(basename "$(dirname "$pb")")
        cp "$pb" "$OUT/pb/$n-${s#test_data_set_}-$(basename "$pb")"
    done
done

# assembler sources and architecture files
cp examples/asm/*.s "$OUT/asm/"
cp arch/default.cfg "$OUT/arch/"
printf 'rows 8\ncols 8\nlanes 32\nlut_ppc 4\n' >"$OUT/arch/small.cfg"
printf '# minimal\nrows 1\ncols 1\nlanes 4\nasp_bytes 1024\nwsp_bytes 1024\npsp_bytes 256\nosp_bytes 1024\nbeat_bytes 4\nmem_bytes 65536\nimem_insns 16\nqueue_depth 1\n' >"$OUT/arch/min.cfg"

# GGUF blocks: type byte, shape bytes (harness header), blocks
{ printf '\000\000\040\000\000\074'; head -c 16 /dev/zero | tr '\0' '\211'; } >"$OUT/gguf/q4_0"
{ printf '\001\003\040\000\000\070'; head -c 32 /dev/zero | tr '\0' '\177'; \
  printf '\000\070'; head -c 32 /dev/zero | tr '\0' '\201'; } >"$OUT/gguf/q8_0_2x32"
{ printf '\002\000\000\001'; head -c 64 /dev/zero | tr '\0' '\044'; printf '\000\074'; } >"$OUT/gguf/tq2_0"
{ printf '\003\000\040\000\177'; head -c 16 /dev/zero | tr '\0' '\027'; } >"$OUT/gguf/mxfp4"

# .npy headers of each version and a few dtypes (the data follows the header)
npy() { # npy FILE MAJOR DESCR SHAPE DATABYTES
    local hdr="{'descr': '$3', 'fortran_order': False, 'shape': $4, }"
    hdr="$hdr$(printf '%*s' $(( (64 - (${#hdr} + 11) % 64) % 64 )) '')"
    hdr="$hdr"$'\n'
    if [ "$2" = 1 ]; then
        printf '\223NUMPY\001\000' >"$1"
        printf "\\$(printf '%03o' $(( ${#hdr} & 255 )))\\$(printf '%03o' $(( ${#hdr} >> 8 )))" >>"$1"
    else
        printf "\\223NUMPY\\$(printf '%03o' "$2")\\000" >"$1"
        printf "\\$(printf '%03o' $(( ${#hdr} & 255 )))\\$(printf '%03o' $(( ${#hdr} >> 8 )))\\000\\000" >>"$1"
    fi
    printf '%s' "$hdr" >>"$1"
    head -c "$5" /dev/zero | tr '\0' '\5' >>"$1"
}
npy "$OUT/npy/i1.npy" 1 '|i1' '(3, 5)' 15
npy "$OUT/npy/u2.npy" 2 '<u2' '(4,)' 8
npy "$OUT/npy/f2.npy" 3 '<f2' '(2, 1, 2)' 8
npy "$OUT/npy/i8.npy" 1 '<i8' '()' 8
npy "$OUT/npy/b1.npy" 1 '|b1' '(0, 3)' 0

[ "$have_tools" = 1 ] || { echo "seeds: no $MPE or $GEN: tool-made seeds left out" >&2; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$GEN" bad "$tmp/bad" >/dev/null 2>&1
for f in "$tmp"/bad/*.onnx; do [ -e "$f" ] && cp "$f" "$OUT/compile/bad-$(basename "$f")"; done
"$MPE" gen-npy --shape 4,8 "$OUT/npy/f4.npy" >/dev/null
# binaries: compiled test models, assembled examples, random programs
for d in tests/onnx/*/; do
    n=$(basename "$d")
    "$MPE" compile "$d/model.onnx" -o "$OUT/mpeb/$n.mpeb" >/dev/null 2>&1
done
for s in examples/asm/*.s; do
    "$MPE" asm "$s" -o "$OUT/mpeb/asm-$(basename "$s" .s).mpeb" >/dev/null 2>&1
done
for m in mixed sync double tokens loop; do
    "$MPE" progen --seed 1 --mode "$m" -o "$OUT/mpeb/progen-$m.mpeb" >/dev/null 2>&1
done
# their disassembly as assembler seeds
for b in "$OUT"/mpeb/qdq_mlp_mixed.mpeb "$OUT"/mpeb/progen-*.mpeb; do
    [ -e "$b" ] && "$MPE" disasm "$b" >"$OUT/asm/dis-$(basename "$b" .mpeb).s" 2>/dev/null
done
exit 0
