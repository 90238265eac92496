// PE FP32-accumulating modes (BFP, grouped shift-add): exhaustive element
// sweeps against an exact reference (decoded doubles turned into exact
// integers, one conversion, host float accumulation), specials, rounding
// ties, overflow, subnormals, NVFP4 scales, groups smaller and larger than
// the lanes. docs/numerics.md sections 5.2 and 5.3.
#include "pe_test_util.h"

using namespace pet;

namespace {

constexpr int kL = 4;
constexpr int kC = 2;

const mpe_fmt kElemFmts[] = {MPE_FMT_E4M3, MPE_FMT_E5M2, MPE_FMT_E3M2, MPE_FMT_E2M3,
                             MPE_FMT_E2M1};

std::vector<mpe_dtype> bfp_types() {
    std::vector<mpe_dtype> t;
    for (mpe_fmt f : kElemFmts) t.push_back(mpe_dt_fp(f));
    for (int b = 4; b <= 8; b++) t.push_back(mpe_dt_bfpint(b));
    return t;
}

// Scale codes the sweeps cycle through (one NaN in 16).
const uint16_t kE8m0[16] = {127, 120, 134, 127, 0, 254, 126, 128, 127, 1, 140, 100, 127, 60, 190, 0xFF};
const uint16_t kUe4m3[16] = {0x38, 0x00, 0x7E, 0x01, 0xB8, 0x3F, 0x08, 0x40,
                             0x30, 0x07, 0x77, 0x39, 0x50, 0x1C, 0x2A, 0x7F};
const uint16_t kFp16[16] = {0x3C00, 0x0000, 0x8000, 0x7BFF, 0x0001, 0xBC00, 0x3555, 0x03FF,
                            0x2E66, 0xC900, 0x7C00, 0x4000, 0xFC00, 0x1400, 0x5A3C, 0x7E00};
const int16_t kZero[8] = {0, 1, -1, 7, -8, 255, 32767, -32768};

// Every element pair at every lane position (the rotation of
// test_pe_int.cc), one block or group per `group` lanes, every op checked
// against the reference.
void float_sweep(const mpe_pe_cfg &c, const std::vector<uint16_t> &sa,
                 const std::vector<uint16_t> &sw, long *ops, uint64_t seed) {
    Pe pe(c, kL, kC);
    std::vector<double> ta, tw;
    if (c.mode == MPE_MODE_BFP) {
        ta = elem_table(c.a);
        tw = elem_table(c.w);
    }
    int G = c.group, nblk = kL / G;
    size_t nw = sw.size(), n = sa.size() * nw, nb = (n + 3) / 4;
    int fails = 0;
    for (int r = 0; r < 4; r++)
        for (size_t b = 0; b < nb; b++) {
            uint16_t a[kL], w[kC * kL], as[kL], ws[kC * kL];
            int16_t wz[kC * kL];
            for (int l = 0; l < kL; l++) {
                size_t p = (4 * b + (size_t)((l + r) % 4)) % n;
                a[l] = sa[p / nw];
                w[l] = sw[p % nw];
                w[kL + l] = sw[(p % nw + 1) % nw];
            }
            size_t si = b * 5 + (size_t)r * 3;
            for (int j = 0; j < nblk; j++) {
                const uint16_t *tab = c.mode == MPE_MODE_SHIFTADD ? kFp16
                                      : c.scale_fmt == MPE_FMT_E8M0 ? kE8m0 : kUe4m3;
                as[j] = tab[(si + (size_t)j) % 16];
                for (int col = 0; col < kC; col++) {
                    ws[col * nblk + j] = tab[(si + (size_t)(7 * col + 3 * j + 1)) % 16];
                    wz[col * nblk + j] = kZero[(si + (size_t)(col + j)) % 8];
                }
            }
            int cyc = pe.step(a, w, true, as, ws, wz);
            (*ops)++;
            bool bad = cyc != expected_cycles(c, kL, true);
            uint32_t want[kC];
            for (int col = 0; col < kC; col++) {
                float acc = 0.0f;
                for (int j = 0; j < nblk; j++) {
                    const uint16_t *wc = w + col * kL + j * G;
                    uint32_t v = c.mode == MPE_MODE_BFP
                                     ? ref_bfp_block(c, a + j * G, wc, G, as[j], ws[col * nblk + j],
                                                     ta.data(), tw.data())
                                     : ref_sa_group(c, a + j * G, wc, G, ws[col * nblk + j],
                                                    wz[col * nblk + j]);
                    acc = host_add(acc, v);
                }
                want[col] = canon(acc);
                bad |= pe.facc(col) != want[col];
            }
            if (bad) {
                ADD_FAILURE() << name(c) << ": a " << a[0] << "," << a[1] << "," << a[2] << ","
                              << a[3] << " w " << w[0] << "," << w[1] << "," << w[2] << ","
                              << w[3] << " scales " << as[0] << "/" << ws[0] << " zero " << wz[0]
                              << " -> " << std::hex << pe.facc(0) << " (ref " << want[0] << "), "
                              << std::dec << "cycles " << cyc << "; " << repro(seed);
                if (++fails >= 5) return;
            }
        }
}

TEST(PeFloatSweep, BfpEveryElementPairBothScaleFormats) {
    const uint64_t seed = test_seed();
    Rng r(seed + 3);
    long ops = 0, ncfg = 0;
    for (int sf : {MPE_FMT_E8M0, MPE_FMT_UE4M3})
        for (const mpe_dtype &a : bfp_types())
            for (const mpe_dtype &w : bfp_types()) {
                if (quick() && a.bits + w.bits > 10) continue;
                for (int g : {4, 2}) {
                    // two blocks per op only for the narrow formats
                    if (g == 2 && a.bits + w.bits > 10) continue;
                    mpe_pe_cfg c = cfg_of(MPE_MODE_BFP, a, w, 0, g, sf);
                    float_sweep(c, code_set(a, 8, 0, r), code_set(w, 8, 0, r), &ops, seed);
                    ncfg++;
                    if (HasFailure()) return;
                }
            }
    printf("  bfp: %ld configurations, %ld ops\n", ncfg, ops);
}

TEST(PeFloatSweep, ShiftAddGroupedEveryWeightType) {
    const uint64_t seed = test_seed();
    Rng r(seed + 4);
    long ops = 0, ncfg = 0;
    std::vector<mpe_dtype> acts = {mpe_dt_int(8), mpe_dt_uint(8), mpe_dt_int(4), mpe_dt_uint(4),
                                   mpe_dt_int(1), mpe_dt_uint(1), mpe_dt_int(16), mpe_dt_uint(16),
                                   mpe_dt_int(11)};
    for (const mpe_dtype &a : acts)
        for (const mpe_pe_cfg &c0 : legal(MPE_MODE_SHIFTADD, kL))
            for (int g : {4, 2, 1}) {
                if (c0.a.kind != a.kind || c0.a.bits != a.bits) continue;
                mpe_pe_cfg c = c0;
                c.group = (uint16_t)g;
                c.scale_fmt = MPE_FMT_FP16;
                int fb = quick() ? 4 : (g == 4 ? 8 : 5);
                float_sweep(c, code_set(a, fb, 4, r), code_set(c.w, fb, 4, r), &ops, seed);
                ncfg++;
                if (HasFailure()) return;
            }
    printf("  shiftadd grouped: %ld configurations, %ld ops\n", ncfg, ops);
}

// ---------------------------------------------------------------- BFP corners

// One block of n lanes through a fresh PE; returns the FP32 accumulator.
uint32_t bfp_once(const mpe_pe_cfg &c, const std::vector<uint16_t> &a,
                  const std::vector<uint16_t> &w, uint16_t sa, uint16_t sw, uint32_t preload = 0) {
    int L = (int)a.size();
    Pe pe(c, L, 1);
    pe.pe.facc[0] = preload;
    pe.step(a.data(), w.data(), false, &sa, &sw);
    return pe.facc(0);
}

mpe_pe_cfg bfp(mpe_fmt fa, mpe_fmt fw, int g, mpe_fmt sf = MPE_FMT_E8M0) {
    return cfg_of(MPE_MODE_BFP, mpe_dt_fp(fa), mpe_dt_fp(fw), 0, g, sf);
}

TEST(PeBfpCorner, NanScales) {
    mpe_pe_cfg c = bfp(MPE_FMT_E4M3, MPE_FMT_E4M3, 4);
    std::vector<uint16_t> a = {0x38, 0x38, 0, 0}, w = {0x38, 0x40, 0, 0};  // 1*1 + 1*2
    EXPECT_EQ(bfp_once(c, a, w, 127, 127), 0x40400000u);                    // 3.0
    EXPECT_EQ(bfp_once(c, a, w, 0xFF, 127), MPE_F32_QNAN);
    EXPECT_EQ(bfp_once(c, a, w, 127, 0xFF), MPE_F32_QNAN);
    // an all-zero block under a NaN scale is NaN too
    std::vector<uint16_t> z(4, 0);
    EXPECT_EQ(bfp_once(c, z, z, 0xFF, 127), MPE_F32_QNAN);
    mpe_pe_cfg u = bfp(MPE_FMT_E2M1, MPE_FMT_E2M1, 4, MPE_FMT_UE4M3);
    std::vector<uint16_t> a4 = {2, 2, 0, 0}, w4 = {2, 4, 0, 0};  // 1*1 + 1*2
    EXPECT_EQ(bfp_once(u, a4, w4, 0x38, 0x38), 0x40400000u);
    EXPECT_EQ(bfp_once(u, a4, w4, 0x7F, 0x38), MPE_F32_QNAN);
    EXPECT_EQ(bfp_once(u, a4, w4, 0x38, 0xFF), MPE_F32_QNAN);  // sign bit ignored: 0x7F
    EXPECT_EQ(bfp_once(u, a4, w4, 0xB8, 0x38), 0x40400000u);   // sign bit ignored: 1.0
}

TEST(PeBfpCorner, SpecialElements) {
    mpe_pe_cfg c = bfp(MPE_FMT_E5M2, MPE_FMT_E5M2, 4);
    const uint16_t one = 0x3C, pinf = 0x7C, ninf = 0xFC, nan = 0x7E, zero = 0, nzero = 0x80;
    auto run = [&](std::vector<uint16_t> a, std::vector<uint16_t> w) {
        return bfp_once(c, a, w, 127, 127);
    };
    EXPECT_EQ(run({pinf, one, one, 0}, {one, one, one, 0}), MPE_F32_PINF);
    EXPECT_EQ(run({pinf, one, 0, 0}, {0xBC, one, 0, 0}), MPE_F32_NINF);      // inf x -1
    EXPECT_EQ(run({pinf, 0, 0, 0}, {zero, 0, 0, 0}), MPE_F32_QNAN);          // inf x 0
    EXPECT_EQ(run({one, 0, 0, 0}, {nzero, 0, 0, 0}), 0u);                    // -0 contributes 0
    EXPECT_EQ(run({nzero, 0, 0, 0}, {ninf, 0, 0, 0}), MPE_F32_QNAN);         // -0 x -inf
    EXPECT_EQ(run({pinf, ninf, 0, 0}, {one, one, 0, 0}), MPE_F32_QNAN);      // +inf with -inf
    EXPECT_EQ(run({pinf, pinf, 0, 0}, {one, 0x40, 0, 0}), MPE_F32_PINF);     // same sign: inf
    EXPECT_EQ(run({nan, 0, 0, 0}, {one, 0, 0, 0}), MPE_F32_QNAN);
    EXPECT_EQ(run({0xFE, 0, 0, 0}, {0, 0, 0, 0}), MPE_F32_QNAN);             // -NaN x 0
    // E4M3 has only S.1111.111 as NaN
    mpe_pe_cfg e4 = bfp(MPE_FMT_E4M3, MPE_FMT_E4M3, 4);
    std::vector<uint16_t> a = {0x7F, 0, 0, 0}, w = {0x38, 0, 0, 0};
    EXPECT_EQ(bfp_once(e4, a, w, 127, 127), MPE_F32_QNAN);
    a[0] = 0x7E;  // 448
    EXPECT_EQ(bfp_once(e4, a, w, 127, 127), mpe_f32_bits(448.0f));
    // Choice: the scales multiply finite block sums only, so an inf block
    // stays inf under a zero ue4m3 scale
    mpe_pe_cfg u = bfp(MPE_FMT_E5M2, MPE_FMT_E5M2, 4, MPE_FMT_UE4M3);
    EXPECT_EQ(bfp_once(u, {pinf, 0, 0, 0}, {one, 0, 0, 0}, 0x00, 0x38), MPE_F32_PINF);
    EXPECT_EQ(bfp_once(u, {one, 0, 0, 0}, {one, 0, 0, 0}, 0x00, 0x38), 0u);
}

TEST(PeBfpCorner, ZeroBlocksAndNegativeZero) {
    mpe_pe_cfg c = bfp(MPE_FMT_E2M1, MPE_FMT_E2M1, 4);
    std::vector<uint16_t> z = {0, 8, 0, 8}, nz = {8, 8, 8, 8};  // +0 and -0 codes
    // an all-zero block has value +0: (-0) + (+0) = +0 in the accumulator
    EXPECT_EQ(bfp_once(c, z, nz, 0, 0, 0x80000000u), 0u);
    EXPECT_EQ(bfp_once(c, nz, nz, 127, 127, 0x80000000u), 0u);
    // a cancelling block is +0 as well
    std::vector<uint16_t> a = {2, 2, 0, 0}, w = {2, 10, 0, 0};  // 1 - 1
    EXPECT_EQ(bfp_once(c, a, w, 127, 127, 0x80000000u), 0u);
    // and a non-zero block replaces -0
    w[1] = 2;
    EXPECT_EQ(bfp_once(c, a, w, 127, 127, 0x80000000u), 0x40000000u);
}

// E5M2 x E5M2 at full scale: each lane 57344^2 (2^63.6 in LSB units), 64
// lanes: a 71-bit block integer; then scales that overflow FP32.
TEST(PeBfpCorner, E5M2MaximalProducts) {
    const int L = 64;
    mpe_pe_cfg c = bfp(MPE_FMT_E5M2, MPE_FMT_E5M2, L);
    std::vector<uint16_t> a(L, 0x7B), w(L, 0x7B), wn(L, 0xFB);  // +-57344
    uint32_t v = bfp_once(c, a, w, 127, 127);
    EXPECT_EQ(v, mpe_f32_bits(57344.0f * 57344.0f * 64.0f));
    EXPECT_EQ(bfp_once(c, a, wn, 127, 127), mpe_f32_bits(-57344.0f * 57344.0f * 64.0f));
    EXPECT_EQ(v, ref_bfp_block(c, a.data(), w.data(), L, 127, 127));
    // 2^37.6 * 2^(100+100) overflows to inf; 2^37.6 * 2^-254 underflows to 0
    EXPECT_EQ(bfp_once(c, a, w, 227, 227), MPE_F32_PINF);
    EXPECT_EQ(bfp_once(c, a, wn, 227, 227), MPE_F32_NINF);
    EXPECT_EQ(bfp_once(c, a, w, 0, 0), 0u);
    // alternating signs cancel exactly; one lane off leaves one product
    std::vector<uint16_t> alt(L);
    for (int k = 0; k < L; k++) alt[(size_t)k] = k & 1 ? 0xFB : 0x7B;
    EXPECT_EQ(bfp_once(c, a, alt, 127, 127), 0u);
    alt[0] = 0;
    EXPECT_EQ(bfp_once(c, a, alt, 127, 127), mpe_f32_bits(-57344.0f * 57344.0f));
    // the same through the ue4m3 route (mantissa 15 x 15)
    mpe_pe_cfg u = bfp(MPE_FMT_E5M2, MPE_FMT_E5M2, L, MPE_FMT_UE4M3);
    EXPECT_EQ(bfp_once(u, a, w, 0x7E, 0x7E), ref_bfp_block(u, a.data(), w.data(), L, 0x7E, 0x7E));
}

// Conversion ties (int_to_f32, RNE) and addition ties, and the order of
// the two roundings: the block is rounded before the addition.
TEST(PeBfpCorner, RoundingTiesAndOrder) {
    mpe_pe_cfg c = bfp(MPE_FMT_E5M2, MPE_FMT_E5M2, 4);
    const uint16_t p12 = 27 << 2, one = 0x3C, three = 0x42;  // 2^12, 1.0, 3.0
    // 2^24 + 1 ties to 2^24 (even); 2^24 + 3 ties to 2^24 + 4
    EXPECT_EQ(bfp_once(c, {p12, one, 0, 0}, {p12, one, 0, 0}, 127, 127), 0x4B800000u);
    EXPECT_EQ(bfp_once(c, {p12, one, 0, 0}, {p12, three, 0, 0}, 127, 127), 0x4B800002u);
    // addition tie: 2^24 + 1.0 -> 2^24; (2^24 + 2) + 1.0 -> 2^24 + 4
    EXPECT_EQ(bfp_once(c, {one, 0, 0, 0}, {one, 0, 0, 0}, 127, 127, 0x4B800000u), 0x4B800000u);
    EXPECT_EQ(bfp_once(c, {one, 0, 0, 0}, {one, 0, 0, 0}, 127, 127, 0x4B800001u), 0x4B800002u);
    // two roundings: acc 1.0 plus block 2^24 + 1: the block rounds to 2^24,
    // then 2^24 + 1 ties to 2^24 (one rounding of the exact 2^24 + 2 would
    // give 0x4B800001)
    EXPECT_EQ(bfp_once(c, {p12, one, 0, 0}, {p12, one, 0, 0}, 127, 127, 0x3F800000u), 0x4B800000u);
}

// Accumulated overflow to inf, and subnormal block values and sums.
TEST(PeBfpCorner, AccumulatorOverflowAndSubnormals) {
    const int L = 32;
    mpe_pe_cfg c = bfp(MPE_FMT_E4M3, MPE_FMT_E4M3, L);
    std::vector<uint16_t> a(L, 0x7E), w(L, 0x7E);  // 448 * 448 * 32 = 2^22.6
    Pe pe(c, L, 1);
    uint16_t s1 = 127 + 52, s2 = 127 + 52;  // each block ~2^126.6
    float ref = 0;
    for (int op = 0; op < 4; op++) {
        pe.step(a.data(), w.data(), op == 0, &s1, &s2);
        ref = host_add(ref, ref_bfp_block(c, a.data(), w.data(), L, s1, s2));
        EXPECT_EQ(pe.facc(0), canon(ref)) << "op " << op;
    }
    EXPECT_EQ(pe.facc(0), MPE_F32_PINF);
    // subnormal: 1 * 2^-9 * 2^-9 * 2^-127 * 2^-3 ... down to the smallest
    mpe_pe_cfg s = bfp(MPE_FMT_E4M3, MPE_FMT_E4M3, 4);
    std::vector<uint16_t> one = {1, 0, 0, 0};  // 2^-9 (subnormal element)
    for (int sc = 0; sc < 140; sc += 7) {
        uint16_t xa = (uint16_t)sc, xw = 100;
        uint32_t got = bfp_once(s, one, one, xa, xw);
        EXPECT_EQ(got, ref_bfp_block(s, one.data(), one.data(), 4, xa, xw)) << sc;
    }
    // exact smallest subnormal 2^-149 = 2^-18 * 2^-131
    EXPECT_EQ(bfp_once(s, one, one, 127 - 131 + 127, 0), 0x00000001u);
    // half of it ties to 0 (even)
    EXPECT_EQ(bfp_once(s, one, one, 127 - 132 + 127, 0), 0u);
}

// NVFP4: ue4m3 scale mantissas are folded into the exact integer.
TEST(PeBfpCorner, Nvfp4Scales) {
    const int L = 16;
    mpe_pe_cfg c = cfg_of(MPE_MODE_BFP, mpe_dt_fp(MPE_FMT_E2M1), mpe_dt_fp(MPE_FMT_E2M1), 0, 16,
                          MPE_FMT_UE4M3);
    Rng r(5);
    for (int t = 0; t < 2000; t++) {
        std::vector<uint16_t> a(L), w(L);
        for (int k = 0; k < L; k++) {
            a[(size_t)k] = (uint16_t)r.below(16);
            w[(size_t)k] = (uint16_t)r.below(16);
        }
        uint16_t sa = (uint16_t)r.below(256), sw = (uint16_t)r.below(256);
        ASSERT_EQ(bfp_once(c, a, w, sa, sw), ref_bfp_block(c, a.data(), w.data(), L, sa, sw))
            << sa << " " << sw;
    }
    // known answer: 6 * 6 * 16 lanes * 448 * 448 = 115605504
    std::vector<uint16_t> six(L, 7);
    EXPECT_EQ(bfp_once(c, six, six, 0x7E, 0x7E), mpe_f32_bits(115605504.0f));
    // 1.875 (0x3F) x 1.125 (0x39): 0.5 * 0.5 * 2.109375 = 0.52734375
    std::vector<uint16_t> half(L, 0);
    half[0] = 1;
    EXPECT_EQ(bfp_once(c, half, half, 0x3F, 0x39), mpe_f32_bits(0.52734375f));
    // the smallest scales: 2^-9 * 2^-9 * 0.25
    EXPECT_EQ(bfp_once(c, half, half, 0x01, 0x01), mpe_f32_bits(0x1p-20f));
}

// Blocks larger than the lanes stay open across ops; blocks smaller than
// the lanes close inside one op (one cycle each).
TEST(PeBfpCorner, BlocksAcrossAndInsideOps) {
    const int L = 4;
    mpe_pe_cfg c = bfp(MPE_FMT_E2M1, MPE_FMT_E2M1, 12);  // three ops per block
    Pe pe(c, L, 1);
    std::vector<uint16_t> a = {2, 4, 6, 7}, w = {2, 2, 2, 2};  // 1 + 2 + 4 + 6 = 13 per op
    uint16_t s = 127, s2 = 128;
    EXPECT_EQ(pe.step(a.data(), w.data(), true, &s, &s), 1);
    EXPECT_EQ(pe.facc(0), 0u);
    EXPECT_EQ(pe.step(a.data(), w.data(), false, &s, &s), 1);
    EXPECT_EQ(pe.facc(0), 0u);
    EXPECT_EQ(pe.step(a.data(), w.data(), false, &s, &s2), 1);  // the closing op's scales
    EXPECT_EQ(pe.facc(0), mpe_f32_bits(78.0f));
    EXPECT_EQ(pe.step(a.data(), w.data(), false, &s, &s), 1);
    EXPECT_EQ(pe.facc(0), mpe_f32_bits(78.0f));
    // clear drops the open block
    EXPECT_EQ(pe.step(a.data(), w.data(), true, &s, &s), 1);
    EXPECT_EQ(pe.step(a.data(), w.data(), false, &s, &s), 1);
    EXPECT_EQ(pe.step(a.data(), w.data(), false, &s, &s), 1);
    EXPECT_EQ(pe.facc(0), mpe_f32_bits(39.0f));
    // block 1 inside an op: four blocks, four cycles, slot j scales lane j
    mpe_pe_cfg c1 = bfp(MPE_FMT_E2M1, MPE_FMT_E2M1, 1);
    Pe p1(c1, L, 1);
    uint16_t as[4] = {127, 128, 129, 130}, ws[4] = {127, 127, 127, 126};
    EXPECT_EQ(p1.step(a.data(), w.data(), true, as, ws), 4);
    EXPECT_EQ(p1.facc(0), mpe_f32_bits(1.0f + 4.0f + 16.0f + 24.0f));
}

// Codes carry only their low bits; a BFP scale only its low byte.
TEST(PeBfpCorner, HighCodeBitsIgnored) {
    const int L = 8;
    Rng r(11);
    for (const mpe_pe_cfg &c : legal(MPE_MODE_BFP, L, {4, 8, 16})) {
        Pe p1(c, L, 1), p2(c, L, 1);
        uint16_t a[L], w[L], ah[L], wh[L], s[2], sh[2];
        for (int k = 0; k < L; k++) {
            a[k] = (uint16_t)(r.next() & mpe_dt_mask(c.a));
            w[k] = (uint16_t)(r.next() & mpe_dt_mask(c.w));
            ah[k] = (uint16_t)(a[k] | (r.next() & ~mpe_dt_mask(c.a)));
            wh[k] = (uint16_t)(w[k] | (r.next() & ~mpe_dt_mask(c.w)));
        }
        for (int j = 0; j < 2; j++) {
            s[j] = (uint16_t)(c.scale_fmt == MPE_FMT_E8M0 ? r.range(100, 150) : r.below(0x7F));
            sh[j] = (uint16_t)(s[j] | (r.next() & 0xFF00));
        }
        p1.step(a, w, true, s, s);
        p2.step(ah, wh, true, sh, sh);  // scale slots are 16 bits wide
        ASSERT_EQ(p1.facc(0), p2.facc(0)) << name(c);
    }
}

// ---------------------------------------------------------------- shift-add corners

uint32_t sa_once(mpe_dtype a_t, mpe_dtype w_t, const std::vector<uint16_t> &a,
                 const std::vector<uint16_t> &w, uint16_t scale, int16_t zero,
                 uint32_t preload = 0) {
    int L = (int)a.size();
    mpe_pe_cfg c = cfg_of(MPE_MODE_SHIFTADD, a_t, w_t, 0, L, MPE_FMT_FP16);
    Pe pe(c, L, 1);
    pe.pe.facc[0] = preload;
    pe.step(a.data(), w.data(), false, nullptr, &scale, &zero);
    return pe.facc(0);
}

TEST(PeShiftAddCorner, ScalesZeroPointsSpecials) {
    mpe_dtype i8 = mpe_dt_int(8), u8 = mpe_dt_uint(8), i4 = mpe_dt_int(4);
    std::vector<uint16_t> a = {10, 20, 0xFF, 0}, w = {1, 2, 0xF, 0};  // 10 + 40 + 1 = 51
    EXPECT_EQ(sa_once(i8, i4, a, w, 0x3C00, 0), mpe_f32_bits(51.0f));
    EXPECT_EQ(sa_once(i8, i4, a, w, 0xBC00, 0), mpe_f32_bits(-51.0f));
    EXPECT_EQ(sa_once(i8, i4, a, w, 0x3800, 2), mpe_f32_bits((51.0f - 2 * 29) * 0.5f));
    EXPECT_EQ(sa_once(i8, i4, a, w, 0x0000, 3), 0u);  // zero scale: +0
    EXPECT_EQ(sa_once(i8, i4, a, w, 0x8000, 3), 0u);  // -0 scale: +0
    EXPECT_EQ(sa_once(i8, i4, a, w, 0x7C00, 0), MPE_F32_PINF);
    EXPECT_EQ(sa_once(i8, i4, a, w, 0xFC00, 0), MPE_F32_NINF);
    EXPECT_EQ(sa_once(i8, i4, a, w, 0x7C00, 2), MPE_F32_NINF);  // v = 51 - 58 < 0
    EXPECT_EQ(sa_once(i8, i4, a, w, 0xFC00, 2), MPE_F32_PINF);
    std::vector<uint16_t> w0 = {0, 0, 0, 0};
    EXPECT_EQ(sa_once(i8, i4, a, w0, 0x7C00, 0), MPE_F32_QNAN);  // inf x 0
    EXPECT_EQ(sa_once(i8, i4, a, w, 0x7E00, 0), MPE_F32_QNAN);
    EXPECT_EQ(sa_once(i8, i4, a, w, 0x7C01, 0), MPE_F32_QNAN);
    // extreme zero points and scales
    std::vector<uint16_t> big = {255, 255, 255, 255};
    mpe_pe_cfg c = cfg_of(MPE_MODE_SHIFTADD, u8, u8, 0, 4, MPE_FMT_FP16);
    for (int16_t z : {(int16_t)-32768, (int16_t)32767})
        for (uint16_t s : {(uint16_t)0x7BFF, (uint16_t)0x0001, (uint16_t)0xFBFF})
            EXPECT_EQ(sa_once(u8, u8, big, big, s, z),
                      canon(host_add(0.0f, ref_sa_group(c, big.data(), big.data(), 4, s, z))));
    // known answer: 65504 * (4 * 255 * 255 + 32768 * 1020), one rounding
    EXPECT_EQ(sa_once(u8, u8, big, big, 0x7BFF, -32768), mpe_f32_bits(65504.0f * (260100.0f + 32768.0f * 1020.0f)));
}

// Conversion ties of the group value and the two roundings in order.
TEST(PeShiftAddCorner, RoundingTies) {
    mpe_dtype u16 = mpe_dt_uint(16), u8 = mpe_dt_uint(8);
    std::vector<uint16_t> a = {65535, 65535, 257, 0}, w = {255, 1, 1, 0};  // 2^24 + 1
    EXPECT_EQ(sa_once(u16, u8, a, w, 0x3C00, 0), 0x4B800000u);
    EXPECT_EQ(sa_once(u16, u8, a, w, 0x4000, 0), 0x4C000000u);  // x2: (2^25 + 2) ties again
    a[3] = 1;
    w[3] = 2;  // 2^24 + 3 -> 2^24 + 4
    EXPECT_EQ(sa_once(u16, u8, a, w, 0x3C00, 0), 0x4B800002u);
    // zero point: v = P - z S with S = 65535 + 65535 + 257 + 1 = 131328
    EXPECT_EQ(sa_once(u16, u8, a, w, 0x3C00, 1), mpe_f32_bits(16645891.0f));
    // two roundings: acc 1.0 + group 2^24 + 1 -> 2^24
    a[3] = 0;
    EXPECT_EQ(sa_once(u16, u8, a, w, 0x3C00, 0, 0x3F800000u), 0x4B800000u);
}

// Groups larger than the lanes carry P and S across ops; the closing op's
// scale and zero point apply; groups inside an op close one per cycle.
TEST(PeShiftAddCorner, GroupsAcrossAndInsideOps) {
    const int L = 4;
    mpe_pe_cfg c = cfg_of(MPE_MODE_SHIFTADD, mpe_dt_int(8), mpe_dt_int(4), 0, 8, MPE_FMT_FP16);
    Pe pe(c, L, 1);
    std::vector<uint16_t> a = {1, 2, 3, 4}, w = {1, 1, 1, 1}, w2 = {2, 2, 2, 2};
    uint16_t one = 0x3C00, two = 0x4000;
    int16_t z0 = 0, z1 = 1;
    EXPECT_EQ(pe.step(a.data(), w.data(), true, nullptr, &two, &z1), 1);
    EXPECT_EQ(pe.facc(0), 0u);
    EXPECT_EQ(pe.step(a.data(), w2.data(), false, nullptr, &one, &z1), 1);
    // P = 10 + 20, S = 20, z = 1 (closing op): v = 10, scale 1.0
    EXPECT_EQ(pe.facc(0), mpe_f32_bits(10.0f));
    pe.step(a.data(), w.data(), false, nullptr, &one, &z0);
    pe.step(a.data(), w.data(), false, nullptr, &two, &z0);
    EXPECT_EQ(pe.facc(0), mpe_f32_bits(10.0f + 40.0f));
    // group 2 inside a 4-lane op: two cycles, slots per group
    mpe_pe_cfg c2 = cfg_of(MPE_MODE_SHIFTADD, mpe_dt_int(8), mpe_dt_int(4), 0, 2, MPE_FMT_FP16);
    Pe p2(c2, L, 1);
    uint16_t sc[2] = {0x3C00, 0x4800};  // 1, 8
    int16_t zz[2] = {0, 1};
    EXPECT_EQ(p2.step(a.data(), w.data(), true, nullptr, sc, zz), 2);
    EXPECT_EQ(p2.facc(0), mpe_f32_bits(3.0f + 8.0f * (7 - 7)));
    // NULL zero points mean 0
    EXPECT_EQ(p2.step(a.data(), w.data(), true, nullptr, sc, nullptr), 2);
    EXPECT_EQ(p2.facc(0), mpe_f32_bits(3.0f + 56.0f));
}

}  // namespace
