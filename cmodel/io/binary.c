/* The .mpeb container (docs/isa.md section 6): little-endian header, section
 * table, sections. The writer only writes programs that pass
 * mpe_program_check; the reader checks every byte it is given. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "mpe/binary.h"
#include "mpe/outfile.h"
#include "mpe/isa.h"
#include "mpe/tensor.h"

#define TDESC_MIN 46 /* bytes of the smallest descriptor (1-char name, no params) */

static const char *sec_name(uint32_t t)
{
    static const char *const n[] = {"?", "CODE", "DATA", "TENSORS", "ARCH", "META"};
    return t >= 1 && t <= 5 ? n[t] : "?";
}

static mpe_status fail(char *err, size_t len, const char *fmt, ...)
{
    if (err && len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, len, fmt, ap);
        va_end(ap);
    }
    return MPE_ERR_FORMAT;
}

static uint32_t crc_of(const uint8_t *b, size_t n)
{
    uLong c = crc32(0L, Z_NULL, 0);
    while (n) {
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        c = crc32(c, b, k);
        b += k;
        n -= k;
    }
    return (uint32_t)c;
}

/* ---- little-endian helpers -------------------------------------------- */

static uint64_t get_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++, v >>= 8)
        p[i] = (uint8_t)(v & 0xFF);
}

/* A growing output buffer; `oom` sticks. */
typedef struct {
    uint8_t *b;
    size_t len, cap;
    int oom;
} wbuf;

static uint8_t *w_grow(wbuf *w, size_t n)
{
    if (w->oom || n > MPE_BIN_MAX_BYTES - w->len) {
        w->oom = 1;
        return NULL;
    }
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->len + n)
            cap *= 2;
        uint8_t *b = realloc(w->b, cap);
        if (!b) {
            w->oom = 1;
            return NULL;
        }
        w->b = b;
        w->cap = cap;
    }
    uint8_t *p = w->b + w->len;
    w->len += n;
    return p;
}

static void w_le(wbuf *w, uint64_t v, int n)
{
    uint8_t *p = w_grow(w, (size_t)n);
    if (p)
        put_le(p, v, n);
}

static void w_bytes(wbuf *w, const void *src, size_t n)
{
    if (!n)
        return;
    uint8_t *p = w_grow(w, n);
    if (p)
        memcpy(p, src, n);
}

/* A bounded input cursor; reads past the end set `bad` and return 0. */
typedef struct {
    const uint8_t *b;
    size_t len, pos;
    int bad;
} rbuf;

static uint64_t r_le(rbuf *r, int n)
{
    if (r->bad || r->len - r->pos < (size_t)n) {
        r->bad = 1;
        return 0;
    }
    uint64_t v = get_le(r->b + r->pos, n);
    r->pos += (size_t)n;
    return v;
}

static const uint8_t *r_bytes(rbuf *r, size_t n)
{
    if (r->bad || r->len - r->pos < n) {
        r->bad = 1;
        return NULL;
    }
    const uint8_t *p = r->b + r->pos;
    r->pos += n;
    return p;
}

/* ---- sections: writers ------------------------------------------------ */

static void w_tdesc(wbuf *w, const mpe_tdesc *d)
{
    size_t n = strlen(d->name);
    w_le(w, n, 1);
    w_bytes(w, d->name, n);
    int is_out = d->elem == MPE_ELEM_OUT;
    uint8_t f[12] = {d->role, d->ttype, d->elem, is_out ? d->out : d->dt.kind,
                     is_out ? 0 : d->dt.bits, is_out ? 0 : d->dt.fmt, d->ndim, d->layout,
                     d->nparams, d->has_quant, 0, 0};
    w_bytes(w, f, sizeof f);
    for (int i = 0; i < MPE_TDESC_MAX_DIMS; i++)
        w_le(w, d->dims[i], 4);
    w_le(w, d->addr, 8);
    w_le(w, d->scale, 4);
    w_le(w, (uint32_t)d->zero_point, 4);
    for (int i = 0; i < d->nparams; i++)
        w_le(w, (uint32_t)d->params[i], 4);
}

