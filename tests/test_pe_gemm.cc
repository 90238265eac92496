// GEMMs: the structural path (mpe_gemm_structural, op by op on a PE), the
// fast path (mpe_gemm_fast) and the plain reference must agree bit for bit,
// for every legal configuration (small random GEMMs) and for large seeded
// random GEMMs; total PE cycles follow the section 5 table. A failure
// prints the seed and a one-line reproduction (MPE_TEST_SEED=...).
// docs/numerics.md sections 5 and 5.6.
#include "pe_test_util.h"

#include <algorithm>

using namespace pet;

namespace {

struct Gemm {
    mpe_pe_cfg c;
    int M = 0, N = 0, K = 0;
    std::vector<uint16_t> A, W, as, ws;
    std::vector<int16_t> wz;
    bool null_zero = false;
    mpe_gemm_args args() const {
        mpe_gemm_args g = {M, N, K, A.data(), W.data(), as.empty() ? nullptr : as.data(),
                           ws.empty() ? nullptr : ws.data(),
                           (wz.empty() || null_zero) ? nullptr : wz.data()};
        return g;
    }
};

bool special(mpe_dtype t, uint16_t c) {
    return t.kind == MPE_DT_FP &&
           (mpe_fp_is_nan((mpe_fmt)t.fmt, c) || mpe_fp_is_inf((mpe_fmt)t.fmt, c));
}

// A random code; BFP NaN/inf elements only once in `spec_odds` draws.
uint16_t draw(Rng &r, mpe_dtype t, uint32_t spec_odds) {
    for (;;) {
        uint16_t c = (uint16_t)(r.next() & mpe_dt_mask(t));
        if (!special(t, c) || r.below(spec_odds) == 0) return c;
    }
}

uint16_t draw_scale(Rng &r, const mpe_pe_cfg &c) {
    bool wild = r.below(64) == 0;
    if (c.mode == MPE_MODE_SHIFTADD) {
        if (wild) return (uint16_t)r.next();
        return (uint16_t)((r.below(4) == 0 ? 0x8000 : 0) | (r.range(5, 25) << 10) | r.below(1024));
    }
    if (c.scale_fmt == MPE_FMT_UE4M3) return (uint16_t)(wild ? r.below(256) : r.below(0x7F));
    return (uint16_t)(wild ? r.below(256) : r.range(110, 144));
}

void fill(Gemm &t, Rng &r, uint32_t spec_odds = 512) {
    t.A.resize((size_t)t.M * t.K);
    t.W.resize((size_t)t.N * t.K);
    for (auto &x : t.A) x = draw(r, t.c.a, spec_odds);
    for (auto &x : t.W) x = draw(r, t.c.w, spec_odds);
    t.as.clear();
    t.ws.clear();
    t.wz.clear();
    if (!mpe_pe_cfg_is_float(&t.c)) return;
    int nb = t.K / t.c.group;
    if (t.c.mode == MPE_MODE_BFP)
        for (int i = 0; i < t.M * nb; i++) t.as.push_back(draw_scale(r, t.c));
    for (int i = 0; i < t.N * nb; i++) {
        t.ws.push_back(draw_scale(r, t.c));
        t.wz.push_back((int16_t)(r.below(8) == 0 ? (int)(uint16_t)r.next() - 32768
                                                  : r.range(-8, 15)));
    }
    t.null_zero = r.below(5) == 0;
}

void reference(const Gemm &t, std::vector<int64_t> &yi, std::vector<uint32_t> &yf) {
    const mpe_pe_cfg &c = t.c;
    yi.assign((size_t)t.M * t.N, 0);
    yf.assign((size_t)t.M * t.N, 0);
    std::vector<double> ta, tw;
    if (c.mode == MPE_MODE_BFP) {
        ta = elem_table(c.a);
        tw = elem_table(c.w);
    }
    mpe_gemm_args g = t.args();
    for (int m = 0; m < t.M; m++)
        for (int n = 0; n < t.N; n++) {
            const uint16_t *a = t.A.data() + (size_t)m * t.K, *w = t.W.data() + (size_t)n * t.K;
            size_t i = (size_t)m * t.N + n;
            if (!mpe_pe_cfg_is_float(&c)) {
                yi[i] = wrap48(int_dot(c.a, c.w, a, w, t.K));
                continue;
            }
            int G = c.group, nb = t.K / G;
            float acc = 0.0f;
            for (int b = 0; b < nb; b++) {
                size_t is = (size_t)n * nb + b;
                uint32_t v = c.mode == MPE_MODE_BFP
                                 ? ref_bfp_block(c, a + b * G, w + b * G, G,
                                                 t.as[(size_t)m * nb + b], t.ws[is], ta.data(),
                                                 tw.data())
                                 : ref_sa_group(c, a + b * G, w + b * G, G, t.ws[is],
                                                g.w_zero ? g.w_zero[is] : 0);
                acc = host_add(acc, v);
            }
            yf[i] = canon(acc);
        }
}

// Runs both paths and the reference; false after reporting a mismatch.
bool check(const Gemm &t, int lanes, int cols, uint64_t seed) {
    size_t n = (size_t)t.M * t.N;
    std::vector<int64_t> ri, si(n, -1), fi(n, -2);
    std::vector<uint32_t> rf, sf(n, 1), ff(n, 2);
    reference(t, ri, rf);
    mpe_gemm_args g = t.args();
    uint64_t cycles = 0;
    std::string where = name(t.c) + " " + std::to_string(t.M) + "x" + std::to_string(t.N) + "x" +
                        std::to_string(t.K) + " PE " + std::to_string(lanes) + "x" +
                        std::to_string(cols) + "; " + repro(seed);
    EXPECT_EQ(mpe_gemm_structural(&t.c, lanes, cols, &g, si.data(), sf.data(), &cycles), MPE_OK)
        << where;
    EXPECT_EQ(mpe_gemm_fast(&t.c, &g, fi.data(), ff.data()), MPE_OK) << where;
    bool fl = mpe_pe_cfg_is_float(&t.c);
    for (size_t i = 0; i < n; i++) {
        bool ok = fl ? (sf[i] == rf[i] && ff[i] == rf[i]) : (si[i] == ri[i] && fi[i] == ri[i]);
        if (!ok) {
            ADD_FAILURE() << where << ": element " << i / t.N << "," << i % t.N << std::hex
                          << (fl ? " f32" : " int") << " structural "
                          << (fl ? (int64_t)sf[i] : si[i]) << " fast "
                          << (fl ? (int64_t)ff[i] : fi[i]) << " reference "
                          << (fl ? (int64_t)rf[i] : ri[i]);
            return false;
        }
    }
    uint64_t per = (uint64_t)expected_cycles(t.c, lanes, false);
    uint64_t want = (uint64_t)t.M * ((t.N + cols - 1) / cols) * (t.K / lanes) * per;
    EXPECT_EQ(cycles, want) << where;
    return cycles == want;
}

int lcm(int a, int b) {
    int x = a, y = b;
    while (y) {
        int t = x % y;
        x = y;
        y = t;
    }
    return a / x * b;
}

// Every legal configuration of every mode: one small random GEMM each on a
// random PE shape, with a random legal group.
TEST(PeGemm, EveryLegalConfigSmall) {
    uint64_t seed = test_seed();
    Rng r(seed);
    const int lane_opts[] = {4, 8, 16};
    const int groups[] = {1, 2, 4, 8, 12, 16, 32, 48, 64};
    long n = 0;
    for (int mode = 0; mode < MPE_MODE_COUNT; mode++) {
        std::vector<int> gs = {0};
        if (mode == MPE_MODE_SHIFTADD || mode == MPE_MODE_BFP) gs.assign(groups, groups + 9);
        if (mode == MPE_MODE_SHIFTADD) gs.push_back(0);
        std::vector<mpe_pe_cfg> cfgs = legal(mode, 4, gs);
        for (size_t i = 0; i < cfgs.size(); i += quick() ? 9 : 1) {
            Gemm t;
            t.c = cfgs[i];
            int lanes = lane_opts[r.below(3)];
            if (mpe_pe_cfg_check(&t.c, lanes, nullptr, 0) != MPE_OK) lanes = 4;
            int cols = r.range(1, 6);
            int unit = t.c.group ? lcm(lanes, t.c.group) : lanes;
            t.M = r.range(1, 3);
            t.N = r.range(1, 7);
            t.K = unit * r.range(1, std::max(1, 64 / unit));
            fill(t, r, 64);
            n++;
            if (!check(t, lanes, cols, seed)) return;
        }
    }
    printf("  %ld GEMMs\n", n);
}

const mpe_pe_cfg kRepresentative[] = {
    cfg_of(MPE_MODE_MAC, mpe_dt_int(8), mpe_dt_int(8)),
    cfg_of(MPE_MODE_MAC, mpe_dt_uint(8), mpe_dt_int(8)),
    cfg_of(MPE_MODE_LUT, mpe_dt_int(8), mpe_dt_binary()),
    cfg_of(MPE_MODE_LUT, mpe_dt_int(8), mpe_dt_int(2)),
    cfg_of(MPE_MODE_LUT, mpe_dt_int(8), mpe_dt_uint(4)),
    cfg_of(MPE_MODE_LUT, mpe_dt_int(16), mpe_dt_ternary()),
    cfg_of(MPE_MODE_LUT, mpe_dt_uint(16), mpe_dt_int(4)),
    cfg_of(MPE_MODE_SHIFTADD, mpe_dt_int(8), mpe_dt_pow2()),
    cfg_of(MPE_MODE_SHIFTADD, mpe_dt_uint(16), mpe_dt_uint(8)),
    cfg_of(MPE_MODE_SHIFTADD, mpe_dt_int(8), mpe_dt_int(4), 0, 32, MPE_FMT_FP16),
    cfg_of(MPE_MODE_SHIFTADD, mpe_dt_uint(8), mpe_dt_uint(4), 0, 128, MPE_FMT_FP16),
    cfg_of(MPE_MODE_SHIFTADD, mpe_dt_int(16), mpe_dt_pow2(), 0, 8, MPE_FMT_FP16),
    cfg_of(MPE_MODE_BFP, mpe_dt_fp(MPE_FMT_E4M3), mpe_dt_fp(MPE_FMT_E4M3), 0, 32, MPE_FMT_E8M0),
    cfg_of(MPE_MODE_BFP, mpe_dt_fp(MPE_FMT_E5M2), mpe_dt_fp(MPE_FMT_E5M2), 0, 32, MPE_FMT_E8M0),
    cfg_of(MPE_MODE_BFP, mpe_dt_fp(MPE_FMT_E2M1), mpe_dt_fp(MPE_FMT_E2M1), 0, 32, MPE_FMT_E8M0),
    cfg_of(MPE_MODE_BFP, mpe_dt_fp(MPE_FMT_E2M1), mpe_dt_fp(MPE_FMT_E2M1), 0, 16, MPE_FMT_UE4M3),
    cfg_of(MPE_MODE_BFP, mpe_dt_bfpint(8), mpe_dt_bfpint(8), 0, 32, MPE_FMT_E8M0),
    cfg_of(MPE_MODE_BFP, mpe_dt_bfpint(4), mpe_dt_fp(MPE_FMT_E3M2), 0, 64, MPE_FMT_E8M0),
    cfg_of(MPE_MODE_BFP, mpe_dt_fp(MPE_FMT_E2M3), mpe_dt_fp(MPE_FMT_E5M2), 0, 8, MPE_FMT_UE4M3),
    cfg_of(MPE_MODE_BITSERIAL, mpe_dt_int(8), mpe_dt_int(8)),
    cfg_of(MPE_MODE_BITSERIAL, mpe_dt_int(4), mpe_dt_int(4), 1),
    cfg_of(MPE_MODE_BITSERIAL, mpe_dt_uint(16), mpe_dt_int(16)),
    cfg_of(MPE_MODE_BITSERIAL, mpe_dt_int(16), mpe_dt_int(16), 1),
};

// Large seeded random GEMMs of the representative configurations.
TEST(PeGemm, RandomLarge) {
    uint64_t seed0 = test_seed();
    int rounds = quick() ? 1 : 2;
    for (int round = 0; round < rounds; round++)
        for (const mpe_pe_cfg &c : kRepresentative) {
            uint64_t seed = seed0 * 1000003u + (uint64_t)round * 131 + (uint64_t)c.mode * 7 +
                            c.a.bits * 17 + c.w.bits;
            Rng r(seed);
            Gemm t;
            t.c = c;
            int lanes = c.group && c.group < 16 ? 8 : 16;
            int cols = r.range(4, 32);
            int unit = c.group ? lcm(lanes, c.group) : lanes;
            t.M = r.range(8, quick() ? 16 : 48);
            t.N = r.range(8, quick() ? 20 : 70);
            t.K = unit * std::max(1, r.range(64, quick() ? 128 : 512) / unit);
            fill(t, r);
            if (!check(t, lanes, cols, seed)) return;
        }
}

// The fast path's int16 blocks: K much longer than the longest block whose
// int32 partial sums cannot overflow, every element at full scale, and N
// not a multiple of the four-column kernel.
TEST(PeGemm, FastPathBlockBoundaries) {
    struct Case {
        mpe_pe_cfg c;
        uint16_t a, w;
    };
    const Case cases[] = {
        {cfg_of(MPE_MODE_LUT, mpe_dt_uint(16), mpe_dt_uint(4)), 0xFFFF, 0xF},        // wide path
        {cfg_of(MPE_MODE_SHIFTADD, mpe_dt_int(16), mpe_dt_int(8)), 0x8000, 0x80},    // blocks of 511
        {cfg_of(MPE_MODE_MAC, mpe_dt_int(8), mpe_dt_int(8)), 0x80, 0x80},            // 2^14 per term
        {cfg_of(MPE_MODE_BITSERIAL, mpe_dt_int(16), mpe_dt_int(16)), 0x8000, 0x8000}, // int32 path
        {cfg_of(MPE_MODE_BITSERIAL, mpe_dt_int(15), mpe_dt_int(1)), 0x4000, 0x1},
        {cfg_of(MPE_MODE_BFP, mpe_dt_fp(MPE_FMT_E5M2), mpe_dt_fp(MPE_FMT_E5M2), 0, 64,
                MPE_FMT_E8M0), 0x7B, 0x7B},                                         // int128 path
        {cfg_of(MPE_MODE_BFP, mpe_dt_fp(MPE_FMT_E4M3), mpe_dt_fp(MPE_FMT_E4M3), 0, 4096,
                MPE_FMT_UE4M3), 0xFE, 0x7E},
    };
    for (const Case &k : cases) {
        Gemm t;
        t.c = k.c;
        t.M = 2;
        t.N = 5;
        t.K = quick() ? 4096 : 8192;
        t.A.assign((size_t)t.M * t.K, k.a);
        t.W.assign((size_t)t.N * t.K, k.w);
        t.W[3] = 0;  // one column slightly off
        if (mpe_pe_cfg_is_float(&t.c)) {
            int nb = t.K / t.c.group;
            t.as.assign((size_t)t.M * nb, t.c.scale_fmt == MPE_FMT_UE4M3 ? 0x38 : 127);
            t.ws.assign((size_t)t.N * nb, t.c.scale_fmt == MPE_FMT_UE4M3 ? 0x38 : 127);
        }
        if (!check(t, 64, 3, 0)) return;
    }
}

// Groups and blocks that span 2..4 ops, and groups of 1 lane.
TEST(PeGemm, GroupsAcrossOps) {
    uint64_t seed = test_seed() + 99;
    Rng r(seed);
    for (int lanes : {4, 8, 16})
        for (int mult : {1, 2, 3, 4})
            for (int mode : {MPE_MODE_SHIFTADD, MPE_MODE_BFP}) {
                Gemm t;
                t.c = mode == MPE_MODE_BFP
                          ? cfg_of(mode, mpe_dt_fp(MPE_FMT_E3M2), mpe_dt_bfpint(6), 0, lanes * mult,
                                   MPE_FMT_E8M0)
                          : cfg_of(mode, mpe_dt_int(7), mpe_dt_uint(3), 0, lanes * mult,
                                   MPE_FMT_FP16);
                if (mult == 4) t.c.group = 1;
                t.M = 3;
                t.N = 5;
                t.K = lanes * mult * 3;
                fill(t, r);
                if (!check(t, lanes, 2, seed)) return;
            }
}

TEST(PeGemm, ArgumentErrors) {
    Gemm t;
    t.c = cfg_of(MPE_MODE_BFP, mpe_dt_fp(MPE_FMT_E4M3), mpe_dt_fp(MPE_FMT_E4M3), 0, 32,
                 MPE_FMT_E8M0);
    t.M = 2;
    t.N = 3;
    t.K = 64;
    Rng r(1);
    fill(t, r);
    mpe_gemm_args g = t.args();
    std::vector<int64_t> yi(6);
    std::vector<uint32_t> yf(6);
    EXPECT_EQ(mpe_gemm_structural(&t.c, 16, 4, &g, nullptr, yf.data(), nullptr), MPE_OK);
    EXPECT_EQ(mpe_gemm_fast(&t.c, &g, nullptr, yf.data()), MPE_OK);
    EXPECT_EQ(mpe_gemm_structural(&t.c, 16, 4, &g, yi.data(), nullptr, nullptr), MPE_ERR_ARG);
    EXPECT_EQ(mpe_gemm_fast(&t.c, &g, yi.data(), nullptr), MPE_ERR_ARG);
    EXPECT_EQ(mpe_gemm_structural(&t.c, 6, 4, &g, nullptr, yf.data(), nullptr), MPE_ERR_SHAPE);
    EXPECT_EQ(mpe_gemm_structural(&t.c, 16, 0, &g, nullptr, yf.data(), nullptr), MPE_ERR_SHAPE);
    mpe_gemm_args bad = g;
    bad.K = 48;  // not a multiple of 32 (the block)
    EXPECT_EQ(mpe_gemm_structural(&t.c, 16, 4, &bad, nullptr, yf.data(), nullptr), MPE_ERR_SHAPE);
    EXPECT_EQ(mpe_gemm_fast(&t.c, &bad, nullptr, yf.data()), MPE_ERR_SHAPE);
    bad = g;
    bad.K = 40;  // not a multiple of 16 lanes
    EXPECT_EQ(mpe_gemm_structural(&t.c, 16, 4, &bad, nullptr, yf.data(), nullptr), MPE_ERR_SHAPE);
    bad = g;
    bad.a_scale = nullptr;
    EXPECT_EQ(mpe_gemm_structural(&t.c, 16, 4, &bad, nullptr, yf.data(), nullptr), MPE_ERR_ARG);
    EXPECT_EQ(mpe_gemm_fast(&t.c, &bad, nullptr, yf.data()), MPE_ERR_ARG);
    bad = g;
    bad.M = 0;
    EXPECT_EQ(mpe_gemm_fast(&t.c, &bad, nullptr, yf.data()), MPE_ERR_SHAPE);
    EXPECT_EQ(mpe_gemm_structural(&t.c, 16, 4, &bad, nullptr, yf.data(), nullptr), MPE_ERR_SHAPE);
    bad = g;
    bad.W = nullptr;
    EXPECT_EQ(mpe_gemm_fast(&t.c, &bad, nullptr, yf.data()), MPE_ERR_ARG);
    EXPECT_EQ(mpe_gemm_fast(&t.c, nullptr, nullptr, yf.data()), MPE_ERR_ARG);
    mpe_pe_cfg lut5 = cfg_of(MPE_MODE_LUT, mpe_dt_int(8), mpe_dt_int(5));
    EXPECT_EQ(mpe_gemm_fast(&lut5, &g, yi.data(), nullptr), MPE_ERR_ARG);
    EXPECT_EQ(mpe_gemm_structural(&lut5, 16, 4, &g, yi.data(), nullptr, nullptr), MPE_ERR_ARG);
}

}  // namespace
