# A whole program in one file: besides the code it declares its input and
# output tensors and carries its weights and output parameters as data, so
# that `mpe run` can place an input and write the output:
#
#   mpe asm gemm_io.s -o gemm_io.mpeb
#   mpe run gemm_io.mpeb --input x=x.npy --output-dir out/    # -> out/y.npy
#
# y[m][n] = sum_k x[m][k] * w[n][k] + bias[n] for a [4][16] int8 input x and
# a [4][16] int4 weight matrix whose column n is n+1 in every lane, bias[n] =
# 1000 n: y[m][n] = (n + 1) * (sum_k x[m][k]) + 1000 n, int32. One PE tile
# (R = 4 rows, C = 4 columns, K = 16 lanes), LUT mode, barriers as in
# sync_gemm.s.

.meta "producer: examples/asm/gemm_io.s\n"

# x: one activation vector (R x K int8 codes, row r lane k at r*16 + k, which
# is the row-major order of [4][16]); no scale, so the int8 values are the
# codes. y: the output block, an [4][16] int32 activation-layout vector of
# which columns 0..3 are the outputs (tiled: VR=4, K=16, Mp=4, Kp=16).
.input  x host=int8 dtype=int8 shape=4,16 addr=0x1000
.output y host=int32 out=int32 shape=4,4 addr=0x4000 layout=tiled params=4,16,4,16

    cfgpe   mode=lut akind=int abits=8 wkind=int wbits=4
    cfgout  rq=none out=int32 bias=1 lo=-0x80000000 hi=0x7fffffff
    cfggemm mt=1 nt=1 ks=1 akt=1 wkt=1 okt=1
    load    sp=asp spaddr=0 mem=0x1000 rows=1 rowbytes=64 stride=64
    load    sp=wsp spaddr=0 mem=0x2000 rows=1 rowbytes=32 stride=32
    load    sp=psp spaddr=0 mem=0x3000 rows=4 rowbytes=16 stride=16
    sync
    matmul  a=0 w=0 o=0 p=0
    sync
    store   spaddr=0 mem=0x4000 rows=4 rowbytes=64 stride=64
    sync
    halt

# The weight vector: C x K int4 codes, column c lane k at code c*16 + k, two
# codes a byte (low nibble first).
.data 0x2000
    .hex 11 11 11 11 11 11 11 11
    .hex 22 22 22 22 22 22 22 22
    .hex 33 33 33 33 33 33 33 33
    .hex 44 44 44 44 44 44 44 44

# One 16-byte output parameter record per column: bias (int32), multiplier,
# shift and zero point (unused without requantization, zero).
.data 0x3000
    .zero 16
    .hex e8 03 00 00                # bias 1000
    .zero 12
    .hex d0 07 00 00                # bias 2000
    .zero 12
    .hex b8 0b 00 00                # bias 3000
    .zero 12
