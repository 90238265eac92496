/* The compute unit: configuration instructions, the matmul tile loops with
 * operand fetch from the scratchpad layouts (docs/isa.md 3), the PE array
 * (R PEs, one per row, weights broadcast) and the output unit that drains
 * each tile through the output stage into the OSP (docs/isa.md 5):
 *   - cycle t_s fetches op 0; op o occupies the cycles after its fetch;
 *   - op o+1 is fetched in the last cycle of op o, except after the last op
 *     of a tile, whose results are handed to the output unit in
 *     h = max(end + 1, previous drain end + 1); the next op is fetched in
 *     h - 1 and starts in h;
 *   - the output unit reads the tile's parameter records in h and writes
 *     PE row r to the OSP in h + r; t_e = the last drain cycle.
 * Operands (codes and block scales) are read from the scratchpads in the
 * fetch cycle. */
#include "accel_int.h"

#include <stdlib.h>
#include <string.h>

#include "mpe/fp32.h"
#include "mpe/le.h"

mpe_status mpe_acc_compute_alloc(mpe_accel *a)
{
    acc_compute *cu = &a->cu;
    uint32_t R = a->arch.rows, C = a->arch.cols, K = a->arch.lanes;
    cu->pe = calloc(R, sizeof *cu->pe);
    cu->oa = calloc((size_t)R * K, sizeof(uint16_t));
    cu->ow = calloc((size_t)C * K, sizeof(uint16_t));
    cu->oas = calloc((size_t)R * K, sizeof(uint16_t));
    cu->ows = calloc((size_t)C * K, sizeof(uint16_t));
    cu->owz = calloc((size_t)C * K, sizeof(int16_t));
    int ok = cu->pe && cu->oa && cu->ow && cu->oas && cu->ows && cu->owz;
    for (int i = 0; i < 3; i++) {
        acc_tile *tl = &cu->tile[i];
        tl->yi = calloc((size_t)R * C, sizeof(int64_t));
        tl->yf = calloc((size_t)R * C, sizeof(uint32_t));
        tl->code = calloc((size_t)R * C, sizeof(uint32_t));
        ok = ok && tl->yi && tl->yf && tl->code;
    }
    return ok ? MPE_OK : MPE_ERR_NOMEM;
}

static void free_tile_bufs(acc_compute *cu)
{
    free(cu->ta);
    free(cu->tw);
    free(cu->tas);
    free(cu->tws);
    free(cu->twz);
    cu->ta = cu->tw = cu->tas = cu->tws = NULL;
    cu->twz = NULL;
}

void mpe_acc_compute_free(mpe_accel *a)
{
    acc_compute *cu = &a->cu;
    free(cu->pe);
    free(cu->oa);
    free(cu->ow);
    free(cu->oas);
    free(cu->ows);
    free(cu->owz);
    free_tile_bufs(cu);
    for (int i = 0; i < 3; i++) {
        free(cu->tile[i].yi);
        free(cu->tile[i].yf);
        free(cu->tile[i].code);
    }
}

/* Fast path: buffers for one tile's operands (R x ks*K and C x ks*K codes).
 * Grown on demand; 0 if they cannot be had (the matmul then uses the
 * structural path, which gives the same results). */
static int tile_bufs(mpe_accel *a, uint32_t ks, uint32_t kb)
{
    acc_compute *cu = &a->cu;
    size_t R = a->arch.rows, C = a->arch.cols, kt = (size_t)ks * a->arch.lanes;
    size_t nb = kb ? kb : 1;
    free_tile_bufs(cu);
    cu->ta = malloc(R * kt * sizeof(uint16_t));
    cu->tw = malloc(C * kt * sizeof(uint16_t));
    cu->tas = calloc(R * nb, sizeof(uint16_t));
    cu->tws = calloc(C * nb, sizeof(uint16_t));
    cu->twz = calloc(C * nb, sizeof(int16_t));
    return cu->ta && cu->tw && cu->tas && cu->tws && cu->twz;
}

