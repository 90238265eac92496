/* The .mpeb container (docs/isa.md section 6): little-endian header, section
 * table, sections. The writer only writes programs that pass
 * mpe_program_check; the reader checks every byte it is given. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "mpe/binary.h"
#include "mpe/err.h"
#include "mpe/outfile.h"
#include "mpe/isa.h"
#include "mpe/le.h"
#include "mpe/tensor.h"

#define TDESC_MIN 46 /* bytes of the smallest descriptor (1-char name, no params) */

static const char *sec_name(uint32_t t)
{
    static const char *const n[] = {"?", "CODE", "DATA", "TENSORS", "ARCH", "META"};
    return t >= 1 && t <= 5 ? n[t] : "?";
}

static uLong crc_add(uLong c, const uint8_t *b, size_t n)
{
    while (n) {
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        c = crc32(c, b, k);
        b += k;
        n -= k;
    }
    return c;
}

static uint32_t crc_of(const uint8_t *b, size_t n)
{
    return (uint32_t)crc_add(crc32(0L, Z_NULL, 0), b, n);
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
    uint64_t v = mpe_get_le(r->b + r->pos, n);
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

/* ---- writer --------------------------------------------------------------
 * The layout (section sizes and offsets) is computed from the program's
 * parts; the bytes after the header are then emitted into a sink: a memory
 * buffer (mpe_program_write), a stdio stream, or nowhere (the first of the
 * streaming writer's two passes, which only counts and checksums, so that
 * the header can be written first and nothing seeks). */

typedef struct {
    FILE *f;      /* stream, or NULL */
    uint8_t *mem; /* buffer for the bytes after the header, or NULL */
    uint64_t n;   /* bytes emitted after the header */
    uLong crc;
    int crc_on, err;
} sink;

static void put(sink *s, const void *src, size_t n)
{
    if (s->err || !n)
        return;
    if (s->crc_on)
        s->crc = crc_add(s->crc, src, n);
    if (s->mem)
        memcpy(s->mem + s->n, src, n);
    else if (s->f && fwrite(src, 1, n, s->f) != n)
        s->err = 1;
    s->n += n;
}

static void put_le(sink *s, uint64_t v, int n)
{
    uint8_t b[8];
    mpe_put_le(b, v, n);
    put(s, b, (size_t)n);
}

typedef struct {
    int n;
    uint32_t type[MPE_BIN_MAX_SECTIONS];
    uint64_t size[MPE_BIN_MAX_SECTIONS];
    uint64_t total; /* file size */
    char arch[MPE_ARCH_TEXT_MAX];
    size_t arch_len;
} layout;

static uint64_t tdesc_size(const mpe_tdesc *d)
{
    return 1 + strlen(d->name) + 12 + 4 * MPE_TDESC_MAX_DIMS + 8 + 4 + 4 + 4 * (uint64_t)d->nparams;
}

static void plan(const mpe_program *p, layout *l)
{
    uint64_t sz;
    l->n = 0;
    l->type[l->n] = MPE_SEC_CODE;
    l->size[l->n++] = (uint64_t)p->ninsns * MPE_INSN_BYTES;
    if (p->ndata) {
        sz = 0;
        for (size_t i = 0; i < p->ndata; i++)
            sz += 16 + p->data[i].len;
        l->type[l->n] = MPE_SEC_DATA;
        l->size[l->n++] = sz;
    }
    if (p->ntensors) {
        sz = 4;
        for (size_t i = 0; i < p->ntensors; i++)
            sz += tdesc_size(&p->tensors[i]);
        l->type[l->n] = MPE_SEC_TENSORS;
        l->size[l->n++] = sz;
    }
    l->arch_len = mpe_arch_format(&p->arch, l->arch, sizeof l->arch);
    l->type[l->n] = MPE_SEC_ARCH;
    l->size[l->n++] = l->arch_len;
    if (p->meta && p->meta[0]) {
        l->type[l->n] = MPE_SEC_META;
        l->size[l->n++] = strlen(p->meta);
    }
    l->total = MPE_BIN_HEADER_BYTES + (uint64_t)l->n * MPE_BIN_SECTION_BYTES;
    for (int i = 0; i < l->n; i++)
        l->total += l->size[i];
}

static void put_tdesc(sink *s, const mpe_tdesc *d)
{
    size_t n = strlen(d->name);
    put_le(s, n, 1);
    put(s, d->name, n);
    int is_out = d->elem == MPE_ELEM_OUT;
    uint8_t f[12] = {d->role, d->ttype, d->elem, is_out ? d->out : d->dt.kind,
                     is_out ? 0 : d->dt.bits, is_out ? 0 : d->dt.fmt, d->ndim, d->layout,
                     d->nparams, d->has_quant, 0, 0};
    put(s, f, sizeof f);
    for (int i = 0; i < MPE_TDESC_MAX_DIMS; i++)
        put_le(s, d->dims[i], 4);
    put_le(s, d->addr, 8);
    put_le(s, d->scale, 4);
    put_le(s, (uint32_t)d->zero_point, 4);
    for (int i = 0; i < d->nparams; i++)
        put_le(s, (uint32_t)d->params[i], 4);
}

/* Everything after the header: the section table, then the sections. */
static void put_body(sink *s, const mpe_program *p, const layout *l)
{
    uint64_t off = MPE_BIN_HEADER_BYTES + (uint64_t)l->n * MPE_BIN_SECTION_BYTES;
    for (int i = 0; i < l->n; i++) {
        put_le(s, l->type[i], 4);
        put_le(s, off, 4);
        put_le(s, l->size[i], 4);
        put_le(s, 0, 4);
        off += l->size[i];
    }
    for (int i = 0; i < l->n; i++) {
        switch (l->type[i]) {
        case MPE_SEC_CODE: put(s, p->code, p->ninsns * MPE_INSN_BYTES); break;
        case MPE_SEC_DATA:
            for (size_t k = 0; k < p->ndata; k++) {
                put_le(s, p->data[k].addr, 8);
                put_le(s, p->data[k].len, 8);
                put(s, p->data[k].bytes, (size_t)p->data[k].len);
            }
            break;
        case MPE_SEC_TENSORS:
            put_le(s, p->ntensors, 4);
            for (size_t k = 0; k < p->ntensors; k++)
                put_tdesc(s, &p->tensors[k]);
            break;
        case MPE_SEC_ARCH: put(s, l->arch, l->arch_len); break;
        case MPE_SEC_META: put(s, p->meta, strlen(p->meta)); break;
        }
    }
}

static void put_header(uint8_t *h, const mpe_program *p, const layout *l, uint32_t crc)
{
    memset(h, 0, MPE_BIN_HEADER_BYTES);
    memcpy(h, MPE_BIN_MAGIC, 4);
    mpe_put_le(h + 4, MPE_BIN_FORMAT_VERSION, 2);
    mpe_put_le(h + 6, MPE_ISA_VERSION, 2);
    mpe_put_le(h + 8, crc, 4);
    mpe_put_le(h + 12, l->total, 4);
    mpe_put_le(h + 16, (uint64_t)l->n, 4);
    mpe_put_le(h + 20, mpe_arch_crc(&p->arch), 4);
}

/* The checked program's layout; MPE_ERR_RANGE past the format's size. */
static mpe_status prepare(const mpe_program *p, layout *l, char *err, size_t errlen)
{
    mpe_status st = mpe_program_check(p, err, errlen);
    if (st)
        return st;
    plan(p, l);
    if (l->total > MPE_BIN_MAX_BYTES) {
        mpe_errf(err, errlen, MPE_ERR_FORMAT,
                 "program too large for a %zu-byte binary (or out of memory)",
                 (size_t)MPE_BIN_MAX_BYTES);
        return MPE_ERR_RANGE;
    }
    return MPE_OK;
}

mpe_status mpe_program_write(const mpe_program *p, uint8_t **buf, size_t *len, char *err,
                             size_t errlen)
{
    *buf = NULL;
    *len = 0;
    layout l;
    mpe_status st = prepare(p, &l, err, errlen);
    if (st)
        return st == MPE_ERR_RANGE ? MPE_ERR_FORMAT : st;
    uint8_t *b = malloc((size_t)l.total);
    if (!b)
        return mpe_errf(err, errlen, MPE_ERR_FORMAT,
                        "program too large for a %zu-byte binary (or out of memory)",
                        (size_t)MPE_BIN_MAX_BYTES);
    sink s = {NULL, b + MPE_BIN_HEADER_BYTES, 0, crc32(0L, Z_NULL, 0), 1, 0};
    put_body(&s, p, &l);
    put_header(b, p, &l, (uint32_t)s.crc);
    *buf = b;
    *len = (size_t)l.total;
    return MPE_OK;
}

mpe_status mpe_program_write_stream(const mpe_program *p, FILE *f, char *err, size_t errlen)
{
    layout l;
    mpe_status st = prepare(p, &l, err, errlen);
    if (st)
        return st;
    sink dry = {NULL, NULL, 0, crc32(0L, Z_NULL, 0), 1, 0};
    put_body(&dry, p, &l);
    uint8_t h[MPE_BIN_HEADER_BYTES];
    put_header(h, p, &l, (uint32_t)dry.crc);
    sink out = {f, NULL, 0, 0, 0, 0};
    if (fwrite(h, 1, sizeof h, f) != sizeof h)
        out.err = 1;
    put_body(&out, p, &l);
    if (out.err) {
        return mpe_errf(err, errlen, MPE_ERR_IO, "write error");
    }
    return MPE_OK;
}

/* ---- sections: readers ------------------------------------------------ */

static mpe_status read_header(const uint8_t *b, size_t len, char *err, size_t errlen)
{
    if (len < MPE_BIN_HEADER_BYTES)
        return mpe_errf(err, errlen, MPE_ERR_FORMAT,
                        "truncated: %zu bytes, the header alone has %d", len, MPE_BIN_HEADER_BYTES);
    if (memcmp(b, MPE_BIN_MAGIC, 4))
        return mpe_errf(err, errlen, MPE_ERR_FORMAT, "bad magic (not an .mpeb binary)");
    unsigned fv = (unsigned)mpe_get_le(b + 4, 2), iv = (unsigned)mpe_get_le(b + 6, 2);
    if (fv != MPE_BIN_FORMAT_VERSION)
        return mpe_errf(err, errlen, MPE_ERR_FORMAT,
                        "format version %u, this reader knows version %d", fv,
                        MPE_BIN_FORMAT_VERSION);
    if (iv != MPE_ISA_VERSION)
        return mpe_errf(err, errlen, MPE_ERR_FORMAT,
                        "ISA version %u, this build implements ISA version %d", iv,
                        MPE_ISA_VERSION);
    uint64_t size = mpe_get_le(b + 12, 4);
    if (size != len)
        return mpe_errf(err, errlen, MPE_ERR_FORMAT,
                        "file size field says %llu bytes but %zu were read%s",
                        (unsigned long long)size, len, size > len ? " (truncated)" : "");
    uint32_t crc = (uint32_t)mpe_get_le(b + 8, 4), have = crc_of(b + 32, len - 32);
    if (crc != have)
        return mpe_errf(err, errlen, MPE_ERR_FORMAT,
                        "CRC mismatch (header 0x%08x, contents 0x%08x): corrupted file", crc, have);
    if (mpe_get_le(b + 24, 8))
        return mpe_errf(err, errlen, MPE_ERR_FORMAT, "reserved header bytes 24..31 are not zero");
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
    uint64_t ns = mpe_get_le(b + 16, 4);
    if (ns < 1 || ns > MPE_BIN_MAX_SECTIONS)
        return mpe_errf(err, errlen, MPE_ERR_FORMAT, "%llu sections (1..%d)",
                        (unsigned long long)ns, MPE_BIN_MAX_SECTIONS);
    uint64_t cur = MPE_BIN_HEADER_BYTES + ns * MPE_BIN_SECTION_BYTES;
    if (cur > len)
        return mpe_errf(err, errlen, MPE_ERR_FORMAT,
                        "the section table (%llu entries) runs past the end of the file",
                        (unsigned long long)ns);
    unsigned seen = 0;
    for (int i = 0; i < (int)ns; i++) {
        const uint8_t *e = b + MPE_BIN_HEADER_BYTES + (size_t)i * MPE_BIN_SECTION_BYTES;
        s[i].type = (uint32_t)mpe_get_le(e, 4);
        s[i].off = (uint32_t)mpe_get_le(e + 4, 4);
        s[i].size = (uint32_t)mpe_get_le(e + 8, 4);
        if (s[i].type < MPE_SEC_CODE || s[i].type > MPE_SEC_META)
            return mpe_errf(err, errlen, MPE_ERR_FORMAT, "section %d has unknown type %u", i,
                            s[i].type);
        if (seen & (1u << s[i].type))
            return mpe_errf(err, errlen, MPE_ERR_FORMAT, "section %d: a second %s section", i,
                            sec_name(s[i].type));
        if (i > 0 && s[i].type < s[i - 1].type)
            return mpe_errf(err, errlen, MPE_ERR_FORMAT,
                            "section %d: %s after %s (the order is CODE, DATA, TENSORS, "
                            "ARCH, META)",
                            i, sec_name(s[i].type), sec_name(s[i - 1].type));
        seen |= 1u << s[i].type;
        if (mpe_get_le(e + 12, 4))
            return mpe_errf(err, errlen, MPE_ERR_FORMAT, "section %d: reserved word is not zero",
                            i);
        if (s[i].size == 0)
            return mpe_errf(err, errlen, MPE_ERR_FORMAT, "section %d (%s) is empty", i,
                            sec_name(s[i].type));
        if (s[i].off != cur)
            return mpe_errf(err, errlen, MPE_ERR_FORMAT,
                            "section %d (%s) starts at %u, expected %llu", i, sec_name(s[i].type),
                            s[i].off, (unsigned long long)cur);
        if (s[i].size > len - cur)
            return mpe_errf(err, errlen, MPE_ERR_FORMAT,
                            "section %d (%s) of %u bytes runs past the end of the file", i,
                            sec_name(s[i].type), s[i].size);
        cur += s[i].size;
    }
    if (cur != len)
        return mpe_errf(err, errlen, MPE_ERR_FORMAT, "%llu bytes after the last section",
                        (unsigned long long)(len - cur));
    if (!(seen & (1u << MPE_SEC_CODE)) || !(seen & (1u << MPE_SEC_ARCH)))
        return mpe_errf(err, errlen, MPE_ERR_FORMAT, "no %s section",
                        (seen & (1u << MPE_SEC_CODE)) ? "ARCH" : "CODE");
    *n = (int)ns;
    return MPE_OK;
}

static mpe_status read_arch(const uint8_t *s, size_t n, uint32_t want_crc, mpe_arch *a,
                            char *err, size_t errlen)
{
    char text[MPE_ARCH_TEXT_MAX], canon[MPE_ARCH_TEXT_MAX], msg[MPE_ERR_LEN];
    if (n >= sizeof text || memchr(s, 0, n))
        return mpe_errf(err, errlen, MPE_ERR_FORMAT,
                        "ARCH section is not canonical architecture text");
    memcpy(text, s, n);
    text[n] = 0;
    if (mpe_arch_parse(text, "ARCH section", a, msg, sizeof msg))
        return mpe_errf(err, errlen, MPE_ERR_FORMAT, "%s", msg);
    size_t cn = mpe_arch_format(a, canon, sizeof canon);
    if (cn != n || memcmp(canon, text, n))
        return mpe_errf(err, errlen, MPE_ERR_FORMAT, "ARCH section is not in canonical form");
    if (mpe_arch_crc(a) != want_crc)
        return mpe_errf(err, errlen, MPE_ERR_FORMAT,
                        "architecture CRC in the header (0x%08x) does not match the "
                        "ARCH section (0x%08x)",
                        want_crc, mpe_arch_crc(a));
    return MPE_OK;
}

static mpe_status read_data(const uint8_t *s, size_t n, mpe_program *p, char *err, size_t errlen)
{
    rbuf r = {s, n, 0, 0};
    while (r.pos < n) {
        uint64_t addr = r_le(&r, 8), len = r_le(&r, 8);
        if (r.bad || len == 0 || len > n - r.pos)
            return mpe_errf(err, errlen, MPE_ERR_FORMAT,
                            "DATA record %zu at section offset %zu is truncated or empty", p->ndata,
                            r.pos);
        mpe_status st = mpe_program_add_data(p, addr, r_bytes(&r, (size_t)len), len);
        if (st)
            return mpe_errf(err, errlen, MPE_ERR_FORMAT, "DATA record %zu: %s", p->ndata,
                            mpe_status_str(st));
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
        return mpe_errf(err, errlen, MPE_ERR_FORMAT, "TENSORS section: bad descriptor count %llu",
                        (unsigned long long)count);
    for (uint64_t i = 0; i < count; i++) {
        mpe_tdesc d;
        if (r_tdesc(&r, &d))
            return mpe_errf(err, errlen, MPE_ERR_FORMAT,
                            "TENSORS section: descriptor %llu is malformed or truncated",
                            (unsigned long long)i);
        mpe_status st = mpe_program_add_tensor(p, &d);
        if (st)
            return st;
    }
    if (r.pos != n)
        return mpe_errf(err, errlen, MPE_ERR_FORMAT,
                        "TENSORS section: %zu bytes after the last descriptor", n - r.pos);
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
            return mpe_errf(err, errlen, MPE_ERR_FORMAT,
                            "CODE section of %zu bytes is not whole %d-byte instructions", n,
                            MPE_INSN_BYTES);
        return mpe_program_set_code(p, s, n / MPE_INSN_BYTES);
    case MPE_SEC_DATA: return read_data(s, n, p, err, errlen);
    case MPE_SEC_TENSORS: return read_tensors(s, n, p, err, errlen);
    case MPE_SEC_META: {
        if (memchr(s, 0, n))
            return mpe_errf(err, errlen, MPE_ERR_FORMAT, "META section contains a NUL byte");
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
            st = read_arch(b + s[i].off, s[i].size, (uint32_t)mpe_get_le(b + 20, 4), &p->arch, err,
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
        return mpe_errf(err, errlen, MPE_ERR_FORMAT, "%zu bytes: larger than any binary", len);
    mpe_status st = read_all(buf, len, p, err, errlen);
    if (st) {
        if (st != MPE_ERR_FORMAT && err && errlen && !err[0])
            mpe_errf(err, errlen, MPE_ERR_FORMAT, "%s", mpe_status_str(st));
        mpe_program_free(p);
    }
    return st;
}

/* ---- files ------------------------------------------------------------ */

mpe_status mpe_program_save(const mpe_program *p, const char *path, char *err, size_t errlen)
{
    layout l;
    mpe_status st = prepare(p, &l, err, errlen);
    if (st) {
        mpe_err_prefix(err, errlen, "%s: ", path);
        return st == MPE_ERR_RANGE ? MPE_ERR_FORMAT : st;
    }
    mpe_outfile o;
    st = mpe_out_open(&o, path, err, errlen);
    if (st)
        return st;
    if (mpe_program_write_stream(p, o.f, NULL, 0) && !ferror(o.f)) {
        mpe_out_abort(&o);
        return mpe_errf(err, errlen, MPE_ERR_IO, "%s: cannot write (%s)", path, strerror(EIO));
    }
    return mpe_out_close(&o, err, errlen);
}

mpe_status mpe_program_load(const char *path, mpe_program *p, char *err, size_t errlen)
{
    uint8_t *buf;
    size_t len;
    mpe_program_init(p);
    mpe_status st = mpe_read_file(path, MPE_BIN_MAX_BYTES + 1, &buf, &len);
    if (st) {
        mpe_errf(err, errlen, MPE_ERR_FORMAT, "%s: cannot read (%s)", path,
                 st == MPE_ERR_RANGE ? "larger than any binary" : mpe_read_error(st));
        return st;
    }
    st = mpe_program_read(buf, len, p, err, errlen);
    free(buf);
    if (st)
        mpe_err_prefix(err, errlen, "%s: ", path);
    return st;
}
