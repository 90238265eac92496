# A GEMM ordered by barriers instead of dependency tokens: every phase ends
# with `sync`, which waits until every queue is empty and every unit idle.
# One [4][16] int8 activation tile times a [4][16] int4 weight tile (C=4
# columns) in LUT mode, int32 accumulators stored without requantization.

    cfgpe   mode=lut akind=int abits=8 wkind=int wbits=4
    cfgout  rq=none out=int32
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