static void start_matmul(mpe_accel *a, uint64_t t)
{
    acc_compute *cu = &a->cu;
    char msg[8];
    mpe_acc_geom_make(&a->arch, &cu->cfg, &cu->g, msg, sizeof msg); /* checked at dispatch */
    cu->nops = cu->cfg.mt * cu->cfg.nt * cu->cfg.ks;
    cu->next_op = 0;
    cu->next_fetch = t;
    cu->have_drain = 0;
    cu->t_head = cu->t_n = 0;
    if (a->path == MPE_PE_PATH_FAST && !tile_bufs(a, cu->cfg.ks, cu->g.kb))
        free_tile_bufs(cu);
    if (a->path == MPE_PE_PATH_STRUCT || !cu->ta)
        for (uint32_t r = 0; r < a->arch.rows; r++)
            mpe_pe_init(&cu->pe[r], (int)a->arch.lanes, (int)a->arch.cols, &cu->cfg.pe);
}

void mpe_acc_compute_start(mpe_accel *a, const acc_qent *q, uint64_t t)
{
    acc_compute *cu = &a->cu;
    cu->busy = 1;
    cu->cur = *q;
    cu->ts = t;
    if (q->in->id == MPE_I_MATMUL) {
        start_matmul(a, t);
        return;
    }
    mpe_acc_cfg_apply(&cu->cfg, q->in, (int)a->arch.lanes); /* t_e = t_s */
    cu->busy = 0;
    mpe_acc_complete(a, MPE_UNIT_COMPUTE, q);
}

/* ---- operand fetch --------------------------------------------------------- */

static uint32_t le16(const uint8_t *p) { return (uint32_t)mpe_get_le(p, 2); }
static uint32_t le32(const uint8_t *p) { return (uint32_t)mpe_get_le(p, 4); }

/* Block scales of op (i, j, s): slots q of block s*K/G + q (docs/isa.md 3). */
static void fetch_scales(mpe_accel *a, uint32_t i, uint32_t j, uint32_t s)
{
    acc_compute *cu = &a->cu;
    const acc_geom *g = &cu->g;
    uint32_t R = a->arch.rows, C = a->arch.cols, K = a->arch.lanes;
    const uint8_t *S = a->sp[MPE_SP_PSP] + cu->cur.in->f[MPE_F_MATMUL_s];
    uint32_t b0 = s * K / g->G;
    for (uint32_t q = 0; q < g->slots; q++) {
        uint32_t b = b0 + q;
        if (g->sc == ACC_SC_BFP) {
            const uint8_t *ws = S + (size_t)cu->cfg.mt * g->kb * R;
            for (uint32_t r = 0; r < R; r++)
                cu->oas[r * g->slots + q] = S[((size_t)i * g->kb + b) * R + r];
            for (uint32_t c = 0; c < C; c++)
                cu->ows[c * g->slots + q] = ws[((size_t)j * g->kb + b) * C + c];
        } else {
            const uint8_t *zp = S + (size_t)cu->cfg.nt * g->kb * C * 2;
            for (uint32_t c = 0; c < C; c++) {
                size_t e = (((size_t)j * g->kb + b) * C + c) * 2;
                cu->ows[c * g->slots + q] = (uint16_t)le16(S + e);
                cu->owz[c * g->slots + q] = (int16_t)le16(zp + e);
            }
        }
    }
}

/* n codes of width cw from code index first of a vector, masked. */
static void unpack(const uint8_t *v, uint32_t first, uint32_t n, uint32_t cw, uint32_t mask,
                   uint16_t *dst)
{
    if (cw == 8) {
        for (uint32_t x = 0; x < n; x++)
            dst[x] = (uint16_t)(v[first + x] & mask);
    } else if (cw == 16) {
        for (uint32_t x = 0; x < n; x++)
            dst[x] = (uint16_t)(mpe_acc_get_code(v, first + x, 16) & mask);
    } else {
        for (uint32_t x = 0; x < n; x++) {
            uint32_t bit = (first + x) * cw;
            dst[x] = (uint16_t)((v[bit >> 3] >> (bit & 7)) & mask);
        }
    }
}

