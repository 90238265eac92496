/* ONNX TensorProto <-> mpe_tensor, read with protobuf-c from the code
 * generated out of Debian's onnx.proto. */
#ifndef MPE_ONNX_TENSOR_H
#define MPE_ONNX_TENSOR_H

#include <stddef.h>
#include "mpe/tensor.h"
#include "onnx.pb-c.h"

/* Converts a parsed TensorProto (raw_data or typed fields) to a tensor.
 * On error returns non-OK and writes a one-line reason into err. */
mpe_status mpe_tensor_from_onnx(const Onnx__TensorProto *p, mpe_tensor *t,
                                char *err, size_t errlen);
/* Reads a serialized TensorProto file (the .pb files of an ONNX test_data_set directory). */
mpe_status mpe_tensor_load_pb(const char *path, mpe_tensor *t, char *name,
                              size_t namelen, char *err, size_t errlen);

#endif
