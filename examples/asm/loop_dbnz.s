# Nested dbnz loops: gather a 4 x 3 grid of 64-byte rows (each grid row 0x1000
# bytes apart in memory, each cell 0x100 apart) into consecutive ASP rows,
# one load per cell, with only scalar registers changing between iterations.
# A sync makes the loads complete before the program halts.

    li      rd=r1 imm=0x80000          # row base
    li      rd=r2 imm=4                # outer count
outer:
    addi    rd=r3 rs=r1 imm=0          # cell address
    li      rd=r4 imm=3                # inner count
inner:
    load    sp=asp spaddr=0 rbase=r3 mem=0 rows=1 rowbytes=64 stride=64
    addi    rd=r3 rs=r3 imm=0x100
    dbnz    rs=r4 target=inner
    addi    rd=r1 rs=r1 imm=0x1000
    dbnz    rs=r2 target=outer
    sync
    halt
