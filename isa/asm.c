/* The assembler: one instruction per line, `name=value` fields looked up in
 * the ISA field table, labels, and the dispatch of directives to asm_dir.c
 * (mpe/asm.h and docs/isa.md section 4 give the syntax). */
#include "asm_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS 64
#define MAX_LINE 4096

typedef asm_ctx ctx;

mpe_status mpe_asm_error(const ctx *c, mpe_status st, const char *fmt, ...)
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

int mpe_asm_parse_int(const char *s, int64_t *out)
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
                : (base == 16 && isxdigit((unsigned char)*s))
                    ? tolower((unsigned char)*s) - 'a' + 10
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
        mpe_asm_parse_int(v + 1, &r) || r >= MPE_NUM_REGS)
        return mpe_asm_error(c, MPE_ERR_FORMAT, "bad register '%s' (r0..r%d)", v, MPE_NUM_REGS - 1);
    *out = r;
    return MPE_OK;
}

static mpe_status parse_deps(const ctx *c, const char *v, int64_t *out)
{
    if (isdigit((unsigned char)v[0]))
        return mpe_asm_parse_int(v, out) ? mpe_asm_error(c, MPE_ERR_FORMAT, "bad number '%s'", v)
                                     : MPE_OK;
    int64_t bits = 0;
    const char *p = v;
    while (*p) {
        size_t n = strcspn(p, ",");
        int b = 0;
        while (b < 4 && (strlen(mpe_dep_name(b)) != n || strncmp(mpe_dep_name(b), p, n)))
            b++;
        if (b == 4)
            return mpe_asm_error(c, MPE_ERR_FORMAT, "unknown dependency flag '%.*s' (pop_prev, "
                             "pop_next, push_prev, push_next)", (int)n, p);
        if (bits & (1 << b))
            return mpe_asm_error(c, MPE_ERR_FORMAT, "dependency flag '%s' given twice",
                             mpe_dep_name(b));
        bits |= 1 << b;
        p += n;
        if (*p == ',' && !*++p)
            return mpe_asm_error(c, MPE_ERR_FORMAT, "empty dependency flag in '%s'", v);
    }
    *out = bits;
    return MPE_OK;
}

static mpe_status parse_enum(const ctx *c, const mpe_field_info *f, const char *v, int64_t *out)
{
    if (!mpe_isa_enum_parse(f->kind, v, out))
        return MPE_OK;
    if (!mpe_asm_parse_int(v, out))
        return MPE_OK;
    char names[256] = "";
    size_t n = 0;
    for (int i = 0; i < mpe_isa_enum_count(f->kind) && n < sizeof names; i++)
        n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", i ? ", " : "",
                              mpe_isa_enum_name(f->kind, i));
    return mpe_asm_error(c, MPE_ERR_FORMAT, "unknown value '%s' for field '%s' (%s)", v, f->name,
                     names);
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
                return mpe_asm_error(c, MPE_ERR_FORMAT, "unknown label '%s'", v);
            *label = v;
            *out = 0;
            return MPE_OK;
        }
        st = mpe_asm_parse_int(v, out)
                 ? mpe_asm_error(c, MPE_ERR_FORMAT, "bad number '%s' for field '%s'", v, f->name)
                 : MPE_OK;
        break;
    default: st = parse_enum(c, f, v, out);
    }
    if (st)
        return st;
    int64_t lo, hi;
    mpe_field_range(f, &lo, &hi);
    if (*out < lo || *out > hi)
        return mpe_asm_error(c, MPE_ERR_RANGE, "value %s out of range for field '%s' (%lld..%lld)",
                         v, f->name, (long long)lo, (long long)hi);
    return MPE_OK;
}

