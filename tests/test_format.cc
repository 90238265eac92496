// Number formats: exhaustive decode/re-encode, spec known answers, specials.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

extern "C" {
#include "mpe/format.h"
#include "mpe/fp32.h"
}

namespace {

const mpe_fmt kSmall[] = {MPE_FMT_E4M3, MPE_FMT_E5M2, MPE_FMT_E3M2,
                          MPE_FMT_E2M3, MPE_FMT_E2M1, MPE_FMT_FP16,
                          MPE_FMT_BF16, MPE_FMT_E8M0, MPE_FMT_UE4M3};

// Every code of every small format decodes and re-encodes to itself
// (NaNs to the canonical NaN of the same sign).
TEST(Format, EveryCodeRoundTrips) {
    for (mpe_fmt f : kSmall) {
        const mpe_fmt_info *fi = mpe_fmt_get(f);
        uint32_t n = 1u << fi->bits;
        if (f == MPE_FMT_UE4M3) n = 128;
        for (uint32_t c = 0; c < n; c++) {
            mpe_xval v = mpe_fp_unpack(f, c);
            unsigned fl = 0;
            uint32_t back = mpe_fp_encode(f, v, MPE_RNE, 0, &fl);
            if (v.cls == MPE_XV_NAN) {
                EXPECT_TRUE(mpe_fp_is_nan(f, back)) << fi->name << " code " << c;
                continue;
            }
            EXPECT_EQ(back, c) << fi->name << " code " << c;
            EXPECT_EQ(fl & MPE_FLAG_INEXACT, 0u) << fi->name << " code " << c;
            // through double as well
            double d = mpe_fp_decode(f, c);
            EXPECT_EQ(mpe_fp_from_double(f, d, 0, MPE_RNE, 0, nullptr), c)
                << fi->name << " code " << c;
        }
    }
}

TEST(Format, MaxValuesFromSpec) {
    EXPECT_EQ(mpe_fp_max(MPE_FMT_E4M3), 448.0);
    EXPECT_EQ(mpe_fp_max(MPE_FMT_E5M2), 57344.0);
    EXPECT_EQ(mpe_fp_max(MPE_FMT_E3M2), 28.0);
    EXPECT_EQ(mpe_fp_max(MPE_FMT_E2M3), 7.5);
    EXPECT_EQ(mpe_fp_max(MPE_FMT_E2M1), 6.0);
    EXPECT_EQ(mpe_fp_max(MPE_FMT_FP16), 65504.0);
    EXPECT_EQ(mpe_fp_max(MPE_FMT_UE4M3), 448.0);
    EXPECT_EQ(mpe_fp_decode(MPE_FMT_E8M0, 127), 1.0);
    EXPECT_EQ(mpe_fp_decode(MPE_FMT_E8M0, 0), std::ldexp(1.0, -127));
    EXPECT_TRUE(std::isnan(mpe_fp_decode(MPE_FMT_E8M0, 0xFF)));
    // smallest subnormals
    EXPECT_EQ(mpe_fp_decode(MPE_FMT_E4M3, 1), std::ldexp(1.0, -9));
    EXPECT_EQ(mpe_fp_decode(MPE_FMT_E5M2, 1), std::ldexp(1.0, -16));
    EXPECT_EQ(mpe_fp_decode(MPE_FMT_E2M1, 1), 0.5);
}

TEST(Format, Fp4TiesGoToEvenCode) {
    // E2M1 values: 0 0.5 1 1.5 2 3 4 6
    struct { double x; double rne; double rna; } cases[] = {
        {0.25, 0.0, 0.5}, {0.75, 1.0, 1.0}, {1.25, 1.0, 1.5}, {1.75, 2.0, 2.0},
        {2.5, 2.0, 3.0}, {3.5, 4.0, 4.0}, {5.0, 4.0, 6.0}, {7.0, 6.0, 6.0},
        {-2.5, -2.0, -3.0}, {1e9, 6.0, 6.0}};
    for (auto &c : cases) {
        uint32_t e = mpe_fp_from_double(MPE_FMT_E2M1, c.x, 0, MPE_RNE, 1, nullptr);
        uint32_t a = mpe_fp_from_double(MPE_FMT_E2M1, c.x, 0, MPE_RNA, 1, nullptr);
        EXPECT_EQ(mpe_fp_decode(MPE_FMT_E2M1, e), c.rne) << c.x;
        EXPECT_EQ(mpe_fp_decode(MPE_FMT_E2M1, a), c.rna) << c.x;
    }
}

TEST(Format, OverflowRules) {
    unsigned fl = 0;
    // E4M3 non-saturating overflow is NaN, saturating gives 448.
    EXPECT_EQ(mpe_fp_from_double(MPE_FMT_E4M3, 480.0, 0, MPE_RNE, 0, &fl), 0x7Fu);
    EXPECT_EQ(mpe_fp_from_double(MPE_FMT_E4M3, 480.0, 0, MPE_RNE, 1, &fl), 0x7Eu);
    // 464 is the midpoint between 448 and (unrepresentable) 480: rounds to 448.
    EXPECT_EQ(mpe_fp_from_double(MPE_FMT_E4M3, 464.0, 0, MPE_RNE, 0, &fl), 0x7Eu);
    // E5M2: beyond max rounds to inf unless saturating.
    EXPECT_EQ(mpe_fp_from_double(MPE_FMT_E5M2, 61440.0, 0, MPE_RNE, 0, &fl), 0x7Cu);
    EXPECT_EQ(mpe_fp_from_double(MPE_FMT_E5M2, 61440.0, 0, MPE_RNE, 1, &fl), 0x7Bu);
    EXPECT_EQ(mpe_fp_from_double(MPE_FMT_E5M2, -INFINITY, 0, MPE_RNE, 0, &fl), 0xFCu);
    // FP16 overflow to inf
    EXPECT_EQ(mpe_fp_from_double(MPE_FMT_FP16, 65520.0, 0, MPE_RNE, 0, &fl), 0x7C00u);
    EXPECT_EQ(mpe_fp_from_double(MPE_FMT_FP16, 65519.0, 0, MPE_RNE, 0, &fl), 0x7BFFu);
    // negative zero survives
    EXPECT_EQ(mpe_fp_from_double(MPE_FMT_E4M3, -0.0, 0, MPE_RNE, 0, &fl), 0x80u);
    EXPECT_EQ(mpe_fp_from_double(MPE_FMT_E2M1, -0.0, 0, MPE_RNE, 0, &fl), 0x8u);
    // NaN
    EXPECT_EQ(mpe_fp_from_double(MPE_FMT_E4M3, NAN, 0, MPE_RNE, 1, &fl), 0x7Fu);
    fl = 0;
    EXPECT_EQ(mpe_fp_from_double(MPE_FMT_E2M1, NAN, 0, MPE_RNE, 1, &fl), 0u);
    EXPECT_TRUE(fl & MPE_FLAG_INVALID);
}

TEST(Format, SubnormalRounding) {
    // E4M3 subnormal spacing 2^-9; 2^-10 is a tie between 0 and 2^-9 -> 0 (even).
    EXPECT_EQ(mpe_fp_from_double(MPE_FMT_E4M3, std::ldexp(1.0, -10), 0, MPE_RNE, 1, nullptr), 0u);
    EXPECT_EQ(mpe_fp_from_double(MPE_FMT_E4M3, std::ldexp(1.0, -10), 0, MPE_RNA, 1, nullptr), 1u);
    EXPECT_EQ(mpe_fp_from_double(MPE_FMT_E4M3, std::ldexp(3.0, -10), 0, MPE_RNE, 1, nullptr), 2u);
    // exact scaling: 1.875 * 2^-8 in E4M3 is subnormal-free and exact
    EXPECT_EQ(mpe_fp_decode(MPE_FMT_E4M3,
                            mpe_fp_from_float(MPE_FMT_E4M3, 1.875f, 3, MPE_RNE, 1, nullptr)),
              15.0);
}

TEST(Fp32, AddMatchesHost) {
    // Host SSE arithmetic is IEEE RNE: compare on a spread of operands.
    uint32_t s = 12345;
    auto rnd = [&]() { s = s * 1664525u + 1013904223u; return s; };
    for (int i = 0; i < 200000; i++) {
        uint32_t a = rnd(), b = rnd();
        if (i % 3 == 0) b = (a & 0xFF800000u) ^ (rnd() & 0x807FFFFFu);  // close exponents
        if (i % 7 == 0) a &= 0x807FFFFFu;  // subnormals
        float fa, fb;
        std::memcpy(&fa, &a, 4);
        std::memcpy(&fb, &b, 4);
        float fs = fa + fb, fp = fa * fb;
        uint32_t hs, hp;
        std::memcpy(&hs, &fs, 4);
        std::memcpy(&hp, &fp, 4);
        uint32_t ms = mpe_f32_add(a, b), mp = mpe_f32_mul(a, b);
        if (std::isnan(fs)) EXPECT_EQ(ms, MPE_F32_QNAN) << std::hex << a << " " << b;
        else EXPECT_EQ(ms, hs) << std::hex << a << " + " << b;
        if (std::isnan(fp)) EXPECT_EQ(mp, MPE_F32_QNAN) << std::hex << a << " " << b;
        else EXPECT_EQ(mp, hp) << std::hex << a << " * " << b;
        if (HasFailure()) return;
    }
}

TEST(Fp32, FromIntRoundsOnce) {
    EXPECT_EQ(mpe_f32_from_int(0, 5), 0u);
    EXPECT_EQ(mpe_f32_from_int(16777217, 0), 0x4B800000u);   // tie -> even
    EXPECT_EQ(mpe_f32_from_int(16777219, 0), 0x4B800002u);   // tie -> even (up)
    EXPECT_EQ(mpe_f32_from_int(-3, -1), 0xBFC00000u);        // -1.5
    __int128 big = (__int128)1 << 100;
    EXPECT_EQ(mpe_f32_from_int(big + 1, 0), 0x71800000u);     // 2^100, sticky below
    EXPECT_EQ(mpe_f32_from_int(1, 200), MPE_F32_PINF);
    EXPECT_EQ(mpe_f32_from_int(1, -149), 1u);                 // min subnormal
    EXPECT_EQ(mpe_f32_from_int(1, -150), 0u);                 // tie -> 0
    EXPECT_EQ(mpe_f32_from_int(3, -151), 1u);                 // 0.75 ulp -> 1
}

}  // namespace

