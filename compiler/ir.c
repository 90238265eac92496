/* The compiler's IR: constructors, constant access, errors, teardown. */
#include "comp.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mpe/format.h"

int comp_err(comp *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    for (char *p = c->err; *p; p++) /* names from the model may hold anything */
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return -1;
}

const char *comp_node_desc(comp *c, int node, char *buf, size_t len)
{
    const ir_node *n = &c->n[node];
    snprintf(buf, len, "node '%s' (%s)", n->name, n->op);
    return buf;
}

/* Grows an array to hold `need` elements; exits the process on OOM is not
 * allowed in a library, so callers check for NULL. */
void *comp_grow(void *p, int *cap, int need, size_t elem)
{
    if (need <= *cap)
        return p;
    int nc = *cap ? *cap : 16;
    while (nc < need)
        nc *= 2;
    void *q = realloc(p, (size_t)nc * elem);
    if (!q)
        return NULL;
    memset((char *)q + (size_t)*cap * elem, 0, (size_t)(nc - *cap) * elem);
    *cap = nc;
    return q;
}

char *comp_strdup(const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s ? s : "", n);
    return d;
}

#define GROW(c, arr, cnt, cap)                                                \
    do {                                                                      \
        void *q_ = comp_grow((c)->arr, &(c)->cap, (c)->cnt + 1, sizeof *(c)->arr); \
        if (!q_)                                                              \
            return comp_err(c, "out of memory");                              \
        (c)->arr = q_;                                                        \
    } while (0)

int ir_new_value(comp *c, const char *name, int kind)
{
    GROW(c, v, nv, cap_v);
    ir_value *v = &c->v[c->nv];
    memset(v, 0, sizeof *v);
    v->name = comp_strdup(name);
    if (!v->name)
        return comp_err(c, "out of memory");
    v->kind = kind;
    v->producer = -1;
    v->alias = -1;
    v->view_of = -1;
    v->owner = -1;
    v->im2col_of = -1;
    v->gather_src = -1;
    return c->nv++;
}

int ir_find_value(const comp *c, const char *name)
{
    for (int i = c->nv - 1; i >= 0; i--)
        if (!strcmp(c->v[i].name, name))
            return i;
    return -1;
}

int ir_root(const comp *c, int v)
{
    while (v >= 0 && c->v[v].view_of >= 0)
        v = c->v[v].view_of;
    return v;
}

void ir_matrix(const ir_value *v, int64_t *rows, int64_t *cols)
{
    if (v->nchw && v->ndim == 4) {
        *rows = v->dims[0] * v->dims[2] * v->dims[3];
        *cols = v->dims[1];
        return;
    }
    *cols = v->ndim ? v->dims[v->ndim - 1] : 1;
    *rows = 1;
    for (int i = 0; i + 1 < v->ndim; i++)
        *rows *= v->dims[i];
}

void ir_release(comp *c, int v)
{
    int o = c->v[v].owner >= 0 ? c->v[v].owner : v;
    ir_value *ov = &c->v[o];
    if (ov->tp) {
        free(ov->tp->raw_data.data); /* protobuf-c allocates with malloc */
        ov->tp->raw_data.data = NULL;
        ov->tp->raw_data.len = 0;
    } else if (!ov->borrowed) {
        mpe_tensor_free(&ov->c);
    }
    for (int i = 0; i < c->nv; i++)
        if (i == o || c->v[i].owner == o)
            c->v[i].c.data = NULL;
}

int ir_new_node(comp *c)
{
    GROW(c, n, nn, cap_n);
    ir_node *n = &c->n[c->nn];
    memset(n, 0, sizeof *n);
    n->layer = -1;
    return c->nn++;
}

int ir_new_layer(comp *c)
{
    GROW(c, L, nl, cap_l);
    ir_layer *L = &c->L[c->nl];
    memset(L, 0, sizeof *L);
    L->batch = -1;
    return c->nl++;
}

int ir_new_io(comp *c)
{
    GROW(c, io, nio, cap_io);
    memset(&c->io[c->nio], 0, sizeof c->io[0]);
    c->io[c->nio].layer = -1;
    return c->nio++;
}

int ir_new_blob(comp *c, uint64_t addr, uint64_t len)
{
    GROW(c, blob, nblob, cap_blob);
    ir_blob *b = &c->blob[c->nblob];
    b->addr = addr;
    b->len = len;
    b->data = calloc(len ? len : 1, 1);
    if (!b->data)
        return comp_err(c, "out of memory (%llu bytes of packed data)",
                        (unsigned long long)len);
    return c->nblob++;
}

