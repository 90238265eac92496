#!/usr/bin/env bash
# mpe asm / disasm / isa-doc / isa-vh from the command line: round trips of
# the example programs and of every compiled model of tests/onnx (compile ->
# asm and compile -> disasm -> asm give the same bytes), a hand-written
# program with declared tensors run on an input, one-line errors with a
# non-zero exit for bad sources, directives, configs and binaries, and the
# freshness of the generated docs/isa.md section 7 and rtl/mpe_isa.vh +
# rtl/mpe_arch.vh. Ends with "P passed, F failed".
. "$(dirname "$0")/../suite_lib.sh"

# expect_err WANT_RC WANT_TEXT CMD...: exit status WANT_RC, exactly one line
# on stderr containing WANT_TEXT.
expect_err() {
    local want_rc=$1 want=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ "$rc" -eq "$want_rc" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -qF -- "$want" "$tmp/err"; then
        ok "error: $want"
    else
        bad "error: $want (exit $rc, stderr: $(head -c 300 "$tmp/err"))"
    fi
}

[ -x "$MPE" ] || { echo "no $MPE"; echo "0 passed, 1 failed"; exit 1; }

# ---- round trips of the examples -------------------------------------------
for src in examples/asm/*.s; do
    name=$(basename "$src" .s)
    mkdir -p "$tmp/$name/a" "$tmp/$name/b" "$tmp/$name/c"
    cp "$src" "$tmp/$name/a/prog.s"
    (cd "$tmp/$name/a" && "$MPE" asm prog.s -o prog.mpeb --arch "$ROOT/arch/default.cfg")
    check $? "$name: assembles"
    "$MPE" disasm "$tmp/$name/a/prog.mpeb" >"$tmp/$name/b/prog.s"
    check $? "$name: disassembles"
    # other file names on the way back: the bytes must not depend on them
    cp "$tmp/$name/b/prog.s" "$tmp/$name/b/other-name.s"
    (cd "$tmp/$name/b" && "$MPE" asm other-name.s -o prog.mpeb)
    cmp -s "$tmp/$name/a/prog.mpeb" "$tmp/$name/b/prog.mpeb"
    check $? "$name: disasm -> asm gives the same binary"
    "$MPE" disasm --pc "$tmp/$name/a/prog.mpeb" >"$tmp/$name/c/again.s" &&
        (cd "$tmp/$name/c" && "$MPE" asm "$tmp/$name/c/again.s" -o prog.mpeb) &&
        cmp -s "$tmp/$name/a/prog.mpeb" "$tmp/$name/c/prog.mpeb"
    check $? "$name: the same with --pc"
done
n=$(grep -c '^    [a-z]' "$tmp/gemm_dbuf/b/prog.s")
[ "$n" -eq 26 ] && grep -q '^L16:$' "$tmp/gemm_dbuf/b/prog.s" &&
    grep -q 'dbnz rs=r3 target=L16' "$tmp/gemm_dbuf/b/prog.s"
check $? "gemm_dbuf: 26 instructions, loop label at 16"

# ---- a hand-written program with its tensors and data, run on an input ---------
# gemm_io.s: y[m][n] = (n + 1) * sum_k x[m][k] + 1000 n for an int8 x [4][16].
g=$tmp/gemm_io
grep -q '^\.data 0x2000' "$g/b/prog.s" && grep -q '^\.input x host=int8 dtype=int8 shape=4,16 addr=0x1000$' "$g/b/prog.s" &&
    grep -q '^\.output y host=int32 out=int32 shape=4,4 addr=0x4000 layout=tiled params=4,16,4,16$' "$g/b/prog.s"
check $? "gemm_io: disasm prints the tensors and the data"
# x.npy by hand: x[m][k] = 16 m + k - 32, an int8 .npy of shape (4, 16)
hdr="{'descr': '|i1', 'fortran_order': False, 'shape': (4, 16), }"
while [ $(((10 + ${#hdr} + 1) % 64)) -ne 0 ]; do hdr="$hdr "; done
{
    printf '\x93NUMPY\x01\x00'
    printf "\\x$(printf %02x $(((${#hdr} + 1) & 255)))\\x$(printf %02x $(((${#hdr} + 1) >> 8)))"
    printf '%s\n' "$hdr"
    for m in 0 1 2 3; do for k in $(seq 0 15); do printf "\\x$(printf %02x $(((16 * m + k - 32) & 255)))"; done; done
} >"$g/x.npy"
"$MPE" run "$g/a/prog.mpeb" --input x="$g/x.npy" --output-dir "$g/out" >"$g/run.log" 2>&1
check $? "gemm_io: mpe run --input x=x.npy"
want=""
for m in 0 1 2 3; do for n in 0 1 2 3; do want="$want $(((n + 1) * (256 * m - 392) + 1000 * n))"; done; done
if [ -f "$g/out/y.npy" ]; then
    hl=$(od -An -t u2 -j 8 -N 2 "$g/out/y.npy" | tr -d ' ')
    got=$(od -An -t d4 -v -j $((10 + hl)) "$g/out/y.npy" | tr -s ' \n' ' ')
else
    got="(no out/y.npy)"
fi
[ "$got" = "$want " ]
check $? "gemm_io: y = (n+1) * rowsum(x) + 1000 n (got:$got)"
expect_err 1 "input 'x' not given" "$MPE" run "$g/a/prog.mpeb" --output-dir "$g/out2"

# ---- every compiled model: --emit-asm and disasm assemble to the same binary -----
nmodels=0
for model in tests/onnx/*/model.onnx; do
    name=$(basename "$(dirname "$model")")
    d=$tmp/onnx/$name
    mkdir -p "$d"
    nmodels=$((nmodels + 1))
    if ! "$MPE" compile "$model" -o "$d/a.mpeb" --emit-asm "$d/a.s" 2>"$d/err"; then
        bad "$name: compiles ($(head -c 200 "$d/err"))"
        continue
    fi
    "$MPE" asm "$d/a.s" -o "$d/b.mpeb" && cmp -s "$d/a.mpeb" "$d/b.mpeb"
    check $? "$name: compile --emit-asm -> asm gives the same $(stat -c %s "$d/a.mpeb") bytes"
    "$MPE" disasm "$d/a.mpeb" >"$d/c.s" && "$MPE" asm "$d/c.s" -o "$d/d.mpeb" && cmp -s "$d/a.mpeb" "$d/d.mpeb"
    check $? "$name: disasm -> asm gives the same binary"
