/* Pass `pack`: the external memory map and the data placed in it.
 * Activations get regions in the activation layout (docs/isa.md section 3:
 * vectors of R x lanes codes, order (tile row, k-step)); a gathered im2col
 * matrix (lower_conv.c) is pre-filled with its input zero point's code in
 * the memory image. Each layer gets
 *  - its weight vectors (C x lanes codes, order (tile column, k-step)), one
 *    region per N block padded to the block size the tiling loads;
 *  - per N block, its output parameter records (16 bytes per column: bias,
 *    multiplier, shift, zero point) followed, for grouped shift-add, by the
 *    FP16 block scales [j][b][c] and int16 zero points [j][b][c], for bfp
 *    (integer layers as MXINT8) by the E8M0 block scales, all 2^6.
 * Weight codes are encoded in the layer's weight type (mpe_dtype). */
#include "comp.h"

#include <stdlib.h>
#include <string.h>

#include "mpe/le.h"

static int64_t rup(int64_t x, int64_t m)
{
    return (x + m - 1) / m * m;
}

static int mem_alloc(comp *c, uint64_t bytes, const char *what, uint64_t *addr)
{
    uint64_t a = (uint64_t)rup((int64_t)c->mem_top, 64);
    if (a + bytes > c->arch.mem_bytes)
        return comp_err(c, "the model does not fit in accelerator memory: %s needs %llu bytes "
                        "at 0x%llx, mem_bytes is %u", what, (unsigned long long)bytes,
                        (unsigned long long)a, c->arch.mem_bytes);
    *addr = a;
    c->mem_top = a + bytes;
    return 0;
}

/* Code of weight value v in type t (the range was checked by mode_cfg). */
static uint32_t encode_w(mpe_dtype t, int32_t v)
{
    switch (t.kind) {
    case MPE_DT_BINARY: return v > 0;
    case MPE_DT_TERNARY: return (uint32_t)v & 3u;
    case MPE_DT_POW2: {
        if (v == 0)
            return 0;
        uint32_t a = (uint32_t)(v < 0 ? -v : v), e = 1;
        while (a > 1) {
            a >>= 1;
            e++;
        }
        return (v < 0 ? 8u : 0u) | e;
    }
    default: return (uint32_t)v & mpe_dt_mask(t);
    }
}

static void put_code(uint8_t *base, uint64_t idx, int cw, uint32_t code)
{
    if (cw >= 8) {
        for (int b = 0; b < cw / 8; b++)
            base[idx * (uint64_t)(cw / 8) + b] = (uint8_t)(code >> (8 * b));
        return;
    }
    uint64_t bit = idx * (uint64_t)cw;
    base[bit / 8] |= (uint8_t)((code & ((1u << cw) - 1)) << (bit % 8));
}

/* Code of element (n, k) including padding. */
static uint32_t w_code(comp *c, const ir_layer *L, int64_t n, int64_t k)
{
    if (L->prec.grouped) {
        int64_t kb = k / L->w.bs;
        if (n >= L->N || kb >= L->w.kblocks)
            return 0;
        if (k >= L->K)
            return (uint32_t)L->w.gzp[n * L->w.kblocks + kb];
        return (uint32_t)ir_wget(c, L, n, k);
    }
    if (n >= L->N || k >= L->K)
        return 0;
    return encode_w(L->cfg.w, ir_wget(c, L, n, k));
}

static int pack_weights(comp *c, ir_layer *L)
{
    const ir_tiling *t = &L->t;
    const mpe_arch *a = &c->arch;
    uint64_t vw = (uint64_t)a->cols * a->lanes * t->w_cw / 8;
    L->w_bytes = (uint64_t)t->wsz * t->nblocks;
    if (mem_alloc(c, L->w_bytes, "the weights", &L->w_addr))
        return -1;
    int b = ir_new_blob(c, L->w_addr, L->w_bytes);
    if (b < 0)
        return -1;
    uint8_t *d = c->blob[b].data;
    int64_t tn = t->np / a->cols;
    for (int64_t j = 0; j < tn; j++) {
        int64_t nb = j / t->nt, jj = j % t->nt;
        for (int s = 0; s < t->ks; s++) {
            uint8_t *vec = d + nb * t->wsz + (uint64_t)(jj * t->ks + s) * vw;
            for (uint32_t cc = 0; cc < a->cols; cc++)
                for (uint32_t k = 0; k < a->lanes; k++)
                    put_code(vec, cc * a->lanes + k, t->w_cw,
                             w_code(c, L, j * a->cols + cc, (int64_t)s * a->lanes + k));
        }
    }
    return 0;
}

static void put32(uint8_t *p, uint32_t v) { mpe_put_le(p, v, 4); }
static void put16(uint8_t *p, uint16_t v) { mpe_put_le(p, v, 2); }

/* One N block: records [jj][c], then grouped scales and zero points, or
 * the bfp block scales: A [i][b][r] for the tiling's mt tile rows, then W
 * [j][b][c], every one 2^6 (bfp_exact.c: int8 codes as MXINT8 elements). */
