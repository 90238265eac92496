/* Writing the .mpeb file of a compiled program without building the whole
 * image in memory (the weights of a large model would be held twice):
 * mpe_program_write serializes the program *without* its data records (code,
 * tensor descriptors, arch, meta: small), then the file is that image with a
 * DATA section (records {u64 addr, u64 len, bytes}, docs/isa.md section 6)
 * spliced in after CODE, streamed from the records, and the header's file
 * size, section count and CRC32 recomputed. The result is byte for byte what
 * mpe_program_write gives for the whole program (the compiler test checks
 * it); the format itself stays in cmodel/io/binary.c. */
#include "comp.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "mpe/binary.h"

typedef struct {
    FILE *f;
    uLong crc;
    uint64_t n; /* bytes written after the header */
    int err;
} sink;

/* s->f NULL: count and checksum only (the first of splice's two passes). */
static void put(sink *s, const void *p, size_t n)
{
    if (s->err || !n)
        return;
    const uint8_t *b = p;
    s->n += n;
    for (size_t left = n; left;) {
        uInt k = left > (1u << 30) ? (1u << 30) : (uInt)left;
        s->crc = crc32(s->crc, b, k);
        b += k;
        left -= k;
    }
    if (s->f && fwrite(p, 1, n, s->f) != n)
        s->err = 1;
}

static void le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

static uint64_t get_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static uint64_t data_bytes(const mpe_program *p)
{
    uint64_t n = 0;
    for (size_t i = 0; i < p->ndata; i++)
        n += 16 + p->data[i].len;
    return n;
}

/* Section table of the full file: the small image's sections with DATA
 * inserted after CODE. */
static int table(const uint8_t *img, size_t len, uint64_t dbytes, uint8_t *tab, int *nsec)
{
    int n = (int)get_le(img + 16, 4);
    if (n < 1 || n >= MPE_BIN_MAX_SECTIONS || len < MPE_BIN_HEADER_BYTES + 16u * n ||
        get_le(img + MPE_BIN_HEADER_BYTES, 4) != MPE_SEC_CODE)
        return -1;
    uint64_t off = MPE_BIN_HEADER_BYTES + 16u * (uint64_t)(n + 1);
    for (int i = 0, k = 0; i < n; i++, k++) {
        const uint8_t *e = img + MPE_BIN_HEADER_BYTES + 16 * i;
        uint64_t size = get_le(e + 8, 4);
        memset(tab + 16 * k, 0, 16);
        le(tab + 16 * k, get_le(e, 4), 4);
        le(tab + 16 * k + 4, off, 4);
        le(tab + 16 * k + 8, size, 4);
        off += size;
        if (i == 0) {
            k++;
            memset(tab + 16 * k, 0, 16);
            le(tab + 16 * k, MPE_SEC_DATA, 4);
            le(tab + 16 * k + 4, off, 4);
            le(tab + 16 * k + 8, dbytes, 4);
            off += dbytes;
        }
    }
    *nsec = n + 1;
    return off > MPE_BIN_MAX_BYTES ? -1 : 0;
}

static void stream_data(sink *s, const mpe_program *p)
{
    for (size_t i = 0; i < p->ndata; i++) {
        uint8_t h[16];
        le(h, p->data[i].addr, 8);
        le(h + 8, p->data[i].len, 8);
        put(s, h, 16);
        put(s, p->data[i].bytes, (size_t)p->data[i].len);
    }
}

/* Everything after the header: section table, CODE, DATA, the rest. */
static void body(sink *s, const mpe_program *p, const uint8_t *img, size_t len,
                 const uint8_t *tab, int n)
{
    const uint8_t *sec = img + MPE_BIN_HEADER_BYTES + 16 * (n - 1);
    uint64_t code = get_le(img + MPE_BIN_HEADER_BYTES + 8, 4);
    put(s, tab, 16u * (size_t)n);
    put(s, sec, (size_t)code);
    stream_data(s, p);
    put(s, sec + code, (size_t)(img + len - (sec + code)));
}

/* Writes the file from the small image in two passes, the first for the
 * header's size and CRC, so that nothing seeks (a pipe or a device works);
 * 0 or -1. */
static int splice(FILE *f, const mpe_program *p, const uint8_t *img, size_t len)
{
    uint8_t tab[16 * MPE_BIN_MAX_SECTIONS], hdr[MPE_BIN_HEADER_BYTES];
    int n;
    if (table(img, len, data_bytes(p), tab, &n))
        return -1;
    sink dry = {NULL, crc32(0L, Z_NULL, 0), 0, 0};
    body(&dry, p, img, len, tab, n);
    memcpy(hdr, img, MPE_BIN_HEADER_BYTES);
    le(hdr + 8, dry.crc, 4);
    le(hdr + 12, MPE_BIN_HEADER_BYTES + dry.n, 4);
    le(hdr + 16, (uint64_t)n, 4);
    if (fwrite(hdr, 1, sizeof hdr, f) != sizeof hdr)
        return -1;
    sink s = {f, crc32(0L, Z_NULL, 0), 0, 0};
    body(&s, p, img, len, tab, n);
    return s.err ? -1 : 0;
}

int comp_out_open(comp *c, mpe_outfile *o, const char *path)
{
    char err[600];
    if (mpe_out_open(o, path, err, sizeof err) != MPE_OK)
        return comp_err(c, "%s", err);
    return 0;
}

int comp_out_close(comp *c, mpe_outfile *o)
{
    char err[600];
    if (mpe_out_close(o, err, sizeof err) != MPE_OK)
        return comp_err(c, "%s", err);
    return 0;
}

int comp_write_mpeb(comp *c, const char *path)
{
    mpe_program small = *c->prog;
    small.data = NULL;
    small.ndata = 0;
    uint8_t *img;
    size_t len;
    char why[300];
    if (mpe_program_write(&small, &img, &len, why, sizeof why) != MPE_OK)
        return comp_err(c, "internal error: %s", why);
    mpe_outfile out;
    if (comp_out_open(c, &out, path)) {
        free(img);
        return -1;
    }
    int rc = 0;
    if (!c->prog->ndata) /* nothing to splice */
        rc = fwrite(img, 1, len, out.f) != len && !ferror(out.f);
    else
        rc = splice(out.f, c->prog, img, len) && !ferror(out.f);
    free(img);
    if (rc) { /* the layout, not the disk: a binary larger than the format allows */
        mpe_out_abort(&out);
        return comp_err(c, "%s: the binary would be larger than 2 GiB", path);
    }
    return comp_out_close(c, &out);
}
