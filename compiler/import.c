/* Pass `import`: reads model.onnx with protobuf-c (onnx__model_proto__unpack)
 * and builds the IR: constants (initializers, Constant nodes, bound inputs),
 * graph inputs, one IR node per ONNX node with inferred output shapes. */
#define _DEFAULT_SOURCE 1 /* madvise */
#include "comp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "onnx_tensor.h"

#define MAX_MODEL_BYTES ((size_t)1 << 34)

/* The model file is mapped read-only (MAP_PRIVATE) rather than read into a
 * buffer. protobuf-c copies every initializer's bytes out of it; before each
 * large allocation the allocator below drops the mapping's resident pages
 * (MADV_DONTNEED: pages of an unmodified private file mapping are read again
 * from the file if touched later), so the peak memory is the decoded model
 * plus one initializer's pages, not the file plus the decoded model. */
typedef struct {
    void *map;
    size_t len;
} model_map;

#define DROP_PAGES_BYTES ((size_t)1 << 20)

static void *map_alloc(void *data, size_t size)
{
    const model_map *m = data;
    if (size >= DROP_PAGES_BYTES)
        (void)madvise(m->map, m->len, MADV_DONTNEED);
    return malloc(size);
}

static void map_free(void *data, void *p)
{
    (void)data;
    free(p);
}

static int map_model(comp *c, model_map *m)
{
    const char *path = c->o.model_path;
    if (!path)
        return comp_err(c, "no model file given");
    FILE *f = fopen(path, "rb");
    if (!f)
        return comp_err(c, "%s: cannot open (%s)", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return comp_err(c, "%s: not a regular file", path);
    }
    if ((size_t)st.st_size > MAX_MODEL_BYTES || st.st_size == 0) {
        fclose(f);
        return comp_err(c, "%s: %s", path, st.st_size ? "file too large" : "empty file");
    }
    m->len = (size_t)st.st_size;
    m->map = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, fileno(f), 0);
    fclose(f);
    if (m->map == MAP_FAILED)
        return comp_err(c, "%s: cannot map (%s)", path, strerror(errno));
    return 0;
}

/* Directory part of the model path, for external data files. */
static void model_dir(const char *path, char *dir, size_t len)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, len, ".");
    else
        snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

static const char *ext_key(const Onnx__TensorProto *p, const char *key)
{
    for (size_t i = 0; i < p->n_external_data; i++)
        if (p->external_data[i]->key && !strcmp(p->external_data[i]->key, key))
            return p->external_data[i]->value;
    return NULL;
}

