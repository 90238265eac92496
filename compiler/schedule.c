/* Pass `schedule`: the instruction stream. Per layer: (sync,) cfgpe, cfgout,
 * then per task its loads (load unit), cfggemm when the tile counts change
 * and one matmul (compute unit), one store (store unit). The units overlap;
 * dependency tokens (docs/isa.md section 2) order them:
 *  - a task's last load gives L2C, its matmul takes it;
 *  - a matmul gives C2S, its store takes it;
 *  - a load group overwriting a buffer takes a C2L token given by the matmul
 *    that last read that buffer; a matmul overwriting an output buffer takes
 *    an S2C token given by the store that last read it. Only targeted
 *    instructions give these two tokens, so every token is taken and the
 *    counters return to zero at each layer's end.
 * Layers are separated by `sync` (a layer reads what the previous one
 * stored); the first weight and parameter blocks of a layer are loaded before
 * its `sync` when they do not overlap the previous layer's buffers (tile.c
 * puts odd layers' buffers at the top of the scratchpads), so the load unit
 * streams them while the previous layer finishes. */
#include "comp.h"

#include <stdlib.h>
#include <string.h>

#define F(in, INSN, name) (in)->f[MPE_F_##INSN##_##name]

mpe_insn *sched_add(comp *c, int id, int layer)
{
    void *q = comp_grow(c->ins, &c->cap_ins, c->nins + 1, sizeof *c->ins);
    if (!q) {
        comp_err(c, "out of memory");
        return NULL;
    }
    c->ins = q;
    ir_insn *i = &c->ins[c->nins++];
    memset(i, 0, sizeof *i);
    i->in.id = (mpe_insn_id)id;
    i->layer = layer;
    return &i->in;
}

/* rows x rowbytes for a contiguous transfer (fields of 16 bits). */
static void split(uint64_t bytes, uint32_t beat, uint32_t *rows, uint32_t *rb)
{
    const uint64_t rbmax = (uint64_t)MPE_FIELD_UMAX(LOAD, rowbytes);
    uint64_t nb = bytes / beat, best = 1;
    for (uint64_t d = nb < rbmax / beat ? nb : rbmax / beat; d >= 1; d--)
        if (nb % d == 0) {
            best = d;
            break;
        }
    *rb = (uint32_t)(best * beat);
    *rows = (uint32_t)(nb / best);
}

static int load(comp *c, int layer, int sp, uint32_t spaddr, uint64_t mem, uint32_t rows,
                uint32_t rb, uint64_t stride, int deps)
{
    mpe_insn *in = sched_add(c, MPE_I_LOAD, layer);
    if (!in)
        return -1;
    F(in, LOAD, deps) = deps;
    F(in, LOAD, sp) = sp;
    F(in, LOAD, spaddr) = spaddr;
    F(in, LOAD, rbase) = 0;
    F(in, LOAD, mem) = (int64_t)mem;
    F(in, LOAD, rows) = rows;
    F(in, LOAD, rowbytes) = rb;
    F(in, LOAD, stride) = (int64_t)stride;
    return 0;
}

static int load_contig(comp *c, int layer, int sp, uint32_t spaddr, uint64_t mem, uint64_t bytes,
                       int deps)
{
    uint32_t rows, rb;
    split(bytes, c->arch.beat_bytes, &rows, &rb);
    return load(c, layer, sp, spaddr, mem, rows, rb, rb, deps);
}

typedef struct {
    uint64_t va, vo;
    int64_t ks_x, ks_y;  /* vectors per tile row of x and y in memory */
    int y_read;          /* a layer or the host reads y (else only its gathered copies) */
    unsigned char *push_c2l, *push_s2c, *pop_c2l, *pop_s2c;
} lctx;

