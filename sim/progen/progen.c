/* Random legal programs (mpe/progen.h): random configurations, shapes and
 * data; each job emitted in its style; the whole as an mpe_program. */
#include "mpe/progen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpe/fp32.h"
#include "mpe/isa.h"
#include "mpe/outstage.h"
#include "mpe/le.h"
#include "mpe/rng.h"
#include "mpe/tensor.h"

static const char *const mode_names[MPE_PG_MODE_COUNT] = {"mixed", "sync", "double", "tokens",
                                                    "loop"};

const char *mpe_pg_mode_name(int m)
{
    return m >= 0 && m < MPE_PG_MODE_COUNT ? mode_names[m] : "?";
}

int mpe_pg_mode_parse(const char *name, int *m)
{
    for (int i = 0; i < MPE_PG_MODE_COUNT; i++)
        if (!strcmp(name, mode_names[i])) {
            *m = i;
            return 0;
        }
    return -1;
}

uint64_t mpe_pg_rand(uint64_t *r) { return mpe_splitmix64(r); }

static uint32_t rnd(uint64_t *r, uint32_t n) { return mpe_rng_below(r, n); }
static int pct(uint64_t *r, uint32_t p) { return rnd(r, 100) < p; }

/* ---- configurations ------------------------------------------------------------ */

static mpe_dtype rand_int(uint64_t *r, int lo, int hi)
{
    int bits = lo + (int)rnd(r, (uint32_t)(hi - lo + 1));
    if (pct(r, 40))
        bits = pct(r, 50) ? 8 : (hi >= 16 ? 16 : hi);
    return pct(r, 50) ? mpe_dt_int(bits) : mpe_dt_uint(bits);
}

static mpe_dtype rand_bfp_elem(uint64_t *r)
{
    static const mpe_fmt f[] = {MPE_FMT_E4M3, MPE_FMT_E5M2, MPE_FMT_E3M2, MPE_FMT_E2M3,
                                MPE_FMT_E2M1};
    uint32_t k = rnd(r, 7);
    return k < 5 ? mpe_dt_fp(f[k]) : mpe_dt_bfpint(4 + (int)rnd(r, 5));
}

static uint16_t rand_group(uint64_t *r, int lanes)
{
    static const int mul[] = {-4, -2, 1, 2, 4, 8};
    int m = mul[rnd(r, 6)];
    int g = m < 0 ? lanes / -m : lanes * m;
    return (uint16_t)(g > 512 ? lanes : g);
}

static void rand_cfg(uint64_t *r, int lanes, mpe_pe_cfg *c)
{
    switch (c->mode) {
    case MPE_MODE_MAC:
        c->a = pct(r, 50) ? mpe_dt_int(8) : mpe_dt_uint(8);
        c->w = pct(r, 50) ? mpe_dt_int(8) : mpe_dt_uint(8);
        break;
    case MPE_MODE_LUT: {
        c->a = rand_int(r, 1, 16);
        uint32_t k = rnd(r, 4);
        c->w = k == 0 ? mpe_dt_binary() : k == 1 ? mpe_dt_ternary()
               : k == 2 ? mpe_dt_uint(1 + (int)rnd(r, 4)) : mpe_dt_int(1 + (int)rnd(r, 4));
        break;
    }
    case MPE_MODE_SHIFTADD:
        c->a = rand_int(r, 1, 16);
        c->w = pct(r, 40) ? mpe_dt_pow2() : rand_int(r, 2, 8);
        c->group = pct(r, 50) ? 0 : rand_group(r, lanes);
        c->scale_fmt = c->group ? MPE_FMT_FP16 : 0;
        break;
    case MPE_MODE_BFP:
        c->a = rand_bfp_elem(r);
        c->w = rand_bfp_elem(r);
        c->group = rand_group(r, lanes);
        c->scale_fmt = pct(r, 70) ? MPE_FMT_E8M0 : MPE_FMT_UE4M3;
        break;
    default:
        c->a = rand_int(r, 1, 16);
        c->w = rand_int(r, 1, 16);
        c->both_serial = (uint8_t)pct(r, 30);
        break;
    }
}

