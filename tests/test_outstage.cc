// Output stage (docs/numerics.md section 6): gemmlowp primitives against
// hand-computed answers and exact references, TFLite multiplier conversion,
// ONNX float requantization, activation, every output format, specials.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>

extern "C" {
#include "mpe/fp32.h"
#include "mpe/outstage.h"
}

namespace {

uint32_t fbits(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }
float ffrom(uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }

// ---- independent references -------------------------------------------------

// floor(p / 2^k) for any sign, by division and correction (no shifts of negatives).
__int128 floor_div_pow2(__int128 p, int k) {
    __int128 d = (__int128)1 << k;
    __int128 q = p / d;
    if (p % d != 0 && p < 0) q -= 1;
    return q;
}

// SRDHM: a*b/2^31 rounded half toward +inf (gemmlowp's nudge and truncating
// division work out to floor((a*b + 2^30) / 2^31)), saturating the one overflow.
int32_t ref_srdhm(int32_t a, int32_t b) {
    if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
    __int128 ab = (__int128)a * b;
    return (int32_t)floor_div_pow2(ab + ((__int128)1 << 30), 31);
}

// The literal gemmlowp definition, evaluated in 128 bits.
int32_t ref_srdhm_nudge(int32_t a, int32_t b) {
    if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
    __int128 ab = (__int128)a * b;
    __int128 nudge = ab >= 0 ? ((__int128)1 << 30) : 1 - ((__int128)1 << 30);
    __int128 s = ab + nudge;
    __int128 mag = s < 0 ? -s : s;
    __int128 q = mag / ((__int128)1 << 31); // truncation toward zero
    return (int32_t)(s < 0 ? -q : q);
}

// x / 2^e as an exact rational, rounded to nearest, ties away from zero.
int32_t ref_rdbpot(int32_t x, int e) {
    if (e == 0) return x;
    int64_t mag = x < 0 ? -(int64_t)x : x;
    int64_t den = (int64_t)1 << e;
    int64_t q = mag / den, r = mag - q * den;
    if (2 * r >= den) q++;
    return (int32_t)(x < 0 ? -q : q);
}

// RNE of v * mant * 2^exp, exact, by division with remainder.
__int128 ref_rne_scaled(int64_t v, uint32_t mant, int exp) {
    __int128 p = (__int128)v * mant;
    if (exp >= 0) return p * ((__int128)1 << exp);
    if (-exp > 120) return 0;
    __int128 q = floor_div_pow2(p, -exp);
    __int128 r = p - q * ((__int128)1 << -exp); // 0 <= r < 2^-exp
    __int128 half = (__int128)1 << (-exp - 1);
    if (r > half || (r == half && (q & 1))) q += 1;
    return q;
}

int64_t sat(__int128 v, int64_t lo, int64_t hi) {
    return v < lo ? lo : (v > hi ? hi : (int64_t)v);
}

// ---- SRDHM ------------------------------------------------------------------

TEST(Requant, SrdhmKnownAnswers) {
    const int32_t P30 = 1 << 30;
    EXPECT_EQ(mpe_srdhm(INT32_MIN, INT32_MIN), INT32_MAX);           // the overflow
    EXPECT_EQ(mpe_srdhm(INT32_MAX, INT32_MAX), 2147483646);         // 2^31 - 2 + frac < 1
    EXPECT_EQ(mpe_srdhm(INT32_MIN, INT32_MAX), -2147483647);        // -(2^31-1) - 0.4999..
    EXPECT_EQ(mpe_srdhm(INT32_MAX, INT32_MIN), -2147483647);
    EXPECT_EQ(mpe_srdhm(P30, P30), 1 << 29);                        // 0.5 * 0.5 in Q31
    EXPECT_EQ(mpe_srdhm(INT32_MIN, P30), -P30);                     // -1 * 0.5
    EXPECT_EQ(mpe_srdhm(0, INT32_MIN), 0);
    EXPECT_EQ(mpe_srdhm(1, 1), 0);
    EXPECT_EQ(mpe_srdhm(-1, 1), 0);
    // Ties (a*b = (2k+1) * 2^30) go toward +inf: 0.5 -> 1, -0.5 -> 0,
    // 1.5 -> 2, -1.5 -> -1, 2.5 -> 3, -2.5 -> -2.
    EXPECT_EQ(mpe_srdhm(1 << 15, 1 << 15), 1);
    EXPECT_EQ(mpe_srdhm(-(1 << 15), 1 << 15), 0);
    EXPECT_EQ(mpe_srdhm(3, P30), 2);
    EXPECT_EQ(mpe_srdhm(-3, P30), -1);
    EXPECT_EQ(mpe_srdhm(5, P30), 3);
    EXPECT_EQ(mpe_srdhm(-5, P30), -2);
    // Just off the tie: rounds to nearest.
    EXPECT_EQ(mpe_srdhm(3, P30 + 1), 2);
    EXPECT_EQ(mpe_srdhm(-3, P30 + 1), -2);
    EXPECT_EQ(mpe_srdhm(-3, P30 - 1), -1);
}

TEST(Requant, SrdhmMatches128BitReference) {
    const uint32_t seed = 20240601u;
    std::mt19937 rng(seed);
    const int32_t edges[] = {INT32_MIN, INT32_MIN + 1, -(1 << 30) - 1, -(1 << 30),
                             -(1 << 30) + 1, -65536, -3, -2, -1, 0, 1, 2, 3, 65535,
                             (1 << 30) - 1, 1 << 30, (1 << 30) + 1, INT32_MAX - 1,
                             INT32_MAX};
    for (int32_t a : edges)
        for (int32_t b : edges) {
            ASSERT_EQ(mpe_srdhm(a, b), ref_srdhm(a, b)) << a << " " << b;
            ASSERT_EQ(mpe_srdhm(a, b), ref_srdhm_nudge(a, b)) << a << " " << b;
        }
    for (int i = 0; i < 2000000; i++) {
        int32_t a = (int32_t)rng(), b = (int32_t)rng();
        if (i % 4 == 1) b = (int32_t)((rng() % (1u << 30)) + (1u << 30)); // M0 range
        if (i % 4 == 2) a /= (1 << (rng() % 31));                           // small a
        if (i % 8 == 3) { // force exact ties: a*b = odd * 2^30
            a = (int32_t)(rng() | 1) / (1 << (rng() % 16));
            b = (1 << 30) / (1 << (rng() % 16));
            if (rng() & 1) b = -b;
        }
        ASSERT_EQ(mpe_srdhm(a, b), ref_srdhm(a, b)) << a << " " << b << " seed " << seed;
        ASSERT_EQ(mpe_srdhm(a, b), ref_srdhm_nudge(a, b)) << a << " " << b << " seed " << seed;
    }
}

// ---- RDBPOT -----------------------------------------------------------------

TEST(Requant, RdbpotKnownAnswers) {
    EXPECT_EQ(mpe_rdbpot(-3, 1), -2);
    EXPECT_EQ(mpe_rdbpot(5, 1), 3);
    EXPECT_EQ(mpe_rdbpot(-5, 1), -3);
    EXPECT_EQ(mpe_rdbpot(3, 1), 2);
    EXPECT_EQ(mpe_rdbpot(1, 1), 1);
    EXPECT_EQ(mpe_rdbpot(-1, 1), -1);
    EXPECT_EQ(mpe_rdbpot(-4, 1), -2);
    EXPECT_EQ(mpe_rdbpot(6, 2), 2);   // 1.5
    EXPECT_EQ(mpe_rdbpot(-6, 2), -2);
    EXPECT_EQ(mpe_rdbpot(7, 2), 2);   // 1.75
    EXPECT_EQ(mpe_rdbpot(-7, 2), -2);
    EXPECT_EQ(mpe_rdbpot(5, 2), 1);   // 1.25
    EXPECT_EQ(mpe_rdbpot(-5, 2), -1);
    EXPECT_EQ(mpe_rdbpot(12345, 0), 12345);
    EXPECT_EQ(mpe_rdbpot(INT32_MIN, 31), -1);
    EXPECT_EQ(mpe_rdbpot(INT32_MAX, 31), 1);          // 0.99999...
    EXPECT_EQ(mpe_rdbpot(1 << 30, 31), 1);            // 0.5
    EXPECT_EQ(mpe_rdbpot(-(1 << 30), 31), -1);        // -0.5
    EXPECT_EQ(mpe_rdbpot((1 << 30) - 1, 31), 0);
    EXPECT_EQ(mpe_rdbpot(-(1 << 30) + 1, 31), 0);
    EXPECT_EQ(mpe_rdbpot(INT32_MIN, 1), -(1 << 30));
    EXPECT_EQ(mpe_rdbpot(INT32_MAX, 1), 1 << 30);     // 2^30 - 0.5 -> 2^30
}

TEST(Requant, RdbpotExhaustiveSmallAndRandom) {
    for (int e = 0; e <= 31; e++)
        for (int32_t x = -140000; x <= 140000; x++)
            ASSERT_EQ(mpe_rdbpot(x, e), ref_rdbpot(x, e)) << x << " >> " << e;
    const uint32_t seed = 777u;
    std::mt19937 rng(seed);
    for (int i = 0; i < 2000000; i++) {
        int32_t x = (int32_t)rng();
        int e = (int)(rng() % 32);
        if (i % 3 == 0) { // ties: x = (2k+1) * 2^(e-1)
            e = 1 + (int)(rng() % 31);
            int64_t k = (int64_t)(int32_t)rng() / ((int64_t)1 << e);
            int64_t t = (2 * k + 1) * ((int64_t)1 << (e - 1));
            if (t < INT32_MIN || t > INT32_MAX) continue;
            x = (int32_t)t;
        }
        ASSERT_EQ(mpe_rdbpot(x, e), ref_rdbpot(x, e)) << x << " >> " << e << " seed " << seed;
    }
}

// ---- real multiplier -> (M0, shift) ------------------------------------------

// A libm version of TFLite's QuantizeMultiplier (frexp + round), with the shift
// sign of mpe (positive = right).
bool ref_quantize_multiplier(double r, int32_t *m0, int *shift) {
    if (r == 0) { *m0 = 0; *shift = 0; return true; }
    int e;
    double q = std::frexp(r, &e);
    int64_t qf = (int64_t)std::round(q * 2147483648.0);
    if (qf == ((int64_t)1 << 31)) { qf /= 2; e++; }
    if (e < -31) { *m0 = 0; *shift = 0; return true; }
    if (e > 31) return false;
    *m0 = (int32_t)qf;
    *shift = -e;
    return true;
}

TEST(Requant, QuantizeMultiplierKnownAnswers) {
    struct { double r; int32_t m0; int shift; } c[] = {
        {0.5, 1 << 30, 0},
        {1.0, 1 << 30, -1},
        {0.25, 1 << 30, 1},
        {0.75, 3 << 29, 0},
        {1.0 / 3.0, 1431655765, 1},                 // 2/3 * 2^31 = 1431655765.33
        {0.5 + std::ldexp(1.0, -32), (1 << 30) + 1, 0},     // tie: away from zero
        {0.5 + 3 * std::ldexp(1.0, -32), (1 << 30) + 2, 0}, // tie: 2^30 + 1.5 -> + 2
        {1.0 - std::ldexp(1.0, -40), 1 << 30, -1},  // rounds to 2^31: carry
        {std::ldexp(1.0, -32), 1 << 30, 31},        // smallest kept
        {std::ldexp(1.0 - std::ldexp(1.0, -40), -32), 1 << 30, 31}, // carry saves it
        {std::ldexp(1.0, -33), 0, 0},               // flushed as in TFLite
        {2147483647.0, INT32_MAX, -31},
        {1.2345e-3, 1357347104, 9},               // 1357347104.49 -> down
    };
    for (auto &k : c) {
        int32_t m0 = -7;
        int sh = -7;
        ASSERT_EQ(mpe_rq_quantize_multiplier(k.r, &m0, &sh), MPE_OK) << k.r;
        EXPECT_EQ(m0, k.m0) << k.r;
        EXPECT_EQ(sh, k.shift) << k.r;
    }
    int32_t m0;
    int sh;
    EXPECT_EQ(mpe_rq_quantize_multiplier(0.0, &m0, &sh), MPE_OK);
    EXPECT_EQ(m0, 0);
    EXPECT_EQ(sh, 0);
    EXPECT_EQ(mpe_rq_quantize_multiplier(-0.0, &m0, &sh), MPE_OK);
    EXPECT_EQ(m0, 0);
    EXPECT_EQ(mpe_rq_quantize_multiplier(std::ldexp(1.0, -1074), &m0, &sh), MPE_OK);
    EXPECT_EQ(m0, 0);
    EXPECT_EQ(mpe_rq_quantize_multiplier(-0.5, &m0, &sh), MPE_ERR_RANGE);
    EXPECT_EQ(mpe_rq_quantize_multiplier(NAN, &m0, &sh), MPE_ERR_RANGE);
    EXPECT_EQ(mpe_rq_quantize_multiplier(INFINITY, &m0, &sh), MPE_ERR_RANGE);
    EXPECT_EQ(mpe_rq_quantize_multiplier(2147483648.0, &m0, &sh), MPE_ERR_RANGE);
    EXPECT_EQ(mpe_rq_quantize_multiplier(2147483647.9, &m0, &sh), MPE_ERR_RANGE); // carry
    // float version: 0.1f exactly
    ASSERT_EQ(mpe_rq_quantize_multiplier_f32(fbits(0.1f), &m0, &sh), MPE_OK);
    int32_t rm;
    int rs;
    ASSERT_TRUE(ref_quantize_multiplier((double)0.1f, &rm, &rs));
    EXPECT_EQ(m0, rm);
    EXPECT_EQ(sh, rs);
    EXPECT_EQ(sh, 3);
}

TEST(Requant, QuantizeMultiplierMatchesLibmReference) {
    const uint32_t seed = 4242u;
    std::mt19937_64 rng(seed);
    for (int i = 0; i < 1000000; i++) {
        uint64_t u = rng();
        // random positive doubles with exponents around the useful range
        u &= ~(1ull << 63);
        u = (u & ((1ull << 52) - 1)) | ((uint64_t)(1023 - 40 + (int)(rng() % 75)) << 52);
        if (i % 5 == 0) u |= (1ull << 52) - (1ull << (rng() % 23)); // near carries
        if (i % 5 == 1) u = (u & ~((1ull << 22) - 1)) | (1ull << 21); // ties at bit 22
        double r;
        std::memcpy(&r, &u, 8);
        int32_t m0, rm;
        int sh, rs;
        bool ok = ref_quantize_multiplier(r, &rm, &rs);
        mpe_status st = mpe_rq_quantize_multiplier(r, &m0, &sh);
        ASSERT_EQ(st == MPE_OK, ok) << r << " seed " << seed;
        if (!ok) continue;
        ASSERT_EQ(m0, rm) << r << " seed " << seed;
        ASSERT_EQ(sh, rs) << r << " seed " << seed;
        if (m0) {
            ASSERT_GE(m0, 1 << 30);
            ASSERT_LE(sh, 31);
            ASSERT_GE(sh, -31);
        }
    }
}

// ---- ONNX float multiplier and float requantization --------------------------

TEST(Requant, FloatMultiplierOrderAndRounding) {
    // a*b rounds first: (1 + 2^-23)^2 = 1 + 2^-22 + 2^-46 -> 1 + 2^-22.
    uint32_t a = 0x3F800001u;
    EXPECT_EQ(mpe_rq_float_multiplier(a, a, fbits(1.0f)), 0x3F800002u);
    // Correctly rounded FP32 * and / via double (53 >= 2*24 + 2, so the double
    // rounding of a quotient of floats is innocuous): an independent reference.
    std::mt19937 rng(99);
    int order_differs = 0;
    for (int i = 0; i < 200000; i++) {
        float sa = ffrom(0x3A000000u + (rng() % 0x4000000u));
        float sb = ffrom(0x3A000000u + (rng() % 0x4000000u));
        float sy = ffrom(0x3A000000u + (rng() % 0x4000000u));
        float ab = (float)((double)sa * (double)sb);
        float m = (float)((double)ab / (double)sy);
        ASSERT_EQ(mpe_rq_float_multiplier(fbits(sa), fbits(sb), fbits(sy)), fbits(m));
        float other = (float)((double)sa * (double)(float)((double)sb / (double)sy));
        order_differs += fbits(other) != fbits(m);
    }
    EXPECT_GT(order_differs, 0); // the documented order matters
}

TEST(Requant, FloatRequantTiesAndSaturation) {
    const uint32_t half = fbits(0.5f);
    const int64_t W = (int64_t)1 << 40;
    // RNE of acc * 0.5: x.5 ties both directions, negative ties.
    int64_t acc[] = {1, 3, 5, 7, -1, -3, -5, -7, 0, 2, -2};
    int64_t want[] = {0, 2, 2, 4, 0, -2, -2, -4, 0, 1, -1};
    for (size_t i = 0; i < sizeof acc / sizeof acc[0]; i++)
        EXPECT_EQ(mpe_rq_float(acc[i], half, 0, -W, W), want[i]) << acc[i];
    // Rounding happens before the zero point (ONNX QuantizeLinear order).
    EXPECT_EQ(mpe_rq_float(1, half, 1, -W, W), 1);
    EXPECT_EQ(mpe_rq_float(3, half, 1, -W, W), 3);
    EXPECT_EQ(mpe_rq_float(-1, half, 1, -W, W), 1);
    // Saturation at both bounds, after the zero point.
    EXPECT_EQ(mpe_rq_float(300, fbits(1.0f), -50, 0, 255), 250);
    EXPECT_EQ(mpe_rq_float(306, fbits(1.0f), -50, 0, 255), 255);
    EXPECT_EQ(mpe_rq_float(-300, fbits(1.0f), 10, -128, 127), -128);
    // Huge multipliers and accumulators (no 128-bit overflow).
    EXPECT_EQ(mpe_rq_float((1LL << 47) - 1, 0x7F7FFFFFu, 0, -128, 127), 127);
    EXPECT_EQ(mpe_rq_float(-(1LL << 47), 0x7F7FFFFFu, 0, -128, 127), -128);
    EXPECT_EQ(mpe_rq_float(-(1LL << 47), 0xFF7FFFFFu, 0, -128, 127), 127);
    EXPECT_EQ(mpe_rq_float(1LL << 46, fbits(std::ldexp(1.0f, 60)), 0, -128, 127), 127);
    EXPECT_EQ(mpe_rq_float(1, fbits(std::ldexp(1.0f, 20)), 0, -W, W), 1 << 20);
    // Subnormal multiplier: tiny, rounds to 0.
    EXPECT_EQ(mpe_rq_float((1LL << 47) - 1, 1u, 5, -W, W), 5);
    // Negative multiplier: exact.
    EXPECT_EQ(mpe_rq_float(5, fbits(-0.5f), 0, -W, W), -2);
    // Specials of M: NaN -> zp, inf -> saturate by sign, inf * 0 -> zp.
    EXPECT_EQ(mpe_rq_float(5, MPE_F32_QNAN, 7, -128, 127), 7);
    EXPECT_EQ(mpe_rq_float(5, MPE_F32_PINF, 7, -128, 127), 127);
    EXPECT_EQ(mpe_rq_float(-5, MPE_F32_PINF, 7, -128, 127), -128);
    EXPECT_EQ(mpe_rq_float(-5, MPE_F32_NINF, 7, -128, 127), 127);
    EXPECT_EQ(mpe_rq_float(0, MPE_F32_PINF, 7, -128, 127), 7);
    EXPECT_EQ(mpe_rq_float(5, MPE_F32_QNAN, 300, -128, 127), 127); // zp clamped
}

// One rounding, not an FP32 product: acc * M = 301.49998878 exactly, but
// fp32(acc * M) = 301.5 (spacing 2^-15 here), which would then round to 302.
TEST(Requant, FloatRequantIsNotAnFp32Product) {
    const uint32_t m = 0x3E37E181u;
    EXPECT_EQ(mpe_rq_float(1679, m, 0, -32768, 32767), 301);
    EXPECT_EQ(mpe_rq_float(-1679, m, 0, -32768, 32767), -301);
    float p = 1679.0f * ffrom(m);
    EXPECT_EQ(p, 301.5f);
    EXPECT_EQ(std::nearbyint(p), 302.0f);
    // The FP32-accumulator path does round through FP32, by definition.
    mpe_outcfg c = mpe_outcfg_default(MPE_RQ_FLOAT, MPE_OUT_INT16);
    c.mult = m;
    EXPECT_EQ(mpe_out_from_f32(&c, fbits(1679.0f)), 302u);
    EXPECT_EQ(mpe_out_from_int(&c, 1679), 301u);
}

// mpe_out_f32_int_agree: does the FP32-accumulator path give the integer
// path's code for every integer accumulator in a range? Known answers, then
// the same verdict as a brute-force scan on random configurations.
TEST(OutStage, F32IntAgreeKnownAnswers) {
    mpe_outcfg c = mpe_outcfg_default(MPE_RQ_FLOAT, MPE_OUT_INT16);
    c.mult = 0x3E37E181u; // 1679 * M = 301.49998878, fp32: 301.5
    int64_t w = 0;
    EXPECT_EQ(mpe_out_f32_int_agree(&c, 1670, 1690, &w), 0);
    EXPECT_EQ(w, 1679);
    EXPECT_EQ(mpe_out_f32_int_agree(&c, 1680, 1690, &w), 1);
    // the bad model bfp_rounding: M = fp32(fp32(0.02 * 0.01) / 0.5), int8
    c = mpe_outcfg_default(MPE_RQ_FLOAT, MPE_OUT_INT8);
    c.mult = mpe_rq_float_multiplier(fbits(0.02f), fbits(0.01f), fbits(0.5f));
    EXPECT_EQ(mpe_out_f32_int_agree(&c, -318750, -318750, &w), 0);
    EXPECT_NE(mpe_out_from_int(&c, -318750),
              mpe_out_from_f32(&c, mpe_f32_from_int(-318750, 0)));
    // a power-of-two multiplier: the FP32 product is exact, any range agrees
    c.mult = fbits(0x1p-10f);
    c.zp = -7;
    c.has_bias = 1; // ignored: v is the biased value
    c.bias = 12345;
    EXPECT_EQ(mpe_out_f32_int_agree(&c, -(1 << 24), 1 << 24, &w), 1);
    // rq none, float outputs: the exact integer reads the same
    mpe_outcfg n = mpe_outcfg_default(MPE_RQ_NONE, MPE_OUT_INT32);
    EXPECT_EQ(mpe_out_f32_int_agree(&n, -(1 << 24), 1 << 24, &w), 1);
    mpe_outcfg f = mpe_outcfg_default(MPE_RQ_FLOAT, MPE_OUT_FP32);
    f.mult = 0x3E37E181u;
    EXPECT_EQ(mpe_out_f32_int_agree(&f, -(1 << 24), 1 << 24, &w), 1);
    // undecided: beyond 2^24, or products past 2^22 (int32 output, large M)
    EXPECT_EQ(mpe_out_f32_int_agree(&c, 0, (1 << 24) + 1, &w), -1);
    mpe_outcfg big = mpe_outcfg_default(MPE_RQ_FLOAT, MPE_OUT_INT32);
    big.mult = fbits(3.0f);
    EXPECT_EQ(mpe_out_f32_int_agree(&big, 0, 1 << 24, &w), -1);
}

TEST(OutStage, F32IntAgreeMatchesBruteForce) {
    std::mt19937_64 rng(11);
    int mismatching = 0;
    for (int it = 0; it < 400; it++) {
        static const int outs[] = {MPE_OUT_INT8, MPE_OUT_UINT8, MPE_OUT_INT4, MPE_OUT_INT16};
        mpe_outcfg c = mpe_outcfg_default(MPE_RQ_FLOAT, outs[it % 4]);
        int64_t qmin, qmax;
        mpe_out_range(c.out, &qmin, &qmax);
        double lm = std::log(1e-4) + (std::log(0.7) - std::log(1e-4)) * (double)(rng() % 10000) / 1e4;
        c.mult = fbits((float)std::exp(lm));
        c.zp = (int32_t)(qmin + (int64_t)(rng() % (uint64_t)(qmax - qmin + 1)));
        if (rng() % 2)
            c.lo = c.zp; // ReLU
        int64_t r = (int64_t)(rng() % 40000), b = (int64_t)(rng() % 20001) - 10000;
        int64_t w = 0, brute = 1;
        for (int64_t v = b - r; v <= b + r && brute; v++)
            brute = mpe_out_from_int(&c, v) == mpe_out_from_f32(&c, mpe_f32_from_int(v, 0));
        int got = mpe_out_f32_int_agree(&c, b - r, b + r, &w);
        ASSERT_EQ(got, (int)brute) << it << " M=" << ffrom(c.mult) << " zp=" << c.zp;
        if (!got) {
            mismatching++;
            EXPECT_NE(mpe_out_from_int(&c, w), mpe_out_from_f32(&c, mpe_f32_from_int(w, 0)));
        }
    }
    EXPECT_GT(mismatching, 10); // both verdicts occur
    EXPECT_LT(mismatching, 390);
}

TEST(Requant, FloatRequantMatchesExactReference) {
    const uint32_t seed = 31337u;
    std::mt19937_64 rng(seed);
    const int64_t W = (int64_t)1 << 61;
    for (int i = 0; i < 1000000; i++) {
        int64_t v = mpe_sext(rng(), 48) / ((int64_t)1 << (rng() % 48));
        uint32_t m = (uint32_t)rng();
        if (i % 2) m = (m & 0x807FFFFFu) | ((uint32_t)(100 + rng() % 40) << 23);
        if ((m & 0x7F800000u) == 0x7F800000u) continue;
        int sign, exp;
        uint32_t mant;
        ASSERT_EQ(mpe_f32_split(m, &sign, &mant, &exp), 0);
        int32_t zp = (int32_t)(rng() % 256) - 128;
        int64_t want;
        if (exp >= 40 && v != 0 && mant != 0) // |v * M| >= 2^63: saturated
            want = (sign != (v < 0)) ? -W : W;
        else
            want = sat(ref_rne_scaled(sign ? -v : v, mant, exp) + zp, -W, W);
        ASSERT_EQ(mpe_rq_float(v, m, zp, -W, W), want)
            << v << " * " << std::hex << m << std::dec << " seed " << seed;
    }
}

TEST(Requant, F32ToIntTiesAndSpecials) {
    const int64_t W = 1 << 30;
    struct { float x; int64_t y; } c[] = {
        {0.5f, 0}, {1.5f, 2}, {2.5f, 2}, {3.5f, 4}, {-0.5f, 0}, {-1.5f, -2},
        {-2.5f, -2}, {-3.5f, -4}, {0.49999997f, 0}, {0.50000006f, 1},
        {-0.50000006f, -1}, {-0.0f, 0}, {0.0f, 0}, {1e-45f, 0}, {8388607.5f, 8388608},
        {8388609.0f, 8388609}, {1e30f, W}, {-1e30f, -W}};
    for (auto &k : c)
        EXPECT_EQ(mpe_rq_f32_to_int(fbits(k.x), 0, -W, W), k.y) << k.x;
    EXPECT_EQ(mpe_rq_f32_to_int(MPE_F32_QNAN, 9, -W, W), 9);
    EXPECT_EQ(mpe_rq_f32_to_int(0xFFC00001u, -9, -W, W), -9);
    EXPECT_EQ(mpe_rq_f32_to_int(MPE_F32_PINF, 0, -128, 127), 127);
    EXPECT_EQ(mpe_rq_f32_to_int(MPE_F32_NINF, 0, -128, 127), -128);
    EXPECT_EQ(mpe_rq_f32_to_int(0x7F7FFFFFu, 0, 0, 255), 255);
    EXPECT_EQ(mpe_rq_f32_to_int(fbits(2.5f), 1, -W, W), 3); // round, then + zp
}

// ---- dyadic -------------------------------------------------------------------

int64_t ref_dyadic(int64_t acc, int32_t m0, int shift, int32_t zp, int64_t lo, int64_t hi) {
    int64_t x = acc < INT32_MIN ? INT32_MIN : (acc > INT32_MAX ? INT32_MAX : acc);
    if (shift < 0) {
        __int128 t = (__int128)x * ((__int128)1 << -shift);
        x = t < INT32_MIN ? INT32_MIN : (t > INT32_MAX ? INT32_MAX : (int64_t)t);
    }
    int32_t y = ref_srdhm((int32_t)x, m0);
    if (shift > 0) y = ref_rdbpot(y, shift);
    return sat((__int128)y + zp, lo, hi);
}

TEST(Requant, DyadicKnownAnswers) {
    const int32_t P30 = 1 << 30; // 0.5 in Q31
    const int64_t W = (int64_t)1 << 40;
    EXPECT_EQ(mpe_rq_dyadic(1, P30, 0, 0, -W, W), 1);   // 0.5 -> 1 (SRDHM tie up)
    EXPECT_EQ(mpe_rq_dyadic(-1, P30, 0, 0, -W, W), 0);  // -0.5 -> 0
    EXPECT_EQ(mpe_rq_dyadic(6, P30, 1, 0, -W, W), 2);   // 3 then 1.5 -> 2
    EXPECT_EQ(mpe_rq_dyadic(-6, P30, 1, 0, -W, W), -2); // -3 then -1.5 -> -2
    EXPECT_EQ(mpe_rq_dyadic(2, P30, 1, 0, -W, W), 1);   // two roundings: 1 then 0.5 -> 1
    EXPECT_EQ(mpe_rq_dyadic(3, P30, -2, 0, -W, W), 6);  // left shift: 12 * 0.5
    // Saturation of the accumulator to int32 before the multiply.
    EXPECT_EQ(mpe_rq_dyadic(1LL << 40, P30, 0, 0, -W, W), P30);
    EXPECT_EQ(mpe_rq_dyadic(-(1LL << 40), P30, 0, 0, -W, W), -P30);
    // Left shift saturates.
    EXPECT_EQ(mpe_rq_dyadic(1 << 30, P30, -2, 0, -W, W), P30);
    EXPECT_EQ(mpe_rq_dyadic(-(1 << 30), P30, -31, 0, -W, W), -P30);
    // M0 = 0 gives the zero point.
    EXPECT_EQ(mpe_rq_dyadic(12345, 0, 3, 17, -W, W), 17);
    // Zero point and output saturation.
    EXPECT_EQ(mpe_rq_dyadic(1000, P30, 0, -128, -128, 127), 127);
    EXPECT_EQ(mpe_rq_dyadic(-1000, P30, 0, 100, 0, 255), 0);
    // TFLite-style example: real 0.0078125 * 3 (= 3/128) of acc 1000 -> 23.4375 -> 23.
    int32_t m0;
    int sh;
    ASSERT_EQ(mpe_rq_quantize_multiplier(3.0 / 128.0, &m0, &sh), MPE_OK);
    EXPECT_EQ(m0, 3 << 29);
    EXPECT_EQ(sh, 5);
    EXPECT_EQ(mpe_rq_dyadic(1000, m0, sh, 0, -W, W), 23);
    EXPECT_EQ(mpe_rq_dyadic(-1000, m0, sh, 0, -W, W), -23);
}

TEST(Requant, DyadicMatchesReference) {
    const uint32_t seed = 555u;
    std::mt19937_64 rng(seed);
    const int64_t W = (int64_t)1 << 40;
    for (int i = 0; i < 1000000; i++) {
        int64_t acc = mpe_sext(rng(), 48) / ((int64_t)1 << (rng() % 48));
        int32_t m0 = (int32_t)((rng() % (1u << 30)) + (1u << 30));
        int shift = (int)(rng() % 63) - 31;
        int32_t zp = (int32_t)(rng() % 256) - 128;
        ASSERT_EQ(mpe_rq_dyadic(acc, m0, shift, zp, -W, W),
                  ref_dyadic(acc, m0, shift, zp, -W, W))
            << acc << " " << m0 << " " << shift << " seed " << seed;
    }
}

// ---- the output stage ------------------------------------------------------------

const int kIntOuts[] = {MPE_OUT_INT4, MPE_OUT_UINT4, MPE_OUT_INT8, MPE_OUT_UINT8,
                        MPE_OUT_INT16, MPE_OUT_UINT16, MPE_OUT_INT32};

TEST(OutStage, FormatTable) {
    struct { int out; const char *name; int bits; int64_t lo, hi; } c[] = {
        {MPE_OUT_INT4, "int4", 4, -8, 7},         {MPE_OUT_UINT4, "uint4", 4, 0, 15},
        {MPE_OUT_INT8, "int8", 8, -128, 127},     {MPE_OUT_UINT8, "uint8", 8, 0, 255},
        {MPE_OUT_INT16, "int16", 16, -32768, 32767}, {MPE_OUT_UINT16, "uint16", 16, 0, 65535},
        {MPE_OUT_INT32, "int32", 32, INT32_MIN, INT32_MAX}};
    for (auto &k : c) {
        int64_t lo, hi;
        ASSERT_EQ(mpe_out_range(k.out, &lo, &hi), MPE_OK);
        EXPECT_EQ(lo, k.lo);
        EXPECT_EQ(hi, k.hi);
        EXPECT_EQ(mpe_out_bits(k.out), k.bits);
        EXPECT_STREQ(mpe_out_name(k.out), k.name);
        EXPECT_FALSE(mpe_out_is_float(k.out));
    }
    int64_t lo, hi;
    for (int f : {MPE_OUT_FP16, MPE_OUT_BF16, MPE_OUT_FP32}) {
        EXPECT_TRUE(mpe_out_is_float(f));
        EXPECT_EQ(mpe_out_range(f, &lo, &hi), MPE_ERR_ARG);
    }
    EXPECT_EQ(mpe_out_bits(MPE_OUT_FP16), 16);
    EXPECT_EQ(mpe_out_bits(MPE_OUT_BF16), 16);
    EXPECT_EQ(mpe_out_bits(MPE_OUT_FP32), 32);
    EXPECT_EQ(mpe_out_bits(MPE_OUT_COUNT), 0);
    EXPECT_STREQ(mpe_out_name(-1), "?");
    EXPECT_EQ(mpe_out_range(99, &lo, &hi), MPE_ERR_ARG);
}

TEST(OutStage, IntegerFormatsSaturateAtEachBound) {
    for (int out : kIntOuts) {
        int64_t lo, hi;
        mpe_out_range(out, &lo, &hi);
        int b = mpe_out_bits(out);
        uint32_t mask = b == 32 ? 0xFFFFFFFFu : (1u << b) - 1;
        for (int rq : {MPE_RQ_NONE, MPE_RQ_FLOAT, MPE_RQ_DYADIC}) {
            if (rq == MPE_RQ_DYADIC && b == 32) continue; // x1.0 overflows int32, below
            mpe_outcfg c = mpe_outcfg_default(rq, out);
            if (rq == MPE_RQ_DYADIC) { c.mult = 1 << 30; c.shift = -1; } // x1.0
            ASSERT_EQ(mpe_outcfg_check(&c, 0, nullptr, 0), MPE_OK);
            struct { int64_t acc, y; } v[] = {{lo, lo}, {hi, hi}, {lo - 1, lo}, {hi + 1, hi},
                                              {lo + 1, lo + 1}, {hi - 1, hi - 1},
                                              {-(1LL << 47), lo}, {(1LL << 47) - 1, hi}, {0, 0}};
            for (auto &k : v) {
                uint32_t code = mpe_out_from_int(&c, k.acc);
                EXPECT_EQ(code, (uint32_t)(uint64_t)k.y & mask)
                    << mpe_out_name(out) << " rq " << rq << " acc " << k.acc;
            }
        }
    }
    // int32 with dyadic x1.0: INT32_MAX * 2 saturates to INT32_MAX, then
    // SRDHM(INT32_MAX, 2^30) = round(INT32_MAX / 2) = 2^30: the left shift is
    // applied before the Q31 multiply, as documented.
    mpe_outcfg c = mpe_outcfg_default(MPE_RQ_DYADIC, MPE_OUT_INT32);
    c.mult = 1 << 30;
    c.shift = -1;
    EXPECT_EQ(mpe_out_from_int(&c, INT32_MAX), (uint32_t)(1 << 30));
    EXPECT_EQ(mpe_out_from_int(&c, INT32_MIN), (uint32_t)-(1 << 30));
    EXPECT_EQ(mpe_out_from_int(&c, (1 << 29) + 7), (uint32_t)(1 << 29) + 7);
    EXPECT_EQ(mpe_out_from_int(&c, -(1 << 29) - 7), (uint32_t)(-(1 << 29) - 7));
    // Codes live in the low bits: two's complement of negatives.
    c = mpe_outcfg_default(MPE_RQ_NONE, MPE_OUT_INT4);
    EXPECT_EQ(mpe_out_from_int(&c, -1), 0xFu);
    EXPECT_EQ(mpe_out_from_int(&c, -8), 0x8u);
    c.out = MPE_OUT_INT16;
    c.lo = -32768;
    c.hi = 32767;
    EXPECT_EQ(mpe_out_from_int(&c, -2), 0xFFFEu);
}

TEST(OutStage, BiasWrapsAt48Bits) {
    mpe_outcfg c = mpe_outcfg_default(MPE_RQ_NONE, MPE_OUT_FP32);
    c.has_bias = 1;
    c.bias = 1;
    EXPECT_EQ(mpe_out_from_int(&c, (1LL << 47) - 1), 0xD7000000u); // -2^47
    c.bias = (uint32_t)-1;
    EXPECT_EQ(mpe_out_from_int(&c, -(1LL << 47)), 0x57000000u);    // 2^47 - 1 -> 2^47
    c.bias = (uint32_t)INT32_MIN;
    EXPECT_EQ(mpe_out_from_int(&c, 0), 0xCF000000u);                // -2^31
    // Only the low 48 bits of the accumulator are read.
    c.bias = 3;
    EXPECT_EQ(mpe_out_from_int(&c, (1LL << 48) + 5), fbits(8.0f));
    // Integer path: bias before requantization, then saturation.
    mpe_outcfg q = mpe_outcfg_default(MPE_RQ_FLOAT, MPE_OUT_INT8);
    q.has_bias = 1;
    q.bias = (uint32_t)-3;
    q.mult = fbits(0.5f);
    EXPECT_EQ(mpe_out_from_int(&q, 8), 2u);                         // (8-3)*0.5 = 2.5 -> 2
    EXPECT_EQ(mpe_out_from_int(&q, 10), 4u);                        // 3.5 -> 4
    q.bias = 1;
    EXPECT_EQ(mpe_out_from_int(&q, (1LL << 47) - 1), 0x80u);        // wraps to -2^47: -128
    q.has_bias = 0;
    EXPECT_EQ(mpe_out_from_int(&q, (1LL << 47) - 1), 0x7Fu);        // no bias: +127
}

TEST(OutStage, FloatOutputsFromIntegerAccumulator) {
    mpe_outcfg c = mpe_outcfg_default(MPE_RQ_NONE, MPE_OUT_FP16);
    EXPECT_EQ(mpe_out_from_int(&c, 65504), 0x7BFFu);
    EXPECT_EQ(mpe_out_from_int(&c, 65519), 0x7BFFu);
    EXPECT_EQ(mpe_out_from_int(&c, 65520), 0x7C00u);   // tie at the top -> inf
    EXPECT_EQ(mpe_out_from_int(&c, 2049), 0x6800u);    // tie -> 2048 (even)
    EXPECT_EQ(mpe_out_from_int(&c, 2051), 0x6802u);    // tie -> 2052 (even)
    EXPECT_EQ(mpe_out_from_int(&c, -2049), 0xE800u);
    EXPECT_EQ(mpe_out_from_int(&c, -(1LL << 47)), 0xFC00u);
    c.out = MPE_OUT_BF16;
    EXPECT_EQ(mpe_out_from_int(&c, 257), 0x4380u);     // tie -> 256
    EXPECT_EQ(mpe_out_from_int(&c, 259), 0x4382u);     // tie -> 260
    EXPECT_EQ(mpe_out_from_int(&c, -259), 0xC382u);
    c.out = MPE_OUT_FP32;
    EXPECT_EQ(mpe_out_from_int(&c, 16777217), 0x4B800000u); // tie -> even
    EXPECT_EQ(mpe_out_from_int(&c, 16777219), 0x4B800002u);
    EXPECT_EQ(mpe_out_from_int(&c, 0), 0u);
    // rq float: int_to_f32 then f32_mul (two roundings, documented).
    c.rq = MPE_RQ_FLOAT;
    c.mult = fbits(0.5f);
    EXPECT_EQ(mpe_out_from_int(&c, -3), fbits(-1.5f));
    c.mult = 0x3F800001u; // 1 + 2^-23
    // 16777217 -> 2^24 first, then * (1 + 2^-23) = 2^24 + 2 exactly.
    EXPECT_EQ(mpe_out_from_int(&c, 16777217), 0x4B800001u);
    // ReLU on float outputs, -0 -> +0: acc * (-1) = -0 for acc = 0.
    c.mult = fbits(-1.0f);
    EXPECT_EQ(mpe_out_from_int(&c, 0), 0x80000000u);
    c.relu = 1;
    EXPECT_EQ(mpe_out_from_int(&c, 0), 0u);
    EXPECT_EQ(mpe_out_from_int(&c, 5), 0u);
    EXPECT_EQ(mpe_out_from_int(&c, -5), fbits(5.0f));
}

TEST(OutStage, Fp32AccumulatorToIntegers) {
    mpe_outcfg c = mpe_outcfg_default(MPE_RQ_FLOAT, MPE_OUT_UINT8);
    c.zp = 128;
    c.mult = fbits(2.0f);
    ASSERT_EQ(mpe_outcfg_check(&c, 1, nullptr, 0), MPE_OK);
    EXPECT_EQ(mpe_out_from_f32(&c, fbits(0.25f)), 128u);   // 0.5 -> 0
    EXPECT_EQ(mpe_out_from_f32(&c, fbits(0.75f)), 130u);   // 1.5 -> 2
    EXPECT_EQ(mpe_out_from_f32(&c, fbits(1.25f)), 130u);   // 2.5 -> 2
    EXPECT_EQ(mpe_out_from_f32(&c, fbits(-0.25f)), 128u);  // -0.5 -> 0
    EXPECT_EQ(mpe_out_from_f32(&c, fbits(-0.75f)), 126u);  // -1.5 -> -2
    EXPECT_EQ(mpe_out_from_f32(&c, fbits(-1.25f)), 126u);  // -2.5 -> -2
    EXPECT_EQ(mpe_out_from_f32(&c, fbits(-0.0f)), 128u);
    EXPECT_EQ(mpe_out_from_f32(&c, MPE_F32_QNAN), 128u);   // NaN -> zp
    EXPECT_EQ(mpe_out_from_f32(&c, 0xFFC12345u), 128u);
    EXPECT_EQ(mpe_out_from_f32(&c, MPE_F32_PINF), 255u);
    EXPECT_EQ(mpe_out_from_f32(&c, MPE_F32_NINF), 0u);
    EXPECT_EQ(mpe_out_from_f32(&c, 0x7F7FFFFFu), 255u);    // f32_mul overflows to inf
    EXPECT_EQ(mpe_out_from_f32(&c, fbits(63.75f)), 255u);  // 127.5 -> 128 + 128 = 256 -> 255
    EXPECT_EQ(mpe_out_from_f32(&c, fbits(63.25f)), 254u);  // 126.5 -> 126 + 128
    // inf * 0 = NaN -> zp
    c.mult = 0;
    EXPECT_EQ(mpe_out_from_f32(&c, MPE_F32_PINF), 128u);
    // NaN under a clamp whose lo is above zp: lo.
    c.mult = fbits(1.0f);
    c.lo = 140;
    EXPECT_EQ(mpe_out_from_f32(&c, MPE_F32_QNAN), 140u);
    // Bias in FP32: f32_add.
    c = mpe_outcfg_default(MPE_RQ_NONE, MPE_OUT_INT16);
    c.has_bias = 1;
    c.bias = fbits(0.5f);
    EXPECT_EQ(mpe_out_from_f32(&c, fbits(2.0f)), 2u);      // 2.5 -> 2
    EXPECT_EQ(mpe_out_from_f32(&c, fbits(-3.0f)), 0xFFFEu); // -2.5 -> -2
    c.bias = MPE_F32_NINF;
    EXPECT_EQ(mpe_out_from_f32(&c, MPE_F32_PINF), 0u);     // inf - inf = NaN -> zp 0
    EXPECT_EQ(mpe_out_from_f32(&c, fbits(1e30f)), 0x8000u);
}

TEST(OutStage, Fp32AccumulatorToFloats) {
    mpe_outcfg c = mpe_outcfg_default(MPE_RQ_NONE, MPE_OUT_FP32);
    ASSERT_EQ(mpe_outcfg_check(&c, 1, nullptr, 0), MPE_OK);
    EXPECT_EQ(mpe_out_from_f32(&c, 0x80000000u), 0x80000000u); // -0 kept without ReLU
    EXPECT_EQ(mpe_out_from_f32(&c, 0xFFC00001u), MPE_F32_QNAN); // canonical NaN
    EXPECT_EQ(mpe_out_from_f32(&c, MPE_F32_NINF), MPE_F32_NINF);
    c.has_bias = 1;
    c.bias = 0x80000000u;
    EXPECT_EQ(mpe_out_from_f32(&c, 0x80000000u), 0x80000000u); // -0 + -0 = -0
    EXPECT_EQ(mpe_out_from_f32(&c, 0u), 0u);                    // +0 + -0 = +0
    c.bias = fbits(-1.5f);
    EXPECT_EQ(mpe_out_from_f32(&c, fbits(1.5f)), 0u);           // x + (-x) = +0
    c.relu = 1;
    c.has_bias = 0;
    EXPECT_EQ(mpe_out_from_f32(&c, 0x80000000u), 0u);
    EXPECT_EQ(mpe_out_from_f32(&c, fbits(-2.0f)), 0u);
    EXPECT_EQ(mpe_out_from_f32(&c, MPE_F32_NINF), 0u);
    EXPECT_EQ(mpe_out_from_f32(&c, MPE_F32_PINF), MPE_F32_PINF);
    EXPECT_EQ(mpe_out_from_f32(&c, 0xFFC00000u), MPE_F32_QNAN); // NaN stays NaN
    EXPECT_EQ(mpe_out_from_f32(&c, fbits(3.0f)), fbits(3.0f));
    // FP16 and BF16: RNE, overflow to inf, NaN canonical, ReLU before rounding.
    c.relu = 0;
    c.out = MPE_OUT_FP16;
    EXPECT_EQ(mpe_out_from_f32(&c, fbits(1.0f + 1.0f / 2048)), 0x3C00u);     // tie -> even
    EXPECT_EQ(mpe_out_from_f32(&c, fbits(1.0f + 3.0f / 2048)), 0x3C02u);     // tie -> even (up)
    EXPECT_EQ(mpe_out_from_f32(&c, fbits(-(1.0f + 3.0f / 2048))), 0xBC02u);
    EXPECT_EQ(mpe_out_from_f32(&c, fbits(65520.0f)), 0x7C00u);
    EXPECT_EQ(mpe_out_from_f32(&c, fbits(-1e-10f)), 0x8000u);               // -0
    EXPECT_EQ(mpe_out_from_f32(&c, fbits(5.9604645e-8f)), 0x0001u);         // min subnormal
    EXPECT_EQ(mpe_out_from_f32(&c, MPE_F32_QNAN), 0x7E00u);
    EXPECT_EQ(mpe_out_from_f32(&c, 0xFFC00000u), 0x7E00u);
    c.relu = 1;
    EXPECT_EQ(mpe_out_from_f32(&c, fbits(-1e-10f)), 0x0000u);
    EXPECT_EQ(mpe_out_from_f32(&c, fbits(-7.0f)), 0x0000u);
    c.relu = 0;
    c.out = MPE_OUT_BF16;
    EXPECT_EQ(mpe_out_from_f32(&c, 0x3F808000u), 0x3F80u);   // tie -> even
    EXPECT_EQ(mpe_out_from_f32(&c, 0x3F818000u), 0x3F82u);   // tie -> even (up)
    EXPECT_EQ(mpe_out_from_f32(&c, 0xBF818000u), 0xBF82u);
    EXPECT_EQ(mpe_out_from_f32(&c, 0x3F808001u), 0x3F81u);
    EXPECT_EQ(mpe_out_from_f32(&c, 0x7F7FFFFFu), 0x7F80u);   // overflow -> inf
    EXPECT_EQ(mpe_out_from_f32(&c, MPE_F32_QNAN), 0x7FC0u);
    // Scale before the conversion: f32_mul.
    c.rq = MPE_RQ_FLOAT;
    c.mult = fbits(0.25f);
    EXPECT_EQ(mpe_out_from_f32(&c, fbits(6.0f)), 0x3FC0u);   // 1.5
}

TEST(OutStage, ClampAndActivationBounds) {
    // ReLU and ReLU6 mapping for uint8 / int8 / int4.
    int32_t lo, hi;
    ASSERT_EQ(mpe_out_act_bounds(MPE_ACT_NONE, MPE_OUT_UINT8, 3, fbits(0.1f), &lo, &hi), MPE_OK);
    EXPECT_EQ(lo, 0);
    EXPECT_EQ(hi, 255);
    ASSERT_EQ(mpe_out_act_bounds(MPE_ACT_RELU, MPE_OUT_UINT8, 3, fbits(0.1f), &lo, &hi), MPE_OK);
    EXPECT_EQ(lo, 3);
    EXPECT_EQ(hi, 255);
    // 6 / 0.1f = 59.999998 -> 60
    ASSERT_EQ(mpe_out_act_bounds(MPE_ACT_RELU6, MPE_OUT_UINT8, 10, fbits(0.1f), &lo, &hi), MPE_OK);
    EXPECT_EQ(lo, 10);
    EXPECT_EQ(hi, 70);
    // 6 / 4 = 1.5 -> 2; 6 / 12 = 0.5 -> 0 (ties to even)
    ASSERT_EQ(mpe_out_act_bounds(MPE_ACT_RELU6, MPE_OUT_INT8, -5, fbits(4.0f), &lo, &hi), MPE_OK);
    EXPECT_EQ(lo, -5);
    EXPECT_EQ(hi, -3);
    ASSERT_EQ(mpe_out_act_bounds(MPE_ACT_RELU6, MPE_OUT_INT8, -5, fbits(12.0f), &lo, &hi), MPE_OK);
    EXPECT_EQ(hi, -5);
    // hi saturates to the format: 6 / (1/64) = 384.
    ASSERT_EQ(mpe_out_act_bounds(MPE_ACT_RELU6, MPE_OUT_INT8, -128, fbits(1.0f / 64), &lo, &hi), MPE_OK);
    EXPECT_EQ(hi, 127);
    ASSERT_EQ(mpe_out_act_bounds(MPE_ACT_RELU6, MPE_OUT_INT4, 0, fbits(1.0f), &lo, &hi), MPE_OK);
    EXPECT_EQ(lo, 0);
    EXPECT_EQ(hi, 6);
    ASSERT_EQ(mpe_out_act_bounds(MPE_ACT_NONE, MPE_OUT_INT32, 0, fbits(1.0f), &lo, &hi), MPE_OK);
    EXPECT_EQ(lo, INT32_MIN);
    EXPECT_EQ(hi, INT32_MAX);
    // Errors: float output, bad scales, zero point outside the format.
    EXPECT_EQ(mpe_out_act_bounds(MPE_ACT_RELU, MPE_OUT_FP16, 0, fbits(1.0f), &lo, &hi), MPE_ERR_ARG);
    EXPECT_EQ(mpe_out_act_bounds(MPE_ACT_RELU6, MPE_OUT_INT8, 0, 0, &lo, &hi), MPE_ERR_ARG);
    EXPECT_EQ(mpe_out_act_bounds(MPE_ACT_RELU6, MPE_OUT_INT8, 0, fbits(-1.0f), &lo, &hi), MPE_ERR_ARG);
    EXPECT_EQ(mpe_out_act_bounds(MPE_ACT_RELU6, MPE_OUT_INT8, 0, MPE_F32_PINF, &lo, &hi), MPE_ERR_ARG);
    EXPECT_EQ(mpe_out_act_bounds(MPE_ACT_RELU6, MPE_OUT_INT8, 0, MPE_F32_QNAN, &lo, &hi), MPE_ERR_ARG);
    EXPECT_EQ(mpe_out_act_bounds(MPE_ACT_RELU, MPE_OUT_UINT8, 256, fbits(1.0f), &lo, &hi), MPE_ERR_ARG);
    EXPECT_EQ(mpe_out_act_bounds(MPE_ACT_RELU, MPE_OUT_INT4, -9, fbits(1.0f), &lo, &hi), MPE_ERR_ARG);

    // The stage applies [lo, hi] after the zero point, in all three rq kinds.
    mpe_outcfg c = mpe_outcfg_default(MPE_RQ_FLOAT, MPE_OUT_UINT8);
    c.zp = 10;
    c.mult = fbits(0.5f);
    c.lo = 10;
    c.hi = 70;
    EXPECT_EQ(mpe_out_from_int(&c, -1000), 10u);  // ReLU
    EXPECT_EQ(mpe_out_from_int(&c, 1000), 70u);   // ReLU6
    EXPECT_EQ(mpe_out_from_int(&c, 61), 40u);     // 30.5 -> 30 (even) + 10
    EXPECT_EQ(mpe_out_from_int(&c, 63), 42u);     // 31.5 -> 32 (even) + 10
    EXPECT_EQ(mpe_out_from_f32(&c, fbits(-5.0f)), 10u);
    EXPECT_EQ(mpe_out_from_f32(&c, fbits(1e6f)), 70u);
    c.rq = MPE_RQ_DYADIC;
    c.mult = 1 << 30;
    c.shift = 0;
    EXPECT_EQ(mpe_out_from_int(&c, -1000), 10u);
    EXPECT_EQ(mpe_out_from_int(&c, 1000), 70u);
    EXPECT_EQ(mpe_out_from_int(&c, 61), 41u);     // 30.5 -> 31 (SRDHM tie up) + 10
    c.rq = MPE_RQ_NONE;
    EXPECT_EQ(mpe_out_from_int(&c, 55), 65u);
    // A clamp wider than the format is intersected with the format range.
    c.lo = -1000;
    c.hi = 1000;
    EXPECT_EQ(mpe_out_from_int(&c, -500), 0u);
    EXPECT_EQ(mpe_out_from_int(&c, 500), 255u);
}

TEST(OutStage, ConfigCheckRejectsBadConfigurations) {
    char msg[160];
    mpe_outcfg ok = mpe_outcfg_default(MPE_RQ_DYADIC, MPE_OUT_INT8);
    EXPECT_EQ(mpe_outcfg_check(&ok, 0, msg, sizeof msg), MPE_OK);
    struct { mpe_outcfg c; int fl; mpe_status want; } cases[8];
    int n = 0;
    mpe_outcfg c = ok;
    c.rq = 3;
    cases[n++] = {c, 0, MPE_ERR_ARG};
    c = ok;
    c.out = MPE_OUT_COUNT;
    cases[n++] = {c, 0, MPE_ERR_ARG};
    c = ok;
    cases[n++] = {c, 1, MPE_ERR_ARG};  // dyadic from FP32 acc
    c = ok;
    c.out = MPE_OUT_FP16;
    cases[n++] = {c, 0, MPE_ERR_ARG};  // dyadic to a float output
    c = ok;
    c.shift = 32;
    cases[n++] = {c, 0, MPE_ERR_RANGE};
    c = ok;
    c.shift = -32;
    cases[n++] = {c, 0, MPE_ERR_RANGE};
    c = mpe_outcfg_default(MPE_RQ_FLOAT, MPE_OUT_UINT8);
    c.zp = 256;
    cases[n++] = {c, 0, MPE_ERR_RANGE};
    c = mpe_outcfg_default(MPE_RQ_FLOAT, MPE_OUT_INT8);
    c.lo = 5;
    c.hi = 4;
    cases[n++] = {c, 1, MPE_ERR_RANGE};
    for (int i = 0; i < n; i++) {
        msg[0] = 0;
        EXPECT_EQ(mpe_outcfg_check(&cases[i].c, cases[i].fl, msg, sizeof msg), cases[i].want) << i;
        EXPECT_NE(msg[0], 0) << i;
        EXPECT_EQ(std::strchr(msg, '\n'), nullptr);
        // Rejected configurations still compute without undefined behaviour.
        (void)mpe_out_from_int(&cases[i].c, 123456789);
        (void)mpe_out_from_f32(&cases[i].c, fbits(-3.5f));
    }
    EXPECT_EQ(mpe_outcfg_check(&cases[0].c, 0, nullptr, 0), MPE_ERR_ARG); // NULL msg ok
    // Float output accepts any zero point (ignored) and float accumulators.
    c = mpe_outcfg_default(MPE_RQ_FLOAT, MPE_OUT_BF16);
    c.zp = 100000;
    EXPECT_EQ(mpe_outcfg_check(&c, 1, msg, sizeof msg), MPE_OK);
}

// The stage end to end against the independent references, random configurations.
TEST(OutStage, RandomIntegerPathMatchesReference) {
    const uint32_t seed = 8086u;
    std::mt19937_64 rng(seed);
    for (int i = 0; i < 300000; i++) {
        int out = kIntOuts[rng() % 7];
        int rq = (int)(rng() % 3);
        mpe_outcfg c = mpe_outcfg_default(rq, out);
        int64_t qlo, qhi;
        mpe_out_range(out, &qlo, &qhi);
        c.zp = (int32_t)(qlo + (int64_t)(rng() % (uint64_t)(qhi - qlo + 1)));
        c.has_bias = rng() & 1;
        c.bias = (uint32_t)rng();
        if (rng() & 1) {
            c.lo = (int32_t)(qlo + (int64_t)(rng() % (uint64_t)(qhi - qlo + 1)));
            int64_t h = (int64_t)c.lo + (int64_t)(rng() % 64);
            c.hi = (int32_t)(h > qhi ? qhi : h);
        }
        if (rq == MPE_RQ_FLOAT)
            c.mult = (uint32_t)((100 + rng() % 30) << 23) | (uint32_t)(rng() & 0x807FFFFFu);
        if (rq == MPE_RQ_DYADIC) {
            c.mult = (uint32_t)((rng() % (1u << 30)) + (1u << 30));
            c.shift = (int32_t)(rng() % 63) - 31;
        }
        int64_t acc = mpe_sext(rng(), 48) / ((int64_t)1 << (rng() % 48));
        // reference
        int64_t v = c.has_bias ? mpe_sext((uint64_t)acc + (uint64_t)(int64_t)(int32_t)c.bias, 48) : acc;
        int64_t lo = c.lo > qlo ? c.lo : qlo, hi = c.hi < qhi ? c.hi : qhi;
        int64_t y;
        if (rq == MPE_RQ_NONE) {
            y = sat((__int128)v + c.zp, lo, hi);
        } else if (rq == MPE_RQ_DYADIC) {
            y = ref_dyadic(v, (int32_t)c.mult, c.shift, c.zp, lo, hi);
        } else {
            int s, e;
            uint32_t m;
            mpe_f32_split(c.mult, &s, &m, &e);
            y = sat(ref_rne_scaled(s ? -v : v, m, e) + c.zp, lo, hi);
        }
        int b = mpe_out_bits(out);
        uint32_t mask = b == 32 ? 0xFFFFFFFFu : (1u << b) - 1;
        ASSERT_EQ(mpe_out_from_int(&c, acc), (uint32_t)(uint64_t)y & mask)
            << "out " << mpe_out_name(out) << " rq " << rq << " acc " << acc << " seed " << seed;
    }
}

}  // namespace
