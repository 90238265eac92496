// Quantizers, integer family and format table (docs/numerics.md 3.1, 3.5):
// hand-computed vectors, rounding ties, clamps, granularity, error paths.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "mpe/fp32.h"
#include "mpe/quant.h"
}

namespace {

uint32_t bits(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }
float fl(uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }

// Quantizes x (shape dims) with format `name`; returns dequantized values.
struct Q {
    mpe_qtensor q{};
    std::vector<float> y;
    mpe_status st = MPE_OK;
    std::string err;
    Q(const char *name, const std::vector<float> &x, std::vector<int64_t> dims,
      mpe_round r = MPE_RNE, int group = -1, int axis = -1) {
        mpe_qspec s;
        EXPECT_EQ(mpe_qspec_parse(name, &s), MPE_OK) << name;
        s.round = (uint8_t)r;
        if (group >= 0) s.group = group;
        if (axis >= 0) { s.axis = axis; if (group < 0) s.group = 0; }
        char e[256] = "";
        st = mpe_quantize(&s, x.data(), (int)dims.size(), dims.data(), &q, e, sizeof e);
        err = e;
        if (st == MPE_OK) {
            y.resize(q.count);
            EXPECT_EQ(mpe_dequantize(&q, y.data()), MPE_OK);
        }
    }
    ~Q() { mpe_qt_free(&q); }
    int32_t val(size_t i) const { return mpe_dt_int_value(q.spec.elem, q.codes[i]); }
};

TEST(QuantSpec, TableListsEveryFormat) {
    const char *names[] = {"int2", "int3", "int4", "int5", "int6", "int7", "int8",
                           "uint2", "uint3", "uint4", "uint5", "uint6", "uint7", "uint8",
                           "ternary", "pow2", "mxint8", "mxfp8_e4m3", "mxfp8_e5m2",
                           "mxfp6_e3m2", "mxfp6_e2m3", "mxfp4", "nvfp4", "bfp16", "bfp12",
                           "fp16", "bf16"};
    EXPECT_EQ(mpe_qformat_count(), (int)(sizeof names / sizeof names[0]));
    for (const char *n : names) {
        mpe_qspec s;
        ASSERT_EQ(mpe_qspec_parse(n, &s), MPE_OK) << n;
        EXPECT_STREQ(mpe_qspec_name(&s), n);
        EXPECT_EQ(s.round, MPE_RNE);
        EXPECT_EQ(s.axis, -1);
    }
    mpe_qspec s;
    EXPECT_EQ(mpe_qspec_parse("int9", &s), MPE_ERR_ARG);
    EXPECT_EQ(mpe_qspec_parse("int1", &s), MPE_ERR_ARG);
    EXPECT_EQ(mpe_qspec_parse("mxfp3", &s), MPE_ERR_ARG);
    EXPECT_EQ(mpe_qspec_parse("", &s), MPE_ERR_ARG);
    // default blocks
    mpe_qspec_parse("mxfp4", &s); EXPECT_EQ(s.group, 32);
    mpe_qspec_parse("nvfp4", &s); EXPECT_EQ(s.group, 16);
    mpe_qspec_parse("bfp12", &s); EXPECT_EQ(s.group, 16); EXPECT_EQ(s.elem.bits, 4);
    mpe_qspec_parse("int4", &s); EXPECT_EQ(s.group, 0);
    mpe_qspec_parse("mxfp6_e3m2", &s); EXPECT_EQ(s.elem.bits, 6);
}

TEST(QuantSpec, CheckRejectsBadGranularity) {
    mpe_qspec s;
    char e[256];
    int64_t d2[2] = {4, 64}, d1[1] = {48};
    mpe_qspec_parse("int4", &s);
    s.group = 8;
    EXPECT_EQ(mpe_qspec_check(&s, 2, d2, e, sizeof e), MPE_ERR_RANGE);
    EXPECT_NE(std::string(e).find("group 8"), std::string::npos) << e;
    s.group = 512;
    EXPECT_EQ(mpe_qspec_check(&s, 2, d2, e, sizeof e), MPE_ERR_RANGE);
    s.group = 16;
    EXPECT_EQ(mpe_qspec_check(&s, 2, d2, e, sizeof e), MPE_OK);
    s.group = 48;  // 64 % 48 != 0
    EXPECT_EQ(mpe_qspec_check(&s, 2, d2, e, sizeof e), MPE_ERR_SHAPE);
    EXPECT_NE(std::string(e).find("multiple"), std::string::npos) << e;
    s.group = 16; s.axis = 0;
    EXPECT_EQ(mpe_qspec_check(&s, 2, d2, e, sizeof e), MPE_ERR_ARG);
    s.group = 0; s.axis = 2;
    EXPECT_EQ(mpe_qspec_check(&s, 2, d2, e, sizeof e), MPE_ERR_ARG);
    s.axis = 1;
    EXPECT_EQ(mpe_qspec_check(&s, 2, d2, e, sizeof e), MPE_OK);
    mpe_qspec_parse("mxfp4", &s);
    EXPECT_EQ(mpe_qspec_check(&s, 1, d1, e, sizeof e), MPE_ERR_SHAPE);
    s.group = 16;
    EXPECT_EQ(mpe_qspec_check(&s, 2, d2, e, sizeof e), MPE_ERR_ARG);
    s.group = 32; s.axis = 0;
    EXPECT_EQ(mpe_qspec_check(&s, 2, d2, e, sizeof e), MPE_ERR_ARG);
    mpe_qspec_parse("bfp16", &s);
    s.group = 4;
    EXPECT_EQ(mpe_qspec_check(&s, 2, d2, e, sizeof e), MPE_ERR_RANGE);
    s.group = 64;
    EXPECT_EQ(mpe_qspec_check(&s, 2, d2, e, sizeof e), MPE_OK);
    s.group = 0;
    EXPECT_EQ(mpe_qspec_check(&s, 2, d2, e, sizeof e), MPE_ERR_ARG);
    mpe_qspec_parse("fp16", &s);
    s.group = 16;
    EXPECT_EQ(mpe_qspec_check(&s, 2, d2, e, sizeof e), MPE_ERR_ARG);
    mpe_qspec_parse("int8", &s);
    s.round = 7;
    EXPECT_EQ(mpe_qspec_check(&s, 2, d2, e, sizeof e), MPE_ERR_ARG);
    int64_t huge[2] = {(int64_t)1 << 40, (int64_t)1 << 40};
    mpe_qspec_parse("int8", &s);
    EXPECT_EQ(mpe_qspec_check(&s, 2, huge, e, sizeof e), MPE_ERR_SHAPE);
}

TEST(QuantInt, RoundFloatToInteger) {
    EXPECT_EQ(mpe_q_round_f32(2.5f, MPE_RNE, -100, 100), 2);
    EXPECT_EQ(mpe_q_round_f32(2.5f, MPE_RNA, -100, 100), 3);
    EXPECT_EQ(mpe_q_round_f32(-2.5f, MPE_RNE, -100, 100), -2);
    EXPECT_EQ(mpe_q_round_f32(-2.5f, MPE_RNA, -100, 100), -3);
    EXPECT_EQ(mpe_q_round_f32(3.5f, MPE_RNE, -100, 100), 4);
    EXPECT_EQ(mpe_q_round_f32(0.49999997f, MPE_RNA, -100, 100), 0);
    EXPECT_EQ(mpe_q_round_f32(1e30f, MPE_RNE, -100, 100), 100);
    EXPECT_EQ(mpe_q_round_f32(-INFINITY, MPE_RNE, -100, 100), -100);
    EXPECT_EQ(mpe_q_round_f32(NAN, MPE_RNE, -100, 100), 0);
    EXPECT_EQ(mpe_q_round_f32(NAN, MPE_RNE, 5, 100), 5);
    EXPECT_EQ(mpe_q_round_f32(fl(1), MPE_RNA, -100, 100), 0);  // min subnormal
}

TEST(QuantInt, OnnxLinearScalar) {
    // ONNX QuantizeLinear example: scale 2, zp 128.
    float x[] = {0, 2, 3, 1000, -254, -1000};
    int32_t want[] = {128, 129, 130, 255, 1, 0};
    for (int i = 0; i < 6; i++)
        EXPECT_EQ(mpe_q_linear(x[i], 2.0f, 128, 0, 255, MPE_RNE), want[i]) << x[i];
    EXPECT_EQ(mpe_q_linear(NAN, 2.0f, 128, 0, 255, MPE_RNE), 128);
    EXPECT_EQ(mpe_q_linear(INFINITY, 2.0f, -3, -128, 127, MPE_RNE), 127);
    EXPECT_EQ(mpe_q_linear(0.0f, 0.0f, 7, 0, 255, MPE_RNE), 7);  // 0/0
    EXPECT_EQ(fl(mpe_dq_linear(0, 128, 2.0f)), -256.0f);
    EXPECT_EQ(fl(mpe_dq_linear(255, 128, 2.0f)), 254.0f);
    EXPECT_EQ(mpe_dq_linear(5, 5, -1.0f), 0x80000000u);  // 0 * -1 = -0 (FP32)
}

TEST(QuantInt, Int8SymmetricTiesAndClamp) {
    // amax 127 gives scale 1 exactly: x / scale is exact, ties are visible.
    std::vector<float> x = {127, 63.5f, -63.5f, 62.5f, -0.5f, 0.5f, 1.5f, -127, -0.0f};
    int want_rne[] = {127, 64, -64, 62, 0, 0, 2, -127, 0};
    int want_rna[] = {127, 64, -64, 63, -1, 1, 2, -127, 0};
    Q a("int8", x, {9}), b("int8", x, {9}, MPE_RNA);
    ASSERT_EQ(a.st, MPE_OK);
    EXPECT_EQ(a.q.scales[0], 0x3F800000u);
    for (int i = 0; i < 9; i++) {
        EXPECT_EQ(a.val(i), want_rne[i]) << i;
        EXPECT_EQ(b.val(i), want_rna[i]) << i;
        EXPECT_EQ(a.y[i], (float)want_rne[i]);
    }
    EXPECT_EQ(bits(a.y[8]), 0u);  // integer codes have no -0: dequantizes to +0
    // int4: qmax 7, amax 14 -> scale 2; -14 -> -7, never -8.
    Q c("int4", {-14, 14, 3, -3, 5}, {5});
    EXPECT_EQ(c.q.scales[0], bits(2.0f));
    int w4[] = {-7, 7, 2, -2, 2};  // 1.5 -> 2, -1.5 -> -2, 2.5 -> 2
    for (int i = 0; i < 5; i++) EXPECT_EQ(c.val(i), w4[i]) << i;
    EXPECT_EQ(c.q.codes[0], 0x9u);  // -7 in 4-bit two's complement
    // int2: qmax 1
    Q d("int2", {-1, 0.5f, 0.75f, 1}, {4});
    int w2[] = {-1, 0, 1, 1};
    for (int i = 0; i < 4; i++) EXPECT_EQ(d.val(i), w2[i]) << i;
}

TEST(QuantInt, ScaleIsAnFp32Division) {
    // scale = fp32(amax / qmax); for amax = 1, qmax = 127 that is 0x3C010204.
    Q a("int8", {1.0f, -0.25f, 0.5f}, {3});
    EXPECT_EQ(a.q.scales[0], 0x3C010204u);
    EXPECT_EQ(a.val(0), 127);
    EXPECT_EQ(a.val(1), -32);  // -0.25 / s = -31.75 (fp32) -> -32
    EXPECT_EQ(a.val(2), 64);   // 0.5 / s = 63.5 -> 64 (tie to even)
}

TEST(QuantInt, ZeroAndTinyInputsGetScaleOne) {
    Q a("int8", {0, -0.0f, 0, 0}, {4});
    EXPECT_EQ(a.q.scales[0], 0x3F800000u);
    for (int i = 0; i < 4; i++) EXPECT_EQ(a.q.codes[i], 0u);
    // amax = smallest subnormal: amax / 127 underflows to 0 -> scale 1, codes 0
    Q b("int8", {fl(1), -fl(1)}, {2});
    EXPECT_EQ(b.q.scales[0], 0x3F800000u);
    EXPECT_EQ(b.val(0), 0);
    // a subnormal amax whose quotient survives: 127 * 2^-140 -> scale 2^-140
    float t = 127.0f * std::ldexp(1.0f, -140);
    Q c("int8", {t, -t / 2}, {2});
    EXPECT_EQ(c.q.scales[0], bits(std::ldexp(1.0f, -140)));
    EXPECT_EQ(c.val(0), 127);
    EXPECT_EQ(c.val(1), -64);  // -63.5 -> -64
    EXPECT_EQ(c.y[0], t);
}

TEST(QuantInt, UintAsymmetric) {
    // rmin -10, rmax 245 -> scale 1, zp 10
    Q a("uint8", {-10, 245, 0, 0.5f, 1.5f, 100}, {6});
    EXPECT_EQ(a.q.scales[0], bits(1.0f));
    EXPECT_EQ(a.q.zero_points[0], 10);
    int w[] = {0, 255, 10, 10, 12, 110};
    for (int i = 0; i < 6; i++) EXPECT_EQ((int)a.q.codes[i], w[i]) << i;
    EXPECT_EQ(a.y[1], 245.0f);
    // all positive: rmin = 0 -> zp 0; uint4 scale = 30 / 15 = 2
    Q b("uint4", {30, 3, 1}, {3});
    EXPECT_EQ(b.q.scales[0], bits(2.0f));
    EXPECT_EQ(b.q.zero_points[0], 0);
    EXPECT_EQ((int)b.q.codes[0], 15);
    EXPECT_EQ((int)b.q.codes[1], 2);  // 1.5 -> 2
    EXPECT_EQ((int)b.q.codes[2], 0);  // 0.5 -> 0
    // all negative: rmax = 0 -> zp = 2^N - 1
    Q c("uint2", {-3, -1.5f, 0}, {3});
    EXPECT_EQ(c.q.scales[0], bits(1.0f));
    EXPECT_EQ(c.q.zero_points[0], 3);
    EXPECT_EQ((int)c.q.codes[0], 0);
    EXPECT_EQ((int)c.q.codes[1], 1);  // round(-1.5) = -2 (even), + 3
    EXPECT_EQ((int)c.q.codes[2], 3);
}

TEST(QuantInt, TernaryAbsmean) {
    // sum |x| = 9, n = 8 -> scale 1.125
    Q a("ternary", {1, -2, 0.5f, 0.25f, 0, -0.75f, 3, -1.5f}, {8});
    EXPECT_EQ(a.q.scales[0], bits(1.125f));
    int w[] = {1, -1, 0, 0, 0, -1, 1, -1};
    for (int i = 0; i < 8; i++) EXPECT_EQ(a.val(i), w[i]) << i;
    EXPECT_EQ(a.q.codes[1], 3u);  // -1 = 0b11
    EXPECT_EQ(a.y[6], 1.125f);
    // ties: scale 0.5, 0.25 / 0.5 = 0.5 -> 0 (even) or 1 (away)
    Q b("ternary", {0.25f, 1.75f, 0, 0}, {4}), c("ternary", {0.25f, 1.75f, 0, 0}, {4}, MPE_RNA);
    EXPECT_EQ(b.q.scales[0], bits(0.5f));
    EXPECT_EQ(b.val(0), 0);
    EXPECT_EQ(c.val(0), 1);
    EXPECT_EQ(b.val(1), 1);
    Q z("ternary", {0, 0}, {2});
    EXPECT_EQ(z.q.scales[0], bits(1.0f));
}

TEST(QuantInt, Pow2NearestTiesUp) {
    // amax 64 -> scale 1
    std::vector<float> x = {64, 3, -3, 2.9f, 0.5f, 0.49f, -0.75f, 48, 47.9f, -0.0f, 1000 / 16.0f};
    int want[] = {64, 4, -4, 2, 1, 0, -1, 64, 32, 0, 64};
    Q a("pow2", x, {(int64_t)x.size()});
    EXPECT_EQ(a.q.scales[0], bits(1.0f));
    for (size_t i = 0; i < x.size(); i++) {
        EXPECT_EQ(a.val(i), want[i]) << x[i];
        EXPECT_EQ(a.y[i], (float)want[i]) << x[i];
    }
    EXPECT_EQ(a.q.codes[0], 0x7u);
    EXPECT_EQ(a.q.codes[2], 0xBu);  // sign + e=3
    EXPECT_EQ(a.q.codes[9], 0x0u);  // -0 -> +0 code
    // scale = amax / 64: amax 8 -> 0.125; 1.5 / 0.125 = 12 -> tie 8/16 -> 16
    Q b("pow2", {8, 1.5f, -0.1f}, {3});
    EXPECT_EQ(b.q.scales[0], bits(0.125f));
    EXPECT_EQ(b.val(1), 16);
    EXPECT_EQ(b.val(2), -1);  // 0.8 -> 1
    EXPECT_EQ(b.y[1], 2.0f);
}

TEST(QuantInt, GranularityPerGroupAndAxis) {
    // shape (2, 3, 16): axis 1 has 3 scales, element (a, b, c) uses b.
    std::vector<float> x(96);
    for (int i = 0; i < 96; i++) x[i] = (float)((i * 7) % 13) - 6.0f + (float)(i / 16);
    Q ax("int8", x, {2, 3, 16}, MPE_RNE, -1, 1);
    ASSERT_EQ(ax.st, MPE_OK) << ax.err;
    EXPECT_EQ(ax.q.nscales, 3u);
    for (int b = 0; b < 3; b++) {
        float amax = 0;
        for (int a = 0; a < 2; a++)
            for (int c = 0; c < 16; c++) amax = std::max(amax, std::fabs(x[a * 48 + b * 16 + c]));
        EXPECT_EQ(ax.q.scales[b], bits(amax / 127.0f)) << b;
    }
    EXPECT_EQ(mpe_qt_scale_index(&ax.q, 0), 0u);
    EXPECT_EQ(mpe_qt_scale_index(&ax.q, 17), 1u);
    EXPECT_EQ(mpe_qt_scale_index(&ax.q, 48 + 40), 2u);
    // groups of 16 along the last axis: 6 scales, one per row
    Q g("int4", x, {2, 3, 16}, MPE_RNE, 16);
    ASSERT_EQ(g.st, MPE_OK) << g.err;
    EXPECT_EQ(g.q.nscales, 6u);
    for (int k = 0; k < 6; k++) {
        float amax = 0;
        for (int c = 0; c < 16; c++) amax = std::max(amax, std::fabs(x[k * 16 + c]));
        EXPECT_EQ(g.q.scales[k], bits(amax / 7.0f)) << k;
    }
    // axis 0 of a (4, 16) uint8: 4 zero points
    Q u("uint8", std::vector<float>(x.begin(), x.begin() + 64), {4, 16}, MPE_RNE, -1, 0);
    EXPECT_EQ(u.q.nscales, 4u);
}

TEST(QuantInt, RejectsNonFiniteInput) {
    Q a("int8", {1, NAN, 2}, {3});
    EXPECT_EQ(a.st, MPE_ERR_RANGE);
    EXPECT_NE(a.err.find("element 1"), std::string::npos) << a.err;
    Q b("uint4", {INFINITY, 1}, {2});
    EXPECT_EQ(b.st, MPE_ERR_RANGE);
    Q c("ternary", {1, -INFINITY}, {2});
    EXPECT_EQ(c.st, MPE_ERR_RANGE);
}

TEST(QuantFloat, Fp16Bf16ElementWise) {
    std::vector<float> x = {1.0f, 65520.0f, 65519.0f, -0.0f, 1.0f + std::ldexp(1.0f, -11),
                            std::ldexp(1.0f, -25), NAN, -INFINITY};
    Q h("fp16", x, {8});
    uint16_t want[] = {0x3C00, 0x7C00, 0x7BFF, 0x8000, 0x3C00, 0x0000, 0x7E00, 0xFC00};
    for (int i = 0; i < 8; i++) EXPECT_EQ(h.q.codes[i], want[i]) << i;
    EXPECT_EQ(bits(h.y[3]), 0x80000000u);
    EXPECT_TRUE(std::isinf(h.y[1]));
    EXPECT_TRUE(std::isnan(h.y[6]));
    Q ha("fp16", x, {8}, MPE_RNA);
    EXPECT_EQ(ha.q.codes[4], 0x3C01u);  // tie away
    EXPECT_EQ(ha.q.codes[5], 0x0001u);  // 2^-25: half the smallest subnormal
    std::vector<float> xb = {1.0f + std::ldexp(1.0f, -8), 1.0f + 3 * std::ldexp(1.0f, -8),
                             3.0e38f, -1.5f};
    Q b("bf16", xb, {4}), ba("bf16", xb, {4}, MPE_RNA);
    EXPECT_EQ(b.q.codes[0], 0x3F80u);
    EXPECT_EQ(ba.q.codes[0], 0x3F81u);
    EXPECT_EQ(b.q.codes[1], 0x3F82u);
    EXPECT_EQ(b.q.codes[2], 0x7F62u);
    EXPECT_EQ(b.q.codes[3], 0xBFC0u);
    EXPECT_EQ(b.y[3], -1.5f);
}

}  // namespace