/* tok[0] is the mnemonic, tok[1..n-1] are name=value. */
static mpe_status parse_insn(const ctx *c, char **tok, int n, mpe_insn *in, const char **label)
{
    int id = mpe_insn_by_mnemonic(tok[0]);
    if (id < 0)
        return mpe_asm_error(c, MPE_ERR_FORMAT, "unknown mnemonic '%s'", tok[0]);
    mpe_insn_init(in, (mpe_insn_id)id);
    unsigned char given[MPE_F_COUNT] = {0};
    for (int i = 1; i < n; i++) {
        char *eq = strchr(tok[i], '=');
        if (!eq || eq == tok[i] || !eq[1])
            return mpe_asm_error(c, MPE_ERR_FORMAT, "expected name=value, got '%s'", tok[i]);
        *eq = 0;
        int fid = mpe_field_by_name((mpe_insn_id)id, tok[i]);
        if (fid < 0)
            return mpe_asm_error(c, MPE_ERR_FORMAT, "unknown field '%s' for '%s'", tok[i], tok[0]);
        if (given[fid])
            return mpe_asm_error(c, MPE_ERR_FORMAT, "field '%s' given twice", tok[i]);
        given[fid] = 1;
        mpe_status st = parse_value(c, fid, eq + 1, &in->f[fid], label);
        if (st)
            return st;
    }
    return MPE_OK;
}

#define BLANKS " \t\r\v\f"

/* lex results besides a token count */
enum { LEX_MANY = -1, LEX_OPEN = -2, LEX_JUNK = -3 };

/* Splits a line into tokens in place: runs of non-blank characters, or
 * "quoted strings" (kept with their quotes; a backslash escapes the next
 * character). '#' outside a string starts a comment. */
static int lex(char *s, char **tok)
{
    int n = 0;
    for (;;) {
        s += strspn(s, BLANKS);
        if (!*s || *s == '#')
            return n;
        if (n == MAX_TOKENS)
            return LEX_MANY;
        tok[n++] = s;
        if (*s == '"') {
            for (s++; *s && *s != '"'; s++)
                if (*s == '\\' && s[1])
                    s++;
            if (!*s)
                return LEX_OPEN;
            s++;
            if (*s && *s != '#' && !strchr(BLANKS, *s))
                return LEX_JUNK;
        } else {
            s += strcspn(s, BLANKS "#");
        }
        if (*s == '#') {
            *s = 0;
            return n;
        }
        if (*s)
            *s++ = 0;
    }
}

static mpe_status lex_error(const ctx *c, int r)
{
    const char *why = r == LEX_MANY ? "too many fields"
                      : r == LEX_OPEN ? "unterminated string"
                                      : "text after the closing quote of a string";
    return mpe_asm_error(c, MPE_ERR_FORMAT, "%s", why);
}

mpe_status mpe_asm_insn(const char *line, mpe_insn *out, char *err, size_t errlen)
{
    ctx c = {NULL, 0, err, errlen};
    char buf[MAX_LINE], *tok[MAX_TOKENS];
    if (strlen(line) >= sizeof buf)
        return mpe_asm_error(&c, MPE_ERR_FORMAT, "line longer than %d characters", MAX_LINE - 1);
    strcpy(buf, line);
    int n = lex(buf, tok);
    if (n < 0)
        return lex_error(&c, n);
    if (n == 0)
        return mpe_asm_error(&c, MPE_ERR_FORMAT, "empty instruction");
    return parse_insn(&c, tok, n, out, NULL);
}

/* ---- whole programs --------------------------------------------------- */

static char *dup_str(const char *s)
{
    char *d = malloc(strlen(s) + 1);
    return d ? strcpy(d, s) : NULL;
}

uint8_t *mpe_asm_new_insn(asm_state *a)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 256;
        uint8_t *c = realloc(a->code, cap * MPE_INSN_BYTES);
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
        return mpe_asm_error(&a->c, MPE_ERR_FORMAT, "bad label name '%s'", name);
    if (mpe_insn_by_mnemonic(name) >= 0)
        return mpe_asm_error(&a->c, MPE_ERR_FORMAT, "label '%s' is a mnemonic", name);
    for (size_t i = 0; i < a->nlabels; i++)
        if (!strcmp(a->labels[i].name, name))
            return mpe_asm_error(&a->c, MPE_ERR_FORMAT, "label '%s' defined twice (first on line %d)",
                             name, a->labels[i].line);
    asm_label *l = realloc(a->labels, (a->nlabels + 1) * sizeof *l);
    if (!l)
        return MPE_ERR_NOMEM;
    a->labels = l;
    l[a->nlabels] = (asm_label){dup_str(name), a->n, a->c.line};
    if (!l[a->nlabels].name)
        return MPE_ERR_NOMEM;
    a->nlabels++;
    return MPE_OK;
}