mpe_pe_cfg mpe_pg_rand_pe(uint64_t *r, int lanes, int mode)
{
    for (int tries = 0; tries < 1000; tries++) {
        mpe_pe_cfg c;
        memset(&c, 0, sizeof c);
        c.mode = (uint8_t)(mode >= 0 ? mode : (int)rnd(r, MPE_MODE_COUNT));
        rand_cfg(r, lanes, &c);
        if (mpe_pe_cfg_check(&c, lanes, NULL, 0) == MPE_OK)
            return c;
    }
    mpe_pe_cfg c;
    memset(&c, 0, sizeof c);
    c.a = c.w = mpe_dt_int(8);
    return c;
}

static void rand_out(uint64_t *r, mpe_gemm_spec *s)
{
    int acc_float = mpe_pe_cfg_is_float(&s->pe);
    for (int tries = 0; tries < 1000; tries++) {
        mpe_outcfg oc = mpe_outcfg_default((int)rnd(r, 3), (int)rnd(r, MPE_OUT_COUNT));
        oc.has_bias = (uint8_t)pct(r, 60);
        oc.relu = (uint8_t)(mpe_out_is_float(oc.out) && pct(r, 30));
        int64_t lo, hi;
        if (!mpe_out_is_float(oc.out) && mpe_out_range(oc.out, &lo, &hi) == MPE_OK &&
            pct(r, 30)) {
            int64_t a = lo + rnd(r, (uint32_t)((hi - lo) / 2 + 1));
            oc.lo = (int32_t)a;
            oc.hi = (int32_t)(a + rnd(r, (uint32_t)(hi - a + 1)));
        }
        if (mpe_outcfg_check(&oc, acc_float, NULL, 0) != MPE_OK)
            continue;
        s->rq = oc.rq;
        s->out = oc.out;
        s->bias = oc.has_bias;
        s->relu = oc.relu;
        s->lo = oc.lo;
        s->hi = oc.hi;
        return;
    }
    s->rq = MPE_RQ_NONE;
    s->out = MPE_OUT_INT32;
    s->lo = INT32_MIN;
    s->hi = INT32_MAX;
}

static void put32(uint8_t *p, uint32_t v) { mpe_put_le(p, v, 4); }

/* One 16-byte output-parameter record per column (docs/isa.md 3). */
static void rand_params(uint64_t *r, const mpe_gemm_spec *s, uint8_t *p)
{
    int acc_float = mpe_pe_cfg_is_float(&s->pe);
    mpe_outcfg oc = mpe_outcfg_default(s->rq, s->out);
    oc.has_bias = s->bias;
    oc.relu = s->relu;
    oc.lo = s->lo;
    oc.hi = s->hi;
    int64_t qlo = 0, qhi = 0;
    int is_int = mpe_out_range(s->out, &qlo, &qhi) == MPE_OK;
    for (uint32_t n = 0; n < s->N; n++, p += 16) {
        memset(p, 0, 16);
        int32_t sv = (int32_t)rnd(r, 1u << 16) - (1 << 15);
        oc.bias = acc_float ? mpe_f32_from_int(sv, -(int)rnd(r, 10)) : (uint32_t)sv;
        if (s->rq == MPE_RQ_DYADIC) {
            oc.mult = (1u << 30) + rnd(r, 1u << 30);
            oc.shift = (int32_t)rnd(r, 16) - 2;
        } else {
            oc.mult = mpe_f32_from_int((1 << 23) + rnd(r, 1u << 23), -23 - (int)rnd(r, 14));
            oc.shift = 0;
        }
        oc.zp = 0;
        if (is_int && pct(r, 70)) {
            int64_t span = qhi - qlo + 1 < 64 ? qhi - qlo + 1 : 64;
            oc.zp = (int32_t)(qlo < 0 ? (int64_t)rnd(r, (uint32_t)span) - span / 2
                                      : qlo + (int64_t)rnd(r, (uint32_t)span));
        }
        if (mpe_outcfg_check(&oc, acc_float, NULL, 0) != MPE_OK)
            oc.zp = oc.shift = 0;
        put32(p, oc.bias);
        put32(p + 4, oc.mult);
        p[8] = (uint8_t)oc.shift;
        put32(p + 12, (uint32_t)oc.zp);
    }
}

/* ---- data ------------------------------------------------------------------------- */