namespace {
// mpe_round_scaled: exact v*m*2^exp, one rounding, saturation at any exponent.
TEST(Fp32, RoundScaledSaturatesAndClampsEverywhere) {
    const int64_t lo = -128, hi = 127;
    // large exponents saturate instead of overflowing 128 bits
    for (int e = 40; e < 70; e++) {
        EXPECT_EQ(mpe_round_scaled(INT64_C(1) << 46, 0xFFFFFFu, e, MPE_RNE, lo, hi), hi) << e;
        EXPECT_EQ(mpe_round_scaled(-(INT64_C(1) << 46), 0xFFFFFFu, e, MPE_RNE, lo, hi), lo) << e;
    }
    // a zero product is clamped into [lo, hi] too
    EXPECT_EQ(mpe_round_scaled(0, 5, 3, MPE_RNE, 1, 10), 1);
    EXPECT_EQ(mpe_round_scaled(5, 0, -3, MPE_RNE, -10, -1), -1);
    EXPECT_EQ(mpe_round_scaled(3, 1, -200, MPE_RNE, 2, 10), 2);
    // ties: 5 * 2^-1 = 2.5 -> 2 (even) / 3 (away); -2.5 -> -2 / -3
    EXPECT_EQ(mpe_round_scaled(5, 1, -1, MPE_RNE, -100, 100), 2);
    EXPECT_EQ(mpe_round_scaled(5, 1, -1, MPE_RNA, -100, 100), 3);
    EXPECT_EQ(mpe_round_scaled(-5, 1, -1, MPE_RNE, -100, 100), -2);
    EXPECT_EQ(mpe_round_scaled(-5, 1, -1, MPE_RNA, -100, 100), -3);
    EXPECT_EQ(mpe_round_scaled(7, 3, 2, MPE_RNE, -1000, 1000), 84);
}
}  // namespace
