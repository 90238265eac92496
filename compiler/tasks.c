/* The task sequence of one layer: one matmul per (M block, N block) in the
 * tiling's loop order, with the loads it needs (A block, W block, parameter
 * block), the scratchpad slots it uses and the tasks it must wait for
 * (double buffering). cost.c simulates it, schedule.c emits it. */
#include "comp.h"

#include <stdlib.h>

static int64_t rup(int64_t x, int64_t m)
{
    return (x + m - 1) / m * m;
}

typedef struct {
    int cur_a, cur_w;        /* block currently loaded (non-resident) */
    int aslot, wslot;        /* slot holding it */
    int aloads, wloads;      /* loads so far (slot rotation) */
    int last_a[2], last_w[2];/* last task using each slot */
    unsigned char *seen_a, *seen_w; /* resident: block already loaded */
} plan_state;

static void plan_a(const ir_tiling *t, plan_state *ps, ir_task *k, int ti)
{
    if (t->a_resident) {
        k->load_a = !ps->seen_a[k->mb];
        ps->seen_a[k->mb] = 1;
        k->a_sp = t->a_sp[0] + (uint32_t)k->mb * t->asz;
        return;
    }
    k->load_a = k->mb != ps->cur_a;
    if (k->load_a) {
        ps->aslot = ps->aloads++ % t->abuf;
        ps->cur_a = k->mb;
        if (ps->last_a[ps->aslot] > k->wait_load)
            k->wait_load = ps->last_a[ps->aslot];
    }
    ps->last_a[ps->aslot] = ti;
    k->a_sp = t->a_sp[ps->aslot];
}

static void plan_w(const ir_tiling *t, plan_state *ps, ir_task *k, int ti)
{
    if (t->w_resident) {
        k->load_w = !ps->seen_w[k->nb];
        ps->seen_w[k->nb] = 1;
        k->w_sp = t->w_sp[0] + (uint32_t)k->nb * t->wsz;
        k->p_sp = t->p_sp[0] + (uint32_t)k->nb * t->psz;
        return;
    }
    k->load_w = k->nb != ps->cur_w;
    if (k->load_w) {
        ps->wslot = ps->wloads++ % t->wbuf;
        ps->cur_w = k->nb;
        if (ps->last_w[ps->wslot] > k->wait_load)
            k->wait_load = ps->last_w[ps->wslot];
    }
    ps->last_w[ps->wslot] = ti;
    k->w_sp = t->w_sp[ps->wslot];
    k->p_sp = t->p_sp[ps->wslot];
}

static void sizes(comp *c, const mpe_pe_cfg *cfg, const ir_tiling *t, ir_task *k)
{
    const mpe_arch *a = &c->arch;
    uint64_t va = (uint64_t)a->rows * a->lanes * t->a_cw / 8;
    uint64_t vw = (uint64_t)a->cols * a->lanes * t->w_cw / 8;
    k->a_off = (uint64_t)k->mb * t->mt * t->ks * va;
    k->a_bytes = (uint64_t)k->mt * t->ks * va;
    k->w_off = (uint64_t)k->nb * t->wsz;
    k->w_bytes = (uint64_t)rup((int64_t)(k->nt * t->ks * vw), a->beat_bytes);
    k->p_off = (uint64_t)k->nb * t->psz;
    k->p_bytes = param_block_bytes(c, cfg, t, k->nt);
    k->s_sp = k->p_sp + (uint32_t)k->nt * a->cols * 16;
}

int plan_tasks(comp *c, const ir_layer *L, const mpe_pe_cfg *cfg, const ir_tiling *t,
               ir_task **out, int *n)
{
    (void)L;
    const mpe_arch *a = &c->arch;
    int tm = (int)(t->mp / a->rows), tn = (int)(t->np / a->cols);
    int cnt = t->mblocks * t->nblocks;
    ir_task *ks = calloc((size_t)cnt, sizeof *ks);
    plan_state ps = {-1, -1, 0, 0, 0, 0, {-1, -1}, {-1, -1}, NULL, NULL};
    ps.seen_a = calloc((size_t)t->mblocks, 1);
    ps.seen_w = calloc((size_t)t->nblocks, 1);
    if (!ks || !ps.seen_a || !ps.seen_w) {
        free(ks);
        free(ps.seen_a);
        free(ps.seen_w);
        return comp_err(c, "out of memory");
    }
    int outer = t->a_outer ? t->mblocks : t->nblocks, inner = t->a_outer ? t->nblocks : t->mblocks;
    for (int i = 0, ti = 0; i < outer; i++) {
        for (int j = 0; j < inner; j++, ti++) {
            ir_task *k = &ks[ti];
            k->mb = t->a_outer ? i : j;
            k->nb = t->a_outer ? j : i;
            k->mt = tm - k->mb * t->mt < t->mt ? tm - k->mb * t->mt : t->mt;
            k->nt = tn - k->nb * t->nt < t->nt ? tn - k->nb * t->nt : t->nt;
            k->okt = (int)((k->nt * (int64_t)a->cols + a->lanes - 1) / a->lanes);
            k->wait_load = -1;
            plan_a(t, &ps, k, ti);
            plan_w(t, &ps, k, ti);
            if (!k->load_a && !k->load_w)
                k->wait_load = -1;
            k->o_sp = t->o_sp[ti % t->obuf];
            k->wait_store = ti >= t->obuf ? ti - t->obuf : -1;
            sizes(c, cfg, t, k);
        }
    }
    free(ps.seen_a);
    free(ps.seen_w);
    *out = ks;
    *n = cnt;
    return 0;
}

/* Groups/blocks closed by the op at k-step s (grouped shiftadd, bfp). */
static int closes_at(const mpe_pe_cfg *cfg, int lanes, int s)
{
    if (!cfg->group || (cfg->mode != MPE_MODE_SHIFTADD && cfg->mode != MPE_MODE_BFP))
        return 0;
    if (cfg->group <= lanes)
        return lanes / cfg->group;
    return ((int64_t)(s + 1) * lanes) % cfg->group == 0;
}

uint64_t task_matmul_cycles(comp *c, const mpe_pe_cfg *cfg, const ir_tiling *t, int mt, int nt,
                            uint64_t *pe_cycles)
{
    uint64_t tile_ops = 0, R = c->arch.rows, tiles = (uint64_t)mt * nt;
    for (int s = 0; s < t->ks; s++)
        tile_ops += (uint64_t)mpe_pe_op_cycles(cfg, closes_at(cfg, (int)c->arch.lanes, s), (int)c->arch.lut_ppc);
    if (pe_cycles)
        *pe_cycles = tiles * tile_ops;
    uint64_t step = tile_ops > R ? tile_ops : R;
    return tile_ops + 1 + (tiles - 1) * step + R;
}
