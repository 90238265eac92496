/* The assembler: one instruction per line, `name=value` fields looked up in
 * the ISA field table (mpe/asm.h and docs/isa.md section 4 give the syntax). */
#include "mpe/asm.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS 64
#define MAX_LINE 4096

typedef struct {
    const char *fname; /* NULL: messages without a location */
    int line;
    char *err;
    size_t errlen;
} ctx;

static mpe_status aerr(const ctx *c, mpe_status st, const char *fmt, ...)
{
    if (!c->err || !c->errlen)
        return st;
    int n = c->fname ? snprintf(c->err, c->errlen, "%s:%d: ", c->fname, c->line) : 0;
    if (n < 0 || (size_t)n >= c->errlen)
        return st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return st;
}

/* Decimal or 0x-hex, optionally negative, into an int64; -1 if malformed or
 * outside the int64 range. */
static int parse_int(const char *s, int64_t *out)
{
    int neg = *s == '-';
    s += neg;
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s)
        return -1;
    uint64_t v = 0, lim = neg ? (1ull << 63) : (1ull << 63) - 1;
    for (; *s; s++) {
        int d = isdigit((unsigned char)*s) ? *s - '0'
                : (base == 16 && isxdigit((unsigned char)*s)) ? tolower((unsigned char)*s) - 'a' + 10
                : -1;
        if (d < 0 || v > (lim - (uint64_t)d) / (uint64_t)base)
            return -1;
        v = v * (uint64_t)base + (uint64_t)d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

static int is_ident(const char *s)
{
    if (!isalpha((unsigned char)*s) && *s != '_')
        return 0;
    for (s++; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return 0;
    return 1;
}

static mpe_status parse_reg(const ctx *c, const char *v, int64_t *out)
{
    int64_t r;
    if (v[0] != 'r' || !isdigit((unsigned char)v[1]) || (v[1] == '0' && v[2]) ||
        parse_int(v + 1, &r) || r >= MPE_NUM_REGS)
        return aerr(c, MPE_ERR_FORMAT, "bad register '%s' (r0..r%d)", v, MPE_NUM_REGS - 1);
    *out = r;
    return MPE_OK;
}

static mpe_status parse_deps(const ctx *c, const char *v, int64_t *out)
{
    if (isdigit((unsigned char)v[0]))
        return parse_int(v, out) ? aerr(c, MPE_ERR_FORMAT, "bad number '%s'", v) : MPE_OK;
    int64_t bits = 0;
    const char *p = v;
    while (*p) {
        size_t n = strcspn(p, ",");
        int b = 0;
        while (b < 4 && (strlen(mpe_dep_name(b)) != n || strncmp(mpe_dep_name(b), p, n)))
            b++;
        if (b == 4)
            return aerr(c, MPE_ERR_FORMAT,
                        "unknown dependency flag '%.*s' (pop_prev, pop_next, push_prev, push_next)",
                        (int)n, p);
        if (bits & (1 << b))
            return aerr(c, MPE_ERR_FORMAT, "dependency flag '%s' given twice", mpe_dep_name(b));
        bits |= 1 << b;
        p += n;
        if (*p == ',' && !*++p)
            return aerr(c, MPE_ERR_FORMAT, "empty dependency flag in '%s'", v);
    }
    *out = bits;
    return MPE_OK;
}

static mpe_status parse_enum(const ctx *c, const mpe_field_info *f, const char *v, int64_t *out)
{
    if (!mpe_isa_enum_parse(f->kind, v, out))
        return MPE_OK;
    if (!parse_int(v, out))
        return MPE_OK;
    char names[256] = "";
    size_t n = 0;
    for (int i = 0; i < mpe_isa_enum_count(f->kind) && n < sizeof names; i++)
        n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", i ? ", " : "",
                              mpe_isa_enum_name(f->kind, i));
    return aerr(c, MPE_ERR_FORMAT, "unknown value '%s' for field '%s' (%s)", v, f->name, names);
}

/* Value of field `f` from text `v`; a dbnz target that is a label is
 * returned in *label (when label is not NULL) with value 0. */
static mpe_status parse_value(const ctx *c, int fid, const char *v, int64_t *out,
                              const char **label)
{
    const mpe_field_info *f = &mpe_field_table[fid];
    mpe_status st;
    switch (f->kind) {
    case MPE_FK_R: st = parse_reg(c, v, out); break;
    case MPE_FK_DEPS: st = parse_deps(c, v, out); break;
    case MPE_FK_U:
    case MPE_FK_S:
        if (fid == MPE_F_DBNZ_target && is_ident(v)) {
            if (!label)
                return aerr(c, MPE_ERR_FORMAT, "unknown label '%s'", v);
            *label = v;
            *out = 0;
            return MPE_OK;
        }
        st = parse_int(v, out) ? aerr(c, MPE_ERR_FORMAT, "bad number '%s' for field '%s'", v,
                                      f->name)
                               : MPE_OK;
        break;
    default: st = parse_enum(c, f, v, out);
    }
    if (st)
        return st;
    int64_t lo, hi;
    mpe_field_range(f, &lo, &hi);
    if (*out < lo || *out > hi)
        return aerr(c, MPE_ERR_RANGE, "value %s out of range for field '%s' (%lld..%lld)", v,
                    f->name, (long long)lo, (long long)hi);
    return MPE_OK;
}

/* tok[0] is the mnemonic, tok[1..n-1] are name=value. */
static mpe_status parse_insn(const ctx *c, char **tok, int n, mpe_insn *in, const char **label)
{
    int id = mpe_insn_by_mnemonic(tok[0]);
    if (id < 0)
        return aerr(c, MPE_ERR_FORMAT, "unknown mnemonic '%s'", tok[0]);
    mpe_insn_init(in, (mpe_insn_id)id);
    unsigned char given[MPE_F_COUNT] = {0};
    for (int i = 1; i < n; i++) {
        char *eq = strchr(tok[i], '=');
        if (!eq || eq == tok[i] || !eq[1])
            return aerr(c, MPE_ERR_FORMAT, "expected name=value, got '%s'", tok[i]);
        *eq = 0;
        int fid = mpe_field_by_name((mpe_insn_id)id, tok[i]);
        if (fid < 0)
            return aerr(c, MPE_ERR_FORMAT, "unknown field '%s' for '%s'", tok[i], tok[0]);
        if (given[fid])
            return aerr(c, MPE_ERR_FORMAT, "field '%s' given twice", tok[i]);
        given[fid] = 1;
        mpe_status st = parse_value(c, fid, eq + 1, &in->f[fid], label);
        if (st)
            return st;
    }
    return MPE_OK;
}

static int tokenize(char *s, char **tok)
{
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(s, " \t\r\v\f", &save); t; t = strtok_r(NULL, " \t\r\v\f", &save)) {
        if (n == MAX_TOKENS)
            return -1;
        tok[n++] = t;
    }
    return n;
}

