/* Operator check and shape inference of one node at import. Every operator
 * the compiler understands is listed in `ops`; anything else is rejected
 * with the node and operator named. */
#include "comp.h"

#include <string.h>

#include <stdarg.h>

static int bad(comp *c, int node, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(comp *c, int node, const char *fmt, ...)
{
    char d[256], m[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    return comp_err(c, "%s: %s", comp_node_desc(c, node, d, sizeof d), m);
}

static ir_value *inv(comp *c, int node, int i)
{
    const ir_node *n = &c->n[node];
    return (i < n->nin && n->in[i] >= 0) ? &c->v[n->in[i]] : NULL;
}

static ir_value *outv(comp *c, int node)
{
    return &c->v[c->n[node].out[0]];
}

static void set_shape(ir_value *o, int dtype, int ndim, const int64_t *dims)
{
    o->dtype = dtype;
    o->ndim = ndim;
    for (int i = 0; i < ndim; i++)
        o->dims[i] = dims[i];
}

static int need_inputs(comp *c, int node, int lo, int hi)
{
    int n = c->n[node].nin;
    if (n < lo || n > hi)
        return bad(c, node, "%d inputs, expected %d to %d", n, lo, hi);
    for (int i = 0; i < lo; i++)
        if (c->n[node].in[i] < 0)
            return bad(c, node, "required input %d is missing", i);
    return 0;
}

int matmul_shape(comp *c, int node, const ir_value *a, const ir_value *b, ir_value *out)
{
    int64_t ad[MPE_TENSOR_MAX_DIMS], bd[MPE_TENSOR_MAX_DIMS];
    int an = a->ndim, bn = b->ndim;
    if (an < 1 || bn < 1)
        return bad(c, node, "matrix product of a scalar");
    memcpy(ad, a->dims, sizeof ad);
    memcpy(bd, b->dims, sizeof bd);
    if (an == 1) { ad[1] = ad[0]; ad[0] = 1; an = 2; }
    if (bn == 1) { bd[1] = 1; bn = 2; }
    if (ad[an - 1] != bd[bn - 2])
        return bad(c, node, "inner dimensions differ (%lld vs %lld)", (long long)ad[an - 1], (long long)bd[bn - 2]);
    int nb = (an > bn ? an : bn) - 2;
    int64_t od[MPE_TENSOR_MAX_DIMS];
    for (int i = 0; i < nb; i++) {
        int ia = i - (nb - (an - 2)), ib = i - (nb - (bn - 2));
        int64_t x = ia >= 0 ? ad[ia] : 1, y = ib >= 0 ? bd[ib] : 1;
        if (x != y && x != 1 && y != 1)
            return bad(c, node, "batch dimensions do not broadcast (%lld vs %lld)", (long long)x, (long long)y);
        od[i] = x > y ? x : y;
    }
    int on = nb;
    if (a->ndim > 1)
        od[on++] = ad[an - 2];
    if (b->ndim > 1)
        od[on++] = bd[bn - 1];
    set_shape(out, out->dtype, on, od);
    return 0;
}

static int auto_pad(const ir_node *n, char *buf, size_t len)
{
    const Onnx__AttributeProto *a = attr_find(n, "auto_pad");
    snprintf(buf, len, "NOTSET");
    if (a && a->s.len)
        snprintf(buf, len, "%.*s", (int)a->s.len, (const char *)a->s.data);
    return 0;
}

static int same_pads(ir_convgeom *g, const char *mode)
{
    int64_t in[2] = {g->H, g->W};
    int s[2] = {g->sh, g->sw}, k[2] = {g->kh, g->kw}, d[2] = {g->dh, g->dw};
    int *beg[2] = {&g->pt, &g->pl}, *end[2] = {&g->pb, &g->pr};
    for (int i = 0; i < 2; i++) {
        int64_t out = (in[i] + s[i] - 1) / s[i];
        int64_t tot = (out - 1) * s[i] + (int64_t)(k[i] - 1) * d[i] + 1 - in[i];
        if (tot < 0)
            tot = 0;
        *beg[i] = (int)(!strcmp(mode, "SAME_UPPER") ? tot / 2 : tot - tot / 2);
        *end[i] = (int)(tot - *beg[i]);
    }
    return 0;
}

/* A 2-D convolution's list attribute: absent leaves v as it is (v[0] = 0 for
 * want=2), present it must have exactly `want` values in [lo, 65535]. */
static int conv_ints(comp *c, int node, const char *name, int want, int64_t lo, int64_t *v)
{
    if (want == 2)
        v[0] = 0;
    int n = attr_ints(&c->n[node], name, v, 8);
    if (n < 0)
        return 0;
    if (n != want)
        return bad(c, node, "%s has %d values; a 2-D convolution takes %d", name, n, want);
    for (int i = 0; i < n; i++)
        if (v[i] < lo || v[i] > 65535)
            return bad(c, node, "%s value %lld is out of range (%lld..65535)", name,
                       (long long)v[i], (long long)lo);
    return 0;
}

int conv_geom(comp *c, int node, const ir_value *x, const ir_value *w, ir_convgeom *g)
{
    const ir_node *n = &c->n[node];
    memset(g, 0, sizeof *g);
    if (x->ndim != 4 || w->ndim != 4)
        return bad(c, node, "only 2-D convolutions (4-D tensors) are supported");
    g->N = x->dims[0]; g->C = x->dims[1]; g->H = x->dims[2]; g->W = x->dims[3];
    g->OC = w->dims[0]; g->kh = (int)w->dims[2]; g->kw = (int)w->dims[3];
    int64_t v[8], grp = attr_int(n, "group", 1);
    if (grp < 1 || grp > g->C)
        return bad(c, node, "group %lld is out of range (1..%lld)", (long long)grp,
                   (long long)g->C);
    g->group = (int)grp;
    g->sh = g->sw = g->dh = g->dw = 1;
    if (conv_ints(c, node, "strides", 2, 1, v))
        return -1;
    if (v[0]) { g->sh = (int)v[0]; g->sw = (int)v[1]; }
    if (conv_ints(c, node, "dilations", 2, 1, v))
        return -1;
    if (v[0]) { g->dh = (int)v[0]; g->dw = (int)v[1]; }
    if (conv_ints(c, node, "kernel_shape", 2, 1, v))
        return -1;
    if (v[0] && (v[0] != g->kh || v[1] != g->kw))
        return bad(c, node, "kernel_shape disagrees with the weight shape");
    v[0] = -1;
    if (conv_ints(c, node, "pads", 4, 0, v))
        return -1;
    if (v[0] >= 0) {
        g->pt = (int)v[0]; g->pl = (int)v[1]; g->pb = (int)v[2]; g->pr = (int)v[3];
    }
    if (g->group < 1 || g->C % g->group || w->dims[1] * g->group != g->C)
        return bad(c, node, "weight channels %lld do not match input channels %lld",
                   (long long)(w->dims[1] * g->group), (long long)g->C);
    if (g->sh < 1 || g->sw < 1 || g->dh < 1 || g->dw < 1 || g->pt < 0 || g->pl < 0 ||
        g->pb < 0 || g->pr < 0)
        return bad(c, node, "bad strides, dilations or pads");
    char ap[32];
    auto_pad(n, ap, sizeof ap);
    if (!strcmp(ap, "SAME_UPPER") || !strcmp(ap, "SAME_LOWER"))
        same_pads(g, ap);
    else if (!strcmp(ap, "VALID"))
        g->pt = g->pl = g->pb = g->pr = 0;
    else if (strcmp(ap, "NOTSET"))
        return bad(c, node, "unknown auto_pad '%s'", ap);
    int64_t eh = (int64_t)(g->kh - 1) * g->dh + 1, ew = (int64_t)(g->kw - 1) * g->dw + 1;
    g->OH = (g->H + g->pt + g->pb - eh) / g->sh + 1;
    g->OW = (g->W + g->pl + g->pr - ew) / g->sw + 1;
    if (g->H + g->pt + g->pb < eh || g->W + g->pl + g->pr < ew || g->OH < 1 || g->OW < 1)
        return bad(c, node, "kernel larger than the padded input");
    return 0;
}

static int sh_conv(comp *c, int node, int dtype)
{
    ir_convgeom g;
    if (conv_geom(c, node, inv(c, node, 0), inv(c, node, c->n[node].op[0] == 'Q' ? 3 : 1), &g))
        return -1;
    int64_t d[4] = {g.N, g.OC, g.OH, g.OW};
    set_shape(outv(c, node), dtype, 4, d);
    return 0;
}

static int zp_dtype(comp *c, int node, int i, int dflt)
{
    ir_value *z = inv(c, node, i);
    return z ? z->dtype : dflt;
}

static int sh_broadcast(comp *c, int node)
{
    ir_value *a = inv(c, node, 0), *b = inv(c, node, 1);
    int n = a->ndim > b->ndim ? a->ndim : b->ndim;
    int64_t d[MPE_TENSOR_MAX_DIMS];
    for (int i = 0; i < n; i++) {
        int ia = i - (n - a->ndim), ib = i - (n - b->ndim);
        int64_t x = ia >= 0 ? a->dims[ia] : 1, y = ib >= 0 ? b->dims[ib] : 1;
        if (x != y && x != 1 && y != 1)
            return bad(c, node, "shapes do not broadcast (%lld vs %lld)", (long long)x, (long long)y);
        d[i] = x > y ? x : y;
    }
    set_shape(outv(c, node), a->dtype, n, d);
    return 0;
}

/* Reads a constant int64 vector input (Reshape shape, Squeeze axes). */
static int const_ints(comp *c, int node, int i, int64_t *out, int max, int *cnt)
{
    ir_value *v = inv(c, node, i);
    if (!v || v->kind != VK_CONST)
        return bad(c, node, "input %lld must be a constant", (long long)i);
    int64_t n = ir_count(v);
    if (n > max)
        return bad(c, node, "constant input %lld has too many values", (long long)i);
    for (int64_t k = 0; k < n; k++)
        out[k] = ir_const_i64(v, k);
    *cnt = (int)n;
    return 0;
}

static int sh_reshape(comp *c, int node)
{
    ir_value *x = inv(c, node, 0);
    int64_t s[MPE_TENSOR_MAX_DIMS], known = 1;
    int n, neg = -1;
    if (const_ints(c, node, 1, s, MPE_TENSOR_MAX_DIMS, &n))
        return -1;
    int allowzero = (int)attr_int(&c->n[node], "allowzero", 0);
    for (int i = 0; i < n; i++) {
        if (s[i] == 0 && !allowzero && i < x->ndim)
            s[i] = x->dims[i];
        if (s[i] == -1 && neg < 0)
            neg = i;
        else if (s[i] < 0 || (s[i] && known > ((int64_t)1 << 48) / s[i]))
            return bad(c, node, "bad target shape"); /* negative, or past 2^48 elements */
        else
            known *= s[i];
    }
    int64_t total = ir_count(x);
    if (neg >= 0)
        s[neg] = known ? total / known : 0;
    int64_t prod = 1;
    for (int i = 0; i < n; i++)
        prod *= s[i];
    if (prod != total)
        return bad(c, node, "cannot reshape %lld elements into %lld", (long long)total, (long long)prod);
    set_shape(outv(c, node), x->dtype, n, s);
    return 0;
}

static int sh_flatten(comp *c, int node)
{
    ir_value *x = inv(c, node, 0);
    int64_t axis = attr_int(&c->n[node], "axis", 1);
    if (axis < 0)
        axis += x->ndim;
    if (axis < 0 || axis > x->ndim)
        return bad(c, node, "axis out of range");
    int64_t d[2] = {1, 1};
    for (int i = 0; i < x->ndim; i++)
        d[i >= axis] *= x->dims[i];
    set_shape(outv(c, node), x->dtype, 2, d);
    return 0;
}

static int sh_transpose(comp *c, int node)
{
    ir_value *x = inv(c, node, 0);
    int64_t p[MPE_TENSOR_MAX_DIMS], d[MPE_TENSOR_MAX_DIMS];
    int n = attr_ints(&c->n[node], "perm", p, MPE_TENSOR_MAX_DIMS);
    if (n < 0) {
        n = x->ndim;
        for (int i = 0; i < n; i++)
            p[i] = n - 1 - i;
    }
    if (n != x->ndim)
        return bad(c, node, "perm has %d entries for rank %d", n, x->ndim);
    unsigned seen = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < 0 || p[i] >= n || (seen >> p[i] & 1))
            return bad(c, node, "bad perm");
        seen |= 1u << p[i];
        d[i] = x->dims[p[i]];
    }
    set_shape(outv(c, node), x->dtype, n, d);
    return 0;
}

