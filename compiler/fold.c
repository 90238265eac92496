/* Pass `fold`: shape and layout glue.
 * - Reshape, Flatten, Squeeze, Unsqueeze, Identity and Transpose of
 *   constants are evaluated (the result is a constant).
 * - Reshape, Flatten, Squeeze, Unsqueeze and Identity of an activation
 *   become views of the same memory when they keep the matrix layout the
 *   accelerator stores (rows x last dimension, or an image's rows = N*H*W,
 *   cols = C); otherwise the node is rejected.
 * Image layout (nchw) is propagated from convolutions and graph inputs that
 * feed them through element-wise operators. */
#include "comp.h"

#include <stdlib.h>
#include <string.h>

static int is_op(const ir_node *n, const char *op)
{
    return !strcmp(n->op, op);
}

static int is_glue(const ir_node *n)
{
    return is_op(n, "Reshape") || is_op(n, "Flatten") || is_op(n, "Squeeze") ||
           is_op(n, "Unsqueeze") || is_op(n, "Identity");
}

static int is_conv(const ir_node *n)
{
    return is_op(n, "Conv") || is_op(n, "QLinearConv") || is_op(n, "ConvInteger");
}

static int is_elementwise(const ir_node *n)
{
    return is_op(n, "QuantizeLinear") || is_op(n, "DequantizeLinear") || is_op(n, "Relu") ||
           is_op(n, "Clip") || is_op(n, "Add");
}

/* Output takes the input's data with its own dims (no copy). */
static void const_view(ir_value *o, const ir_value *x, int xi)
{
    o->owner = x->owner >= 0 ? x->owner : xi;
    o->kind = VK_CONST;
    o->c = x->c;
    o->c.ndim = o->ndim;
    memcpy(o->c.dims, o->dims, sizeof o->dims);
    o->borrowed = 1;
}

static int const_transpose(comp *c, int node)
{
    ir_node *n = &c->n[node];
    ir_value *x = &c->v[n->in[0]], *o = &c->v[n->out[0]];
    int64_t p[MPE_TENSOR_MAX_DIMS];
    int r = x->ndim;
    if (attr_ints(n, "perm", p, MPE_TENSOR_MAX_DIMS) < 0)
        for (int i = 0; i < r; i++)
            p[i] = r - 1 - i;
    size_t es = mpe_ttype_size(x->c.dtype);
    if (mpe_tensor_alloc(&o->c, x->c.dtype, o->ndim, o->dims) != MPE_OK)
        return comp_err(c, "out of memory");
    o->kind = VK_CONST;
    int64_t xs[MPE_TENSOR_MAX_DIMS], idx[MPE_TENSOR_MAX_DIMS] = {0};
    xs[r - 1] = 1;
    for (int i = r - 2; i >= 0; i--)
        xs[i] = xs[i + 1] * x->dims[i + 1];
    const uint8_t *src = x->c.data;
    uint8_t *dst = o->c.data;
    for (size_t k = 0; k < o->c.count; k++) {
        int64_t off = 0;
        for (int i = 0; i < r; i++)
            off += idx[i] * xs[p[i]];
        memcpy(dst + k * es, src + (size_t)off * es, es);
        for (int i = r - 1; i >= 0; i--) {
            if (++idx[i] < o->dims[i])
                break;
            idx[i] = 0;
        }
    }
    return 0;
}

/* An activation reshape is a view when the matrix layout is unchanged. */
static int act_view(comp *c, int node)
{
    ir_node *n = &c->n[node];
    ir_value *x = &c->v[n->in[0]], *o = &c->v[n->out[0]];
    int64_t xr, xc, orr, oc;
    ir_matrix(x, &xr, &xc);
    ir_matrix(o, &orr, &oc);
    int same = xr == orr && xc == oc;
    if (x->nchw && x->dims[2] * x->dims[3] != 1 && x->dims[1] != 1)
        same = 0; /* an image with H*W > 1 is stored channels-last */
    if (!same) {
        char d[256];
        return comp_err(c, "%s: reshaping activation '%s' changes the order of its elements "
                        "in accelerator memory (stored as a %lld x %lld matrix); not supported",
                        comp_node_desc(c, node, d, sizeof d), x->name, (long long)xr,
                        (long long)xc);
    }
    o->view_of = n->in[0];
    return 0;
}

static int fold_node(comp *c, int node)
{
    ir_node *n = &c->n[node];
    ir_value *x = &c->v[n->in[0]];
    char d[256];
    if (is_op(n, "Transpose")) {
        if (x->kind != VK_CONST)
            return comp_err(c, "%s: transposing an activation is not supported "
                            "(only constants are transposed at compile time)",
                            comp_node_desc(c, node, d, sizeof d));
        n->dead = 1;
        return const_transpose(c, node);
    }
    if (!is_glue(n))
        return 0;
    n->dead = 1;
    if (x->kind == VK_CONST) {
        const_view(&c->v[n->out[0]], x, n->in[0]);
        return 0;
    }
    return act_view(c, node);
}

/* Image layout: conv outputs and inputs, through element-wise nodes. */
static void mark_nchw(comp *c)
{
    for (int i = 0; i < c->nn; i++) {
        ir_node *n = &c->n[i];
        if (n->dead)
            continue;
        if (is_conv(n)) {
            c->v[n->out[0]].nchw = 1;
            if (c->v[n->in[0]].kind != VK_CONST)
                c->v[n->in[0]].nchw = 1;
        } else if (is_elementwise(n) && c->v[n->in[0]].nchw && c->v[n->out[0]].ndim == 4) {
            c->v[n->out[0]].nchw = 1;
        }
    }
    /* a quantized graph input feeding Q -> DQ -> Conv is an image too */
    for (int i = c->nn - 1; i >= 0; i--) {
        ir_node *n = &c->n[i];
        if (!n->dead && is_elementwise(n) && c->v[n->out[0]].nchw &&
            c->v[n->in[0]].kind != VK_CONST && c->v[n->in[0]].ndim == 4)
            c->v[n->in[0]].nchw = 1;
    }
}

int pass_fold(comp *c)
{
    mark_nchw(c);
    for (int i = 0; i < c->nn; i++)
        if (!c->n[i].dead && fold_node(c, i))
            return -1;
    return 0;
}
