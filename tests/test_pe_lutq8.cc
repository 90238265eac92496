// The lossy int8-table LUT dot product (mpe_lut_dot_q8, C model only,
// docs/numerics.md 5.1): lut_scale = max_g(sum |x_j|) / 127 in FP32, table
// entries clamp(RNE(T / lut_scale), -127, 127), result in FP32. Known
// answers that show the ties-to-even rounding of the entries, an
// independent host-float reference, and the error bound.
#include "pe_test_util.h"

using namespace pet;

namespace {

// Reference straight from the definition: full 16-entry tables T(idx) =
// sum_j (2 b_j - 1) x_j, quantized with host FP32 division and nearbyint
// (RNE in the default rounding mode), planes combined as in 5.1.
float ref_q8(mpe_dtype at, mpe_dtype wt, const std::vector<uint16_t> &x,
             const std::vector<uint16_t> &w, float *scale_out) {
    int K = (int)x.size(), planes = mpe_lut_planes(wt);
    std::vector<int64_t> v(K);
    int64_t amax = 0, S = 0;
    for (int k = 0; k < K; k++) v[(size_t)k] = mpe_dt_int_value(at, x[(size_t)k]);
    for (int g = 0; g < K; g += 4) {
        int64_t s = 0;
        for (int j = 0; j < 4; j++) s += llabs(v[(size_t)(g + j)]);
        amax = std::max(amax, s);
    }
    for (int64_t e : v) S += e;
    float scale = amax ? (float)amax / 127.0f : 1.0f;
    *scale_out = scale;
    int64_t tq = 0;
    for (int i = 0; i < planes; i++) {
        int64_t p = 0;
        for (int g = 0; g < K; g += 4) {
            int64_t t = 0;
            for (int j = 0; j < 4; j++) {
                int q = mpe_dt_int_value(wt, w[(size_t)(g + j)]);
                int bit;  // plane bit of the weight
                if (wt.kind == MPE_DT_BINARY) bit = q > 0;
                else if (wt.kind == MPE_DT_TERNARY) bit = i == 0 ? q >= 0 : q > 0;
                else bit = (int)(((uint32_t)w[(size_t)(g + j)] >> i) & 1);
                t += (2 * bit - 1) * v[(size_t)(g + j)];
            }
            float qf = std::nearbyint((float)t / scale);
            p += (int64_t)std::max(-127.0f, std::min(127.0f, qf));
        }
        int64_t term = p * ((int64_t)1 << (wt.kind == MPE_DT_BINARY ? 1 : wt.kind == MPE_DT_TERNARY ? 0 : i));
        tq += (wt.kind == MPE_DT_INT && i == wt.bits - 1) ? -term : term;
    }
    int64_t corr = wt.kind == MPE_DT_UINT ? S * (((int64_t)1 << wt.bits) - 1)
                   : wt.kind == MPE_DT_INT ? -S : 0;
    return (scale * (float)tq + (float)corr) * 0.5f;
}

TEST(PeLutQ8, KnownAnswerTiesToEven) {
    // lut_scale = 254 / 127 = 2 exactly; groups (1,0,0,0), (3,..), (5,..)
    // give entries +-0.5, +-1.5, +-2.5 that round to 0, 2, 2 (ties to even)
    std::vector<uint16_t> x = {127, 127, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0};
    std::vector<uint16_t> w(16, 1);  // binary +1: exact dot 263
    uint32_t y = 0, sc = 0;
    ASSERT_EQ(mpe_lut_dot_q8(mpe_dt_int(8), mpe_dt_binary(), 16, x.data(), w.data(), &y, &sc),
              MPE_OK);
    EXPECT_EQ(sc, mpe_f32_bits(2.0f));
    EXPECT_EQ(y, mpe_f32_bits(262.0f));  // 2 * (127 + 0 + 2 + 2)
    // the exact LUT path gives 263
    mpe_pe_cfg c = cfg_of(MPE_MODE_LUT, mpe_dt_int(8), mpe_dt_binary());
    Pe pe(c, 16, 1);
    pe.step(x.data(), w.data(), true);
    EXPECT_EQ(pe.acc(0), 263);
    // negative weights: -0.5 -> -0, -1.5 -> -2, -2.5 -> -2
    std::vector<uint16_t> wn(16, 0);
    ASSERT_EQ(mpe_lut_dot_q8(mpe_dt_int(8), mpe_dt_binary(), 16, x.data(), wn.data(), &y, nullptr),
              MPE_OK);
    EXPECT_EQ(y, mpe_f32_bits(-262.0f));
    // 7 -> 3.5 -> 4 (even), 9 -> 4.5 -> 4 (even)
    std::vector<uint16_t> x2 = {127, 127, 0, 0, 7, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0};
    ASSERT_EQ(mpe_lut_dot_q8(mpe_dt_int(8), mpe_dt_binary(), 16, x2.data(), w.data(), &y, nullptr),
              MPE_OK);
    EXPECT_EQ(y, mpe_f32_bits(2.0f * (127 + 4 + 4)));
    // uint2 weights with the exact correction term: q = 3 everywhere:
    // planes T = S_g, correction (S << 2) - S
    std::vector<uint16_t> w3(16, 3);
    ASSERT_EQ(mpe_lut_dot_q8(mpe_dt_int(8), mpe_dt_uint(2), 16, x.data(), w3.data(), &y, nullptr),
              MPE_OK);
    // tq = (131 + 2 * 131) = 393 in units of 2; exact corr = 3 * 263 = 789
    EXPECT_EQ(y, mpe_f32_bits((2.0f * 393 + 789) * 0.5f));
}

TEST(PeLutQ8, MatchesHostReferenceAndErrorBound) {
    uint64_t seed = test_seed();
    Rng r(seed);
    std::vector<mpe_dtype> ws = {mpe_dt_binary(), mpe_dt_ternary(), mpe_dt_uint(1), mpe_dt_int(2),
                                 mpe_dt_uint(3), mpe_dt_int(4), mpe_dt_uint(4)};
    std::vector<mpe_dtype> as = {mpe_dt_int(8), mpe_dt_uint(8), mpe_dt_int(16), mpe_dt_int(3)};
    for (int t = 0; t < 600; t++) {
        mpe_dtype at = as[r.below((uint32_t)as.size())], wt = ws[r.below((uint32_t)ws.size())];
        int K = 4 * r.range(1, 64);
        std::vector<uint16_t> x((size_t)K), w((size_t)K);
        for (auto &e : x) e = (uint16_t)(r.next() & mpe_dt_mask(at));
        for (auto &e : w) e = (uint16_t)(r.next() & mpe_dt_mask(wt));
        uint32_t y, sc;
        ASSERT_EQ(mpe_lut_dot_q8(at, wt, K, x.data(), w.data(), &y, &sc), MPE_OK);
        float rs;
        float ry = ref_q8(at, wt, x, w, &rs);
        ASSERT_EQ(sc, mpe_f32_bits(rs)) << repro(seed);
        ASSERT_EQ(y, mpe_f32_bits(ry)) << repro(seed) << " trial " << t;
        // error bound: each entry is off by <= lut_scale / 2; plane i weighs 2^i
        double exact = (double)int_dot(at, wt, x.data(), w.data(), K);
        int planes = mpe_lut_planes(wt);
        double wsum = wt.kind == MPE_DT_BINARY ? 2 : wt.kind == MPE_DT_TERNARY ? 2 : (1 << planes) - 1;
        double bound = 0.5 * wsum * (K / 4) * rs * 0.5 + 1e-6 * std::fabs(exact) + 1;
        EXPECT_LE(std::fabs(mpe_f32_from_bits(y) - exact), bound) << repro(seed);
    }
}

TEST(PeLutQ8, ZeroActivationsAndErrors) {
    std::vector<uint16_t> x(8, 0), w(8, 1);
    uint32_t y = 1, sc = 0;
    ASSERT_EQ(mpe_lut_dot_q8(mpe_dt_int(8), mpe_dt_int(2), 8, x.data(), w.data(), &y, &sc), MPE_OK);
    EXPECT_EQ(y, 0u);
    EXPECT_EQ(sc, mpe_f32_bits(1.0f));
    EXPECT_EQ(mpe_lut_dot_q8(mpe_dt_int(8), mpe_dt_int(2), 6, x.data(), w.data(), &y, &sc), MPE_ERR_ARG);
    EXPECT_EQ(mpe_lut_dot_q8(mpe_dt_int(8), mpe_dt_int(2), 0, x.data(), w.data(), &y, &sc), MPE_ERR_ARG);
    EXPECT_EQ(mpe_lut_dot_q8(mpe_dt_int(8), mpe_dt_int(5), 8, x.data(), w.data(), &y, &sc), MPE_ERR_ARG);
    EXPECT_EQ(mpe_lut_dot_q8(mpe_dt_fp(MPE_FMT_E4M3), mpe_dt_int(2), 8, x.data(), w.data(), &y, &sc),
              MPE_ERR_ARG);
    EXPECT_EQ(mpe_lut_dot_q8(mpe_dt_int(8), mpe_dt_int(2), 8, nullptr, w.data(), &y, &sc), MPE_ERR_ARG);
    EXPECT_EQ(mpe_lut_dot_q8(mpe_dt_int(8), mpe_dt_int(2), 8, x.data(), w.data(), nullptr, &sc),
              MPE_ERR_ARG);
}

}  // namespace