/* Axes from the attribute (old opsets) or the second input (opset 13). */
static int get_axes(comp *c, int node, int64_t *ax, int *n)
{
    *n = attr_ints(&c->n[node], "axes", ax, MPE_TENSOR_MAX_DIMS);
    if (*n >= 0)
        return 0;
    *n = 0;
    if (c->n[node].nin > 1 && c->n[node].in[1] >= 0)
        return const_ints(c, node, 1, ax, MPE_TENSOR_MAX_DIMS, n);
    return 0;
}

static int sh_squeeze(comp *c, int node, int unsq)
{
    ir_value *x = inv(c, node, 0);
    int64_t ax[MPE_TENSOR_MAX_DIMS], d[MPE_TENSOR_MAX_DIMS];
    int na, nd = 0;
    if (get_axes(c, node, ax, &na))
        return -1;
    int rank = unsq ? x->ndim + na : x->ndim;
    if (rank > MPE_TENSOR_MAX_DIMS || (unsq && na == 0))
        return bad(c, node, "bad axes");
    unsigned mark = 0;
    for (int i = 0; i < na; i++) {
        int64_t a = ax[i] < 0 ? ax[i] + rank : ax[i];
        if (a < 0 || a >= rank)
            return bad(c, node, "axis out of range");
        mark |= 1u << a;
    }
    if (unsq) {
        for (int i = 0, j = 0; i < rank; i++)
            d[nd++] = (mark >> i & 1) ? 1 : x->dims[j++];
    } else {
        for (int i = 0; i < x->ndim; i++) {
            int drop = na ? (int)(mark >> i & 1) : x->dims[i] == 1;
            if (drop && x->dims[i] != 1)
                return bad(c, node, "cannot squeeze a dimension of size %lld", (long long)x->dims[i]);
            if (!drop)
                d[nd++] = x->dims[i];
        }
    }
    set_shape(outv(c, node), x->dtype, nd, d);
    return 0;
}