/* External data (data_location EXTERNAL): location, offset, length keys. */
static int load_external(comp *c, const Onnx__TensorProto *p, ir_value *v)
{
    const char *loc = ext_key(p, "location");
    const char *off = ext_key(p, "offset"), *lenk = ext_key(p, "length");
    if (!loc || strstr(loc, ".."))
        return comp_err(c, "initializer '%s': bad external data location", v->name);
    int64_t dims[MPE_TENSOR_MAX_DIMS], count = -1;
    if (p->n_dims <= MPE_TENSOR_MAX_DIMS) {
        for (size_t i = 0; i < p->n_dims; i++)
            dims[i] = p->dims[i];
        count = mpe_dims_count((int)p->n_dims, dims);
    }
    if (count < 0 || !mpe_ttype_size(p->data_type))
        return comp_err(c, "initializer '%s': unsupported external tensor", v->name);
    size_t need = (size_t)count * mpe_ttype_size(p->data_type);
    long long o = off ? atoll(off) : 0, l = lenk ? atoll(lenk) : (long long)need;
    if (o < 0 || (size_t)l != need)
        return comp_err(c, "initializer '%s': external length %lld, shape needs %zu",
                        v->name, l, need);
    char dir[1024], path[2048];
    model_dir(c->o.model_path, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/%s", dir, loc);
    FILE *f = fopen(path, "rb");
    if (!f)
        return comp_err(c, "initializer '%s': cannot open external data %s", v->name, path);
    /* the file must hold the data before the tensor is allocated */
    struct stat st;
    int ok = fstat(fileno(f), &st) == 0 && st.st_size >= 0 &&
             (unsigned long long)o <= (unsigned long long)st.st_size &&
             need <= (unsigned long long)st.st_size - (unsigned long long)o;
    if (ok && mpe_tensor_alloc(&v->c, p->data_type, (int)p->n_dims, dims) != MPE_OK) {
        fclose(f);
        return comp_err(c, "initializer '%s': out of memory", v->name);
    }
    ok = ok && fseeko(f, (off_t)o, SEEK_SET) == 0 && fread(v->c.data, 1, need, f) == need;
    fclose(f);
    if (!ok)
        return comp_err(c, "initializer '%s': external data %s is too short", v->name, path);
    return 0;
}

/* An initializer becomes a constant; raw_data is borrowed, not copied. */
static int add_initializer(comp *c, const Onnx__TensorProto *p)
{
    int id = ir_new_value(c, p->name ? p->name : "", VK_CONST);
    if (id < 0)
        return -1;
    ir_value *v = &c->v[id];
    if (p->has_data_location && p->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) {
        if (load_external(c, p, v))
            return -1;
    } else if (p->has_raw_data && mpe_ttype_size(p->data_type) && p->n_dims <= MPE_TENSOR_MAX_DIMS) {
        int64_t dims[MPE_TENSOR_MAX_DIMS];
        for (size_t i = 0; i < p->n_dims; i++)
            dims[i] = p->dims[i];
        int64_t n = mpe_dims_count((int)p->n_dims, dims);
        if (n < 0 || (size_t)n * mpe_ttype_size(p->data_type) != p->raw_data.len)
            return comp_err(c, "initializer '%s': raw_data has %zu bytes, shape needs %lld",
                            v->name, p->raw_data.len,
                            (long long)(n < 0 ? -1 : n * (int64_t)mpe_ttype_size(p->data_type)));
        v->c.dtype = p->data_type;
        v->c.ndim = (int)p->n_dims;
        memcpy(v->c.dims, dims, sizeof dims);
        v->c.count = (size_t)n;
        v->c.data = p->raw_data.data;
        v->borrowed = 1;
        v->tp = (Onnx__TensorProto *)p; /* ours to release after packing */
    } else {
        char why[256];
        if (mpe_tensor_from_onnx(p, &v->c, why, sizeof why) != MPE_OK)
            return comp_err(c, "initializer '%s': %s", v->name, why);
    }
    v = &c->v[id];
    v->dtype = v->c.dtype;
    v->ndim = v->c.ndim;
    memcpy(v->dims, v->c.dims, sizeof v->dims);
    return 0;
}

static const mpe_comp_bind *find_bind(comp *c, const char *name)
{
    for (int i = 0; i < c->o.nbind; i++)
        if (!strcmp(c->o.bind[i].name, name))
            return &c->o.bind[i];
    return NULL;
}

/* Declared type and shape of a graph input/output. */
static int read_type(comp *c, const Onnx__ValueInfoProto *vi, ir_value *v)
{
    const Onnx__TypeProto *tp = vi->type;
    if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type)
        return comp_err(c, "graph input '%s' is not a tensor", v->name);
    const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
    v->dtype = tt->elem_type;
    if (!tt->shape) {
        snprintf(v->dynamic, sizeof v->dynamic, "(unknown rank)");
        return 0;
    }
    if (tt->shape->n_dim > MPE_TENSOR_MAX_DIMS)
        return comp_err(c, "graph input '%s' has too many dimensions", v->name);
    v->ndim = (int)tt->shape->n_dim;
    for (int i = 0; i < v->ndim; i++) {
        const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
        if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
            d->dim_value >= 0 && d->dim_value <= ((int64_t)1 << 40))
            v->dims[i] = d->dim_value;
        else
            snprintf(v->dynamic, sizeof v->dynamic, "%s",
                     d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM &&
                     d->dim_param ? d->dim_param : "?");
    }
    int64_t n = mpe_dims_count(v->ndim, v->dims);
    if (!v->dynamic[0] && (n < 0 || n > ((int64_t)1 << 40)))
        return comp_err(c, "graph input '%s': shape too large", v->name);
    return 0;
}

static int add_input(comp *c, const Onnx__ValueInfoProto *vi)
{
    const char *name = vi->name ? vi->name : "";
    if (ir_find_value(c, name) >= 0)
        return 0; /* an initializer with a default value */
    const mpe_comp_bind *b = find_bind(c, name);
    int id = ir_new_value(c, name, b ? VK_CONST : VK_INPUT);
    if (id < 0)
        return -1;
    ir_value *v = &c->v[id];
    if (read_type(c, vi, v))
        return -1;
    if (!b)
        return 0;
    if (b->t->dtype != v->dtype)
        return comp_err(c, "bound input '%s': type %s, the model declares %s", name,
                        mpe_ttype_name(b->t->dtype), mpe_ttype_name(v->dtype));
    v->c = *b->t;
    v->borrowed = 1;
    v->ndim = b->t->ndim;
    memcpy(v->dims, b->t->dims, sizeof v->dims);
    v->dynamic[0] = 0;
    return 0;
}

/* A Constant node's value attribute. */
static int add_constant(comp *c, int node)
{
    ir_node *n = &c->n[node];
    const Onnx__AttributeProto *a = attr_find(n, "value");
    char d[256], why[256];
    if (!a || !a->t)
        return comp_err(c, "%s: only the 'value' tensor attribute is supported",
                        comp_node_desc(c, node, d, sizeof d));
    ir_value *v = &c->v[n->out[0]];
    v->kind = VK_CONST;
    if (mpe_tensor_from_onnx(a->t, &v->c, why, sizeof why) != MPE_OK)
        return comp_err(c, "%s: %s", comp_node_desc(c, node, d, sizeof d), why);
    v->dtype = v->c.dtype;
    v->ndim = v->c.ndim;
    memcpy(v->dims, v->c.dims, sizeof v->dims);
    n->dead = 1;
    return 0;
}