/* The op's codes: row r (column c) to a + r*stride (w + c*stride). */
static void fetch_codes(mpe_accel *a, uint32_t i, uint32_t j, uint32_t s, uint16_t *da,
                        uint16_t *dw, size_t stride)
{
    acc_compute *cu = &a->cu;
    const acc_cfg *c = &cu->cfg;
    uint32_t K = a->arch.lanes;
    const uint8_t *av = a->sp[MPE_SP_ASP] + cu->cur.in->f[MPE_F_MATMUL_a] +
                        ((size_t)i * c->akt + s) * cu->g.va;
    const uint8_t *wv = a->sp[MPE_SP_WSP] + cu->cur.in->f[MPE_F_MATMUL_w] +
                        ((size_t)j * c->wkt + s) * cu->g.vw;
    uint32_t ma = mpe_dt_mask(c->pe.a), mw = mpe_dt_mask(c->pe.w);
    for (uint32_t r = 0; r < a->arch.rows; r++)
        unpack(av, r * K, K, cu->g.cwa, ma, da + r * stride);
    for (uint32_t col = 0; col < a->arch.cols; col++)
        unpack(wv, col * K, K, cu->g.cww, mw, dw + col * stride);
}

/* Structural path: one mpe_pe_step per PE row. */
static void step_rows(mpe_accel *a, uint32_t s)
{
    acc_compute *cu = &a->cu;
    uint32_t K = a->arch.lanes, sl = cu->g.slots;
    for (uint32_t r = 0; r < a->arch.rows; r++) {
        mpe_pe_op op = {cu->oa + r * K, cu->ow, cu->oas + r * sl, cu->ows,
                        cu->g.sc == ACC_SC_SHIFTADD ? cu->owz : NULL, (uint8_t)(s == 0)};
        mpe_pe_step(&cu->pe[r], &op, NULL);
    }
}

/* Fast path: the op's block scales into the tile's scale arrays (the codes
 * were fetched straight into the tile buffers). */
static void gather_scales(mpe_accel *a, uint32_t s)
{
    acc_compute *cu = &a->cu;
    const acc_geom *g = &cu->g;
    uint32_t R = a->arch.rows, C = a->arch.cols, K = a->arch.lanes;
    if (g->sc == ACC_SC_NONE)
        return;
    uint32_t b0 = s * K / g->G;
    for (uint32_t q = 0; q < g->slots; q++) {
        for (uint32_t r = 0; r < R; r++)
            cu->tas[r * g->kb + b0 + q] = cu->oas[r * g->slots + q];
        for (uint32_t c = 0; c < C; c++) {
            cu->tws[c * g->kb + b0 + q] = cu->ows[c * g->slots + q];
            cu->twz[c * g->kb + b0 + q] = cu->owz[c * g->slots + q];
        }
    }
}

static void tile_results(mpe_accel *a, acc_tile *tl)
{
    acc_compute *cu = &a->cu;
    uint32_t R = a->arch.rows, C = a->arch.cols;
    if (cu->ta) {
        mpe_gemm_args g = {(int)R, (int)C, (int)(cu->cfg.ks * a->arch.lanes), cu->ta, cu->tw,
                           cu->g.sc == ACC_SC_BFP ? cu->tas : NULL,
                           cu->g.sc != ACC_SC_NONE ? cu->tws : NULL,
                           cu->g.sc == ACC_SC_SHIFTADD ? cu->twz : NULL};
        mpe_gemm_fast(&cu->cfg.pe, &g, tl->yi, tl->yf);
        return;
    }
    for (uint32_t r = 0; r < R; r++)
        for (uint32_t c = 0; c < C; c++) {
            tl->yi[r * C + c] = mpe_pe_acc_int(&cu->pe[r], (int)c);
            tl->yf[r * C + c] = mpe_pe_acc_f32(&cu->pe[r], (int)c);
        }
}

