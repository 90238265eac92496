/* The im2col gather (lower_conv.c): a convolution fed by another
 * convolution reads an im2col matrix that the producer writes directly with
 * its stores. Pixel p = (n, iy, ix) of the producer's output (one output
 * vector row: `lanes` channels of one pixel, in the OSP) belongs to the rows
 * p' = (n, oy, ox) of the consumer with iy = oy*sh - pt + ky*dh and
 * ix = ox*sw - pl + kx*dw for each tap (ky, kx), at column
 * conv_col(consumer, channel, ky, kx). Per task, per tile row, per output
 * vector and per tap, every run of pixels that are consecutive rows of one
 * OSP vector and land on consecutive rows of one R-row tile of the matrix
 * becomes one store (rows x one vector row, memory stride one vector row).
 * With stride 1 a run covers up to R pixels of one image row; with larger
 * strides only every sh-th / sw-th pixel maps to a tap, so runs are single
 * pixels. cost.c times these stores, schedule.c emits them. */
#include "comp.h"

#include <stdlib.h>

int gather_next(const comp *c, const ir_layer *P, int from)
{
    for (int v = from + 1; v < c->nv; v++)
        if (c->v[v].im2col_of >= 0 && c->v[v].gather_src == P->y)
            return v;
    return -1;
}

int value_read(const comp *c, int v)
{
    for (int i = 0; i < c->nl; i++)
        if (c->L[i].x == v)
            return 1;
    for (int i = 0; i < c->nio; i++)
        if (!c->io[i].is_input && c->io[i].value == v)
            return 1;
    return 0;
}

int stores_add(comp *c, ir_stores *o, const ir_store *s)
{
    if (o->n == o->cap) {
        void *q = comp_grow(o->s, &o->cap, o->n + 1, sizeof *o->s);
        if (!q)
            return comp_err(c, "out of memory");
        o->s = q;
    }
    o->s[o->n++] = *s;
    return 0;
}

/* Row of the consumer's matrix fed by producer pixel p at tap (ky, kx), -1 if none. */
static int64_t target_row(const ir_layer *L, int64_t p, int ky, int kx)
{
    int64_t hw = (int64_t)L->H * L->W, n = p / hw, iy = p % hw / L->W, ix = p % L->W;
    int64_t ty = iy + L->pt - (int64_t)ky * L->dh, tx = ix + L->pl - (int64_t)kx * L->dw;
    if (ty < 0 || tx < 0 || ty % L->sh || tx % L->sw)
        return -1;
    int64_t oy = ty / L->sh, ox = tx / L->sw;
    if (oy >= L->OH || ox >= L->OW)
        return -1;
    return (n * L->OH + oy) * L->OW + ox;
}

int gather_stores(comp *c, const ir_layer *P, const ir_tiling *t, const ir_task *k, int gv,
                  ir_stores *out)
{
    const mpe_arch *a = &c->arch;
    const ir_layer *L = &c->L[c->v[gv].im2col_of];
    uint64_t R = a->rows, rowb = (uint64_t)a->lanes * (uint64_t)t->o_cw / 8, vo = R * rowb;
    /* vectors per tile row of the matrix: its padded columns once tiled (a
     * bfp consumer pads K to whole 32-element blocks), K before that */
    const ir_value *gm = &c->v[gv];
    uint64_t ksg = (uint64_t)((gm->cols_p ? gm->cols_p : L->K) / a->lanes);
    uint64_t i0 = (uint64_t)k->mb * (uint64_t)t->mt;
    uint64_t col0 = (uint64_t)k->nb * (uint64_t)t->nt * a->cols / a->lanes;
    for (uint64_t i = i0; i < i0 + (uint64_t)k->mt; i++) {
        for (int o = 0; o < k->okt; o++) {
            int ch = (int)((col0 + (uint64_t)o) * a->lanes);
            if (ch >= L->C)
                continue; /* an output vector of padding channels only */
            uint32_t sp0 = k->o_sp + (uint32_t)(((i - i0) * (uint64_t)k->okt + (uint64_t)o) * vo);
            for (int ky = 0; ky < L->kh; ky++) {
                for (int kx = 0; kx < L->kw; kx++) {
                    uint64_t s = (uint64_t)conv_col(L, ch, ky, kx) / a->lanes;
                    ir_store run = {0, 0, 0, rowb, rowb};
                    int64_t last = -2;
                    for (uint64_t r = 0; r < R; r++) {
                        int64_t p = (int64_t)(i * R + r), q = -1;
                        if (p < P->Mreal)
                            q = target_row(L, p, ky, kx);
                        if (q >= 0 && run.rows && q == last + 1 && (uint64_t)q % R) {
                            run.rows++;
                            last = q;
                            continue;
                        }
                        if (run.rows && stores_add(c, out, &run))
                            return -1;
                        run.rows = 0;
                        if (q < 0)
                            continue;
                        run.sp = sp0 + (uint32_t)(r * rowb);
                        run.off = (((uint64_t)q / R) * ksg + s) * vo + ((uint64_t)q % R) * rowb;
                        run.rows = 1;
                        last = q;
                    }
                    if (run.rows && stores_add(c, out, &run))
                        return -1;
                }
            }
        }
    }
    return 0;
}