static int sh_same(comp *c, int node, int dtype)
{
    ir_value *x = inv(c, node, 0);
    set_shape(outv(c, node), dtype ? dtype : x->dtype, x->ndim, x->dims);
    return 0;
}

static int sh_nbits(comp *c, int node)
{
    ir_value *a = inv(c, node, 0), *o = outv(c, node);
    int64_t K = attr_int(&c->n[node], "K", -1), N = attr_int(&c->n[node], "N", -1);
    if (a->ndim < 1 || K != a->dims[a->ndim - 1] || N < 1)
        return bad(c, node, "attribute K (%lld) does not match A's last dimension, or N (%lld) is bad",
                   (long long)K, (long long)N);
    set_shape(o, a->dtype, a->ndim, a->dims);
    o->dims[o->ndim - 1] = N;
    return 0;
}

enum { OP_QLMM, OP_QLCONV, OP_MMI, OP_CONVI, OP_Q, OP_DQ, OP_MM, OP_GEMM, OP_CONV,
       OP_ADD, OP_RELU, OP_CLIP, OP_NBITS, OP_RESHAPE, OP_FLATTEN, OP_TRANSPOSE,
       OP_SQUEEZE, OP_UNSQUEEZE, OP_IDENTITY };
#define CONV_ATTRS "auto_pad:s dilations:is group:i kernel_shape:is pads:is strides:is"
/* Operators, input counts and every attribute each may carry (attr_check):
 * an attribute not listed is an error, never silently ignored. */
