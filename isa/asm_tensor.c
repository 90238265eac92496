/* The tensor directives .input and .output (docs/isa.md section 4): one
 * table of the descriptor fields, each with its parser and its printer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm_int.h"
#include "mpe/outstage.h"
#include "mpe/tensor.h"

typedef asm_ctx ctx;

#define MAX_HOST_TYPE 32 /* host element types are below this number */

/* Comma-separated integers in [lo, hi], at most max; the count or -1. */
static int parse_list(const char *v, int64_t lo, int64_t hi, int64_t *out, int max)
{
    char buf[512];
    if (strlen(v) >= sizeof buf)
        return -1;
    strcpy(buf, v);
    int n = 0;
    for (char *p = buf;; n++) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = 0;
        if (n == max || mpe_asm_parse_int(p, &out[n]) || out[n] < lo || out[n] > hi)
            return -1;
        if (!comma)
            return n + 1;
        p = comma + 1;
    }
}

/* The names name(0..count-1) that are not NULL, comma-separated. */
static const char *join(char *buf, size_t len, const char *(*name)(int), int count)
{
    size_t n = 0;
    buf[0] = 0;
    for (int i = 0; i < count && n < len; i++)
        if (name(i))
            n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "", name(i));
    return buf;
}

static const char *host_name(int t)
{
    return mpe_ttype_size(t) ? mpe_ttype_name(t) : NULL;
}

static const char *out_name(int out)
{
    return mpe_isa_enum_name(MPE_FK_E_OUT, out);
}

static mpe_status bad_field(const ctx *c, const char *name, const char *v, const char *want)
{
    return mpe_asm_error(c, MPE_ERR_FORMAT, "bad value '%s' for tensor field '%s' (%s)", v, name,
                     want);
}

static mpe_status p_host(const ctx *c, const char *name, const char *v, mpe_tdesc *d)
{
    for (int t = 1; t < MAX_HOST_TYPE; t++)
        if (mpe_ttype_size(t) && !strcmp(mpe_ttype_name(t), v)) {
            d->ttype = (uint8_t)t;
            return MPE_OK;
        }
    char names[200];
    return bad_field(c, name, v, join(names, sizeof names, host_name, MAX_HOST_TYPE));
}

static mpe_status p_dtype(const ctx *c, const char *name, const char *v, mpe_tdesc *d)
{
    if (mpe_dt_parse(v, &d->dt))
        return bad_field(c, name, v, "an operand type: int1..int16, uint1..uint16, binary, "
                         "ternary, pow2, bfpint4..bfpint8 or an FP format such as fp8_e4m3");
    d->elem = MPE_ELEM_DTYPE;
    return MPE_OK;
}

static mpe_status p_out(const ctx *c, const char *name, const char *v, mpe_tdesc *d)
{
    int64_t x;
    char names[200];
    if (mpe_isa_enum_parse(MPE_FK_E_OUT, v, &x))
        return bad_field(c, name, v, join(names, sizeof names, out_name,
                                          mpe_isa_enum_count(MPE_FK_E_OUT)));
    d->elem = MPE_ELEM_OUT;
    d->out = (uint8_t)x;
    return MPE_OK;
}

static mpe_status p_shape(const ctx *c, const char *name, const char *v, mpe_tdesc *d)
{
    int64_t dims[MPE_TDESC_MAX_DIMS];
    int n = parse_list(v, 1, 0x7FFFFFFF, dims, MPE_TDESC_MAX_DIMS);
    if (n < 0)
        return bad_field(c, name, v, "1 to 4 comma-separated dimensions >= 1");
    d->ndim = (uint8_t)n;
    for (int i = 0; i < n; i++)
        d->dims[i] = (uint32_t)dims[i];
    return MPE_OK;
}

static mpe_status p_addr(const ctx *c, const char *name, const char *v, mpe_tdesc *d)
{
    int64_t x;
    if (mpe_asm_parse_int(v, &x) || x < 0)
        return bad_field(c, name, v, "a memory byte address");
    d->addr = (uint64_t)x;
    return MPE_OK;
}

static mpe_status p_layout(const ctx *c, const char *name, const char *v, mpe_tdesc *d)
{
    int layout;
    if (mpe_layout_parse(v, &layout))
        return bad_field(c, name, v, "row_major, tiled, im2col or tiled_nchw");
    d->layout = (uint8_t)layout;
    return MPE_OK;
}