static void build_sections(const mpe_program *p, wbuf *sec, uint32_t *type, int *n)
{
    *n = 0;
    type[*n] = MPE_SEC_CODE;
    w_bytes(&sec[(*n)++], p->code, p->ninsns * MPE_INSN_BYTES);
    if (p->ndata) {
        type[*n] = MPE_SEC_DATA;
        for (size_t i = 0; i < p->ndata; i++) {
            w_le(&sec[*n], p->data[i].addr, 8);
            w_le(&sec[*n], p->data[i].len, 8);
            w_bytes(&sec[*n], p->data[i].bytes, (size_t)p->data[i].len);
        }
        (*n)++;
    }
    if (p->ntensors) {
        type[*n] = MPE_SEC_TENSORS;
        w_le(&sec[*n], p->ntensors, 4);
        for (size_t i = 0; i < p->ntensors; i++)
            w_tdesc(&sec[*n], &p->tensors[i]);
        (*n)++;
    }
    char text[MPE_ARCH_TEXT_MAX];
    type[*n] = MPE_SEC_ARCH;
    w_bytes(&sec[(*n)++], text, mpe_arch_format(&p->arch, text, sizeof text));
    if (p->meta && p->meta[0]) {
        type[*n] = MPE_SEC_META;
        w_bytes(&sec[(*n)++], p->meta, strlen(p->meta));
    }
}

mpe_status mpe_program_write(const mpe_program *p, uint8_t **buf, size_t *len, char *err,
                             size_t errlen)
{
    *buf = NULL;
    *len = 0;
    mpe_status st = mpe_program_check(p, err, errlen);
    if (st)
        return st;
    wbuf sec[MPE_BIN_MAX_SECTIONS];
    uint32_t type[MPE_BIN_MAX_SECTIONS];
    int n;
    memset(sec, 0, sizeof sec);
    build_sections(p, sec, type, &n);
    wbuf out = {0};
    uint8_t *hdr = w_grow(&out, MPE_BIN_HEADER_BYTES + (size_t)n * MPE_BIN_SECTION_BYTES);
    if (hdr)
        memset(hdr, 0, out.len);
    for (int i = 0; i < n; i++) {
        if (sec[i].oom)
            out.oom = 1;
        size_t off = out.len;
        w_bytes(&out, sec[i].b, sec[i].len);
        if (!out.oom) {
            uint8_t *e = out.b + MPE_BIN_HEADER_BYTES + (size_t)i * MPE_BIN_SECTION_BYTES;
            put_le(e, type[i], 4);
            put_le(e + 4, off, 4);
            put_le(e + 8, sec[i].len, 4);
        }
        free(sec[i].b);
    }
    if (out.oom) {
        free(out.b);
        return fail(err, errlen, "program too large for a %zu-byte binary (or out of memory)",
                    (size_t)MPE_BIN_MAX_BYTES);
    }
    memcpy(out.b, MPE_BIN_MAGIC, 4);
    put_le(out.b + 4, MPE_BIN_FORMAT_VERSION, 2);
    put_le(out.b + 6, MPE_ISA_VERSION, 2);
    put_le(out.b + 12, out.len, 4);
    put_le(out.b + 16, (uint64_t)n, 4);
    put_le(out.b + 20, mpe_arch_crc(&p->arch), 4);
    put_le(out.b + 8, crc_of(out.b + MPE_BIN_HEADER_BYTES, out.len - MPE_BIN_HEADER_BYTES), 4);
    *buf = out.b;
    *len = out.len;
    return MPE_OK;
}

/* ---- sections: readers ------------------------------------------------ */

