/* NumPy .npy reader and writer. The header is a Python dict literal with
 * exactly the keys 'descr', 'fortran_order' and 'shape'; a small recursive
 * descent parser reads it within the header's bounds. */
#include "mpe/err.h"
#include "mpe/le.h"
#include "mpe/npy.h"
#include "mpe/outfile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *descr;
    int dtype;
} npy_types[] = {
    {"<f4", MPE_T_FLOAT}, {"<f8", MPE_T_DOUBLE}, {"<f2", MPE_T_FLOAT16},
    {"|i1", MPE_T_INT8},  {"|u1", MPE_T_UINT8},  {"|b1", MPE_T_BOOL},
    {"<i2", MPE_T_INT16}, {"<u2", MPE_T_UINT16}, {"<i4", MPE_T_INT32},
    {"<u4", MPE_T_UINT32}, {"<i8", MPE_T_INT64}, {"<u8", MPE_T_UINT64},
};
#define NTYPES (sizeof npy_types / sizeof npy_types[0])

static const char npy_magic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

const char *mpe_npy_descr(int dtype)
{
    for (size_t i = 0; i < NTYPES; i++)
        if (npy_types[i].dtype == dtype)
            return npy_types[i].descr;
    return NULL;
}

/* Maps a descr string to a type; single-byte types may use any byte-order
 * character. Returns 0 and sets *why for unsupported ones. */
static int descr_type(const char *d, const char **why)
{
    if (strlen(d) == 3 && d[2] == '1' && (d[0] == '<' || d[0] == '>' || d[0] == '='))
        for (size_t i = 0; i < NTYPES; i++)
            if (npy_types[i].descr[1] == d[1] && npy_types[i].descr[2] == '1')
                return npy_types[i].dtype;
    for (size_t i = 0; i < NTYPES; i++)
        if (!strcmp(npy_types[i].descr, d))
            return npy_types[i].dtype;
    *why = d[0] == '>' ? "big-endian data is not supported" : "unsupported dtype";
    return 0;
}

/* ---- header dictionary parser ---------------------------------------- */

typedef struct {
    const char *p, *end;
    char descr[32];
    int fortran;
    int ndim;
    int64_t dims[MPE_TENSOR_MAX_DIMS];
    unsigned seen; /* 1 descr, 2 fortran_order, 4 shape */
    const char *msg;
} hdr;

static void skip_ws(hdr *h)
{
    while (h->p < h->end && (*h->p == ' ' || *h->p == '\t' || *h->p == '\n' ||
                             *h->p == '\r'))
        h->p++;
}

static int expect(hdr *h, char c)
{
    skip_ws(h);
    if (h->p < h->end && *h->p == c) {
        h->p++;
        return 0;
    }
    return -1;
}

/* A quoted string without escapes into out (truncated strings fail). */
static int parse_str(hdr *h, char *out, size_t cap)
{
    skip_ws(h);
    if (h->p >= h->end || (*h->p != '\'' && *h->p != '"'))
        return -1;
    char q = *h->p++;
    size_t n = 0;
    while (h->p < h->end && *h->p != q) {
        if (*h->p == '\\' || n + 1 >= cap)
            return -1;
        out[n++] = *h->p++;
    }
    if (h->p >= h->end)
        return -1;
    h->p++;
    out[n] = 0;
    return 0;
}

static int parse_bool(hdr *h, int *v)
{
    skip_ws(h);
    size_t left = (size_t)(h->end - h->p);
    if (left >= 4 && !memcmp(h->p, "True", 4)) {
        *v = 1;
        h->p += 4;
        return 0;
    }
    if (left >= 5 && !memcmp(h->p, "False", 5)) {
        *v = 0;
        h->p += 5;
        return 0;
    }
    return -1;
}

/* A non-negative integer below 2^62 (Python 2 files may append 'L'). */
static int parse_dim(hdr *h, int64_t *v)
{
    skip_ws(h);
    int64_t x = 0;
    const char *start = h->p;
    while (h->p < h->end && *h->p >= '0' && *h->p <= '9') {
        if (x > ((int64_t)1 << 58)) {
            h->msg = "shape dimension too large";
            return -1;
        }
        x = x * 10 + (*h->p++ - '0');
    }
    if (h->p == start)
        return -1;
    if (h->p < h->end && *h->p == 'L')
        h->p++;
    *v = x;
    return 0;
}

