/* ONNX TensorProto reading. */
#include "onnx_tensor.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PB_BYTES ((size_t)1 << 32)

static mpe_status fail(char *err, size_t errlen, mpe_status s, const char *msg)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", msg);
    return s;
}

mpe_status mpe_tensor_from_onnx(const Onnx__TensorProto *p, mpe_tensor *t,
                                char *err, size_t errlen)
{
    char msg[160];
    memset(t, 0, sizeof *t);
    if (p->n_dims > MPE_TENSOR_MAX_DIMS)
        return fail(err, errlen, MPE_ERR_UNSUPPORTED, "tensor has too many dimensions");
    if (p->has_data_location &&
        p->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
        return fail(err, errlen, MPE_ERR_UNSUPPORTED, "external tensor data is not supported");
    size_t es = mpe_ttype_size(p->data_type);
    if (!es) {
        snprintf(msg, sizeof msg, "unsupported tensor element type %d", (int)p->data_type);
        return fail(err, errlen, MPE_ERR_UNSUPPORTED, msg);
    }
    int64_t dims[MPE_TENSOR_MAX_DIMS];
    for (size_t i = 0; i < p->n_dims; i++)
        dims[i] = p->dims[i];
    /* the data must match the shape before the tensor is allocated */
    int64_t count = mpe_dims_count((int)p->n_dims, dims);
    if (count < 0)
        return fail(err, errlen, MPE_ERR_SHAPE, "bad tensor shape");
    size_t n = (size_t)count, have;
    if (p->has_raw_data && p->raw_data.len != n * es) {
        snprintf(msg, sizeof msg, "raw_data has %zu bytes, shape needs %zu",
                 p->raw_data.len, n * es);
        return fail(err, errlen, MPE_ERR_FORMAT, msg);
    }
    switch (p->data_type) {
    case MPE_T_FLOAT: have = p->n_float_data; break;
    case MPE_T_DOUBLE: have = p->n_double_data; break;
    case MPE_T_INT64: have = p->n_int64_data; break;
    case MPE_T_UINT32: case MPE_T_UINT64: have = p->n_uint64_data; break;
    default: have = p->n_int32_data; break;
    }
    if (!p->has_raw_data && have != n) {
        snprintf(msg, sizeof msg, "tensor holds %zu values, shape needs %zu", have, n);
        return fail(err, errlen, MPE_ERR_FORMAT, msg);
    }
    mpe_status s = mpe_tensor_alloc(t, p->data_type, (int)p->n_dims, dims);
    if (s != MPE_OK)
        return fail(err, errlen, s, s == MPE_ERR_NOMEM ? "out of memory" : "bad tensor shape");
    uint8_t *d = (uint8_t *)t->data;
    if (p->has_raw_data) {
        if (n)
            memcpy(d, p->raw_data.data, n * es);
        return MPE_OK;
    }
    for (size_t i = 0; i < n; i++) {
        switch (p->data_type) {
        case MPE_T_FLOAT: memcpy(d + 4 * i, &p->float_data[i], 4); break;
        case MPE_T_DOUBLE: memcpy(d + 8 * i, &p->double_data[i], 8); break;
        case MPE_T_INT64: memcpy(d + 8 * i, &p->int64_data[i], 8); break;
        case MPE_T_UINT64: memcpy(d + 8 * i, &p->uint64_data[i], 8); break;
        case MPE_T_UINT32: {
            uint32_t v = (uint32_t)p->uint64_data[i];
            memcpy(d + 4 * i, &v, 4);
            break;
        }
        case MPE_T_INT32: memcpy(d + 4 * i, &p->int32_data[i], 4); break;
        default: { /* 8- and 16-bit types are stored widened in int32_data */
            uint32_t v = (uint32_t)p->int32_data[i];
            memcpy(d + es * i, &v, es); /* little-endian host */
            break;
        }
        }
    }
    return MPE_OK;
}

mpe_status mpe_tensor_load_pb(const char *path, mpe_tensor *t, char *name,
                              size_t namelen, char *err, size_t errlen)
{
    uint8_t *buf;
    size_t len;
    char msg[512];
    memset(t, 0, sizeof *t);
    mpe_status s = mpe_read_file(path, MAX_PB_BYTES, &buf, &len);
    int e = errno;
    if (s == MPE_ERR_IO && e == ENOENT) {
        snprintf(msg, sizeof msg, "%s: file is missing", path);
        return fail(err, errlen, s, msg);
    }
    if (s != MPE_OK) {
        snprintf(msg, sizeof msg, "%s: cannot read (%s)", path,
                 s == MPE_ERR_IO ? strerror(e) : mpe_status_str(s));
        return fail(err, errlen, s, msg);
    }
    Onnx__TensorProto *p = onnx__tensor_proto__unpack(NULL, len, buf);
    free(buf);
    if (!p) {
        snprintf(msg, sizeof msg, "%s: not a valid ONNX TensorProto", path);
        return fail(err, errlen, MPE_ERR_FORMAT, msg);
    }
    if (name && namelen)
        snprintf(name, namelen, "%s", p->name ? p->name : "");
    char why[200];
    s = mpe_tensor_from_onnx(p, t, why, sizeof why);
    onnx__tensor_proto__free_unpacked(p, NULL);
    if (s != MPE_OK) {
        snprintf(msg, sizeof msg, "%s: %s", path, why);
        return fail(err, errlen, s, msg);
    }
    return MPE_OK;
}
