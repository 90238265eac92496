/* Pass `fuse`: pattern matching into accelerator layers.
 *   QOperator: QLinearMatMul, QLinearConv, MatMulInteger, ConvInteger.
 *   QDQ: DequantizeLinear(a) and DequantizeLinear(w const) -> MatMul | Gemm |
 *        Conv [-> Add bias] [-> Relu | Clip] [-> QuantizeLinear].
 *   com.microsoft MatMulNBits with A = DequantizeLinear(a).
 * The bias, activation and requantization go into the layer's output stage
 * (docs/numerics.md section 6). QDQ graphs get the integer semantics of the
 * equivalent QOperator node (as ONNX Runtime executes them).
 * Then the host side: QuantizeLinear of a float graph input and
 * DequantizeLinear of a layer output that is a graph output become tensor
 * descriptors (ir_io). Every other node left over is an error. */
#include "comp.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mpe/format.h"

static int nerr(comp *c, int node, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int nerr(comp *c, int node, const char *fmt, ...)
{
    char d[256], m[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    return comp_err(c, "%s: %s", comp_node_desc(c, node, d, sizeof d), m);
}

static int is_op(const comp *c, int node, const char *op)
{
    return node >= 0 && !c->n[node].dead && !strcmp(c->n[node].op, op);
}

/* Live nodes reading value v (any slot); *first gets one of them. */
static int uses(const comp *c, int v, int *first)
{
    int cnt = 0;
    *first = -1;
    for (int i = 0; i < c->nn; i++) {
        if (c->n[i].dead)
            continue;
        for (int k = 0; k < c->n[i].nin; k++)
            if (c->n[i].in[k] == v) {
                if (*first < 0)
                    *first = i;
                cnt++;
                break;
            }
    }
    return cnt;
}

/* The live DequantizeLinear producing v (through views), or -1. */
static int dq_node(const comp *c, int v)
{
    int r = ir_root(c, v), p = c->v[r].producer;
    return is_op(c, p, "DequantizeLinear") ? p : -1;
}

static int in(const comp *c, int node, int i)
{
    return i < c->n[node].nin ? c->n[node].in[i] : -1;
}

static int quant_type_ok(int dt)
{
    return dt == MPE_T_INT8 || dt == MPE_T_UINT8;
}

/* Activation codes x and (scale, zp) from slots of a node. */
static int act_params(comp *c, int node, int xv, int sv, int zv, lb_desc *d)
{
    if (c->v[xv].kind == VK_CONST)
        return nerr(c, node, "the activation input '%s' is a constant; "
                    "constant-only computations are not supported", c->v[xv].name);
    d->x = ir_root(c, xv);
    d->aq.dtype = c->v[xv].dtype;
    if (!quant_type_ok(d->aq.dtype))
        return nerr(c, node, "activation '%s' has type %s (int8 or uint8 expected)",
                    c->v[xv].name, mpe_ttype_name(d->aq.dtype));
    d->aq.scale = mpe_f32_bits(1.0f);
    if (sv >= 0 && qp_scale(c, node, sv, "activation scale", &d->aq.scale))
        return -1;
    return qp_zp(c, node, zv, d->aq.dtype, "activation zero point", &d->aq.zp);
}

/* Output quantization (QuantizeLinear or the QLinear node's y inputs). */
static int out_params(comp *c, int node, int sv, int zv, int dtype, ir_quant *q)
{
    q->dtype = dtype;
    if (!quant_type_ok(dtype))
        return nerr(c, node, "output type %s is not supported (int8 or uint8)",
                    mpe_ttype_name(dtype));
    return qp_scale(c, node, sv, "output scale", &q->scale) ||
           qp_zp(c, node, zv, dtype, "output zero point", &q->zp);
}

/* Weight constant checks; w per-column scales and zero points. */
static int weight_params(comp *c, int node, int wv, int sv, int zv, lb_desc *d)
{
    if (wv < 0 || c->v[wv].kind != VK_CONST)
        return nerr(c, node, "the weights must be a constant (initializer)");
    int dt = c->v[wv].dtype;
    if (!quant_type_ok(dt))
        return nerr(c, node, "weights '%s' have type %s (int8 or uint8 expected)",
                    c->v[wv].name, mpe_ttype_name(dt));
    d->w = wv;
    d->wzp = calloc((size_t)d->N, 4);
    d->wscale = sv >= 0 ? calloc((size_t)d->N, 4) : NULL;
    if (!d->wzp || (sv >= 0 && !d->wscale))
        return comp_err(c, "out of memory");
    if (sv >= 0 && qp_scales_n(c, node, sv, d->N, "weight scale", d->wscale))
        return -1;
    return qp_zps_n(c, node, zv, d->N, dt, "weight zero point", d->wzp);
}

static void free_desc(lb_desc *d)
{
    free(d->wzp);
    free(d->wscale);
    free(d->bias_real);
    free(d->bias_int);
}

/* MatMul-like weights [..., K, N]: batches of K x N. */
static int kn_shape(comp *c, int node, int wv, lb_desc *d)
{
    const ir_value *w = &c->v[wv];
    if (w->ndim < 2)
        return nerr(c, node, "weights of rank %d are not supported (2 or more)", w->ndim);
    d->K = w->dims[w->ndim - 2];
    d->N = w->dims[w->ndim - 1];
    d->nb = 1;
    for (int i = 0; i + 2 < w->ndim; i++)
        d->nb *= (int)w->dims[i];
    d->wkind = WS_KN;
    return 0;
}

static int conv_shape(comp *c, int node, int xv, int wv, lb_desc *d)
{
    if (wv < 0 || c->v[wv].kind != VK_CONST)
        return nerr(c, node, "the weights must be a constant (initializer)");
    if (conv_geom(c, node, &c->v[xv], &c->v[wv], &d->g))
        return -1;
    if (d->g.group != 1)
        return nerr(c, node, "grouped convolution (group=%d) is not supported", d->g.group);
    d->is_conv = 1;
    d->wkind = WS_NK; /* [OC][C*kh*kw]: the im2col column order */
    d->N = d->g.OC;
    d->K = d->g.C * d->g.kh * d->g.kw;
    d->nb = 1;
    return 0;
}

/* Bias vector from a constant: float (real) or int32 (accumulator units). */
static int bias_const(comp *c, int node, int bv, lb_desc *d, float beta, int is_int)
{
    const ir_value *b = &c->v[bv];
    if (b->kind != VK_CONST)
        return nerr(c, node, "the bias '%s' must be a constant; adding two activations "
                    "is not supported", b->name);
    int64_t cnt = ir_count(b);
    if (cnt != 1 && cnt != d->N)
        return nerr(c, node, "the bias '%s' has %lld values; a per-channel bias of %lld is "
                    "expected", b->name, (long long)cnt, (long long)d->N);
    if (is_int && b->c.dtype != MPE_T_INT32)
        return nerr(c, node, "the bias must be int32");
    if (is_int) {
        d->bias_int = malloc((size_t)d->N * 4);
        for (int64_t n = 0; d->bias_int && n < d->N; n++)
            d->bias_int[n] = (int32_t)ir_const_i64(b, cnt == 1 ? 0 : n);
        return d->bias_int ? 0 : comp_err(c, "out of memory");
    }
    if (b->c.dtype != MPE_T_FLOAT)
        return nerr(c, node, "the bias '%s' must be float or DequantizeLinear of int32",
                    b->name);
    d->bias_real = malloc((size_t)d->N * sizeof(double));
    for (int64_t n = 0; d->bias_real && n < d->N; n++)
        d->bias_real[n] = beta * ir_const_f32(b, cnt == 1 ? 0 : n);
    return d->bias_real ? 0 : comp_err(c, "out of memory");
}

/* Bias through DequantizeLinear(int32): used as is when its scale is
 * fp32(a_scale * w_scale) and its zero point 0, else requantized. */
static int bias_dq(comp *c, int node, int dqn, lb_desc *d)
{
    int bq = in(c, dqn, 0);
    if (bq < 0 || c->v[bq].kind != VK_CONST || c->v[bq].dtype != MPE_T_INT32)
        return nerr(c, node, "the bias must be DequantizeLinear of an int32 constant");
    int64_t cnt = ir_count(&c->v[bq]), N = d->N;
    if (cnt != 1 && cnt != N)
        return nerr(c, node, "the bias has %lld values, expected %lld", (long long)cnt,
                    (long long)N);
    uint32_t *s = malloc((size_t)N * 4);
    int32_t *z = malloc((size_t)N * 4);
    d->bias_real = malloc((size_t)N * sizeof(double));
    d->bias_int = malloc((size_t)N * 4);
    int rc = (!s || !z || !d->bias_real || !d->bias_int) ? comp_err(c, "out of memory") : 0;
    if (!rc)
        rc = qp_scales_n(c, dqn, in(c, dqn, 1), N, "bias scale", s) ||
             qp_zps_n(c, dqn, in(c, dqn, 2), N, MPE_T_INT32, "bias zero point", z);
    int exact = 1;
    for (int64_t n = 0; !rc && n < N; n++) {
        int64_t q = ir_const_i64(&c->v[bq], cnt == 1 ? 0 : n);
        float unit = mpe_f32_from_bits(d->aq.scale) *
                     (d->wscale ? mpe_f32_from_bits(d->wscale[n]) : 1.0f);
        d->bias_real[n] = (float)(q - z[n]) * mpe_f32_from_bits(s[n]);
        d->bias_int[n] = (int32_t)q;
        exact &= z[n] == 0 && mpe_f32_bits(unit) == s[n];
    }
    if (!exact) {
        free(d->bias_int);
        d->bias_int = NULL;
    }
    free(s);
    free(z);
    int dummy;
    if (!rc && uses(c, c->n[dqn].out[0], &dummy) <= 1)
        c->n[dqn].dead = 1;
    return rc ? -1 : 0;
}

static int bias_any(comp *c, int node, int bv, lb_desc *d, float beta)
{
    if (d->bias_real || d->bias_int)
        return nerr(c, node, "a second bias cannot be fused");
    int dqn = dq_node(c, bv);
    if (dqn >= 0 && c->v[in(c, dqn, 0)].kind == VK_CONST)
        return bias_dq(c, node, dqn, d);
    return bias_const(c, node, ir_root(c, bv), d, beta, 0);
}

static int clip_bounds(comp *c, int node, lb_desc *d)
{
    float lo = attr_float(&c->n[node], "min", -INFINITY), hi = attr_float(&c->n[node], "max", INFINITY);
    int lv = in(c, node, 1), hv = in(c, node, 2);
    if ((lv >= 0 && c->v[lv].kind != VK_CONST) || (hv >= 0 && c->v[hv].kind != VK_CONST))
        return nerr(c, node, "Clip bounds must be constants");
    if (lv >= 0)
        lo = ir_const_f32(&c->v[lv], 0);
    if (hv >= 0)
        hi = ir_const_f32(&c->v[hv], 0);
    d->act = (lo == 0 && isinf(hi)) ? ACT_RELU : ACT_CLIP;
    d->clip_lo = lo;
    d->clip_hi = hi;
    return 0;
}

/* Walks [Add] [Relu|Clip] [QuantizeLinear] after value `cur`, marking the
 * nodes dead; sets d->y (and d->yq for a quantized output). */
static int walk_tail(comp *c, int anchor, int cur, lb_desc *d)
{
    int stage = 0, nx;
    while (!c->v[cur].is_output && uses(c, cur, &nx) == 1) {
        if (is_op(c, nx, "Add") && stage == 0) {
            int other = in(c, nx, 0) == cur ? in(c, nx, 1) : in(c, nx, 0);
            if (bias_any(c, nx, other, d, 1.0f))
                return -1;
            stage = 1;
        } else if (is_op(c, nx, "Relu") && stage < 2) {
            d->act = ACT_RELU;
            stage = 2;
        } else if (is_op(c, nx, "Clip") && stage < 2) {
            if (clip_bounds(c, nx, d))
                return -1;
            stage = 2;
        } else if (is_op(c, nx, "QuantizeLinear")) {
            if (out_params(c, nx, in(c, nx, 1), in(c, nx, 2), c->v[c->n[nx].out[0]].dtype, &d->yq))
                return -1;
            c->n[nx].dead = 1;
            d->y = c->n[nx].out[0];
            return 0;
        } else {
            break;
        }
        c->n[nx].dead = 1;
        cur = c->n[nx].out[0];
    }
    if (!c->v[cur].is_output)
        return nerr(c, anchor, "its float result '%s' is neither quantized "
                    "(QuantizeLinear) nor a graph output", c->v[cur].name);
    if (c->v[cur].dtype != MPE_T_FLOAT)
        return nerr(c, anchor, "float output '%s' must be float32", c->v[cur].name);
    d->y = cur;
    return 0;
}

/* Activation from DequantizeLinear(a) for QDQ anchors. */
static int qdq_act(comp *c, int node, int av, lb_desc *d)
{
    int dq = dq_node(c, av);
    if (dq < 0 || c->v[in(c, dq, 0)].kind == VK_CONST)
        return nerr(c, node, "input '%s' must be DequantizeLinear of a quantized activation",
                    c->v[av].name);
    return act_params(c, dq, in(c, dq, 0), in(c, dq, 1), in(c, dq, 2), d);
}

/* Weights from DequantizeLinear(w const) for QDQ anchors; `axis` is the
 * output-channel axis of the weight tensor. */
static int qdq_weights(comp *c, int node, int wv, int axis, lb_desc *d)
{
    int dq = dq_node(c, wv);
    if (dq < 0) {
        const ir_value *w = &c->v[ir_root(c, wv)];
        return nerr(c, node, "weights '%s' are %s, not DequantizeLinear of an int8/uint8 "
                    "constant; float weights are not supported", w->name,
                    mpe_ttype_name(w->dtype));
    }
    int wq = ir_root(c, in(c, dq, 0)), sv = in(c, dq, 1);
    const ir_value *w = &c->v[wq];
    int64_t ax = attr_int(&c->n[dq], "axis", 1);
    if (ax < 0)
        ax += w->ndim;
    if (sv >= 0 && ir_count(&c->v[sv]) > 1 && ax != axis)
        return nerr(c, dq, "per-axis weight quantization along axis %lld is not supported "
                    "(the output-channel axis is %d)", (long long)ax, axis);
    if (attr_int(&c->n[dq], "block_size", 0))
        return nerr(c, dq, "blocked DequantizeLinear is not supported (use MatMulNBits)");
    return weight_params(c, dq, wq, sv, in(c, dq, 2), d);
}

static int fuse_qdq(comp *c, int node)
{
    lb_desc d = {0};
    d.node = node;
    const ir_node *n = &c->n[node];
    int rc = qdq_act(c, node, n->in[0], &d);
    int wroot = ir_root(c, n->in[1]), dq = dq_node(c, n->in[1]);
    int wq = dq >= 0 ? ir_root(c, in(c, dq, 0)) : wroot;
    if (!rc && !strcmp(n->op, "Conv"))
        rc = conv_shape(c, node, n->in[0], wq, &d) || qdq_weights(c, node, n->in[1], 0, &d) ||
             (in(c, node, 2) >= 0 && bias_any(c, node, in(c, node, 2), &d, 1.0f));
    else if (!rc && !strcmp(n->op, "Gemm")) {
        int tb = (int)attr_int(n, "transB", 0);
        if (attr_int(n, "transA", 0) || attr_float(n, "alpha", 1.0f) != 1.0f)
            rc = nerr(c, node, "transA and alpha != 1 are not supported");
        else if ((rc = kn_shape(c, node, wq, &d)) == 0) {
            if (tb) {
                int64_t t = d.K; d.K = d.N; d.N = t;
                d.wkind = WS_NK;
            }
            rc = qdq_weights(c, node, n->in[1], tb ? 0 : 1, &d) ||
                 (in(c, node, 2) >= 0 &&
                  bias_any(c, node, in(c, node, 2), &d, attr_float(n, "beta", 1.0f)));
        }
    } else if (!rc) {
        rc = kn_shape(c, node, wq, &d) ||
             qdq_weights(c, node, n->in[1], c->v[wq].ndim - 1, &d);
    }
    if (!rc)
        rc = walk_tail(c, node, n->out[0], &d) || layer_build(c, &d);
    free_desc(&d);
    return rc ? -1 : 0;
}

static int fuse_qlinear(comp *c, int node)
{
    lb_desc d = {0};
    d.node = node;
    const ir_node *n = &c->n[node];
    int conv = !strcmp(n->op, "QLinearConv");
    int rc = act_params(c, node, n->in[0], n->in[1], n->in[2], &d);
    if (!rc)
        rc = conv ? conv_shape(c, node, n->in[0], n->in[3], &d) : kn_shape(c, node, n->in[3], &d);
    if (!rc)
        rc = weight_params(c, node, n->in[3], n->in[4], n->in[5], &d) ||
             out_params(c, node, n->in[6], in(c, node, 7), c->v[n->out[0]].dtype, &d.yq) ||
             (conv && in(c, node, 8) >= 0 && bias_const(c, node, in(c, node, 8), &d, 1, 1));
    d.y = n->out[0];
    if (!rc)
        rc = layer_build(c, &d);
    free_desc(&d);
    return rc ? -1 : 0;
}

static int fuse_integer(comp *c, int node)
{
    lb_desc d = {0};
    d.node = node;
    const ir_node *n = &c->n[node];
    int conv = !strcmp(n->op, "ConvInteger");
    int rc = act_params(c, node, n->in[0], -1, in(c, node, 2), &d);
    if (!rc)
        rc = conv ? conv_shape(c, node, n->in[0], n->in[1], &d) : kn_shape(c, node, n->in[1], &d);
    if (!rc)
        rc = weight_params(c, node, n->in[1], -1, in(c, node, 3), &d);
    d.yq.dtype = MPE_T_INT32;
    d.yq.scale = mpe_f32_bits(1.0f);
    d.y = n->out[0];
    if (!rc)
        rc = layer_build(c, &d);
    free_desc(&d);
    return rc ? -1 : 0;
}

static int nbits_inputs(comp *c, int node, lb_desc *d)
{
    const ir_node *n = &c->n[node];
    int64_t kb = (d->K + d->bs - 1) / d->bs, blob = (int64_t)d->bs * d->bits / 8;
    int bv = ir_root(c, n->in[1]), sv = ir_root(c, n->in[2]);
    int zv = in(c, node, 3) >= 0 ? ir_root(c, in(c, node, 3)) : -1;
    if (c->v[bv].kind != VK_CONST || c->v[bv].dtype != MPE_T_UINT8 ||
        ir_count(&c->v[bv]) != d->N * kb * blob)
        return nerr(c, node, "B must be a uint8 constant of N x k_blocks x blob = %lld x %lld "
                    "x %lld bytes", (long long)d->N, (long long)kb, (long long)blob);
    if (c->v[sv].kind != VK_CONST || ir_count(&c->v[sv]) != d->N * kb ||
        c->v[sv].dtype != MPE_T_FLOAT)
        return nerr(c, node, "scales must be a float constant of N x k_blocks = %lld values",
                    (long long)(d->N * kb));
    for (int64_t i = 0; i < d->N * kb; i++)
        if (!isfinite(ir_const_f32(&c->v[sv], i)))
            return nerr(c, node, "block scale %lld is not finite", (long long)i);
    if (zv >= 0 && (c->v[zv].kind != VK_CONST || c->v[zv].dtype != MPE_T_UINT8 ||
                    ir_count(&c->v[zv]) != d->N * ((kb * d->bits + 7) / 8)))
        return nerr(c, node, "zero_points must be packed uint8 of N x %lld bytes "
                    "(float zero points are not supported)", (long long)((kb * d->bits + 7) / 8));
    if (in(c, node, 4) >= 0)
        return nerr(c, node, "g_idx (act-order) is not supported");
    d->w = bv;
    d->scales = sv;
    d->zps = zv;
    return in(c, node, 5) >= 0 ? bias_const(c, node, ir_root(c, in(c, node, 5)), d, 1, 0) : 0;
}

static int fuse_nbits(comp *c, int node)
{
    lb_desc d = {0};
    d.node = node;
    const ir_node *n = &c->n[node];
    d.K = attr_int(n, "K", 0);
    d.N = attr_int(n, "N", 0);
    int64_t bits = attr_int(n, "bits", 4), bs = attr_int(n, "block_size", 0);
    d.nb = 1;
    d.wkind = WS_NBITS;
    int rc = 0;
    if (bits < 2 || bits > 8)
        rc = nerr(c, node, "bits=%lld is not supported (2..8)", (long long)bits);
    else if (bs < 16 || (bs & (bs - 1)) || bs > 512)
        rc = nerr(c, node, "block_size=%lld is not supported (a power of two, 16..512)",
                  (long long)bs);
    d.bits = (int)bits;
    d.bs = (int)bs;
    if (!rc)
        rc = qdq_act(c, node, n->in[0], &d) || nbits_inputs(c, node, &d) ||
             walk_tail(c, node, n->out[0], &d) || layer_build(c, &d);
    free_desc(&d);
    return rc ? -1 : 0;
}

static int fuse_node(comp *c, int node)
{
    const char *op = c->n[node].op;
    int rc;
    if (!strcmp(op, "MatMul") || !strcmp(op, "Gemm") || !strcmp(op, "Conv"))
        rc = fuse_qdq(c, node);
    else if (!strcmp(op, "QLinearMatMul") || !strcmp(op, "QLinearConv"))
        rc = fuse_qlinear(c, node);
    else if (!strcmp(op, "MatMulInteger") || !strcmp(op, "ConvInteger"))
        rc = fuse_integer(c, node);
    else if (!strcmp(op, "MatMulNBits"))
        rc = fuse_nbits(c, node);
    else
        return 0;
    c->n[node].dead = 1;
    c->n[node].layer = c->nl - 1;
    return rc;
}

int pass_fuse(comp *c)
{
    for (int i = 0; i < c->nn; i++)
        if (!c->n[i].dead && fuse_node(c, i))
            return -1;
    if (c->nl == 0)
        return comp_err(c, "%s: no MatMul, Gemm or Conv to run on the accelerator",
                        c->o.model_path);
    return fuse_host(c);
}
