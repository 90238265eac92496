// Helpers of the PE tests (tests/test_pe_*.cc): seeds, code sets, the legal
// configuration space, and plain references that share no code with the
// model's datapaths: integer dots from mpe_dt_int_value in __int128, BFP
// blocks from decoded doubles turned into exact integers, FP32 accumulation
// with host float additions.
#ifndef MPE_PE_TEST_UTIL_H
#define MPE_PE_TEST_UTIL_H

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "mpe/dtype.h"
#include "mpe/format.h"
#include "mpe/fp32.h"
#include "mpe/pe.h"
#include "mpe/rng.h"
}

namespace pet {

// ---------------------------------------------------------------- seeds

struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed) {}
    uint64_t next() { return mpe_splitmix64(&s); }
    uint32_t below(uint32_t n) { return mpe_rng_below(&s, n); }
    int range(int lo, int hi) { return lo + (int)below((uint32_t)(hi - lo + 1)); }
};

// The seed of the random tests: MPE_TEST_SEED, else a fixed default.
inline uint64_t test_seed() {
    const char *s = getenv("MPE_TEST_SEED");
    return s ? strtoull(s, nullptr, 0) : 20240611ull;
}

// One line that reproduces a failure of the current test with `seed`.
inline std::string repro(uint64_t seed) {
    const ::testing::TestInfo *ti = ::testing::UnitTest::GetInstance()->current_test_info();
    return "seed " + std::to_string(seed) + "; reproduce: MPE_TEST_SEED=" +
           std::to_string(seed) + " build/bin/mpe-tests --gtest_filter=" +
           ti->test_suite_name() + "." + ti->name();
}

// Sanitizer builds run a subset of the sweeps; MPE_TEST_QUICK=1 or 0
// forces the choice either way.
inline bool quick() {
    const char *q = getenv("MPE_TEST_QUICK");
    if (q && *q) return *q == '1';
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
    return true;
#else
    return false;
#endif
}

// ---------------------------------------------------------------- types

inline std::vector<mpe_dtype> all_types() {
    std::vector<mpe_dtype> t;
    for (int b = 1; b <= 16; b++) t.push_back(mpe_dt_int(b));
    for (int b = 1; b <= 16; b++) t.push_back(mpe_dt_uint(b));
    t.push_back(mpe_dt_binary());
    t.push_back(mpe_dt_ternary());
    t.push_back(mpe_dt_pow2());
    for (int b = 4; b <= 8; b++) t.push_back(mpe_dt_bfpint(b));
    for (int f = 0; f < MPE_FMT_COUNT; f++) t.push_back(mpe_dt_fp((mpe_fmt)f));
    return t;
}

inline mpe_pe_cfg cfg_of(int mode, mpe_dtype a, mpe_dtype w, int both = 0, int group = 0,
                         int scale = 0) {
    mpe_pe_cfg c;
    memset(&c, 0, sizeof c);
    c.mode = (uint8_t)mode;
    c.a = a;
    c.w = w;
    c.both_serial = (uint8_t)both;
    c.group = (uint16_t)group;
    c.scale_fmt = (uint8_t)scale;
    return c;
}

inline std::string name(const mpe_pe_cfg &c) {
    std::string s = std::string(mpe_mode_name((mpe_mode)c.mode)) + " a=" + mpe_dt_name(c.a) +
                    " w=" + mpe_dt_name(c.w);
    if (c.both_serial) s += " both";
    if (c.group) s += " group=" + std::to_string(c.group);
    if (c.mode == MPE_MODE_BFP) s += std::string(" scale=") + mpe_fmt_get((mpe_fmt)c.scale_fmt)->name;
    return s;
}

