/* The host side of `fuse`: graph inputs and outputs become tensor
 * descriptors (ir_io). A float input feeding QuantizeLinear is quantized by
 * the host (QuantizeLinear semantics); a layer output read by
 * DequantizeLinear as a graph output is dequantized by the host. Whatever
 * is left afterwards cannot run and is reported. */
#include "comp.h"

#include <string.h>

static int live_uses(const comp *c, int v)
{
    int cnt = 0;
    for (int i = 0; i < c->nn; i++)
        for (int k = 0; !c->n[i].dead && k < c->n[i].nin; k++)
            if (c->n[i].in[k] == v) {
                cnt++;
                break;
            }
    return cnt;
}

static int add_io(comp *c, const ir_value *shape_of, int value, int is_input, int onnx_dtype,
                  ir_quant q)
{
    int id = ir_new_io(c);
    if (id < 0)
        return -1;
    ir_io *io = &c->io[id];
    io->name = comp_strdup(shape_of->name);
    if (!io->name)
        return comp_err(c, "out of memory");
    io->is_input = is_input;
    io->value = value;
    io->onnx_dtype = onnx_dtype;
    io->ndim = shape_of->ndim;
    memcpy(io->dims, shape_of->dims, sizeof io->dims);
    io->nchw = shape_of->nchw;
    io->q = q;
    io->layout = IO_MATRIX;
    return 0;
}

static int layer_writes(const comp *c, int v)
{
    for (int i = 0; i < c->nl; i++)
        if (c->L[i].y == v)
            return 1;
    return 0;
}

static int has_io(const comp *c, int value, int is_input)
{
    for (int i = 0; i < c->nio; i++)
        if (c->io[i].value == value && c->io[i].is_input == is_input)
            return 1;
    return 0;
}

/* QuantizeLinear of a float graph input: the host quantizes. */
static int host_quant(comp *c, int node)
{
    ir_node *n = &c->n[node];
    ir_value *x = &c->v[n->in[0]], *o = &c->v[n->out[0]];
    char d[256];
    if (x->kind != VK_INPUT || x->dtype != MPE_T_FLOAT)
        return comp_err(c, "%s: only a float graph input can be quantized outside a layer",
                        comp_node_desc(c, node, d, sizeof d));
    ir_quant q = {o->dtype, 0, 0};
    if (o->dtype != MPE_T_INT8 && o->dtype != MPE_T_UINT8)
        return comp_err(c, "%s: output type %s is not supported (int8 or uint8)",
                        comp_node_desc(c, node, d, sizeof d), mpe_ttype_name(o->dtype));
    if (qp_scale(c, node, n->in[1], "scale", &q.scale) ||
        qp_zp(c, node, n->nin > 2 ? n->in[2] : -1, o->dtype, "zero point", &q.zp))
        return -1;
    o->kind = VK_INPUT;
    o->producer = -1;
    o->q = q;
    o->nchw = o->nchw || x->nchw;
    n->dead = 1;
    return add_io(c, x, n->out[0], 1, MPE_T_FLOAT, q);
}

/* DequantizeLinear: consumed by layers (drop it) or a graph output. */
static int host_dequant(comp *c, int node)
{
    ir_node *n = &c->n[node];
    ir_value *o = &c->v[n->out[0]];
    int src = ir_root(c, n->in[0]);
    char d[256];
    if (live_uses(c, n->out[0]) > 0)
        return comp_err(c, "%s: its float result is used by an operation the accelerator "
                        "cannot run", comp_node_desc(c, node, d, sizeof d));
    n->dead = 1;
    if (!o->is_output)
        return 0;
    if (!layer_writes(c, src))
        return comp_err(c, "%s: graph output '%s' is not computed by an accelerator layer",
                        comp_node_desc(c, node, d, sizeof d), o->name);
    ir_quant q = {c->v[src].dtype, 0, 0};
    if (qp_scale(c, node, n->in[1], "scale", &q.scale) ||
        qp_zp(c, node, n->nin > 2 ? n->in[2] : -1, q.dtype, "zero point", &q.zp))
        return -1;
    o->is_output = 0; /* served by this descriptor */
    return add_io(c, o, src, 0, MPE_T_FLOAT, q);
}

static int outputs(comp *c)
{
    for (int v = 0; v < c->nv; v++) {
        if (!c->v[v].is_output)
            continue;
        int r = ir_root(c, v);
        if (!layer_writes(c, r))
            return comp_err(c, "graph output '%s' is not computed by an accelerator layer",
                            c->v[v].name);
        if (add_io(c, &c->v[v], r, 0, c->v[v].dtype, c->v[r].q))
            return -1;
    }
    return 0;
}

int fuse_host(comp *c)
{
    for (int i = 0; i < c->nn; i++)
        if (!c->n[i].dead && !strcmp(c->n[i].op, "QuantizeLinear") && host_quant(c, i))
            return -1;
    for (int i = 0; i < c->nn; i++)
        if (!c->n[i].dead && !strcmp(c->n[i].op, "DequantizeLinear") && host_dequant(c, i))
            return -1;
    for (int i = 0; i < c->nn; i++) {
        char d[256];
        if (!c->n[i].dead)
            return comp_err(c, "%s: not part of a quantized pattern the accelerator runs",
                            comp_node_desc(c, i, d, sizeof d));
    }
    for (int i = 0; i < c->nl; i++) {
        int x = c->L[i].x;
        if (c->v[x].kind == VK_INPUT && !has_io(c, x, 1) &&
            add_io(c, &c->v[x], x, 1, c->v[x].dtype, c->L[i].aq))
            return -1;
    }
    return outputs(c);
}