static mpe_status p_params(const ctx *c, const char *name, const char *v, mpe_tdesc *d)
{
    int64_t p[MPE_TDESC_MAX_PARAMS];
    int n = parse_list(v, INT32_MIN, INT32_MAX, p, MPE_TDESC_MAX_PARAMS);
    if (n < 0)
        return bad_field(c, name, v, "up to 16 comma-separated int32 values");
    d->nparams = (uint8_t)n;
    for (int i = 0; i < n; i++)
        d->params[i] = (int32_t)p[i];
    return MPE_OK;
}

static mpe_status p_scale(const ctx *c, const char *name, const char *v, mpe_tdesc *d)
{
    char *end = NULL;
    int chars_ok = strspn(v, "0123456789.eE+-") == strlen(v);
    float x = chars_ok ? strtof(v, &end) : 0.0f;
    if (!chars_ok || *end || !isfinite(x) || !(x > 0))
        return bad_field(c, name, v, "a finite decimal number > 0");
    memcpy(&d->scale, &x, sizeof d->scale);
    d->has_quant = 1;
    return MPE_OK;
}

static mpe_status p_zp(const ctx *c, const char *name, const char *v, mpe_tdesc *d)
{
    int64_t x;
    if (mpe_asm_parse_int(v, &x) || x < INT32_MIN || x > INT32_MAX)
        return bad_field(c, name, v, "an int32");
    d->zero_point = (int32_t)x;
    return MPE_OK;
}

static void w_host(FILE *f, const char *name, const mpe_tdesc *d)
{
    fprintf(f, " %s=%s", name, mpe_ttype_name(d->ttype));
}

static void w_dtype(FILE *f, const char *name, const mpe_tdesc *d)
{
    if (d->elem == MPE_ELEM_DTYPE)
        fprintf(f, " %s=%s", name, mpe_dt_name(d->dt));
}

static void w_out(FILE *f, const char *name, const mpe_tdesc *d)
{
    if (d->elem == MPE_ELEM_OUT)
        fprintf(f, " %s=%s", name, mpe_isa_enum_name(MPE_FK_E_OUT, d->out));
}

static void w_shape(FILE *f, const char *name, const mpe_tdesc *d)
{
    fprintf(f, " %s=", name);
    for (int i = 0; i < d->ndim; i++)
        fprintf(f, "%s%u", i ? "," : "", d->dims[i]);
}

static void w_addr(FILE *f, const char *name, const mpe_tdesc *d)
{
    fprintf(f, " %s=0x%llx", name, (unsigned long long)d->addr);
}

static void w_layout(FILE *f, const char *name, const mpe_tdesc *d)
{
    if (d->layout != MPE_LAYOUT_ROW_MAJOR)
        fprintf(f, " %s=%s", name, mpe_layout_name(d->layout));
}

static void w_params(FILE *f, const char *name, const mpe_tdesc *d)
{
    if (d->nparams)
        fprintf(f, " %s=", name);
    for (int i = 0; i < d->nparams; i++)
        fprintf(f, "%s%d", i ? "," : "", d->params[i]);
}

static void w_scale(FILE *f, const char *name, const mpe_tdesc *d)
{
    float x;
    memcpy(&x, &d->scale, sizeof x);
    if (d->has_quant)
        fprintf(f, " %s=%.9g", name, x);
}

static void w_zp(FILE *f, const char *name, const mpe_tdesc *d)
{
    if (d->has_quant && d->zero_point)
        fprintf(f, " %s=%d", name, d->zero_point);
}

/* The fields of .input and .output, in printing order. */
enum { TF_HOST, TF_DTYPE, TF_OUT, TF_SHAPE, TF_ADDR, TF_LAYOUT, TF_PARAMS, TF_SCALE, TF_ZP,
       TF_COUNT };
static const struct {
    const char *name;
    mpe_status (*parse)(const ctx *c, const char *name, const char *v, mpe_tdesc *d);
    void (*print)(FILE *f, const char *name, const mpe_tdesc *d); /* " name=value" or nothing */
} tfields[TF_COUNT] = {
    [TF_HOST] = {"host", p_host, w_host},        [TF_DTYPE] = {"dtype", p_dtype, w_dtype},
    [TF_OUT] = {"out", p_out, w_out},            [TF_SHAPE] = {"shape", p_shape, w_shape},
    [TF_ADDR] = {"addr", p_addr, w_addr},        [TF_LAYOUT] = {"layout", p_layout, w_layout},
    [TF_PARAMS] = {"params", p_params, w_params}, [TF_SCALE] = {"scale", p_scale, w_scale},
    [TF_ZP] = {"zp", p_zp, w_zp},
};

static const char *tfield_name(int i)
{
    return tfields[i].name;
}

static int tfield_by_name(const char *name)
{
    for (int i = 0; i < TF_COUNT; i++)
        if (!strcmp(tfields[i].name, name))
            return i;
    return -1;
}