static const struct {
    const char *name;
    int ms; /* 1: com.microsoft domain */
    int op, nmin, nmax;
    const char *attrs;
} ops[] = {
    {"QLinearMatMul", 0, OP_QLMM, 8, 8, ""}, {"QLinearConv", 0, OP_QLCONV, 8, 9, CONV_ATTRS},
    {"MatMulInteger", 0, OP_MMI, 2, 4, ""}, {"ConvInteger", 0, OP_CONVI, 2, 4, CONV_ATTRS},
    {"QuantizeLinear", 0, OP_Q, 2, 3, "axis:i saturate:b block_size:i=0 output_dtype:i"},
    {"DequantizeLinear", 0, OP_DQ, 2, 3, "axis:i block_size:i=0 output_dtype:i=0"},
    {"MatMul", 0, OP_MM, 2, 2, ""}, {"Gemm", 0, OP_GEMM, 2, 3, "alpha:f beta:f transA:b transB:b"},
    {"Conv", 0, OP_CONV, 2, 3, CONV_ATTRS}, {"Add", 0, OP_ADD, 2, 2, ""},
    {"Relu", 0, OP_RELU, 1, 1, ""}, {"Clip", 0, OP_CLIP, 1, 3, "min:f max:f"},
    {"MatMulNBits", 1, OP_NBITS, 3, 6, "K:i N:i bits:i block_size:i accuracy_level:i"},
    {"Reshape", 0, OP_RESHAPE, 2, 2, "allowzero:b"}, {"Flatten", 0, OP_FLATTEN, 1, 1, "axis:i"},
    {"Transpose", 0, OP_TRANSPOSE, 1, 1, "perm:is"}, {"Squeeze", 0, OP_SQUEEZE, 1, 2, "axes:is"},
    {"Unsqueeze", 0, OP_UNSQUEEZE, 1, 2, "axes:is"}, {"Identity", 0, OP_IDENTITY, 1, 1, ""},
};

