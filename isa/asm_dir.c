/* The assembler directives: everything of a binary besides the code
 * (docs/isa.md section 4, "Directives"). Each directive has one entry in the
 * table `dirs` here, and its parser and printer beside it (the tensor fields:
 * asm_tensor.c), so that what the disassembler prints is what the assembler
 * reads:
 *
 *   .arch rows=4 lanes=16 ...           architecture parameters, before the body
 *   .meta "text\n"                      META text, appended
 *   .input NAME host=.. dtype=.. shape=.. addr=.. [layout=.. params=..] [scale=.. zp=..]
 *   .output NAME ... out=.. ...         tensor descriptors, in binary order
 *   .insn 0xHEX                         a raw instruction word
 *   .data ADDR                          a data record, whose bytes follow as
 *   .hex HH HH ...  /  .zero N          hex bytes and runs of zero bytes
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "asm_int.h"

typedef asm_ctx ctx;

/* The directives; their names, parsers and flags are the table `dirs` at the
 * end of this file, whose names the printers use too. */
typedef enum { D_ARCH, D_META, D_INPUT, D_OUTPUT, D_INSN, D_DATA, D_HEX, D_ZERO, D_COUNT } dir_id;
static const char *dir_name(dir_id d);

#define HEX_PER_LINE 16  /* bytes per .hex line the printer writes */
#define ZERO_MIN 16      /* shortest run of zero bytes it prints as .zero */
#define META_CHUNK 64    /* longest .meta string it prints (besides escapes) */
#define WRAP 80          /* .arch lines wrap before this column */
#define NOTE_COLUMN 60   /* "# address" comments start here */

static mpe_status error_at(const asm_state *a, int line, mpe_status st, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ctx c = a->c;
    c.line = line;
    return mpe_asm_error(&c, st, "%s", msg);
}

/* ---- strings: "..." with \n \t \\ \" \xHH ------------------------------ */

