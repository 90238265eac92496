/* NumPy .npy files <-> mpe_tensor.
 * Format versions 1.0, 2.0 and 3.0; C order only; little-endian dtypes
 * '<f4' '<f8' '<f2' '|i1' '|u1' '|b1' '<i2' '<u2' '<i4' '<u4' '<i8' '<u8'.
 * The reader checks everything (magic, version, header length, the header
 * dictionary, dtype, shape, data length) and reports a one-line reason;
 * it never reads outside the buffer. */
#ifndef MPE_NPY_H
#define MPE_NPY_H

#include <stddef.h>
#include <stdint.h>
#include "mpe/status.h"
#include "mpe/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest .npy file mpe_npy_load reads. */
#define MPE_NPY_MAX_BYTES ((size_t)1 << 34)

/* Parses a whole .npy image into *t (allocated; free with mpe_tensor_free). */
mpe_status mpe_npy_parse(const uint8_t *buf, size_t len, mpe_tensor *t,
                         char *err, size_t errlen);
mpe_status mpe_npy_load(const char *path, mpe_tensor *t, char *err,
                        size_t errlen);

/* The .npy dtype string of a tensor element type ("<f4"), NULL if none. */
const char *mpe_npy_descr(int dtype);
/* Serializes a tensor as version 1.0 with the header padded so that the
 * data starts at a multiple of 64 (as numpy writes it). *buf is malloc'ed. */
mpe_status mpe_npy_encode(const mpe_tensor *t, uint8_t **buf, size_t *len);
mpe_status mpe_npy_save(const char *path, const mpe_tensor *t, char *err,
                        size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
