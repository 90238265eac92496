/* ModelProto / TensorProto construction with protobuf-c. */
#include "onnxb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXT_MIN_BYTES 4096 /* initializers at least this large go external */

void ob_init(ob *b)
{
    memset(b, 0, sizeof *b);
}

void *ob_alloc(ob *b, size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p || (b->nmem == b->capmem &&
               !(b->mem = realloc(b->mem, (b->capmem = b->capmem ? 2 * b->capmem : 64) *
                                              sizeof *b->mem)))) {
        fprintf(stderr, "mpe-gen-onnx: out of memory\n");
        exit(1);
    }
    b->mem[b->nmem++] = p;
    return p;
}

void ob_free(ob *b)
{
    for (size_t i = 0; i < b->nmem; i++)
        free(b->mem[i]);
    free(b->mem);
    memset(b, 0, sizeof *b);
}

char *ob_str(ob *b, const char *s)
{
    char *d = ob_alloc(b, strlen(s) + 1);
    memcpy(d, s, strlen(s));
    return d;
}

size_t ob_dtype_size(int dt)
{
    switch (dt) {
    case T_UINT8: case T_INT8: return 1;
    case T_FLOAT16: return 2;
    case T_FLOAT: case T_INT32: return 4;
    case T_INT64: return 8;
    default: return 0;
    }
}

static size_t count(int ndim, const int64_t *dims)
{
    size_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= (size_t)dims[i];
    return n;
}

/* Grows a pointer array by one. */
static void push(ob *b, void ***arr, size_t *n, void *item)
{
    void **na = ob_alloc(b, (*n + 1) * sizeof *na);
    if (*n)
        memcpy(na, *arr, *n * sizeof *na);
    na[(*n)++] = item;
    *arr = na;
}

Onnx__TensorProto *ob_tensor(ob *b, const char *name, int dtype, int ndim, const int64_t *dims,
                             const void *data)
{
    Onnx__TensorProto *t = ob_alloc(b, sizeof *t);
    onnx__tensor_proto__init(t);
    t->name = ob_str(b, name);
    t->has_data_type = 1;
    t->data_type = dtype;
    t->n_dims = (size_t)ndim;
    t->dims = ob_alloc(b, (size_t)(ndim ? ndim : 1) * sizeof *t->dims);
    if (ndim)
        memcpy(t->dims, dims, (size_t)ndim * sizeof *dims);
    size_t bytes = count(ndim, dims) * ob_dtype_size(dtype);
    t->has_raw_data = 1;
    t->raw_data.len = bytes;
    t->raw_data.data = ob_alloc(b, bytes);
    memcpy(t->raw_data.data, data, bytes);
    return t;
}

static Onnx__StringStringEntryProto *kv(ob *b, const char *k, const char *v)
{
    Onnx__StringStringEntryProto *e = ob_alloc(b, sizeof *e);
    onnx__string_string_entry_proto__init(e);
    e->key = ob_str(b, k);
    e->value = ob_str(b, v);
    return e;
}

/* Moves the tensor's bytes to the external data file. */
static void externalize(ob *b, Onnx__TensorProto *t)
{
    if (!b->ext_file) {
        b->ext_file = fopen(b->ext_path, "wb");
        if (!b->ext_file) {
            fprintf(stderr, "mpe-gen-onnx: cannot write %s\n", b->ext_path);
            exit(1);
        }
    }
    fwrite(t->raw_data.data, 1, t->raw_data.len, b->ext_file);
    char off[32], len[32];
    snprintf(off, sizeof off, "%llu", (unsigned long long)b->ext_off);
    snprintf(len, sizeof len, "%llu", (unsigned long long)t->raw_data.len);
    b->ext_off += t->raw_data.len;
    t->n_external_data = 3;
    t->external_data = ob_alloc(b, 3 * sizeof *t->external_data);
    t->external_data[0] = kv(b, "location", b->ext_name);
    t->external_data[1] = kv(b, "offset", off);
    t->external_data[2] = kv(b, "length", len);
    t->has_data_location = 1;
    t->data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
    t->has_raw_data = 0;
    t->raw_data.len = 0;
    t->raw_data.data = NULL;
}

void ob_init_tensor(ob *b, const char *name, int dtype, int ndim, const int64_t *dims,
                    const void *data)
{
    Onnx__TensorProto *t = ob_tensor(b, name, dtype, ndim, dims, data);
    if (b->ext_path && t->raw_data.len >= EXT_MIN_BYTES)
        externalize(b, t);
    push(b, (void ***)&b->init, &b->ninit, t);
}

static Onnx__ValueInfoProto *vinfo(ob *b, const char *name, int dtype, int ndim,
                                   const int64_t *dims, const char *dyn)
{
    Onnx__ValueInfoProto *v = ob_alloc(b, sizeof *v);
    onnx__value_info_proto__init(v);
    v->name = ob_str(b, name);
    Onnx__TypeProto *tp = ob_alloc(b, sizeof *tp);
    onnx__type_proto__init(tp);
    Onnx__TypeProto__Tensor *tt = ob_alloc(b, sizeof *tt);
    onnx__type_proto__tensor__init(tt);
    tt->has_elem_type = 1;
    tt->elem_type = dtype;
    Onnx__TensorShapeProto *sh = ob_alloc(b, sizeof *sh);
    onnx__tensor_shape_proto__init(sh);
    sh->n_dim = (size_t)ndim;
    sh->dim = ob_alloc(b, (size_t)(ndim ? ndim : 1) * sizeof *sh->dim);
    for (int i = 0; i < ndim; i++) {
        Onnx__TensorShapeProto__Dimension *d = ob_alloc(b, sizeof *d);
        onnx__tensor_shape_proto__dimension__init(d);
        if (i == 0 && dyn) {
            d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
            d->dim_param = ob_str(b, dyn);
        } else {
            d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
            d->dim_value = dims[i];
        }
        sh->dim[i] = d;
    }
    tt->shape = sh;
    tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    tp->tensor_type = tt;
    v->type = tp;
    return v;
}