static mpe_status tensor_name(const ctx *c, const char *tok, mpe_tdesc *d)
{
    char buf[4096];
    size_t n = strlen(tok);
    if (tok[0] == '"') {
        mpe_status st = mpe_asm_unquote(c, tok, buf, &n);
        if (st)
            return st;
        tok = buf;
    }
    if (n > MPE_TDESC_NAME_MAX)
        return mpe_asm_error(c, MPE_ERR_FORMAT, "tensor name of %zu characters (at most %d)", n,
                         MPE_TDESC_NAME_MAX);
    memcpy(d->name, tok, n);
    d->name[n] = 0;
    return MPE_OK;
}

/* The name=value fields of a tensor; given[] marks those present. */
static mpe_status tensor_fields(const ctx *c, char **tok, int n, mpe_tdesc *d, int *given)
{
    for (int i = 0; i < n; i++) {
        char *eq = strchr(tok[i], '=');
        if (!eq || eq == tok[i] || !eq[1])
            return mpe_asm_error(c, MPE_ERR_FORMAT, "expected name=value, got '%s'", tok[i]);
        *eq = 0;
        int f = tfield_by_name(tok[i]);
        char names[200];
        if (f < 0)
            return mpe_asm_error(c, MPE_ERR_FORMAT, "unknown tensor field '%s' (%s)", tok[i],
                             join(names, sizeof names, tfield_name, TF_COUNT));
        if (given[f])
            return mpe_asm_error(c, MPE_ERR_FORMAT, "tensor field '%s' given twice", tok[i]);
        given[f] = 1;
        mpe_status st = tfields[f].parse(c, tok[i], eq + 1, d);
        if (st)
            return st;
    }
    return MPE_OK;
}

static mpe_status tensor_complete(const ctx *c, const int *given)
{
    static const int required[] = {TF_HOST, TF_SHAPE, TF_ADDR};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!given[required[i]])
            return mpe_asm_error(c, MPE_ERR_FORMAT, "tensor field '%s' missing",
                             tfields[required[i]].name);
    if (given[TF_DTYPE] == given[TF_OUT])
        return mpe_asm_error(c, MPE_ERR_FORMAT, "a tensor takes one of 'dtype' (an operand type) "
                         "and 'out' (an output format)");
    if (given[TF_ZP] && !given[TF_SCALE])
        return mpe_asm_error(c, MPE_ERR_FORMAT, "tensor field 'zp' without 'scale'");
    return MPE_OK;
}

static mpe_status add_tensor(asm_state *a, const mpe_tdesc *d)
{
    for (size_t i = 0; i < a->prog.ntensors; i++)
        if (!strcmp(a->prog.tensors[i].name, d->name))
            return mpe_asm_error(&a->c, MPE_ERR_FORMAT, "tensor '%s' declared twice (first on "
                             "line %d)", d->name, a->tensor_line[i]);
    int *lines = realloc(a->tensor_line, (a->prog.ntensors + 1) * sizeof *lines);
    if (!lines)
        return MPE_ERR_NOMEM;
    a->tensor_line = lines;
    lines[a->prog.ntensors] = a->c.line;
    return mpe_program_add_tensor(&a->prog, d);
}

mpe_status mpe_asm_tensor(asm_state *a, char **tok, int n, int role)
{
    if (n < 2)
        return mpe_asm_error(&a->c, MPE_ERR_FORMAT, "%s takes a name and name=value fields",
                         tok[0]);
    mpe_tdesc d;
    memset(&d, 0, sizeof d);
    d.role = (uint8_t)role;
    int given[TF_COUNT] = {0};
    char msg[300];
    mpe_status st = tensor_name(&a->c, tok[1], &d);
    if (!st)
        st = tensor_fields(&a->c, tok + 2, n - 2, &d, given);
    if (!st)
        st = tensor_complete(&a->c, given);
    if (!st && mpe_tdesc_check(&d, &a->prog.arch, msg, sizeof msg))
        st = mpe_asm_error(&a->c, MPE_ERR_FORMAT, "%s", msg);
    return st ? st : add_tensor(a, &d);
}

/* A name is printed bare unless a quoted string must protect it. */
static void print_name(FILE *f, const char *name)
{
    if (name[0] == '"' || strchr(name, '#'))
        mpe_asm_print_quoted(f, name, strlen(name));
    else
        fputs(name, f);
}

void mpe_asm_tensor_print(FILE *f, const mpe_tdesc *d)
{
    fputc(' ', f);
    print_name(f, d->name);
    for (int i = 0; i < TF_COUNT; i++)
        tfields[i].print(f, tfields[i].name, d);
}
