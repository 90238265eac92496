/* Pass `lower_conv`: convolutions become GEMMs.
 * Weights [OC][C][kh][kw] are the GEMM weights W[n = oc][k]; the activation
 * matrix is the im2col matrix A[p][k], rows p = (image, oy, ox), with the
 * layer's column order (conv_col / conv_tap below, the one definition):
 *  - a convolution fed by a graph input reads an im2col matrix that the host
 *    packs through the tensor descriptor (IO_IM2COL), column order
 *    k = (c*kh + ky)*kw + kx, padding filled with the input zero point so
 *    padded taps contribute (zp - zp) * w = 0;
 *  - a 1x1, stride 1, unpadded convolution fed by another layer is a plain
 *    GEMM on the channels-last matrix that layer wrote;
 *  - any other convolution fed by another layer reads an im2col matrix that
 *    the producing convolution writes directly with its stores (gather.c):
 *    a new value (im2col_of = the consumer, gather_src = the producer's
 *    output), column order k = (ky*kw + kx)*cseg + c with the channels padded
 *    to cseg = a multiple of the lanes, so that one output vector row of the
 *    producer (lanes channels of one pixel) is one row segment of the matrix.
 *    The padding columns have weight 0; the matrix is pre-filled with the
 *    input zero point's code in the binary's memory image (pack.c), which
 *    the padded taps keep. K becomes kh*kw*cseg. This pass runs before
 *    `precision`, so that the padding weights are seen by every later pass.
 *    The producer must be a convolution (its output is the channels-last
 *    image) with an 8-bit output whose vector rows are whole DMA beats. */
#include "comp.h"

#include <stdio.h>

static int64_t rup(int64_t x, int64_t m)
{
    return (x + m - 1) / m * m;
}

int64_t conv_col(const ir_layer *L, int ch, int ky, int kx)
{
    if (L->cseg)
        return ((int64_t)ky * L->kw + kx) * L->cseg + ch;
    return ((int64_t)ch * L->kh + ky) * L->kw + kx;
}

int conv_tap(const ir_layer *L, int64_t k, int *ch, int *ky, int *kx)
{
    if (L->cseg) {
        int64_t tap = k / L->cseg;
        *ch = (int)(k % L->cseg);
        *ky = (int)(tap / L->kw);
        *kx = (int)(tap % L->kw);
        return *ch < L->C && *ky < L->kh;
    }
    *kx = (int)(k % L->kw);
    *ky = (int)(k / L->kw % L->kh);
    *ch = (int)(k / ((int64_t)L->kw * L->kh));
    return *ch < L->C;
}

static int is_pointwise(const ir_layer *L)
{
    return L->kh == 1 && L->kw == 1 && L->sh == 1 && L->sw == 1 && L->pt == 0 && L->pl == 0 &&
           L->pb == 0 && L->pr == 0;
}

static int other_reader(const comp *c, int layer)
{
    for (int i = 0; i < c->nl; i++)
        if (i != layer && c->L[i].x == c->L[layer].x)
            return i;
    return -1;
}

static int producer_of(const comp *c, int v)
{
    for (int i = 0; i < c->nl; i++)
        if (c->L[i].y == v)
            return i;
    return -1;
}

/* The consumer reads a new value, the im2col matrix its producer writes. */
static int gather(comp *c, int li)
{
    ir_layer *L = &c->L[li];
    int x = L->x, p = producer_of(c, x);
    const char *what = NULL;
    if (p < 0 || !c->L[p].is_conv || !c->v[x].nchw)
        what = "is not the output of a convolution";
    else if (mpe_out_bits(c->L[p].out) != 8)
        what = "is not an 8-bit quantized output";
    else if (c->arch.lanes % c->arch.beat_bytes)
        what = "has output vector rows that are not whole DMA beats (lanes % beat_bytes)";
    if (what)
        return comp_err(c, "layer '%s' (%s): a %dx%d convolution (stride %d,%d, pads "
                        "%d,%d,%d,%d) fed by another layer needs its im2col matrix written by "
                        "that layer's stores, but its input '%s' %s", L->name, L->op, L->kh,
                        L->kw, L->sh, L->sw, L->pt, L->pl, L->pb, L->pr, c->v[x].name, what);
    char name[300];
    snprintf(name, sizeof name, "%s:im2col:%s", c->v[x].name, L->name);
    int g = ir_new_value(c, name, VK_ACT);
    if (g < 0)
        return -1;
    ir_value *gv = &c->v[g], *xv = &c->v[x];
    gv->dtype = xv->dtype;
    gv->q = xv->q;
    gv->im2col_of = li;
    gv->gather_src = x;
    gv->ndim = 2;
    L = &c->L[li];
    L->cseg = (int)rup(L->C, c->arch.lanes);
    L->K = (int64_t)L->kh * L->kw * L->cseg;
    gv->dims[0] = L->Mreal;
    gv->dims[1] = L->K;
    L->x = g;
    return 0;
}

static int lower(comp *c, int li)
{
    ir_layer *L = &c->L[li];
    if (c->v[L->x].kind != VK_INPUT) {
        if (is_pointwise(L))
            return 0;
        return gather(c, li);
    }
    if (is_pointwise(L) && !c->v[L->x].nchw)
        return 0;
    int o = other_reader(c, li);
    if (o >= 0)
        return comp_err(c, "layer '%s' (%s): input '%s' is also read by layer '%s'; an "
                        "im2col input cannot be shared", L->name, L->op, c->v[L->x].name,
                        c->L[o].name);
    for (int i = 0; i < c->nio; i++) {
        ir_io *io = &c->io[i];
        if (io->is_input && io->value == L->x) {
            io->layout = IO_IM2COL;
            io->layer = li;
            return 0;
        }
    }
    return comp_err(c, "internal: no descriptor for convolution input '%s'", c->v[L->x].name);
}

int pass_lower_conv(comp *c)
{
    for (int i = 0; i < c->nl; i++)
        if (c->L[i].is_conv && lower(c, i))
            return -1;
    return 0;
}