static mpe_status add_fixup(asm_state *a, const char *label)
{
    asm_fixup *f = realloc(a->fix, (a->nfix + 1) * sizeof *f);
    if (!f)
        return MPE_ERR_NOMEM;
    a->fix = f;
    f[a->nfix] = (asm_fixup){a->n - 1, a->c.line, dup_str(label)};
    if (!f[a->nfix].name)
        return MPE_ERR_NOMEM;
    a->nfix++;
    return MPE_OK;
}

/* An instruction line without its label. */
static mpe_status instruction(asm_state *a, char **tok, int n)
{
    mpe_status st = mpe_asm_begin_item(a, 1, 0);
    if (st)
        return st;
    mpe_insn in;
    const char *label = NULL;
    st = parse_insn(&a->c, tok, n, &in, &label);
    if (st)
        return st;
    uint8_t *b = mpe_asm_new_insn(a);
    if (!b)
        return MPE_ERR_NOMEM;
    st = mpe_insn_encode(&in, b);
    if (!st && label)
        st = add_fixup(a, label);
    return st;
}

static mpe_status one_line(asm_state *a, char *s)
{
    char *tok[MAX_TOKENS];
    int n = lex(s, tok);
    if (n < 0)
        return lex_error(&a->c, n);
    int t = 0;
    size_t tl;
    if (n > 0 && (tl = strlen(tok[0])) > 0 && tok[0][tl - 1] == ':') {
        tok[0][tl - 1] = 0;
        mpe_status st = mpe_asm_begin_item(a, 1, 0);
        if (!st)
            st = define_label(a, tok[0]);
        if (st)
            return st;
        t = 1;
    }
    if (t == n)
        return MPE_OK;
    if (tok[t][0] == '.')
        return mpe_asm_directive(a, tok + t, n - t);
    return instruction(a, tok + t, n - t);
}

static mpe_status resolve(asm_state *a)
{
    const mpe_field_info *f = &mpe_field_table[MPE_F_DBNZ_target];
    for (size_t i = 0; i < a->nfix; i++) {
        const asm_fixup *x = &a->fix[i];
        size_t k = 0;
        while (k < a->nlabels && strcmp(a->labels[k].name, x->name))
            k++;
        a->c.line = x->line;
        if (k == a->nlabels)
            return mpe_asm_error(&a->c, MPE_ERR_FORMAT, "unknown label '%s'", x->name);
        if (a->labels[k].index >> f->width)
            return mpe_asm_error(&a->c, MPE_ERR_RANGE, "label '%s' (instruction %zu) out of range for "
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
            return mpe_asm_error(&a->c, MPE_ERR_FORMAT, "line longer than %d characters", MAX_LINE - 1);
        memcpy(buf, p, n);
        buf[n] = 0;
        mpe_status st = one_line(a, buf);
        if (st)
            return st;
        p += n + (p[n] == '\n');
    }
    mpe_status st = mpe_asm_dirs_finish(a);
    return st ? st : resolve(a);
}

static void free_state(asm_state *a)
{
    for (size_t i = 0; i < a->nlabels; i++)
        free(a->labels[i].name);
    for (size_t i = 0; i < a->nfix; i++)
        free(a->fix[i].name);
    free(a->labels);
    free(a->fix);
    free(a->code);
    mpe_asm_dirs_free(a);
}

mpe_status mpe_asm_program(const char *src, const char *fname, const mpe_arch *arch,
                           mpe_program *p, char *err, size_t errlen)
{
    asm_state a;
    memset(&a, 0, sizeof a);
    a.c = (ctx){fname ? fname : "<asm>", 0, err, errlen};
    mpe_program_init(&a.prog);
    if (arch)
        a.prog.arch = *arch;
    a.fixed = arch;
    mpe_status st = run(&a, src);
    if (st == MPE_ERR_NOMEM)
        mpe_asm_error(&a.c, st, "out of memory");
    mpe_program_init(p);
    if (!st) {
        *p = a.prog;
        p->code = a.code;
        p->ninsns = a.n;
        mpe_program_init(&a.prog);
        a.code = NULL;
    }
    free_state(&a);
    return st;
}

mpe_status mpe_asm(const char *src, const char *fname, uint8_t **code, size_t *ninsns,
                   char *err, size_t errlen)
{
    mpe_program p;
    mpe_status st = mpe_asm_program(src, fname, NULL, &p, err, errlen);
    *code = p.code;
    *ninsns = p.ninsns;
    p.code = NULL;
    mpe_program_free(&p);
    return st;
}