static int task_loads(comp *c, int li, const ir_task *k, const lctx *x, int ti, int skip_w)
{
    const ir_layer *L = &c->L[li];
    const ir_value *xv = &c->v[L->x];
    int load_w = k->load_w && !skip_w;
    int n = (k->load_a ? 1 : 0) + (load_w ? 2 : 0), i = 0;
    int first = x->pop_c2l[ti] ? MPE_DEP_POP_NEXT : 0;
#define DEPS() ((i == 0 ? first : 0) | (i == n - 1 ? MPE_DEP_PUSH_NEXT : 0))
    if (k->load_a) {
        uint64_t row0 = (uint64_t)(L->xrow0 / c->arch.rows) + (uint64_t)k->mb * L->t.mt;
        uint64_t mem = xv->addr + row0 * x->ks_x * x->va;
        uint64_t rb = (uint64_t)L->t.ks * x->va;
        int rc = x->ks_x == L->t.ks
                     ? load_contig(c, li, MPE_SP_ASP, k->a_sp, mem, k->a_bytes, DEPS())
                     : load(c, li, MPE_SP_ASP, k->a_sp, mem, (uint32_t)k->mt, (uint32_t)rb,
                            (uint64_t)x->ks_x * x->va, DEPS());
        if (rc)
            return -1;
        i++;
    }
    if (load_w) {
        if (load_contig(c, li, MPE_SP_WSP, k->w_sp, L->w_addr + k->w_off, k->w_bytes, DEPS()))
            return -1;
        i++;
        if (load_contig(c, li, MPE_SP_PSP, k->p_sp, L->p_addr + k->p_off, k->p_bytes, DEPS()))
            return -1;
    }
#undef DEPS
    return 0;
}

static int task_compute(comp *c, int li, const ir_task *k, const lctx *x, int ti, int *prev)
{
    const ir_layer *L = &c->L[li];
    if (k->mt != prev[0] || k->nt != prev[1]) {
        mpe_insn *g = sched_add(c, MPE_I_CFGGEMM, li);
        if (!g)
            return -1;
        F(g, CFGGEMM, mt) = k->mt;
        F(g, CFGGEMM, nt) = k->nt;
        F(g, CFGGEMM, ks) = L->t.ks;
        F(g, CFGGEMM, akt) = L->t.ks;
        F(g, CFGGEMM, wkt) = L->t.ks;
        F(g, CFGGEMM, okt) = k->okt;
        prev[0] = k->mt;
        prev[1] = k->nt;
    }
    mpe_insn *m = sched_add(c, MPE_I_MATMUL, li);
    if (!m)
        return -1;
    F(m, MATMUL, deps) = ((k->load_a || k->load_w) ? MPE_DEP_POP_PREV : 0) |
                         (x->pop_s2c[ti] ? MPE_DEP_POP_NEXT : 0) |
                         (x->push_c2l[ti] ? MPE_DEP_PUSH_PREV : 0) | MPE_DEP_PUSH_NEXT;
    F(m, MATMUL, a) = k->a_sp;
    F(m, MATMUL, w) = k->w_sp;
    F(m, MATMUL, o) = k->o_sp;
    F(m, MATMUL, p) = k->p_sp;
    F(m, MATMUL, s) = L->cfg.group && (L->cfg.mode == MPE_MODE_SHIFTADD ||
                                       L->cfg.mode == MPE_MODE_BFP) ? k->s_sp : 0;
    return 0;
}

static int store(comp *c, int li, uint32_t spaddr, uint64_t mem, uint32_t rows, uint64_t rb,
                 uint64_t stride, int deps)
{
    if (rb > (uint64_t)MPE_FIELD_UMAX(STORE, rowbytes) || rb % c->arch.beat_bytes)
        return comp_err(c, "layer '%s' (%s): a store of %llu-byte rows is not expressible (rows "
                        "of at most %d bytes, a multiple of beat_bytes %u)%s", c->L[li].name,
                        c->L[li].op, (unsigned long long)rb, (int)MPE_FIELD_UMAX(STORE, rowbytes),
                        c->arch.beat_bytes,
                        c->L[li].batch >= 0 ? "; its batches do not fill whole R-row tiles" : "");
    mpe_insn *s = sched_add(c, MPE_I_STORE, li);
    if (!s)
        return -1;
    F(s, STORE, deps) = deps;
    F(s, STORE, spaddr) = spaddr;
    F(s, STORE, rbase) = 0;
    F(s, STORE, mem) = (int64_t)mem;
    F(s, STORE, rows) = rows;
    F(s, STORE, rowbytes) = (int64_t)rb;
    F(s, STORE, stride) = (int64_t)stride;
    return 0;
}

static int add_store(comp *c, ir_stores *o, uint32_t sp, uint64_t mem, uint64_t rows,
                     uint64_t rb, uint64_t stride)
{
    ir_store st = {sp, mem, (uint32_t)rows, rb, stride};
    return stores_add(c, o, &st);
}

/* A batched layer stores only its own rows: one store per output vector
 * and tile row, of the rows inside [st_lo, st_hi). */