done
[ "$nmodels" -ge 30 ]
check $? "round trips of $nmodels models of tests/onnx"
l=$tmp/onnx/qdq_mlp_mixed/a.s
grep -q '^\.input ' "$l" && grep -q '^\.output ' "$l" && grep -q '^\.data ' "$l" && grep -q '^\.meta "producer mpe compile\\n"$' "$l" &&
    grep -q "^# layer 0 '" "$l"
check $? "the --emit-asm listing has the tensors, data, meta text and layer comments"
"$MPE" disasm --no-data "$tmp/onnx/qdq_mlp_mixed/a.mpeb" >"$tmp/nodata.s" &&
    ! grep -q '^\.data' "$tmp/nodata.s" && grep -q '^# data: .*(not shown' "$tmp/nodata.s"
check $? "disasm --no-data leaves the data out and says so"

# ---- directive errors -------------------------------------------------------------
printf 'nop\n.data 0x100\n.hex 0g\n' >"$tmp/d1.s"
expect_err 1 "$tmp/d1.s:3: bad hex bytes '0g' (pairs of hex digits)" "$MPE" asm "$tmp/d1.s" -o "$tmp/e.mpeb"
printf 'halt\n.data 0x3fffff0\n.zero 17\n' >"$tmp/d2.s"
expect_err 1 "$tmp/d2.s:3: the data record at 0x3fffff0 (line 2) runs past the end of the 67108864-byte memory" "$MPE" asm "$tmp/d2.s" -o "$tmp/e.mpeb"
printf '.input x host=int8 dtype=int8 shape=4 addr=0\n.output x host=int8 out=int8 shape=4 addr=16\nhalt\n' >"$tmp/d3.s"
expect_err 1 "$tmp/d3.s:2: tensor 'x' declared twice (first on line 1)" "$MPE" asm "$tmp/d3.s" -o "$tmp/e.mpeb"
printf '.input x host=int8 dtype=int9x shape=4 addr=0\nhalt\n' >"$tmp/d4.s"
expect_err 1 "$tmp/d4.s:1: bad value 'int9x' for tensor field 'dtype'" "$MPE" asm "$tmp/d4.s" -o "$tmp/e.mpeb"
printf '.input x host=int8 out=int8 shape=4\nhalt\n' >"$tmp/d5.s"
expect_err 1 "$tmp/d5.s:1: tensor field 'addr' missing" "$MPE" asm "$tmp/d5.s" -o "$tmp/e.mpeb"
printf 'halt\n.meta "unterminated\n' >"$tmp/d6.s"
expect_err 1 "$tmp/d6.s:2: unterminated string" "$MPE" asm "$tmp/d6.s" -o "$tmp/e.mpeb"
printf '.data 0x10\n.hex 01 02\n.data 0x11\n.hex 03\nhalt\n' >"$tmp/d7.s"
expect_err 1 "$tmp/d7.s:3: the data record at 0x11 (1 bytes) overlaps the one of line 1" "$MPE" asm "$tmp/d7.s" -o "$tmp/e.mpeb"
printf 'halt\n.arch rows=8\n' >"$tmp/d8.s"
expect_err 1 "$tmp/d8.s:2: .arch must come before the code, data and tensors" "$MPE" asm "$tmp/d8.s" -o "$tmp/e.mpeb"
printf '.arch rows=8\nhalt\n' >"$tmp/d9.s"
expect_err 1 "$tmp/d9.s:1: rows=8, but the assembler was given the architecture with rows=4" "$MPE" asm "$tmp/d9.s" -o "$tmp/e.mpeb" --arch arch/default.cfg
printf 'rows 8\n' >"$tmp/rows8.cfg"
"$MPE" asm "$tmp/d9.s" -o "$tmp/r8.mpeb" && "$MPE" disasm --arch "$tmp/rows8.cfg" "$tmp/r8.mpeb" >/dev/null 2>&1
check $? ".arch rows=8 without --arch builds for rows 8"
printf '.zero 4\n' >"$tmp/d10.s"
expect_err 1 "$tmp/d10.s:1: .zero outside a data record" "$MPE" asm "$tmp/d10.s" -o "$tmp/e.mpeb"
[ ! -e "$tmp/e.mpeb" ]
check $? "no binary written on directive errors"