static void fetch(mpe_accel *a, uint64_t t)
{
    acc_compute *cu = &a->cu;
    const acc_cfg *c = &cu->cfg;
    uint32_t o = cu->next_op++, K = a->arch.lanes;
    uint32_t s = o % c->ks, tix = o / c->ks, i = tix / c->nt, j = tix % c->nt;
    size_t kt = (size_t)c->ks * K;
    if (cu->ta) /* fast path: straight into the tile buffers */
        fetch_codes(a, i, j, s, cu->ta + (size_t)s * K, cu->tw + (size_t)s * K, kt);
    else
        fetch_codes(a, i, j, s, cu->oa, cu->ow, K);
    int closes = 0;
    if (cu->g.sc != ACC_SC_NONE) {
        fetch_scales(a, i, j, s);
        closes = (int)((s + 1) * K / cu->g.G - s * K / cu->g.G);
    }
    if (cu->ta)
        gather_scales(a, s);
    else
        step_rows(a, s);
    uint64_t cyc = (uint64_t)mpe_pe_op_cycles(&c->pe, closes, (int)a->arch.lut_ppc), end = t + cyc;
    a->stats.pe_busy += cyc;
    a->stats.pe_ops++;
    a->stats.macs += (uint64_t)a->arch.rows * a->arch.cols * K;
    if (s + 1 < c->ks) {
        cu->next_fetch = end;
        return;
    }
    uint64_t h = end + 1;
    if (cu->have_drain && cu->drain_end + 1 > h)
        h = cu->drain_end + 1;
    a->stats.drain_stall += h - (end + 1);
    acc_tile *tl = &cu->tile[(cu->t_head + cu->t_n++) % 3];
    tl->h = h;
    tl->i = i;
    tl->j = j;
    tl->last = o + 1 == cu->nops;
    tile_results(a, tl);
    cu->have_drain = 1;
    cu->drain_end = h + a->arch.rows - 1;
    cu->next_fetch = h - 1;
}

/* ---- output unit ------------------------------------------------------------- */

static void tile_codes(mpe_accel *a, acc_tile *tl)
{
    acc_compute *cu = &a->cu;
    uint32_t R = a->arch.rows, C = a->arch.cols;
    const uint8_t *P = a->sp[MPE_SP_PSP] + cu->cur.in->f[MPE_F_MATMUL_p];
    for (uint32_t c = 0; c < C; c++) {
        const uint8_t *rec = P + ((size_t)tl->j * C + c) * ACC_PARAM_BYTES;
        mpe_outcfg oc = cu->cfg.out;
        oc.bias = le32(rec);
        oc.mult = le32(rec + 4);
        oc.shift = (int8_t)rec[8];
        oc.zp = (int32_t)le32(rec + 12);
        for (uint32_t r = 0; r < R; r++)
            tl->code[r * C + c] = cu->g.acc_float ? mpe_out_from_f32(&oc, tl->yf[r * C + c])
                                                  : mpe_out_from_int(&oc, tl->yi[r * C + c]);
    }
}

static void drain(mpe_accel *a, uint64_t t)
{
    acc_compute *cu = &a->cu;
    if (!cu->t_n)
        return;
    acc_tile *tl = &cu->tile[cu->t_head];
    if (t < tl->h)
        return;
    uint32_t r = (uint32_t)(t - tl->h), C = a->arch.cols, K = a->arch.lanes;
    if (r == 0)
        tile_codes(a, tl);
    uint8_t *O = a->sp[MPE_SP_OSP] + cu->cur.in->f[MPE_F_MATMUL_o];
    for (uint32_t c = 0; c < C; c++) {
        uint32_t n = tl->j * C + c;
        uint8_t *vec = O + ((size_t)tl->i * cu->cfg.okt + n / K) * cu->g.vo;
        mpe_acc_put_code(vec, r * K + n % K, cu->g.cwo, tl->code[r * C + c]);
    }
    if (r + 1 < a->arch.rows)
        return;
    cu->t_head = (cu->t_head + 1) % 3;
    cu->t_n--;
    if (tl->last) {
        cu->busy = 0;
        mpe_acc_complete(a, MPE_UNIT_COMPUTE, &cu->cur);
    }
}

void mpe_acc_compute_cycle(mpe_accel *a, uint64_t t)
{
    acc_compute *cu = &a->cu;
    if (!cu->busy)
        return;
    drain(a, t);
    if (cu->busy && cu->next_op < cu->nops && t == cu->next_fetch)
        fetch(a, t);
}