static int sh_gemm(comp *c, int node)
{
    ir_value *a = inv(c, node, 0), *b = inv(c, node, 1);
    if (a->ndim != 2 || b->ndim != 2)
        return bad(c, node, "Gemm needs 2-D inputs");
    int ta = (int)attr_int(&c->n[node], "transA", 0), tb = (int)attr_int(&c->n[node], "transB", 0);
    int64_t M = a->dims[ta ? 1 : 0], K = a->dims[ta ? 0 : 1];
    int64_t K2 = b->dims[tb ? 1 : 0], N = b->dims[tb ? 0 : 1];
    if (K != K2)
        return bad(c, node, "inner dimensions differ (%lld vs %lld)", (long long)K, (long long)K2);
    int64_t d[2] = {M, N};
    set_shape(outv(c, node), a->dtype, 2, d);
    return 0;
}

static int infer_op(comp *c, int node, int op);

/* Output shapes of every node stay within 2^40 elements. */
static int infer(comp *c, int node, int op)
{
    if (infer_op(c, node, op))
        return -1;
    ir_value *o = outv(c, node);
    int64_t n = mpe_dims_count(o->ndim, o->dims);
    if (n < 0 || n > ((int64_t)1 << 40))
        return bad(c, node, "output shape too large or negative");
    return 0;
}

static int infer_op(comp *c, int node, int op)
{
    ir_value *o = outv(c, node);
    switch (op) {
    case OP_QLMM: o->dtype = zp_dtype(c, node, 7, MPE_T_UINT8);
        return matmul_shape(c, node, inv(c, node, 0), inv(c, node, 3), o);
    case OP_MMI: o->dtype = MPE_T_INT32;
        return matmul_shape(c, node, inv(c, node, 0), inv(c, node, 1), o);
    case OP_MM: o->dtype = inv(c, node, 0)->dtype;
        return matmul_shape(c, node, inv(c, node, 0), inv(c, node, 1), o);
    case OP_QLCONV: return sh_conv(c, node, zp_dtype(c, node, 7, MPE_T_UINT8));
    case OP_CONVI: return sh_conv(c, node, MPE_T_INT32);
    case OP_CONV: return sh_conv(c, node, inv(c, node, 0)->dtype);
    case OP_Q: return sh_same(c, node, zp_dtype(c, node, 2,
                              (int)attr_int(&c->n[node], "output_dtype", MPE_T_UINT8)));
    case OP_DQ: return sh_same(c, node, inv(c, node, 1)->dtype);
    case OP_GEMM: return sh_gemm(c, node);
    case OP_ADD: return sh_broadcast(c, node);
    case OP_NBITS: return sh_nbits(c, node);
    case OP_RESHAPE: return sh_reshape(c, node);
    case OP_FLATTEN: return sh_flatten(c, node);
    case OP_TRANSPOSE: return sh_transpose(c, node);
    case OP_SQUEEZE: return sh_squeeze(c, node, 0);
    case OP_UNSQUEEZE: return sh_squeeze(c, node, 1);
    default: return sh_same(c, node, 0);
    }
}

int import_shapes(comp *c, int node)
{
    ir_node *n = &c->n[node];
    int ms = !strcmp(n->domain, "com.microsoft");
    if (n->domain[0] && strcmp(n->domain, "ai.onnx") && !ms)
        return bad(c, node, "unsupported operator domain '%s'", n->domain);
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (strcmp(ops[i].name, n->op) || ops[i].ms != ms)
            continue;
        if (need_inputs(c, node, ops[i].nmin, ops[i].nmax) || attr_check(c, node, ops[i].attrs))
            return -1;
        if (n->nout < 1)
            return bad(c, node, "no output");
        for (int k = 0; k < n->nin; k++) {
            ir_value *v = inv(c, node, k);
            if (v && v->dynamic[0])
                return bad(c, node, "input '%s' has a dynamic shape (dimension '%s'); "
                           "only static shapes are supported", v->name, v->dynamic);
        }
        return infer(c, node, ops[i].op);
    }
    return bad(c, node, "unsupported operator");
}
