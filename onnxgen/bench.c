/* The compile-time benchmark model: `layers` chained MatMulNBits layers of
 * dim x dim 4-bit weights (block 32, packed zero points), each followed by
 * QuantizeLinear -> DequantizeLinear; float input and output. With
 * `external`, the initializers go to model.onnx.data (ONNX external data).
 * No test data: the benchmark measures the compiler only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "onnxb.h"

#define BS 32

static void q_dq(ob *b, int i, const char *in, char *out)
{
    char q[64], s[64], z[64];
    float sc = 0.05f;
    int8_t zp = 0;
    snprintf(s, sizeof s, "act%d_s", i);
    snprintf(z, sizeof z, "act%d_z", i);
    snprintf(q, sizeof q, "act%d_q", i);
    snprintf(out, 64, "act%d_dq", i);
    ob_init_tensor(b, s, T_FLOAT, 0, NULL, &sc);
    ob_init_tensor(b, z, T_INT8, 0, NULL, &zp);
    ob_node(b, "QuantizeLinear", "", q, (const char *[]){in, s, z, NULL}, (const char *[]){q, NULL});
    ob_node(b, "DequantizeLinear", "", out, (const char *[]){q, s, z, NULL},
            (const char *[]){out, NULL});
}

static void layer(ob *b, int i, int dim, uint64_t *rng, const char *in, const char *out)
{
    int kb = dim / BS, blob = BS / 2;
    size_t nB = (size_t)dim * kb * blob, nz = (size_t)dim * ((kb * 4 + 7) / 8);
    uint8_t *B = malloc(nB), *Z = malloc(nz);
    float *S = malloc((size_t)dim * kb * sizeof(float));
    if (!B || !Z || !S) {
        fprintf(stderr, "mpe-gen-onnx: out of memory\n");
        exit(1);
    }
    for (size_t k = 0; k < nB; k += 8) {
        uint64_t r = gen_rand(rng);
        memcpy(B + k, &r, nB - k < 8 ? nB - k : 8);
    }
    for (size_t k = 0; k < nz; k++)
        Z[k] = (uint8_t)gen_rand(rng);
    for (size_t k = 0; k < (size_t)dim * kb; k++)
        S[k] = (float)gen_rand_int(rng, 1024, 2047) * (1.0f / 262144.0f);
    char bn[64], sn[64], zn[64];
    snprintf(bn, sizeof bn, "L%d_B", i);
    snprintf(sn, sizeof sn, "L%d_scales", i);
    snprintf(zn, sizeof zn, "L%d_zero_points", i);
    ob_init_tensor(b, bn, T_UINT8, 3, (int64_t[]){dim, kb, blob}, B);
    ob_init_tensor(b, sn, T_FLOAT, 2, (int64_t[]){dim, kb}, S);
    ob_init_tensor(b, zn, T_UINT8, 2, (int64_t[]){dim, (kb * 4 + 7) / 8}, Z);
    Onnx__NodeProto *n = ob_node(b, "MatMulNBits", "com.microsoft", out,
                                 (const char *[]){in, bn, sn, zn, NULL}, (const char *[]){out, NULL});
    ob_attr_i(b, n, "K", dim);
    ob_attr_i(b, n, "N", dim);
    ob_attr_i(b, n, "bits", 4);
    ob_attr_i(b, n, "block_size", BS);
    free(B);
    free(Z);
    free(S);
}

int gen_bench(const char *dir, int layers, int dim, int external)
{
    if (dim < BS || dim % BS || layers < 1)
        return fprintf(stderr, "mpe-gen-onnx: bench needs dim a multiple of %d\n", BS), -1;
    if (gen_mkdir(dir))
        return -1;
    ob b;
    ob_init(&b);
    char ext[1024], path[1024], cur[64], next[64];
    if (external) {
        snprintf(ext, sizeof ext, "%s/model.onnx.data", dir);
        b.ext_path = ext;
        b.ext_name = "model.onnx.data";
    }
    uint64_t rng = 401;
    ob_input(&b, "x", T_FLOAT, 2, (int64_t[]){1, dim});
    snprintf(cur, sizeof cur, "x");
    for (int i = 0; i < layers; i++) {
        char dq[64];
        q_dq(&b, i, cur, dq);
        snprintf(next, sizeof next, i == layers - 1 ? "y" : "L%d_out", i);
        layer(&b, i, dim, &rng, dq, next);
        snprintf(cur, sizeof cur, "%s", next);
    }
    ob_output(&b, "y", T_FLOAT, 2, (int64_t[]){1, dim});
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    int rc = ob_write_model(&b, path);
    ob_free(&b);
    return rc;
}
