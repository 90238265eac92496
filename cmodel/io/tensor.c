/* Plain host tensors and whole-file reading. */
#include "mpe/tensor.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpe/format.h"

size_t mpe_ttype_size(int dtype)
{
    switch (dtype) {
    case MPE_T_UINT8: case MPE_T_INT8: case MPE_T_BOOL: return 1;
    case MPE_T_UINT16: case MPE_T_INT16: case MPE_T_FLOAT16: case MPE_T_BFLOAT16: return 2;
    case MPE_T_FLOAT: case MPE_T_INT32: case MPE_T_UINT32: return 4;
    case MPE_T_INT64: case MPE_T_UINT64: case MPE_T_DOUBLE: return 8;
    default: return 0;
    }
}

const char *mpe_ttype_name(int dtype)
{
    switch (dtype) {
    case MPE_T_FLOAT: return "float32";
    case MPE_T_UINT8: return "uint8";
    case MPE_T_INT8: return "int8";
    case MPE_T_UINT16: return "uint16";
    case MPE_T_INT16: return "int16";
    case MPE_T_INT32: return "int32";
    case MPE_T_INT64: return "int64";
    case MPE_T_BOOL: return "bool";
    case MPE_T_FLOAT16: return "float16";
    case MPE_T_DOUBLE: return "float64";
    case MPE_T_UINT32: return "uint32";
    case MPE_T_UINT64: return "uint64";
    case MPE_T_BFLOAT16: return "bfloat16";
    default: return "unknown";
    }
}

int64_t mpe_dims_count(int ndim, const int64_t *dims)
{
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (dims[i] < 0 || (dims[i] && n > ((int64_t)1 << 48) / dims[i]))
            return -1;
        n *= dims[i];
    }
    return n;
}

mpe_status mpe_tensor_alloc(mpe_tensor *t, int dtype, int ndim, const int64_t *dims)
{
    memset(t, 0, sizeof *t);
    size_t es = mpe_ttype_size(dtype);
    if (!es || ndim < 0 || ndim > MPE_TENSOR_MAX_DIMS)
        return MPE_ERR_ARG;
    int64_t n = mpe_dims_count(ndim, dims);
    if (n < 0)
        return MPE_ERR_SHAPE;
    t->dtype = dtype;
    t->ndim = ndim;
    for (int i = 0; i < ndim; i++)
        t->dims[i] = dims[i];
    t->count = (size_t)n;
    t->data = calloc(n ? (size_t)n : 1, es);
    return t->data ? MPE_OK : MPE_ERR_NOMEM;
}

void mpe_tensor_free(mpe_tensor *t)
{
    free(t->data);
    t->data = NULL;
    t->count = 0;
}

double mpe_tensor_get_f64(const mpe_tensor *t, size_t i)
{
    const uint8_t *p = (const uint8_t *)t->data;
    switch (t->dtype) {
    case MPE_T_FLOAT: { float v; memcpy(&v, p + 4 * i, 4); return v; }
    case MPE_T_DOUBLE: { double v; memcpy(&v, p + 8 * i, 8); return v; }
    case MPE_T_FLOAT16: { uint16_t v; memcpy(&v, p + 2 * i, 2); return mpe_fp_decode(MPE_FMT_FP16, v); }
    case MPE_T_BFLOAT16: { uint16_t v; memcpy(&v, p + 2 * i, 2); return mpe_fp_decode(MPE_FMT_BF16, v); }
    default: return (double)mpe_tensor_get_i64(t, i);
    }
}

int64_t mpe_tensor_get_i64(const mpe_tensor *t, size_t i)
{
    const uint8_t *p = (const uint8_t *)t->data;
    switch (t->dtype) {
    case MPE_T_UINT8: case MPE_T_BOOL: return p[i];
    case MPE_T_INT8: return (int8_t)p[i];
    case MPE_T_UINT16: { uint16_t v; memcpy(&v, p + 2 * i, 2); return v; }
    case MPE_T_INT16: { int16_t v; memcpy(&v, p + 2 * i, 2); return v; }
    case MPE_T_INT32: { int32_t v; memcpy(&v, p + 4 * i, 4); return v; }
    case MPE_T_UINT32: { uint32_t v; memcpy(&v, p + 4 * i, 4); return v; }
    case MPE_T_INT64: { int64_t v; memcpy(&v, p + 8 * i, 8); return v; }
    case MPE_T_UINT64: { uint64_t v; memcpy(&v, p + 8 * i, 8); return (int64_t)v; }
    default: return (int64_t)mpe_tensor_get_f64(t, i);
    }
}

const char *mpe_read_error(mpe_status st)
{
    if (st == MPE_ERR_IO)
        return strerror(errno ? errno : EIO);
    return st == MPE_ERR_RANGE ? "file too large" : mpe_status_str(st);
}

mpe_status mpe_read_file(const char *path, size_t limit, uint8_t **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return MPE_ERR_IO;
    size_t cap = 1 << 16, n = 0;
    uint8_t *b = malloc(cap);
    if (!b) {
        fclose(f);
        return MPE_ERR_NOMEM;
    }
    for (;;) {
        if (n == cap) {
            if (cap >= limit) {
                free(b);
                fclose(f);
                return MPE_ERR_RANGE;
            }
            cap *= 2;
            uint8_t *nb = realloc(b, cap);
            if (!nb) {
                free(b);
                fclose(f);
                return MPE_ERR_NOMEM;
            }
            b = nb;
        }
        size_t r = fread(b + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    int err = ferror(f), e = errno;
    fclose(f);
    if (err || n > limit) {
        free(b);
        errno = e ? e : EIO;
        return err ? MPE_ERR_IO : MPE_ERR_RANGE;
    }
    *buf = b;
    *len = n;
    return MPE_OK;
}