static uint16_t rand_scale(uint64_t *r, const mpe_pe_cfg *c, int w)
{
    if (c->mode == MPE_MODE_SHIFTADD) /* FP16: exponent 8..21, rare specials */
        return pct(r, 2) ? 0x7C00
                         : (uint16_t)((rnd(r, 2) << 15) | ((8 + rnd(r, 14)) << 10) | rnd(r, 1024));
    if (c->scale_fmt == MPE_FMT_UE4M3)
        return pct(r, 2) ? 0x7F : (uint16_t)(0x20 + rnd(r, 0x40));
    (void)w;
    return pct(r, 2) ? 0xFF : (uint16_t)(120 + rnd(r, 14));
}

typedef struct {
    const mpe_arch *ar;
    uint64_t r, seed;
    uint64_t next;       /* next free memory address */
    uint64_t scratch_mem;
    mpe_program *prog;
    mpe_codebuf cb;
    mpe_gemm_chain chain;
    uint32_t nbuf;
    char *err;
    size_t errlen;
} gen;

static uint64_t alloc_mem(gen *g, uint64_t bytes)
{
    uint64_t a = (g->next + 255) / 256 * 256;
    g->next = a + bytes;
    return a;
}

static mpe_status add_data(gen *g, uint64_t addr, const uint8_t *b, uint64_t len)
{
    return len ? mpe_program_add_data(g->prog, addr, b, len) : MPE_OK;
}

static mpe_status place_codes(gen *g, const uint16_t *codes, uint32_t rows, uint32_t cols,
                              uint32_t vr, uint32_t bits, uint64_t addr)
{
    uint32_t cw = mpe_container_bits(bits), L = g->ar->lanes;
    size_t n = (size_t)rows * cols, bytes = n * cw / 8;
    uint32_t *c32 = malloc(n * sizeof *c32);
    uint8_t *b = calloc(bytes ? bytes : 1, 1);
    mpe_status st = MPE_ERR_NOMEM;
    if (c32 && b) {
        for (size_t i = 0; i < n; i++)
            c32[i] = codes[i];
        mpe_tiled_pack(c32, rows, cols, vr, L, cw, b);
        st = add_data(g, addr, b, bytes);
    }
    free(c32);
    free(b);
    return st;
}

/* ---- jobs -------------------------------------------------------------------------- */

static void rand_codes(uint64_t *r, uint16_t *c, size_t n, mpe_dtype t)
{
    uint32_t m = mpe_dt_mask(t);
    for (size_t i = 0; i < n; i++)
        c[i] = (uint16_t)(mpe_pg_rand(r) & m);
}

/* Shapes and blocking; 0 when the plan is valid. */
static int rand_shape(gen *g, mpe_pg_job *j, mpe_gemm_plan *pl)
{
    const mpe_arch *ar = g->ar;
    mpe_gemm_spec *s = &j->spec;
    uint32_t R = ar->rows, L = ar->lanes, C = ar->cols, u = L / C;
    uint32_t unit = L;
    if ((s->pe.mode == MPE_MODE_BFP || (s->pe.mode == MPE_MODE_SHIFTADD && s->pe.group)) &&
        s->pe.group > L)
        unit = s->pe.group;
    s->M = R * (1 + rnd(&g->r, 8));
    s->N = L * (1 + rnd(&g->r, 3));
    s->K = unit * (1 + rnd(&g->r, 256 / unit > 1 ? 256 / unit : 1));
    s->nbuf = (uint8_t)g->nbuf;
    s->scratch = 1;
    s->order = (uint8_t)rnd(&g->r, 3);
    s->sync_only = j->style == MPE_PG_SYNC;
    uint32_t mtiles = s->M / R, ntiles = s->N / C;
    s->mt = pct(&g->r, 50) ? 0 : 1 + rnd(&g->r, mtiles);
    s->nt = pct(&g->r, 50) ? 0 : u * (1 + rnd(&g->r, ntiles / u));
    j->batches = 1;
    if (j->style == MPE_PG_LOOP) {
        s->mt = mtiles;
        s->nt = ntiles;
        s->nbuf = 2;
        j->batches = 2 * (1 + rnd(&g->r, 3));
    }
    j->rows = j->batches * s->M;
    char e[160];
    if (mpe_gemm_plan_make(ar, s, pl, e, sizeof e) != MPE_OK)
        return -1;
    return j->style == MPE_PG_LOOP && pl->nmm != 1 ? -1 : 0;
}