# ---- assembler errors --------------------------------------------------------
printf 'nop\nfoo rd=r1\n' >"$tmp/e1.s"
expect_err 1 "$tmp/e1.s:2: unknown mnemonic 'foo'" "$MPE" asm "$tmp/e1.s" -o "$tmp/e.mpeb"
printf 'li rd=r1\n\ndbnz rs=r1 target=nowhere\n' >"$tmp/e2.s"
expect_err 1 "$tmp/e2.s:3: unknown label 'nowhere'" "$MPE" asm "$tmp/e2.s" -o "$tmp/e.mpeb"
printf 'li rd=r16 imm=1\n' >"$tmp/e3.s"
expect_err 1 "$tmp/e3.s:1: bad register 'r16'" "$MPE" asm "$tmp/e3.s" -o "$tmp/e.mpeb"
printf 'load rows=70000\n' >"$tmp/e4.s"
expect_err 1 "$tmp/e4.s:1: value 70000 out of range for field 'rows' (0..65535)" "$MPE" asm "$tmp/e4.s" -o "$tmp/e.mpeb"
printf 'load sp=asp sp=wsp\n' >"$tmp/e5.s"
expect_err 1 "$tmp/e5.s:1: field 'sp' given twice" "$MPE" asm "$tmp/e5.s" -o "$tmp/e.mpeb"
printf 'store sp=asp\n' >"$tmp/e6.s"
expect_err 1 "$tmp/e6.s:1: unknown field 'sp' for 'store'" "$MPE" asm "$tmp/e6.s" -o "$tmp/e.mpeb"
printf '# nothing\n' >"$tmp/e7.s"
expect_err 1 "$tmp/e7.s: no instructions" "$MPE" asm "$tmp/e7.s" -o "$tmp/e.mpeb"
[ ! -e "$tmp/e.mpeb" ]
check $? "no binary written on errors"
expect_err 1 "$tmp/missing.s: cannot read" "$MPE" asm "$tmp/missing.s" -o "$tmp/e.mpeb"
printf 'nop\n' >"$tmp/ok.s"
printf 'rows 4\nlanes 18\n' >"$tmp/bad.cfg"
expect_err 1 "$tmp/bad.cfg:2: lanes: 18 is not a multiple of 4" "$MPE" asm "$tmp/ok.s" -o "$tmp/e.mpeb" --arch "$tmp/bad.cfg"
printf 'imem_insns 16\n' >"$tmp/small.cfg"
for i in $(seq 17); do echo nop; done >"$tmp/big.s"
expect_err 1 "17 instructions do not fit the 16-instruction memory" "$MPE" asm "$tmp/big.s" -o "$tmp/e.mpeb" --arch "$tmp/small.cfg"
expect_err 1 "cannot write" "$MPE" asm "$tmp/ok.s" -o "$tmp/nodir/x.mpeb"
expect_err 2 "usage: mpe asm" "$MPE" asm "$tmp/ok.s"
expect_err 2 "usage: mpe asm" "$MPE" asm "$tmp/ok.s" -o "$tmp/x.mpeb" --bogus