// Every legal configuration of one mode for `lanes` lanes with the given
// groups (shift-add and BFP) and both scale formats (BFP).
inline std::vector<mpe_pe_cfg> legal(int mode, int lanes, std::vector<int> groups = {0}) {
    std::vector<mpe_pe_cfg> out;
    for (const mpe_dtype &a : all_types())
        for (const mpe_dtype &w : all_types())
            for (int both = 0; both < 2; both++)
                for (int g : groups)
                    for (int s : {0, (int)MPE_FMT_FP16, (int)MPE_FMT_E8M0, (int)MPE_FMT_UE4M3}) {
                        mpe_pe_cfg c = cfg_of(mode, a, w, both, g, s);
                        if (mpe_pe_cfg_check(&c, lanes, nullptr, 0) != MPE_OK) continue;
                        // one scale format per config except BFP
                        if (mode != MPE_MODE_BFP && s != 0 &&
                            !(mode == MPE_MODE_SHIFTADD && g && s == MPE_FMT_FP16))
                            continue;
                        out.push_back(c);
                    }
    return out;
}

// ---------------------------------------------------------------- codes

inline bool is_fp(mpe_dtype t) { return t.kind == MPE_DT_FP; }

// All codes of a type of <= full_bits bits; otherwise a reduced set: the
// extremes and their neighbours, small values, powers of two and their
// neighbours, alternating patterns, and `nrand` random codes.
inline std::vector<uint16_t> code_set(mpe_dtype t, int full_bits, int nrand, Rng &r) {
    uint32_t n = 1u << t.bits, mask = n - 1;
    std::vector<uint16_t> v;
    if (t.bits <= full_bits) {
        for (uint32_t c = 0; c < n; c++) v.push_back((uint16_t)c);
        return v;
    }
    std::vector<uint32_t> c = {0, 1, 2, 3, mask, mask - 1, mask - 2, n / 2, n / 2 - 1, n / 2 + 1,
                               0x5555u & mask, 0xAAAAu & mask};
    for (int b = 2; b < t.bits; b++) {
        c.push_back(1u << b);
        c.push_back((1u << b) - 1);
        c.push_back((0u - (1u << b)) & mask);
    }
    for (int i = 0; i < nrand; i++) c.push_back((uint32_t)r.next() & mask);
    for (uint32_t x : c) {
        uint16_t y = (uint16_t)(x & mask);
        bool dup = false;
        for (uint16_t z : v) dup |= z == y;
        if (!dup) v.push_back(y);
    }
    return v;
}

// ---------------------------------------------------------------- references

// v modulo 2^48 as a signed 48-bit value.
inline int64_t wrap48(__int128 v) {
    const __int128 m = (__int128)1 << 48;
    __int128 r = v % m;
    if (r < 0) r += m;
    if (r >= m / 2) r -= m;
    return (int64_t)r;
}

inline __int128 int_dot(mpe_dtype ta, mpe_dtype tw, const uint16_t *a, const uint16_t *w, int n) {
    __int128 s = 0;
    for (int k = 0; k < n; k++)
        s += (__int128)mpe_dt_int_value(ta, a[k]) * mpe_dt_int_value(tw, w[k]);
    return s;
}

// Canonical NaN for host results (x86 produces 0xFFC00000 for inf - inf).
inline uint32_t canon(float f) { return std::isnan(f) ? MPE_F32_QNAN : mpe_f32_bits(f); }
inline float host_add(float acc, uint32_t v) { return acc + mpe_f32_from_bits(v); }

// Decoded element value (double, exact) of a BFP element code.
inline double elem_value(mpe_dtype t, uint16_t c) {
    if (t.kind == MPE_DT_BFPINT) return std::ldexp((double)mpe_dt_int_value(t, c), -(t.bits - 2));
    return mpe_fp_decode((mpe_fmt)t.fmt, c);
}

// Every finite element and scale in the tests is an integer multiple of
// 2^-40 once multiplied out (smallest E5M2 subnormal product 2^-32), and the
// scales are multiples of 2^-9 (ue4m3) or powers of two (e8m0).
constexpr int kUnit = 40;

// Element values of every code of a type (speeds up the sweeps).
inline std::vector<double> elem_table(mpe_dtype t) {
    std::vector<double> v;
    for (uint32_t c = 0; c < (1u << t.bits); c++) v.push_back(elem_value(t, (uint16_t)c));
    return v;
}

