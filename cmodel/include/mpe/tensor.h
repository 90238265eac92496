/* A plain host tensor: element type, shape, contiguous little-endian data.
 * Shared by the .npy reader/writer, the ONNX reader and the tools. Element
 * type numbers are ONNX's TensorProto.DataType values. */
#ifndef MPE_TENSOR_H
#define MPE_TENSOR_H

#include <stddef.h>
#include <stdint.h>
#include "mpe/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MPE_TENSOR_MAX_DIMS 8

typedef enum {
    MPE_T_UNDEFINED = 0,
    MPE_T_FLOAT = 1,
    MPE_T_UINT8 = 2,
    MPE_T_INT8 = 3,
    MPE_T_UINT16 = 4,
    MPE_T_INT16 = 5,
    MPE_T_INT32 = 6,
    MPE_T_INT64 = 7,
    MPE_T_BOOL = 9,
    MPE_T_FLOAT16 = 10,
    MPE_T_DOUBLE = 11,
    MPE_T_UINT32 = 12,
    MPE_T_UINT64 = 13,
    MPE_T_BFLOAT16 = 16
} mpe_ttype;

typedef struct {
    int dtype; /* mpe_ttype */
    int ndim;
    int64_t dims[MPE_TENSOR_MAX_DIMS];
    size_t count; /* product of dims (1 for a scalar) */
    void *data;   /* count * element size bytes, malloc'ed */
} mpe_tensor;

/* Bytes per element, 0 for an unsupported type. */
size_t mpe_ttype_size(int dtype);
const char *mpe_ttype_name(int dtype);
/* Allocates a zeroed tensor; returns MPE_ERR_ARG/SHAPE/NOMEM on failure. */
mpe_status mpe_tensor_alloc(mpe_tensor *t, int dtype, int ndim, const int64_t *dims);
void mpe_tensor_free(mpe_tensor *t);
/* Element i converted to double / int64 (for tests and comparisons). */
double mpe_tensor_get_f64(const mpe_tensor *t, size_t i);
int64_t mpe_tensor_get_i64(const mpe_tensor *t, size_t i);
/* Product of dims with overflow check; -1 when it does not fit in 2^48. */
int64_t mpe_dims_count(int ndim, const int64_t *dims);

/* Reads a whole file (limit bytes at most); *buf is malloc'ed. On MPE_ERR_IO
 * errno says why. */
mpe_status mpe_read_file(const char *path, size_t limit, uint8_t **buf, size_t *len);
/* Why mpe_read_file failed, for "PATH: cannot read (reason)": strerror(errno)
 * for MPE_ERR_IO (call it right after), "file too large" for MPE_ERR_RANGE. */
const char *mpe_read_error(mpe_status st);

#ifdef __cplusplus
}
#endif
#endif