static int add_node(comp *c, const Onnx__NodeProto *np, size_t idx)
{
    int id = ir_new_node(c);
    if (id < 0)
        return -1;
    ir_node *n = &c->n[id];
    char nm[64];
    snprintf(nm, sizeof nm, "#%zu", idx);
    n->name = comp_strdup(np->name && np->name[0] ? np->name : nm);
    n->op = comp_strdup(np->op_type ? np->op_type : "");
    n->domain = comp_strdup(np->domain ? np->domain : "");
    n->np = np;
    if (!n->name || !n->op || !n->domain)
        return comp_err(c, "out of memory");
    if (np->n_input > IR_MAX_IO || np->n_output > IR_MAX_IO)
        return comp_err(c, "node '%s' (%s): too many inputs or outputs", n->name, n->op);
    n->nin = (int)np->n_input;
    for (int i = 0; i < n->nin; i++) {
        const char *in = np->input[i];
        n->in[i] = (in && in[0]) ? ir_find_value(c, in) : -1;
        if (in && in[0] && n->in[i] < 0)
            return comp_err(c, "node '%s' (%s): input '%s' is not defined before use",
                            n->name, n->op, in);
    }
    n->nout = (int)np->n_output;
    for (int i = 0; i < n->nout; i++) {
        int v = ir_new_value(c, np->output[i] ? np->output[i] : "", VK_ACT);
        if (v < 0)
            return -1;
        c->n[id].out[i] = v;
        c->v[v].producer = id;
    }
    if (!strcmp(c->n[id].op, "Constant") && !c->n[id].domain[0])
        return add_constant(c, id);
    return import_shapes(c, id);
}

/* Every --bind name must be a graph input; the error lists the inputs. */
static int check_binds(comp *c)
{
    const Onnx__GraphProto *g = c->model->graph;
    for (int b = 0; b < c->o.nbind; b++) {
        size_t i = 0;
        while (i < g->n_input && strcmp(g->input[i]->name ? g->input[i]->name : "",
                                        c->o.bind[b].name))
            i++;
        if (i < g->n_input)
            continue;
        char names[512] = "";
        size_t n = 0;
        for (i = 0; i < g->n_input && n < sizeof names; i++)
            n += (size_t)snprintf(names + n, sizeof names - n, "%s'%s'", i ? ", " : "",
                                  g->input[i]->name ? g->input[i]->name : "");
        return comp_err(c, "--bind %s: the model has no graph input of that name (%s%s)",
                        c->o.bind[b].name, g->n_input ? "its inputs: " : "it has no inputs",
                        names);
    }
    return 0;
}

static int build(comp *c)
{
    const Onnx__GraphProto *g = c->model->graph;
    if (check_binds(c))
        return -1;
    for (size_t i = 0; i < g->n_initializer; i++)
        if (add_initializer(c, g->initializer[i]))
            return -1;
    for (size_t i = 0; i < g->n_input; i++)
        if (add_input(c, g->input[i]))
            return -1;
    for (size_t i = 0; i < g->n_node; i++)
        if (add_node(c, g->node[i], i))
            return -1;
    if (g->n_output == 0)
        return comp_err(c, "%s: the graph has no outputs", c->o.model_path);
    for (size_t i = 0; i < g->n_output; i++) {
        const char *name = g->output[i]->name ? g->output[i]->name : "";
        int v = ir_find_value(c, name);
        if (v < 0)
            return comp_err(c, "graph output '%s' is not produced by any node", name);
        if (c->v[v].kind != VK_ACT)
            return comp_err(c, "graph output '%s' is not computed (constant or input)", name);
        c->v[v].is_output = 1;
    }
    return 0;
}

int pass_import(comp *c)
{
    model_map m;
    if (map_model(c, &m))
        return -1;
    /* malloc/free underneath: the model is freed with the default allocator */
    ProtobufCAllocator alloc = {map_alloc, map_free, &m};
    c->model = onnx__model_proto__unpack(&alloc, m.len, m.map);
    munmap(m.map, m.len);
    if (!c->model)
        return comp_err(c, "%s: not a valid ONNX model (protobuf decoding failed: "
                        "truncated or corrupt file)", c->o.model_path);
    if (!c->model->graph)
        return comp_err(c, "%s: not an ONNX model (no graph)", c->o.model_path);
    if (c->model->graph->n_node == 0)
        return comp_err(c, "%s: the graph has no nodes", c->o.model_path);
    return build(c);
}