# ---- bad binaries --------------------------------------------------------------
"$MPE" asm examples/asm/sync_gemm.s -o "$tmp/good.mpeb"
size=$(stat -c %s "$tmp/good.mpeb")
head -c $((size - 1)) "$tmp/good.mpeb" >"$tmp/trunc.mpeb"
expect_err 1 "$tmp/trunc.mpeb: file size field says $size bytes but $((size - 1)) were read (truncated)" "$MPE" disasm "$tmp/trunc.mpeb"
head -c 10 "$tmp/good.mpeb" >"$tmp/trunc2.mpeb"
expect_err 1 "truncated: 10 bytes" "$MPE" disasm "$tmp/trunc2.mpeb"
: >"$tmp/empty.mpeb"
expect_err 1 "truncated: 0 bytes" "$MPE" disasm "$tmp/empty.mpeb"
cp "$tmp/good.mpeb" "$tmp/flip.mpeb"
printf '\x55' | dd of="$tmp/flip.mpeb" bs=1 seek=100 conv=notrunc 2>/dev/null
expect_err 1 "CRC mismatch" "$MPE" disasm "$tmp/flip.mpeb"
cp "$tmp/good.mpeb" "$tmp/ver.mpeb"
printf '\x02' | dd of="$tmp/ver.mpeb" bs=1 seek=4 conv=notrunc 2>/dev/null
expect_err 1 "format version 2" "$MPE" disasm "$tmp/ver.mpeb"
cp "$tmp/good.mpeb" "$tmp/isa.mpeb"
printf '\x07' | dd of="$tmp/isa.mpeb" bs=1 seek=6 conv=notrunc 2>/dev/null
expect_err 1 "ISA version 7" "$MPE" disasm "$tmp/isa.mpeb"
expect_err 1 "bad magic" "$MPE" disasm examples/asm/sync_gemm.s
expect_err 1 "cannot read" "$MPE" disasm "$tmp/none.mpeb"
printf 'rows 8\n' >"$tmp/r8.cfg"
expect_err 1 "rows: 4 in the binary, 8 in the configuration" "$MPE" disasm --arch "$tmp/r8.cfg" "$tmp/good.mpeb"
"$MPE" disasm --arch arch/default.cfg "$tmp/good.mpeb" >/dev/null
check $? "disasm --arch accepts the matching configuration"
expect_err 2 "usage: mpe disasm" "$MPE" disasm
# every truncation of a small binary is rejected with one line, never a crash
all=0
for n in $(seq 0 $((size - 1))); do
    head -c "$n" "$tmp/good.mpeb" >"$tmp/t.mpeb"
    "$MPE" disasm "$tmp/t.mpeb" >/dev/null 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne 1 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ]; then all=1; echo "length $n: exit $rc"; fi
done
check $all "all $size truncations rejected with exit 1 and one line"

# ---- generated documentation and RTL includes ----------------------------------
"$MPE" isa-doc --check docs/isa.md
check $? "docs/isa.md section 7 is up to date (run 'mpe isa-doc docs/isa.md')"
sed 's/^| \[4:0\] | `op` | 0x13 | opcode |$/| [4:0] | `op` | 0x14 | opcode |/' docs/isa.md >"$tmp/stale.md"
! cmp -s docs/isa.md "$tmp/stale.md"
check $? "the staleness test edits the matmul table"
expect_err 1 "the generated encodings are stale" "$MPE" isa-doc --check "$tmp/stale.md"
"$MPE" isa-doc "$tmp/stale.md" && cmp -s docs/isa.md "$tmp/stale.md"
check $? "isa-doc regenerates the stale copy to the checked-in text"
printf '# no markers\n' >"$tmp/nomark.md"
expect_err 1 "no '<!-- BEGIN GENERATED ENCODINGS -->' ... '<!-- END GENERATED ENCODINGS -->' markers" "$MPE" isa-doc --check "$tmp/nomark.md"
expect_err 2 "usage: mpe isa-doc" "$MPE" isa-doc
n_insn=$(grep -c '^INSN(' isa/insns.def)
n_doc=$(grep -c '^### `' docs/isa.md)
[ "$n_insn" -eq "$n_doc" ]
check $? "docs/isa.md has one table per instruction ($n_insn)"