static mpe_status read_header(const uint8_t *b, size_t len, char *err, size_t errlen)
{
    if (len < MPE_BIN_HEADER_BYTES)
        return fail(err, errlen, "truncated: %zu bytes, the header alone has %d", len,
                    MPE_BIN_HEADER_BYTES);
    if (memcmp(b, MPE_BIN_MAGIC, 4))
        return fail(err, errlen, "bad magic (not an .mpeb binary)");
    unsigned fv = (unsigned)get_le(b + 4, 2), iv = (unsigned)get_le(b + 6, 2);
    if (fv != MPE_BIN_FORMAT_VERSION)
        return fail(err, errlen, "format version %u, this reader knows version %d", fv,
                    MPE_BIN_FORMAT_VERSION);
    if (iv != MPE_ISA_VERSION)
        return fail(err, errlen, "ISA version %u, this build implements ISA version %d", iv,
                    MPE_ISA_VERSION);
    uint64_t size = get_le(b + 12, 4);
    if (size != len)
        return fail(err, errlen, "file size field says %llu bytes but %zu were read%s",
                    (unsigned long long)size, len, size > len ? " (truncated)" : "");
    uint32_t crc = (uint32_t)get_le(b + 8, 4), have = crc_of(b + 32, len - 32);
    if (crc != have)
        return fail(err, errlen, "CRC mismatch (header 0x%08x, contents 0x%08x): corrupted file",
                    crc, have);
    if (get_le(b + 24, 8))
        return fail(err, errlen, "reserved header bytes 24..31 are not zero");
    return MPE_OK;
}

typedef struct {
    uint32_t type, off, size;
} sec_entry;

/* Sections follow the table in table order, contiguously, to the end of the
 * file; types in increasing order, each at most once, CODE and ARCH present.
 * So every accepted file is exactly what the writer makes of its contents. */
static mpe_status read_table(const uint8_t *b, size_t len, sec_entry *s, int *n, char *err,
                             size_t errlen)
{
    uint64_t ns = get_le(b + 16, 4);
    if (ns < 1 || ns > MPE_BIN_MAX_SECTIONS)
        return fail(err, errlen, "%llu sections (1..%d)", (unsigned long long)ns,
                    MPE_BIN_MAX_SECTIONS);
    uint64_t cur = MPE_BIN_HEADER_BYTES + ns * MPE_BIN_SECTION_BYTES;
    if (cur > len)
        return fail(err, errlen, "the section table (%llu entries) runs past the end of the file",
                    (unsigned long long)ns);
    unsigned seen = 0;
    for (int i = 0; i < (int)ns; i++) {
        const uint8_t *e = b + MPE_BIN_HEADER_BYTES + (size_t)i * MPE_BIN_SECTION_BYTES;
        s[i].type = (uint32_t)get_le(e, 4);
        s[i].off = (uint32_t)get_le(e + 4, 4);
        s[i].size = (uint32_t)get_le(e + 8, 4);
        if (s[i].type < MPE_SEC_CODE || s[i].type > MPE_SEC_META)
            return fail(err, errlen, "section %d has unknown type %u", i, s[i].type);
        if (seen & (1u << s[i].type))
            return fail(err, errlen, "section %d: a second %s section", i, sec_name(s[i].type));
        if (i > 0 && s[i].type < s[i - 1].type)
            return fail(err, errlen, "section %d: %s after %s (the order is CODE, DATA, TENSORS, "
                        "ARCH, META)", i, sec_name(s[i].type), sec_name(s[i - 1].type));
        seen |= 1u << s[i].type;
        if (get_le(e + 12, 4))
            return fail(err, errlen, "section %d: reserved word is not zero", i);
        if (s[i].size == 0)
            return fail(err, errlen, "section %d (%s) is empty", i, sec_name(s[i].type));
        if (s[i].off != cur)
            return fail(err, errlen, "section %d (%s) starts at %u, expected %llu", i,
                        sec_name(s[i].type), s[i].off, (unsigned long long)cur);
        if (s[i].size > len - cur)
            return fail(err, errlen, "section %d (%s) of %u bytes runs past the end of the file",
                        i, sec_name(s[i].type), s[i].size);
        cur += s[i].size;
    }
    if (cur != len)
        return fail(err, errlen, "%llu bytes after the last section", (unsigned long long)(len - cur));
    if (!(seen & (1u << MPE_SEC_CODE)) || !(seen & (1u << MPE_SEC_ARCH)))
        return fail(err, errlen, "no %s section", (seen & (1u << MPE_SEC_CODE)) ? "ARCH" : "CODE");
    *n = (int)ns;
    return MPE_OK;
}