mpe_status mpe_asm_insn(const char *line, mpe_insn *out, char *err, size_t errlen)
{
    ctx c = {NULL, 0, err, errlen};
    char buf[MAX_LINE], *tok[MAX_TOKENS];
    if (strlen(line) >= sizeof buf)
        return aerr(&c, MPE_ERR_FORMAT, "line longer than %d characters", MAX_LINE - 1);
    strcpy(buf, line);
    int n = tokenize(buf, tok);
    if (n <= 0)
        return aerr(&c, MPE_ERR_FORMAT, n < 0 ? "too many fields" : "empty instruction");
    return parse_insn(&c, tok, n, out, NULL);
}

/* ---- whole programs --------------------------------------------------- */

typedef struct {
    char *name;
    size_t index;
    int line;
} label_def;

typedef struct {
    size_t insn; /* instruction whose dbnz target is the label */
    int line;
    char *name;
} fixup;

typedef struct {
    ctx c;
    uint8_t *code;
    size_t n, cap;
    label_def *labels;
    size_t nlabels;
    fixup *fix;
    size_t nfix;
} asm_state;

static void *grow(void *p, size_t n, size_t elem)
{
    return realloc(p, n * elem);
}

static char *dup_str(const char *s)
{
    char *d = malloc(strlen(s) + 1);
    return d ? strcpy(d, s) : NULL;
}

static uint8_t *new_insn(asm_state *a)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 256;
        uint8_t *c = grow(a->code, cap, MPE_INSN_BYTES);
        if (!c)
            return NULL;
        a->code = c;
        a->cap = cap;
    }
    return a->code + MPE_INSN_BYTES * a->n++;
}

static mpe_status define_label(asm_state *a, const char *name)
{
    if (!is_ident(name))
        return aerr(&a->c, MPE_ERR_FORMAT, "bad label name '%s'", name);
    if (mpe_insn_by_mnemonic(name) >= 0)
        return aerr(&a->c, MPE_ERR_FORMAT, "label '%s' is a mnemonic", name);
    for (size_t i = 0; i < a->nlabels; i++)
        if (!strcmp(a->labels[i].name, name))
            return aerr(&a->c, MPE_ERR_FORMAT, "label '%s' defined twice (first on line %d)", name,
                        a->labels[i].line);
    label_def *l = grow(a->labels, a->nlabels + 1, sizeof *l);
    if (!l)
        return MPE_ERR_NOMEM;
    a->labels = l;
    l[a->nlabels] = (label_def){dup_str(name), a->n, a->c.line};
    if (!l[a->nlabels].name)
        return MPE_ERR_NOMEM;
    a->nlabels++;
    return MPE_OK;
}