void ob_input(ob *b, const char *name, int dtype, int ndim, const int64_t *dims)
{
    push(b, (void ***)&b->in, &b->nin, vinfo(b, name, dtype, ndim, dims, NULL));
}

void ob_input_dyn(ob *b, const char *name, int dtype, int ndim, const int64_t *dims,
                  const char *dyn)
{
    push(b, (void ***)&b->in, &b->nin, vinfo(b, name, dtype, ndim, dims, dyn));
}

void ob_output(ob *b, const char *name, int dtype, int ndim, const int64_t *dims)
{
    push(b, (void ***)&b->out, &b->nout, vinfo(b, name, dtype, ndim, dims, NULL));
}

static size_t list_len(const char *const *l)
{
    size_t n = 0;
    while (l && l[n])
        n++;
    return n;
}

Onnx__NodeProto *ob_node(ob *b, const char *op, const char *domain, const char *name,
                         const char *const *in, const char *const *out)
{
    Onnx__NodeProto *n = ob_alloc(b, sizeof *n);
    onnx__node_proto__init(n);
    n->op_type = ob_str(b, op);
    n->domain = ob_str(b, domain ? domain : "");
    n->name = ob_str(b, name ? name : "");
    n->n_input = list_len(in);
    n->input = ob_alloc(b, (n->n_input + 1) * sizeof *n->input);
    for (size_t i = 0; i < n->n_input; i++)
        n->input[i] = ob_str(b, in[i]);
    n->n_output = list_len(out);
    n->output = ob_alloc(b, (n->n_output + 1) * sizeof *n->output);
    for (size_t i = 0; i < n->n_output; i++)
        n->output[i] = ob_str(b, out[i]);
    push(b, (void ***)&b->node, &b->nnode, n);
    return n;
}

static Onnx__AttributeProto *attr(ob *b, Onnx__NodeProto *n, const char *name, int type)
{
    Onnx__AttributeProto *a = ob_alloc(b, sizeof *a);
    onnx__attribute_proto__init(a);
    a->name = ob_str(b, name);
    a->has_type = 1;
    a->type = type;
    push(b, (void ***)&n->attribute, &n->n_attribute, a);
    return a;
}

void ob_attr_i(ob *b, Onnx__NodeProto *n, const char *name, int64_t v)
{
    Onnx__AttributeProto *a = attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    a->has_i = 1;
    a->i = v;
}

void ob_attr_f(ob *b, Onnx__NodeProto *n, const char *name, float v)
{
    Onnx__AttributeProto *a = attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
    a->has_f = 1;
    a->f = v;
}

void ob_attr_ints(ob *b, Onnx__NodeProto *n, const char *name, int cnt, const int64_t *v)
{
    Onnx__AttributeProto *a = attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
    a->n_ints = (size_t)cnt;
    a->ints = ob_alloc(b, (size_t)cnt * sizeof *v);
    memcpy(a->ints, v, (size_t)cnt * sizeof *v);
}

void ob_attr_s(ob *b, Onnx__NodeProto *n, const char *name, const char *v)
{
    Onnx__AttributeProto *a = attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING);
    a->has_s = 1;
    a->s.len = strlen(v);
    a->s.data = (uint8_t *)ob_str(b, v);
}

static int write_buf(const char *path, const uint8_t *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, len, f) != len) {
        if (f)
            fclose(f);
        fprintf(stderr, "mpe-gen-onnx: cannot write %s\n", path);
        return -1;
    }
    return fclose(f) ? -1 : 0;
}

int ob_write_model(ob *b, const char *path)
{
    Onnx__GraphProto g;
    onnx__graph_proto__init(&g);
    g.name = "mpe_generated";
    g.n_node = b->nnode;
    g.node = b->node;
    g.n_initializer = b->ninit;
    g.initializer = b->init;
    g.n_input = b->nin;
    g.input = b->in;
    g.n_output = b->nout;
    g.output = b->out;
    Onnx__OperatorSetIdProto op0, op1, *ops[2] = {&op0, &op1};
    onnx__operator_set_id_proto__init(&op0);
    onnx__operator_set_id_proto__init(&op1);
    op0.domain = "";
    op0.has_version = op1.has_version = 1;
    op0.version = 21;
    op1.domain = "com.microsoft";
    op1.version = 1;
    Onnx__ModelProto m;
    onnx__model_proto__init(&m);
    m.has_ir_version = 1;
    m.ir_version = 10;
    m.producer_name = "mpe-gen-onnx";
    m.n_opset_import = 2;
    m.opset_import = ops;
    m.graph = &g;
    if (b->ext_file) {
        fclose(b->ext_file);
        b->ext_file = NULL;
    }
    size_t len = onnx__model_proto__get_packed_size(&m);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return -1;
    onnx__model_proto__pack(&m, buf);
    int rc = write_buf(path, buf, len);
    free(buf);
    return rc;
}

int ob_write_tensor(const char *path, const char *name, int dtype, int ndim, const int64_t *dims,
                    const void *data)
{
    ob b;
    ob_init(&b);
    Onnx__TensorProto *t = ob_tensor(&b, name, dtype, ndim, dims, data);
    size_t len = onnx__tensor_proto__get_packed_size(t);
    uint8_t *buf = malloc(len ? len : 1);
    int rc = -1;
    if (buf) {
        onnx__tensor_proto__pack(t, buf);
        rc = write_buf(path, buf, len);
        free(buf);
    }
    ob_free(&b);
    return rc;
}