static void free_layer(ir_layer *L)
{
    free(L->name);
    free(L->op);
    free(L->w.zp);
    free(L->w.gscale);
    free(L->w.gzp);
    free(L->bias);
    free(L->fbias);
    free(L->mult);
}

void ir_free(comp *c)
{
    for (int i = 0; i < c->nv; i++) {
        free(c->v[i].name);
        if (!c->v[i].borrowed)
            mpe_tensor_free(&c->v[i].c);
    }
    for (int i = 0; i < c->nn; i++) {
        free(c->n[i].name);
        free(c->n[i].op);
        free(c->n[i].domain);
    }
    for (int i = 0; i < c->nl; i++)
        free_layer(&c->L[i]);
    for (int i = 0; i < c->nio; i++)
        free(c->io[i].name);
    for (int i = 0; i < c->nblob; i++)
        free(c->blob[i].data);
    free(c->v);
    free(c->n);
    free(c->L);
    free(c->io);
    free(c->ins);
    free(c->blob);
    c->v = NULL;
    c->n = NULL;
    c->L = NULL;
    c->io = NULL;
    c->ins = NULL;
    c->blob = NULL;
    c->nv = c->nn = c->nl = c->nio = c->nins = c->nblob = 0;
}

int64_t ir_count(const ir_value *v)
{
    int64_t n = 1;
    for (int i = 0; i < v->ndim; i++)
        n *= v->dims[i];
    return n;
}

int64_t ir_const_i64(const ir_value *v, int64_t i)
{
    int dt = v->c.dtype;
    if (dt == MPE_T_FLOAT || dt == MPE_T_DOUBLE || dt == MPE_T_FLOAT16 || dt == MPE_T_BFLOAT16) {
        /* NaN and values past int64 (undefined to convert) become INT64_MIN,
         * outside every range the callers accept */
        double d = mpe_tensor_get_f64(&v->c, (size_t)i);
        return d >= -0x1p63 && d < 0x1p63 ? (int64_t)d : INT64_MIN;
    }
    return mpe_tensor_get_i64(&v->c, (size_t)i);
}

float ir_const_f32(const ir_value *v, int64_t i)
{
    if (v->c.dtype == MPE_T_FLOAT) {
        float f;
        memcpy(&f, (const uint8_t *)v->c.data + 4 * i, 4);
        return f;
    }
    return (float)mpe_tensor_get_f64(&v->c, (size_t)i);
}

uint32_t ir_bitfield(const uint8_t *p, int64_t bit, int bits)
{
    uint32_t v = p[bit / 8];
    if (bit % 8 + bits > 8) /* the field continues in the next byte */
        v |= (uint32_t)p[bit / 8 + 1] << 8;
    return (v >> (bit % 8)) & ((1u << bits) - 1);
}

/* NBITS code of element k of row n: block k / bs, codes LSB-first. */
static int32_t nbits_code(const ir_value *s, const ir_wsrc *w, int64_t n, int64_t k)
{
    const uint8_t *row = (const uint8_t *)s->c.data + (n * w->kblocks + k / w->bs) * w->blob;
    return (int32_t)ir_bitfield(row, k % w->bs * w->bits, w->bits);
}

int32_t ir_wget(const comp *c, const ir_layer *L, int64_t n, int64_t k)
{
    const ir_wsrc *w = &L->w;
    const ir_value *s = &c->v[w->src];
    int64_t idx;
    switch (w->kind) {
    case WS_NBITS:
        return nbits_code(s, w, n, k);
    case WS_NK:
        if (L->is_conv && L->cseg) { /* gathered im2col order -> ONNX [OC][C][kh][kw] */
            int ch, ky, kx;
            if (!conv_tap(L, k, &ch, &ky, &kx))
                return 0;
            idx = w->base + n * ((int64_t)L->C * L->kh * L->kw) + ((int64_t)ch * L->kh + ky) * L->kw + kx;
        } else {
            idx = w->base + n * L->K + k;
        }
        break;
    default: idx = w->base + k * L->N + n; break; /* WS_KN */
    }
    int64_t q = ir_const_i64(s, idx);
    if (w->zp)
        q -= w->zp[n];
    return (int32_t)q;
}
