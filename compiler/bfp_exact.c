/* Integer layers in bfp mode, as MXINT8 (OCP MX v1.0: int8 two's complement
 * elements worth code * 2^-6, one E8M0 scale per 32-element block), only
 * where the result is provably bit exact (docs/compiler.md "bfp on integer
 * layers").
 *
 * An int8 code q is the MXINT8 element with code q under the block scale
 * 2^6 (E8M0 code 133): its value is q exactly (checked here against the MX
 * definition, mpe_mx_dequant). The PE (docs/numerics.md 5.3) forms each
 * block's dot product D exactly and adds int_to_f32(D * 2^(-6-6+6+6)) = fp32(D)
 * to the FP32 accumulator, blocks in increasing k; the output stage adds the
 * FP32 bias, then (rq float) f32_mul(acc, M) and RNE. The integer path
 * (mac and the other integer modes) computes acc + bias exactly and
 * RNE(exact (acc + bias) * M). They agree when
 *  (1) every FP32 value on the way is an exact integer: each block sum and
 *      each partial sum of column n is at most 128 * S_n in magnitude, with
 *      S_n = sum_k |w(n,k) - zw(n)| (activation codes are in [-128, 127]),
 *      and the biased sum at most 128 * S_n + |bias_n|; integers up to 2^24
 *      are FP32 values and the FP32 sum of two of them with an exact sum
 *      within 2^24 is exact, so 128 * S_n + |bias_n| <= 2^24 suffices;
 *  (2) for integer outputs with rq float, RNE(fp32(v * M)) = RNE(v * M) for
 *      every v in [bias_n - 128 S_n, bias_n + 128 S_n] where the result is
 *      not saturated. Rounding to FP32 is monotone and every half-integer t
 *      with |t| < 2^22 is an FP32 value, so the two can only differ when
 *      fp32(v * M) is such a t and v * M is not; then |v * M - t| <= ulp(t).
 *      So only the v next to each t = j + 1/2 inside the output range need
 *      checking: mpe_out_f32_int_agree (outstage.c) does, with the output
 *      stage's own functions. Outside the range both saturate to the same
 *      bound (monotone again). Float outputs and rq none read the exact FP32
 *      integer the same way as the integer accumulator.
 * The activation zero point is in the bias (layer.c: bias - za * sum w),
 * as for the integer modes; uint8 activations have no exact MXINT8 code. */
#include "comp.h"

#include <stdlib.h>

#include "mpe/format.h"
#include "mpe/fp32.h"
#include "mpe/quant.h"

#define EXACT_MAX ((int64_t)1 << 24) /* integers of magnitude <= 2^24 are FP32 values */
#define A_MAX 128                   /* largest |int8 code| */

uint8_t bfp_scale_code(void)
{
    return (uint8_t)mpe_fp_from_float(MPE_FMT_E8M0, 64.0f, 0, MPE_RNE, 1, NULL);
}

/* Every int8 code q is the MXINT8 element of value q under bfp_scale_code(). */
static int codes_exact(char *why, size_t len)
{
    mpe_dtype e = mpe_dt_bfpint(8);
    uint8_t s = bfp_scale_code();
    for (int q = -128; q < 128; q++) {
        if (mpe_mx_dequant(e, (uint16_t)(q & 0xFF), s) != mpe_f32_bits((float)q)) {
            snprintf(why, len, "internal: MXINT8 code %d under scale code %u is not %d", q, s, q);
            return -1;
        }
    }
    return 0;
}

/* Output value of a code (integer output formats). */
static int64_t out_value(const mpe_outcfg *o, uint32_t code)
{
    int64_t qmin, qmax;
    mpe_out_range(o->out, &qmin, &qmax);
    return qmin < 0 ? mpe_sext(code, (unsigned)mpe_out_bits(o->out)) : (int64_t)code;
}

/* Condition (2) for column n over v in [vlo, vhi] (mpe_out_f32_int_agree). */
static int rq_exact(const ir_layer *L, int64_t n, int64_t vlo, int64_t vhi, char *why,
                    size_t len)
{
    mpe_outcfg o = mpe_outcfg_default(L->rq, L->out);
    o.lo = L->lo;
    o.hi = L->hi;
    o.zp = L->yq.zp;
    o.relu = (uint8_t)L->relu;
    o.mult = L->mult[n];
    int64_t v = 0;
    int r = mpe_out_f32_int_agree(&o, vlo, vhi, &v);
    if (r > 0)
        return 0;
    if (r < 0)
        snprintf(why, len, "not provably exact: output column %lld (multiplier %.9g) cannot be "
                 "checked over [%lld, %lld]", (long long)n, (double)mpe_f32_from_bits(o.mult),
                 (long long)vlo, (long long)vhi);
    else
        snprintf(why, len, "not provably exact: output column %lld: the FP32 output stage rounds "
                 "acc * M twice (acc + bias = %lld, M = %.9g gives %lld, the integer path %lld)",
                 (long long)n, (long long)v, (double)mpe_f32_from_bits(o.mult),
                 (long long)out_value(&o, mpe_out_from_f32(&o, mpe_f32_from_int(v, 0))),
                 (long long)out_value(&o, mpe_out_from_int(&o, v)));
    return -1;
}

/* Conditions (1) and (2) for every output column. */
static int layer_exact(comp *c, const ir_layer *L, char *why, size_t len)
{
    for (int64_t n = 0; n < L->N; n++) {
        int64_t s = 0;
        for (int64_t k = 0; k < L->K; k++) {
            int32_t w = ir_wget(c, L, n, k);
            s += w < 0 ? -(int64_t)w : w;
        }
        int64_t bias = L->has_bias && L->bias ? L->bias[n] : 0;
        int64_t reach = A_MAX * s, ab = bias < 0 ? -bias : bias;
        if (reach + ab > EXACT_MAX) {
            snprintf(why, len, "not provably exact: output column %lld has 128 * sum|w - zw| "
                     "+ |bias| = %lld > 2^24 = %lld, so its FP32 block sums may round",
                     (long long)n, (long long)(reach + ab), (long long)EXACT_MAX);
            return -1;
        }
        if (rq_exact(L, n, bias - reach, bias + reach, why, len))
            return -1;
    }
    return 0;
}

int bfp_cfg(comp *c, const ir_layer *L, mpe_pe_cfg *cfg, char *why, size_t len)
{
    const ir_prec *p = &L->prec;
    if (L->aq.dtype != MPE_T_INT8) {
        snprintf(why, len, "activations are uint8 (zero point %d); MXINT8 elements are int8 "
                 "codes, so only int8 activations map to them exactly", L->aq.zp);
        return -1;
    }
    if (p->ibits > 8) {
        snprintf(why, len, "weights need int%d ([%d, %d]); MXINT8 elements hold int8", p->ibits,
                 p->lo, p->hi);
        return -1;
    }
    cfg->a = mpe_dt_bfpint(8);
    cfg->w = mpe_dt_bfpint(8);
    cfg->group = BFP_BLOCK;
    cfg->scale_fmt = MPE_FMT_E8M0;
    if (codes_exact(why, len))
        return -1;
    return layer_exact(c, L, why, len);
}

int bfp_fbias(comp *c, ir_layer *L)
{
    free(L->fbias);
    L->fbias = calloc((size_t)L->N, 4);
    if (!L->fbias)
        return comp_err(c, "out of memory");
    for (int64_t n = 0; n < L->N; n++) /* exact: |bias| <= 2^24 (layer_exact) */
        L->fbias[n] = mpe_f32_bits(L->bias ? (float)L->bias[n] : 0.0f);
    return 0;
}