static mpe_status job_data(gen *g, mpe_pg_job *j, const mpe_gemm_plan *pl)
{
    mpe_gemm_spec *s = &j->spec;
    size_t na = (size_t)j->rows * s->K, nw = (size_t)s->N * s->K;
    size_t kb = pl->scales ? s->K / pl->G : 0;
    j->A = malloc(na * 2);
    j->W = malloc(nw * 2);
    j->params = malloc((size_t)s->N * 16);
    j->a_scale = calloc(j->rows * kb + 1, 2);
    j->w_scale = calloc(s->N * kb + 1, 2);
    j->w_zero = calloc(s->N * kb + 1, 2);
    if (!j->A || !j->W || !j->params || !j->a_scale || !j->w_scale || !j->w_zero)
        return MPE_ERR_NOMEM;
    rand_codes(&g->r, j->A, na, s->pe.a);
    rand_codes(&g->r, j->W, nw, s->pe.w);
    for (size_t i = 0; i < j->rows * kb; i++)
        j->a_scale[i] = rand_scale(&g->r, &s->pe, 0);
    for (size_t i = 0; i < s->N * kb; i++) {
        j->w_scale[i] = rand_scale(&g->r, &s->pe, 1);
        j->w_zero[i] = (int16_t)((int)rnd(&g->r, 17) - 8);
    }
    rand_params(&g->r, s, j->params);
    return MPE_OK;
}

static int out_ttype(int out)
{
    switch (out) {
    case MPE_OUT_INT4: case MPE_OUT_INT8: return MPE_T_INT8;
    case MPE_OUT_UINT4: case MPE_OUT_UINT8: return MPE_T_UINT8;
    case MPE_OUT_INT16: return MPE_T_INT16;
    case MPE_OUT_UINT16: return MPE_T_UINT16;
    case MPE_OUT_INT32: return MPE_T_INT32;
    case MPE_OUT_FP16: return MPE_T_FLOAT16;
    default: return MPE_T_FLOAT;
    }
}

/* Memory: A, W, params, scale records, outputs (pre-filled with 0xA5). */
static mpe_status job_place(gen *g, mpe_pg_job *j, const mpe_gemm_plan *pl, size_t idx)
{
    mpe_gemm_spec *s = &j->spec;
    const mpe_arch *ar = g->ar;
    uint32_t nrec = j->style == MPE_PG_LOOP && pl->scales == 1 ? j->batches : pl->nmm;
    uint64_t obytes = (uint64_t)(j->rows / ar->rows) * (s->N / ar->lanes) * pl->vo;
    s->a_addr = alloc_mem(g, (uint64_t)(j->rows / ar->rows) * pl->ks * pl->va);
    s->w_addr = alloc_mem(g, (uint64_t)(s->N / ar->cols) * pl->ks * pl->vw);
    s->p_addr = alloc_mem(g, (uint64_t)s->N * 16);
    s->s_addr = alloc_mem(g, (uint64_t)nrec * pl->srec);
    s->o_addr = alloc_mem(g, obytes);
    if (g->next > ar->mem_bytes)
        return MPE_ERR_RANGE;
    mpe_status st = place_codes(g, j->A, j->rows, s->K, ar->rows, s->pe.a.bits, s->a_addr);
    if (!st)
        st = place_codes(g, j->W, s->N, s->K, ar->cols, s->pe.w.bits, s->w_addr);
    if (!st)
        st = add_data(g, s->p_addr, j->params, (uint64_t)s->N * 16);
    uint8_t *rec = calloc((size_t)nrec * pl->srec + (size_t)obytes + 1, 1);
    if (!rec)
        return MPE_ERR_NOMEM;
    size_t kb = pl->scales ? s->K / pl->G : 0;
    for (uint32_t b = 0; b < nrec && pl->scales && nrec != pl->nmm; b++)
        mpe_gemm_pack_scales(pl, s, j->a_scale + (size_t)b * s->M * kb, j->w_scale, j->w_zero,
                             rec + (size_t)b * pl->srec);
    if (nrec == pl->nmm)
        mpe_gemm_pack_scales(pl, s, j->a_scale, j->w_scale, j->w_zero, rec);
    if (!st)
        st = add_data(g, s->s_addr, rec, (uint64_t)nrec * pl->srec);
    memset(rec, 0xA5, obytes);
    if (!st)
        st = add_data(g, s->o_addr, rec, obytes);
    free(rec);
    mpe_tdesc d;
    memset(&d, 0, sizeof d);
    snprintf(d.name, sizeof d.name, "y%zu", idx);
    d.role = MPE_ROLE_OUTPUT;
    d.ttype = (uint8_t)out_ttype(s->out);
    d.elem = MPE_ELEM_OUT;
    d.out = s->out;
    d.ndim = 2;
    d.dims[0] = j->rows;
    d.dims[1] = s->N;
    d.addr = s->o_addr;
    d.layout = MPE_LAYOUT_TILED;
    d.nparams = MPE_LP_TILED_COUNT;
    d.params[MPE_LP_VR] = (int32_t)ar->rows;
    d.params[MPE_LP_K] = (int32_t)ar->lanes;
    d.params[MPE_LP_MP] = (int32_t)j->rows;
    d.params[MPE_LP_KP] = (int32_t)s->N;
    return st ? st : mpe_program_add_tensor(g->prog, &d);
}