static void pack_param_block(comp *c, const ir_layer *L, uint8_t *p, int64_t nb, int nt)
{
    const mpe_arch *a = &c->arch;
    int grouped = L->cfg.mode == MPE_MODE_SHIFTADD && L->cfg.group;
    int64_t KB = L->cfg.group ? L->t.kp / L->cfg.group : 0;
    if (L->cfg.mode == MPE_MODE_BFP)
        memset(p + (uint64_t)nt * a->cols * 16, bfp_scale_code(),
               (size_t)KB * ((size_t)L->t.mt * a->rows + (size_t)nt * a->cols));
    uint8_t *sc = p + (uint64_t)nt * a->cols * 16, *zp = sc + (uint64_t)nt * KB * a->cols * 2;
    for (int jj = 0; jj < nt; jj++) {
        for (uint32_t cc = 0; cc < a->cols; cc++) {
            int64_t n = (nb * L->t.nt + jj) * a->cols + cc;
            uint8_t *r = p + ((uint64_t)jj * a->cols + cc) * 16;
            if (n < L->N) {
                put32(r, L->fbias ? L->fbias[n] : L->bias ? (uint32_t)L->bias[n] : 0);
                put32(r + 4, L->mult[n]);
                put32(r + 12, (uint32_t)(mpe_out_is_float(L->out) ? 0 : L->yq.zp));
            }
            for (int64_t b = 0; grouped && b < KB; b++) {
                uint64_t o = ((uint64_t)jj * KB + b) * a->cols + cc;
                int ok = n < L->N && b < L->w.kblocks;
                put16(sc + 2 * o, ok ? L->w.gscale[n * L->w.kblocks + b] : 0);
                put16(zp + 2 * o, ok ? (uint16_t)L->w.gzp[n * L->w.kblocks + b] : 0);
            }
        }
    }
}

static int pack_params(comp *c, ir_layer *L)
{
    const ir_tiling *t = &L->t;
    L->p_bytes = (uint64_t)t->psz * t->nblocks;
    if (mem_alloc(c, L->p_bytes, "the output parameters", &L->p_addr))
        return -1;
    int b = ir_new_blob(c, L->p_addr, L->p_bytes);
    if (b < 0)
        return -1;
    int tn = (int)(t->np / c->arch.cols);
    for (int nb = 0; nb < t->nblocks; nb++) {
        int nt = tn - nb * t->nt < t->nt ? tn - nb * t->nt : t->nt;
        pack_param_block(c, L, c->blob[b].data + (uint64_t)nb * t->psz, nb, nt);
    }
    L->s_addr = L->p_addr;
    L->s_bytes = 0;
    return 0;
}

static int alloc_values(comp *c)
{
    for (int i = 0; i < c->nv; i++) {
        ir_value *v = &c->v[i];
        if (!v->cw || v->view_of >= 0)
            continue;
        v->bytes = (uint64_t)v->rows_p * (uint64_t)v->cols_p * (uint64_t)v->cw / 8;
        if (mem_alloc(c, v->bytes, v->name, &v->addr))
            return -1;
    }
    return 0;
}

static int owner_of(const comp *c, int v)
{
    return c->v[v].owner >= 0 ? c->v[v].owner : v;
}

/* The weights of layer i are no longer needed when no later layer reads
 * the same data: free them now, so the source model and the packed program
 * are never both in memory. */
static void release_weights(comp *c, int i)
{
    int o = owner_of(c, c->L[i].w.src);
    for (int j = i + 1; j < c->nl; j++)
        if (owner_of(c, c->L[j].w.src) == o)
            return;
    ir_release(c, c->L[i].w.src);
}

/* A gathered im2col matrix starts as the input zero point's code
 * everywhere: the producer's stores overwrite the real taps, the padded taps
 * keep it, so they contribute (zp - zp) * w = 0 (lower_conv.c). */
static int prefill_gathered(comp *c)
{
    for (int i = 0; i < c->nv; i++) {
        const ir_value *v = &c->v[i];
        if (v->im2col_of < 0)
            continue;
        if (v->cw != 8)
            return comp_err(c, "internal: gathered im2col matrix '%s' of %d-bit codes", v->name,
                            v->cw);
        int b = ir_new_blob(c, v->addr, v->bytes);
        if (b < 0)
            return -1;
        memset(c->blob[b].data, (uint8_t)(c->L[v->im2col_of].aq.zp & 0xff), v->bytes);
    }
    return 0;
}

int pass_pack(comp *c)
{
    c->mem_top = 0;
    if (alloc_values(c) || prefill_gathered(c))
        return -1;
    for (int i = 0; i < c->nl; i++) {
        if (pack_weights(c, &c->L[i]) || pack_params(c, &c->L[i]))
            return -1;
        release_weights(c, i);
    }
    return 0;
}
