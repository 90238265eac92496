// PE integer modes (MAC, LUT, ungrouped shift-add, bit-serial): exhaustive
// operand sweeps against a plain reference (sum of mpe_dt_int_value
// products, wrapped to 48 bits), int48 wrap-around, extremes, ternary 0b10,
// pow2 zero. docs/numerics.md sections 5.1, 5.2, 5.4, 5.5.
#include "pe_test_util.h"

#include <algorithm>
#include <map>

using namespace pet;

namespace {

constexpr int kL = 4;  // lanes of the sweep PE
constexpr int kC = 2;  // columns

// Every (activation code, weight code) pair of the two code sets at every
// lane position: op (r, b) holds pair 4b + (l + r) % 4 in lane l, so over
// r = 0..3 each pair visits each lane once. Column 1 pairs the same
// activation with the next weight code. Each op clears and is checked.
void sweep(const mpe_pe_cfg &c, const std::vector<uint16_t> &sa, const std::vector<uint16_t> &sw,
           long *ops, uint64_t seed) {
    Pe pe(c, kL, kC);
    size_t nw = sw.size(), n = sa.size() * nw, nb = (n + 3) / 4;
    int fails = 0;
    for (int r = 0; r < 4; r++)
        for (size_t b = 0; b < nb; b++) {
            uint16_t a[kL], w[kC * kL];
            for (int l = 0; l < kL; l++) {
                size_t p = (4 * b + (size_t)((l + r) % 4)) % n;
                a[l] = sa[p / nw];
                w[l] = sw[p % nw];
                w[kL + l] = sw[(p % nw + 1) % nw];
            }
            int cyc = pe.step(a, w, true);
            (*ops)++;
            bool bad = cyc != expected_cycles(c, kL, false);
            for (int col = 0; col < kC; col++)
                bad |= pe.acc(col) != wrap48(int_dot(c.a, c.w, a, w + col * kL, kL));
            if (bad) {
                ADD_FAILURE() << name(c) << ": a " << a[0] << "," << a[1] << "," << a[2] << ","
                              << a[3] << " w " << w[0] << "," << w[1] << "," << w[2] << ","
                              << w[3] << " -> " << pe.acc(0) << " (ref "
                              << (int64_t)wrap48(int_dot(c.a, c.w, a, w, kL)) << "), cycles "
                              << cyc << "; " << repro(seed);
                if (++fails >= 5) return;
            }
        }
}

// Sweeps every legal configuration of a mode: full code sets up to
// `full_bits` bits per side (reduced sets with `nrand` random codes above,
// drawn from the test seed: MPE_TEST_SEED).
void sweep_mode(int mode, int full_bits, int nrand, int stride) {
    const uint64_t seed = test_seed();
    Rng r(seed + 1);
    long ops = 0, ncfg = 0;
    std::vector<mpe_pe_cfg> cfgs = legal(mode, kL);
    ASSERT_FALSE(cfgs.empty());
    for (size_t i = 0; i < cfgs.size(); i += (size_t)stride) {
        const mpe_pe_cfg &c = cfgs[i];
        // one wide side: the other side's full set shrinks to 5 bits
        int fa = c.w.bits > full_bits ? std::min(full_bits, 5) : full_bits;
        int fw = c.a.bits > full_bits ? std::min(full_bits, 5) : full_bits;
        sweep(c, code_set(c.a, fa, nrand, r), code_set(c.w, fw, nrand, r), &ops, seed);
        ncfg++;
        if (::testing::Test::HasFailure()) return;
    }
    ::testing::Test::RecordProperty("configs", (int)ncfg);
    ::testing::Test::RecordProperty("ops", (int)ops);
    printf("  %s: %ld configurations, %ld ops\n", mpe_mode_name((mpe_mode)mode), ncfg, ops);
}

TEST(PeIntSweep, MacAllInt8Pairs) { sweep_mode(MPE_MODE_MAC, 8, 0, 1); }

TEST(PeIntSweep, LutEveryWeightTypeAndActivation) {
    sweep_mode(MPE_MODE_LUT, quick() ? 6 : 8, 12, quick() ? 5 : 1);
}

TEST(PeIntSweep, ShiftAddUngrouped) {
    sweep_mode(MPE_MODE_SHIFTADD, quick() ? 5 : 8, 8, quick() ? 7 : 1);
}

TEST(PeIntSweep, BitSerialAndBothSerial) {
    sweep_mode(MPE_MODE_BITSERIAL, quick() ? 4 : 8, 4, quick() ? 17 : 1);
}

// ---------------------------------------------------------------- corners

// Configurations that reach the largest |dot| per op, with their extreme
// codes (activation, weight) for a given sign pattern.
struct Extreme {
    mpe_pe_cfg cfg;
    uint16_t a, w;
};

int64_t ival(mpe_dtype t, uint16_t c) { return mpe_dt_int_value(t, c); }

// The code of t whose value has the largest magnitude (ties: negative).
uint16_t extreme_code_scan(mpe_dtype t) {
    uint16_t best = 0;
    for (uint32_t c = 0; c < (1u << t.bits); c++) {
        int64_t v = ival(t, (uint16_t)c), b = ival(t, best);
        if (llabs(v) > llabs(b) || (llabs(v) == llabs(b) && v < b)) best = (uint16_t)c;
    }
    return best;
}

uint16_t extreme_code(mpe_dtype t) {
    static std::map<int, uint16_t> memo;
    int key = t.kind * 4096 + t.bits * 64 + t.fmt;
    auto it = memo.find(key);
    if (it != memo.end()) return it->second;
    return memo[key] = extreme_code_scan(t);
}

// The code of the largest magnitude of the opposite sign (or ec itself).
uint16_t opposite_code(mpe_dtype t, uint16_t ec) {
    uint16_t o = ec;
    for (uint32_t q = 0; q < (1u << t.bits); q++)
        if (ival(t, (uint16_t)q) * ival(t, ec) < 0 &&
            (o == ec || llabs(ival(t, (uint16_t)q)) > llabs(ival(t, o))))
            o = (uint16_t)q;
    return o;
}

std::vector<mpe_pe_cfg> all_int_cfgs(int lanes) {
    std::vector<mpe_pe_cfg> v;
    for (int m : {MPE_MODE_MAC, MPE_MODE_LUT, MPE_MODE_SHIFTADD, MPE_MODE_BITSERIAL})
        for (const mpe_pe_cfg &c : legal(m, lanes)) v.push_back(c);
    return v;
}

// Every integer configuration, 64 lanes all at the largest magnitude, many
// ops: the per-op sums are the largest the PE forms.
TEST(PeIntCorner, MaxMagnitudeEveryConfig) {
    const int L = 64, C = 2;
    std::vector<mpe_pe_cfg> cfgs = all_int_cfgs(L);
    for (size_t i = 0; i < cfgs.size(); i += quick() ? 11 : 1) {
        const mpe_pe_cfg &c = cfgs[i];
        Pe pe(c, L, C);
        std::vector<uint16_t> a(L, extreme_code(c.a)), w(C * L, extreme_code(c.w));
        for (int k = 0; k < L; k += 2) w[(size_t)L + k] = 0;  // column 1: half the lanes 0-code
        __int128 tot[C] = {0, 0};
        for (int op = 0; op < 5; op++) {
            pe.step(a.data(), w.data(), op == 0);
            for (int col = 0; col < C; col++) {
                tot[col] += int_dot(c.a, c.w, a.data(), w.data() + col * L, L);
                ASSERT_EQ(pe.acc(col), wrap48(tot[col])) << name(c) << " op " << op;
            }
        }
    }
}

// The int48 accumulator wraps modulo 2^48: through the front door (enough
// full-scale ops to pass 2^47 several times) and from preloaded values
// next to +-2^47 for every integer configuration.
TEST(PeIntCorner, Wraparound48FrontDoor) {
    struct Case { mpe_pe_cfg c; long ops; };
    mpe_dtype u16 = mpe_dt_uint(16), i16 = mpe_dt_int(16);
    std::vector<Case> cases = {
        {cfg_of(MPE_MODE_BITSERIAL, u16, u16), 3000},           // ~2^38 per op
        {cfg_of(MPE_MODE_BITSERIAL, i16, i16, 1), 6000},         // -32768^2 * 64 = 2^36, both-serial
        {cfg_of(MPE_MODE_SHIFTADD, u16, mpe_dt_uint(8)), 300000}, // ~2^30 per op
        {cfg_of(MPE_MODE_MAC, mpe_dt_int(8), mpe_dt_int(8)), 0},  // 2^20 per op: preloaded below
    };
    for (const Case &k : cases) {
        const int L = 64;
        Pe pe(k.c, L, 1);
        std::vector<uint16_t> a(L, extreme_code(k.c.a)), w(L, extreme_code(k.c.w));
        __int128 per = int_dot(k.c.a, k.c.w, a.data(), w.data(), L), tot = 0;
        bool crossed = false;
        long n = k.ops;
        if (n == 0) continue;
        for (long op = 0; op < n; op++) {
            pe.step(a.data(), w.data(), op == 0);
            tot += per;
            crossed |= tot >= ((__int128)1 << 47) || tot < -((__int128)1 << 47);
        }
        EXPECT_TRUE(crossed) << name(k.c);
        EXPECT_EQ(pe.acc(0), wrap48(tot)) << name(k.c);
        EXPECT_EQ(pe.pe.acc[0] >> 48, 0u) << "only the low 48 bits are kept";
    }
}

TEST(PeIntCorner, Wraparound48Preloaded) {
    const int L = 16;
    for (const mpe_pe_cfg &c : all_int_cfgs(L)) {
        Pe pe(c, L, 2);
        uint16_t ec = extreme_code(c.w);
        std::vector<uint16_t> a(L, extreme_code(c.a)), w(2 * L, ec);
        // column 1: the largest weight of the opposite sign, where the type has one
        static std::map<int, uint16_t> memo;
        int key = c.w.kind * 64 + c.w.bits;
        if (!memo.count(key)) memo[key] = opposite_code(c.w, ec);
        for (int k = 0; k < L; k++) w[(size_t)L + k] = memo[key];
        __int128 base[2] = {((__int128)1 << 47) - 3, -((__int128)1 << 47) + 2};
        pe.step(a.data(), w.data(), true);  // establish the config
        for (int col = 0; col < 2; col++) pe.pe.acc[col] = (uint64_t)base[col] & ((1ull << 48) - 1);
        pe.step(a.data(), w.data(), false);
        for (int col = 0; col < 2; col++)
            ASSERT_EQ(pe.acc(col), wrap48(base[col] + int_dot(c.a, c.w, a.data(), w.data() + col * L, L)))
                << name(c) << " column " << col;
    }
}

// int16 extremes: -32768 x -32768 in every lane (2^30 per lane) and
// -32768 against the most negative weight of each narrower type.
TEST(PeIntCorner, Int16Extremes) {
    const int L = 64;
    mpe_dtype i16 = mpe_dt_int(16);
    std::vector<mpe_pe_cfg> cfgs = {cfg_of(MPE_MODE_BITSERIAL, i16, i16),
                                    cfg_of(MPE_MODE_BITSERIAL, i16, i16, 1),
                                    cfg_of(MPE_MODE_LUT, i16, mpe_dt_int(4)),
                                    cfg_of(MPE_MODE_LUT, i16, mpe_dt_int(1)),
                                    cfg_of(MPE_MODE_SHIFTADD, i16, mpe_dt_int(8)),
                                    cfg_of(MPE_MODE_SHIFTADD, i16, mpe_dt_pow2())};
    for (const mpe_pe_cfg &c : cfgs) {
        Pe pe(c, L, 1);
        std::vector<uint16_t> a(L, 0x8000), w(L, extreme_code(c.w));
        pe.step(a.data(), w.data(), true);
        __int128 want = int_dot(c.a, c.w, a.data(), w.data(), L);
        EXPECT_EQ(pe.acc(0), wrap48(want)) << name(c);
        EXPECT_GT(want, 0) << name(c);
    }
    // the known answer: 64 * 2^30 = 2^36
    Pe pe(cfgs[0], L, 1);
    std::vector<uint16_t> a(L, 0x8000);
    pe.step(a.data(), a.data(), true);
    EXPECT_EQ(pe.acc(0), (int64_t)1 << 36);
}

// Ternary: the unused code 0b10 decodes to -1, like 0b11.
TEST(PeIntCorner, TernaryCode10IsMinusOne) {
    const int L = 8;
    mpe_pe_cfg c = cfg_of(MPE_MODE_LUT, mpe_dt_int(8), mpe_dt_ternary());
    Pe pe(c, L, 3);
    for (int v = 0; v < 256; v++) {
        std::vector<uint16_t> a(L), w(3 * L);
        for (int k = 0; k < L; k++) {
            a[(size_t)k] = (uint16_t)((v + 37 * k) & 0xFF);
            w[(size_t)k] = 2;          // 0b10
            w[(size_t)L + k] = 3;      // 0b11 (-1)
            w[(size_t)2 * L + k] = (uint16_t)(k & 1 ? 2 : 1);
        }
        pe.step(a.data(), w.data(), true);
        int64_t s = 0, alt = 0;
        for (int k = 0; k < L; k++) {
            int64_t x = (int8_t)a[(size_t)k];
            s += x;
            alt += k & 1 ? -x : x;
        }
        ASSERT_EQ(pe.acc(0), -s);
        ASSERT_EQ(pe.acc(1), -s);
        ASSERT_EQ(pe.acc(2), alt);
    }
}

// pow2: an exponent field of 0 is zero, with either sign bit; the
// magnitudes are 1..64.
TEST(PeIntCorner, Pow2ZeroAndMagnitudes) {
    const int L = 4;
    mpe_pe_cfg c = cfg_of(MPE_MODE_SHIFTADD, mpe_dt_int(16), mpe_dt_pow2());
    Pe pe(c, L, 1);
    uint16_t a[L] = {0x7FFF, 0x8000, 1, 0xFFFF};
    for (uint16_t q = 0; q < 16; q++) {
        uint16_t w[L] = {q, q, q, q};
        pe.step(a, w, true);
        int64_t mag = (q & 7) ? (int64_t)1 << ((q & 7) - 1) : 0;
        int64_t want = (q & 8 ? -mag : mag) * (32767 - 32768 + 1 - 1);
        EXPECT_EQ(pe.acc(0), want) << "code " << q;
    }
    uint16_t w0[L] = {0, 8, 0, 8}, w64[L] = {7, 7, 15, 15};
    pe.step(a, w0, true);
    EXPECT_EQ(pe.acc(0), 0);
    pe.step(a, w64, true);
    EXPECT_EQ(pe.acc(0), 64 * 32767 + 64 * -32768 - 64 * 1 - 64 * -1);
}

// Codes carry only their low `bits` bits: higher bits are ignored.
TEST(PeIntCorner, HighCodeBitsIgnored) {
    const int L = 8;
    Rng r(7);
    for (int mode : {MPE_MODE_MAC, MPE_MODE_LUT, MPE_MODE_SHIFTADD, MPE_MODE_BITSERIAL})
        for (const mpe_pe_cfg &c : legal(mode, L)) {
            if (c.a.bits == 16 && c.w.bits == 16) continue;
            Pe p1(c, L, 1), p2(c, L, 1);
            uint16_t a[L], w[L], ah[L], wh[L];
            for (int k = 0; k < L; k++) {
                a[k] = (uint16_t)(r.next() & mpe_dt_mask(c.a));
                w[k] = (uint16_t)(r.next() & mpe_dt_mask(c.w));
                ah[k] = (uint16_t)(a[k] | (r.next() & ~mpe_dt_mask(c.a)));
                wh[k] = (uint16_t)(w[k] | (r.next() & ~mpe_dt_mask(c.w)));
            }
            p1.step(a, w, true);
            p2.step(ah, wh, true);
            ASSERT_EQ(p1.acc(0), p2.acc(0)) << name(c);
        }
}

// LUT known answer worked by hand (docs/numerics.md 5.1): x = (3, -1, 2, 5),
// uint2 weights q = (1, 2, 3, 0): dot = 3 - 2 + 6 + 0 = 7.
TEST(PeIntCorner, LutKnownAnswer) {
    mpe_pe_cfg c = cfg_of(MPE_MODE_LUT, mpe_dt_int(8), mpe_dt_uint(2));
    Pe pe(c, 4, 1);
    uint16_t a[4] = {3, 0xFF, 2, 5}, w[4] = {1, 2, 3, 0};
    // plane 0: idx 0b0101, T(5) = 3 + 1 + 2 - 5 = 1; plane 1: idx 0b0110,
    // T(6) = -3 - 1 + 2 - 5 = -7; S = 9: 2 dot = 1 + 2 (-7) + (9 << 2) - 9 = 14
    EXPECT_EQ(pe.step(a, w, true), 2);
    EXPECT_EQ(pe.acc(0), 7);
    uint16_t wi[4] = {1, 2, 3, 0};  // int2: 1, -2, -1, 0: 3 + 2 - 2 + 0 = 3
    mpe_pe_cfg ci = cfg_of(MPE_MODE_LUT, mpe_dt_int(8), mpe_dt_int(2));
    Pe pi(ci, 4, 1);
    pi.step(a, wi, true);
    EXPECT_EQ(pi.acc(0), 3);
}

// A PE with LUT_PPC = 1, 2, 4 (planes looked up per cycle): the same
// accumulators as the plain reference, ceil(planes / ppc) cycles per op; every
// LUT weight type (odd plane counts leave the last cycle's second plane
// unused), random operands, accumulation over several ops.
TEST(PeIntCorner, LutPlanesPerCycle) {
    EXPECT_EQ(mpe_lut_op_cycles(mpe_dt_int(3), 2), 2);
    EXPECT_EQ(mpe_lut_op_cycles(mpe_dt_uint(4), 4), 1);
    EXPECT_EQ(mpe_lut_op_cycles(mpe_dt_ternary(), 2), 1);
    EXPECT_EQ(mpe_lut_op_cycles(mpe_dt_binary(), 4), 1);
    EXPECT_EQ(mpe_lut_op_cycles(mpe_dt_int(2), 1), 2);
    mpe_pe_cfg c0 = cfg_of(MPE_MODE_LUT, mpe_dt_int(8), mpe_dt_int(2));
    Pe bad(c0, 4, 1);
    for (int ppc : {0, 3, 8, -1})
        EXPECT_EQ(mpe_pe_set_lut_ppc(&bad.pe, ppc), MPE_ERR_ARG) << ppc;
    EXPECT_EQ(bad.pe.lut_ppc, 1);
    EXPECT_EQ(mpe_pe_set_lut_ppc(nullptr, 2), MPE_ERR_ARG);
    const uint64_t seed = 20261204;
    std::vector<mpe_dtype> ws = {mpe_dt_binary(), mpe_dt_ternary()};
    for (int b = 1; b <= 4; b++) {
        ws.push_back(mpe_dt_int(b));
        ws.push_back(mpe_dt_uint(b));
    }
    Rng rng(seed);
    for (const mpe_dtype &wt : ws)
        for (mpe_dtype at : {mpe_dt_int(8), mpe_dt_uint(8), mpe_dt_int(16)})
            for (int ppc : {1, 2, 4}) {
                mpe_pe_cfg c = cfg_of(MPE_MODE_LUT, at, wt);
                const int L = 16, C = 3;
                Pe pe(c, L, C);
                ASSERT_EQ(mpe_pe_set_lut_ppc(&pe.pe, ppc), MPE_OK);
                int64_t ref[C] = {0, 0, 0};
                for (int op = 0; op < 5; op++) {
                    uint16_t a[L], w[C * L];
                    for (int k = 0; k < L; k++) a[k] = (uint16_t)rng.next();
                    for (int k = 0; k < C * L; k++) w[k] = (uint16_t)(rng.next() & ((1u << wt.bits) - 1));
                    int planes = mpe_lut_planes(wt);
                    EXPECT_EQ(pe.step(a, w, op == 0), (planes + ppc - 1) / ppc)
                        << "seed " << seed << " ppc " << ppc;
                    for (int col = 0; col < C; col++) {
                        ref[col] += int_dot(c.a, c.w, a, w + col * L, L);
                        EXPECT_EQ(pe.acc(col), wrap48(ref[col]))
                            << "seed " << seed << " ppc " << ppc << " w bits " << wt.bits << " kind "
                            << wt.kind << " op " << op;
                    }
                }
            }
}

}  // namespace
