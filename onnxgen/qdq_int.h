/* Internal interface of the QDQ model builder (qdq.c, qdq_layer.c). */
#ifndef ONNXGEN_QDQ_INT_H
#define ONNXGEN_QDQ_INT_H

#include <stdint.h>

#include "gen.h"
#include "onnxb.h"

#define MAXSETS 4

typedef struct {
    int rank;
    int64_t dims[4];
    int32_t *q[MAXSETS]; /* codes, ONNX element order */
    float *f[MAXSETS];   /* float values (MatMulNBits output) */
    float s;
    int32_t z;
    int type;            /* T_INT8 / T_UINT8, or T_FLOAT for f */
    char name[64];       /* ONNX name of the codes (or floats) */
} gstate;

typedef struct {
    ob *b;
    const gm_spec *s;
    uint64_t rng;
    gstate st;
    int li;
    float *xin[MAXSETS]; /* the float model inputs */
    gstate side;         /* gm_spec.side_out: that layer's output (codes) */
} gctx;

int64_t numel(int rank, const int64_t *d);
void *xcalloc(size_t n, size_t e);
void calibrate(const double *v, int64_t n, int type, int qflags, float *s, int32_t *z);
float pow2_up(float s); /* the smallest power of two >= s (s > 0) */
void scalar_init(gctx *g, const char *name, int dtype, const void *v);
void zp_init(gctx *g, const char *name, int type, int32_t z);
void gen_input(gctx *g);
void gen_weights(gctx *g, const gl_spec *l, int N, int K, int32_t *w, int32_t *zw);
void lname(char *buf, size_t n, int li, const char *what);
void emit_weights(gctx *g, const gl_spec *l, int N, int K, int C, const int32_t *w,
                  const int32_t *zw, const float *sw);
void gen_bias(gctx *g, const gl_spec *l, int N, const float *sw, int32_t *bias,
              char *out_name);
int gen_nbits(gctx *g, const gl_spec *l, const char *out);
void act_dq(gctx *g, char *out);

#endif