/* ---- the loop style -------------------------------------------------------------- */

static void emit_loop(gen *g, const mpe_pg_job *j, const mpe_gemm_plan *pl)
{
    mpe_codebuf *cb = &g->cb;
    const mpe_gemm_spec *s = &j->spec;
    uint32_t B = pl->beat, okt = pl->nt * pl->C / pl->L;
    uint32_t abytes = pl->mt * pl->ks * pl->va, obytes = pl->mt * okt * pl->vo;
    uint32_t wbytes = pl->nt * pl->ks * pl->vw;
    mpe_cb_sync(cb);
    mpe_cb_cfgpe(cb, 0, &s->pe);
    mpe_cb_cfgout(cb, 0, s->rq, s->out, s->bias, s->relu, s->lo, s->hi);
    mpe_cb_cfggemm(cb, 0, pl->mt, pl->nt, pl->ks, pl->ks, pl->ks, okt);
    mpe_cb_load(cb, 0, MPE_SP_WSP, pl->wsp[0], 0, (int64_t)s->w_addr, 1, wbytes, wbytes);
    mpe_cb_load(cb, 0, MPE_SP_PSP, pl->pp[0], 0, (int64_t)s->p_addr, 1, pl->nt * pl->C * 16, 0);
    if (pl->scales == 2)
        mpe_cb_load(cb, 0, MPE_SP_PSP, pl->ps[0], 0, (int64_t)s->s_addr, 1, pl->srec, 0);
    for (int k = 0; k < 2; k++) { /* prime: two free buffers on each side */
        mpe_cb_cfggemm(cb, MPE_DEP_PUSH_PREV, pl->mt, pl->nt, pl->ks, pl->ks, pl->ks, okt);
        mpe_cb_store(cb, MPE_DEP_PUSH_PREV, pl->osp_scratch, 0, (int64_t)g->scratch_mem, 1, B, B);
    }
    mpe_cb_li(cb, 1, (uint32_t)s->a_addr);
    mpe_cb_li(cb, 2, (uint32_t)s->o_addr);
    mpe_cb_li(cb, 4, (uint32_t)s->s_addr);
    mpe_cb_li(cb, 3, j->batches / 2);
    long top = (long)cb->n;
    for (uint32_t h = 0; h < 2; h++) {
        int bfp = pl->scales == 1;
        mpe_cb_load(cb, MPE_DEP_POP_NEXT | (bfp ? 0 : MPE_DEP_PUSH_NEXT), MPE_SP_ASP, pl->asp[h], 1,
                    (int64_t)h * abytes, 1, abytes, 0);
        if (bfp)
            mpe_cb_load(cb, MPE_DEP_PUSH_NEXT, MPE_SP_PSP, pl->ps[h], 4, (int64_t)h * pl->srec, 1,
                        pl->srec, 0);
        mpe_cb_matmul(cb, MPE_DEP_POP_PREV | MPE_DEP_POP_NEXT | MPE_DEP_PUSH_PREV | MPE_DEP_PUSH_NEXT, pl->asp[h], pl->wsp[0],
                      pl->osp[h], pl->pp[0], bfp ? pl->ps[h] : pl->scales ? pl->ps[0] : 0);
        mpe_cb_store(cb, MPE_DEP_POP_PREV | MPE_DEP_PUSH_PREV, pl->osp[h], 2, (int64_t)h * obytes, 1, obytes, 0);
    }
    mpe_cb_addi(cb, 1, 1, (int32_t)(2 * abytes));
    mpe_cb_addi(cb, 2, 2, (int32_t)(2 * obytes));
    mpe_cb_addi(cb, 4, 4, (int32_t)(2 * pl->srec));
    mpe_cb_dbnz(cb, 3, (uint32_t)top);
    for (int k = 0; k < 2; k++) { /* drain the primed tokens */
        mpe_cb_load(cb, MPE_DEP_POP_NEXT, MPE_SP_PSP, pl->psp_scratch, 0, (int64_t)g->scratch_mem, 1,
                    B, B);
        mpe_cb_cfggemm(cb, MPE_DEP_POP_NEXT, pl->mt, pl->nt, pl->ks, pl->ks, pl->ks, okt);
    }
    mpe_cb_sync(cb);
}