// FP32 value of one BFP block of n lanes with scale codes sa, sw (ta, tw:
// optional element tables of c.a and c.w).
inline uint32_t ref_bfp_block(const mpe_pe_cfg &c, const uint16_t *a, const uint16_t *w, int n,
                              uint16_t sa, uint16_t sw, const double *ta = nullptr,
                              const double *tw = nullptr) {
    double special = 0;
    __int128 d = 0;
    for (int k = 0; k < n; k++) {
        uint16_t ca = a[k] & mpe_dt_mask(c.a), cw = w[k] & mpe_dt_mask(c.w);
        double p = (ta ? ta[ca] : elem_value(c.a, ca)) * (tw ? tw[cw] : elem_value(c.w, cw));
        if (!std::isfinite(p)) {
            special += p;  // NaN, or inf + -inf = NaN
            continue;
        }
        d += (__int128)std::ldexp(p, kUnit);
    }
    mpe_fmt sf = (mpe_fmt)c.scale_fmt;
    double xa = mpe_fp_decode(sf, sa & 0xFF), xw = mpe_fp_decode(sf, sw & 0xFF);
    if (std::isnan(xa) || std::isnan(xw) || std::isnan(special)) return MPE_F32_QNAN;
    if (std::isinf(special)) return special > 0 ? MPE_F32_PINF : MPE_F32_NINF;
    if (sf == MPE_FMT_E8M0)
        return mpe_f32_from_int(d, -kUnit + ((sa & 0xFF) - 127) + ((sw & 0xFF) - 127));
    __int128 ia = (__int128)std::ldexp(xa, 9), iw = (__int128)std::ldexp(xw, 9);
    return mpe_f32_from_int(d * ia * iw, -kUnit - 18);
}

// FP32 value of one shift-add group: (P - z S) * scale with one rounding.
inline uint32_t ref_sa_group(const mpe_pe_cfg &c, const uint16_t *a, const uint16_t *w, int n,
                             uint16_t scale, int16_t zero) {
    __int128 p = int_dot(c.a, c.w, a, w, n), s = 0;
    for (int k = 0; k < n; k++) s += mpe_dt_int_value(c.a, a[k]);
    __int128 v = p - (__int128)zero * s;
    double sc = mpe_fp_decode(MPE_FMT_FP16, scale);
    if (std::isnan(sc)) return MPE_F32_QNAN;
    if (std::isinf(sc)) {
        if (v == 0) return MPE_F32_QNAN;
        return ((v < 0) != (sc < 0)) ? MPE_F32_NINF : MPE_F32_PINF;
    }
    __int128 is = (__int128)std::ldexp(sc, 24);  // FP16 values are multiples of 2^-24
    return mpe_f32_from_int(v * is, -24);
}

// ---------------------------------------------------------------- running

// A PE with helpers to run single ops.
struct Pe {
    mpe_pe pe;
    int lanes, cols, slots;
    Pe(const mpe_pe_cfg &c, int l, int co) : lanes(l), cols(co) {
        EXPECT_EQ(mpe_pe_init(&pe, l, co, &c), MPE_OK) << name(c);
        slots = mpe_pe_scale_slots(&c, l);
    }
    int step(const uint16_t *a, const uint16_t *w, bool clear, const uint16_t *as = nullptr,
             const uint16_t *ws = nullptr, const int16_t *wz = nullptr) {
        mpe_pe_op op = {a, w, as, ws, wz, (uint8_t)clear};
        int cyc = -1;
        EXPECT_EQ(mpe_pe_step(&pe, &op, &cyc), MPE_OK);
        return cyc;
    }
    int64_t acc(int c) const { return mpe_pe_acc_int(&pe, c); }
    uint32_t facc(int c) const { return mpe_pe_acc_f32(&pe, c); }
};

// Expected cycles of an op (docs/numerics.md section 5 table).
inline int expected_cycles(const mpe_pe_cfg &c, int lanes, bool closes_group) {
    switch (c.mode) {
    case MPE_MODE_LUT:
        return c.w.kind == MPE_DT_BINARY ? 1 : c.w.kind == MPE_DT_TERNARY ? 2 : c.w.bits;
    case MPE_MODE_SHIFTADD:
    case MPE_MODE_BFP:
        if (c.group && c.group < lanes) return lanes / c.group;
        (void)closes_group;
        return 1;
    case MPE_MODE_BITSERIAL: return c.both_serial ? c.a.bits * c.w.bits : c.a.bits;
    default: return 1;
    }
}

}  // namespace pet

#endif