static mpe_status read_arch(const uint8_t *s, size_t n, uint32_t want_crc, mpe_arch *a,
                            char *err, size_t errlen)
{
    char text[MPE_ARCH_TEXT_MAX], canon[MPE_ARCH_TEXT_MAX], msg[256];
    if (n >= sizeof text || memchr(s, 0, n))
        return fail(err, errlen, "ARCH section is not canonical architecture text");
    memcpy(text, s, n);
    text[n] = 0;
    if (mpe_arch_parse(text, "ARCH section", a, msg, sizeof msg))
        return fail(err, errlen, "%s", msg);
    size_t cn = mpe_arch_format(a, canon, sizeof canon);
    if (cn != n || memcmp(canon, text, n))
        return fail(err, errlen, "ARCH section is not in canonical form");
    if (mpe_arch_crc(a) != want_crc)
        return fail(err, errlen, "architecture CRC in the header (0x%08x) does not match the "
                    "ARCH section (0x%08x)", want_crc, mpe_arch_crc(a));
    return MPE_OK;
}

static mpe_status read_data(const uint8_t *s, size_t n, mpe_program *p, char *err, size_t errlen)
{
    rbuf r = {s, n, 0, 0};
    while (r.pos < n) {
        uint64_t addr = r_le(&r, 8), len = r_le(&r, 8);
        if (r.bad || len == 0 || len > n - r.pos)
            return fail(err, errlen, "DATA record %zu at section offset %zu is truncated or empty",
                        p->ndata, r.pos);
        mpe_status st = mpe_program_add_data(p, addr, r_bytes(&r, (size_t)len), len);
        if (st)
            return fail(err, errlen, "DATA record %zu: %s", p->ndata, mpe_status_str(st));
    }
    return MPE_OK;
}

static int r_tdesc(rbuf *r, mpe_tdesc *d)
{
    memset(d, 0, sizeof *d);
    size_t nl = (size_t)r_le(r, 1);
    const uint8_t *name = r_bytes(r, nl);
    if (!name || nl == 0 || nl > MPE_TDESC_NAME_MAX || memchr(name, 0, nl))
        return -1;
    memcpy(d->name, name, nl);
    const uint8_t *f = r_bytes(r, 12);
    if (!f || f[10] || f[11])
        return -1;
    d->role = f[0], d->ttype = f[1], d->elem = f[2];
    if (d->elem == MPE_ELEM_OUT) {
        d->out = f[3];
        if (f[4] || f[5])
            return -1;
    } else {
        d->dt.kind = f[3], d->dt.bits = f[4], d->dt.fmt = f[5];
    }
    d->ndim = f[6], d->layout = f[7], d->nparams = f[8], d->has_quant = f[9];
    if (d->nparams > MPE_TDESC_MAX_PARAMS)
        return -1;
    for (int i = 0; i < MPE_TDESC_MAX_DIMS; i++)
        d->dims[i] = (uint32_t)r_le(r, 4);
    d->addr = r_le(r, 8);
    d->scale = (uint32_t)r_le(r, 4);
    d->zero_point = (int32_t)mpe_sext(r_le(r, 4), 32);
    for (int i = 0; i < d->nparams; i++)
        d->params[i] = (int32_t)mpe_sext(r_le(r, 4), 32);
    return r->bad ? -1 : 0;
}

static mpe_status read_tensors(const uint8_t *s, size_t n, mpe_program *p, char *err,
                               size_t errlen)
{
    rbuf r = {s, n, 0, 0};
    uint64_t count = r_le(&r, 4);
    if (r.bad || count == 0 || count > (n - 4) / TDESC_MIN)
        return fail(err, errlen, "TENSORS section: bad descriptor count %llu",
                    (unsigned long long)count);
    for (uint64_t i = 0; i < count; i++) {
        mpe_tdesc d;
        if (r_tdesc(&r, &d))
            return fail(err, errlen, "TENSORS section: descriptor %llu is malformed or truncated",
                        (unsigned long long)i);
        mpe_status st = mpe_program_add_tensor(p, &d);
        if (st)
            return st;
    }
    if (r.pos != n)
        return fail(err, errlen, "TENSORS section: %zu bytes after the last descriptor", n - r.pos);
    return MPE_OK;
}

