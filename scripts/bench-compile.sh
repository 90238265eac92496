#!/usr/bin/env bash
# Compile-time benchmark of the ONNX compiler: a generated model with ~100 M
# 4-bit weights (6 chained com.microsoft MatMulNBits layers of 4096 x 4096,
# block 32, packed zero points), with its initializers embedded in model.onnx
# and as ONNX external data (model.onnx + model.onnx.data). Prints compile
# time and peak memory (getrusage ru_maxrss, from mpe compile --stats) against
# the targets: under 10 s and under 2x the model's size. With embedded
# initializers the file is mapped and protobuf-c's copies of the initializers
# replace its pages as they are decoded (compiler/import.c); with external
# data the initializers are read per tensor. The compiler frees each layer's
# source as soon as it is packed and streams the binary to disk. Usage:
#   scripts/bench-compile.sh [BUILD] [LAYERS] [DIM]
# Exit status 1 if a target is missed.
set -u
BUILD=${1:-build}
LAYERS=${2:-6}
DIM=${3:-4096}
cd "$(dirname "$0")/.." || exit 2
MPE=$BUILD/bin/mpe
GEN=$BUILD/bin/mpe-gen-onnx
DIR=$BUILD/bench-compile
rm -rf "$DIR" && mkdir -p "$DIR" || exit 2
"$GEN" bench "$DIR/embedded" --layers "$LAYERS" --dim "$DIM" || exit 1
"$GEN" bench "$DIR/external" --layers "$LAYERS" --dim "$DIM" --external || exit 1
echo "compile benchmark: $LAYERS MatMulNBits layers ${DIM}x${DIM}, 4-bit, block 32" \
     "($((LAYERS * DIM * DIM)) weights)"
ok=1
for kind in embedded external; do
    size=$(cat "$DIR/$kind"/model.onnx* | wc -c)
    line=$("$MPE" compile "$DIR/$kind/model.onnx" -o "$DIR/$kind.mpeb" --stats) || { ok=0; continue; }
    wall=$(sed -E 's/^compile: ([0-9.]+) s wall.*/\1/' <<<"$line")
    rss=$(sed -E 's/.*peak RSS ([0-9]+) KiB.*/\1/' <<<"$line")
    ratio=$(awk -v r="$rss" -v s="$size" 'BEGIN { printf "%.2f", r * 1024 / s }')
    printf '  %-8s model %6.1f MB -> binary %6.1f MB: %s, %.2fx the model size\n' "$kind" \
        "$(awk -v s="$size" 'BEGIN { print s / 1e6 }')" \
        "$(awk -v s="$(wc -c <"$DIR/$kind.mpeb")" 'BEGIN { print s / 1e6 }')" \
        "${line#compile: }" "$ratio"
    awk -v w="$wall" -v r="$ratio" 'BEGIN { exit !(w < 10 && r < 2) }' || ok=0
done
rm -f "$DIR"/*.mpeb
if [ $ok -eq 1 ]; then
    echo "  targets met: < 10 s and < 2x the model size, embedded and external"
    exit 0
fi
echo "  TARGET MISSED (< 10 s and < 2x the model size)"
exit 1