/* ---- program ------------------------------------------------------------------------ */

static int extra_hook(void *user, int kind, uint64_t gi)
{
    uint64_t h = *(const uint64_t *)user ^ ((uint64_t)kind << 56) ^ (gi * 0x9E3779B97F4A7C15ull);
    return mpe_pg_rand(&h) % 100 < 25;
}

static int style_of(gen *g, int mode)
{
    if (mode != MPE_PG_MIXED)
        return mode;
    return MPE_PG_SYNC + (int)rnd(&g->r, 4);
}

static mpe_status make_job(gen *g, mpe_pg_job *j, int style, mpe_gemm_plan *pl)
{
    j->style = style;
    for (int tries = 0; tries < 200; tries++) {
        memset(&j->spec, 0, sizeof j->spec);
        j->spec.pe = mpe_pg_rand_pe(&g->r, (int)g->ar->lanes, -1);
        rand_out(&g->r, &j->spec);
        if (rand_shape(g, j, pl) == 0)
            return job_data(g, j, pl);
    }
    snprintf(g->err, g->errlen, "progen: no GEMM fits this architecture");
    return MPE_ERR_SHAPE;
}

static mpe_status emit_jobs(gen *g, mpe_pg *pg, const int *styles, mpe_gemm_plan *plans)
{
    mpe_gemm_hooks hk = {extra_hook, &g->seed, g->scratch_mem};
    for (size_t k = 0; k < pg->njobs; k++) {
        mpe_pg_job *j = &pg->jobs[k];
        if (j->style == MPE_PG_LOOP) {
            emit_loop(g, j, &plans[k]);
            continue;
        }
        int chained = j->style != MPE_PG_SYNC, final = 0;
        if (chained) { /* the last chained job before a loop job or the end */
            final = 1;
            for (size_t n = k + 1; n < pg->njobs && styles[n] != MPE_PG_LOOP; n++)
                if (styles[n] != MPE_PG_SYNC)
                    final = 0;
        }
        mpe_status st = mpe_gemm_emit(g->ar, &j->spec, &plans[k], &g->chain, final,
                                      j->style == MPE_PG_TOKENS ? &hk : NULL, &g->cb);
        if (st != MPE_OK)
            return st;
        if (final) {
            memset(&g->chain, 0, sizeof g->chain);
            g->chain.nbuf = g->nbuf;
        }
    }
    mpe_cb_halt(&g->cb);
    return g->cb.err;
}

void mpe_pg_free(mpe_pg *pg)
{
    for (size_t k = 0; pg->jobs && k < pg->njobs; k++) {
        mpe_pg_job *j = &pg->jobs[k];
        free(j->A);
        free(j->W);
        free(j->a_scale);
        free(j->w_scale);
        free(j->w_zero);
        free(j->params);
    }
    free(pg->jobs);
    mpe_program_free(&pg->prog);
    memset(pg, 0, sizeof *pg);
}