static mpe_status read_section(const uint8_t *b, const sec_entry *e, mpe_program *p,
                               char *err, size_t errlen)
{
    const uint8_t *s = b + e->off;
    size_t n = e->size;
    switch (e->type) {
    case MPE_SEC_CODE:
        if (n % MPE_INSN_BYTES)
            return fail(err, errlen, "CODE section of %zu bytes is not whole %d-byte instructions",
                        n, MPE_INSN_BYTES);
        return mpe_program_set_code(p, s, n / MPE_INSN_BYTES);
    case MPE_SEC_DATA: return read_data(s, n, p, err, errlen);
    case MPE_SEC_TENSORS: return read_tensors(s, n, p, err, errlen);
    case MPE_SEC_META: {
        if (memchr(s, 0, n))
            return fail(err, errlen, "META section contains a NUL byte");
        char *m = malloc(n + 1);
        if (!m)
            return MPE_ERR_NOMEM;
        memcpy(m, s, n);
        m[n] = 0;
        free(p->meta);
        p->meta = m;
        return MPE_OK;
    }
    default: return MPE_OK; /* ARCH is read first */
    }
}

static mpe_status read_all(const uint8_t *b, size_t len, mpe_program *p, char *err,
                           size_t errlen)
{
    sec_entry s[MPE_BIN_MAX_SECTIONS];
    int n = 0;
    mpe_status st = read_header(b, len, err, errlen);
    if (!st)
        st = read_table(b, len, s, &n, err, errlen);
    for (int i = 0; !st && i < n; i++)
        if (s[i].type == MPE_SEC_ARCH)
            st = read_arch(b + s[i].off, s[i].size, (uint32_t)get_le(b + 20, 4), &p->arch, err,
                           errlen);
    for (int i = 0; !st && i < n; i++)
        st = read_section(b, &s[i], p, err, errlen);
    if (!st)
        st = mpe_program_check(p, err, errlen);
    return st;
}

mpe_status mpe_program_read(const uint8_t *buf, size_t len, mpe_program *p, char *err,
                            size_t errlen)
{
    mpe_program_init(p);
    if (err && errlen)
        err[0] = 0;
    if (len > MPE_BIN_MAX_BYTES)
        return fail(err, errlen, "%zu bytes: larger than any binary", len);
    mpe_status st = read_all(buf, len, p, err, errlen);
    if (st) {
        if (st != MPE_ERR_FORMAT && err && errlen && !err[0])
            fail(err, errlen, "%s", mpe_status_str(st));
        mpe_program_free(p);
    }
    return st;
}

/* ---- files ------------------------------------------------------------ */

static void prefix(char *err, size_t errlen, const char *path)
{
    if (!err || !errlen)
        return;
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s", err);
    snprintf(err, errlen, "%s: %s", path, tmp);
}

mpe_status mpe_program_save(const mpe_program *p, const char *path, char *err, size_t errlen)
{
    uint8_t *buf;
    size_t len;
    mpe_status st = mpe_program_write(p, &buf, &len, err, errlen);
    if (st) {
        prefix(err, errlen, path);
        return st;
    }
    st = mpe_out_write_file(path, buf, len, err, errlen);
    free(buf);
    return st;
}

mpe_status mpe_program_load(const char *path, mpe_program *p, char *err, size_t errlen)
{
    uint8_t *buf;
    size_t len;
    mpe_program_init(p);
    mpe_status st = mpe_read_file(path, MPE_BIN_MAX_BYTES + 1, &buf, &len);
    if (st) {
        fail(err, errlen, "%s: cannot read (%s)", path,
             st == MPE_ERR_RANGE ? "larger than any binary" : mpe_read_error(st));
        return st;
    }
    st = mpe_program_read(buf, len, p, err, errlen);
    free(buf);
    if (st)
        prefix(err, errlen, path);
    return st;
}
