/* Reference semantics (see ref.h). Plain loops on integers and host FP32/
 * double arithmetic with the default round-to-nearest-even mode. */
#include "ref.h"

#include <math.h>

#include "onnxb.h"

int32_t ref_sat(int64_t v, int dtype)
{
    int64_t lo = dtype == T_UINT8 ? 0 : dtype == T_INT8 ? -128 : INT32_MIN;
    int64_t hi = dtype == T_UINT8 ? 255 : dtype == T_INT8 ? 127 : INT32_MAX;
    return (int32_t)(v < lo ? lo : v > hi ? hi : v);
}

int32_t ref_quantize(float x, float scale, int32_t zp, int dtype)
{
    volatile float q = x / scale;
    if (isnan(q))
        return ref_sat(zp, dtype);
    if (isinf(q))
        return ref_sat(q > 0 ? INT64_MAX / 2 : -INT64_MAX / 2, dtype);
    double r = nearbyint((double)q);
    if (r > 4e18 || r < -4e18)
        return ref_sat(r > 0 ? INT64_MAX / 2 : -INT64_MAX / 2, dtype);
    return ref_sat((int64_t)r + zp, dtype);
}

float ref_dequantize(int32_t q, float scale, int32_t zp)
{
    volatile float d = (float)(q - zp);
    return d * scale;
}

float ref_multiplier(float a, float b, float c)
{
    volatile float ab = a * b;
    volatile float m = ab / c;
    return m;
}

int32_t ref_requant(int64_t acc, float m, int32_t zp, int dtype)
{
    double p = (double)acc * (double)m;
    return ref_sat((int64_t)nearbyint(p) + zp, dtype);
}

void ref_int_gemm(int M, int N, int K, const int32_t *a, int32_t za, const int32_t *w,
                  const int32_t *zw, int64_t *acc)
{
    for (int m = 0; m < M; m++)
        for (int n = 0; n < N; n++) {
            int64_t s = 0;
            for (int k = 0; k < K; k++)
                s += (int64_t)(a[m * K + k] - za) * (w[n * K + k] - zw[n]);
            acc[m * N + n] = s;
        }
}

void ref_int_conv(const ref_conv_geom *g, const int32_t *x, int32_t zx, const int32_t *w,
                  const int32_t *zw, int64_t *acc)
{
    for (int oc = 0; oc < g->OC; oc++)
        for (int oy = 0; oy < g->OH; oy++)
            for (int ox = 0; ox < g->OW; ox++) {
                int64_t s = 0;
                for (int c = 0; c < g->C; c++)
                    for (int i = 0; i < g->kh; i++)
                        for (int j = 0; j < g->kw; j++) {
                            int iy = oy * g->sh - g->pad + i, ix = ox * g->sw - g->pad + j;
                            if (iy < 0 || iy >= g->H || ix < 0 || ix >= g->W)
                                continue;
                            int32_t xv = x[(c * g->H + iy) * g->W + ix] - zx;
                            int32_t wv = w[((oc * g->C + c) * g->kh + i) * g->kw + j] - zw[oc];
                            s += (int64_t)xv * wv;
                        }
                acc[(oc * g->OH + oy) * g->OW + ox] = s;
            }
}