"$MPE" isa-vh --check --arch arch/default.cfg -o rtl
check $? "rtl/mpe_isa.vh and rtl/mpe_arch.vh are up to date (run 'mpe isa-vh --arch arch/default.cfg -o rtl')"
mkdir -p "$tmp/vh"
cp rtl/mpe_isa.vh rtl/mpe_acc_pkg.vh rtl/mpe_arch.vh "$tmp/vh/"
"$MPE" isa-vh --check --arch arch/default.cfg -o "$tmp/vh"
check $? "a copy of the three generated RTL includes checks as current"
sed -i 's/MPE_OP_LOAD = 5.h08/MPE_OP_LOAD = 5'"'"'h09/' "$tmp/vh/mpe_isa.vh"
expect_err 1 "mpe_isa.vh is stale" "$MPE" isa-vh --check --arch arch/default.cfg -o "$tmp/vh"
cp rtl/mpe_isa.vh "$tmp/vh/"
sed -i '/MPE_OP_MATMUL_MASK/s/128.h0/128'"'"'h8/' "$tmp/vh/mpe_isa.vh"
expect_err 1 "mpe_isa.vh is stale" "$MPE" isa-vh --check --arch arch/default.cfg -o "$tmp/vh"
cp rtl/mpe_isa.vh "$tmp/vh/"
sed -i '/TRAP_BUS/d' "$tmp/vh/mpe_acc_pkg.vh"
expect_err 1 "mpe_acc_pkg.vh is stale" "$MPE" isa-vh --check --arch arch/default.cfg -o "$tmp/vh"
n_t=$(grep -c '^TRAP(' isa/traps.def)
n_vh=$(grep -c '^localparam \[.*\] TRAP_' rtl/mpe_acc_pkg.vh)
[ "$n_t" -eq "$n_vh" ] && [ "$n_t" -gt 10 ]
check $? "rtl/mpe_acc_pkg.vh has every trap cause of isa/traps.def ($n_t)"
n_i=$(grep -c '^INSN(' isa/insns.def)
n_vh=$(grep -c '^localparam \[127:0\] MPE_OP_.*_MASK' rtl/mpe_isa.vh)
[ "$n_i" -eq "$n_vh" ]
check $? "rtl/mpe_isa.vh has a decode mask for every instruction ($n_i)"
expect_err 1 "mpe_arch.vh is stale" "$MPE" isa-vh --check --arch "$tmp/r8.cfg" -o rtl
expect_err 1 "$tmp/bad.cfg:2: lanes: 18" "$MPE" isa-vh --check --arch "$tmp/bad.cfg" -o rtl
expect_err 2 "usage: mpe isa-vh" "$MPE" isa-vh --check
n_f=$(grep -c '^FIELD(' isa/insns.def)
n_vh=$(grep -c '^localparam integer MPE_F_.*_LSB' rtl/mpe_isa.vh)
[ "$n_f" -eq "$n_vh" ]
check $? "rtl/mpe_isa.vh has every field of insns.def ($n_f)"
if command -v verilator >/dev/null; then
    mkdir -p "$tmp/lint"
    cat >"$tmp/lint/t.v" <<'EOF'
`include "mpe_arch.vh"
module t #(parameter integer ROWS = `MPE_ARCH_ROWS) (
    input wire [127:0] insn_i,
    output wire [19:0] spaddr_o,
    output wire is_load_o
);
`include "mpe_isa.vh"
    assign spaddr_o = insn_i[MPE_F_LOAD_SPADDR_LSB +: MPE_F_LOAD_SPADDR_W];
    assign is_load_o = insn_i[MPE_OP_LSB +: MPE_OP_W] == MPE_OP_LOAD && ROWS == 4;
    wire unused_ok = &{1'b0, insn_i[127:31], insn_i[10:5]};
endmodule
EOF
    verilator --lint-only -Wall -Wno-UNUSEDPARAM -I"$ROOT/rtl" "$tmp/lint/t.v" >"$tmp/lint/log" 2>&1
    r=$?
    [ $r -ne 0 ] && head -20 "$tmp/lint/log"
    check $r "the RTL includes compile in a module (verilator --lint-only -Wall)"
else
    echo "SKIP verilator not installed: RTL include lint"
fi

for c in asm disasm isa-doc isa-vh; do
    "$MPE" "$c" --help | grep -q "usage: mpe $c"
    check $? "mpe $c --help"
done

suite_end
