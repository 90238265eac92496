/* A small builder for ONNX ModelProto / TensorProto files with protobuf-c
 * (the code generated from Debian's onnx.proto). Everything allocated for a
 * model lives in the builder's arena and is released by ob_free. */
#ifndef ONNXGEN_ONNXB_H
#define ONNXGEN_ONNXB_H

#include <stddef.h>
#include <stdint.h>

#include "onnx.pb-c.h"

enum { T_FLOAT = 1, T_UINT8 = 2, T_INT8 = 3, T_INT32 = 6, T_INT64 = 7, T_FLOAT16 = 10 };

typedef struct {
    void **mem;
    size_t nmem, capmem;
    Onnx__NodeProto **node;
    size_t nnode;
    Onnx__TensorProto **init;
    size_t ninit;
    Onnx__ValueInfoProto **in, **out;
    size_t nin, nout;
    const char *ext_path;  /* external data file for large initializers, or NULL */
    const char *ext_name;  /* its name relative to the model */
    uint64_t ext_off;
    void *ext_file;        /* FILE* */
    int nodes_named;
} ob;

void ob_init(ob *b);
void ob_free(ob *b);
void *ob_alloc(ob *b, size_t n); /* zeroed; aborts the generator on OOM */
char *ob_str(ob *b, const char *s);

/* A tensor (raw_data little endian). dims may be NULL for a scalar. */
Onnx__TensorProto *ob_tensor(ob *b, const char *name, int dtype, int ndim, const int64_t *dims,
                             const void *data);
/* Initializers (copied); large ones go to the external file when set. */
void ob_init_tensor(ob *b, const char *name, int dtype, int ndim, const int64_t *dims,
                    const void *data);
void ob_input(ob *b, const char *name, int dtype, int ndim, const int64_t *dims);
void ob_input_dyn(ob *b, const char *name, int dtype, int ndim, const int64_t *dims,
                  const char *dyn_dim0);
void ob_output(ob *b, const char *name, int dtype, int ndim, const int64_t *dims);

/* Nodes: inputs/outputs as NULL-terminated name lists ("" = omitted). */
Onnx__NodeProto *ob_node(ob *b, const char *op, const char *domain, const char *name,
                         const char *const *in, const char *const *out);
void ob_attr_i(ob *b, Onnx__NodeProto *n, const char *name, int64_t v);
void ob_attr_f(ob *b, Onnx__NodeProto *n, const char *name, float v);
void ob_attr_ints(ob *b, Onnx__NodeProto *n, const char *name, int cnt, const int64_t *v);
void ob_attr_s(ob *b, Onnx__NodeProto *n, const char *name, const char *v);

/* Serializes the model (opset 21 + com.microsoft 1) to path; 0 or -1. */
int ob_write_model(ob *b, const char *path);
/* Serializes one tensor to a .pb file. */
int ob_write_tensor(const char *path, const char *name, int dtype, int ndim, const int64_t *dims,
                    const void *data);
size_t ob_dtype_size(int dtype);

#endif