static int store_partial(comp *c, int li, const ir_task *k, const lctx *x, uint64_t i0,
                         uint64_t col0, ir_stores *o)
{
    const ir_layer *L = &c->L[li];
    uint64_t R = c->arch.rows, rowb = x->vo / R, addr = c->v[L->y].addr;
    for (uint64_t i = i0; i < i0 + (uint64_t)k->mt; i++) {
        int64_t lo = (int64_t)(i * R) > L->st_lo ? (int64_t)(i * R) : L->st_lo;
        int64_t hi = (int64_t)(i * R + R) < L->st_hi ? (int64_t)(i * R + R) : L->st_hi;
        for (int v = 0; lo < hi && v < k->okt; v++) {
            uint64_t sp = k->o_sp + ((i - i0) * k->okt + v) * x->vo + (lo % R) * rowb;
            uint64_t mem = addr + ((i * x->ks_y + col0 + v) * x->vo) + (lo % R) * rowb;
            if (add_store(c, o, (uint32_t)sp, mem, (uint64_t)(hi - lo), rowb, rowb))
                return -1;
        }
    }
    return 0;
}

/* The task's stores: its output matrix (when something reads it), then
 * every im2col matrix gathered from it (gather.c). The first store takes
 * the matmul's C2S token, the last gives S2C when a later matmul waits. */
static int task_store(comp *c, int li, const ir_task *k, const lctx *x, int ti)
{
    const ir_layer *L = &c->L[li];
    uint64_t R = c->arch.rows;
    uint64_t i0 = (uint64_t)(L->yrow0 / (int64_t)R) + (uint64_t)k->mb * L->t.mt;
    uint64_t col0 = (uint64_t)k->nb * L->t.nt * c->arch.cols / c->arch.lanes;
    int push = x->push_s2c[ti] ? MPE_DEP_PUSH_PREV : 0, rc = 0;
    ir_stores o = {NULL, 0, 0};
    int g = gather_next(c, L, -1);
    for (; !rc && g >= 0; g = gather_next(c, L, g)) {
        int n0 = o.n;
        rc = gather_stores(c, L, &L->t, k, g, &o);
        for (int i = n0; !rc && i < o.n; i++)
            o.s[i].off += c->v[g].addr;
    }
    /* the plain matrix when it is read, or when no pixel of the task is
     * gathered (its store still takes and gives the tokens) */
    int nga = o.n;
    if (!rc && (x->y_read || !nga)) {
        if ((int64_t)(i0 * R) < L->st_lo || (int64_t)((i0 + (uint64_t)k->mt) * R) > L->st_hi)
            rc = store_partial(c, li, k, x, i0, col0, &o);
        else
            rc = add_store(c, &o, k->o_sp, c->v[L->y].addr + (i0 * x->ks_y + col0) * x->vo,
                           (uint64_t)k->mt, (uint64_t)k->okt * x->vo, (uint64_t)x->ks_y * x->vo);
    }
    for (int i = 0; !rc && i < o.n; i++) {
        int j = (i + nga) % o.n; /* plain stores first, then the gathered ones */
        rc = store(c, li, o.s[j].sp, o.s[j].off, o.s[j].rows, o.s[j].rb, o.s[j].stride,
                   (i == 0 ? MPE_DEP_POP_PREV : 0) | (i == o.n - 1 ? push : 0));
    }
    free(o.s);
    return rc ? -1 : 0;
}

/* Which tasks give / take the C2L and S2C tokens. */
static void plan_tokens(const ir_task *ks, int n, lctx *x)
{
    int lastl = -1, lasts = -1;
    for (int t = 0; t < n; t++) {
        int w = ks[t].wait_load;
        if ((ks[t].load_a || ks[t].load_w) && w > lastl) {
            x->pop_c2l[t] = 1;
            x->push_c2l[w] = 1;
            lastl = w;
        }
        w = ks[t].wait_store;
        if (w > lasts) {
            x->pop_s2c[t] = 1;
            x->push_s2c[w] = 1;
            lasts = w;
        }
    }
}

