# Double-buffered INT8 GEMM on the default architecture (R=4, C=4, K=16):
# six row blocks of A, each [8][32] int8 in the activation layout (2 tiles of
# R rows x 2 k-steps = 4 vectors of 64 bytes), times one W [8][32] int8
# (2 tiles of C columns x 2 k-steps), requantized to int8 with a bias.
# A blocks alternate between two ASP buffers (0 and 256) and outputs between
# two OSP buffers (0 and 128); dependency tokens order the three units:
#   load --L2C--> compute --C2S--> store, and back: compute --C2L--> load
#   (A buffer free), store --S2C--> compute (output buffer free).
# Memory: A at 0x10000 (6 x 256 bytes), W at 0x20000, output parameters at
# 0x30000 (8 columns x 16 bytes), outputs at 0x40000 (6 x 128 bytes).

    li      rd=r1 imm=0x10000              # next A block in memory
    li      rd=r2 imm=0x40000              # next output block in memory
    li      rd=r3 imm=2                    # loop iterations: block pairs after the first
    cfgpe   mode=mac akind=int abits=8 wkind=int wbits=8
    cfgout  rq=float out=int8 bias=1 lo=-128 hi=127
    cfggemm mt=2 nt=2 ks=2 akt=2 wkt=2 okt=1
    load    sp=wsp spaddr=0 mem=0x20000 rows=1 rowbytes=256 stride=256
    load    sp=psp spaddr=0 mem=0x30000 rows=1 rowbytes=128 stride=128
    load    deps=push_next sp=asp spaddr=0 rbase=r1 mem=0 rows=1 rowbytes=256 stride=256
    load    deps=push_next sp=asp spaddr=256 rbase=r1 mem=256 rows=1 rowbytes=256 stride=256
    addi    rd=r1 rs=r1 imm=512
    # First pair: both output buffers are free.
    matmul  deps=pop_prev,push_prev,push_next a=0 w=0 o=0 p=0
    store   deps=pop_prev,push_prev spaddr=0 rbase=r2 mem=0 rows=1 rowbytes=128 stride=128
    matmul  deps=pop_prev,push_prev,push_next a=256 w=0 o=128 p=0
    store   deps=pop_prev,push_prev spaddr=128 rbase=r2 mem=128 rows=1 rowbytes=128 stride=128
    addi    rd=r2 rs=r2 imm=256
loop:
    # Each load waits until the matmul of the previous round freed its buffer.
    load    deps=pop_next,push_next sp=asp spaddr=0 rbase=r1 mem=0 rows=1 rowbytes=256 stride=256
    load    deps=pop_next,push_next sp=asp spaddr=256 rbase=r1 mem=256 rows=1 rowbytes=256 stride=256
    addi    rd=r1 rs=r1 imm=512
    # Each matmul waits for its A block and for the store that freed its output buffer.
    matmul  deps=pop_prev,pop_next,push_prev,push_next a=0 w=0 o=0 p=0
    store   deps=pop_prev,push_prev spaddr=0 rbase=r2 mem=0 rows=1 rowbytes=128 stride=128
    matmul  deps=pop_prev,pop_next,push_prev,push_next a=256 w=0 o=128 p=0
    store   deps=pop_prev,push_prev spaddr=128 rbase=r2 mem=128 rows=1 rowbytes=128 stride=128
    addi    rd=r2 rs=r2 imm=256
    dbnz    rs=r3 target=loop
    halt
