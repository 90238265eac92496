// Block quantizers: OCP MX, classic BFP, NVFP4 (docs/numerics.md 3.2-3.4).
// Known answers from the MX spec and hand-computed vectors: saturation of
// the block maximum, ties to the even code, special blocks, negative zero,
// subnormal block maxima.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "mpe/fp32.h"
#include "mpe/quant.h"
}

#include "pe_test_util.h"  // pet::test_seed, pet::repro

namespace {

uint32_t bits(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }
float fl(uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }

struct Q {
    mpe_qtensor q{};
    std::vector<float> y;
    mpe_status st = MPE_OK;
    Q(const char *name, std::vector<float> x, mpe_round r = MPE_RNE, int group = 0) {
        mpe_qspec s;
        EXPECT_EQ(mpe_qspec_parse(name, &s), MPE_OK) << name;
        s.round = (uint8_t)r;
        if (group) s.group = group;
        int64_t dims[2] = {1, (int64_t)x.size()};
        char e[256];
        st = mpe_quantize(&s, x.data(), 2, dims, &q, e, sizeof e);
        EXPECT_EQ(st, MPE_OK) << e;
        y.resize(q.count);
        if (st == MPE_OK) mpe_dequantize(&q, y.data());
    }
    ~Q() { mpe_qt_free(&q); }
};

std::vector<float> pad(std::vector<float> v, size_t n) {
    v.resize(n, 0.0f);
    return v;
}

TEST(QuantMx, FloorLog2FromBits) {
    EXPECT_EQ(mpe_q_floor_log2(bits(1.0f)), 0);
    EXPECT_EQ(mpe_q_floor_log2(bits(1.99999988f)), 0);
    EXPECT_EQ(mpe_q_floor_log2(bits(0.75f)), -1);
    EXPECT_EQ(mpe_q_floor_log2(bits(448.0f)), 8);
    EXPECT_EQ(mpe_q_floor_log2(bits(-3.0e38f)), 127);
    EXPECT_EQ(mpe_q_floor_log2(0x00800000u), -126);  // smallest normal
    EXPECT_EQ(mpe_q_floor_log2(0x007FFFFFu), -127);  // largest subnormal
    EXPECT_EQ(mpe_q_floor_log2(0x00400000u), -127);
    EXPECT_EQ(mpe_q_floor_log2(0x00000001u), -149);
    EXPECT_EQ(mpe_q_floor_log2(0x00000003u), -148);
}

// OCP MX v1.0 example: 32 copies of 1.875 in MXFP8 E4M3.
TEST(QuantMx, SpecExampleE4M3Saturates) {
    for (mpe_round r : {MPE_RNE, MPE_RNA}) {
        Q a("mxfp8_e4m3", std::vector<float>(32, 1.875f), r);
        EXPECT_EQ(a.q.scales[0], 127u - 8u);  // X = 2^(0 - 8)
        for (int i = 0; i < 32; i++) {
            EXPECT_EQ(a.q.codes[i], 0x7Eu) << i;  // 480 saturates to 448
            EXPECT_EQ(a.y[i], 1.75f) << i;
        }
    }
}

TEST(QuantMx, Fp4TiesGoToEvenCode) {
    // amax 5: floor(log2) 2 - emax 2 -> X = 1, so the elements are the values.
    std::vector<float> x = pad({5, 2.5f, 0.25f, 0.75f, 1.25f, 1.75f, -2.5f, 3.5f, 4}, 32);
    Q e("mxfp4", x), a("mxfp4", x, MPE_RNA);
    EXPECT_EQ(e.q.scales[0], 127u);
    // E2M1 codes: 0 0.5 1 1.5 2 3 4 6 -> 0..7
    uint16_t rne[] = {6, 4, 0, 2, 2, 4, 0xC, 6, 6};
    uint16_t rna[] = {7, 5, 1, 2, 3, 4, 0xD, 6, 6};
    for (int i = 0; i < 9; i++) {
        EXPECT_EQ(e.q.codes[i], rne[i]) << x[i];
        EXPECT_EQ(a.q.codes[i], rna[i]) << x[i];
    }
    EXPECT_EQ(e.y[1], 2.0f);
    EXPECT_EQ(a.y[1], 3.0f);
}

TEST(QuantMx, AllZeroBlockGetsScaleCodeZero) {
    std::vector<float> x(64, 0.0f);
    x[3] = -0.0f;
    x[40] = 1.0f;  // the second block is not zero
    for (const char *f : {"mxfp4", "mxfp8_e4m3", "mxint8", "mxfp6_e2m3", "bfp16"}) {
        Q a(f, x, MPE_RNE, std::string(f) == "bfp16" ? 32 : 0);
        EXPECT_EQ(a.q.scales[0], 0u) << f;
        for (int i = 0; i < 32; i++) {
            EXPECT_EQ(a.q.codes[i], 0u) << f << " " << i;
            EXPECT_EQ(bits(a.y[i]), 0u) << f << " " << i;
        }
        EXPECT_NE(a.q.scales[1], 0u) << f;
        EXPECT_EQ(a.y[40], 1.0f) << f;
    }
}

TEST(QuantMx, NanOrInfBlockGetsNanScale) {
    for (float sp : {NAN, INFINITY, -INFINITY}) {
        std::vector<float> x(64, 1.0f);
        x[7] = sp;
        for (const char *f : {"mxfp4", "mxfp8_e5m2", "mxint8", "bfp12"}) {
            Q a(f, x);
            EXPECT_EQ(a.q.scales[0], 0xFFu) << f;
            for (int i = 0; i < a.q.spec.group; i++) {
                EXPECT_EQ(a.q.codes[i], 0u) << f;
                EXPECT_TRUE(std::isnan(a.y[i])) << f << " " << i;
            }
            EXPECT_EQ(a.y[33], 1.0f) << f;  // the next block is unaffected
        }
    }
}

TEST(QuantMx, ClippingOfTheBlockMaximum) {
    // mxfp4: max 1.875 -> X = 2^-2, 7.5 saturates to 6, decodes to 1.5.
    Q a("mxfp4", pad({1.875f, 0.5f}, 32));
    EXPECT_EQ(a.q.scales[0], 125u);
    EXPECT_EQ(a.q.codes[0], 7u);
    EXPECT_EQ(a.y[0], 1.5f);
    EXPECT_EQ(a.y[1], 0.5f);
    // mxfp6_e2m3: 1.99 * 4 = 7.96 -> 7.5 -> 1.875
    Q b("mxfp6_e2m3", pad({1.99f}, 32));
    EXPECT_EQ(b.q.codes[0], 0x1Fu);
    EXPECT_EQ(b.y[0], 1.875f);
    // mxfp8_e5m2: 1.99 * 2^15 = 65208 > 57344 -> 1.75
    Q c("mxfp8_e5m2", pad({-1.99f}, 32));
    EXPECT_EQ(c.q.scales[0], 127u - 15u);
    EXPECT_EQ(c.q.codes[0], 0xFBu);
    EXPECT_EQ(c.y[0], -1.75f);
    // mxfp6_e3m2: emax 4, max 28: 1.9 * 16 = 30.4 -> 28 -> 1.75
    Q d("mxfp6_e3m2", pad({1.9f}, 32));
    EXPECT_EQ(d.y[0], 1.75f);
}

TEST(QuantMx, MxInt8SymmetricClamp) {
    float t = std::ldexp(1.0f, -7);  // 2^-7 * 64 = 0.5: a tie
    std::vector<float> x = pad({1.999f, -1.999f, 1, 0.5f, t, 3 * t, -t}, 32);
    Q e("mxint8", x), a("mxint8", x, MPE_RNA);
    EXPECT_EQ(e.q.scales[0], 127u);
    int want_e[] = {127, -127, 64, 32, 0, 2, 0};
    int want_a[] = {127, -127, 64, 32, 1, 2, -1};
    for (int i = 0; i < 7; i++) {
        EXPECT_EQ(mpe_sext(e.q.codes[i], 8), want_e[i]) << i;
        EXPECT_EQ(mpe_sext(a.q.codes[i], 8), want_a[i]) << i;
    }
    EXPECT_EQ(e.y[0], 1.984375f);
    EXPECT_EQ(e.y[1], -1.984375f);
    // code -128 is never produced but decodes to -2 * X
    mpe_dtype i8 = mpe_dt_bfpint(8);
    EXPECT_EQ(fl(mpe_mx_dequant(i8, 0x80, 127)), -2.0f);
    EXPECT_EQ(fl(mpe_mx_dequant(i8, 0x80, 130)), -16.0f);
    EXPECT_TRUE(std::isnan(fl(mpe_mx_dequant(i8, 0x01, 0xFF))));
}

TEST(QuantMx, NegativeZeroElements) {
    Q a("mxfp8_e4m3", pad({-0.0f, 1.0f}, 32));
    EXPECT_EQ(a.q.codes[0], 0x80u);
    EXPECT_EQ(bits(a.y[0]), 0x80000000u);
    Q b("mxfp4", pad({-0.0f, 1.0f}, 32));
    EXPECT_EQ(b.q.codes[0], 0x8u);
    EXPECT_EQ(bits(b.y[0]), 0x80000000u);
    // tiny negative values that round to zero keep their sign
    Q c("mxfp4", pad({-0.1f, 4.0f}, 32));
    EXPECT_EQ(c.q.codes[0], 0x8u);
    // integer mantissas have no negative zero
    Q d("mxint8", pad({-0.0f, 1.0f}, 32));
    EXPECT_EQ(d.q.codes[0], 0u);
    EXPECT_EQ(bits(d.y[0]), 0u);
}

TEST(QuantMx, SubnormalBlockMaximum) {
    // amax = 2^-130 (subnormal): floor(log2) -130 - 8 -> clamped to -127.
    float t = std::ldexp(1.0f, -130);
    Q a("mxfp8_e4m3", pad({t, -t / 2}, 32));
    EXPECT_EQ(a.q.scales[0], 0u);
    EXPECT_EQ(a.q.codes[0], 0x20u);  // 2^-3 = 0.125 in E4M3: biased exp 4, mant 0
    EXPECT_EQ(a.y[0], t);
    EXPECT_EQ(a.y[1], -t / 2);
    // BFP: E = -130 + 127 clamped to 0; mantissa 2^-130 * 2^127 * 2^6 = 8
    Q b("bfp16", pad({t}, 16));
    EXPECT_EQ(b.q.scales[0], 0u);
    EXPECT_EQ(b.q.codes[0], 8u);
    EXPECT_EQ(b.y[0], t);
    // the smallest subnormal: in FP4 2^-149 * 2^127 rounds to zero
    Q c("mxfp4", pad({fl(1)}, 32));
    EXPECT_EQ(c.q.scales[0], 0u);
    EXPECT_EQ(c.q.codes[0], 0u);
    // amax just below the smallest normal: exponent -127 exactly
    Q d("mxint8", pad({fl(0x007FFFFF)}, 32));
    EXPECT_EQ(d.q.scales[0], 0u);
    EXPECT_EQ(mpe_sext(d.q.codes[0], 8), 127);  // 1.99999 * 64 -> 128 -> 127
}

TEST(QuantMx, ScaleMatchesLargestElement) {
    // X = 2^(floor(log2 amax) - emax) for each element format
    struct { const char *f; int emax; } fm[] = {{"mxfp8_e4m3", 8}, {"mxfp8_e5m2", 15},
        {"mxfp6_e3m2", 4}, {"mxfp6_e2m3", 2}, {"mxfp4", 2}, {"mxint8", 0}};
    for (auto &m : fm)
        for (int e : {-120, -20, -1, 0, 3, 100, 127}) {
            float v = std::ldexp(1.5f, e);
            Q a(m.f, pad({0.1f * v, -v}, 32));
            int want = e - m.emax;
            if (want < -127) want = -127;
            EXPECT_EQ((int)a.q.scales[0], want + 127) << m.f << " e=" << e;
        }
}

// Independent oracle: every MX element is the representable value nearest to
// V / X (found by scanning all codes), ties to the even code (RNE) or to the
// larger magnitude (RNA), saturating at the largest normal.
uint16_t nearest_code(mpe_fmt f, double t, mpe_round r) {
    const mpe_fmt_info *fi = mpe_fmt_get(f);
    unsigned sign_bit = 1u << (fi->bits - 1);
    double a = std::fabs(t);
    uint16_t best = 0;
    double bd = INFINITY;
    for (uint32_t c = 0; c < sign_bit; c++) {
        double v = mpe_fp_decode(f, c);
        if (std::isnan(v) || std::isinf(v)) continue;
        double d = std::fabs(v - a);
        bool tie = d == bd;
        if (d < bd || (tie && (r == MPE_RNA ? v > mpe_fp_decode(f, best) : (c & 1) == 0))) {
            bd = d;
            best = (uint16_t)c;
        }
    }
    return (uint16_t)(best | (std::signbit(t) ? sign_bit : 0));
}

TEST(QuantMx, ElementsAreNearestRepresentable) {
    const char *names[] = {"mxfp4", "mxfp6_e2m3", "mxfp6_e3m2", "mxfp8_e4m3", "mxfp8_e5m2"};
    mpe_fmt fmts[] = {MPE_FMT_E2M1, MPE_FMT_E2M3, MPE_FMT_E3M2, MPE_FMT_E4M3, MPE_FMT_E5M2};
    uint32_t s = 4242;
    auto rnd = [&]() { s = s * 1664525u + 1013904223u; return s; };
    for (int k = 0; k < 5; k++)
        for (mpe_round r : {MPE_RNE, MPE_RNA})
            for (int trial = 0; trial < 40; trial++) {
                std::vector<float> x(32);
                int e0 = (int)(rnd() % 60) - 30;
                for (auto &v : x) {
                    uint32_t u = rnd();
                    // mix of magnitudes down to 2^-12 below the block max, exact ties
                    float m = (u & 1) ? (float)((rnd() >> 8) & 0xFF) / 16.0f
                                      : (float)(int32_t)(rnd() >> 9) / 4194304.0f;
                    v = std::ldexp(m, e0 - (int)((u >> 1) % 13)) * ((u & 2) ? -1.0f : 1.0f);
                }
                Q q(names[k], x, r);
                int se = (int)q.q.scales[0] - 127;
                for (int i = 0; i < 32; i++) {
                    double t = std::ldexp((double)x[i], -se);
                    ASSERT_EQ(q.q.codes[i], nearest_code(fmts[k], t, r))
                        << names[k] << " r=" << r << " trial " << trial << " x=" << x[i];
                }
            }
}

TEST(QuantBfp, Bfp16Block32EqualsMxInt8) {
    // Different entry points of the same rule: codes and scales agree.
    for (uint32_t seed = 1; seed <= 20; seed++) {
        uint32_t s = seed * 2654435761u;
        auto rnd = [&]() { s = s * 1664525u + 1013904223u; return s; };
        std::vector<float> x(256);
        for (auto &v : x) {
            uint32_t u = rnd();
            // random sign/exponent range around 2^-20..2^20, some zeros
            v = (u % 17 == 0) ? 0.0f
                              : std::ldexp((float)(int32_t)(rnd() >> 8) / 8388608.0f,
                                           (int)(u % 41) - 20);
        }
        Q a("bfp16", x, MPE_RNE, 32), b("mxint8", x);
        ASSERT_EQ(a.q.nscales, b.q.nscales);
        for (size_t k = 0; k < a.q.nscales; k++)
            ASSERT_EQ(a.q.scales[k], b.q.scales[k]) << "seed " << seed << " block " << k;
        for (size_t i = 0; i < x.size(); i++) {
            ASSERT_EQ(a.q.codes[i], b.q.codes[i]) << "seed " << seed << " i " << i;
            ASSERT_EQ(bits(a.y[i]), bits(b.y[i])) << "seed " << seed << " i " << i;
        }
    }
}

TEST(QuantBfp, Bfp12HandVector) {
    // 4-bit mantissas: m = round(V * 2^-(E-127) * 4), |m| <= 7
    float t = 0.125f;
    std::vector<float> x = pad({1.5f, -1.75f, 0.25f, t, 1.0f, 1.9f, -0.0f}, 16);
    Q e("bfp12", x), a("bfp12", x, MPE_RNA);
    EXPECT_EQ(e.q.scales[0], 127u);
    int we[] = {6, -7, 1, 0, 4, 7, 0};
    int wa[] = {6, -7, 1, 1, 4, 7, 0};
    for (int i = 0; i < 7; i++) {
        EXPECT_EQ(mpe_sext(e.q.codes[i], 4), we[i]) << i;
        EXPECT_EQ(mpe_sext(a.q.codes[i], 4), wa[i]) << i;
    }
    EXPECT_EQ(e.y[5], 1.75f);  // 7.6 clamps to 7
    EXPECT_EQ(e.y[1], -1.75f);
    // block size 8 and 64
    Q b("bfp16", pad({100.0f}, 64), MPE_RNE, 8);
    EXPECT_EQ(b.q.nscales, 8u);
    EXPECT_EQ(b.q.scales[0], 127u + 6u);
    EXPECT_EQ(b.q.scales[1], 0u);
    EXPECT_EQ(mpe_sext(b.q.codes[0], 8), 100);  // 100 / 64 * 64
}

// Mantissa widths 5, 6 and 7 (no named format: mpe_bfp_block directly).
// Expected codes by hand from docs/numerics.md 3.4: E = floor(log2 amax) + 127,
// m = clamp(round(V * 2^-(E-127) * 2^(b-2)), -(2^(b-1)-1), 2^(b-1)-1), stored
// as b-bit two's complement; value m * 2^(E-127) * 2^-(b-2).
struct BfpVec {
    int b;
    uint8_t E;
    std::vector<float> x;
    std::vector<int> rne, rna;  // signed mantissas
    std::vector<uint16_t> code; // the RNE codes as stored
    std::vector<float> y;       // RNE dequantized
};

const std::vector<BfpVec> &bfp_vectors() {
    static const std::vector<BfpVec> v = {
        // b = 5, lim 15: amax 3.9 -> floor(log2) 1, E 128; m = 4 V
        {5, 128,
         {3.9f, -2.5f, 1.125f, 0.375f, 0.625f, -0.0f, 0.1f, -3.875f, -0.875f},
         {15, -10, 4, 2, 2, 0, 0, -15, -4},    // 15.6 -> 16 clamps; 4.5 -> 4; -15.5 -> -16 clamps
         {15, -10, 5, 2, 3, 0, 0, -15, -4},    // ties away: 4.5 -> 5, 2.5 -> 3
         {0x0F, 0x16, 0x04, 0x02, 0x02, 0x00, 0x00, 0x11, 0x1C},
         {3.75f, -2.5f, 1.0f, 0.5f, 0.5f, 0.0f, 0.0f, -3.75f, -1.0f}},
        // b = 6, lim 31: amax 0.99 -> floor(log2) -1, E 126; m = 32 V
        {6, 126,
         {0.99f, -0.75f, 0.015625f, 0.046875f, -0.078125f, 0.3f, 0.0009765625f, -0.5f},
         {31, -24, 0, 2, -2, 10, 0, -16},      // 31.68 -> 32 clamps; 0.5 -> 0; -2.5 -> -2; 9.6 -> 10
         {31, -24, 1, 2, -3, 10, 0, -16},
         {0x1F, 0x28, 0x00, 0x02, 0x3E, 0x0A, 0x00, 0x30},
         {0.96875f, -0.75f, 0.0f, 0.0625f, -0.0625f, 0.3125f, 0.0f, -0.5f}},
        // b = 7, lim 63: amax 15.9 -> floor(log2) 3, E 130; m = 4 V
        {7, 130,
         {-15.9f, 12.0f, 0.125f, 0.375f, -0.625f, 7.8f, 15.75f, 0.001f},
         {-63, 48, 0, 2, -2, 31, 63, 0},       // -63.6 -> -64 clamps; 31.2 -> 31; 63 exact
         {-63, 48, 1, 2, -3, 31, 63, 0},
         {0x41, 0x30, 0x00, 0x02, 0x7E, 0x1F, 0x3F, 0x00},
         {-15.75f, 12.0f, 0.0f, 0.5f, -0.5f, 7.75f, 15.75f, 0.0f}},
        // subnormal amax 2^-128: floor(log2) -128, E clamps to 0;
        // m = 2^-128 * 2^127 * 2^(b-2) = 2^(b-3), value 2^-128 again
        {5, 0, {std::ldexp(1.0f, -128)}, {4}, {4}, {0x04}, {std::ldexp(1.0f, -128)}},
        {6, 0, {-std::ldexp(1.0f, -128)}, {-8}, {-8}, {0x38}, {-std::ldexp(1.0f, -128)}},
        {7, 0, {std::ldexp(1.0f, -128)}, {16}, {16}, {0x10}, {std::ldexp(1.0f, -128)}},
        // amax 3e38: floor(log2) 127, E 254; b = 6: 3e38 / 2^127 = 1.763 * 16 = 28.2 -> 28
        {6, 254, {3.0e38f, -1.0e38f}, {28, -9}, {28, -9}, {0x1C, 0x37},
         {std::ldexp(28.0f, 123), std::ldexp(-9.0f, 123)}},  // -1e38 / 2^123 = -9.4 -> -9
    };
    return v;
}

TEST(QuantBfp, Mantissa5To7HandVectors) {
    for (const BfpVec &t : bfp_vectors()) {
        int n = (int)t.x.size();
        std::vector<uint16_t> ce((size_t)n, 0xFFFF), ca((size_t)n, 0xFFFF);
        uint8_t Ee = mpe_bfp_block(t.b, t.x.data(), n, MPE_RNE, ce.data());
        uint8_t Ea = mpe_bfp_block(t.b, t.x.data(), n, MPE_RNA, ca.data());
        EXPECT_EQ(Ee, t.E) << "b=" << t.b;
        EXPECT_EQ(Ea, t.E) << "b=" << t.b;
        mpe_dtype dt = mpe_dt_bfpint(t.b);
        for (int i = 0; i < n; i++) {
            EXPECT_EQ(ce[(size_t)i], t.code[(size_t)i]) << "b=" << t.b << " x=" << t.x[(size_t)i];
            EXPECT_EQ(mpe_sext(ce[(size_t)i], t.b), t.rne[(size_t)i])
                << "b=" << t.b << " x=" << t.x[(size_t)i];
            EXPECT_EQ(mpe_sext(ca[(size_t)i], t.b), t.rna[(size_t)i])
                << "b=" << t.b << " RNA x=" << t.x[(size_t)i];
            EXPECT_EQ(ce[(size_t)i] >> t.b, 0) << "b=" << t.b << " bits above the mantissa";
            uint32_t y = mpe_mx_dequant(dt, ce[(size_t)i], Ee);
            EXPECT_EQ(y, bits(t.y[(size_t)i])) << "b=" << t.b << " x=" << t.x[(size_t)i]
                                               << " -> " << fl(y);
        }
    }
    // NaN/inf blocks (E 0xFF, zero mantissas) and all-zero blocks (E 0), every width
    for (int b = 5; b <= 7; b++) {
        for (float sp : {NAN, INFINITY, -INFINITY}) {
            std::vector<float> x = {1.0f, sp, -2.0f};
            std::vector<uint16_t> c(3, 0xFFFF);
            EXPECT_EQ(mpe_bfp_block(b, x.data(), 3, MPE_RNE, c.data()), 0xFFu) << b;
            for (uint16_t k : c) EXPECT_EQ(k, 0u) << b;
            EXPECT_TRUE(std::isnan(fl(mpe_mx_dequant(mpe_dt_bfpint(b), 0, 0xFF)))) << b;
        }
        std::vector<float> z = {0.0f, -0.0f, 0.0f};
        std::vector<uint16_t> c(3, 0xFFFF);
        EXPECT_EQ(mpe_bfp_block(b, z.data(), 3, MPE_RNE, c.data()), 0u) << b;
        for (uint16_t k : c) EXPECT_EQ(k, 0u) << b;
    }
}

// Round trip: in a block with shared exponent e = floor(log2 amax) (found
// with frexp, not the code under test) and ulp = 2^(e-(b-2)), every element
// comes back within ulp/2, except those past (2^(b-1)-1) ulp, which clamp to
// +-(2^(b-1)-1) ulp (error below one ulp). Exponents stay in the normal range
// so the dequantized values are exact in FP32.
TEST(QuantBfp, RoundTripErrorBound) {
    const uint64_t seed = pet::test_seed();
    pet::Rng r(seed ^ 0xBF9ull);
    long checked = 0, clamped = 0;
    for (int trial = 0; trial < 3000; trial++) {
        int b = 4 + trial % 5;  // 4..8
        mpe_round rm = (trial / 5) % 2 ? MPE_RNA : MPE_RNE;
        int n = r.range(1, 64);
        int e0 = r.range(-100, 100);
        std::vector<float> x((size_t)n);
        for (float &v : x) {
            // magnitudes from 2^(e0-12) to just below 2^(e0+1), some exact zeros
            uint64_t u = r.next();
            float m = (float)((u >> 8) & 0xFFFFFF) / 16777216.0f;  // [0, 1)
            v = (u % 23 == 0) ? 0.0f : std::ldexp(1.0f + m, e0 - (int)((u >> 40) % 13));
            if (u & 1) v = -v;
        }
        double amax = 0;
        for (float v : x) amax = std::max(amax, (double)std::fabs(v));
        std::vector<uint16_t> c((size_t)n);
        uint8_t E = mpe_bfp_block(b, x.data(), n, rm, c.data());
        if (amax == 0) {
            ASSERT_EQ(E, 0u) << pet::repro(seed) << " trial " << trial;
            continue;
        }
        int fe;
        std::frexp(amax, &fe);  // amax = f 2^fe, f in [0.5, 1): floor(log2) = fe - 1
        ASSERT_EQ((int)E, fe - 1 + 127) << pet::repro(seed) << " trial " << trial;
        double ulp = std::ldexp(1.0, fe - 1 - (b - 2));
        double lim = (double)((1 << (b - 1)) - 1);
        mpe_dtype dt = mpe_dt_bfpint(b);
        for (int i = 0; i < n; i++) {
            double xv = x[(size_t)i];
            double y = fl(mpe_mx_dequant(dt, c[(size_t)i], E));
            double err = std::fabs(y - xv);
            checked++;
            if (std::fabs(xv) <= lim * ulp) {
                ASSERT_LE(err, ulp / 2) << pet::repro(seed) << " trial " << trial << " b=" << b
                                        << " x=" << x[(size_t)i] << " y=" << y;
            } else {
                clamped++;
                ASSERT_EQ(y, std::copysign(lim * ulp, xv))
                    << pet::repro(seed) << " trial " << trial << " b=" << b << " x=" << x[(size_t)i];
                ASSERT_LT(err, ulp) << pet::repro(seed) << " trial " << trial;
            }
        }
    }
    EXPECT_GT(clamped, 0);  // the clamp branch was exercised
    EXPECT_GT(checked, 50000);
}

// NVFP4 hand-computed: tensor amax 2688 -> St = 1 exactly.
TEST(QuantNvfp4, HandComputedBlocks) {
    std::vector<float> x(64, 0.0f);
    float A[] = {2688, 1344, -672, 112, 56, 0, -0.0f, 1000};
    float B[] = {30, 12.5f, 7.5f, -2.5f, 1.25f, 3.75f};
    float D[] = {7, -3.5f, 1};
    for (int i = 0; i < 8; i++) x[i] = A[i];
    for (int i = 0; i < 6; i++) x[16 + i] = B[i];
    for (int i = 0; i < 3; i++) x[48 + i] = D[i];
    Q e("nvfp4", x), a("nvfp4", x, MPE_RNA);
    EXPECT_EQ(e.q.tensor_scale, bits(1.0f));
    EXPECT_EQ(e.q.scales[0], 0x7Eu);  // 448
    EXPECT_EQ(e.q.scales[1], 0x4Au);  // 5
    EXPECT_EQ(e.q.scales[2], 0x00u);  // zero block
    EXPECT_EQ(e.q.scales[3], 0x39u);  // 7/6 = 1.1667 -> 1.125
    uint16_t ca[] = {7, 5, 0xB, 0, 0, 0, 0x8, 4};
    uint16_t cb_e[] = {7, 4, 3, 0x9, 0, 2}, cb_a[] = {7, 5, 3, 0x9, 1, 2};
    uint16_t cd[] = {7, 0xD, 2};
    for (int i = 0; i < 8; i++) EXPECT_EQ(e.q.codes[i], ca[i]) << i;
    EXPECT_EQ(a.q.codes[3], 1u);  // 0.25 -> 0.5 away from zero
    for (int i = 0; i < 6; i++) {
        EXPECT_EQ(e.q.codes[16 + i], cb_e[i]) << i;
        EXPECT_EQ(a.q.codes[16 + i], cb_a[i]) << i;
    }
    for (int i = 0; i < 3; i++) EXPECT_EQ(e.q.codes[48 + i], cd[i]) << i;
    float ya[] = {2688, 1344, -672, 0, 0, 0, -0.0f, 896};
    for (int i = 0; i < 8; i++) EXPECT_EQ(e.y[i], ya[i]) << i;
    EXPECT_EQ(bits(e.y[6]), 0x80000000u);
    EXPECT_EQ(e.y[17], 10.0f);   // 2 * 5
    EXPECT_EQ(a.y[17], 15.0f);   // 3 * 5
    EXPECT_EQ(e.y[48], 6.75f);   // clipped: 6 * 1.125
    EXPECT_EQ(e.y[49], -3.375f);
    EXPECT_EQ(e.y[50], 1.125f);
    for (int i = 32; i < 48; i++) EXPECT_EQ(bits(e.y[i]), 0u);
}

TEST(QuantNvfp4, TensorScaleAndSpecials) {
    std::vector<float> x(32, 0.0f);
    x[0] = 5376;  // amax 5376 -> St = 2
    x[1] = 448;   // 448 / 2688... block amax 5376: sv = 896 / 2 = 448
    x[16] = NAN;
    x[17] = 1;
    Q a("nvfp4", x);
    EXPECT_EQ(a.q.tensor_scale, bits(2.0f));
    EXPECT_EQ(a.q.scales[0], 0x7Eu);
    EXPECT_EQ(a.y[0], 5376.0f);
    EXPECT_EQ(a.y[1], 448.0f);  // 448 / 896 = 0.5 exactly
    EXPECT_EQ(a.q.scales[1], 0x7Fu);
    for (int i = 16; i < 32; i++) {
        EXPECT_EQ(a.q.codes[i], 0u);
        EXPECT_TRUE(std::isnan(a.y[i]));
    }
    // all zero tensor: St = 1, scales 0, values +0
    Q z("nvfp4", std::vector<float>(16, -0.0f));
    EXPECT_EQ(z.q.tensor_scale, bits(1.0f));
    EXPECT_EQ(z.q.scales[0], 0u);
    EXPECT_EQ(bits(z.y[0]), 0u);
    // St rounds in FP32: amax 6 -> fp32(6 / 2688)
    Q s("nvfp4", std::vector<float>(16, 6.0f));
    EXPECT_EQ(s.q.tensor_scale, 0x3B124925u);
    // a tiny amax whose St underflows to 0: St = 1, elements 0
    Q u("nvfp4", std::vector<float>(16, fl(3)));
    EXPECT_EQ(u.q.tensor_scale, bits(1.0f));
    EXPECT_EQ(u.q.scales[0], 0u);
    EXPECT_EQ(u.y[0], 0.0f);
    // dequant is (e * s) * St in FP32
    EXPECT_EQ(fl(mpe_nvfp4_dequant(7, 0x7E, bits(0.5f))), 1344.0f);
    EXPECT_TRUE(std::isnan(fl(mpe_nvfp4_dequant(1, 0xFF, bits(1.0f)))));  // sign ignored
}

}  // namespace