static mpe_status raw_insn(asm_state *a, char **tok, int n)
{
    const char *h = n == 2 ? tok[1] : "";
    size_t len = strlen(h);
    if (n != 2 || len < 3 || len > 34 || h[0] != '0' || (h[1] != 'x' && h[1] != 'X') ||
        strspn(h + 2, "0123456789abcdefABCDEF") != len - 2)
        return aerr(&a->c, MPE_ERR_FORMAT, ".insn takes one hex word of up to 32 digits (0x...)");
    uint8_t *b = new_insn(a);
    if (!b)
        return MPE_ERR_NOMEM;
    memset(b, 0, MPE_INSN_BYTES);
    for (size_t i = 0; i < len - 2; i++) { /* i-th digit from the least significant */
        char ch = (char)tolower((unsigned char)h[len - 1 - i]);
        unsigned d = (unsigned)(isdigit((unsigned char)ch) ? ch - '0' : ch - 'a' + 10);
        b[i / 2] |= (uint8_t)(d << (4 * (i % 2)));
    }
    return MPE_OK;
}

static mpe_status add_fixup(asm_state *a, const char *label)
{
    fixup *f = grow(a->fix, a->nfix + 1, sizeof *f);
    if (!f)
        return MPE_ERR_NOMEM;
    a->fix = f;
    f[a->nfix] = (fixup){a->n - 1, a->c.line, dup_str(label)};
    if (!f[a->nfix].name)
        return MPE_ERR_NOMEM;
    a->nfix++;
    return MPE_OK;
}

static mpe_status one_line(asm_state *a, char *s)
{
    char *tok[MAX_TOKENS];
    s[strcspn(s, "#")] = 0;
    int n = tokenize(s, tok);
    if (n < 0)
        return aerr(&a->c, MPE_ERR_FORMAT, "too many fields");
    int t = 0;
    size_t tl;
    if (n > 0 && (tl = strlen(tok[0])) > 0 && tok[0][tl - 1] == ':') {
        tok[0][tl - 1] = 0;
        mpe_status st = define_label(a, tok[0]);
        if (st)
            return st;
        t = 1;
    }
    if (t == n)
        return MPE_OK;
    if (!strcmp(tok[t], ".insn"))
        return raw_insn(a, tok + t, n - t);
    mpe_insn in;
    const char *label = NULL;
    mpe_status st = parse_insn(&a->c, tok + t, n - t, &in, &label);
    if (st)
        return st;
    uint8_t *b = new_insn(a);
    if (!b)
        return MPE_ERR_NOMEM;
    st = mpe_insn_encode(&in, b);
    if (!st && label)
        st = add_fixup(a, label);
    return st;
}

static mpe_status resolve(asm_state *a)
{
    const mpe_field_info *f = &mpe_field_table[MPE_F_DBNZ_target];
    for (size_t i = 0; i < a->nfix; i++) {
        const fixup *x = &a->fix[i];
        size_t k = 0;
        while (k < a->nlabels && strcmp(a->labels[k].name, x->name))
            k++;
        a->c.line = x->line;
        if (k == a->nlabels)
            return aerr(&a->c, MPE_ERR_FORMAT, "unknown label '%s'", x->name);
        if (a->labels[k].index >> f->width)
            return aerr(&a->c, MPE_ERR_RANGE, "label '%s' (instruction %zu) out of range for "
                        "field 'target'", x->name, a->labels[k].index);
        mpe_bits_set(a->code + MPE_INSN_BYTES * x->insn, f->lsb, f->width, a->labels[k].index);
    }
    return MPE_OK;
}

static mpe_status run(asm_state *a, const char *src)
{
    const char *p = src;
    while (*p) {
        a->c.line++;
        size_t n = strcspn(p, "\n");
        char buf[MAX_LINE];
        if (n >= sizeof buf)
            return aerr(&a->c, MPE_ERR_FORMAT, "line longer than %d characters", MAX_LINE - 1);
        memcpy(buf, p, n);
        buf[n] = 0;
        mpe_status st = one_line(a, buf);
        if (st)
            return st;
        p += n + (p[n] == '\n');
    }
    return resolve(a);
}

mpe_status mpe_asm(const char *src, const char *fname, uint8_t **code, size_t *ninsns,
                   char *err, size_t errlen)
{
    asm_state a;
    memset(&a, 0, sizeof a);
    a.c = (ctx){fname ? fname : "<asm>", 0, err, errlen};
    mpe_status st = run(&a, src);
    if (st == MPE_ERR_NOMEM)
        aerr(&a.c, st, "out of memory");
    for (size_t i = 0; i < a.nlabels; i++)
        free(a.labels[i].name);
    for (size_t i = 0; i < a.nfix; i++)
        free(a.fix[i].name);
    free(a.labels);
    free(a.fix);
    if (st) {
        free(a.code);
        *code = NULL;
        *ninsns = 0;
        return st;
    }
    *code = a.code;
    *ninsns = a.n;
    return MPE_OK;
}