static int layer_config(comp *c, int li)
{
    const ir_layer *L = &c->L[li];
    mpe_insn *p = sched_add(c, MPE_I_CFGPE, li);
    if (!p)
        return -1;
    F(p, CFGPE, mode) = L->cfg.mode;
    F(p, CFGPE, akind) = L->cfg.a.kind;
    F(p, CFGPE, abits) = L->cfg.a.bits;
    F(p, CFGPE, afmt) = L->cfg.a.fmt;
    F(p, CFGPE, wkind) = L->cfg.w.kind;
    F(p, CFGPE, wbits) = L->cfg.w.bits;
    F(p, CFGPE, wfmt) = L->cfg.w.fmt;
    F(p, CFGPE, bserial) = L->cfg.both_serial;
    F(p, CFGPE, group) = L->cfg.group;
    F(p, CFGPE, sfmt) = L->cfg.scale_fmt;
    mpe_insn *o = sched_add(c, MPE_I_CFGOUT, li);
    if (!o)
        return -1;
    F(o, CFGOUT, rq) = L->rq;
    F(o, CFGOUT, out) = L->out;
    F(o, CFGOUT, bias) = L->has_bias;
    F(o, CFGOUT, relu) = L->relu;
    F(o, CFGOUT, lo) = L->lo;
    F(o, CFGOUT, hi) = L->hi;
    return 0;
}

/* Scratchpad bytes [lo, hi) holding layer L's weight (sp 0) or parameter
 * (sp 1) buffers. */
static void region(const ir_tiling *t, int sp, uint32_t *lo, uint32_t *hi)
{
    const uint32_t *base = sp ? t->p_sp : t->w_sp;
    uint32_t sz = sp ? t->psz : t->wsz, n = (uint32_t)(t->w_resident ? t->nblocks : 1);
    *lo = base[0] < base[t->wbuf - 1] ? base[0] : base[t->wbuf - 1];
    *hi = (base[0] > base[t->wbuf - 1] ? base[0] : base[t->wbuf - 1]) + n * sz;
}

/* The first weight and parameter blocks of layer li can be loaded before
 * the barrier when they do not overlap what layer li-1 may still read. */
static int can_prefetch(comp *c, int li, const ir_task *k)
{
    if (li == 0 || !k->load_w)
        return 0;
    uint32_t lo, hi;
    region(&c->L[li - 1].t, 0, &lo, &hi);
    if (k->w_sp < hi && k->w_sp + k->w_bytes > lo)
        return 0;
    region(&c->L[li - 1].t, 1, &lo, &hi);
    return !(k->p_sp < hi && k->p_sp + k->p_bytes > lo);
}

static int prefetch(comp *c, int li, const ir_task *k)
{
    const ir_layer *L = &c->L[li];
    return load_contig(c, li, MPE_SP_WSP, k->w_sp, L->w_addr + k->w_off, k->w_bytes, 0) ||
           load_contig(c, li, MPE_SP_PSP, k->p_sp, L->p_addr + k->p_off, k->p_bytes, 0);
}

static int schedule_layer(comp *c, int li)
{
    const ir_layer *L = &c->L[li];
    ir_task *ks;
    int n, prev[2] = {-1, -1}, rc = 0;
    if (plan_tasks(c, L, &L->cfg, &L->t, &ks, &n))
        return -1;
    lctx x;
    x.va = (uint64_t)c->arch.rows * c->arch.lanes * L->t.a_cw / 8;
    x.vo = (uint64_t)c->arch.rows * c->arch.lanes * L->t.o_cw / 8;
    x.ks_x = c->v[L->x].cols_p / c->arch.lanes;
    x.ks_y = c->v[L->y].cols_p / c->arch.lanes;
    x.y_read = value_read(c, L->y);
    unsigned char *flags = calloc((size_t)n * 4, 1);
    if (!flags) {
        free(ks);
        return comp_err(c, "out of memory");
    }
    x.push_c2l = flags;
    x.push_s2c = flags + n;
    x.pop_c2l = flags + 2 * n;
    x.pop_s2c = flags + 3 * n;
    plan_tokens(ks, n, &x);
    int pre = can_prefetch(c, li, &ks[0]);
    if ((pre && prefetch(c, li, &ks[0])) || (li > 0 && !sched_add(c, MPE_I_SYNC, li)) ||
        layer_config(c, li))
        rc = -1;
    for (int t = 0; !rc && t < n; t++)
        rc = task_loads(c, li, &ks[t], &x, t, t == 0 && pre) ||
             task_compute(c, li, &ks[t], &x, t, prev) || task_store(c, li, &ks[t], &x, t);
    free(flags);
    free(ks);
    return rc ? -1 : 0;
}

int pass_schedule(comp *c)
{
    c->nins = 0;
    for (int i = 0; i < c->nl; i++)
        if (schedule_layer(c, i))
            return -1;
    if (!sched_add(c, MPE_I_HALT, -1))
        return -1;
    if (c->nins > (int)c->arch.imem_insns)
        return comp_err(c, "the program needs %d instructions; the instruction memory holds %u "
                        "(imem_insns)", c->nins, c->arch.imem_insns);
    return 0;
}
