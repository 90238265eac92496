/* Cost model: the cycles of a layer, estimated by replaying its task
 * sequence (tasks.c) on the three units of docs/isa.md section 5: a load
 * instruction occupies the load unit from its first request until its last
 * data arrives (beats + mem_latency), a matmul takes the exact matmul timing
 * (op cycles from mpe_pe_op_cycles, output drains of R cycles), a store
 * takes one cycle plus its beats (a task's stores: its plain store and the
 * gathered im2col stores of gather.c, the same list schedule.c emits).
 * Units overlap as the dependency tokens allow; the shared memory port is
 * modelled by a lower bound (all beats serialised); the controller stalling
 * on a full store queue, which the many small gathered stores cause, is not
 * modelled. The estimate drives the choice of tiling and PE mode; the C
 * model and the RTL give the exact count. */
#include "comp.h"

#include <stdlib.h>

typedef struct {
    uint64_t load_free, comp_free, store_free;
    uint64_t beats;
    uint64_t *comp_end, *store_end;
} sim_state;

static uint64_t max64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* One load instruction starting no earlier than t; returns its last cycle. */
static uint64_t dma_load(comp *c, sim_state *s, uint64_t t, uint64_t bytes)
{
    uint64_t beats = (bytes + c->arch.beat_bytes - 1) / c->arch.beat_bytes;
    s->beats += beats;
    return t + beats - 1 + c->arch.mem_latency;
}

static void sim_task(comp *c, sim_state *s, const ir_task *k, int ti, uint64_t mm_cycles)
{
    uint64_t t = s->load_free, load_end = 0;
    if (k->wait_load >= 0)
        t = max64(t, s->comp_end[k->wait_load] + 1);
    int any = k->load_a || k->load_w;
    if (k->load_a) {
        load_end = dma_load(c, s, t, k->a_bytes);
        t = load_end + 1;
    }
    if (k->load_w) {
        load_end = dma_load(c, s, t, k->w_bytes);
        load_end = dma_load(c, s, load_end + 1, k->p_bytes);
        t = load_end + 1;
    }
    s->load_free = t;
    uint64_t cs = s->comp_free;
    if (any)
        cs = max64(cs, load_end + 1);
    if (k->wait_store >= 0)
        cs = max64(cs, s->store_end[k->wait_store] + 1);
    s->comp_end[ti] = cs + mm_cycles - 1;
    s->comp_free = s->comp_end[ti] + 1;
}

/* The nst stores of task ti: each makes its first request one cycle after
 * it starts, the next starts one cycle after the previous ends. */
static uint64_t sim_store(comp *c, sim_state *s, int ti, uint64_t bytes, uint64_t nst)
{
    uint64_t ss = max64(s->store_free, s->comp_end[ti] + 1);
    uint64_t beats = (bytes + c->arch.beat_bytes - 1) / c->arch.beat_bytes;
    s->store_end[ti] = ss + beats + nst - 1;
    s->store_free = s->store_end[ti] + 1;
    s->beats += beats;
    return bytes;
}

/* Bytes and count of the gathered im2col stores of task k (gather.c). */
static int task_gathers(comp *c, const ir_layer *L, const ir_tiling *t, const ir_task *k,
                        uint64_t *bytes, uint64_t *nst)
{
    ir_stores o = {NULL, 0, 0};
    for (int g = gather_next(c, L, -1); g >= 0; g = gather_next(c, L, g))
        if (gather_stores(c, L, t, k, g, &o)) {
            free(o.s);
            return -1;
        }
    for (int i = 0; i < o.n; i++)
        *bytes += (uint64_t)o.s[i].rows * o.s[i].rb;
    *nst = (uint64_t)o.n;
    free(o.s);
    return 0;
}

int cost_sim(comp *c, const ir_layer *L, const mpe_pe_cfg *cfg, const ir_tiling *t,
             ir_cost *out)
{
    ir_task *ks;
    int n;
    if (plan_tasks(c, L, cfg, t, &ks, &n))
        return -1;
    sim_state s = {0, 0, 0, 0, calloc((size_t)n, 8), calloc((size_t)n, 8)};
    if (!s.comp_end || !s.store_end) {
        free(ks);
        free(s.comp_end);
        free(s.store_end);
        return comp_err(c, "out of memory");
    }
    uint64_t vo = (uint64_t)c->arch.rows * c->arch.lanes * t->o_cw / 8;
    int gathered = gather_next(c, L, -1) >= 0;
    int plain = !gathered || value_read(c, L->y);
    out->pe_cycles = out->load_bytes = out->store_bytes = 0;
    for (int i = 0; i < n; i++) {
        uint64_t pe;
        uint64_t mm = task_matmul_cycles(c, cfg, t, ks[i].mt, ks[i].nt, &pe);
        sim_task(c, &s, &ks[i], i, mm);
        uint64_t bytes = 0, nst = 0;
        if (gathered && task_gathers(c, L, t, &ks[i], &bytes, &nst)) {
            free(ks);
            free(s.comp_end);
            free(s.store_end);
            return -1;
        }
        if (plain || !nst) {
            bytes += (uint64_t)ks[i].mt * ks[i].okt * vo;
            nst++;
        }
        uint64_t sb = sim_store(c, &s, i, bytes, nst);
        out->pe_cycles += pe;
        out->load_bytes += (ks[i].load_a ? ks[i].a_bytes : 0) +
                           (ks[i].load_w ? ks[i].w_bytes + ks[i].p_bytes : 0);
        out->store_bytes += sb;
    }
    uint64_t end = s.store_end[n - 1] + 1;
    out->cycles = max64(end, s.beats + c->arch.mem_latency) + 4; /* + sync, configs */
    out->energy = energy_proxy(cfg, (int)c->arch.cols);
    free(ks);
    free(s.comp_end);
    free(s.store_end);
    return 0;
}
