/* Pass `lower_conv`: convolutions become GEMMs.
 * Weights [OC][C][kh][kw] are read as W[n = oc][k = (ky*kw + kx)*C + c]
 * (WS_CONV). The activation matrix is the im2col matrix A[p][k] with rows
 * p = (image, oy, ox) and the same k order:
 *  - for a convolution fed by a graph input, the host packs the input into
 *    that layout through the tensor descriptor (IO_IM2COL), padding with the
 *    input zero point so padded taps contribute (zp - zp) * w = 0;
 *  - a 1x1, stride 1, unpadded convolution fed by another layer is a plain
 *    GEMM on the channels-last matrix that layer wrote;
 *  - any other convolution fed by another layer would need an im2col gather
 *    in the DMA engine, which is not implemented: it is rejected. */
#include "comp.h"

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

static int lower(comp *c, int li)
{
    ir_layer *L = &c->L[li];
    if (c->v[L->x].kind != VK_INPUT) {
        if (is_pointwise(L))
            return 0;
        return comp_err(c, "layer '%s' (%s): a %dx%d convolution (stride %d,%d, pads %d,%d,%d,%d) "
                        "whose input is computed by another layer needs an im2col gather, "
                        "which is not implemented; only a convolution fed by a graph input "
                        "may be larger than 1x1", L->name, L->op, L->kh, L->kw, L->sh, L->sw,
                        L->pt, L->pl, L->pb, L->pr);
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
