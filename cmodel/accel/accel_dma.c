/* The load and store units and the shared memory port (docs/isa.md 5):
 * one request per cycle, round-robin between the two units (the one not
 * granted most recently wins a tie; load wins the first). A read granted in
 * cycle t captures memory as of the start of t and writes the scratchpad in
 * t + mem_latency; a write is performed when granted. The store reads beat b
 * from the OSP in the cycle in which beat b-1 is granted (t_s for beat 0)
 * and requests it from the next cycle on. */
#include "accel_int.h"

#include <stdlib.h>
#include <string.h>

mpe_status mpe_acc_dma_alloc(mpe_accel *a)
{
    /* a grant is recorded before the same cycle's arrival leaves: L + 1 */
    uint32_t L = a->arch.mem_latency + 1, B = a->arch.beat_bytes;
    a->ld.fly_cap = L;
    a->ld.fly = malloc((size_t)L * B);
    a->ld.fly_at = malloc((size_t)L * sizeof(uint64_t));
    a->ld.fly_beat = malloc((size_t)L * sizeof(uint32_t));
    a->st.sbuf = malloc(B);
    return a->ld.fly && a->ld.fly_at && a->ld.fly_beat && a->st.sbuf ? MPE_OK : MPE_ERR_NOMEM;
}

void mpe_acc_dma_free(mpe_accel *a)
{
    free(a->ld.fly);
    free(a->ld.fly_at);
    free(a->ld.fly_beat);
    free(a->st.sbuf);
}

static int64_t fld(const mpe_insn *in, int load_f, int store_f)
{
    return in->f[in->id == MPE_I_LOAD ? load_f : store_f];
}

/* Memory and scratchpad byte addresses of beat b. */
static uint64_t beat_mem(const mpe_accel *a, const acc_dma *d, uint32_t b)
{
    uint64_t stride = (uint64_t)fld(d->cur.in, MPE_F_LOAD_stride, MPE_F_STORE_stride);
    return d->cur.addr + (b / d->bpr) * stride + (uint64_t)(b % d->bpr) * a->arch.beat_bytes;
}

static uint32_t beat_sp(const mpe_accel *a, const acc_dma *d, uint32_t b)
{
    uint32_t spaddr = (uint32_t)fld(d->cur.in, MPE_F_LOAD_spaddr, MPE_F_STORE_spaddr);
    return spaddr + b * a->arch.beat_bytes;
}

static uint8_t *osp(mpe_accel *a) { return a->sp[MPE_SP_OSP]; }

void mpe_acc_dma_start(mpe_accel *a, int unit, const acc_qent *q, uint64_t t)
{
    acc_dma *d = unit == MPE_UNIT_LOAD ? &a->ld : &a->st;
    uint32_t B = a->arch.beat_bytes;
    d->busy = 1;
    d->cur = *q;
    d->ts = t;
    d->bpr = (uint32_t)fld(q->in, MPE_F_LOAD_rowbytes, MPE_F_STORE_rowbytes) / B;
    d->nbeats = (uint32_t)fld(q->in, MPE_F_LOAD_rows, MPE_F_STORE_rows) * d->bpr;
    d->next = 0;
    if (unit == MPE_UNIT_STORE) /* the OSP read of beat 0 (cycle t_s) */
        memcpy(d->sbuf, osp(a) + beat_sp(a, d, 0), B);
}

static void load_grant(mpe_accel *a, uint64_t t)
{
    acc_dma *d = &a->ld;
    uint32_t B = a->arch.beat_bytes, slot = (d->fly_head + d->fly_n) % d->fly_cap;
    uint64_t addr = beat_mem(a, d, d->next);
    if (!a->ext.read)
        memcpy(d->fly + (size_t)slot * B, a->mem + addr, B);
    else if (a->ext.read(a->ext.user, addr, d->fly + (size_t)slot * B, B, t) != MPE_OK)
        mpe_acc_trap(a, MPE_TRAP_BUS, d->cur.pc, "load: memory read of 0x%llx failed",
                 (unsigned long long)addr);
    d->fly_at[slot] = t + a->arch.mem_latency;
    d->fly_beat[slot] = d->next;
    d->fly_n++;
    d->next++;
    a->stats.beats_read++;
}

static void store_grant(mpe_accel *a, uint64_t t)
{
    acc_dma *d = &a->st;
    uint32_t B = a->arch.beat_bytes;
    uint64_t addr = beat_mem(a, d, d->next);
    if (!a->ext.write)
        memcpy(a->mem + addr, d->sbuf, B);
    else if (a->ext.write(a->ext.user, addr, d->sbuf, B, t) != MPE_OK)
        mpe_acc_trap(a, MPE_TRAP_BUS, d->cur.pc, "store: memory write of 0x%llx failed",
                 (unsigned long long)addr);
    d->next++;
    a->stats.beats_written++;
    if (d->next < d->nbeats) {
        memcpy(d->sbuf, osp(a) + beat_sp(a, d, d->next), B);
        return;
    }
    d->busy = 0; /* t_e: the last write is granted */
    mpe_acc_complete(a, MPE_UNIT_STORE, &d->cur);
}

/* Arbitration and grants. Runs before the compute unit's OSP writes and the
 * load arrivals of the same cycle, so every read sees start-of-cycle state. */
void mpe_acc_dma_cycle(mpe_accel *a, uint64_t t)
{
    int rl = a->ld.busy && a->ld.next < a->ld.nbeats;
    int rs = a->st.busy && t > a->st.ts && a->st.next < a->st.nbeats;
    if (!rl && !rs)
        return;
    int g = rl && rs ? (a->last_grant == MPE_UNIT_LOAD ? MPE_UNIT_STORE : MPE_UNIT_LOAD)
            : rl     ? MPE_UNIT_LOAD
                     : MPE_UNIT_STORE;
    if (rl && rs)
        a->stats.port_stall[g == MPE_UNIT_LOAD ? MPE_UNIT_STORE : MPE_UNIT_LOAD]++;
    a->last_grant = g;
    if (g == MPE_UNIT_LOAD)
        load_grant(a, t);
    else
        store_grant(a, t);
}

void mpe_acc_load_arrivals(mpe_accel *a, uint64_t t)
{
    acc_dma *d = &a->ld;
    if (!d->busy || !d->fly_n || d->fly_at[d->fly_head] != t)
        return;
    uint32_t B = a->arch.beat_bytes, b = d->fly_beat[d->fly_head];
    int sp = (int)d->cur.in->f[MPE_F_LOAD_sp];
    memcpy(a->sp[sp] + beat_sp(a, d, b), d->fly + (size_t)d->fly_head * B, B);
    d->fly_head = (d->fly_head + 1) % d->fly_cap;
    d->fly_n--;
    if (b + 1 == d->nbeats) { /* t_e: the last beat's data arrives */
        d->busy = 0;
        mpe_acc_complete(a, MPE_UNIT_LOAD, &d->cur);
    }
}