static mpe_status generate(gen *g, mpe_pg *pg, const void *arg)
{
    int mode = *(const int *)arg, styles[8];
    mpe_gemm_plan plans[8];
    pg->njobs = 1 + rnd(&g->r, 4);
    pg->jobs = calloc(pg->njobs, sizeof *pg->jobs);
    if (!pg->jobs)
        return MPE_ERR_NOMEM;
    g->nbuf = mode == MPE_PG_TOKENS || mode == MPE_PG_MIXED ? 1 + rnd(&g->r, 2) : 2;
    g->chain.nbuf = g->nbuf;
    g->scratch_mem = alloc_mem(g, g->ar->beat_bytes);
    for (size_t k = 0; k < pg->njobs; k++)
        styles[k] = style_of(g, mode);
    for (size_t k = 0; k < pg->njobs; k++) {
        mpe_status st = make_job(g, &pg->jobs[k], styles[k], &plans[k]);
        if (st == MPE_OK)
            st = job_place(g, &pg->jobs[k], &plans[k], k);
        if (st != MPE_OK)
            return st;
    }
    mpe_status st = emit_jobs(g, pg, styles, plans);
    if (st == MPE_OK)
        st = mpe_program_set_code(&pg->prog, g->cb.code, g->cb.n);
    return st;
}

/* One GEMM of the caller's spec with random data. */
static mpe_status generate_one(gen *g, mpe_pg *pg, const void *arg)
{
    const mpe_gemm_spec *spec = arg;
    mpe_gemm_plan plan;
    pg->njobs = 1;
    pg->jobs = calloc(1, sizeof *pg->jobs);
    if (!pg->jobs)
        return MPE_ERR_NOMEM;
    mpe_pg_job *j = &pg->jobs[0];
    int style = spec->sync_only ? MPE_PG_SYNC : MPE_PG_DOUBLE;
    j->style = style;
    j->spec = *spec;
    j->batches = 1;
    j->rows = spec->M;
    g->nbuf = spec->nbuf ? spec->nbuf : 2;
    g->chain.nbuf = g->nbuf;
    mpe_status st = mpe_gemm_plan_make(g->ar, &j->spec, &plan, g->err, g->errlen);
    if (st == MPE_OK)
        st = job_data(g, j, &plan);
    if (st == MPE_OK)
        st = job_place(g, j, &plan, 0);
    if (st == MPE_OK)
        st = emit_jobs(g, pg, &style, &plan);
    if (st == MPE_OK)
        st = mpe_program_set_code(&pg->prog, g->cb.code, g->cb.n);
    return st;
}

typedef mpe_status (*gen_fn)(gen *g, mpe_pg *pg, const void *arg);

static mpe_status progen_common(const mpe_arch *ar, uint64_t seed, const char *meta, gen_fn fn,
                                const void *arg, mpe_pg *pg, char *err, size_t errlen)
{
    mpe_program_init(&pg->prog);
    pg->prog.arch = *ar;
    err[0] = 0;
    gen g = {ar, seed, seed, 0x1000, 0, &pg->prog, {0}, {0}, 2, err, errlen};
    mpe_cb_init(&g.cb);
    mpe_status st = mpe_program_set_meta(&pg->prog, meta);
    if (st == MPE_OK)
        st = fn(&g, pg, arg);
    if (st == MPE_OK)
        st = mpe_program_check(&pg->prog, err, errlen);
    else if (!err[0])
        snprintf(err, errlen, "progen: %s%s%s", mpe_status_str(st), g.cb.msg[0] ? ": " : "",
                 g.cb.msg);
    mpe_cb_free(&g.cb);
    if (st != MPE_OK)
        mpe_pg_free(pg);
    return st;
}

mpe_status mpe_progen(const mpe_arch *ar, uint64_t seed, int mode, mpe_pg *pg, char *err,
                      size_t errlen)
{
    memset(pg, 0, sizeof *pg);
    if (mode < 0 || mode >= MPE_PG_MODE_COUNT) {
        snprintf(err, errlen, "progen: unknown mode %d", mode);
        return MPE_ERR_ARG;
    }
    char meta[96];
    snprintf(meta, sizeof meta, "mpe progen --seed %llu --mode %s",
             (unsigned long long)seed, mpe_pg_mode_name(mode));
    return progen_common(ar, seed, meta, generate, &mode, pg, err, errlen);
}

mpe_status mpe_progen_gemm(const mpe_arch *ar, uint64_t seed, const mpe_gemm_spec *spec,
                           mpe_pg *pg, char *err, size_t errlen)
{
    memset(pg, 0, sizeof *pg);
    char meta[160];
    snprintf(meta, sizeof meta, "GEMM %ux%ux%u, %s, random data seed %llu", spec->M, spec->N,
             spec->K, mpe_mode_name((mpe_mode)spec->pe.mode), (unsigned long long)seed);
    return progen_common(ar, seed, meta, generate_one, spec, pg, err, errlen);
}