static int hex_digit(char ch)
{
    return ch >= '0' && ch <= '9' ? ch - '0'
           : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
           : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

mpe_status mpe_asm_unquote(const ctx *c, const char *tok, char *out, size_t *len)
{
    size_t n = strlen(tok), k = 0;
    if (n < 2 || tok[0] != '"' || tok[n - 1] != '"')
        return mpe_asm_error(c, MPE_ERR_FORMAT, "expected a \"quoted string\", got '%s'", tok);
    for (size_t i = 1; i < n - 1; i++) {
        if (tok[i] != '\\') {
            out[k++] = tok[i];
            continue;
        }
        char e = tok[++i];
        if (e == 'x' && i + 2 < n - 1 && hex_digit(tok[i + 1]) >= 0 &&
            hex_digit(tok[i + 2]) >= 0) {
            out[k] = (char)(hex_digit(tok[i + 1]) * 16 + hex_digit(tok[i + 2]));
            if (!out[k++])
                return mpe_asm_error(c, MPE_ERR_FORMAT, "a string cannot hold a NUL byte (\\x00)");
            i += 2;
        } else if (e == 'n' || e == 't' || e == '\\' || e == '"') {
            out[k++] = e == 'n' ? '\n' : e == 't' ? '\t' : e;
        } else {
            return mpe_asm_error(c, MPE_ERR_FORMAT, "bad escape '\\%c' in a string (\\n, \\t, \\\\, "
                             "\\\", \\xHH)", e);
        }
    }
    *len = k;
    return MPE_OK;
}

void mpe_asm_print_quoted(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\n')
            fputs("\\n", f);
        else if (ch == '\t')
            fputs("\\t", f);
        else if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20 || ch > 0x7e)
            fprintf(f, "\\x%02x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

/* ---- data records ------------------------------------------------------- */

static mpe_data_rec *open_rec(asm_state *a)
{
    return &a->prog.data[a->prog.ndata - 1];
}

/* Appends n bytes (zeros when src is NULL) to the open record. */
static mpe_status rec_append(asm_state *a, const uint8_t *src, uint64_t n)
{
    mpe_data_rec *r = open_rec(a);
    uint64_t room = a->prog.arch.mem_bytes - r->addr - r->len;
    if (n > room)
        return mpe_asm_error(&a->c, MPE_ERR_RANGE, "the data record at 0x%llx (line %d) runs past "
                         "the end of the %u-byte memory", (unsigned long long)r->addr,
                         a->data_line[a->prog.ndata - 1], a->prog.arch.mem_bytes);
    size_t need = (size_t)(r->len + n);
    if (need > a->rec_cap) {
        size_t cap = a->rec_cap < 256 ? 256 : 2 * a->rec_cap;
        cap = cap < need ? need : cap;
        uint8_t *b = realloc(r->bytes, cap);
        if (!b)
            return MPE_ERR_NOMEM;
        r->bytes = b;
        a->rec_cap = cap;
    }
    if (src)
        memcpy(r->bytes + r->len, src, (size_t)n);
    else
        memset(r->bytes + r->len, 0, (size_t)n);
    r->len += n;
    return MPE_OK;
}

static mpe_status close_rec(asm_state *a)
{
    if (!a->rec_open)
        return MPE_OK;
    a->rec_open = 0;
    if (open_rec(a)->len == 0)
        return error_at(a, a->data_line[a->prog.ndata - 1], MPE_ERR_FORMAT,
                        ".data without bytes (.hex or .zero lines must follow it)");
    return MPE_OK;
}

static mpe_status check_arch(asm_state *a)
{
    char msg[200];
    if (a->arch_line && mpe_arch_check(&a->prog.arch, msg, sizeof msg))
        return error_at(a, a->arch_line, MPE_ERR_FORMAT, ".arch: %s", msg);
    return MPE_OK;
}

mpe_status mpe_asm_begin_item(asm_state *a, int is_body, int is_data)
{
    mpe_status st = is_data ? MPE_OK : close_rec(a);
    if (!st && is_body && !a->started) {
        a->started = 1;
        st = check_arch(a);
    }
    return st;
}

typedef struct {
    uint64_t addr, len;
    int line;
} rec_pos;

static int by_addr(const void *x, const void *y)
{
    const rec_pos *p = x, *q = y;
    return p->addr != q->addr ? (p->addr < q->addr ? -1 : 1) : p->line - q->line;
}

/* Two records overlap: reported at the later one's .data line. */
static mpe_status check_overlaps(asm_state *a)
{
    size_t n = a->prog.ndata;
    if (n < 2)
        return MPE_OK;
    rec_pos *r = malloc(n * sizeof *r);
    if (!r)
        return MPE_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        r[i] = (rec_pos){a->prog.data[i].addr, a->prog.data[i].len, a->data_line[i]};
    qsort(r, n, sizeof *r, by_addr);
    mpe_status st = MPE_OK;
    for (size_t i = 1; i < n && !st; i++) {
        if (r[i].addr >= r[i - 1].addr + r[i - 1].len)
            continue;
        const rec_pos *later = r[i].line > r[i - 1].line ? &r[i] : &r[i - 1];
        const rec_pos *other = later == &r[i] ? &r[i - 1] : &r[i];
        st = error_at(a, later->line, MPE_ERR_FORMAT,
                      "the data record at 0x%llx (%llu bytes) overlaps the one of line %d",
                      (unsigned long long)later->addr, (unsigned long long)later->len,
                      other->line);
    }
    free(r);
    return st;
}

mpe_status mpe_asm_dirs_finish(asm_state *a)
{
    mpe_status st = close_rec(a);
    if (!st && !a->started)
        st = check_arch(a);
    return st ? st : check_overlaps(a);
}

void mpe_asm_dirs_free(asm_state *a)
{
    mpe_program_free(&a->prog);
    free(a->data_line);
    free(a->tensor_line);
}

/* ---- .arch ---------------------------------------------------------------- */

static const struct {
    const char *name;
    size_t off;
} arch_keys[] = {
#define X(key, def, lo, hi) {#key, offsetof(mpe_arch, key)},
    MPE_ARCH_PARAMS(X)
#undef X
};
#define NKEYS ((int)(sizeof arch_keys / sizeof arch_keys[0]))

static uint32_t *arch_slot(mpe_arch *arch, int k)
{
    return (uint32_t *)((char *)arch + arch_keys[k].off);
}

static uint32_t arch_value(const mpe_arch *arch, int k)
{
    return *(const uint32_t *)((const char *)arch + arch_keys[k].off);
}

static mpe_status arch_pair(asm_state *a, char *tok)
{
    char *eq = strchr(tok, '=');
    if (!eq || eq == tok || !eq[1])
        return mpe_asm_error(&a->c, MPE_ERR_FORMAT, "expected key=value, got '%s'", tok);
    *eq = 0;
    int k = 0;
    while (k < NKEYS && strcmp(arch_keys[k].name, tok))
        k++;
    if (k == NKEYS)
        return mpe_asm_error(&a->c, MPE_ERR_FORMAT, "unknown architecture key '%s'", tok);
    if (a->arch_given & (1u << k))
        return mpe_asm_error(&a->c, MPE_ERR_FORMAT, "architecture key '%s' given twice", tok);
    int64_t v;
    if (mpe_asm_parse_int(eq + 1, &v) || v < 0 || v > UINT32_MAX)
        return mpe_asm_error(&a->c, MPE_ERR_FORMAT, "bad value '%s' for architecture key '%s'",
                         eq + 1, tok);
    if (a->fixed && (uint32_t)v != arch_value(a->fixed, k))
        return mpe_asm_error(&a->c, MPE_ERR_FORMAT, "%s=%lld, but the assembler was given the "
                         "architecture with %s=%u", tok, (long long)v, tok,
                         arch_value(a->fixed, k));
    a->arch_given |= 1u << k;
    *arch_slot(&a->prog.arch, k) = (uint32_t)v;
    return MPE_OK;
}

static mpe_status d_arch(asm_state *a, char **tok, int n)
{
    if (a->started)
        return mpe_asm_error(&a->c, MPE_ERR_FORMAT, ".arch must come before the code, data and "
                         "tensors");
    if (n < 2)
        return mpe_asm_error(&a->c, MPE_ERR_FORMAT, ".arch takes key=value pairs");
    for (int i = 1; i < n; i++) {
        mpe_status st = arch_pair(a, tok[i]);
        if (st)
            return st;
    }
    a->arch_line = a->c.line;
    return MPE_OK;
}

void mpe_asm_print_arch(FILE *f, const mpe_arch *arch)
{
    int col = 0;
    for (int k = 0; k < NKEYS; k++) {
        char pair[64];
        int len = snprintf(pair, sizeof pair, " %s=%u", arch_keys[k].name, arch_value(arch, k));
        if (col && col + len >= WRAP) {
            fputc('\n', f);
            col = 0;
        }
        if (!col)
            col = fprintf(f, "%s", dir_name(D_ARCH));
        col += fprintf(f, "%s", pair);
    }
    fputc('\n', f);
}

/* ---- .meta ---------------------------------------------------------------- */

static mpe_status d_meta(asm_state *a, char **tok, int n)
{
    if (n != 2)
        return mpe_asm_error(&a->c, MPE_ERR_FORMAT, ".meta takes one \"quoted string\"");
    size_t len, cap = a->meta_len + strlen(tok[1]) + 1;
    if (cap > a->meta_cap) {
        cap = cap < 2 * a->meta_cap ? 2 * a->meta_cap : cap;
        char *m = realloc(a->prog.meta, cap);
        if (!m)
            return MPE_ERR_NOMEM;
        a->prog.meta = m;
        a->meta_cap = cap;
    }
    mpe_status st = mpe_asm_unquote(&a->c, tok[1], a->prog.meta + a->meta_len, &len);
    if (st)
        return st;
    a->meta_len += len;
    a->prog.meta[a->meta_len] = 0;
    return MPE_OK;
}

void mpe_asm_print_meta(FILE *f, const char *meta)
{
    if (!meta || !*meta) {
        fprintf(f, "%s \"\"\n", dir_name(D_META));
        return;
    }
    while (*meta) {
        size_t n = strcspn(meta, "\n");
        n = n < META_CHUNK ? n + (meta[n] == '\n') : META_CHUNK;
        fprintf(f, "%s ", dir_name(D_META));
        mpe_asm_print_quoted(f, meta, n);
        fputc('\n', f);
        meta += n;
    }
}

/* ---- .input / .output (asm_tensor.c) -------------------------------------- */

static mpe_status d_input(asm_state *a, char **tok, int n)
{
    return mpe_asm_tensor(a, tok, n, MPE_ROLE_INPUT);
}

static mpe_status d_output(asm_state *a, char **tok, int n)
{
    return mpe_asm_tensor(a, tok, n, MPE_ROLE_OUTPUT);
}

/* ---- .insn ------------------------------------------------------------------ */

static mpe_status d_insn(asm_state *a, char **tok, int n)
{
    const char *h = n == 2 ? tok[1] : "";
    size_t len = strlen(h);
    if (n != 2 || len < 3 || len > 34 || h[0] != '0' || (h[1] != 'x' && h[1] != 'X') ||
        strspn(h + 2, "0123456789abcdefABCDEF") != len - 2)
        return mpe_asm_error(&a->c, MPE_ERR_FORMAT, ".insn takes one hex word of up to 32 digits "
                         "(0x...)");
    uint8_t *b = mpe_asm_new_insn(a);
    if (!b)
        return MPE_ERR_NOMEM;
    memset(b, 0, MPE_INSN_BYTES);
    for (size_t i = 0; i < len - 2; i++) /* i-th digit from the least significant */
        b[i / 2] |= (uint8_t)(hex_digit(h[len - 1 - i]) << (4 * (i % 2)));
    return MPE_OK;
}

/* ---- .data, .hex, .zero --------------------------------------------------- */

static mpe_status d_data(asm_state *a, char **tok, int n)
{
    int64_t addr;
    if (n != 2 || mpe_asm_parse_int(tok[1], &addr) || addr < 0)
        return mpe_asm_error(&a->c, MPE_ERR_FORMAT, ".data takes one memory byte address");
    if ((uint64_t)addr >= a->prog.arch.mem_bytes)
        return mpe_asm_error(&a->c, MPE_ERR_RANGE, "data address %s outside the %u-byte memory",
                         tok[1], a->prog.arch.mem_bytes);
    int *lines = realloc(a->data_line, (a->prog.ndata + 1) * sizeof *lines);
    if (!lines)
        return MPE_ERR_NOMEM;
    a->data_line = lines;
    mpe_data_rec *d = realloc(a->prog.data, (a->prog.ndata + 1) * sizeof *d);
    if (!d)
        return MPE_ERR_NOMEM;
    a->prog.data = d;
    d[a->prog.ndata] = (mpe_data_rec){(uint64_t)addr, 0, NULL};
    lines[a->prog.ndata++] = a->c.line;
    a->rec_open = 1;
    a->rec_cap = 0;
    return MPE_OK;
}

static mpe_status need_record(asm_state *a, const char *dir)
{
    if (!a->rec_open)
        return mpe_asm_error(&a->c, MPE_ERR_FORMAT, "%s outside a data record (it continues a "
                         ".data, .hex or .zero line)", dir);
    return MPE_OK;
}

static mpe_status d_hex(asm_state *a, char **tok, int n)
{
    mpe_status st = need_record(a, tok[0]);
    if (st)
        return st;
    if (n < 2)
        return mpe_asm_error(&a->c, MPE_ERR_FORMAT, ".hex takes bytes as pairs of hex digits");
    for (int i = 1; i < n && !st; i++) {
        uint8_t bytes[2048]; /* a line has fewer than 4096 characters */
        size_t len = strlen(tok[i]);
        if (len % 2 || strspn(tok[i], "0123456789abcdefABCDEF") != len)
            return mpe_asm_error(&a->c, MPE_ERR_FORMAT, "bad hex bytes '%s' (pairs of hex digits)",
                             tok[i]);
        for (size_t k = 0; k < len / 2; k++)
            bytes[k] = (uint8_t)(hex_digit(tok[i][2 * k]) * 16 + hex_digit(tok[i][2 * k + 1]));
        st = rec_append(a, bytes, len / 2);
    }
    return st;
}

static mpe_status d_zero(asm_state *a, char **tok, int n)
{
    mpe_status st = need_record(a, tok[0]);
    if (st)
        return st;
    int64_t count;
    if (n != 2 || mpe_asm_parse_int(tok[1], &count) || count < 1)
        return mpe_asm_error(&a->c, MPE_ERR_FORMAT, ".zero takes one byte count >= 1");
    return rec_append(a, NULL, (uint64_t)count);
}

/* Bytes [i, i + ZERO_MIN) exist and are zero. */
static int zero_run_at(const mpe_data_rec *r, uint64_t i)
{
    if (r->len - i < ZERO_MIN)
        return 0;
    for (uint64_t k = i; k < i + ZERO_MIN; k++)
        if (r->bytes[k])
            return 0;
    return 1;
}

/* Pads the line of `col` characters to NOTE_COLUMN and notes the address. */
static void note_addr(FILE *f, int col, uint64_t addr)
{
    fprintf(f, "%*s# 0x%llx", col < NOTE_COLUMN ? NOTE_COLUMN - col : 1, "",
            (unsigned long long)addr);
}

void mpe_asm_print_data(FILE *f, const mpe_data_rec *r, int addr_comments)
{
    fprintf(f, "%s 0x%llx    # %llu bytes\n", dir_name(D_DATA), (unsigned long long)r->addr,
            (unsigned long long)r->len);
    for (uint64_t i = 0; i < r->len;) {
        uint64_t end = i;
        int col;
        if (zero_run_at(r, i)) {
            while (end < r->len && !r->bytes[end])
                end++;
            col = fprintf(f, "    %s %llu", dir_name(D_ZERO), (unsigned long long)(end - i));
        } else {
            for (end++; end < r->len && end < i + HEX_PER_LINE && !zero_run_at(r, end); end++) {
            }
            col = fprintf(f, "    %s", dir_name(D_HEX));
            for (uint64_t k = i; k < end; k++)
                col += fprintf(f, " %02x", r->bytes[k]);
        }
        if (addr_comments)
            note_addr(f, col, r->addr + i);
        fputc('\n', f);
        i = end;
    }
}

/* ---- the directive table -------------------------------------------------- */

static const struct {
    const char *name;
    mpe_status (*fn)(asm_state *a, char **tok, int n);
    unsigned char body; /* ends the .arch part */
    unsigned char data; /* continues a data record */
} dirs[D_COUNT] = {
    [D_ARCH] = {".arch", d_arch, 0, 0},     [D_META] = {".meta", d_meta, 0, 0},
    [D_INPUT] = {".input", d_input, 1, 0},  [D_OUTPUT] = {".output", d_output, 1, 0},
    [D_INSN] = {".insn", d_insn, 1, 0},     [D_DATA] = {".data", d_data, 1, 0},
    [D_HEX] = {".hex", d_hex, 1, 1},        [D_ZERO] = {".zero", d_zero, 1, 1},
};

static const char *dir_name(dir_id d)
{
    return dirs[d].name;
}

mpe_status mpe_asm_directive(asm_state *a, char **tok, int n)
{
    for (int i = 0; i < D_COUNT; i++) {
        if (strcmp(dirs[i].name, tok[0]))
            continue;
        mpe_status st = mpe_asm_begin_item(a, dirs[i].body, dirs[i].data);
        return st ? st : dirs[i].fn(a, tok, n);
    }
    char names[200] = "";
    for (int i = 0, len = 0; i < D_COUNT; i++)
        len += snprintf(names + len, sizeof names - (size_t)len, "%s%s", i ? ", " : "",
                        dirs[i].name);
    return mpe_asm_error(&a->c, MPE_ERR_FORMAT, "unknown directive '%s' (%s)", tok[0], names);
}

void mpe_asm_print_tensor(FILE *f, const mpe_tdesc *d)
{
    fputs(dir_name(d->role == MPE_ROLE_INPUT ? D_INPUT : D_OUTPUT), f);
    mpe_asm_tensor_print(f, d);
    fputc('\n', f);
}

size_t mpe_asm_format_raw(const uint8_t b[MPE_INSN_BYTES], char *buf, size_t len)
{
    char text[32 + 2 * MPE_INSN_BYTES];
    int n = snprintf(text, sizeof text, "%s 0x", dir_name(D_INSN));
    for (int i = MPE_INSN_BYTES - 1; i >= 0; i--)
        n += snprintf(text + n, sizeof text - (size_t)n, "%02x", b[i]);
    if (len)
        snprintf(buf, len, "%s", text);
    return (size_t)n;
}