/* '(' [dim {',' dim} [',']] ')' */
static int parse_shape(hdr *h)
{
    if (expect(h, '('))
        return -1;
    h->ndim = 0;
    for (;;) {
        skip_ws(h);
        if (h->p < h->end && *h->p == ')') {
            h->p++;
            return 0;
        }
        if (h->ndim == MPE_TENSOR_MAX_DIMS) {
            h->msg = "too many dimensions (at most 8)";
            return -1;
        }
        if (parse_dim(h, &h->dims[h->ndim]))
            return -1;
        h->ndim++;
        skip_ws(h);
        if (h->p < h->end && *h->p == ',')
            h->p++;
        else if (h->p >= h->end || *h->p != ')')
            return -1;
    }
}

static int parse_entry(hdr *h)
{
    char key[32];
    if (parse_str(h, key, sizeof key) || expect(h, ':'))
        return -1;
    unsigned bit = !strcmp(key, "descr") ? 1 : !strcmp(key, "fortran_order") ? 2
                 : !strcmp(key, "shape") ? 4 : 0;
    if (!bit || (h->seen & bit)) {
        h->msg = bit ? "duplicate key in header" : "unexpected key in header";
        return -1;
    }
    h->seen |= bit;
    if (bit == 1) {
        if (parse_str(h, h->descr, sizeof h->descr)) {
            h->msg = "unsupported dtype (structured or unreadable 'descr')";
            return -1;
        }
        return 0;
    }
    return bit == 2 ? parse_bool(h, &h->fortran) : parse_shape(h);
}

static int parse_dict(hdr *h)
{
    if (expect(h, '{'))
        return -1;
    for (;;) {
        skip_ws(h);
        if (h->p < h->end && *h->p == '}')
            break;
        if (parse_entry(h))
            return -1;
        skip_ws(h);
        if (h->p < h->end && *h->p == ',')
            h->p++;
        else if (h->p >= h->end || *h->p != '}')
            return -1;
    }
    h->p++;
    skip_ws(h); /* padding */
    if (h->p != h->end)
        return -1;
    if (h->seen != 7) {
        h->msg = "header lacks 'descr', 'fortran_order' or 'shape'";
        return -1;
    }
    return 0;
}

/* ---- reader ------------------------------------------------------------ */

/* Locates the header text [*hs, *hs + *hl) after the magic and version. */
static mpe_status read_preamble(const uint8_t *buf, size_t len, size_t *hs,
                                size_t *hl, char *err, size_t errlen)
{
    if (len < 10 || memcmp(buf, npy_magic, 6))
        return mpe_errf(err, errlen, MPE_ERR_FORMAT, "not a .npy file (bad magic)");
    int major = buf[6], minor = buf[7];
    if ((major < 1 || major > 3) || minor != 0)
        return mpe_errf(err, errlen, MPE_ERR_FORMAT, "unsupported .npy version %d.%d", major,
                        minor);
    *hs = major == 1 ? 10 : 12;
    if (len < *hs)
        return mpe_errf(err, errlen, MPE_ERR_FORMAT, "truncated .npy header");
    *hl = (uint32_t)mpe_get_le(buf + 8, major == 1 ? 2 : 4);
    if (*hl > len - *hs)
        return mpe_errf(err, errlen, MPE_ERR_FORMAT,
                        "truncated .npy header (%zu header bytes announced, %zu present)", *hl,
                        len - *hs);
    return MPE_OK;
}

mpe_status mpe_npy_parse(const uint8_t *buf, size_t len, mpe_tensor *t,
                         char *err, size_t errlen)
{
    size_t hs = 0, hl = 0;
    memset(t, 0, sizeof *t);
    mpe_status s = read_preamble(buf, len, &hs, &hl, err, errlen);
    if (s != MPE_OK)
        return s;
    hdr h;
    memset(&h, 0, sizeof h);
    h.p = (const char *)buf + hs;
    h.end = h.p + hl;
    if (parse_dict(&h))
        return mpe_errf(err, errlen, MPE_ERR_FORMAT, "bad .npy header: %s",
                        h.msg ? h.msg : "not a valid header dictionary");
    const char *why = "";
    int dtype = descr_type(h.descr, &why);
    if (!dtype)
        return mpe_errf(err, errlen, MPE_ERR_UNSUPPORTED, "dtype '%s': %s", h.descr, why);
    if (h.fortran)
        return mpe_errf(err, errlen, MPE_ERR_UNSUPPORTED,
                        "fortran_order arrays are not supported (save in C order)");
    int64_t n = mpe_dims_count(h.ndim, h.dims);
    size_t es = mpe_ttype_size(dtype), have = len - hs - hl;
    if (n < 0)
        return mpe_errf(err, errlen, MPE_ERR_FORMAT, "shape too large");
    if ((uint64_t)n * es != have)
        return mpe_errf(err, errlen, MPE_ERR_FORMAT, "data has %zu bytes, the shape needs %llu",
                        have, (unsigned long long)((uint64_t)n * es));
    s = mpe_tensor_alloc(t, dtype, h.ndim, h.dims);
    if (s != MPE_OK)
        return mpe_errf(err, errlen, s, "cannot allocate the tensor");
    if (have)
        memcpy(t->data, buf + hs + hl, have);
    return MPE_OK;
}

mpe_status mpe_npy_load(const char *path, mpe_tensor *t, char *err, size_t errlen)
{
    uint8_t *buf;
    size_t len;
    memset(t, 0, sizeof *t);
    mpe_status s = mpe_read_file(path, MPE_NPY_MAX_BYTES, &buf, &len);
    if (s == MPE_ERR_IO)
        return mpe_errf(err, errlen, s, "%s: cannot read: %s", path, strerror(errno));
    if (s != MPE_OK)
        return mpe_errf(err, errlen, s, "%s: %s", path, mpe_status_str(s));
    char msg[MPE_ERR_LEN];
    s = mpe_npy_parse(buf, len, t, msg, sizeof msg);
    free(buf);
    if (s != MPE_OK)
        return mpe_errf(err, errlen, s, "%s: %s", path, msg);
    return MPE_OK;
}

/* ---- writer ------------------------------------------------------------ */

static int format_dict(const mpe_tensor *t, const char *descr, char *out, size_t cap)
{
    int n = snprintf(out, cap, "{'descr': '%s', 'fortran_order': False, 'shape': (",
                     descr);
    for (int i = 0; i < t->ndim && n > 0 && (size_t)n < cap; i++)
        n += snprintf(out + n, cap - (size_t)n, "%lld%s", (long long)t->dims[i],
                      t->ndim == 1 ? "," : i + 1 < t->ndim ? ", " : "");
    if (n > 0 && (size_t)n < cap)
        n += snprintf(out + n, cap - (size_t)n, "), }");
    return (n > 0 && (size_t)n < cap) ? n : -1;
}

mpe_status mpe_npy_encode(const mpe_tensor *t, uint8_t **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    const char *descr = mpe_npy_descr(t->dtype);
    if (!descr || t->ndim < 0 || t->ndim > MPE_TENSOR_MAX_DIMS)
        return MPE_ERR_UNSUPPORTED;
    char dict[400];
    int dl = format_dict(t, descr, dict, sizeof dict);
    if (dl < 0)
        return MPE_ERR_ARG;
    size_t pre = 10; /* version 1.0: the dictionary is far below 64 KiB */
    size_t total_hdr = (pre + (size_t)dl + 1 + 63) / 64 * 64;
    size_t hl = total_hdr - pre, data = t->count * mpe_ttype_size(t->dtype);
    uint8_t *b = malloc(total_hdr + data);
    if (!b)
        return MPE_ERR_NOMEM;
    memcpy(b, npy_magic, 6);
    b[6] = 1;
    b[7] = 0;
    mpe_put_le(b + 8, hl, 2);
    memcpy(b + pre, dict, (size_t)dl);
    memset(b + pre + dl, ' ', hl - (size_t)dl - 1);
    b[total_hdr - 1] = '\n';
    if (data)
        memcpy(b + total_hdr, t->data, data);
    *buf = b;
    *len = total_hdr + data;
    return MPE_OK;
}

mpe_status mpe_npy_save(const char *path, const mpe_tensor *t, char *err, size_t errlen)
{
    uint8_t *buf;
    size_t len;
    mpe_status s = mpe_npy_encode(t, &buf, &len);
    if (s != MPE_OK)
        return mpe_errf(err, errlen, s, "%s: cannot write %s tensors as .npy", path,
                        mpe_ttype_name(t->dtype));
    s = mpe_out_write_file(path, buf, len, err, errlen);
    free(buf);
    return s;
}
